#!/usr/bin/env bash
# Benchmark: dockward's authorization plugin against a do-nothing allow-all plugin (the floor),
# and the latency it adds to API calls of a private daemon, measured interleaved on that daemon.
#
#   bench/authz.sh          (as root; under the live-test lock: flock /tmp/dockward-live.lock bench/authz.sh)
#
# 1. Decisions: AuthZReq for a full container create body (restricted profile, every rule), sent
#    straight to each plugin's socket over one keep-alive connection by the same Python client,
#    in rotating batches: dockward, dockward with a policy of one custom Rego rule
#    (bench/lib/one-rule), and the allow-all plugin.
#    Target: dockward's median decision, with and without the rule, costs no more than the
#    allow-all plugin's answer.
# 2. Added latency: GET /containers/json and POST /containers/create + DELETE on one daemon, its
#    authorization-plugins switched between none, [allow-all] and [dockward] (daemon.json +
#    SIGHUP) every round, in rotating order. Reports the median of paired differences against no
#    plugin and p99 with - p99 without. Target: p99 added by dockward <= 1 ms.
# Environment: N (decisions per plugin, default 10000), ROUNDS (default 30), GETS (per round and state,
# default 50), CREATES (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/private-dockerd.sh
source scripts/lib/private-dockerd.sh

n=${N:-10000}
rounds=${ROUNDS:-30}
gets=${GETS:-50}
creates=${CREATES:-5}

dw_install_deps
cargo build --release --quiet -p dockward
bin=$PWD/target/release/dockward

work=$(mktemp -d "${TMPDIR:-/tmp}/dockward-bench.XXXXXX")
plugin_socket=/run/docker/plugins/dockward-bench.sock
rego_socket=/run/docker/plugins/dockward-bench-rego.sock
floor_socket=/run/docker/plugins/dockward-bench-floor.sock
cleanup() {
  dw_stop_daemon "$work/daemon"
  dw_stop_pidfile "$work/dockward.pid"
  dw_stop_pidfile "$work/dockward-rego.pid"
  dw_stop_pidfile "$work/floor.pid"
  rm -f "$plugin_socket" "$rego_socket" "$floor_socket"
  rm -rf "$work"
}
trap cleanup EXIT
host="unix://$work/daemon/docker.sock"

dw_start_plugin "$plugin_socket" "$work/dockward.pid" "$work/dockward.log" "$bin" \
  --profile restricted --mode enforce --decision-log "$work/decisions.log" --docker-host "$host"
dw_start_plugin "$rego_socket" "$work/dockward-rego.pid" "$work/dockward-rego.log" "$bin" \
  --profile restricted --mode enforce --decision-log "$work/decisions-rego.log" --docker-host "$host" \
  --policy "$PWD/bench/lib/one-rule/dockward.toml"
python3 bench/lib/allow_all_plugin.py "$floor_socket" >"$work/floor.log" 2>&1 &
echo $! >"$work/floor.pid"
dw_wait_socket "$floor_socket" "$work/floor.pid" "the allow-all plugin"

echo '{"authorization-plugins": []}' >"$work/daemon.json"
dw_start_daemon "$work/daemon" --config-file "$work/daemon.json"
image=dockward-bench-base:1
dw_import_base_image "$host" "$image"

echo "decisions: $n AuthZReq to each plugin (dockward, dockward with one Rego rule, allow-all)..." >&2
python3 bench/lib/authz_bench.py decisions "$plugin_socket" "$floor_socket" "$n" "$image" "$rego_socket" >"$work/decisions.json"
echo "API: $rounds rounds of $gets GET and $creates create+delete without a plugin, with the allow-all one and with dockward..." >&2
python3 bench/lib/authz_bench.py api "$work/daemon/docker.sock" "$work/daemon" "$work/daemon.json" \
  dockward-bench dockward-bench-floor "$rounds" "$gets" "$creates" "$image" >"$work/api.json"
python3 bench/lib/authz_bench.py report "$work/decisions.json" "$work/api.json"
