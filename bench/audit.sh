#!/usr/bin/env bash
# Benchmark: dockward's full audit against `docker inspect` of the same containers, on a private
# daemon. Prints both times (median of several runs), their ratio and dockward's peak memory,
# and the same audit with a policy of one custom Rego rule (bench/lib/one-rule), evaluated on
# every container, image, the daemon and the host.
#
#   bench/audit.sh [N] [--created]
#
# N containers (default 100) are started (`docker run`); with --created they are only created and
# audited with `--all`. Targets: ratio <= 2 at N=100 running and N=1000 created; peak RSS <= 50 MB;
# the custom rule keeps the audit at most as long as `docker inspect` (issue 10: ratio <= 1).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/private-dockerd.sh
source scripts/lib/private-dockerd.sh
# shellcheck source=bench/timing.sh
source bench/timing.sh

count=100
mode=running
runs=${RUNS:-7}
for arg in "$@"; do
  case $arg in
    --created) mode=created ;;
    ''|*[!0-9]*) echo "usage: bench/audit.sh [N] [--created]" >&2; exit 2 ;;
    *) count=$arg ;;
  esac
done

dw_install_deps
command -v /usr/bin/time >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet -p dockward
bin=$PWD/target/release/dockward

work=$(mktemp -d "${TMPDIR:-/tmp}/dockward-bench.XXXXXX")
trap 'dw_stop_daemon "$work/daemon"; rm -rf "$work"' EXIT
dw_start_daemon "$work/daemon"
host="unix://$work/daemon/docker.sock"
image=dockward-bench-base:1
dw_import_base_image "$host" "$image"

echo "creating $count $mode containers..." >&2
verb=run
[ "$mode" = created ] && verb=create
seq 1 "$count" | xargs -P 8 -I{} docker -H "$host" $verb $([ "$verb" = run ] && echo -d) \
  --network none --name "bench-{}" "$image" sleep 86400 >/dev/null
ids=$(docker -H "$host" ps -aq)
[ "$(echo "$ids" | wc -l)" -eq "$count" ] || { echo "expected $count containers" >&2; exit 1; }

audit_args=(audit --format json --fail-on none)
[ "$mode" = created ] && audit_args+=(--all)

# median_seconds CMD...: median wall time of $runs runs, after one warm-up run.
median_seconds() {
  run_times_ns "$runs" "$@" | awk '{a[NR]=$1} END {printf "%.4f", a[int((NR+1)/2)]/1e9}'
}

# shellcheck disable=SC2086
inspect_s=$(median_seconds docker -H "$host" inspect $ids)
audit_s=$(DOCKER_HOST=$host median_seconds "$bin" "${audit_args[@]}")
rego_args=("${audit_args[@]}" --policy "$PWD/bench/lib/one-rule/dockward.toml")
# The policy must be in force and its rule judged without error (a module that fails is cheap
# and proves nothing): fail loudly, not time an error. The rule passes every container, so it adds
# no result.
custom=$(DOCKER_HOST=$host "$bin" "${rego_args[@]}" | python3 -c '
import json, sys
report = json.load(sys.stdin)
assert report.get("policy", {}).get("path", "").endswith("one-rule/dockward.toml"), "the policy is not in force"
errors = [r for r in report["results"] if r["rule"].startswith("custom/")]
assert not errors, f"custom results: {errors[:3]}"
print(len(errors))')
audit_rego_s=$(DOCKER_HOST=$host median_seconds "$bin" "${rego_args[@]}")
peak_kb=$(DOCKER_HOST=$host /usr/bin/time -f %M "$bin" "${audit_args[@]}" 2>&1 >/dev/null | tail -n 1)
results=$(DOCKER_HOST=$host "$bin" "${audit_args[@]}" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')

ratio=$(awk -v a="$audit_s" -v b="$inspect_s" 'BEGIN {printf "%.2f", a / b}')
ratio_rego=$(awk -v a="$audit_rego_s" -v b="$inspect_s" 'BEGIN {printf "%.2f", a / b}')
peak_mb=$(awk -v k="$peak_kb" 'BEGIN {printf "%.1f", k / 1024}')
verdict() { awk -v v="$1" -v max="$2" 'BEGIN {print (v <= max) ? "met" : "MISSED"}'; }
cat <<REPORT
containers:            $count ($mode)
results:               $results
docker inspect (floor): ${inspect_s} s   (median of $runs)
dockward audit:        ${audit_s} s   (median of $runs)
ratio audit/inspect:   ${ratio}   (target <= 2: $(verdict "$ratio" 2); <= 1: $(verdict "$ratio" 1))
audit, 1 Rego rule:    ${audit_rego_s} s   (median of $runs; the rule passed every target)
ratio audit+rule/inspect: ${ratio_rego}   (target <= 2: $(verdict "$ratio_rego" 2); issue 10, <= 1: $(verdict "$ratio_rego" 1))
dockward peak RSS:     ${peak_mb} MB   (target <= 50: $(verdict "$peak_mb" 50))
REPORT
