# shellcheck shell=bash
# Shared by the bench-*.sh scripts, sourced after `set -euo pipefail`: a scratch folder $work and
# the background processes whose PIDs are added to $pids, both gone when the script exits.
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A TCP port on 127.0.0.1 that is free now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits up to 10 s for URL to answer with a success status; extra curl arguments follow the URL.
wait_for() {
  local url=$1
  shift
  for _ in $(seq 100); do curl -fsS -o /dev/null "$@" "$url" 2>/dev/null && return 0; sleep 0.1; done
  echo "no answer from $url" >&2
  return 1
}

# Starts nginx (1 worker, no access log) on a free port of 127.0.0.1 as the reference server;
# sets $nginx_port. $1: directives for the http block (may be empty), $2: for the server block.
start_nginx() {
  nginx_port=$(free_port)
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  $1
  server {
    listen 127.0.0.1:$nginx_port;
    $2
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  pids+=($!)
}
