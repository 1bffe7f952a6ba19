#!/usr/bin/env bash
# Sandboxes on the process backend, measured in one run:
#   1. time from POST /api/v1/sandbox/sessions to "running", $COUNT sandboxes one after the other
#   2. the sandbox proxy's overhead: GET /healthz of one reference runtime, directly, through nginx
#      proxy_pass (keep-alive, the limit of a reverse proxy) and through Gatehouse's /sandboxes/{id}/
#      (session checked, credentials stripped); wrk, 1 connection (latency) and 16 (throughput), twice
#      each in alternation
#   3. resident memory: one idle runtime, Gatehouse alone, then Gatehouse and $MANY running sandboxes
#
# Usage: bench/scripts/sandbox-bench.sh     (builds if the jars are missing; installs wrk and nginx if missing)
# Knobs (environment): COUNT (30) MANY (100) WRK_S (15) GATEHOUSE_BENCH_JAVA_OPTS KEEP_WORK=1 (keep logs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk
java="$GATEHOUSE_JAVA_HOME/bin/java"

COUNT="${COUNT:-30}"
MANY="${MANY:-100}"
WRK_S="${WRK_S:-15}"
GH_OPTS="${GATEHOUSE_BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx512m -Xss512k}"
work="$(mktemp -d /tmp/gatehouse-sandboxbench.XXXXXX)"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
rss_kib() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
install() { # $1 command, $2 package
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2"
  if [ "$(id -u)" = 0 ]; then apt-get install -y "$2" >"$work/apt-$2.log" 2>&1; else sudo apt-get install -y "$2" >"$work/apt-$2.log" 2>&1; fi
}

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
install wrk wrk
install nginx nginx
if [ ! -f "$root/bench/target/benchmarks.jar" ] || [ ! -f "$root/server/target/gatehouse.jar" ]; then
  log "building (scripts/mvn -B -q install -DskipTests)"
  (cd "$root" && scripts/mvn -B -q install -DskipTests)
fi

# --- Gatehouse: every role, process backend; one channel (never called: /healthz stays in the runtime) ---
gh_port="$(free_port)"
gatehouse="http://127.0.0.1:$gh_port"
export GATEHOUSE_DATA_DIR="$work/data" GATEHOUSE_SERVER_PORT="$gh_port" GATEHOUSE_SANDBOX_MAX_PER_USER=1000 \
  GATEHOUSE_SANDBOX_MAX_PER_ORGANIZATION=1000 \
  GATEHOUSE_GATEWAY_CHANNELS='[{"name":"bench","provider":"bench","baseUrl":"http://127.0.0.1:9/v1","models":["bench"]}]'
(cd "$work" && exec env GATEHOUSE_JAVA_OPTS="$GH_OPTS" "$root/gatehouse" serve) >"$work/gatehouse.log" 2>&1 &
pids+=($!)
gh_pid=$!
for _ in $(seq 1 600); do curl -sf -o /dev/null "$gatehouse/readyz" && break; sleep 0.1; done
curl -sf -o /dev/null "$gatehouse/readyz" || { echo "gatehouse did not start"; tail "$work/gatehouse.log"; KEEP_WORK=1; exit 1; }
session="$("$root/gatehouse" session issue --user bench --org bench 2>/dev/null)"
log "gatehouse on $gatehouse (pid $gh_pid, JAVA_OPTS: $GH_OPTS), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
cp="$root/bench/target/benchmarks.jar"

# --- 1. POST → running --------------------------------------------------------------------
log "1. POST → running, $COUNT sandboxes one after another (each deleted before the next)"
"$java" -cp "$cp" dev.gatehouse.bench.load.SandboxStartLoad --url "$gatehouse" --session "$session" --count "$COUNT" \
  | tee "$work/start.out" | grep -v '^RESULT'

# --- 2. proxy overhead --------------------------------------------------------------------------
id="$(curl -sf -X POST "$gatehouse/api/v1/sandbox/sessions" -H "Authorization: Bearer $session" \
  -H 'Content-Type: application/json' -d '{"name":"proxy-bench"}' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')"
for _ in $(seq 1 300); do
  curl -sf "$gatehouse/api/v1/sandbox/sessions/$id" -H "Authorization: Bearer $session" | grep -q '"status":"running"' && break
  sleep 0.05
