#!/usr/bin/env bash
# Runs every fuzz target for a bounded time: `scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]`
# (default 20 s, all targets). Builds once with nightly cargo-fuzz (installed if missing), seeds
# fuzz/corpus/ from the repository's test data, and fails on the first crash, hang or OOM, leaving
# the input in fuzz/artifacts/<target>/. Prints executions and coverage per target.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:-20}
shift || true

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# cargo-fuzz needs nightly compiler flags (sanitizers). A machine with only the stable toolchain
# gets them from the same compiler with RUSTC_BOOTSTRAP=1, so CI does not depend on nightly.
if cargo +nightly --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz)
else
  echo "no nightly toolchain: building the fuzz targets with $(rustc --version) and RUSTC_BOOTSTRAP=1" >&2
  fuzz=(env RUSTC_BOOTSTRAP=1 cargo fuzz)
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <("${fuzz[@]}" list)
fi

"${fuzz[@]}" build
python3 seed-corpus.py

mkdir -p target/logs
# A hang is an input that never ends, not one that is slow under the sanitizers on a loaded
# machine: the compose alias-bomb seed (tests/data/compose/bad/bomb.yaml, expanded up to the
# 1,000,000-node budget) takes 0.8 s in release and 8.6 s in the fuzz build on a slow 2-core VM.
timeout_per_input=60
for t in "${targets[@]}"; do
  log="target/logs/$t.log"
  if ! "${fuzz[@]}" run "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -timeout="$timeout_per_input" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz target $t failed; the input is in fuzz/artifacts/$t/ (log: fuzz/$log)" >&2
    exit 1
  fi
  # The last status line of libFuzzer, e.g. "#123456 DONE cov: 812 ft: 2301 corp: 140/9kb ...".
  stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  echo "$t: ${stats}"
done
