#!/usr/bin/env bash
# Before/after for the gateway on a shared machine whose speed drifts: runs gateway-limit.sh for each
# build in turn, round after round, so every build sees the same drift, and each run carries its own
# direct and nginx rows. Prints one line per run (c=1's added p50/p99 with wrk and with c1-client) and,
# per build, the medians of the ratios against that run's nginx: throughput at c=32 and CPU time per
# request.
#
# Usage: bench/scripts/gateway-ab.sh [--rounds N] LABEL=DIR [LABEL=DIR]...
#   DIR     a checkout whose server/target/gatehouse.jar is built (scripts/mvn -B -q -pl server -am package
#           -DskipTests), e.g. a `git worktree` of the commit before a change, and this checkout after it
#   --rounds  rounds of every build (default 2)
# Knobs as gateway-limit.sh: DURATION, WARMUP, GATEHOUSE_BENCH_JAVA_OPTS, GATEHOUSE_ENV.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=2 builds=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    *=*) builds+=("$1"); shift ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ ${#builds[@]} -ge 1 ] || { echo "usage: $0 [--rounds N] LABEL=DIR [LABEL=DIR]..." >&2; exit 2; }
for b in "${builds[@]}"; do
  [ -f "${b#*=}/server/target/gatehouse.jar" ] || { echo "${b#*=}: no server/target/gatehouse.jar; build it first" >&2; exit 2; }
done

results="$(mktemp /tmp/gateway-ab.XXXXXX)"
trap 'rm -f "$results"' EXIT
printf '%-8s %-12s %10s %9s %14s %10s %10s %16s\n' round build "c=32 rps" "of nginx" "c=1 added" "cpu us/req" "x nginx" \
  "c1-client added"
for round in $(seq 1 "$rounds"); do
  for b in "${builds[@]}"; do
    label="${b%%=*}" dir="${b#*=}"
    out="$(FLOOR="${FLOOR:-0}" GATEHOUSE_BUILD="$dir" "$root/bench/scripts/gateway-limit.sh" 2>/dev/null)"
    read -r _ rps of_nginx _ _ _ added <<<"$(echo "$out" | awk '$1 == "gatehouse" && NF == 7')"
    read -r cpu times <<<"$(echo "$out" | awk '/gatehouse \(its process\)/ {print $4, $5}')"
    c1_added="$(echo "$out" | awk '$1 == "gatehouse" && NF == 6 {print $6}')"
    line="$(printf '%-8s %-12s %10s %9s %14s %10s %10s %16s' "$round" "$label" "$rps" "$of_nginx" "$added" "$cpu" "$times" \
      "$c1_added")"
    echo "$line"
    echo "$line" >>"$results"
  done
done

echo
echo "medians per build (ratios against the nginx of the same run):"
python3 - "$results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows.setdefault(f[1], []).append(f)
for label, fs in rows.items():
    def median(i):
        values = [float(f[i]) for f in fs if f[i] not in ("", "n/a")]
        return statistics.median(values) if values else float("nan")
    print(f"  {label:<12} of nginx {median(3):.2f}   cpu per request {median(5):.1f} us = {median(6):.2f}x nginx's proxy   ({len(fs)} runs)")
EOF
