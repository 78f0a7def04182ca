#!/usr/bin/env bash
# The one list of Debian 12 packages needed to build, run and test Toolhub.
# Idempotent: installs only what is missing, and returns quickly when nothing is.
# Works as root, or as a user with sudo.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang clang-format clang-tidy
  libclang-rt-14-dev
  # Qt 6: Core, Network, Sql (+ SQLite driver), Test, Widgets; QtKeychain and its Secret Service backend
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qtkeychain-qt6-dev libsecret-1-0
  # libraries
  libcurl4-openssl-dev libarchive-dev libsodium-dev libssl-dev
  libboost1.81-dev libboost-url1.81-dev
  libsoci-dev nlohmann-json3-dev libsqlite3-dev libpq-dev libldap-dev
  # run and test peers
  sqlite3 postgresql-15 postgresql-client-15 slapd ldap-utils
  xvfb xauth dbus dbus-x11 gnome-keyring libglib2.0-bin chromium xdg-utils
  # benchmark references
  nginx-light wrk libarchive-tools
  # used by the scripts and tests themselves
  curl bsdextrautils procps util-linux
)

# These machines may carry Node.js and npm outside Debian's packages; Debian's nodejs conflicts
# with such an install, so it is only added where no node is on the PATH.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

# The front-end packages the server bundles at build time (package.json, pinned by
# package-lock.json): installed with npm ci into node_modules/ when it is missing or older than
# the lock file.
install_node_modules() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ ! -f "$root/node_modules/.package-lock.json" ] ||
    [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci"
    (cd "$root" && npm ci --no-audit --no-fund)
  fi
}

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  install_node_modules
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: missing ${missing[*]}; run this script as root or install sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
install_node_modules
