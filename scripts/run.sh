#!/bin/sh
# make run: the server on its embedded default (SQLite in DATA_DIR, the demo catalog and users,
# http://127.0.0.1:8080) and, where there is a display, the desktop app set up for it. Ctrl-C
# stops both. Usage: scripts/run.sh BUILD_DIR DATA_DIR
set -eu

build=$1
data=$2
server="$build/server/toolhub-server"
app="$build/desktop/toolhub"
url=http://127.0.0.1:8080

mkdir -p "$data"
export TOOLHUB_DATA_DIR="$data" TOOLHUB_LOG_FORMAT=text
"$server" migrate

TOOLHUB_DEMO_DATA=true "$server" serve &
server_pid=$!
app_pid=
stop() {
    trap - INT TERM EXIT
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
    kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# The app is started once the server answers, so that its first screen is not "offline".
tries=0
until curl -fsS "$url/readyz" >/dev/null 2>&1; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run: the server stopped; see its log above" >&2
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then
        echo "run: the server did not become ready in 30 s" >&2
        exit 1
    fi
    sleep 0.1
done

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$app" ]; then
    # The app's own settings, data and downloads for this demo live beside the server's data,
    # not in the user's real Toolhub profile; the server is preset there.
    desktop="$(cd "$data" && pwd)/desktop"
    mkdir -p "$desktop/config/Toolhub"
    conf="$desktop/config/Toolhub/toolhub.conf"
    if [ ! -f "$conf" ]; then
        printf '[server]\nurl=%s\n' "$url" >"$conf"
    fi
    XDG_CONFIG_HOME="$desktop/config" XDG_DATA_HOME="$desktop/data" \
        XDG_CACHE_HOME="$desktop/cache" "$app" &
    app_pid=$!
    echo "run: the desktop app started (sign in as alice.archer@acme.example / acme-demo-1)"
else
    echo "run: no display, so the desktop app was not started; the portal is on $url"
fi

wait "$server_pid"
