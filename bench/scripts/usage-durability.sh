#!/usr/bin/env bash
# Usage durability (issue 13, item 6), in one session, for each store (SQLite, PostgreSQL) and each
# gateway.usage.durability (batched, the default, and strict), one after the other:
#
#   1. Gatehouse (roles auth,gateway; a sandbox token; a fresh data directory or schema) in front of
#      nginx answering a chat completion at once;
#   2. cost: wrk c=$CONCURRENCY for WARMUP s, then DURATION s measured: req/s, p50, p99;
#   3. crash: wrk c=$CONCURRENCY again, and kill -9 Gatehouse CRASH_AFTER s into it; then start it again
#      on the same data until it has replayed its spool (records spooled because the writer fell
#      behind), and stop it. "delivered" is every 2xx response wrk read whole from that Gatehouse (all
#      three wrk runs), "recorded" the rows in usage_records then; "unrecorded" = delivered - recorded
#      when positive.
#
# Usage: bench/scripts/usage-durability.sh        (needs wrk, nginx, sqlite3, psql; builds if needed)
# Knobs: DURATION (s, default 10) WARMUP (s, default 5) CRASH_AFTER (s, default 4) CONCURRENCY (32)
#   STORES ("sqlite postgres") PG_HOST (127.0.0.1) PG_PORT (5432) PG_DB (test) PG_USER (postgres) KEEP_WORK=1
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-5}"
CRASH_AFTER="${CRASH_AFTER:-4}"
CONCURRENCY="${CONCURRENCY:-32}"
STORES="${STORES:-sqlite postgres}"
PG_HOST="${PG_HOST:-127.0.0.1}" PG_PORT="${PG_PORT:-5432}" PG_DB="${PG_DB:-test}" PG_USER="${PG_USER:-postgres}"
GH_OPTS="${GATEHOUSE_BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx512m -Xss512k}"
ADMIN_SECRET="bench-admin-secret-0123456789abcdefghij"

work="$(mktemp -d /tmp/gatehouse-usage.XXXXXX)"
pids=()
schemas=()
# shellcheck source=lib.sh
. "$root/bench/scripts/lib.sh"
cleanup() {
  local schema
  kill_started
  for schema in "${schemas[@]}"; do
    psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DB" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  done
  drop_work
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f "$root/server/target/gatehouse.jar" ]; then
  log "building (scripts/mvn -B -q -o package -DskipTests -pl server -am)"
  (cd "$root" && scripts/mvn -B -q -o package -DskipTests -pl server -am)
fi

up_port="$(free_port)"
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
  server {
    listen 127.0.0.1:$up_port;
    keepalive_requests 1000000;
    location / { default_type application/json; return 200 '$completion'; }
  }
}
EOF
nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx.conf" >"$work/nginx.out" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$up_port/" "$!" nginx
channels="[{\"name\":\"bench\",\"provider\":\"bench\",\"baseUrl\":\"http://127.0.0.1:$up_port/v1\",\"models\":[\"bench\"]}]"
body='{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}'

# Prints "requests p50_us p99_us rps non2xx" of a wrk output file.
wrk_summary() {
  awk '
    function us(v) { u = v; gsub(/[0-9.]/, "", u); gsub(/[a-z]/, "", v); return u == "us" ? v : u == "ms" ? v * 1000 : v * 1000000 }
    $1 == "50%" { p50 = us($2) } $1 == "99%" { p99 = us($2) }
    / requests in / { n = $1 } /^Requests\/sec:/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%d %d %d %d %d\n", n, p50, p99, rps, bad }' "$1"
}

# $1 name, $2 durability, $3 port, then the store's variables; sets gh_pid once /readyz answers 200.
start_gatehouse() {
  local name="$1" mode="$2" port="$3"
  shift 3
  (cd "$work" && exec env -u GATEHOUSE_BENCH_JAVA_OPTS "$@" GATEHOUSE_DATA_DIR="$work/$name" \
    GATEHOUSE_SERVER_PORT="$port" GATEHOUSE_ROLES=auth,gateway NEWAPI_ADMIN_SECRET="$ADMIN_SECRET" \
    GATEHOUSE_GATEWAY_CHANNELS="$channels" GATEHOUSE_GATEWAY_USAGE_DURABILITY="$mode" \
    GATEHOUSE_JAVA_OPTS="$GH_OPTS" "$root/gatehouse" serve) >>"$work/$name.log" 2>&1 &
  gh_pid=$!
  pids+=("$gh_pid")
  wait_http "http://127.0.0.1:$port/readyz" "$gh_pid" "gatehouse ($name)"
}

