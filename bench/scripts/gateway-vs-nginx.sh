#!/usr/bin/env bash
# LLM gateway overhead: Gatehouse's relay versus calling the upstream directly and versus nginx
# proxy_pass, all against the same fake OpenAI upstream (fixed latency), on loopback.
#
#   1. open loop at $RATE req/s (default 1000) for $DURATION s each: direct, nginx, Gatehouse; then the
#      same at $LOW_RATE req/s (default 200) for 20 s each
#   2. closed loop (maximum throughput, $MAX_CONCURRENCY in flight): direct, nginx, Gatehouse, with
#      Gatehouse's peak RSS (VmHWM, reset just before) during its run
#   3. streaming (SSE) time-to-first-byte at $STREAM_RATE req/s: direct, nginx, Gatehouse
#   4. $STREAMS concurrently open slow streams through Gatehouse, and its peak RSS then
# and prints the added latency (proxy minus direct) at p50/p99/p99.9 and the throughput ratio.
#
# Usage: bench/scripts/gateway-vs-nginx.sh        (builds if the jars are missing; installs nginx if missing)
# Knobs (environment): RATE LOW_RATE DURATION WARMUP MAX_DURATION MAX_CONCURRENCY STREAM_RATE STREAMS
#   STREAM_HOLD LATENCY_MS WARM_S TOKEN_ALG GATEHOUSE_BENCH_JAVA_OPTS NGINX_WORKERS NGINX_ACCESS_LOG
#   KEEP_WORK=1 (keep logs)
# Everything runs on 127.0.0.1; every load run is bounded in time; all processes are stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk
java="$GATEHOUSE_JAVA_HOME/bin/java"

RATE="${RATE:-1000}"
LOW_RATE="${LOW_RATE:-200}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-30}"
MAX_DURATION="${MAX_DURATION:-20}"
MAX_CONCURRENCY="${MAX_CONCURRENCY:-256}"
STREAM_RATE="${STREAM_RATE:-200}"
STREAMS="${STREAMS:-1000}"
STREAM_HOLD="${STREAM_HOLD:-30}"
LATENCY_MS="${LATENCY_MS:-20}"
WARM_S="${WARM_S:-20}"
NGINX_WORKERS="${NGINX_WORKERS:-auto}"
# nginx writes an access log line per request, as Gatehouse does by default (NGINX_ACCESS_LOG=off to
# compare against nginx without one; runs before 2026-11-22 16:00 had it off).
# Signature of the sandbox token: ES256 (the default key ring), EdDSA (keys.algorithm) or HS256
# (keys.hs256Secret, as for NewAPI interop; about 60x cheaper to verify than ES256).
TOKEN_ALG="${TOKEN_ALG:-ES256}"
# Full tiered JIT (the launcher's default stops at C1 for a quick laptop start), Parallel GC.
GH_OPTS="${GATEHOUSE_BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx512m -Xss512k}"
TOOL_OPTS="-XX:+UseParallelGC -Xms128m -Xmx1g"
ADMIN_SECRET="bench-admin-secret-0123456789abcdefghij"

