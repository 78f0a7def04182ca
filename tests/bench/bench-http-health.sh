#!/usr/bin/env bash
# Small-response throughput of toolhub-server's HTTP stack (GET /livez) against nginx answering
# the same bytes, both on loopback, measured by wrk in the same run.
set -euo pipefail
build_dir=${1:?usage: bench-http-health.sh BUILD_DIR}
server="$build_dir/server/toolhub-server"
duration=${BENCH_SECONDS:-5}
connections=${BENCH_CONNECTIONS:-32}

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"

rps() { wrk -t2 -c"$connections" -d"${duration}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

start_nginx '' \
  "location = /livez { default_type application/json; return 200 '{\"status\":\"alive\"}'; }"

server_port=$(free_port)
TOOLHUB_DATA_DIR="$work/data" TOOLHUB_LISTEN_PORT=$server_port TOOLHUB_LOG_LEVEL=warn \
  TOOLHUB_THREADS=1 "$server" serve >"$work/server.log" &
pids+=($!)

wait_for "http://127.0.0.1:$nginx_port/livez"
wait_for "http://127.0.0.1:$server_port/livez"
rps "http://127.0.0.1:$nginx_port/livez" >/dev/null # warm-up

reference=$(rps "http://127.0.0.1:$nginx_port/livez")
measured=$(rps "http://127.0.0.1:$server_port/livez")
ratio=$(awk -v m="$measured" -v r="$reference" 'BEGIN { printf "%.2f", m / r }')
echo "nginx (1 worker):          $reference requests/s"
echo "toolhub-server (1 thread): $measured requests/s"
echo "ratio toolhub/nginx: $ratio"
