#!/usr/bin/env bash
# From a click's hand-over to the question in the app: toolhub-open started with a toolhub://
# install link, the link handed to the running app over the per-user socket, until the app's
# confirmation dialog (product, tool, version, size, publisher) is shown. The app is the window
# as toolhub runs it (toolhub-bench-link), signed in against the demo server; each dialog is
# canceled so the next link asks again. Median of $rounds; the reference in the same run is
# toolhub-open --dry-run of the same link (start a process, parse, print).
# Target: under 300 ms from the handler's start to the confirmation shown.
set -euo pipefail
build_dir=${1:?usage: bench-link.sh BUILD_DIR}
server="$build_dir/server/toolhub-server"
app="$build_dir/tests/bench/toolhub-bench-link"
open="$build_dir/protocol-handler/toolhub-open"
rounds=${BENCH_ROUNDS:-20}
target_ms=300

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"

# A runtime folder of its own (the per-user socket lives there) and no session bus: the app
# keeps its sign-in in memory only.
export XDG_RUNTIME_DIR="$work/run" HOME="$work/home" QT_QPA_PLATFORM=offscreen \
  DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-bus"
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"

port=$(free_port)
base="http://127.0.0.1:$port"
env TOOLHUB_DATA_DIR="$work/server" TOOLHUB_LOG_LEVEL=warn TOOLHUB_DEMO_DATA=true \
  TOOLHUB_LISTEN_PORT="$port" "$server" serve >"$work/server.log" 2>&1 &
pids+=($!)
wait_for "$base/livez" || { cat "$work/server.log" >&2; exit 1; }

mkdir -p "$work/app"
"$app" "$work/app" "$base" "$rounds" >"$work/app.out" 2>"$work/app.log" &
pids+=($!)

# Waits up to 60 s for line number $2 of the app's output to start with $1; prints that line.
await() {
  local prefix=$1 nth=$2 line
  for _ in $(seq 6000); do
    line=$(grep "^$prefix" "$work/app.out" | sed -n "${nth}p" || true)
    [ -n "$line" ] && { echo "$line"; return 0; }
    sleep 0.01
  done
  echo "the app did not say '$prefix' (#$nth)" >&2
  cat "$work/app.log" >&2
  return 1
}

authorize=$(await authorize 1 | cut -d' ' -f2)
browse_sign_in "$base" "$authorize" alice.archer@acme.example acme-demo-1
await ready 1 >/dev/null

versions=(1.0.0 1.0.1 2.0.0)
link_ms=()
ref_ms=()
for i in $(seq "$rounds"); do
  link="toolhub://install/fluxcad/flux-cli?version=${versions[$((i % 3))]}"
  start=${EPOCHREALTIME/./}
  "$open" --dry-run "$link" >/dev/null
  end=${EPOCHREALTIME/./}
  ref_ms+=("$(((end - start) / 1000))")

  start=${EPOCHREALTIME/./}
  "$open" "$link"
  shown=$(await shown "$i" | cut -d' ' -f2)
  link_ms+=("$(((shown - start) / 1000))")
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m=$(median "${link_ms[@]}")
r=$(median "${ref_ms[@]}")
echo "toolhub:// link to the confirmation in the running app, median of $rounds:"
printf '  %-46s %6s ms\n' "toolhub-open --dry-run (start, parse, print):" "$r" \
  "toolhub-open -> app -> confirmation shown:" "$m"
awk -v t="$m" -v b="$r" 'BEGIN { printf "ratio link/reference (lower is better): %.2f\n", t / b }'
verdict=$(awk -v v="$m" -v t="$target_ms" 'BEGIN { print (v < t) ? "met" : "MISSED" }')
echo "target: confirmation shown within $target_ms ms of the handler's start: $m ms, $verdict"
[ "$verdict" = met ]
