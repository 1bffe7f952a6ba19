#!/usr/bin/env bash
# PAT minting over HTTP (Gatehouse POST /auth/pat) versus Keycloak's client-credentials token
# endpoint, on this machine, in one run: same load driver, same concurrency, same durations.
#
# Usage: bench/scripts/pat-vs-keycloak.sh [--concurrency C] [--warmup S] [--duration S] [--only keycloak|gatehouse]
#          [--wait-quiet S]   (before each run, wait up to S seconds for the machine to be < 10% busy)
# Needs: the build (scripts/mvn -B -q -o install -DskipTests) and the Keycloak distribution unpacked
# by `scripts/mvn -B -q -o -pl server process-test-resources` (server/target/keycloak/keycloak-*).
# Environment: GATEHOUSE_JAVA_OPTS (default: the JDK's defaults with the same heap as Keycloak, i.e. a
# deployment-style JVM; set it to the launcher's laptop defaults to measure those), KC_HEAP.
# Prints both result rows, JSON lines, and the ratios. Exit 0; 3 if a run had errors (flagged);
# 1 if either server does not start.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
concurrency=16 warmup=10 duration=30 only="" wait_quiet=0
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrency) concurrency="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --wait-quiet) wait_quiet="$2"; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

# shellcheck source=../../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk
java="$GATEHOUSE_JAVA_HOME/bin/java"
bench_jar="$root/bench/target/benchmarks.jar"
kc_dist="$(ls -d "$root"/server/target/keycloak/keycloak-* 2>/dev/null | sort | tail -1 || true)"
[ -f "$bench_jar" ] || { echo "missing $bench_jar: run scripts/mvn -B -q -o install -DskipTests" >&2; exit 1; }
[ -n "$kc_dist" ] && [ -f "$kc_dist/bin/kc.sh" ] || {
  echo "no Keycloak distribution under server/target/keycloak: run scripts/mvn -B -q -o -pl server process-test-resources" >&2
  exit 1; }
heap="${KC_HEAP:--Xms256m -Xmx1g}"
gh_opts="${GATEHOUSE_JAVA_OPTS:-$heap}"