work="$(mktemp -d /tmp/gatehouse-gwbench.XXXXXX)"
NGINX_ACCESS_LOG="${NGINX_ACCESS_LOG:-$work/nginx/access.log}"
results="$work/results.txt"
: >"$results"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "logs kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_http() { # $1 url, $2 pid, $3 what
  local i
  for i in $(seq 1 600); do
    curl -sf -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited; see $work" >&2; KEEP_WORK=1; exit 1; }
    sleep 0.1
  done
  echo "$3 not ready after 60 s" >&2; KEEP_WORK=1; exit 1
}
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
field() { # $1 run name, $2 key
  grep "^RESULT name=$1 " "$results" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# --- build and tools --------------------------------------------------------------------------
if [ ! -f "$root/bench/target/benchmarks.jar" ] || [ ! -f "$root/server/target/gatehouse.jar" ]; then
  log "building (scripts/mvn -B -q -o install -DskipTests)"
  (cd "$root" && scripts/mvn -B -q -o install -DskipTests)
fi
if ! command -v nginx >/dev/null 2>&1; then
  log "installing nginx"
  if [ "$(id -u)" = 0 ]; then apt-get install -y nginx >"$work/apt.log" 2>&1 || { apt-get update -q >/dev/null && apt-get install -y nginx >"$work/apt.log" 2>&1; }
  else sudo apt-get install -y nginx >"$work/apt.log" 2>&1; fi
fi
nginx_bin="$(command -v nginx)"
cp="$root/bench/target/benchmarks.jar"

load() { # $1 name, rest: FixedRateLoad arguments; appends its RESULT line to $results
  local name="$1"; shift
  log "run $name (load $(load_avg))"
  # shellcheck disable=SC2086
  "$java" $TOOL_OPTS -cp "$cp" dev.gatehouse.bench.load.FixedRateLoad --name "$name" "$@" >"$work/$name.out" 2>&1 \
    || { echo "load run $name failed:"; tail -20 "$work/$name.out"; KEEP_WORK=1; exit 1; }
  grep -v '^RESULT' "$work/$name.out" | grep -v ': t=' | sed '/^$/d' | sed 's/^/    /'
  grep '^RESULT' "$work/$name.out" >>"$results"
  echo "LOAD name=$name loadavg_after=$(load_avg | tr ' ' '/')" >>"$results"
}

# --- fake upstream --------------------------------------------------------------------------
# shellcheck disable=SC2086
"$java" $TOOL_OPTS -cp "$cp" dev.gatehouse.bench.load.FakeOpenAiUpstream --port 0 --port-file "$work/upstream.port" \
  --latency-ms "$LATENCY_MS" --chunks 10 --interval-ms 10 --slow-chunks 120 --slow-interval-ms 1000 \
  --instances 2 >"$work/upstream.log" 2>&1 &
pids+=($!)
up_pid=$!
for _ in $(seq 1 300); do [ -s "$work/upstream.port" ] && break; sleep 0.1; done
[ -s "$work/upstream.port" ] || { echo "fake upstream did not start"; cat "$work/upstream.log"; exit 1; }
up_port="$(cat "$work/upstream.port")"
upstream="http://127.0.0.1:$up_port"
log "fake upstream on $upstream (latency ${LATENCY_MS} ms)"

# --- Gatehouse --------------------------------------------------------------------------------
gh_port="$(free_port)"
# One channel serves both the measured model and the slow streams (1,000 of them fit in its default
# gateway.maxConnectionsPerChannel of 1024). Runs before 2026-11-22 16:20 used eight slow channels.
channels="[{\"name\":\"bench\",\"provider\":\"bench\",\"baseUrl\":\"$upstream/v1\",\"models\":[\"bench\",\"bench-slow\"]}]"
allowed='"bench"'
alg_env=()
case "$TOKEN_ALG" in
  ES256) ;;
  EdDSA) alg_env=(GATEHOUSE_KEYS_ALGORITHM=EdDSA) ;;
  HS256) alg_env=(NEWAPI_TOKEN_SIGNING_KEY=bench-hs256-secret-0123456789abcdefghijklmnop) ;;
  *) echo "TOKEN_ALG: $TOKEN_ALG (expected: ES256, EdDSA or HS256)" >&2; exit 2 ;;
esac
(cd "$work" && exec env "${alg_env[@]}" GATEHOUSE_DATA_DIR="$work/data" GATEHOUSE_SERVER_PORT="$gh_port" GATEHOUSE_ROLES=auth,gateway \
  NEWAPI_ADMIN_SECRET="$ADMIN_SECRET" GATEHOUSE_GATEWAY_CHANNELS="$channels" GATEHOUSE_GATEWAY_DEFAULT_PROVIDER=bench \
  GATEHOUSE_JAVA_OPTS="$GH_OPTS -Xlog:gc:file=$work/gc.log" "$root/gatehouse" serve) >"$work/gatehouse.log" 2>&1 &
