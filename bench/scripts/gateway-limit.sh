#!/usr/bin/env bash
# The gateway's own cost, against the limit of the machine: an upstream that answers at once (nginx
# returning a fixed chat completion), measured with wrk at c=32 (throughput) and c=1 (latency):
#
#   direct     wrk -> upstream
#   nginx      wrk -> nginx proxy_pass with upstream keep-alive -> upstream   (the limit for a proxy)
#   vertx      wrk -> VertxFloorProxy -> upstream    (Gatehouse's HTTP stack doing nothing else: its floor)
#   gatehouse  wrk -> Gatehouse (sandbox token, routing, limits, metering on SQLite) -> upstream
#   portkey    wrk -> Portkey OSS gateway 1.15.2 (node) -> upstream            (PORTKEY=1, a peer)
#
# and prints req/s, p50 and p99 per target, the ratios against nginx and Portkey, the added latency
# (minus direct), and each proxy's CPU time per request at c=32 (from /proc, against nginx's). The c=1
# latency is measured twice: with wrk, and with bench/scripts/c1-client.c (one connection, nothing else
# in the process), whose percentiles are not widened by wrk's own event loop.
# Targets run one after the other, each with its own warm-up, on the same 2 cores.
#
# Usage: bench/scripts/gateway-limit.sh      (installs wrk, nginx and gcc with apt if missing; builds if needed)
# Knobs (environment): DURATION (s per run, default 15) WARMUP (s, default 10) THREADS (wrk, default 2)
#   CONCURRENCY (default 32) FLOOR=0 (leaves out the vertx row) PORTKEY=1 (npm-installs @portkey-ai/gateway@1.15.2 into ~/.cache once)
#   GATEHOUSE_ENV (extra "K=V K=V" for Gatehouse, e.g. GATEHOUSE_LOGGING_GATEWAY_ACCESS=all, or a PostgreSQL
#   store: GATEHOUSE_STORE_URL=... GATEHOUSE_STORE_USERNAME=... GATEHOUSE_STORE_SCHEMA=...) KEEP_WORK=1
#   GATEHOUSE_BUILD (a checkout whose server/target/gatehouse.jar is built, to measure instead of this one;
#   bench/scripts/gateway-ab.sh alternates builds with it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk

DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-10}"
THREADS="${THREADS:-2}"
CONCURRENCY="${CONCURRENCY:-32}"
PORTKEY="${PORTKEY:-0}"
FLOOR="${FLOOR:-1}"
GH_OPTS="${GATEHOUSE_BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx512m -Xss512k}"
ADMIN_SECRET="bench-admin-secret-0123456789abcdefghij"
portkey_dir="${HOME}/.cache/gatehouse-bench/portkey"

work="$(mktemp -d /tmp/gatehouse-limit.XXXXXX)"
pids=()
# shellcheck source=lib.sh
. "$root/bench/scripts/lib.sh"
cleanup() { kill_started; drop_work; }
trap cleanup EXIT
trap 'exit 130' INT TERM


for tool in wrk:wrk nginx:nginx cc:"gcc libc6-dev"; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    package="${tool#*:}"
    log "installing $package"
    # shellcheck disable=SC2086  # a tool may take more than one package
    if [ "$(id -u)" = 0 ]; then apt-get install -y $package >"$work/apt.log" 2>&1 || { apt-get update -q >/dev/null && apt-get install -y $package >"$work/apt.log" 2>&1; }
    else sudo apt-get install -y $package >"$work/apt.log" 2>&1; fi
  fi
done
cc -O2 -o "$work/c1-client" "$root/bench/scripts/c1-client.c"
build="$(cd "${GATEHOUSE_BUILD:-$root}" && pwd)"
if [ ! -f "$build/server/target/gatehouse.jar" ]; then
  log "building $build (scripts/mvn -B -q -o install -DskipTests)"
  (cd "$build" && scripts/mvn -B -q -o install -DskipTests)
fi