work="$(mktemp -d -t pat-vs-keycloak.XXXXXX)"
kc_pid="" gh_pid=""
stop() { # $1 = pid: TERM the process and its children, wait, then KILL what is left
  local pid="$1" kids
  [ -n "$pid" ] || return 0
  kids="$(pgrep -P "$pid" || true)"
  kill -TERM "$pid" $kids 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" $kids 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$gh_pid"; stop "$kc_pid"
  if [ -n "${KEEP_WORK:-}" ]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
die() { echo "pat-vs-keycloak: $1" >&2; [ -n "${2:-}" ] && [ -f "$2" ] && { echo "--- last lines of $2:" >&2; tail -40 "$2" >&2; }; exit 1; }
wait_ready() { # $1 = name, $2 = pid, $3 = url, $4 = log, $5 = timeout s
  local deadline=$(( $(date +%s) + $5 ))
  until curl -sf -o /dev/null "$3"; do
    kill -0 "$2" 2>/dev/null || die "$1 exited before it was ready" "$4"
    [ "$(date +%s)" -lt "$deadline" ] || die "$1 not ready within $5 s" "$4"
    sleep 0.25
  done
}
busy_percent() { # over 3 s, of the whole machine (both servers are idle when this is called)
  local a b total=0 idle i
  read -ra a < /proc/stat; sleep 3; read -ra b < /proc/stat
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  idle=$(( b[4] - a[4] + b[5] - a[5] ))
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
await_quiet() {
  [ "$wait_quiet" -gt 0 ] || return 0
  local deadline=$(( $(date +%s) + wait_quiet )) busy
  while busy="$(busy_percent)"; [ "$busy" -ge 10 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "# machine still ${busy}% busy after ${wait_quiet}s: measuring anyway"; return 0; }
  done
  echo "# machine ${busy}% busy before this run"
}
load() { # $1 = name, $2 = server pid to watch, rest: driver options
  local name="$1" pid="$2"; shift 2
  await_quiet
  "$java" -Xms128m -Xmx512m -cp "$bench_jar" dev.gatehouse.bench.load.TokenEndpointLoad --name "$name" \
    --concurrency "$concurrency" --warmup "${warmup}s" --duration "${duration}s" --json-out "$work/$name.json" --watch-pid "$pid" "$@" \
    > "$work/$name.out" || { status=$?; [ $status -eq 3 ] || { cat "$work/$name.out"; die "load driver failed ($status)"; }; flagged=1; }
  cat "$work/$name.out"
}
flagged=0

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -n), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
echo "# load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# C=$concurrency, warm-up ${warmup}s, measured ${duration}s; work dir $work"

# --- Keycloak: its own copy of the distribution (own data dir, own augmentation), dev-mem database.
if [ "$only" != gatehouse ]; then
  cp -a "$kc_dist" "$work/keycloak"
  kc_port="$(free_port)" kc_mgmt="$(free_port)"
  kc_admin_password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  jvm_feature="$("$java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  append="" ; [ "${jvm_feature%%.*}" -ge 24 ] && append="--add-opens=java.base/java.lang=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  ( cd "$work/keycloak" && exec env -u JAVA_OPTS -u JAVA_OPTS_APPEND JAVA_HOME="$GATEHOUSE_JAVA_HOME" \
      KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$kc_admin_password" \
      JAVA_OPTS_KC_HEAP="$heap" JAVA_OPTS_APPEND="$append" \
      bin/kc.sh start-dev --http-host=127.0.0.1 --http-port="$kc_port" --http-management-port="$kc_mgmt" \
      --hostname="http://127.0.0.1:$kc_port" --health-enabled=true --db=dev-mem ) > "$work/keycloak.log" 2>&1 &
  kc_pid=$!
  t0=$(date +%s)
  wait_ready Keycloak "$kc_pid" "http://127.0.0.1:$kc_mgmt/health/ready" "$work/keycloak.log" 300
  echo "# Keycloak $(basename "$kc_dist") ready in $(( $(date +%s) - t0 )) s on 127.0.0.1:$kc_port"

  kc="http://127.0.0.1:$kc_port"
  admin_token="$(curl -sSf "$kc/realms/master/protocol/openid-connect/token" -d grant_type=password \
      -d client_id=admin-cli -d username=admin --data-urlencode "password=$kc_admin_password" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')" || die "no bootstrap admin token" "$work/keycloak.log"
  "$root/gatehouse" keycloak realm --topology per-organization --org bench -o "$work/realm.json" 2>/dev/null
  curl -sSf -o /dev/null "$kc/admin/realms" -H "Authorization: Bearer $admin_token" \
      -H 'Content-Type: application/json' --data-binary "@$work/realm.json" || die "realm import failed" "$work/keycloak.log"
  client_secret="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  curl -sSf -o /dev/null "$kc/admin/realms/bench/clients" -H "Authorization: Bearer $admin_token" \
      -H 'Content-Type: application/json' --data-binary @- <<JSON || die "client creation failed" "$work/keycloak.log"
{"clientId": "bench-service", "enabled": true, "protocol": "openid-connect", "publicClient": false,
 "clientAuthenticatorType": "client-secret", "secret": "$client_secret", "serviceAccountsEnabled": true,
 "standardFlowEnabled": false, "implicitFlowEnabled": false, "directAccessGrantsEnabled": false}
JSON
  printf 'grant_type=client_credentials&client_id=bench-service&client_secret=%s' "$client_secret" > "$work/kc-body"
  curl -sSf -o /dev/null "$kc/realms/bench/protocol/openid-connect/token" --data-binary "@$work/kc-body" \
      -H 'Content-Type: application/x-www-form-urlencoded' || die "client-credentials smoke test failed" "$work/keycloak.log"
  echo "# Keycloak realm 'bench' (per-organization template) + confidential client 'bench-service' (service account) ready"
fi