pids+=($!)
gh_pid=$!   # the launcher execs java: this is the JVM
gatehouse="http://127.0.0.1:$gh_port"
wait_http "$gatehouse/readyz" "$gh_pid" "gatehouse"
token="$(curl -sf -X POST "$gatehouse/admin/tokens/sandbox" -H "Authorization: Bearer $ADMIN_SECRET" \
  -H 'Content-Type: application/json' \
  -d "{\"org_id\":\"bench\",\"user_id\":\"bench@bench.test\",\"sandbox_id\":\"sb-bench\",\"allowed_channels\":[$allowed]}" \
  | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || { echo "could not mint a sandbox token"; KEEP_WORK=1; exit 1; }
log "gatehouse on $gatehouse (pid $gh_pid, JAVA_OPTS: $GH_OPTS), sandbox token minted ($TOKEN_ALG)"
curl -sf "$gatehouse/v1/chat/completions" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"model":"bench","messages":[{"role":"user","content":"hi"}]}' >/dev/null \
  || { echo "gateway call failed"; KEEP_WORK=1; exit 1; }

# --- nginx --------------------------------------------------------------------------------------
ng_port="$(free_port)"
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
  access_log $NGINX_ACCESS_LOG;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream fake {
    server 127.0.0.1:$up_port;
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$ng_port;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;   # stream like the gateway does (SSE chunk by chunk)
    }
  }
}
EOF
"$nginx_bin" -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx.conf" >"$work/nginx.out" 2>&1 &
pids+=($!)
ng_pid=$!
nginx_url="http://127.0.0.1:$ng_port"
for _ in $(seq 1 100); do curl -s -o /dev/null "$nginx_url/" && break; sleep 0.1; done
log "nginx $("$nginx_bin" -v 2>&1 | sed 's/.*\///') on $nginx_url (worker_processes $NGINX_WORKERS, keep-alive upstream, proxy_buffering off, access_log $NGINX_ACCESS_LOG)"

path=/v1/chat/completions
common=(--connections 512 --event-loops 2 --timeout-ms 10000)

# --- warm-up: JIT of Gatehouse, the upstream and the load generator ------------------------------
log "warm-up (Gatehouse closed loop $WARM_S s + streams $((WARM_S / 2)) s; direct $((WARM_S / 2)) s)"
"$java" $TOOL_OPTS -cp "$cp" dev.gatehouse.bench.load.FixedRateLoad --name warm-direct --url "$upstream$path" \
  --mode max --concurrency 64 --warmup-s 0 --duration-s "$((WARM_S / 2))" "${common[@]}" >"$work/warm-direct.out" 2>&1
"$java" $TOOL_OPTS -cp "$cp" dev.gatehouse.bench.load.FixedRateLoad --name warm-gw --url "$gatehouse$path" --token "$token" \
  --mode max --concurrency 64 --warmup-s 0 --duration-s "$WARM_S" "${common[@]}" >"$work/warm-gw.out" 2>&1
"$java" $TOOL_OPTS -cp "$cp" dev.gatehouse.bench.load.FixedRateLoad --name warm-gw-sse --url "$gatehouse$path" --token "$token" \
  --stream --rate 300 --warmup-s 0 --duration-s "$((WARM_S / 2))" "${common[@]}" >"$work/warm-gw-sse.out" 2>&1
grep '^RESULT' "$work"/warm-*.out | sed 's/^/    /' | cut -c1-160

rss_before="$(kib "$gh_pid" VmHWM)"

