#!/usr/bin/env bash
# Runs every libFuzzer target (an executable named *_fuzz) in a fuzz build for a fixed time,
# each on a copy of its seed corpus tests/fuzz/corpus/<name>/ (for <name>_fuzz) with the
# dictionary tests/fuzz/<name>.dict if there is one, and prints each target's executions per
# second (stat::number_of_executed_units / wall-clock seconds).
#
# Exits 0 when every target ran clean; 1 on any finding (crash, sanitizer report, leak,
# timeout, out-of-memory) or a target that failed to run; 2 on wrong usage. Findings are kept
# in <build-dir>/fuzz-artifacts/<target>/ together with the fuzzer's log.
#
# Usage: scripts/run-fuzzers.sh <build-dir> [seconds-per-target (default 60)] [target]
#   e.g. cmake --preset fuzz && cmake --build --preset fuzz && scripts/run-fuzzers.sh build/fuzz 60
#   With a target (link_fuzz), only that one runs; make test runs each so, as a test of its own.
set -euo pipefail

usage() {
    echo "usage: $0 <build-dir> [seconds-per-target] [target]" >&2
    exit 2
}

[[ $# -ge 1 && $# -le 3 ]] || usage
build_dir=$1
seconds=${2:-60}
only=${3:-}
[[ -d $build_dir ]] || { echo "$0: no build directory '$build_dir'" >&2; exit 2; }
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "$0: seconds must be a positive integer" >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(cd "$build_dir" && pwd)
artifacts_root=$build_dir/fuzz-artifacts

pattern='*_fuzz'
if [[ -n $only ]]; then
    [[ $only =~ ^[a-z0-9_]+_fuzz$ ]] || { echo "$0: not a fuzz target name: $only" >&2; exit 2; }
    pattern=$only
fi
mapfile -t targets < <(find "$build_dir" -path "$artifacts_root" -prune -o \
    -path '*/CMakeFiles' -prune -o -type f -name "$pattern" -perm -u+x -print | sort)
if [[ ${#targets[@]} -eq 0 ]]; then
    echo "$0: no $pattern executable under $build_dir (build the fuzz preset first)" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/toolhub-fuzz.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# Sanitizer reports are findings; keep their stacks readable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failures=0
summary=()
for exe in "${targets[@]}"; do
    target=$(basename "$exe")
    name=${target%_fuzz}
    corpus=$work/$target/corpus
    artifacts=$artifacts_root/$target
    log=$artifacts/fuzz.log
    mkdir -p "$corpus"
    rm -rf -- "$artifacts"
    mkdir -p "$artifacts"
    if [[ -d $repo/tests/fuzz/corpus/$name ]]; then
        cp -R "$repo/tests/fuzz/corpus/$name/." "$corpus/"
    fi
    args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
          -artifact_prefix="$artifacts/")
    if [[ -f $repo/tests/fuzz/$name.dict ]]; then
        args+=(-dict="$repo/tests/fuzz/$name.dict")
    fi

    seeds=$(find "$corpus" -type f | wc -l)
    echo "== $target: ${seconds}s on $seeds seed(s)"
    start=$(date +%s.%N)
    status=0
    "$exe" "${args[@]}" "$corpus" >"$log" 2>&1 || status=$?
    end=$(date +%s.%N)

    units=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
    units=${units:-0}
    rate=$(awk -v n="$units" -v s="$start" -v e="$end" \
        'BEGIN { d = e - s; if (d <= 0) d = 1; printf "%d", n / d }')
    findings=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o \
        -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)

    if [[ $status -ne 0 || $findings -ne 0 || $units -eq 0 ]]; then
        failures=$((failures + 1))
        echo "!! $target: FAILED (exit $status, $findings finding(s), $units executions)"
        tail -n 60 "$log" | sed 's/^/   | /'
        echo "   full log and reproducers: $artifacts/"
        summary+=("$(printf '%-28s FAILED  %12s execs  %8s exec/s' "$target" "$units" "$rate")")
    else
        corpus_size=$(find "$corpus" -type f | wc -l)
        echo "   ok: $units executions, $rate exec/s, corpus $seeds -> $corpus_size"
        summary+=("$(printf '%-28s ok      %12s execs  %8s exec/s' "$target" "$units" "$rate")")
    fi
done

echo
echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if [[ $failures -ne 0 ]]; then
    echo "$failures target(s) failed" >&2
    exit 1
fi
