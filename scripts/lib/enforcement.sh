# The enforcement test bed: dockward's authorization plugin in front of private daemons. Source
# after private-dockerd.sh; it defines functions only.

# dw_start_enforcement WORK BIN IMAGE: starts, under WORK,
# - the plugin `BIN authz serve` on the default socket name (dockward, enforce, baseline) and a
#   second one in audit mode (dockward-audit), each with its decision log;
# - daemon "authz" asking dockward (from daemon.json, so the chain can be changed with SIGHUP),
#   daemon "authz-audit" asking dockward-audit (also on TLS with client certificates), and daemon
#   "managed" without a plugin (its test installs the managed plugin);
# - IMAGE imported into each, and on "authz" what the plugin refuses to create but the bypass
#   tests need: containers with a sensitive bind or host namespaces (VolumesFrom, container:
#   joins) and a volume bound to /etc.
# Exports the DOCKWARD_TEST_AUTHZ_* and DOCKWARD_TEST_MANAGED_* variables the live tests read.
dw_start_enforcement() {
  local work=$1 bin=$2 image=$3
  local plugins_dir=/run/docker/plugins
  local authz="unix://$work/authz/docker.sock" authz_audit="unix://$work/authz-audit/docker.sock"
  mkdir -p "$work/authz" "$work/authz-audit"
  echo "$plugins_dir/dockward.sock" >"$work/plugin-enforce.socket"
  dw_start_plugin "$plugins_dir/dockward.sock" "$work/plugin-enforce.pid" "$work/plugin-enforce.log" "$bin" \
    --profile baseline --mode enforce --decision-log "$work/decisions-enforce.log" \
    --docker-host "$authz" --host-root /
  echo "$plugins_dir/dockward-audit.sock" >"$work/plugin-audit.socket"
  dw_start_plugin "$plugins_dir/dockward-audit.sock" "$work/plugin-audit.pid" "$work/plugin-audit.log" "$bin" \
    --profile baseline --mode audit --decision-log "$work/decisions-audit.log" \
    --docker-host "$authz_audit" --host-root /

  echo '{"authorization-plugins": ["dockward"]}' >"$work/authz.json"
  dw_start_daemon "$work/authz" --config-file "$work/authz.json"
  # The audit daemon also listens on TLS with client certificates: dockerd then tells the plugin
  # who asks (the certificate's CN), which the decision log records.
  local audit_tls_port
  audit_tls_port=$(dw_free_port)
  dw_make_tls "$work/authz-certs"
  dw_start_daemon "$work/authz-audit" --authorization-plugin=dockward-audit \
    --host "tcp://127.0.0.1:$audit_tls_port" --tlsverify --tlscacert "$work/authz-certs/ca.pem" \
    --tlscert "$work/authz-certs/server-cert.pem" --tlskey "$work/authz-certs/server-key.pem"
  echo '{}' >"$work/managed.json"
  dw_start_daemon "$work/managed" --config-file "$work/managed.json"

  # An import is a state change the plugin allows.
  dw_import_base_image "$authz" "$image"
  dw_import_base_image "$authz_audit" "$image"
  dw_import_base_image "unix://$work/managed/docker.sock" "$image"

  # The plugin out of the chain for a moment, then back in.
  dw_set_authz_plugins "$work/authz" "$work/authz.json"
  docker -H "$authz" create --name dwdonor-etc --network none -v /etc:/donor-etc "$image" sleep 86400 >/dev/null
  docker -H "$authz" volume create --driver local --opt type=none --opt o=bind --opt device=/etc \
    dwdonor-etcvol >/dev/null
  docker -H "$authz" run -d --name dwdonor-hostnetwork --network host "$image" sleep 86400 >/dev/null
  local ns
  for ns in pid ipc uts; do
    docker -H "$authz" run -d --name "dwdonor-host$ns" --network none "--$ns" host "$image" sleep 86400 >/dev/null
  done
  dw_set_authz_plugins "$work/authz" "$work/authz.json" dockward

  export DOCKWARD_TEST_AUTHZ_HOST="$authz"
  export DOCKWARD_TEST_AUTHZ_DIR="$work/authz"
  export DOCKWARD_TEST_AUTHZ_LOG="$work/decisions-enforce.log"
  export DOCKWARD_TEST_AUTHZ_AUDIT_HOST="$authz_audit"
  export DOCKWARD_TEST_AUTHZ_AUDIT_LOG="$work/decisions-audit.log"
  export DOCKWARD_TEST_AUTHZ_AUDIT_TLS="tcp://127.0.0.1:$audit_tls_port"
  export DOCKWARD_TEST_AUTHZ_CERTS="$work/authz-certs"
  export DOCKWARD_TEST_MANAGED_DIR="$work/managed"
  export DOCKWARD_TEST_MANAGED_CONFIG="$work/managed.json"
}

# dw_stop_enforcement WORK: stops what dw_start_enforcement started, by pid file.
dw_stop_enforcement() {
  local work=$1 daemon plugin
  # The daemons first: they ask their plugins while their containers are removed.
  for daemon in authz authz-audit managed; do
    dw_stop_daemon "$work/$daemon"
  done
  for plugin in enforce audit; do
    [ -f "$work/plugin-$plugin.pid" ] || continue
    dw_stop_pidfile "$work/plugin-$plugin.pid"
    # Only the socket this script's plugin served.
    rm -f "$(cat "$work/plugin-$plugin.socket")"
  done
}