results=()
for store in $STORES; do
  for mode in batched strict; do
    name="$store-$mode"
    gh_port="$(free_port)"
    store_env=()
    if [ "$store" = postgres ]; then
      schema="gh_bench_usage_${mode}_$$"
      schemas+=("$schema")
      store_env=(GATEHOUSE_STORE_URL="jdbc:postgresql://$PG_HOST:$PG_PORT/$PG_DB" GATEHOUSE_STORE_USERNAME="$PG_USER"
        GATEHOUSE_STORE_SCHEMA="$schema")
    fi
    start_gatehouse "$name" "$mode" "$gh_port" "${store_env[@]}"
    token="$(curl -sf -X POST "http://127.0.0.1:$gh_port/admin/tokens/sandbox" -H "Authorization: Bearer $ADMIN_SECRET" \
      -H 'Content-Type: application/json' \
      -d '{"org_id":"bench","user_id":"bench@bench.test","sandbox_id":"sb-bench","allowed_channels":["bench"]}' \
      | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
    { echo 'wrk.method = "POST"'; printf 'wrk.body = %s\n' "'$body'"
      echo 'wrk.headers["Content-Type"] = "application/json"'
      printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token"; } >"$work/$name.lua"
    url="http://127.0.0.1:$gh_port/v1/chat/completions"

    log "$name: warm-up ${WARMUP}s, then ${DURATION}s measured (c=$CONCURRENCY)"
    wrk -t2 -c"$CONCURRENCY" -d"${WARMUP}s" --latency -s "$work/$name.lua" "$url" >"$work/$name-warmup.txt" 2>&1
    wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" --latency -s "$work/$name.lua" "$url" >"$work/$name-cost.txt" 2>&1
    log "$name: load again, kill -9 after ${CRASH_AFTER}s"
    wrk -t2 -c"$CONCURRENCY" -d"$((CRASH_AFTER + 2))s" --latency -s "$work/$name.lua" "$url" >"$work/$name-crash.txt" 2>&1 &
    wrk_pid=$!
    sleep "$CRASH_AFTER"
    kill -KILL "$gh_pid" # the launcher execs java: this is the JVM
    wait "$wrk_pid" || true
    wait "$gh_pid" 2>/dev/null || true

    delivered=0
    for phase in warmup cost crash; do
      read -r n _ _ _ bad <<<"$(wrk_summary "$work/$name-$phase.txt")"
      [ "$bad" = 0 ] || { echo "$name $phase: $bad non-2xx responses" >&2; KEEP_WORK=1; exit 1; }
      delivered=$((delivered + n))
    done
    log "$name: restart, replay what was spooled"
    start_gatehouse "$name" "$mode" "$gh_port" "${store_env[@]}"
    for _ in $(seq 1 600); do
      [ -z "$(ls -A "$work/$name/usage-spool" 2>/dev/null)" ] && break
      sleep 0.1
    done
    kill -TERM "$gh_pid"
    wait "$gh_pid" 2>/dev/null || true
    if [ "$store" = postgres ]; then
      recorded="$(psql -tA -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DB" -c "SELECT COUNT(*) FROM $schema.usage_records")"
    else
      recorded="$(sqlite3 "$work/$name/gatehouse.db" 'SELECT COUNT(*) FROM usage_records')"
    fi
    read -r _ p50 p99 rps _ <<<"$(wrk_summary "$work/$name-cost.txt")"
    unrecorded=$((delivered > recorded ? delivered - recorded : 0))
    results+=("$name $rps $p50 $p99 $delivered $recorded $unrecorded")
  done
done

echo
echo "=== $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), c=$CONCURRENCY, ${DURATION}s measured, kill -9 after ${CRASH_AFTER}s ==="
printf '%-18s %10s %8s %8s %8s %10s %10s %11s\n' run req/s "p50 us" "p99 us" "of batch" delivered recorded unrecorded
for row in "${results[@]}"; do
  read -r name rps p50 p99 delivered recorded unrecorded <<<"$row"
  base="$(printf '%s\n' "${results[@]}" | awk -v s="${name%-*}-batched" '$1 == s {print $2}')"
  printf '%-18s %10s %8s %8s %8s %10s %10s %11s\n' "$name" "$rps" "$p50" "$p99" \
    "$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}')" "$delivered" "$recorded" "$unrecorded"
done
