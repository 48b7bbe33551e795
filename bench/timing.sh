# Timing for the benchmark scripts. Source this file; it defines functions only.

# run_times_ns RUNS CMD...: one warm-up run, then the wall time of RUNS runs in nanoseconds,
# sorted ascending, one per line.
run_times_ns() {
  local runs=$1 i start end
  shift
  "$@" >/dev/null 2>&1
  for i in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo $(( end - start ))
  done | sort -n
}
