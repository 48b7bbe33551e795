#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit, fixture and parser tests, and live tests against
# private Docker daemons this script starts (and stops) itself. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/private-dockerd.sh
source scripts/lib/private-dockerd.sh
# shellcheck source=scripts/lib/enforcement.sh
source scripts/lib/enforcement.sh

dw_install_deps
dw_install_compose

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The authorization plugin must serve before the daemons that ask it start.
cargo build -p dockward
bin=$PWD/target/debug/dockward

work=$(mktemp -d "${TMPDIR:-/tmp}/dockward-test.XXXXXX")
# The remapped root of the userns daemon must be able to traverse to its data root.
chmod 711 "$work"
cleanup() {
  local status=$?
  for daemon in plain hardened swarm; do
    dw_stop_daemon "$work/$daemon"
  done
  dw_stop_enforcement "$work"
  rm -rf "$work" 2>/dev/null || echo "warning: could not remove $work" >&2
  exit "$status"
}
trap cleanup EXIT

plain_port=$(dw_free_port)
tls_port=$(dw_free_port)
swarm_port=$(dw_free_port)

# An insecure daemon: the API on TCP without TLS, defaults everywhere else. It serves the insecure
# containers.
dw_start_daemon "$work/plain" --host "tcp://127.0.0.1:$plain_port"

# A hardened daemon: TLS (set in its daemon.json), live restore, no userland proxy,
# no-new-privileges and user namespace remapping. It serves the hardened container.
dw_make_tls "$work/certs"
chmod 444 "$work"/certs/*.pem
chmod 400 "$work"/certs/*key.pem
cat >"$work/hardened.json" <<JSON
{
  "log-level": "info",
  "tlsverify": true,
  "tlscacert": "$work/certs/ca.pem",
  "tlscert": "$work/certs/server-cert.pem",
  "tlskey": "$work/certs/server-key.pem",
  "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}}
}
JSON
chmod 644 "$work/hardened.json"
dw_start_daemon "$work/hardened" --config-file "$work/hardened.json" --host "tcp://127.0.0.1:$tls_port" \
  --live-restore --userland-proxy=false --no-new-privileges --userns-remap=default

# A swarm manager, listening on loopback only, auto-locked, with an encrypted and a plain overlay
# network and one secret.
# The gossip port is fixed (7946): another swarm on this machine would make the swarm test judge it.
if dw_tcp_listening 7946; then
  echo "error: TCP port 7946 (swarm gossip) is already in use on this machine; stop that swarm first" >&2
  exit 1
fi
dw_start_daemon "$work/swarm"
swarm="unix://$work/swarm/docker.sock"
docker -H "$swarm" swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$swarm_port" --autolock >/dev/null
# The gossip port opens after `swarm init` returns; the swarm test needs both ports.
dw_wait_listening "$swarm_port" "the swarm's API port"
dw_wait_listening 7946 "the swarm's gossip port"
docker -H "$swarm" network create -d overlay --opt encrypted secure-net >/dev/null
docker -H "$swarm" network create -d overlay plain-net >/dev/null
echo dockward-test | docker -H "$swarm" secret create test-secret - >/dev/null

image=dockward-test-base:1
dw_import_base_image "unix://$work/plain/docker.sock" "$image"
dw_import_base_image "unix://$work/hardened/docker.sock" "$image"
dw_start_enforcement "$work" "$bin" "$image"

export DOCKWARD_TEST_DOCKER_HOST="unix://$work/plain/docker.sock"
export DOCKWARD_TEST_PLAIN_TCP="tcp://127.0.0.1:$plain_port"
export DOCKWARD_TEST_USERNS_HOST="unix://$work/hardened/docker.sock"
export DOCKWARD_TEST_TLS_HOST="tcp://127.0.0.1:$tls_port"
export DOCKWARD_TEST_CERT_PATH="$work/certs"
export DOCKWARD_TEST_HARDENED_CONFIG="$work/hardened.json"
export DOCKWARD_TEST_SWARM_HOST="$swarm"
export DOCKWARD_TEST_SWARM_PORT="$swarm_port"
export DOCKWARD_TEST_IMAGE="$image"
export DOCKWARD_TEST_WORKDIR="$work"

cargo test --workspace

# Every fuzz target for a short, bounded time (after the tests, so ordinary failures show first);
# a crash, hang or OOM fails CI. See docs/fuzzing.md.
scripts/fuzz.sh 15