# --- Gatehouse: embedded defaults (SQLite, generated ES256 key) in a fresh data dir.
if [ "$only" != keycloak ]; then
  gh_port="$(free_port)"
  mkdir -p "$work/gatehouse"
  export GATEHOUSE_DATA_DIR="$work/gatehouse/data" GATEHOUSE_SERVER_PORT="$gh_port" GATEHOUSE_PAT_MAX_ACTIVE_PER_USER=10000
  "$root/gatehouse" --version > /dev/null   # builds the jar if it is stale, before anything is timed
  ( cd "$work/gatehouse" && GATEHOUSE_JAVA_OPTS="$gh_opts" exec "$root/gatehouse" serve ) > "$work/gatehouse.log" 2>&1 &
  gh_pid=$!
  wait_ready Gatehouse "$gh_pid" "http://127.0.0.1:$gh_port/readyz" "$work/gatehouse.log" 120
  echo "# Gatehouse ready on 127.0.0.1:$gh_port (JVM options: $gh_opts)"
  # One user (and session) per worker: each user may hold at most pat.maxActivePerUser active PATs
  # (raised to its maximum, 10,000, above), and a run mints tens of thousands.
  : > "$work/gh-bearers"
  for i in $(seq 1 "$concurrency"); do
    session="$(cd "$work/gatehouse" && env -u GATEHOUSE_JAVA_OPTS "$root/gatehouse" session issue --user "bench-$i" \
        --org bench --ttl 2h 2>/dev/null | tail -1)" || die "gatehouse session issue failed"
    printf '%s\n' "$session" >> "$work/gh-bearers"
  done
  printf 'Authorization: Bearer %s\n' "$(head -1 "$work/gh-bearers")" > "$work/gh-headers"
  printf '{"name": "bench", "ttl": "1d", "audience": "gateway"}' > "$work/gh-body"
  curl -sSf -o /dev/null "http://127.0.0.1:$gh_port/auth/pat" -H "@$work/gh-headers" \
      -H 'Content-Type: application/json' --data-binary "@$work/gh-body" || die "PAT smoke test failed" "$work/gatehouse.log"
  echo "# Gatehouse sessions for bench-1..bench-$concurrency@bench issued; PAT smoke test passed"
fi

echo "# load at start of measurement: $(cut -d' ' -f1-3 /proc/loadavg)"
# One system at a time (the other idle), each with the same driver settings.
if [ "$only" != gatehouse ]; then
  kc_java="$(pgrep -P "$kc_pid" java || echo "$kc_pid")"
  load keycloak "$kc_java" --url "http://127.0.0.1:$kc_port/realms/bench/protocol/openid-connect/token" \
    --content-type application/x-www-form-urlencoded --body-file "$work/kc-body" --expect '"access_token"'
  echo "# load after Keycloak run: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
if [ "$only" != keycloak ]; then
  load gatehouse "$gh_pid" --url "http://127.0.0.1:$gh_port/auth/pat" --bearer-file "$work/gh-bearers" \
    --content-type application/json --body-file "$work/gh-body" --expect '"token"'
  echo "# load after Gatehouse run: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

if [ -z "$only" ]; then
  python3 - "$work/keycloak.json" "$work/gatehouse.json" <<'PY'
import json, sys
kc, gh = (json.load(open(p)) for p in sys.argv[1:3])
ratio = gh["tokens_per_second"] / kc["tokens_per_second"]
print(f"ratio tokens/s Gatehouse/Keycloak: {ratio:.2f}x (aim: >= 20x: {'met' if ratio >= 20 else 'NOT met'})")
print(f"p99 ms: Keycloak {kc['latency_ms']['p99']:.2f}, Gatehouse {gh['latency_ms']['p99']:.2f}"
      f" (Keycloak/Gatehouse {kc['latency_ms']['p99'] / gh['latency_ms']['p99']:.2f}x)")
def per_token(r):
    c = r.get("cpu_cores")
    return c and r["ok"] and c["server"] * r["measured_seconds"] / r["ok"] * 1000
if per_token(kc) and per_token(gh):
    print(f"server CPU per token ms: Keycloak {per_token(kc):.2f}, Gatehouse {per_token(gh):.2f}"
          f" (Keycloak/Gatehouse {per_token(kc) / per_token(gh):.2f}x)")
for r in (kc, gh):
    c = r.get("cpu_cores") or {}
    if c.get("other", 0) > 0.25:
        print(f"DISTURBED: {r['system']} run: other processes used {c['other']:.2f} cores of the machine; re-run when quiet")
print(json.dumps({"ratio_tokens_per_second": round(ratio, 3), "keycloak": kc, "gatehouse": gh}))
PY
fi
[ "$flagged" -eq 0 ] || { echo "pat-vs-keycloak: FLAGGED: a run had errors (see errors column)" >&2; exit 3; }
