#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/ from the repository's own
test data (Dockerfiles, inspect and snapshot fixtures) plus a few small hand-written inputs.
Existing corpus files are kept, so a corpus grown by earlier runs is only added to."""

import copy
import glob
import hashlib
import io
import json
import os
import sys
import tarfile

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
CORPUS = os.path.join(FUZZ, "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def files(*patterns):
    out = set()
    for p in patterns:
        out.update(f for f in glob.glob(os.path.join(ROOT, p), recursive=True) if os.path.isfile(f))
    return sorted(out)


def merge(base, over):
    """Deep merge like the rule fixtures do: objects merge, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base.get(k), v) if k in base else v
        return out
    return copy.deepcopy(over)


# Dockerfiles: every Dockerfile the tests use.
dockerfiles = [
    f
    for f in files("crates/*/tests/**/*")
    if "dockerfile" in os.path.basename(f).lower() or "/corpus/" in f or "/dockerfiles/" in f
]
for f in dockerfiles:
    data = open(f, "rb").read()
    if len(data) < 64 * 1024:
        put("dockerfile", data)
        put("dockerfile_rules", data)
for seed in [
    "FROM alpine AS a\nRUN <<EOF bash\nset -e\napk add curl\nEOF\nFROM a\nCOPY --from=a /x /y\n",
    "# syntax=docker/dockerfile:1\n# escape=`\nFROM mcr.microsoft.com/windows `\n  AS w\nSHELL [\"powershell\"]\n",
    "ARG B=debian\nFROM $B\nONBUILD RUN sh -c 'a && b' | tee x\nUSER 0:0\nHEALTHCHECK NONE\n",
    # Shapes of earlier findings (kept small): variables doubling the one before, COPY --from chains.
    "ARG A0=xx\n" + "".join(f"ARG A{i}=${{A{i-1}}}${{A{i-1}}}\n" for i in range(1, 12))
    + "FROM $A11\nENV B0=$A11\nENV B1=${B0}${B0}\nADD $B1 /x\n",
    "FROM alpine AS s0\n" + "".join(f"FROM s{i-1} AS s{i}\nCOPY --from=s{i-1} / /\n" for i in range(1, 50)),
]:
    put("dockerfile", seed)
    put("dockerfile_rules", seed)

# Shell: the RUN lines of those Dockerfiles and some tricky shapes.
for f in dockerfiles:
    for line in open(f, encoding="utf-8", errors="replace").read().split("\nRUN ")[1:]:
        put("shell", line.split("\n\n")[0][:4096])
for seed in [
    "apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*",
    "X=$(curl -fsSL https://x | sh) bash -euxc 'for i in 1 2; do echo \"$i\"; done' || true",
    "case $a in (x) su -c \"sh -c 'id'\" ;; *) `echo hi` ;; esac <<-EOF\n\tbody\n\tEOF\n",
    "{ (cd /x && make) } | xargs -0 nohup timeout 5 env A=1 exec sh -c \"chmod 777 /\"",
]:
    put("shell", seed)

# daemon.json
for seed in [
    '{\n  "icc": true,\n  "log-level": "debug",\n  "live-restore": true,\n  "log-level": "info"\n}\n',
    '{"default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}}, "hosts": ["tcp://0.0.0.0:2375"]}',
    '{"a": [1, -0.5e10, null, false, "\\u00e9\\ud83d\\ude00\\n"], "b": {}}',
    "[]",
]:
    put("daemon_json", seed)

# dockerd command lines (NUL-separated, as in /proc/PID/cmdline).
for argv in [
    ["/usr/bin/dockerd", "-H", "unix:///var/run/docker.sock", "--host=tcp://0.0.0.0:2375",
     "--config-file", "/etc/docker/daemon.json", "--icc=false"],
    ["dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock", "--tlsverify",
     "--default-ulimit", "nofile=1024:4096", "--log-opt", "max-size=10m", "-D", "--userns-remap=default"],
    ["dockerd", "--live-restore=false", "--", "--bogus", "-dH", "tcp://1.2.3.4"],
]:
    put("dockerd_args", "\0".join(argv) + "\0")

