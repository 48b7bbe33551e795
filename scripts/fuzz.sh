#!/usr/bin/env bash
# Runs every fuzz target for a bounded time: `scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]`
# (default 20 s, all targets). Builds once with nightly cargo-fuzz (installed if missing), seeds
# fuzz/corpus/ from the repository's test data, and fails on the first crash, hang or OOM, leaving
# the input in fuzz/artifacts/<target>/. Prints executions and coverage per target.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:-20}
shift || true

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

cargo +nightly fuzz build
python3 seed-corpus.py

mkdir -p target/logs
for t in "${targets[@]}"; do
  log="target/logs/$t.log"
  if ! cargo +nightly fuzz run "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz target $t failed; the input is in fuzz/artifacts/$t/ (log: fuzz/$log)" >&2
    exit 1
  fi
  # The last status line of libFuzzer, e.g. "#123456 DONE cov: 812 ft: 2301 corp: 140/9kb ...".
  stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  echo "$t: ${stats}"
done
