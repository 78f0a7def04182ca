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

# Percent-encodes $1 for a URL query value.
urlencode() { python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# Signs in to the toolhub-server at base URL $1 with login $2 and password $3 as the desktop app
# does (the browser sign-in form, an authorization code with PKCE, the token endpoint) and prints
# the access token. Usage: token=$(sign_in "$base" LOGIN PASSWORD)
sign_in() {
  local base=$1 login=$2 password=$3 verifier challenge redirect authorize jar form location code
  local csrf next
  verifier=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
  challenge=$(python3 -c 'import base64,hashlib,sys; print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).rstrip(b"=").decode())' "$verifier")
  redirect="http://127.0.0.1:49152/callback"
  authorize="/oauth/authorize?response_type=code&client_id=toolhub-desktop&redirect_uri=$(urlencode "$redirect")&state=bench&code_challenge=$challenge&code_challenge_method=S256"
  jar=$(mktemp -p "$work" cookies.XXXXXX)
  form=$(curl -fsS -c "$jar" -b "$jar" "$base/signin?next=$(urlencode "$authorize")") || return 1
  # The hidden fields of the sign-in form.
  csrf=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' <<<"$form" | head -n1 | sed 's/&amp;/\&/g')
  next=$(sed -n 's/.*name="next" value="\([^"]*\)".*/\1/p' <<<"$form" | head -n1 | sed 's/&amp;/\&/g')
  curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "next=$next" --data-urlencode "login=$login" \
    --data-urlencode "password=$password" "$base/signin" || return 1
  location=$(curl -sS -o /dev/null -c "$jar" -b "$jar" -w '%{redirect_url}' "$base$authorize") || return 1
  code=$(python3 -c 'import urllib.parse,sys; print(urllib.parse.parse_qs(urllib.parse.urlparse(sys.argv[1]).query)["code"][0])' "$location") || {
    echo "sign-in as $login failed: no authorization code in '$location'" >&2
    return 1
  }
  curl -fsS --data-urlencode grant_type=authorization_code --data-urlencode client_id=toolhub-desktop \
    --data-urlencode "code=$code" --data-urlencode "redirect_uri=$redirect" \
    --data-urlencode "code_verifier=$verifier" "$base/oauth/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# Plays the browser of the desktop app's sign-in: opens the authorize URL $2 the app gave (on the
# server at base URL $1), signs in on the form as $3 with password $4 and follows the redirect
# back to the app's loopback listener.
browse_sign_in() {
  local base=$1 authorize=$2 login=$3 password=$4 jar form csrf next location
  jar=$(mktemp -p "$work" cookies.XXXXXX)
  local path=${authorize#"$base"}
  form=$(curl -fsS -c "$jar" -b "$jar" "$base/signin?next=$(urlencode "$path")") || return 1
  csrf=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' <<<"$form" | head -n1 | sed 's/&amp;/\&/g')
  next=$(sed -n 's/.*name="next" value="\([^"]*\)".*/\1/p' <<<"$form" | head -n1 | sed 's/&amp;/\&/g')
  curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "next=$next" --data-urlencode "login=$login" \
    --data-urlencode "password=$password" "$base/signin" || return 1
  location=$(curl -sS -o /dev/null -c "$jar" -b "$jar" -w '%{redirect_url}' "$authorize") || return 1
  [[ $location == http://127.0.0.1:* ]] || { echo "no redirect to the app: '$location'" >&2; return 1; }
  curl -fsS -o /dev/null "$location"
}