# systemd units (drop-ins after NUL bytes) and environment files.
for seed in [
    "[Unit]\nDescription=Docker\n\n[Service]\nExecStart=/usr/bin/dockerd -H fd://\n",
    "[Service]\nEnvironment=\"A=1\" B=two\nEnvironmentFile=-/etc/default/docker\n"
    "ExecStart=/usr/bin/dockerd $DOCKER_OPTS ${A} \\\n  --icc=false\n"
    "\0[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H unix:///var/run/docker.sock --debug\n",
    "DOCKER_OPTS=\"--icc=false -H tcp://0.0.0.0:2375\"\n# comment\nexport X='y z'\nY=a\\\nb\n",
]:
    put("systemd", seed)

# audit rules.
for seed in [
    "-D\n-b 8192\n-w /usr/bin/dockerd -p rwxa -k docker\n",
    "# docker\n-a always,exit -F arch=b64 -S all -F path=/usr/bin/containerd -F perm=wa -k docker\n"
    "-a exit,always -F dir=/etc/docker -F perm=wa -k docker\n",
    "-w /var/lib/docker/ -p wa\n-a never,task\n-e 2\n-w \"/etc/default/docker\" -k x -k y\n",
]:
    put("audit_rules", seed)

# /proc tables and account files.
for seed in [
    "Num       RefCount Protocol Flags    Type St Inode Path\n"
    "0000000000000000: 00000002 00000000 00010000 0001 01 4711 /var/run/docker.sock\n"
    "0000000000000000: 00000003 00000000 00000000 0001 03 4713 @abstract\n",
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4712 1 0000000000000000 100 0 0 10 0\n",
    "   0: 00000000000000000000000000000000:0947 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4712 1\n",
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "40 27 254:16 / /var/lib/docker rw,relatime shared:1 - xfs /dev/vdb rw\n"
    "41 27 0:5 /x /mnt/with\\040space rw - tmpfs tmpfs rw\n",
    "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n+nis\nalice:x:1000:1000::/home/alice:/bin/sh\n",
    "root:x:0:\ndocker:x:999:alice,bob\n",
    "Name:\tdockerd\nUid:\t0\t0\t0\t0\nSeccomp:\t2\n",
    "0::/system.slice/docker.service\n1:name=systemd:/system.slice/containerd.service\n",
    "socket:[4711]",
    "CONFIG_SECCOMP=y\n# CONFIG_X is not set\nCONFIG_SECCOMP_FILTER=y\n",
]:
    put("procfs", seed)

# Inspect documents: the fixtures' base document merged with each case, as the rule tests do.
fixtures = os.path.join(ROOT, "crates/rules/tests/fixtures")
base_path = os.path.join(fixtures, "base.inspect.json")
base = json.load(open(base_path)) if os.path.exists(base_path) else {}
put("inspect", json.dumps(base))
for f in files("crates/rules/tests/fixtures/*.json"):
    try:
        doc = json.load(open(f))
    except ValueError:
        continue
    for case in doc.get("cases", []) if isinstance(doc, dict) else []:
        if "inspect" in case:
            put("inspect", json.dumps(merge(base, case["inspect"])))

# Baselines: the CLI's JSON reports, and small ones with located and custom failures.
for path in files("crates/cli/tests/data/snapshot.report.json"):
    put("baseline", open(path, "rb").read())
put("baseline", json.dumps({
    "schema_version": 1, "tool": {"name": "dockward", "version": "0"},
    "results": [
        {"rule": "DF0001", "name": "rule", "status": "fail", "target": {"kind": "dockerfile", "name": "Dockerfile"},
         "message": "runs as root", "location": {"path": "Dockerfile", "line": 9, "column": 1}},
        {"rule": "CT0006", "name": "rule", "status": "fail", "target": {"kind": "container", "name": "gone"}, "message": "x"},
        {"rule": "custom/ORG001", "name": "custom/ORG001", "status": "fail", "target": {"kind": "container", "name": "app"},
         "message": "team images", "waived": {"reason": "r", "at": "dockward.toml:1:1"}},
    ],
    "baseline": {"path": "older.json", "known": 0, "new": 0},
}))

