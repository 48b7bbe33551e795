#!/usr/bin/env python3
"""Measurements for bench/authz.sh (which starts the daemon and the plugins).

  authz_bench.py decisions SOCKET FLOOR_SOCKET N IMAGE [REGO_SOCKET]
      N AuthZReq calls for a full container create body to each plugin, straight to its socket
      over one keep-alive connection each, in rotating batches of 100 (so a change of machine
      load hits all alike). REGO_SOCKET: dockward with a policy of one custom Rego rule.
      Prints JSON: per-call latencies (ns) per plugin.
  authz_bench.py api DOCKER_SOCKET DAEMON_DIR CONFIG PLUGIN FLOOR ROUNDS GETS CREATES IMAGE
      ROUNDS rounds; in each, the daemon's authorization plugins are set to none, to [FLOOR] (the
      allow-all plugin) and to [PLUGIN] (daemon.json CONFIG + SIGHUP, in an order that rotates
      every round), and GETS `GET /containers/json` and CREATES `POST /containers/create` +
      `DELETE /containers/{id}` are timed in each state. Prints JSON: the latencies (ns) per
      state, in request order per round.
  authz_bench.py report DECISIONS API
      Prints the figures and verdicts from the two JSON files above.
"""
import base64
import http.client
import json
import os
import signal
import socket
import statistics
import sys
import time


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(self.path)


def create_body(image):
    """What `docker run` sends for a container that passes the restricted profile."""
    return {
        "Hostname": "",
        "User": "10001:10001",
        "AttachStdout": False,
        "Tty": False,
        "Env": ["PATH=/bin", "APP_MODE=bench"],
        "Cmd": ["sleep", "86400"],
        "Image": image,
        "Labels": {"app": "bench", "tier": "test"},
        "HostConfig": {
            "Binds": None,
            "NetworkMode": "none",
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3},
            "CapAdd": None,
            "CapDrop": ["ALL"],
            "CgroupnsMode": "private",
            "IpcMode": "",
            "PidMode": "",
            "Privileged": False,
            "ReadonlyRootfs": True,
            "SecurityOpt": ["no-new-privileges"],
            "Tmpfs": {"/tmp": "rw,noexec,nosuid,size=16m"},
            "Memory": 67108864,
            "PidsLimit": 64,
            "CpuShares": 512,
            "Ulimits": None,
            "Mounts": [{"Type": "volume", "Source": "bench-data", "Target": "/data"}],
        },
        "NetworkingConfig": {"EndpointsConfig": {}},
    }


def authz_request(image):
    body = json.dumps(create_body(image)).encode()
    return json.dumps(
        {
            "User": "",
            "UserAuthNMethod": "",
            "RequestMethod": "POST",
            "RequestUri": "/v1.41/containers/create?name=bench",
            "RequestBody": base64.b64encode(body).decode(),
            "RequestHeaders": {
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
                "User-Agent": "Docker-Client/20.10.24 (linux)",
            },
        }
    ).encode()