done
runtime_port="$(sed -n 's/.*listening on [^:]*:\([0-9]*\);.*/\1/p' "$work/data/sandboxes/$id/runtime.log" | head -1)"
runtime_pid="$(cut -d' ' -f1 "$work/data/sandboxes/$id/pid")"
log "sandbox $id: runtime pid $runtime_pid on 127.0.0.1:$runtime_port, RSS idle $(mib "$(rss_kib "$runtime_pid")") MiB"
idle_runtime_kib="$(rss_kib "$runtime_pid")"

ng_port="$(free_port)"
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream runtime { server 127.0.0.1:$runtime_port; keepalive 64; }
  server {
    listen 127.0.0.1:$ng_port;
    location /sandboxes/$id/ {
      proxy_pass http://runtime/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "";
      proxy_buffering off;
    }
  }
}
NGINX
nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx.conf" >"$work/nginx.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$ng_port/sandboxes/$id/healthz" && break; sleep 0.1; done

declare -A url=(
  [direct]="http://127.0.0.1:$runtime_port/healthz"
  [nginx]="http://127.0.0.1:$ng_port/sandboxes/$id/healthz"
  [gatehouse]="$gatehouse/sandboxes/$id/healthz")
run_wrk() { # $1 target, $2 connections, $3 round
  local out="$work/wrk-$1-c$2-$3.out"
  wrk -t "$(( $2 > 1 ? 2 : 1 ))" -c "$2" -d "${WRK_S}s" --latency -H "Authorization: Bearer $session" "${url[$1]}" >"$out"
  local rps p50 p99
  rps="$(awk '/Requests\/sec/ {print $2}' "$out")"
  p50="$(awk '$1 == "50%" {print $2}' "$out")"
  p99="$(awk '$1 == "99%" {print $2}' "$out")"
  printf '    %-10s c=%-3s round %s: %10s req/s   p50 %8s   p99 %8s\n' "$1" "$2" "$3" "$rps" "$p50" "$p99"
  echo "WRK target=$1 c=$2 round=$3 rps=$rps p50=$p50 p99=$p99" >>"$work/results.txt"
}
log "2. proxy overhead: wrk GET /healthz, ${WRK_S}s per run (a warm-up run each first, not counted)"
for target in direct nginx gatehouse; do
  wrk -t 2 -c 16 -d 10s -H "Authorization: Bearer $session" "${url[$target]}" >/dev/null
done
for round in 1 2; do
  for connections in 1 16; do
    for target in direct nginx gatehouse; do run_wrk "$target" "$connections" "$round"; done
  done
done
log "runtime RSS after the load: $(mib "$(rss_kib "$runtime_pid")") MiB"

# --- 3. memory with many sandboxes ----------------------------------------------------------------
gatehouse_before_kib="$(rss_kib "$gh_pid")"
log "3. memory: Gatehouse with 1 sandbox: $(mib "$gatehouse_before_kib") MiB; starting $MANY more"
many_started="$(date +%s%N)"
"$java" -cp "$cp" dev.gatehouse.bench.load.SandboxStartLoad --url "$gatehouse" --session "$session" --count "$MANY" \
  --keep --poll-ms 5 >"$work/many.out"
many_ms=$(( ($(date +%s%N) - many_started) / 1000000 ))
grep -v '^RESULT' "$work/many.out" | sed 's/^/    /'
sleep 5
runtime_total=0
runtime_count=0
for pidfile in "$work"/data/sandboxes/*/pid; do
  pid="$(cut -d' ' -f1 "$pidfile")"
  kib="$(rss_kib "$pid" 2>/dev/null || echo 0)"
  runtime_total=$((runtime_total + kib))
  runtime_count=$((runtime_count + 1))
done
gatehouse_many_kib="$(rss_kib "$gh_pid")"
log "$runtime_count runtimes running ($MANY started one after another in $((many_ms / 1000)) s):"
printf '    Gatehouse RSS %s MiB (%s MiB with 1 sandbox); runtimes %s MiB in all, %s MiB each on average\n' \
  "$(mib "$gatehouse_many_kib")" "$(mib "$gatehouse_before_kib")" "$(mib "$runtime_total")" \
  "$(mib $((runtime_total / runtime_count)))"
printf '    one idle runtime at start: %s MiB\n' "$(mib "$idle_runtime_kib")"
echo "MEMORY idle_runtime_kib=$idle_runtime_kib gatehouse_1_kib=$gatehouse_before_kib gatehouse_many_kib=$gatehouse_many_kib runtimes=$runtime_count runtimes_total_kib=$runtime_total" >>"$work/results.txt"