# Snapshots: the CLI's test snapshot and the fixtures' snapshot cases merged onto it.
snapshot_path = os.path.join(ROOT, "crates/cli/tests/data/snapshot.json")
if os.path.exists(snapshot_path):
    snapshot = json.load(open(snapshot_path))
    put("snapshot", json.dumps(snapshot))
    for f in files("crates/rules/tests/fixtures/*.json"):
        try:
            doc = json.load(open(f))
        except ValueError:
            continue
        for case in doc.get("cases", []) if isinstance(doc, dict) else []:
            if isinstance(case.get("snapshot"), dict):
                put("snapshot", json.dumps(merge(snapshot, case["snapshot"])))


# Request bodies: the docker CLI's create body and the Go-decoding bypass shapes.
body_seeds = [open(f, "rb").read() for f in files("crates/collect/tests/data/requests/*.json")]
body_seeds += [
    b'{"hostconfig":{"privileged":true}}',
    b'{"HostConfig":{"Privileged":true},"hostConfig":{"Privil\\u0065ged":false}} trailing',
    b'{"HostConfig":{"Mounts":[{"Type":"bind","Source":"/"},{}],"Mounts":[{}],"Mounts":[{},{"Target":"/x"}]}}',
    b'{"Privileged":true,"Binds":["/:/h:ro,rshared"],"Cpuset":"0","Memory":5}',
    b'{"HostConfig":{"Ma\xc5\xbfkedPaths":[],"\xe2\x84\xaaernelMemory":1,"CapAdd":"ALL","ConsoleSize":[1,2,3]}}',
    b'{"Image":"\\ud800\\udc00\\ud800x\xff","Labels":{"a":null},"HostConfig":{"PortBindings":{"80/tcp":null}}}',
    b'{"Name":"v","Driver":"local","DriverOpts":{"type":"none","o":"bind","device":"/etc"}}',
    b'{"Privileged":true,"User":"root","Cmd":["sh"]}',
    b'{"PidsLimit":-1,"MemorySwap":-1,"RestartPolicy":{"Name":"always"}}',
    b'{"TaskTemplate":{"ContainerSpec":{"Privileges":{"Seccomp":{"Mode":"custom","Profile":"e30="}},"Mounts":[{"Type":"volume"}]},"Networks":[{"Target":"host"}]},"EndpointSpec":{"Ports":[{"TargetPort":80,"PublishMode":"host"}]}}',
]
for seed in body_seeds:
    put("gojson", seed)
    put("create_workload", seed)

# Image archives: small `docker save` layouts.
def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, kind, data in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(data)
                info.mode = 0o4755 if name.endswith("su") else 0o644
                t.addfile(info, io.BytesIO(data))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o1777
                t.addfile(info)
            elif kind == "sym":
                info.type = tarfile.SYMTYPE
                info.linkname = data
                t.addfile(info)
            elif kind == "link":
                info.type = tarfile.LNKTYPE
                info.linkname = data
                t.addfile(info)
    return buf.getvalue()