# --- 1. fixed rate ----------------------------------------------------------------------------
rate_args=(--mode rate --rate "$RATE" --warmup-s "$WARMUP" --duration-s "$DURATION" "${common[@]}")
load direct "${rate_args[@]}" --url "$upstream$path"
load nginx "${rate_args[@]}" --url "$nginx_url$path"
load gatehouse "${rate_args[@]}" --url "$gatehouse$path" --token "$token" --server-timing
# The same at a rate every target sustains on this machine (the added latency without queueing).
low_args=(--mode rate --rate "$LOW_RATE" --warmup-s 5 --duration-s 20 "${common[@]}")
load direct-low "${low_args[@]}" --url "$upstream$path"
load nginx-low "${low_args[@]}" --url "$nginx_url$path"
load gatehouse-low "${low_args[@]}" --url "$gatehouse$path" --token "$token" --server-timing

# --- 2. maximum throughput, Gatehouse peak RSS ----------------------------------------------------
max_args=(--mode max --concurrency "$MAX_CONCURRENCY" --warmup-s 5 --duration-s "$MAX_DURATION" "${common[@]}")
load direct-max "${max_args[@]}" --url "$upstream$path"
load nginx-max "${max_args[@]}" --url "$nginx_url$path"
echo 5 >"/proc/$gh_pid/clear_refs" 2>/dev/null || log "could not reset VmHWM; peak RSS includes earlier runs"
rss_max_start="$(kib "$gh_pid" VmRSS)"
load gatehouse-max "${max_args[@]}" --url "$gatehouse$path" --token "$token" --server-timing
rss_max_peak="$(kib "$gh_pid" VmHWM)"

# --- 3. streaming time to first byte --------------------------------------------------------------
sse_args=(--mode rate --rate "$STREAM_RATE" --stream --warmup-s 5 --duration-s 20 "${common[@]}")
load direct-sse "${sse_args[@]}" --url "$upstream$path"
load nginx-sse "${sse_args[@]}" --url "$nginx_url$path"
load gatehouse-sse "${sse_args[@]}" --url "$gatehouse$path" --token "$token"

# --- 4. many concurrently open streams ------------------------------------------------------------
echo 5 >"/proc/$gh_pid/clear_refs" 2>/dev/null || true
rss_streams_start="$(kib "$gh_pid" VmRSS)"
( peak=0; while kill -0 "$gh_pid" 2>/dev/null && [ ! -f "$work/streams.done" ]; do
    r="$(kib "$gh_pid" VmRSS)"; [ "${r:-0}" -gt "$peak" ] && peak="$r" && echo "$peak" >"$work/streams.rss"; sleep 0.5
  done ) &
sampler=$!
load gatehouse-streams --url "$gatehouse$path" --token "$token" --mode max --stream --model bench-slow \
  --concurrency "$STREAMS" --connections "$STREAMS" --warmup-s 0 --duration-s "$STREAM_HOLD" --drain-s 2 \
  --event-loops 2 --timeout-ms 30000
touch "$work/streams.done"; wait "$sampler" 2>/dev/null || true
rss_streams_peak="$(kib "$gh_pid" VmHWM)"
rss_end="$(kib "$gh_pid" VmRSS)"

# --- summary ------------------------------------------------------------------------------------
added() { # $1 proxied run, $2 key -> ms with 3 decimals
  awk -v a="$(field "$1" "$2")" -v b="$(field "${3:-direct}" "$2")" 'BEGIN {printf "%+.3f", (a - b) / 1000}'
}
ms() { awk -v a="$(field "$1" "$2")" 'BEGIN {printf "%.3f", a / 1000}'; }
echo
echo "=== Summary (all latencies ms; added = proxied minus direct; load average now $(load_avg)) ==="
printf '%-22s %9s %9s %9s %9s %9s %9s %7s\n' "open loop ${RATE}/s" p50 p90 p99 p99.9 max "rps" errors
for run in direct nginx gatehouse; do
  printf '%-22s %9s %9s %9s %9s %9s %9s %7s\n' "$run" "$(ms $run p50_us)" "$(ms $run p90_us)" "$(ms $run p99_us)" \
    "$(ms $run p999_us)" "$(ms $run max_us)" "$(field $run achieved_rps)" "$(field $run errors)"
