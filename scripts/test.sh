#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, fixture and parser tests, and live tests against
# private Docker daemons this script starts (and stops) itself. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/private-dockerd.sh
source scripts/lib/private-dockerd.sh

dw_install_deps

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

work=$(mktemp -d "${TMPDIR:-/tmp}/dockward-test.XXXXXX")
# The remapped root of the userns daemon must be able to traverse to its data root.
chmod 711 "$work"
cleanup() {
  local status=$?
  dw_stop_daemon "$work/plain"
  dw_stop_daemon "$work/userns"
  rm -rf "$work" 2>/dev/null || echo "warning: could not remove $work" >&2
  exit "$status"
}
trap cleanup EXIT

port=$(dw_free_port)
dw_make_tls "$work/certs"
# One daemon serves the insecure containers, over a unix socket and over TCP with TLS.
dw_start_daemon "$work/plain" \
  --host "tcp://127.0.0.1:$port" --tlsverify --tlscacert "$work/certs/ca.pem" \
  --tlscert "$work/certs/server-cert.pem" --tlskey "$work/certs/server-key.pem"
# A daemon that remaps users serves the hardened container.
dw_start_daemon "$work/userns" --userns-remap=default

image=dockward-test-base:1
dw_import_base_image "unix://$work/plain/docker.sock" "$image"
dw_import_base_image "unix://$work/userns/docker.sock" "$image"

export DOCKWARD_TEST_DOCKER_HOST="unix://$work/plain/docker.sock"
export DOCKWARD_TEST_TLS_HOST="tcp://127.0.0.1:$port"
export DOCKWARD_TEST_CERT_PATH="$work/certs"
export DOCKWARD_TEST_USERNS_HOST="unix://$work/userns/docker.sock"
export DOCKWARD_TEST_IMAGE="$image"
export DOCKWARD_TEST_WORKDIR="$work"

cargo test --workspace
