# Private Docker daemons for tests and benchmarks: each with its own socket, data root and exec
# root, bridge networking and iptables off, stopped by its pid file (never by process name).
# Source this file; it defines functions only.

# Installs dockerd and busybox-static when they are missing (Debian; needs root).
dw_install_deps() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  [ -x /bin/busybox ] || command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "need ${missing[*]} (apt-get install -y docker.io busybox-static openssl) and root to run dockerd" >&2
    return 1
  fi
  echo "installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io busybox-static openssl >&2
}

# Installs Debian's docker-compose (1.29) when it is missing: the compose live test creates
# containers from a compose file with it (needs root).
dw_install_compose() {
  command -v docker-compose >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "need docker-compose (apt-get install -y docker-compose) for the compose live test" >&2
    return 1
  fi
  echo "installing docker-compose" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >&2
}

# dw_start_daemon DIR [dockerd flags...]: starts a daemon listening on unix://DIR/docker.sock.
dw_start_daemon() {
  local dir=$1; shift
  mkdir -p "$dir"
  dockerd --host "unix://$dir/docker.sock" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/docker.pid" --bridge=none --iptables=false --ip-masq=false "$@" \
    >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/launcher.pid"
  local i
  for i in $(seq 1 120); do
    if docker -H "unix://$dir/docker.sock" version >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  echo "dockerd in $dir did not come up; its log ends with:" >&2
  tail -n 20 "$dir/dockerd.log" >&2
  return 1
}

# dw_stop_daemon DIR: removes its containers, stops it by pid file, cleans the directory.
dw_stop_daemon() {
  local dir=$1 pid i
  [ -d "$dir" ] || return 0
  if [ -S "$dir/docker.sock" ]; then
    local ids
    ids=$(docker -H "unix://$dir/docker.sock" ps -aq 2>/dev/null || true)
    if [ -n "$ids" ]; then
      # Faster than letting dockerd stop them one by one at shutdown; bounded, since a daemon
      # that hangs here must not hang the caller.
      # shellcheck disable=SC2086
      timeout 60 docker -H "unix://$dir/docker.sock" rm -f $ids >/dev/null 2>&1 || true
    fi
  fi
  for pidfile in "$dir/docker.pid" "$dir/launcher.pid" "$dir/exec/containerd/containerd.pid"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || continue
    for i in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  # Leftover mounts (overlay layers, netns) keep rm from working.
  local mounts
  mounts=$(grep -o " $dir/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r || true)
  for mnt in $mounts; do
    umount -l "$mnt" 2>/dev/null || true
  done
  # Shims of removed containers may still be exiting; give them a moment.
  for i in 1 2 3 4 5; do
    rm -rf "$dir" 2>/dev/null && return 0
    sleep 1
  done
  echo "warning: could not remove $dir" >&2
}

# dw_import_base_image HOST TAG: a busybox image made from busybox-static, since no registry is
# reachable.
dw_import_base_image() {
  local host=$1 tag=$2 root busybox
  busybox=$(command -v busybox || echo /bin/busybox)
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  local applet
  for applet in sh sleep true false ls cat id echo; do
    ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -cf "$root.tar" .
  docker -H "$host" import "$root.tar" "$tag" >/dev/null
  rm -rf "$root" "$root.tar"
}

# dw_make_tls DIR: a CA, a server certificate for 127.0.0.1 and a client certificate.
dw_make_tls() {
  local dir=$1
  mkdir -p "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dockward test CA" \
      -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
      -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=dockward-client" -keyout key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
      -extfile client.ext -out cert.pem 2>/dev/null
    rm -f ./*.csr ./*.ext
  )
}

# dw_free_port: an unused TCP port on 127.0.0.1.
dw_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# dw_tcp_listening PORT: whether anything on this machine listens on TCP PORT (IPv4 or IPv6).
dw_tcp_listening() {
  local hex
  hex=$(printf ':%04X ' "$1")
  # Field 2 is local_address:port, field 4 the state; 0A is LISTEN.
  awk -v port="$hex" 'NR > 1 && index($2 " ", port) && $4 == "0A" { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# dw_wait_listening PORT WHAT: waits (bounded) until something listens on TCP PORT.
dw_wait_listening() {
  local tries
  for tries in $(seq 1 300); do
    dw_tcp_listening "$1" && return 0
    sleep 0.1
  done
  echo "error: $2 did not listen on TCP port $1 within 30 s" >&2
  return 1
}

# dw_socket_served PATH: whether a process accepts connections on the unix socket PATH.
dw_socket_served() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
try:
    s.connect(sys.argv[1])
except OSError:
    sys.exit(1)
PY
}

# dw_wait_socket PATH PIDFILE WHAT: waits (bounded) until the process in PIDFILE serves PATH.
dw_wait_socket() {
  local path=$1 pidfile=$2 what=$3 tries
  for tries in $(seq 1 300); do
    dw_socket_served "$path" && return 0
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "error: $what exited before serving $path" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "error: $what did not serve $path within 30 s" >&2
  return 1
}

# dw_stop_pidfile PIDFILE: stops the process in PIDFILE (SIGTERM, then SIGKILL after 30 s).
dw_stop_pidfile() {
  local pidfile=$1 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for i in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# dw_start_plugin SOCKET PIDFILE LOG BIN [serve flags...]: starts `BIN authz serve --socket SOCKET`
# and waits until it serves. Refuses when another process already serves SOCKET.
dw_start_plugin() {
  local socket=$1 pidfile=$2 log=$3 bin=$4
  shift 4
  if dw_socket_served "$socket"; then
    echo "error: another process already serves $socket; stop it first (dockerd would ask it, not the test's plugin)" >&2
    return 1
  fi
  mkdir -p "$(dirname "$socket")"
  "$bin" authz serve --socket "$socket" "$@" >"$log" 2>&1 &
  echo $! >"$pidfile"
  if ! dw_wait_socket "$socket" "$pidfile" "dockward authz serve ($socket)"; then
    tail -n 20 "$log" >&2
    return 1
  fi
}

# dw_reload_daemon DIR: sends SIGHUP to the daemon in DIR and waits until it has reloaded its
# configuration (dockerd swaps its authorization plugins before it logs "Reloaded configuration";
# /info keeps showing the old list, so it cannot tell).
dw_reload_daemon() {
  local dir=$1 before tries
  before=$(grep -c 'Reloaded configuration' "$dir/dockerd.log" || true)
  kill -HUP "$(cat "$dir/docker.pid")"
  # dockerd looks a missing plugin up for about 30 s before it gives up (and exits).
  for tries in $(seq 1 450); do
    [ "$(grep -c 'Reloaded configuration' "$dir/dockerd.log" || true)" -gt "$before" ] && return 0
    if ! kill -0 "$(cat "$dir/docker.pid")" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "error: dockerd in $dir did not reload its configuration; its log ends with:" >&2
  tail -n 20 "$dir/dockerd.log" >&2
  return 1
}

# dw_set_authz_plugins DIR CONFIG [NAME...]: writes the daemon.json CONFIG of the daemon in DIR with
# exactly these authorization plugins (none: an empty list) and reloads it.
dw_set_authz_plugins() {
  local dir=$1 config=$2
  shift 2
  python3 - "$config" "$@" <<'PY'
import json, sys
json.dump({"authorization-plugins": sys.argv[2:]}, open(sys.argv[1], "w"))
PY
  dw_reload_daemon "$dir"
}
