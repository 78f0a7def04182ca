#!/usr/bin/env bash
# Artifact download throughput through the product's real route: a 200 MB artifact registered in
# the catalog of the real toolhub-server (demo data, SQLite, 1 thread), downloaded by the demo
# user alice (organization acme, entitled by a license) with an access token from the desktop
# sign-in, via GET /api/v1/artifacts/{id}/download (entitlement check, download recorded,
# sendfile), against nginx (sendfile on, 1 worker) serving the same file; both on loopback,
# measured by curl in the same run: one download, then four in parallel, best of $rounds. Also
# the server's RSS growth while serving (VmRSS from /proc, sampled during the downloads).
# Targets: >= 0.9x nginx, RSS growth < 10 MB, for one and for four parallel downloads.
set -euo pipefail
build_dir=${1:?usage: bench-download.sh BUILD_DIR}
server="$build_dir/server/toolhub-server"
seed="$build_dir/tests/bench/toolhub-bench-seed"
size_mb=${BENCH_FILE_MB:-200}
rounds=${BENCH_ROUNDS:-3}

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }

# The server's settings, shared with toolhub-bench-seed so that both open the same database and
# artifact store. The token lifetime only has to outlast a slow run.
toolhub_env=(TOOLHUB_DATA_DIR="$work/data" TOOLHUB_ARTIFACT_DIR="$work/artifacts"
  TOOLHUB_LOG_LEVEL=warn TOOLHUB_THREADS=1 TOOLHUB_DEMO_DATA=true
  TOOLHUB_OAUTH_ACCESS_TOKEN_LIFETIME=1h)

# The artifact, in the artifact store where an administrator's upload would put it.
storage_key="artifacts/bench-artifacts/bench-download/1.0.0/bench-download-1.0.0-linux-x86_64.bin"
file="$work/artifacts/$storage_key"
mkdir -p "$(dirname "$file")"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >"$file"
expected=$(sha256sum "$file" | cut -d' ' -f1)
bytes=$(stat -c %s "$file")
cat "$file" >/dev/null # into the page cache for both servers

# The server loads the demo data on its first start; the benchmark's release is added to the
# running server's database afterwards, as an administrator would (SQLite in WAL mode).
server_port=$(free_port)
base="http://127.0.0.1:$server_port"
env "${toolhub_env[@]}" TOOLHUB_LISTEN_PORT="$server_port" "$server" serve >"$work/server.log" &
server_pid=$!
pids+=("$server_pid")
wait_for "$base/livez" || { cat "$work/server.log" >&2; exit 1; }

seeded=$(env "${toolhub_env[@]}" "$seed" artifact "$storage_key")
read -r artifact_id seeded_sha seeded_size <<<"$seeded"
if [ "$seeded_sha" != "$expected" ] || [ "$seeded_size" != "$bytes" ]; then
  echo "catalog has sha256 $seeded_sha, $seeded_size bytes; the file $expected, $bytes" >&2
  exit 1
fi

token=$(sign_in "$base" alice.archer@acme.example acme-demo-1)
auth=(-H "Authorization: Bearer $token")

start_nginx 'sendfile on; tcp_nopush on;' \
  "location = /file { alias $file; default_type application/octet-stream; }"
nginx_url="http://127.0.0.1:$nginx_port/file"
server_url="$base/api/v1/artifacts/$artifact_id/download"
wait_for "$nginx_url" -r 0-0

# The route checks the token and the entitlement: no token is 401, a signed-in user of an
# organization without a license for the product gets 404.
status=$(curl -sS -o /dev/null -w '%{http_code}' "$server_url")
[ "$status" = 401 ] || { echo "without a token: HTTP $status, expected 401" >&2; exit 1; }
other_token=$(sign_in "$base" dana.diaz@globex.example globex-demo-1)
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $other_token" "$server_url")
[ "$status" = 404 ] || { echo "unlicensed organization: HTTP $status, expected 404" >&2; exit 1; }

