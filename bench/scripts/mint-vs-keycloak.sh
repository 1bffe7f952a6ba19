#!/usr/bin/env bash
# Token minting over HTTP against Keycloak's client-credentials token endpoint, in one session: one
# Keycloak (measured first and again last, to show the drift), then, per store (SQLite, PostgreSQL)
# and per Gatehouse build (e.g. before and after a change, back to back), POST /auth/pat and
# POST /admin/tokens/sandbox. Same load driver, concurrency and durations for every row.
#
# Usage: bench/scripts/mint-vs-keycloak.sh [--concurrency C] [--warmup S] [--duration S] [--users N]
#          [--stores sqlite,postgres] [--build LABEL=DIR]... [--wait-quiet S] [--no-keycloak]
#   --build  a Gatehouse checkout whose server/target/gatehouse.jar is built (scripts/mvn -B -q -pl server
#            -am package -DskipTests); repeatable, measured in the order given; default: this checkout as "this"
#   --users  PAT users (one session each; worker i takes turns with users i, i+C, ...): 64 by default, so
#            that a run stays under each user's pat.maxActivePerUser (raised to its maximum, 10,000)
#   --no-keycloak  Gatehouse rows only (e.g. to profile one with GATEHOUSE_JAVA_OPTS); no ratios
# Needs: bench/target/benchmarks.jar (scripts/mvn -B -q -pl bench -am package -DskipTests) and the Keycloak
# distribution unpacked by `scripts/mvn -B -q -o -pl server process-test-resources`; for PostgreSQL, psql and
# the server at BENCH_PG_URL (default jdbc:postgresql://127.0.0.1:5432/test, user BENCH_PG_USER, default
# postgres): each Gatehouse run gets a fresh schema, dropped afterwards.
# Environment: GATEHOUSE_JAVA_OPTS (default: the same heap as Keycloak, JDK defaults otherwise), KC_HEAP.
# Prints one row per run, JSON lines, and a summary with the ratios. Exit 3 if a run had errors.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
concurrency=16 warmup=10 duration=20 users=64 stores="sqlite,postgres" wait_quiet=0 builds=() keycloak=1
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrency) concurrency="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --stores) stores="$2"; shift 2 ;;
    --build) builds+=("$2"); shift 2 ;;
    --wait-quiet) wait_quiet="$2"; shift 2 ;;
    --no-keycloak) keycloak=0; shift ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ ${#builds[@]} -gt 0 ] || builds=("this=$root")

# shellcheck source=../../scripts/find-jdk.sh
. "$root/scripts/find-jdk.sh"
gatehouse_find_jdk
java="$GATEHOUSE_JAVA_HOME/bin/java"
bench_jar="$root/bench/target/benchmarks.jar"
kc_dist="$(ls -d "$root"/server/target/keycloak/keycloak-* 2>/dev/null | sort | tail -1 || true)"
[ -f "$bench_jar" ] || { echo "missing $bench_jar: run scripts/mvn -B -q -pl bench -am package -DskipTests" >&2; exit 1; }
[ -n "$kc_dist" ] && [ -f "$kc_dist/bin/kc.sh" ] || {
  echo "no Keycloak distribution under server/target/keycloak: run scripts/mvn -B -q -o -pl server process-test-resources" >&2
  exit 1; }
for i in "${!builds[@]}"; do
  build="${builds[$i]}"
  [ -f "${build#*=}/server/target/gatehouse.jar" ] || { echo "no server/target/gatehouse.jar under ${build#*=}" >&2; exit 1; }
  builds[$i]="${build%%=*}=$(cd "${build#*=}" && pwd)"   # each Gatehouse starts in its own directory
done
heap="${KC_HEAP:--Xms256m -Xmx1g}"
gh_opts="${GATEHOUSE_JAVA_OPTS:-$heap}"
pg_url="${BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}" pg_user="${BENCH_PG_USER:-postgres}"
pg_hostport="${pg_url#jdbc:postgresql://}"; pg_db="${pg_hostport#*/}"; pg_hostport="${pg_hostport%%/*}"
psql_bench() { psql -h "${pg_hostport%%:*}" -p "${pg_hostport##*:}" -U "$pg_user" -d "$pg_db" -v ON_ERROR_STOP=1 -qtA "$@"; }

work="$(mktemp -d -t mint-vs-keycloak.XXXXXX)"
kc_pid="" gh_pid="" gh_schema=""
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
drop_schema() { [ -z "$gh_schema" ] || psql_bench -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $gh_schema CASCADE" || true; gh_schema=""; }
cleanup() {
  stop "$gh_pid"; stop "$kc_pid"; drop_schema
  if [ -n "${KEEP_WORK:-}" ]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
die() { echo "mint-vs-keycloak: $1" >&2; [ -n "${2:-}" ] && [ -f "$2" ] && { echo "--- last lines of $2:" >&2; tail -40 "$2" >&2; }; exit 1; }
wait_ready() { # $1 = name, $2 = pid, $3 = url, $4 = log, $5 = timeout s
  local deadline=$(( $(date +%s) + $5 ))
  until curl -sf -o /dev/null "$3"; do
    kill -0 "$2" 2>/dev/null || die "$1 exited before it was ready" "$4"
    [ "$(date +%s)" -lt "$deadline" ] || die "$1 not ready within $5 s" "$4"
    sleep 0.25
  done
}
busy_percent() { # over 3 s, of the whole machine
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
flagged=0
load() { # $1 = row name, $2 = server pid to watch, rest: driver options
  local name="$1" pid="$2"; shift 2
  await_quiet
  "$java" -Xms128m -Xmx512m -cp "$bench_jar" dev.gatehouse.bench.load.TokenEndpointLoad --name "$name" \
    --concurrency "$concurrency" --warmup "${warmup}s" --duration "${duration}s" --json-out "$work/$name.json" --watch-pid "$pid" "$@" \
    > "$work/$name.out" || { status=$?; [ $status -eq 3 ] || { cat "$work/$name.out"; die "load driver failed ($status)"; }; flagged=1; }
  cat "$work/$name.out"
  echo "$name" >> "$work/rows"
}

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -n), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
echo "# load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# C=$concurrency, warm-up ${warmup}s, measured ${duration}s, $users PAT users; builds: ${builds[*]}; stores: $stores"

if [ "$keycloak" = 1 ]; then
# --- Keycloak: its own copy of the distribution (own data dir), dev-mem database, one confidential client.
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
kc_java="$(pgrep -P "$kc_pid" java || echo "$kc_pid")"
keycloak_load() { # $1 = row name
  load "$1" "$kc_java" --url "$kc/realms/bench/protocol/openid-connect/token" \
    --content-type application/x-www-form-urlencoded --body-file "$work/kc-body" --expect '"access_token"'
}
keycloak_load keycloak-first
fi

# --- Gatehouse: per store, per build: a fresh store, generated ES256 key, PAT then sandbox-token load.
admin_secret="$(head -c 32 /dev/urandom | base64 | tr -d '/+=')"
printf '{"name": "bench", "ttl": "1d", "audience": "gateway"}' > "$work/pat-body"
printf '{"org_id": "bench", "user_id": "bench@bench.test", "sandbox_id": "sb-bench", "allowed_channels": ["bench"]}' > "$work/sandbox-body"
printf 'Authorization: Bearer %s\n' "$admin_secret" > "$work/admin-header"
IFS=',' read -ra store_list <<< "$stores"
for store in "${store_list[@]}"; do
  for build in "${builds[@]}"; do
    label="${build%%=*}" dir="${build#*=}"
    run="$work/gh-$store-$label"; mkdir -p "$run"
    env_store=()
    if [ "$store" = postgres ]; then
      gh_schema="gh_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      env_store=(GATEHOUSE_STORE_URL="$pg_url" GATEHOUSE_STORE_USERNAME="$pg_user" GATEHOUSE_STORE_SCHEMA="$gh_schema")
    fi
    gh_port="$(free_port)"
    gh_env=(env "${env_store[@]}" GATEHOUSE_DATA_DIR="$run/data" GATEHOUSE_SERVER_PORT="$gh_port"
        GATEHOUSE_PAT_MAX_ACTIVE_PER_USER=10000 GATEHOUSE_ADMIN_SECRET="$admin_secret")
    ( cd "$run" && exec "${gh_env[@]}" GATEHOUSE_JAVA_OPTS="$gh_opts" "$dir/gatehouse" serve ) > "$run/gatehouse.log" 2>&1 &
    gh_pid=$!
    wait_ready "Gatehouse ($label, $store)" "$gh_pid" "http://127.0.0.1:$gh_port/readyz" "$run/gatehouse.log" 120
    : > "$run/bearers"
    issuing=()
    for i in $(seq 1 "$users"); do   # four CLI JVMs at a time (the launcher's quick-start defaults)
      ( cd "$run" && env -u GATEHOUSE_JAVA_OPTS "${gh_env[@]:1}" "$dir/gatehouse" session issue --user "bench-$i" \
          --org bench --ttl 2h 2>/dev/null | tail -1 ) >> "$run/bearers" &
      issuing+=($!)
      [ ${#issuing[@]} -lt 4 ] || { wait "${issuing[@]}"; issuing=(); }
    done
    [ ${#issuing[@]} -eq 0 ] || wait "${issuing[@]}"
    [ "$(grep -c . "$run/bearers")" -eq "$users" ] || die "gatehouse session issue failed ($label, $store)"
    curl -sSf -o /dev/null "http://127.0.0.1:$gh_port/auth/pat" -H "Authorization: Bearer $(head -1 "$run/bearers")" \
        -H 'Content-Type: application/json' --data-binary "@$work/pat-body" || die "PAT smoke test failed" "$run/gatehouse.log"
    curl -sSf -o /dev/null "http://127.0.0.1:$gh_port/admin/tokens/sandbox" -H "@$work/admin-header" \
        -H 'Content-Type: application/json' --data-binary "@$work/sandbox-body" || die "sandbox smoke test failed" "$run/gatehouse.log"
    echo "# Gatehouse $label on $store ready (pid $gh_pid, JVM options: $gh_opts); $users sessions issued"
    load "pat-$store-$label" "$gh_pid" --url "http://127.0.0.1:$gh_port/auth/pat" --bearer-file "$run/bearers" \
      --content-type application/json --body-file "$work/pat-body" --expect '"token"'
    load "sandbox-$store-$label" "$gh_pid" --url "http://127.0.0.1:$gh_port/admin/tokens/sandbox" \
      --header-file "$work/admin-header" --content-type application/json --body-file "$work/sandbox-body" --expect '"token"'
    stop "$gh_pid"; gh_pid=""
    drop_schema
  done
done
[ "$keycloak" = 0 ] || keycloak_load keycloak-last
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work" <<'PY'
import json, sys, os
work = sys.argv[1]
rows = [l.strip() for l in open(os.path.join(work, "rows")) if l.strip()]
res = {r: json.load(open(os.path.join(work, r + ".json"))) for r in rows}
kc = [res[r]["tokens_per_second"] for r in ("keycloak-first", "keycloak-last") if r in res]
kc_mean = sum(kc) / len(kc) if kc else float("nan")
if kc:
    print(f"Keycloak client credentials: first {kc[0]:.0f}/s, last {kc[-1]:.0f}/s (drift {abs(kc[0]-kc[-1])/kc_mean*100:.0f}%)")
print(f"{'run':<28} {'tokens/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7} {'CPU/token ms':>12} {'other cores':>11} {'x Keycloak':>10}")
for r in rows:
    x = res[r]; c = x.get("cpu_cores") or {}
    per = c.get("server") and x["ok"] and c["server"] * x["measured_seconds"] / x["ok"] * 1000
    errors = sum((x.get("errors") or {}).values()) if isinstance(x.get("errors"), dict) else x.get("errors", 0)
    print(f"{r:<28} {x['tokens_per_second']:>9.0f} {x['latency_ms']['p50']:>7.2f} {x['latency_ms']['p99']:>7.2f} "
          f"{errors:>7} {(per or 0):>12.3f} {c.get('other', 0):>11.2f} "
          + (f"{x['tokens_per_second']/kc_mean:>9.2f}x" if kc else f"{'-':>10}"))
print(json.dumps({"keycloak_mean": kc_mean, "runs": res}))
PY
[ "$flagged" -eq 0 ] || { echo "mint-vs-keycloak: FLAGGED: a run had errors (see errors column)" >&2; exit 3; }
