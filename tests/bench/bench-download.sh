#!/usr/bin/env bash
# Artifact download throughput: a 200 MB file from nginx (sendfile on, 1 worker) against the
# server's real HTTP stack (serveFile + sendfile, 1 thread) via toolhub-file-bench-server, both on
# loopback, measured by curl in the same run: one download, then four in parallel. Also the
# server's RSS growth while serving (VmRSS from /proc, sampled during the downloads).
# Issue 3's targets: >= 0.9x nginx, RSS growth < 10 MB.
set -euo pipefail
build_dir=${1:?usage: bench-download.sh BUILD_DIR}
server="$build_dir/tests/bench/toolhub-file-bench-server"
size_mb=${BENCH_FILE_MB:-200}
rounds=${BENCH_ROUNDS:-3}

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }

file="$work/artifact.bin"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >"$file"
expected=$(sha256sum "$file" | cut -d' ' -f1)
bytes=$(stat -c %s "$file")
cat "$file" >/dev/null # into the page cache for both servers

start_nginx 'sendfile on; tcp_nopush on;' \
  "location = /file { alias $file; default_type application/octet-stream; }"

"$server" "$file" 0 1 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
pids+=($server_pid)
for _ in $(seq 100); do grep -q '^listening ' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
server_port=$(awk '/^listening / {print $2}' "$work/server.out")
[ -n "$server_port" ] || { echo "bench server did not start" >&2; cat "$work/server.err" >&2; exit 1; }

nginx_url="http://127.0.0.1:$nginx_port/file"
server_url="http://127.0.0.1:$server_port/file"
wait_for "$nginx_url" -r 0-0
wait_for "$server_url" -r 0-0

# Both answer with the same bytes.
for url in "$nginx_url" "$server_url"; do
  got=$(curl -fsS "$url" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$expected" ] || { echo "wrong bytes from $url" >&2; exit 1; }
done

# Bytes per second of `n` parallel downloads of url, best of $rounds.
throughput() {
  local url=$1 n=$2 best=0 start end rate i
  for _ in $(seq "$rounds"); do
    start=$(now)
    local curls=()
    for i in $(seq "$n"); do curl -fsS -o /dev/null "$url" & curls+=($!); done
    for pid in "${curls[@]}"; do wait "$pid"; done
    end=$(now)
    rate=$(awk -v b="$bytes" -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", b * n / (e - s) }')
    best=$(awk -v a="$best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
  done
  echo "$best"
}

# RSS of the bench server while `n` parallel downloads run: before, peak, after (kB).
rss_during() {
  local url=$1 n=$2 before peak after sample i
  before=$(rss_kb "$server_pid")
  peak=$before
  local curls=()
  for i in $(seq "$n"); do curl -fsS --limit-rate 200M -o /dev/null "$url" & curls+=($!); done
  while kill -0 "${curls[0]}" 2>/dev/null || kill -0 "${curls[-1]}" 2>/dev/null; do
    sample=$(rss_kb "$server_pid")
    [ "$sample" -gt "$peak" ] && peak=$sample
    sleep 0.01
  done
  for pid in "${curls[@]}"; do wait "$pid"; done
  after=$(rss_kb "$server_pid")
  echo "$before $peak $after"
}

mb() { awk -v r="$1" 'BEGIN { printf "%.0f", r / 1048576 }'; }
ratio() { awk -v m="$1" -v r="$2" 'BEGIN { printf "%.2f", m / r }'; }

throughput "$nginx_url" 1 >/dev/null # warm-up
nginx1=$(throughput "$nginx_url" 1)
server1=$(throughput "$server_url" 1)
nginx4=$(throughput "$nginx_url" 4)
server4=$(throughput "$server_url" 4)
read -r rss_before1 rss_peak1 rss_after1 < <(rss_during "$server_url" 1)
read -r rss_before4 rss_peak4 rss_after4 < <(rss_during "$server_url" 4)

echo "file: ${size_mb} MB, best of $rounds rounds"
echo "1 download:  nginx (sendfile, 1 worker) $(mb "$nginx1") MB/s, toolhub (1 thread) $(mb "$server1") MB/s"
echo "ratio toolhub/nginx (1 download): $(ratio "$server1" "$nginx1")"
echo "4 parallel:  nginx $(mb "$nginx4") MB/s, toolhub $(mb "$server4") MB/s (total)"
echo "ratio toolhub/nginx (4 parallel): $(ratio "$server4" "$nginx4")"
echo "toolhub RSS, 1 download:  before $((rss_before1 / 1024)) MB, peak $((rss_peak1 / 1024)) MB, after $((rss_after1 / 1024)) MB, growth $(((rss_peak1 - rss_before1) / 1024)) MB ($((rss_peak1 - rss_before1)) kB)"
echo "toolhub RSS, 4 parallel:  before $((rss_before4 / 1024)) MB, peak $((rss_peak4 / 1024)) MB, after $((rss_after4 / 1024)) MB, growth $(((rss_peak4 - rss_before4) / 1024)) MB ($((rss_peak4 - rss_before4)) kB)"