# Both answer with the same bytes.
got=$(curl -fsS "$nginx_url" | sha256sum | cut -d' ' -f1)
[ "$got" = "$expected" ] || { echo "wrong bytes from nginx" >&2; exit 1; }
got=$(curl -fsS "${auth[@]}" "$server_url" | sha256sum | cut -d' ' -f1)
[ "$got" = "$expected" ] || { echo "wrong bytes from toolhub-server" >&2; exit 1; }
downloads=1 # full downloads from toolhub-server so far, each one recorded

# Bytes per second of `n` parallel downloads of url, best of $rounds; extra curl arguments
# follow the url.
throughput() {
  local n=$1 url=$2 best=0 start end rate
  shift 2
  for _ in $(seq "$rounds"); do
    start=$(now)
    local curls=()
    for _ in $(seq "$n"); do curl -fsS -o /dev/null "$@" "$url" & curls+=($!); done
    for pid in "${curls[@]}"; do wait "$pid" || return 1; done
    end=$(now)
    rate=$(awk -v b="$bytes" -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", b * n / (e - s) }')
    best=$(awk -v a="$best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
  done
  echo "$best"
}

# RSS of toolhub-server while `n` parallel downloads run: before, peak, after (kB).
rss_during() {
  local n=$1 before peak after sample
  before=$(rss_kb "$server_pid")
  peak=$before
  local curls=()
  for _ in $(seq "$n"); do
    curl -fsS --limit-rate 200M -o /dev/null "${auth[@]}" "$server_url" & curls+=($!)
  done
  while kill -0 "${curls[0]}" 2>/dev/null || kill -0 "${curls[-1]}" 2>/dev/null; do
    sample=$(rss_kb "$server_pid")
    [ "$sample" -gt "$peak" ] && peak=$sample
    sleep 0.01
  done
  for pid in "${curls[@]}"; do wait "$pid" || return 1; done
  after=$(rss_kb "$server_pid")
  echo "$before $peak $after"
}

mb() { awk -v r="$1" 'BEGIN { printf "%.0f", r / 1048576 }'; }
ratio() { awk -v m="$1" -v r="$2" 'BEGIN { printf "%.2f", m / r }'; }

throughput 1 "$nginx_url" >/dev/null # warm-up
nginx1=$(throughput 1 "$nginx_url")
server1=$(throughput 1 "$server_url" "${auth[@]}")
nginx4=$(throughput 4 "$nginx_url")
server4=$(throughput 4 "$server_url" "${auth[@]}")
rss1=$(rss_during 1)
rss4=$(rss_during 4)
read -r rss_before1 rss_peak1 rss_after1 <<<"$rss1"
read -r rss_before4 rss_peak4 rss_after4 <<<"$rss4"
downloads=$((downloads + rounds * (1 + 4) + 1 + 4))

recorded=$(env "${toolhub_env[@]}" "$seed" downloads "$artifact_id")
[ "$recorded" = "$downloads" ] ||
  { echo "toolhub-server recorded $recorded downloads of the artifact, expected $downloads" >&2; exit 1; }

echo "artifact: ${size_mb} MB via GET /api/v1/artifacts/{id}/download as alice (acme), best of $rounds rounds"
echo "checked: same sha256 from both servers; 401 without a token, 404 for an unlicensed organization; $recorded downloads recorded"
echo "1 download:  nginx (sendfile, 1 worker) $(mb "$nginx1") MB/s, toolhub (1 thread) $(mb "$server1") MB/s"
echo "ratio toolhub/nginx (1 download): $(ratio "$server1" "$nginx1")"
echo "4 parallel:  nginx $(mb "$nginx4") MB/s, toolhub $(mb "$server4") MB/s (total)"
echo "ratio toolhub/nginx (4 parallel): $(ratio "$server4" "$nginx4")"
echo "toolhub RSS, 1 download:  before $((rss_before1 / 1024)) MB, peak $((rss_peak1 / 1024)) MB, after $((rss_after1 / 1024)) MB, growth $(((rss_peak1 - rss_before1) / 1024)) MB ($((rss_peak1 - rss_before1)) kB)"
echo "toolhub RSS, 4 parallel:  before $((rss_before4 / 1024)) MB, peak $((rss_peak4 / 1024)) MB, after $((rss_after4 / 1024)) MB, growth $(((rss_peak4 - rss_before4) / 1024)) MB ($((rss_peak4 - rss_before4)) kB)"
