#!/usr/bin/env bash
# Runs every benchmark against the build in $1 and prints each one's ratio to its reference.
set -euo pipefail
build_dir=$(realpath "${1:?usage: run-all.sh BUILD_DIR}")
here=$(dirname "$(realpath "$0")")
status=0
for bench in "$here"/bench-*.sh; do
  echo "== $(basename "$bench" .sh)"
  "$bench" "$build_dir" || status=1
done
exit $status