layer1 = tar_bytes([
    ("etc/", "dir", b""),
    ("etc/passwd", "file", b"root:x:0:0:root:/root:/bin/sh\n"),
    ("root/.ssh/id_rsa", "file", b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
    ("bin/su", "file", b"\x7fELF"),
    ("tmp/", "dir", b""),
    ("etc/alt", "sym", "../etc/passwd"),
])
layer2 = tar_bytes([
    ("etc/.wh.passwd", "file", b""),
    ("app/.env", "file", b"AWS_SECRET_ACCESS_KEY=abc\n"),
    ("app/hard", "link", "bin/su"),
])
manifest = json.dumps([{"Config": "config.json", "RepoTags": ["x:1"], "Layers": ["l1/layer.tar", "l2/layer.tar"]}]).encode()
put("image_tar", tar_bytes([
    ("config.json", "file", b"{}"),
    ("l1/layer.tar", "file", layer1),
    ("l2/layer.tar", "file", layer2),
    ("manifest.json", "file", manifest),
]))
put("image_tar", tar_bytes([
    ("manifest.json", "file", json.dumps([{"Layers": ["blobs/sha256/aa"]}]).encode()),
    ("blobs/sha256/aa", "file", layer1),
]))
put("image_tar", b"")

# Engine API requests (flags byte, method, URI, header lines, empty line, body).
create = '{"Image":"alpine","HostConfig":{"Privileged":true,"Binds":["/:/host"]}}'
for flags, method, uri, headers, body in [
    (1, "POST", "/v1.41/containers/create?name=x", ["Content-Type: application/json"], create),
    (1, "POST", "http://localhost/v1.41.0/containers/%63reate", ["Content-Type: Application/JSON; charset=UTF-8"], create),
    (0, "POST", "//containers//./x/../create/?x=/auth", ["Content-Length: 2097152"], ""),
    (3, "POST", "/v1.23/containers/abc/start", ["Content-Type: application/json", "Transfer-Encoding: chunked"], create),
    (1, "POST", "/containers/web/exec", ["Content-Type: application/json"], '{"Cmd":["sh"],"Privileged":true}'),
    (1, "POST", "/v1.39/containers/web/update", ["Content-Type: application/json"], '{"PidsLimit":-1}'),
    (0, "POST", "/build?networkmode=host&remote=http://127.0.0.1/x&version=2", ["Content-Type: application/x-tar"], ""),
    (0, "GET", "/_ping", ["Upgrade: h2c", "Connection: Upgrade"], ""),
    (0, "POST", "/plugins/dockward:latest/disable?force=1", [], ""),
    (0, "DELETE", "/plugins/x", [], ""),
    (0, "POST", "/plugins/pull?remote=a%2Fb&name=c+d", [], ""),
    (1, "POST", "/services/s1/update?version=3", ["Content-Type: application/json"], '{"TaskTemplate":{}}'),
    (0, "PRI", "*", [], ""),
]:
    put("request_route", bytes([flags]) + "\n".join([method, uri] + headers).encode() + b"\n\n" + body.encode())

# YAML: every compose file, manifest and JSON document the tests use, plus the shapes the tree
# treats specially (anchors, merge keys, tags, several documents).
for f in files("crates/*/tests/**/*.yaml", "crates/*/tests/**/*.yml", "crates/*/tests/**/*.json"):
    with open(f, "rb") as fh:
        data = fh.read()
    if len(data) <= 64 * 1024:
        put("yaml", data)
for text in [
    "x: &a {k: 1, l: [1, 2]}\ny:\n  <<: *a\n  k: 2\n",
    "a: &a [1]\nb: &b [*a, *a]\nc: [*b, *b]\n",
    "a: !reset []\nb: !override {c: !!str 1}\n--- \nd: yes\n...\n",
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ptrace\"]}]}",
]:
    put("yaml", text)

# Seccomp profiles and daemon.json files linted on their own: the lint fixtures, the rule
# fixtures' profiles, and a few shapes the readers treat specially.
for f in files("crates/collect/tests/data/seccomp/*.json", "crates/collect/tests/data/daemon-json/*.json"):
    put("seccomp_profile", open(f, "rb").read())
for f in files("crates/rules/tests/fixtures/SC*.json"):
    for case in json.load(open(f))["cases"]:
        put("seccomp_profile", "\n".join(case["profile"]))
for text in [
    '{"DefaultAction": "SCMP_ACT_ALLOW", "Syscalls": [{"name": "mount", "action": "SCMP_ACT_ERRNO"}]}',
    '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [null]}',
    '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [], "SYSCALLS": []}',
    '{"architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}',
    '{"icc": "no", "hosts": "tcp://0.0.0.0:2375", "icc": true}\r\n',
]:
    put("seccomp_profile", text)

# Kubernetes manifests: the loader's test fixtures and a few odd shapes.
for f in files("crates/collect/tests/data/kubernetes/*"):
    put("kubernetes", open(f, "rb").read())
for seed in [
    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: c}\n  spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: a}]}}}}}\n",
    "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: &sc {runAsUser: 0}\n  containers:\n  - name: a\n    securityContext: *sc\n    resources: {limits: {memory: 1e3, cpu: 100m}}\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
    '{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"hostPort":80}]}]}}',
]:
    put("kubernetes", seed)

