# Shared helpers of the benchmark scripts. Source it after setting `work` (a temporary directory)
# and `pids=()`; `kill_started` stops every pid in `pids`, `drop_work` removes `work` unless KEEP_WORK=1.
# shellcheck shell=bash

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

wait_http() { # $1 url, $2 pid, $3 what
  local i
  for i in $(seq 1 600); do
    curl -s -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited; see $work" >&2; KEEP_WORK=1; exit 1; }
    sleep 0.1
  done
  echo "$3 not ready after 60 s" >&2; KEEP_WORK=1; exit 1
}

kill_started() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

drop_work() {
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
