#!/bin/sh
# with-keyring.sh [--keyring | --locked | --bus-only | --no-bus] COMMAND [ARGS...]
#
# Runs COMMAND with a fresh HOME and XDG folders, in one of four keychain situations:
#   --keyring   (the default) a private D-Bus session bus with gnome-keyring-daemon as the Secret
#               Service, its login keyring created with a random password and unlocked
#   --locked    the same, but the daemon was restarted without the password: the login keyring
#               is locked and there is no prompter to unlock it with
#   --bus-only  a private session bus on which no Secret Service runs
#   --no-bus    no session bus at all: DBUS_SESSION_BUS_ADDRESS names a socket that does not exist
# TOOLHUB_KEYCHAIN tells COMMAND which one (keyring, locked, bus-only, no-bus).
#
# The private bus activates no services, so every process here is one this script started:
# dbus-run-session ends the bus, the keyring daemon is stopped by its PID. The folder is removed
# afterwards. The exit status is COMMAND's.
set -eu

# Second stage, on the private bus: the keyring daemon around COMMAND.
if [ "${1:-}" = "--on-bus" ]; then
    mode=$2
    shift 2
    daemon=
    # Starts gnome-keyring-daemon with stdin from $1 and waits until it serves the Secret Service.
    start_daemon() {
        gnome-keyring-daemon --foreground ${2:+"$2"} --components=secrets <"$1" >/dev/null &
        daemon=$!
        if ! gdbus wait --session --timeout 30 org.freedesktop.secrets; then
            echo "with-keyring: gnome-keyring-daemon did not take org.freedesktop.secrets" >&2
            stop_daemon
            exit 1
        fi
    }
    stop_daemon() {
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" || true
        daemon=
    }
    if [ "$mode" = keyring ] || [ "$mode" = locked ]; then
        # --unlock reads the password from stdin and creates the login keyring with it. A
        # keyring with an empty password would be written to disk unencrypted.
        head -c 18 /dev/urandom | base64 >"$TOOLHUB_KEYCHAIN_ROOT/password"
        start_daemon "$TOOLHUB_KEYCHAIN_ROOT/password" --unlock
        rm -f "$TOOLHUB_KEYCHAIN_ROOT/password"
    fi
    if [ "$mode" = locked ]; then
        # The keyring exists now; a daemon started without the password keeps it locked, and
        # no prompter can be started on this bus to ask for it.
        stop_daemon
        start_daemon /dev/null
    fi
    status=0
    "$@" || status=$?
    if [ -n "$daemon" ]; then
        stop_daemon
    fi
    exit "$status"
fi

mode=keyring
case "${1:-}" in
--keyring) shift ;;
--bus-only) mode=bus-only; shift ;;
--locked) mode=locked; shift ;;
--no-bus) mode=no-bus; shift ;;
--*) set -- ;;
esac
if [ $# -eq 0 ]; then
    echo "usage: $0 [--keyring | --locked | --bus-only | --no-bus] COMMAND [ARGS...]" >&2
    exit 2
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/toolhub-keychain.XXXXXX")
trap 'rm -rf "$root"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -m 700 "$root/home" "$root/run"

# Nothing of the caller's session: no desktop that would make QtKeychain pick KWallet, no display
# to autolaunch a bus on, no agent sockets.
unset DISPLAY WAYLAND_DISPLAY XDG_CURRENT_DESKTOP XDG_SESSION_DESKTOP DESKTOP_SESSION \
    KDE_FULL_SESSION KDE_SESSION_VERSION GNOME_DESKTOP_SESSION_ID GNOME_KEYRING_CONTROL \
    SSH_AUTH_SOCK DBUS_SESSION_BUS_ADDRESS XDG_DATA_DIRS XDG_CONFIG_DIRS
export HOME="$root/home"
export XDG_RUNTIME_DIR="$root/run"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_STATE_HOME="$HOME/.local/state"
export TOOLHUB_KEYCHAIN="$mode"
export TOOLHUB_KEYCHAIN_ROOT="$root"

status=0
if [ "$mode" = no-bus ]; then
    export DBUS_SESSION_BUS_ADDRESS="unix:path=$root/no-bus"
    "$@" || status=$?
    exit "$status"
fi

# A session bus as dbus-run-session makes by default, but with no service directories: a name
# no one owns stays unowned instead of starting a daemon behind this script's back.
cat >"$root/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$root/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
dbus-run-session --config-file="$root/bus.conf" -- sh "$0" --on-bus "$mode" "$@" || status=$?
exit "$status"
