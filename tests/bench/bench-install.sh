#!/usr/bin/env bash
# Installing a 200 MB tool archive (tar.gz) from the local server with the desktop app's
# InstallTask (manifest check, download with hashing, extraction into staging while the bytes
# arrive, rename into place, registry) against the serial baseline
#   curl -o f URL && sha256sum f && bsdtar -xf f -C dir
# on the same artifact route and token, in the same run; best of $rounds each, fresh folders.
# Target: toolhub's time at most 0.75x the baseline's.
set -euo pipefail
build_dir=${1:?usage: bench-install.sh BUILD_DIR}
server="$build_dir/server/toolhub-server"
seed="$build_dir/tests/bench/toolhub-bench-seed"
install="$build_dir/tests/bench/toolhub-bench-install"
size_mb=${BENCH_FILE_MB:-200}
rounds=${BENCH_ROUNDS:-3}

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"

toolhub_env=(TOOLHUB_DATA_DIR="$work/data" TOOLHUB_ARTIFACT_DIR="$work/artifacts"
  TOOLHUB_LOG_LEVEL=warn TOOLHUB_DEMO_DATA=true TOOLHUB_OAUTH_ACCESS_TOKEN_LIFETIME=1h)

# A tool archive: 20 files of incompressible bytes in a few folders, gzip'ed.
storage_key="artifacts/bench/bench-tool-1.0.0-linux-x86_64.tar.gz"
archive="$work/artifacts/$storage_key"
mkdir -p "$work/tree/bench-tool/bin" "$work/tree/bench-tool/lib" "$(dirname "$archive")"
per_file=$((size_mb / 20))
for i in $(seq 20); do
  folder=$([ $((i % 2)) -eq 0 ] && echo bin || echo lib)
  head -c "$((per_file * 1024 * 1024))" /dev/urandom >"$work/tree/bench-tool/$folder/part-$i"
done
tar -C "$work/tree" -cf - bench-tool | gzip -1 >"$archive"
rm -rf "$work/tree"
cat "$archive" >/dev/null # into the page cache

port=$(free_port)
base="http://127.0.0.1:$port"
env "${toolhub_env[@]}" TOOLHUB_LISTEN_PORT="$port" "$server" serve >"$work/server.log" &
pids+=($!)
wait_for "$base/livez" || { cat "$work/server.log" >&2; exit 1; }
read -r artifact_id _ _ <<<"$(env "${toolhub_env[@]}" "$seed" artifact "$storage_key")"
token=$(sign_in "$base" alice.archer@acme.example acme-demo-1)
server_key=$(env "${toolhub_env[@]}" "$server" keys show | awk '/^public_key:/ {print $2}')
url="$base/api/v1/artifacts/$artifact_id/download"

now() { date +%s.%N; }
best() { sort -g | head -n1; }

baseline_times=()
for round in $(seq "$rounds"); do
  dir="$work/baseline-$round"
  mkdir -p "$dir/out"
  start=$(now)
  curl -fsS -H "Authorization: Bearer $token" -o "$dir/f" "$url" && sha256sum "$dir/f" >/dev/null &&
    bsdtar -xf "$dir/f" -C "$dir/out"
  end=$(now)
  baseline_times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", (e - s) * 1000 }')")
  rm -rf "$dir"
done

toolhub_times=()
for round in $(seq "$rounds"); do
  dir="$work/toolhub-$round"
  mkdir -p "$dir"
  ms=$(QT_LOGGING_RULES="toolhub.*.info=false" TOOLHUB_BENCH_TOKEN=$token \
    TOOLHUB_BENCH_SERVER_KEY=$server_key \
    "$install" "$base" bench-artifacts bench-download 1.0.0 "$dir")
  [ -d "$dir/tools/bench-artifacts/bench-download/1.0.0/bench-tool/bin" ] ||
    { echo "toolhub did not install the tool" >&2; exit 1; }
  toolhub_times+=("$ms")
  rm -rf "$dir"
done

baseline=$(printf '%s\n' "${baseline_times[@]}" | best)
toolhub=$(printf '%s\n' "${toolhub_times[@]}" | best)
echo "install a ${size_mb} MB tar.gz from the local server, best of $rounds:"
echo "  curl -o f && sha256sum f && bsdtar -xf f:  $baseline ms"
echo "  toolhub InstallTask:                        $toolhub ms"
awk -v t="$toolhub" -v b="$baseline" 'BEGIN { printf "ratio toolhub/baseline (time, lower is better): %.2f\n", t / b }'
