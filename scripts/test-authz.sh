#!/usr/bin/env bash
# The enforcement live tests alone (crates/cli/tests/live_authz.rs) on the daemons scripts/test.sh
# would start for them; for working on the plugin and the proxy. Run it under the machine's
# live-test lock: flock /tmp/dockward-live.lock scripts/test-authz.sh [cargo test filter...]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/private-dockerd.sh
source scripts/lib/private-dockerd.sh
# shellcheck source=scripts/lib/enforcement.sh
source scripts/lib/enforcement.sh

dw_install_deps
cargo build -p dockward
bin=$PWD/target/debug/dockward

work=$(mktemp -d "${TMPDIR:-/tmp}/dockward-test.XXXXXX")
cleanup() {
  local status=$?
  dw_stop_daemon "$work/plain"
  dw_stop_enforcement "$work"
  rm -rf "$work" 2>/dev/null || echo "warning: could not remove $work" >&2
  exit "$status"
}
trap cleanup EXIT

image=dockward-test-base:1
# The un-protected daemon the proxy tests put dockward proxy in front of.
dw_start_daemon "$work/plain"
dw_import_base_image "unix://$work/plain/docker.sock" "$image"
dw_start_enforcement "$work" "$bin" "$image"

export DOCKWARD_TEST_DOCKER_HOST="unix://$work/plain/docker.sock"
export DOCKWARD_TEST_IMAGE="$image"
export DOCKWARD_TEST_WORKDIR="$work"
cargo test -p dockward --test live_authz -- "$@"