# Compose projects: the loader's fixtures (a file, or a file NUL its override NUL its .env), and a
# few shapes it treats specially.
compose_dir = os.path.join(ROOT, "crates/collect/tests/data/compose")
for f in files("crates/collect/tests/data/compose/**/*.yaml", "crates/collect/tests/data/compose/**/*.yml"):
    data = open(f, "rb").read()
    if len(data) <= 64 * 1024:
        put("compose", data)
for base, override, env in [("merge/compose.yaml", "merge/compose.override.yaml", "interp/.env")]:
    parts = [open(os.path.join(compose_dir, p), "rb").read() for p in (base, override, env)]
    put("compose", b"\0".join(parts))
for seed in [
    "services:\n  a:\n    image: ${IMG:-x}\n    network_mode: service:b\n    volumes_from: [b]\n  b:\n    extends: c\n    volumes: [./d:/d]\n  c:\n    pid: host\n\0services:\n  a:\n    ports: !override [\"80:80\"]\n    cap_add: !reset []\n\0IMG=y\n",
    "include:\n  - compose.override.yaml\nservices:\n  a:\n    extends: {file: compose.override.yaml, service: b}\n\0services:\n  b:\n    privileged: $$A\n",
]:
    put("compose", seed)

# Policy files: every TOML block of docs/policy.md (the complete example, the snippets) and a
# few invalid ones, so the fuzzer starts from every key and every kind of error.
policy_doc = open(os.path.join(ROOT, "docs/policy.md"), encoding="utf-8").read()
for block in policy_doc.split("```toml\n")[1:]:
    put("policy_file", block.split("\n```", 1)[0] + "\n")
for seed in [
    'profile = 3\n[rules]\nenable = ["host-pdi", "containers", "custom/ORG1"]\nseverity = { CT0006 = "hgh" }\n',
    '[[waiver]]\nrules = []\nlabels = ["=x", "a=[b", "k"]\npaths = ["**/{a,b}/*.yaml"]\nexpires = "2027-01-01"\n',
    '[[waiver]]\nrules = ["CT0015"]\nreason = "r"\nexpires = 2027-02-29\n[options]\nmin-pids-limit = 0x10\n',
    'waiver = [{ rules = ["host-pid"], reason = "r", expires = 2027-06-30T10:00:00Z }]\n[waiver]\n',
]:
    put("policy_file", seed)

# Rego modules: the blocks of docs/rego.md, and the modules the rego tests compile.
rego_doc = open(os.path.join(ROOT, "docs/rego.md")).read()
blocks = [b.split("\n```")[0] for b in rego_doc.split("```rego\n")[1:]]
for b in blocks:
    put("rego_module", b)
if len(blocks) >= 3:
    put("rego_module", blocks[0] + "\n" + blocks[2])
for seed in [
    'package dockward.custom\ndeny contains {"id": "X", "message": "m"} if { 1 / 0 }\n',
    'package dockward.custom\nwarn contains {"id": "W", "message": concat("", ["a", "b"]), "severity": "info"} if true\n',
    'package team\ndeny contains 1 if true\n',
    'package dockward.custom\ndeny contains {"id": "X" if {\n',
]:
    put("rego_module", seed)

for target in sorted(os.listdir(CORPUS)):
    print(f"{target}: {len(os.listdir(os.path.join(CORPUS, target)))} seeds", file=sys.stderr)
