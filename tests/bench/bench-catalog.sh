#!/usr/bin/env bash
# The customer API under load: GET /api/v1/products with a valid access token on the real
# toolhub-server (demo data, SQLite, 1 thread) against nginx serving the same JSON as a static
# file (1 worker), wrk with 64 connections on loopback, in the same run. Also the server's idle
# RSS after start-up. Targets: >= 0.5x nginx's requests/s, p99 under 10 ms, idle RSS
# under 12 MB.
set -euo pipefail
build_dir=${1:?usage: bench-catalog.sh BUILD_DIR}
server="$build_dir/server/toolhub-server"
duration=${BENCH_SECONDS:-5}
here=$(dirname "$(realpath "$0")")
# shellcheck source=tests/bench/lib.sh
source "$here/lib.sh"

base_port=$(free_port)
base="http://127.0.0.1:$base_port"
TOOLHUB_DATA_DIR="$work/data" TOOLHUB_LISTEN_PORT=$base_port TOOLHUB_LOG_LEVEL=warn \
  TOOLHUB_THREADS=1 TOOLHUB_DEMO_DATA=true "$server" serve >"$work/server.log" &
server_pid=$!
pids+=("$server_pid")
wait_for "$base/livez"
idle_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")

# Sign in as the desktop app does: browser form, authorization code with PKCE, token.
token=$(sign_in "$base" alice.archer@acme.example acme-demo-1)

curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/products" >"$work/products.json"
start_nginx '' \
  "location = /api/v1/products { default_type application/json; alias $work/products.json; }"
wait_for "http://127.0.0.1:$nginx_port/api/v1/products"
cmp -s "$work/products.json" <(curl -fsS "http://127.0.0.1:$nginx_port/api/v1/products")

measure() { # url -> "requests/s p99-ms"; fails when any answer was not a 2xx or had errors
  wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$1" >"$work/wrk.out"
  if grep -Eq 'Non-2xx|Socket errors' "$work/wrk.out"; then
    echo "$1 did not answer every request with success:" >&2
    cat "$work/wrk.out" >&2
    return 1
  fi
  awk '/Requests\/sec/ {rps=$2} $1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v} END {print rps, p99}' "$work/wrk.out"
}
measure "http://127.0.0.1:$nginx_port/api/v1/products" >/dev/null # warm-up
measure "http://127.0.0.1:$nginx_port/api/v1/products" >"$work/nginx.result"
measure "$base/api/v1/products" >"$work/server.result"
read -r nginx_rps nginx_p99 <"$work/nginx.result"
read -r server_rps server_p99 <"$work/server.result"
echo "GET /api/v1/products, 64 connections, ${duration}s:"
echo "  nginx (static file, 1 worker):   $nginx_rps requests/s, p99 $nginx_p99 ms"
echo "  toolhub-server (1 thread):       $server_rps requests/s, p99 $server_p99 ms"
awk -v m="$server_rps" -v r="$nginx_rps" 'BEGIN { printf "ratio toolhub/nginx: %.2f\n", m / r }'
echo "idle RSS after start-up: $((idle_rss / 1024)) MB ($idle_rss kB)"