done
printf '%-22s %9s %9s %9s\n' "added latency" p50 p99 p99.9
for run in nginx gatehouse; do
  printf '%-22s %9s %9s %9s\n' "$run - direct" "$(added $run p50_us)" "$(added $run p99_us)" "$(added $run p999_us)"
done
printf '%-22s %9s %9s %9s %9s\n' "gatehouse Server-Timing" "$(ms gatehouse gw_p50_us)" "$(ms gatehouse gw_p90_us)" \
  "$(ms gatehouse gw_p99_us)" "$(ms gatehouse gw_p999_us)"
echo
printf '%-22s %9s %9s %9s %9s %9s %9s %7s\n' "open loop ${LOW_RATE}/s" p50 p90 p99 p99.9 max "rps" errors
for run in direct-low nginx-low gatehouse-low; do
  printf '%-22s %9s %9s %9s %9s %9s %9s %7s\n' "$run" "$(ms $run p50_us)" "$(ms $run p90_us)" "$(ms $run p99_us)" \
    "$(ms $run p999_us)" "$(ms $run max_us)" "$(field $run achieved_rps)" "$(field $run errors)"
done
for run in nginx-low gatehouse-low; do
  printf '%-22s %9s %9s %9s\n' "added ${run%-low}" "$(added $run p50_us direct-low)" "$(added $run p99_us direct-low)" \
    "$(added $run p999_us direct-low)"
done
echo
printf '%-22s %9s %9s %9s %7s\n' "max (C=$MAX_CONCURRENCY)" "rps" p50 p99 errors
for run in direct-max nginx-max gatehouse-max; do
  printf '%-22s %9s %9s %9s %7s\n' "$run" "$(field $run achieved_rps)" "$(ms $run p50_us)" "$(ms $run p99_us)" "$(field $run errors)"
done
ratio="$(awk -v g="$(field gatehouse-max achieved_rps)" -v n="$(field nginx-max achieved_rps)" 'BEGIN {printf "%.2f", g / n}')"
echo "throughput ratio gatehouse/nginx: $ratio"
echo
printf '%-22s %9s %9s %9s %9s %7s\n' "SSE ${STREAM_RATE}/s TTFB" p50 p99 p99.9 max errors
for run in direct-sse nginx-sse gatehouse-sse; do
  printf '%-22s %9s %9s %9s %9s %7s\n' "$run" "$(ms $run ttfb_p50_us)" "$(ms $run ttfb_p99_us)" \
    "$(ms $run ttfb_p999_us)" "$(ms $run ttfb_max_us)" "$(field $run errors)"
done
for run in nginx-sse gatehouse-sse; do
  printf '%-22s %9s %9s %9s\n' "added TTFB ${run%-sse}" "$(added $run ttfb_p50_us direct-sse)" \
    "$(added $run ttfb_p99_us direct-sse)" "$(added $run ttfb_p999_us direct-sse)"
done
echo
echo "Gatehouse RSS (MiB): peak through warm-up $(mib "$rss_before"); max-rate run: start $(mib "$rss_max_start"), peak (VmHWM) $(mib "$rss_max_peak")"
echo "$STREAMS open streams: peak open $(field gatehouse-streams peak_open_streams), errors $(field gatehouse-streams errors);" \
  "RSS start $(mib "$rss_streams_start"), peak (VmHWM) $(mib "$rss_streams_peak"), sampled peak $(mib "$(cat "$work/streams.rss" 2>/dev/null || echo 0)"); at the end $(mib "$rss_end")"
echo "gc: $(grep -c 'Pause' "$work/gc.log" 2>/dev/null || echo 0) pauses; longest $(grep -o '[0-9.]*ms$' "$work/gc.log" | sort -n | tail -1)"
echo "load averages after each run:"; grep '^LOAD' "$results" | sed 's/^LOAD /    /'
cp "$results" "${RESULTS_FILE:-/tmp/gatehouse-gwbench-results.txt}"
echo "raw RESULT lines: ${RESULTS_FILE:-/tmp/gatehouse-gwbench-results.txt}"