def decisions(sock_path, floor_path, count, image, rego_path=None):
    payload = authz_request(image)
    headers = {"Content-Type": "application/json", "Accept": "application/vnd.docker.plugins.v1.2+json"}
    conns = {"dockward": UnixConnection(sock_path), "floor": UnixConnection(floor_path)}
    if rego_path:
        conns["dockward+rego"] = UnixConnection(rego_path)
    latencies = {name: [] for name in conns}

    def call(name):
        conn = conns[name]
        start = time.perf_counter_ns()
        conn.request("POST", "/AuthZPlugin.AuthZReq", body=payload, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        end = time.perf_counter_ns()
        if response.status != 200 or not json.loads(answer).get("Allow"):
            sys.exit(f"plugin {name} did not allow the bench request: {response.status} {answer!r}")
        return end - start

    for name in conns:  # warm up: connections, caches
        for _ in range(200):
            call(name)
    batch = 100
    names = list(conns)
    for b in range(max(1, count // batch)):
        shift = b % len(names)
        order = names[shift:] + names[:shift]
        for name in order:
            latencies[name].extend(call(name) for _ in range(batch))
    return latencies


def reload(daemon_dir, config, plugins):
    log = os.path.join(daemon_dir, "dockerd.log")

    def count():
        with open(log, errors="replace") as f:
            return f.read().count("Reloaded configuration")

    before = count()
    with open(config, "w") as f:
        json.dump({"authorization-plugins": plugins}, f)
    with open(os.path.join(daemon_dir, "docker.pid")) as f:
        os.kill(int(f.read().strip()), signal.SIGHUP)
    deadline = time.monotonic() + 60
    while count() == before:
        if time.monotonic() > deadline:
            sys.exit(f"dockerd in {daemon_dir} did not reload {config}")
        time.sleep(0.01)


def timed(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    start = time.perf_counter_ns()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    end = time.perf_counter_ns()
    if response.status >= 300:
        sys.exit(f"{method} {path}: {response.status} {data[:300]!r}")
    return end - start, data


def api(sock_path, daemon_dir, config, plugin, floor, rounds, gets, creates, image):
    states = [("without", []), ("floor", [floor]), ("with", [plugin])]
    result = {state: {"get": [], "create": []} for state, _ in states}
    body = json.dumps(create_body(image)).encode()
    for r in range(rounds):
        order = states[r % 3 :] + states[: r % 3]
        for state, plugins in order:
            reload(daemon_dir, config, plugins)
            conn = UnixConnection(sock_path)  # a fresh connection per state, as a new CLI call
            timed(conn, "GET", "/v1.41/_ping")
            get_times = [timed(conn, "GET", "/v1.41/containers/json")[0] for _ in range(gets)]
            create_times = []
            for i in range(creates):
                t1, data = timed(conn, "POST", f"/v1.41/containers/create?name=bench-{r}-{state}-{i}", body)
                cid = json.loads(data)["Id"]
                t2, _ = timed(conn, "DELETE", f"/v1.41/containers/{cid}?force=1&v=1")
                create_times.append(t1 + t2)
            conn.close()
            result[state]["get"].append(get_times)
            result[state]["create"].append(create_times)
    reload(daemon_dir, config, [])
    return result


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(ns):
    return f"{ns / 1e6:.3f} ms"


def report(decisions_file, api_file):
    both = json.load(open(decisions_file))
    dw, fl = both["dockward"], both["floor"]
    runs = json.load(open(api_file))
    lines = []

    def verdict(ok):
        return "met" if ok else "MISSED"

    dw_med, fl_med = statistics.median(dw), statistics.median(fl)
    lines.append(f"AuthZReq, create body, restricted ({len(dw)} calls each, alternating batches)")
    lines.append(
        f"  dockward plugin:        median {ms(dw_med)}, p99 {ms(pct(dw, 99))}, {1e9 / statistics.mean(dw):.0f} decisions/s"
    )
    lines.append(
        f"  allow-all plugin (floor): median {ms(fl_med)}, p99 {ms(pct(fl, 99))}, {1e9 / statistics.mean(fl):.0f} answers/s"
    )
    lines.append(
        f"  ratio dockward/floor (median): {dw_med / fl_med:.2f}   (target <= 1: {verdict(dw_med <= fl_med)})"
    )
    if "dockward+rego" in both:
        rg = both["dockward+rego"]
        rg_med = statistics.median(rg)
        lines.append(
            f"  dockward + 1 Rego rule: median {ms(rg_med)}, p99 {ms(pct(rg, 99))}, {1e9 / statistics.mean(rg):.0f} decisions/s"
        )
        lines.append(
            f"  ratio dockward+rego/floor (median): {rg_med / fl_med:.2f}   (target <= 1: {verdict(rg_med <= fl_med)});"
            f" the rule adds a median {ms(rg_med - dw_med)}"
        )
    for kind, label in (("get", "GET /containers/json"), ("create", "POST /containers/create + DELETE")):
        without_rounds = runs["without"][kind]
        without_all = [t for run in without_rounds for t in run]
        lines.append(f"{label} ({len(without_all)} per state, {len(without_rounds)} rounds interleaved)")
        lines.append(f"  no plugin:        median {ms(statistics.median(without_all))}, p99 {ms(pct(without_all, 99))}")
        for state, name in (("floor", "allow-all plugin"), ("with", "dockward plugin")):
            rounds_ = runs[state][kind]
            every = [t for run in rounds_ for t in run]
            diffs = [a - b for w, wo in zip(rounds_, without_rounds) for a, b in zip(w, wo)]
            p99_added = pct(every, 99) - pct(without_all, 99)
            line = (
                f"  {name + ':':<17} median {ms(statistics.median(every))}, p99 {ms(pct(every, 99))};"
                f" added: median of paired differences {ms(statistics.median(diffs))},"
                f" p99 - p99 without {ms(p99_added)}"
            )
            if state == "with":
                line += f"   (target <= 1 ms: {verdict(p99_added <= 1e6)})"
            lines.append(line)
    print("\n".join(lines))


def main():
    mode = sys.argv[1]
    if mode == "decisions":
        rego = sys.argv[6] if len(sys.argv) > 6 else None
        print(json.dumps(decisions(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], rego)))
    elif mode == "api":
        s, d, c, p, f, rounds, gets, creates, image = sys.argv[2:11]
        print(json.dumps(api(s, d, c, p, f, int(rounds), int(gets), int(creates), image)))
    elif mode == "report":
        report(*sys.argv[2:4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