up_port="$(free_port)"; ng_port="$(free_port)"; gh_port="$(free_port)"; pk_port="$(free_port)"; vx_port="$(free_port)"
completion='{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}'
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream answering { server 127.0.0.1:$up_port; keepalive 64; keepalive_requests 1000000; }
  server {   # the upstream: answers at once
    listen 127.0.0.1:$up_port;
    keepalive_requests 1000000;
    location / { default_type application/json; return 200 '$completion'; }
  }
  server {   # nginx as the proxy: the limit for a proxy
    listen 127.0.0.1:$ng_port;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://answering;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx.conf" >"$work/nginx.out" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$up_port/" "$!" nginx
# The one worker serves both roles: the upstream, and the proxy in the nginx row.
ng_worker="$(cut -d' ' -f1 "/proc/$!/task/$!/children")"
log "nginx $(nginx -v 2>&1 | sed 's/.*\///'): upstream on :$up_port, proxy on :$ng_port (one worker for both, access_log off)"

channels="[{\"name\":\"bench\",\"provider\":\"bench\",\"baseUrl\":\"http://127.0.0.1:$up_port/v1\",\"models\":[\"bench\"]}]"
# shellcheck disable=SC2086
(cd "$work" && exec env -u GATEHOUSE_BENCH_JAVA_OPTS -u GATEHOUSE_ENV -u GATEHOUSE_BUILD ${GATEHOUSE_ENV:-} GATEHOUSE_DATA_DIR="$work/data" GATEHOUSE_SERVER_PORT="$gh_port" \
  GATEHOUSE_ROLES=auth,gateway NEWAPI_ADMIN_SECRET="$ADMIN_SECRET" GATEHOUSE_GATEWAY_CHANNELS="$channels" \
  GATEHOUSE_GATEWAY_DEFAULT_PROVIDER=bench GATEHOUSE_JAVA_OPTS="$GH_OPTS" "$build/gatehouse" serve) >"$work/gatehouse.log" 2>&1 &
pids+=($!)
gh_pid=$!
wait_http "http://127.0.0.1:$gh_port/readyz" "$gh_pid" gatehouse
token="$(curl -sf -X POST "http://127.0.0.1:$gh_port/admin/tokens/sandbox" -H "Authorization: Bearer $ADMIN_SECRET" \
  -H 'Content-Type: application/json' \
  -d '{"org_id":"bench","user_id":"bench@bench.test","sandbox_id":"sb-bench","allowed_channels":["bench"]}' \
  | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || { echo "could not mint a sandbox token" >&2; KEEP_WORK=1; exit 1; }
log "gatehouse on :$gh_port (JAVA_OPTS: $GH_OPTS${GATEHOUSE_ENV:+; $GATEHOUSE_ENV}), sandbox token minted"

if [ "$FLOOR" = 1 ]; then
  if [ ! -f "$root/bench/target/benchmarks.jar" ]; then
    log "building bench/target/benchmarks.jar (scripts/mvn -B -q -o -pl bench -am package -DskipTests)"
    (cd "$root" && scripts/mvn -B -q -o -pl bench -am package -DskipTests)
  fi
  # The JVM flags ./gatehouse adds for Gatehouse (its manifest enables native access), so both run alike.
  floor_opts="--enable-native-access=ALL-UNNAMED"
  [ "$(gatehouse_java_major "$GATEHOUSE_JAVA_HOME")" -ge 24 ] && floor_opts="$floor_opts --sun-misc-unsafe-memory-access=allow"
  # shellcheck disable=SC2086
  "$GATEHOUSE_JAVA_HOME/bin/java" $floor_opts $GH_OPTS -cp "$root/bench/target/benchmarks.jar" dev.gatehouse.bench.load.VertxFloorProxy \
    --port "$vx_port" --upstream-port "$up_port" >"$work/vertx.log" 2>&1 &
  pids+=($!)
  vx_pid=$!
  wait_http "http://127.0.0.1:$vx_port/" "$vx_pid" vertx
  log "$(cat "$work/vertx.log")"
fi

if [ "$PORTKEY" = 1 ]; then
  if [ ! -f "$portkey_dir/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
    log "installing @portkey-ai/gateway@1.15.2 into $portkey_dir"
    mkdir -p "$portkey_dir"
    (cd "$portkey_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund @portkey-ai/gateway@1.15.2 >"$work/npm.log" 2>&1)
  fi
  (cd "$portkey_dir" && exec node node_modules/@portkey-ai/gateway/build/start-server.js --port="$pk_port" --headless) >"$work/portkey.log" 2>&1 &
  pids+=($!)
  pk_pid=$!
  wait_http "http://127.0.0.1:$pk_port/" "$!" portkey
  log "portkey 1.15.2 on :$pk_port (node $(node --version))"
fi

body='{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}'
script() { # $1 file, then header lines "Name: value"
  local file="$1"; shift
  { echo 'wrk.method = "POST"'
    printf 'wrk.body = %s\n' "'$body'"
    echo 'wrk.headers["Content-Type"] = "application/json"'
    for h in "$@"; do printf 'wrk.headers["%s"] = "%s"\n' "${h%%: *}" "${h#*: }"; done
  } >"$file"
}
# The same request as a file for c1-client: $1 file, then header lines "Name: value"
raw() {
  local file="$1" h LC_ALL=C; shift   # C: ${#body} counts bytes
  { printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
    for h in "$@"; do printf '%s\r\n' "$h"; done
    printf 'Content-Length: %d\r\n\r\n%s' "${#body}" "$body"
  } >"$file"
}
for kind in plain gatehouse portkey; do
  headers=()
  [ "$kind" = gatehouse ] && headers=("Authorization: Bearer $token")
  [ "$kind" = portkey ] && headers=("Authorization: Bearer unused" "x-portkey-provider: openai" \
    "x-portkey-custom-host: http://127.0.0.1:$up_port/v1")
  script "$work/$kind.lua" "${headers[@]}"
  raw "$work/$kind.http" "${headers[@]}"
done

# CPU time (clock ticks, user + system) a process has used so far; 0 for no process.
ticks() { if [ -n "${1:-}" ]; then sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; else echo 0; fi; }

# Checks the target answers the completion, then: warm-up, c=$CONCURRENCY, c=1 with wrk, c=1 with
# c1-client. Around the c=$CONCURRENCY run it records the CPU time of the nginx worker and of the
# proxy's process ($4).
run() { # $1 name, $2 port, $3 request kind (plain, gatehouse, portkey), $4 the proxy's pid (none for direct and nginx)
  local name="$1" url="http://127.0.0.1:$2/v1/chat/completions" lua="$work/$3.lua" proxy="${4:-}" out ng0 px0
  out="$(wrk -t1 -c1 -d1s -s "$lua" "$url" 2>&1)"
  if echo "$out" | grep -q "Non-2xx\|Socket errors"; then echo "$name does not answer 2xx:" >&2; echo "$out" >&2; KEEP_WORK=1; exit 1; fi
  log "$name: warm-up ${WARMUP}s"
  wrk -t"$THREADS" -c"$CONCURRENCY" -d"${WARMUP}s" -s "$lua" "$url" >/dev/null 2>&1
  log "$name: c=$CONCURRENCY ${DURATION}s"
  ng0="$(ticks "$ng_worker")"; px0="$(ticks "$proxy")"
  wrk -t"$THREADS" -c"$CONCURRENCY" -d"${DURATION}s" --latency -s "$lua" "$url" >"$work/$name-c$CONCURRENCY.txt" 2>&1
  echo "$(( $(ticks "$ng_worker") - ng0 )) $(( $(ticks "$proxy") - px0 ))" >"$work/$name-ticks.txt"
  log "$name: c=1 ${DURATION}s"
  wrk -t1 -c1 -d"${DURATION}s" --latency -s "$lua" "$url" >"$work/$name-c1.txt" 2>&1
  log "$name: c=1 ${DURATION}s, c1-client"
  "$work/c1-client" "$2" "$DURATION" "$work/$3.http" >"$work/$name-cc.txt" \
    || { echo "$name: c1-client failed" >&2; KEEP_WORK=1; exit 1; }
  for f in "$work/$name-c$CONCURRENCY.txt" "$work/$name-c1.txt"; do
    if grep -q "Non-2xx\|Socket errors" "$f"; then echo "$name had errors:" >&2; cat "$f" >&2; KEEP_WORK=1; exit 1; fi
  done
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$work/$1-c$2.txt"; }
# wrk prints latency percentiles as e.g. 45.00us, 1.20ms, 1.01s: in microseconds
pct() { awk -v p="$3%" '$1 == p { v=$2; u=v; gsub(/[0-9.]/, "", u); gsub(/[a-z]/, "", v);
  if (u == "us") print v; else if (u == "ms") print v * 1000; else print v * 1000000 }' "$work/$1-c$2.txt"; }

targets=(direct nginx)
run direct "$up_port" plain
run nginx "$ng_port" plain
if [ "$FLOOR" = 1 ]; then
  targets+=(vertx)
  run vertx "$vx_port" plain "$vx_pid"
fi
targets+=(gatehouse)
run gatehouse "$gh_port" gatehouse "$gh_pid"
if [ "$PORTKEY" = 1 ]; then
  targets+=(portkey)
  run portkey "$pk_port" portkey "$pk_pid"
fi

echo
echo "=== $(date -u +%FT%TZ), $(nproc) cores, wrk -t$THREADS, ${DURATION}s per run, upstream answering at once ==="
printf '%-10s %12s %10s %12s %12s %12s %12s\n' target "c=$CONCURRENCY rps" "of nginx" "c=1 rps" "c=1 p50 us" "c=1 p99 us" "added p50/p99"
for t in "${targets[@]}"; do
  printf '%-10s %12s %10s %12s %12s %12s %12s\n' "$t" "$(rps "$t" "$CONCURRENCY")" \
    "$(awk -v a="$(rps "$t" "$CONCURRENCY")" -v b="$(rps nginx "$CONCURRENCY")" 'BEGIN {printf "%.2f", a / b}')" \
    "$(rps "$t" 1)" "$(pct "$t" 1 50)" "$(pct "$t" 1 99)" \
    "$(awk -v a="$(pct "$t" 1 50)" -v b="$(pct direct 1 50)" -v c="$(pct "$t" 1 99)" -v d="$(pct direct 1 99)" \
        'BEGIN {printf "%+.0f/%+.0f", a - b, c - d}')"
done
if [ "$PORTKEY" = 1 ]; then
  echo "gatehouse / portkey at c=$CONCURRENCY: $(awk -v a="$(rps gatehouse "$CONCURRENCY")" -v b="$(rps portkey "$CONCURRENCY")" 'BEGIN {printf "%.1f", a / b}')x"
fi
# c1-client prints "N requests R/s p50 A p90 B p99 C p99.9 D max E us"
cc_pct() { awk -v p="$2" '{for (i = 1; i < NF; i++) if ($i == p) print $(i + 1)}' "$work/$1-cc.txt"; }
echo
echo "c=1 with c1-client (one connection, nothing else in the client process), us:"
printf '%-10s %10s %10s %10s %10s %14s\n' target p50 p90 p99 p99.9 "added p50/p99"
for t in "${targets[@]}"; do
  printf '%-10s %10s %10s %10s %10s %14s\n' "$t" "$(cc_pct "$t" p50)" "$(cc_pct "$t" p90)" "$(cc_pct "$t" p99)" \
    "$(cc_pct "$t" p99.9)" "$(awk -v a="$(cc_pct "$t" p50)" -v b="$(cc_pct direct p50)" -v c="$(cc_pct "$t" p99)" \
      -v d="$(cc_pct direct p99)" 'BEGIN {printf "%+.0f/%+.0f", a - b, c - d}')"
done

# CPU per request during the c=$CONCURRENCY runs: steadier than req/s on a machine whose speed varies
# from run to run. The nginx worker serves the upstream in every run and also the proxy in the nginx
# row, so nginx's proxy cost is its worker's CPU per request there minus the upstream's (the direct row).
hz="$(getconf CLK_TCK)"
reqs() { awk '/ requests in / {print $1}' "$work/$1-c$CONCURRENCY.txt"; }
us_per_req() { # $1 name, $2 field of the ticks file (1 nginx worker, 2 the proxy)
  awk -v t="$(cut -d' ' -f"$2" "$work/$1-ticks.txt")" -v n="$(reqs "$1")" -v hz="$hz" \
    'BEGIN {if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "n/a"}'; }
upstream="$(us_per_req direct 1)"
nginx_proxy="$(awk -v a="$(us_per_req nginx 1)" -v b="$upstream" 'BEGIN {if (a + 0 > b + 0 && b != "n/a") printf "%.1f", a - b; else print "n/a"}')"
echo
echo "CPU per request at c=$CONCURRENCY, from /proc (us):"
printf '  %-44s %8s\n' "upstream (nginx worker, direct row)" "$upstream"
printf '  %-44s %8s\n' "nginx proxy (its worker minus the upstream)" "$nginx_proxy"
for t in "${targets[@]:2}"; do
  printf '  %-44s %8s   %s\n' "$t (its process)" "$(us_per_req "$t" 2)" \
    "$(awk -v a="$(us_per_req "$t" 2)" -v b="$nginx_proxy" 'BEGIN {if (b + 0 > 0 && a != "n/a") printf "%.2f x nginx proxy", a / b}')"
done
