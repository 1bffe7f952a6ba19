#!/usr/bin/env bash
# Measures, for `./gatehouse` with embedded defaults: time from launch to a 200 from /readyz, and
# the resident memory (RSS) once idle. Runs N fresh starts (new data dir each, so first-start key
# generation is included) and one restart on an existing data dir.
# Usage: bench/scripts/startup.sh [runs]   (build first: ./gatehouse --version)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-5}"
port=18080

measure() { # $1 = data dir; prints "<ms to ready> <idle rss MiB>"
  local data="$1" start ready pid rss
  start=$(date +%s%N)
  (cd "$(dirname "$data")" && GATEHOUSE_DATA_DIR="$data" GATEHOUSE_SERVER_PORT=$port exec "$root/gatehouse" serve) \
    >/dev/null 2>"$data.log" &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "gatehouse exited; log: $data.log" >&2; exit 1; }
    sleep 0.01
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 5
  local java_pid
  java_pid=$(pgrep -P "$pid" java || echo "$pid")
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$java_pid/status")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ready $rss"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/gatehouse" --version >/dev/null
echo "run,kind,ms_to_ready,idle_rss_mib"
for i in $(seq 1 "$runs"); do
  read -r ms rss < <(measure "$work/fresh-$i")
  echo "$i,fresh,$ms,$rss"
done
read -r ms rss < <(measure "$work/fresh-1")
echo "$((runs + 1)),restart,$ms,$rss"
