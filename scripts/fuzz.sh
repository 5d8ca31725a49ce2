#!/usr/bin/env bash
# Run every fuzz target for a bounded time (default 30 s each) from its committed seeds.
# Exits non-zero as soon as a target crashes; the crashing input is left under
# fuzz/artifacts/<target>/ and should become a regression test in crates/corpus/tests/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); builds with --sanitizer none, which works on
# the stable toolchain.
set -euo pipefail

seconds="${1:-30}"
# A fixed seed makes a short run repeat the same inputs (a test suite must not fail by chance);
# DOCKET_FUZZ_SEED=0 lets libFuzzer pick one, for long runs that should explore.
seed="${DOCKET_FUZZ_SEED:-1}"
shift || true
cd "$(dirname "$0")/../fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build --sanitizer none

for target in "${targets[@]}"; do
    seeds="seeds/${target}"
    work="corpus/${target}"
    mkdir -p "$work" "$seeds"
    echo "== ${target}: ${seconds} s"
    # The scratch corpus first (new inputs are written there), the committed seeds read only.
    # -timeout: one input taking 30 s is a hang; -rss_limit_mb: one using 4 GiB is a leak.
    if ! cargo fuzz run --sanitizer none "$target" "$work" "$seeds" -- \
        -max_total_time="$seconds" -seed="$seed" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1; then
        echo "fuzz target ${target} crashed; see fuzz/artifacts/${target}/" >&2
        exit 1
    fi
done
echo "all fuzz targets ran ${seconds} s without a crash"
