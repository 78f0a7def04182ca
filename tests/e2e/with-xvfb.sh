#!/bin/sh
# with-xvfb.sh COMMAND [ARGS...]
#
# Runs COMMAND with DISPLAY set to a private Xvfb server, which is stopped by its PID afterwards.
# The exit status is COMMAND's.
set -eu
if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/toolhub-xvfb.XXXXXX")
xvfb=
stop() {
    if [ -n "$xvfb" ]; then
        kill "$xvfb" 2>/dev/null || true
        wait "$xvfb" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Xvfb writes the display number it took to the given descriptor once it accepts clients.
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$dir/display" >"$dir/log" 2>&1 &
xvfb=$!
tries=0
while [ ! -s "$dir/display" ]; do
    if ! kill -0 "$xvfb" 2>/dev/null || [ "$tries" -ge 300 ]; then
        echo "with-xvfb: Xvfb did not start" >&2
        cat "$dir/log" >&2
        exit 1
    fi
    tries=$((tries + 1))
    # A poll of the display file, for up to 30 s.
    sleep 0.1
done
DISPLAY=":$(head -n 1 "$dir/display")"
export DISPLAY
status=0
"$@" || status=$?
exit "$status"
