#!/usr/bin/env bash
# Builds every fuzz target (fuzz/, libFuzzer through libfuzzer-sys, on the stable
# toolchain) and runs each on its committed corpus for a few seconds, failing on any
# crash, failed assertion, leak of time (-timeout) or memory (-rss_limit_mb).
#
#   scripts/fuzz-smoke.sh                # every target, FUZZ_SECONDS (default 4) each
#   scripts/fuzz-smoke.sh jcs record_json  # some targets
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh checkpoint_note   # a longer run
#
# The flags are what `cargo fuzz build --sanitizer none` passes (docs/fuzzing.md):
# SanitizerCoverage's counters, the PC table and comparison tracing, built for an
# explicit --target so that build scripts and proc macros are not instrumented. No
# nightly, no RUSTC_BOOTSTRAP. New inputs found go to a scratch directory, never into
# the committed corpus; a crash is written to fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${FUZZ_SECONDS:-4}
# libfuzzer-sys compiles libFuzzer's C++ source: a C++ compiler is needed.
if ! command -v c++ >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== fuzz: installing g++ (libFuzzer is C++)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null
    else
        echo "the fuzz targets need a C++ compiler (Debian/Ubuntu: sudo apt-get install g++)" >&2
        exit 2
    fi
fi
host=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"
export CARGO_INCREMENTAL=0
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^regula-fuzz$')
fi

start=$SECONDS
echo "== fuzz: building ${#targets[@]} targets (${host}, release with debug assertions)"
bins=()
for t in "${targets[@]}"; do bins+=(--bin "$t"); done
cargo build --release --quiet --target "$host" "${bins[@]}"
echo "   built in $((SECONDS - start)) s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "${targets[@]}"; do
    corpus="corpus/$t"
    test -d "$corpus" || { echo "no corpus for $t ($corpus)"; exit 1; }
    mkdir -p "$scratch/$t" "artifacts/$t"
    log="$scratch/$t.log"
    # The scratch directory first: new inputs are written there, the corpus is only read.
    if "$CARGO_TARGET_DIR/$host/release/$t" "$scratch/$t" "$corpus" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        printf '   %-16s ok   %8s runs  %6s/s\n' "$t" "${runs:-?}" "${speed:-?}"
    else
        printf '   %-16s FAILED\n' "$t"
        grep -E "panicked|assertion|ERROR|Test unit written|SUMMARY" "$log" | head -20
        failed+=("$t")
    fi
done
echo "== fuzz: $(( ${#targets[@]} - ${#failed[@]} )) of ${#targets[@]} targets clean in $((SECONDS - start)) s"
[ ${#failed[@]} -eq 0 ]
