#!/usr/bin/env bash
# Side-by-side A/B of two Gatehouse builds at a fixed open-loop rate (default 1,000 req/s): each round
# measures direct, nginx (with its access log), Gatehouse A and Gatehouse B against one fake upstream
# (20 ms), and prints p50..max in microseconds per run. Both Gatehouses run all the time, so A and B
# share the machine's state; compare each to the direct run of its own round.
#
# Usage: ROOT_B=/path/to/other/checkout bench/scripts/ab-fixed-rate.sh     (both checkouts built:
#        scripts/mvn -B -q -o package -DskipTests in each)
# Knobs: ROOT_A (default: this checkout) ROOT_B (default: ROOT_A) EXTRA_B="ENV=value ..." (extra
#        environment for B only) R (rounds, 3) DUR (seconds per window, 30) RATE (1000)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk
java="$GATEHOUSE_JAVA_HOME/bin/java"; cp=$root/bench/target/benchmarks.jar
ROOT_A="${ROOT_A:-$root}"
TOOL_OPTS="-XX:+UseParallelGC -Xms128m -Xmx1g"; work=$(mktemp -d /tmp/gatehouse-ab.XXXXXX); pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null' EXIT
fp() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
$java $TOOL_OPTS -cp $cp dev.gatehouse.bench.load.FakeOpenAiUpstream --port 0 --port-file $work/up.port --latency-ms 20 --instances 2 > $work/up.log 2>&1 & pids+=($!)
for i in $(seq 100); do [ -s $work/up.port ] && break; sleep 0.1; done; up=http://127.0.0.1:$(cat $work/up.port)
# Both run at once: each gets a management port of its own (/metrics; a build older than
# server.managementPort, which its docs/configuration.md does not list, would refuse the variable).
management_env() { grep -q GATEHOUSE_SERVER_MANAGEMENT_PORT "$1/docs/configuration.md" && echo GATEHOUSE_SERVER_MANAGEMENT_PORT=0; }
start_gh() { # $1 name, $2 root, rest env
  local name=$1; local groot=$2; shift 2; local port=$(fp); mkdir -p $work/$name
  (cd $work/$name && exec env "$@" $(management_env $groot) GATEHOUSE_DATA_DIR=$work/$name/data GATEHOUSE_SERVER_PORT=$port GATEHOUSE_ROLES=auth,gateway NEWAPI_ADMIN_SECRET=bench-admin-secret-0123456789abcdefghij \
   GATEHOUSE_GATEWAY_CHANNELS="[{\"name\":\"bench\",\"provider\":\"bench\",\"baseUrl\":\"$up/v1\",\"models\":[\"bench\"]}]" GATEHOUSE_GATEWAY_DEFAULT_PROVIDER=bench \
   GATEHOUSE_JAVA_OPTS="-XX:+UseParallelGC -Xms256m -Xmx512m -Xss512k" $groot/gatehouse serve) > $work/$name/gh.log 2>&1 & pids+=($!)
  for i in $(seq 300); do curl -sf -o /dev/null http://127.0.0.1:$port/readyz && break; sleep 0.1; done
  local tok=$(curl -sf -X POST http://127.0.0.1:$port/admin/tokens/sandbox -H "Authorization: Bearer bench-admin-secret-0123456789abcdefghij" -H 'Content-Type: application/json' -d '{"org_id":"bench","user_id":"b@b.test","sandbox_id":"sb","allowed_channels":["bench"]}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  echo "$port $tok"
}
read pa ta < <(start_gh A "$ROOT_A")
read pb tb < <(start_gh B "${ROOT_B:-$ROOT_A}" ${EXTRA_B:-GATEHOUSE_B=1})
ng=$(fp); mkdir -p $work/nginx; cat > $work/nginx.conf <<NGX
worker_processes auto; daemon off; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;
events { worker_connections 8192; }
http { access_log $work/nginx/access.log; client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  upstream fake { server 127.0.0.1:$(cat $work/up.port); keepalive 256; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$ng; keepalive_requests 1000000; location / { proxy_pass http://fake; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; } } }
NGX
"$(command -v nginx)" -e $work/nginx/error.log -p $work/nginx -c $work/nginx.conf > /dev/null 2>&1 & pids+=($!); sleep 1
common="--connections 512 --event-loops 2 --timeout-ms 10000"; path=/v1/chat/completions
for t in "$pa $ta" "$pb $tb"; do set -- $t; $java $TOOL_OPTS -cp $cp dev.gatehouse.bench.load.FixedRateLoad --name w --url http://127.0.0.1:$1$path --token $2 --mode max --concurrency 64 --warmup-s 0 --duration-s 20 $common > /dev/null 2>&1; done
run() { $java $TOOL_OPTS -cp $cp dev.gatehouse.bench.load.FixedRateLoad --name $1 --mode rate --rate ${RATE:-1000} --warmup-s 10 --duration-s ${DUR:-30} $common "${@:2}" 2>&1 | grep RESULT | sed 's/.*p50_us=/p50_us=/' | awk -v n=$1 '{print n, $0}'; }
for r in $(seq ${R:-3}); do
  run direct --url $up$path; run nginx --url http://127.0.0.1:$ng$path
  run ghA --url http://127.0.0.1:$pa$path --token $ta; run ghB --url http://127.0.0.1:$pb$path --token $tb
done
