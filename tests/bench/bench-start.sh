#!/usr/bin/env bash
# Opening the desktop app's main window on the catalog kept from an earlier run (MainWindow over
# AppCore, started as `toolhub` starts it: the kept catalog at once, then the sign-in from the
# keychain) against a bare QApplication showing an empty QWidget of the same size, in the same
# run. Each process quits once its window has painted (toolhub's product list with the kept
# catalog); measured are the process's wall time (exec to exit), the milliseconds main() saw
# until the paint, and VmRSS at that moment. Best time of $rounds each after one warm-up (a warm
# file cache: a new process, not a new boot), highest RSS. On the offscreen platform, and on the
# xcb platform under Xvfb when Xvfb is installed.
# Targets: the window shown with the kept catalog within 400 ms; RSS after start under 80 MB.
set -euo pipefail
build_dir=${1:?usage: bench-start.sh BUILD_DIR}
server="$build_dir/server/toolhub-server"
bench="$build_dir/tests/bench/toolhub-bench-start"
rounds=${BENCH_ROUNDS:-5}
target_ms=400
target_mb=80

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"

# Nothing of the caller's session: a HOME of its own, and a session bus address that leads
# nowhere, so the keychain says at once that there is none (no D-Bus autolaunch) and the window
# starts signed out on the kept catalog, as on a machine whose keychain is locked.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_CACHE_HOME="$work/home/.cache" \
  XDG_DATA_HOME="$work/home/.local/share" XDG_RUNTIME_DIR="$work/run" \
  DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-bus"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# The catalog as a signed-in run keeps it, read from the demo server once; then the server
# stops: start-up must not need it.
port=$(free_port)
base="http://127.0.0.1:$port"
env TOOLHUB_DATA_DIR="$work/server" TOOLHUB_LOG_LEVEL=warn TOOLHUB_DEMO_DATA=true \
  TOOLHUB_LISTEN_PORT="$port" "$server" serve >"$work/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
wait_for "$base/livez" || { cat "$work/server.log" >&2; exit 1; }
token=$(sign_in "$base" alice.archer@acme.example acme-demo-1)
products=$(TOOLHUB_BENCH_TOKEN=$token "$bench" prepare "$work/app" "$base" 2>"$work/prepare.log") ||
  { cat "$work/prepare.log" >&2; exit 1; }
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true

# Runs the bench executable with "$@"; prints "WALL_MS MAIN_MS RSS_KB PRODUCTS". What it says on
# stderr goes to a log, shown when it fails.
run_once() {
  local start end out
  start=${EPOCHREALTIME/./}
  out=$("$bench" "$@" 2>"$work/bench.log") || { cat "$work/bench.log" >&2; return 1; }
  end=${EPOCHREALTIME/./}
  echo "$(((end - start) / 1000)) $out"
}

status=0
# measure PLATFORM: both sides on one Qt platform plugin, and the verdict.
measure() {
  local platform=$1 ref=() win=()
  QT_QPA_PLATFORM=$platform run_once reference >/dev/null
  QT_QPA_PLATFORM=$platform run_once window "$work/app" >/dev/null
  for _ in $(seq "$rounds"); do
    ref+=("$(QT_QPA_PLATFORM=$platform run_once reference)")
    win+=("$(QT_QPA_PLATFORM=$platform run_once window "$work/app")")
  done
  local shown
  for shown in "${win[@]}"; do
    [ "$(cut -d' ' -f4 <<<"$shown")" = "$products" ] ||
      { echo "the window showed $(cut -d' ' -f4 <<<"$shown") products, not $products" >&2; exit 1; }
  done
  # Best wall time and best main() time of each side, highest RSS.
  summary() { printf '%s\n' "$@" | awk '
    NR == 1 || $1 < wall { wall = $1 }
    NR == 1 || $2 < main { main = $2 }
    $3 > rss { rss = $3 }
    END { printf "%d %d %.1f\n", wall, main, rss / 1024 }'; }
  local r w
  read -r -a r <<<"$(summary "${ref[@]}")"
  read -r -a w <<<"$(summary "${win[@]}")"
  echo "-- $platform: start to a painted window, best of $rounds (kept catalog of $products products):"
  printf '  %-36s %6s ms process, %6s ms in main(), %6s MB RSS\n' \
    "QApplication + empty QWidget:" "${r[0]}" "${r[1]}" "${r[2]}" \
    "toolhub MainWindow, kept catalog:" "${w[0]}" "${w[1]}" "${w[2]}"
  awk -v t="${w[0]}" -v b="${r[0]}" \
    'BEGIN { printf "ratio toolhub/reference (process time, lower is better): %.2f\n", t / b }'
  awk -v t="${w[2]}" -v b="${r[2]}" \
    'BEGIN { printf "ratio toolhub/reference (RSS, lower is better): %.2f\n", t / b }'
  local verdict
  verdict=$(awk -v v="${w[0]}" -v t="$target_ms" 'BEGIN { print (v < t) ? "met" : "MISSED" }')
  echo "target: window shown within $target_ms ms: ${w[0]} ms, $verdict"
  [ "$verdict" = met ] || status=1
  verdict=$(awk -v v="${w[2]}" -v t="$target_mb" 'BEGIN { print (v < t) ? "met" : "MISSED" }')
  echo "target: RSS after start under $target_mb MB: ${w[2]} MB, $verdict"
  [ "$verdict" = met ] || status=1
}

measure offscreen

if command -v Xvfb >/dev/null; then
  # Xvfb picks a free display and writes its number to fd 3 once it takes connections.
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
  [ -s "$work/display" ] || { echo "Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }
  DISPLAY=":$(head -n1 "$work/display")" measure xcb
else
  echo "-- xcb: not measured (no Xvfb)"
fi
exit $status
