//! Live tests of enforcement: dockward's authorization plugin in front of a real dockerd
//! (Debian's docker.io 20.10) and `dockward proxy` in front of an un-protected one. Each insecure
//! setting and each bypass class is sent — through the docker CLI or as hand-built HTTP over the
//! daemon's unix socket — and the test checks the **effect** (nothing was created), not only the
//! status code. The daemons and the plugins are started by `scripts/test.sh` (or
//! `scripts/test-authz.sh`): see scripts/lib/enforcement.sh.
//!
//! Outside those scripts these tests print why they did not run; under `CI=true` a missing
//! daemon is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// These tests share daemons and read shared decision logs: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Every bounded wait in this file: long enough for a loaded CI machine, short enough that a
/// hang fails the run instead of stalling it.
const WAIT: Duration = Duration::from_secs(60);

struct Env {
    /// The daemon that asks the enforcing plugin (`dockward`, baseline).
    authz: String,
    /// Its directory (pid file, log) and its daemon.json.
    authz_log: PathBuf,
    /// The daemon that asks the plugin in audit mode (`dockward-audit`).
    audit: String,
    audit_log: PathBuf,
    /// Its TLS endpoint (client certificates required) and the certificates.
    audit_tls: String,
    certs: PathBuf,
    /// The daemon without a plugin, for the managed plugin, its directory and daemon.json.
    managed: String,
    managed_dir: PathBuf,
    managed_config: PathBuf,
    /// The un-protected daemon the proxy is put in front of.
    plain: String,
    image: String,
    work: PathBuf,
}

fn live_env() -> Option<Env> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(authz) = var("DOCKWARD_TEST_AUTHZ_HOST") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but DOCKWARD_TEST_AUTHZ_HOST is not set: the enforcement tests need the plugins and daemons of scripts/test.sh"
        );
        eprintln!(
            "enforcement live tests skipped: DOCKWARD_TEST_AUTHZ_HOST is not set (run scripts/test.sh)"
        );
        return None;
    };
    let managed_dir = PathBuf::from(var("DOCKWARD_TEST_MANAGED_DIR").expect("DOCKWARD_TEST_MANAGED_DIR"));
    let env = Env {
        authz,
        authz_log: var("DOCKWARD_TEST_AUTHZ_LOG")
            .expect("DOCKWARD_TEST_AUTHZ_LOG")
            .into(),
        audit: var("DOCKWARD_TEST_AUTHZ_AUDIT_HOST").expect("DOCKWARD_TEST_AUTHZ_AUDIT_HOST"),
        audit_log: var("DOCKWARD_TEST_AUTHZ_AUDIT_LOG")
            .expect("DOCKWARD_TEST_AUTHZ_AUDIT_LOG")
            .into(),
        audit_tls: var("DOCKWARD_TEST_AUTHZ_AUDIT_TLS").expect("DOCKWARD_TEST_AUTHZ_AUDIT_TLS"),
        certs: var("DOCKWARD_TEST_AUTHZ_CERTS")
            .expect("DOCKWARD_TEST_AUTHZ_CERTS")
            .into(),
        managed: format!("unix://{}/docker.sock", managed_dir.display()),
        managed_dir,
        managed_config: var("DOCKWARD_TEST_MANAGED_CONFIG")
            .expect("DOCKWARD_TEST_MANAGED_CONFIG")
            .into(),
        plain: var("DOCKWARD_TEST_DOCKER_HOST").expect("DOCKWARD_TEST_DOCKER_HOST"),
        image: var("DOCKWARD_TEST_IMAGE").expect("DOCKWARD_TEST_IMAGE"),
        work: var("DOCKWARD_TEST_WORKDIR")
            .expect("DOCKWARD_TEST_WORKDIR")
            .into(),
    };
    // A daemon that was promised but does not answer is a failure, never a skip.
    for host in [&env.authz, &env.audit, &env.managed, &env.plain] {
        let out = docker_output(host, &["version"]);
        assert!(
            out.status.success(),
            "daemon at {host} is unreachable: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Some(env)
}

fn socket_path(host: &str) -> String {
    host.strip_prefix("unix://").unwrap().to_string()
}

fn docker_output(host: &str, args: &[&str]) -> Output {
    Command::new("docker")
        .arg("-H")
        .arg(host)
        .args(args)
        // The classic builder: its options are in the query, where the plugin judges them.
        .env("DOCKER_BUILDKIT", "0")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap()
}

fn docker(host: &str, args: &[&str]) -> String {
    let out = docker_output(host, args);
    assert!(
        out.status.success(),
        "docker {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn container_exists(host: &str, name: &str) -> bool {
    !docker(host, &["ps", "-aq", "--filter", &format!("name=^/{name}$")]).is_empty()
}

fn volume_exists(host: &str, name: &str) -> bool {
    docker(host, &["volume", "ls", "-q"]).lines().any(|v| v == name)
}

/// Removes the containers whose names start with `prefix` (through `host`, which allows removal).
fn remove_containers(host: &str, prefix: &str) {
    let ids = docker(host, &["ps", "-aq", "--filter", &format!("name=^/{prefix}")]);
    if !ids.is_empty() {
        let mut args = vec!["rm", "-f"];
        args.extend(ids.lines());
        docker(host, &args);
    }
}

/// Where a request is judged: the plugin in front of its daemon, or the proxy in front of the
/// plain daemon.
struct Front<'a> {
    /// Golden file name part: "plugin" or "proxy".
    label: &'static str,
    /// What the docker CLI and the raw requests talk to.
    host: String,
    /// The daemon behind it, asked directly for the effect of a request.
    daemon: &'a str,
    /// Name of the plugin in denial messages.
    plugin: &'static str,
    work: &'a Path,
}

impl Front<'_> {
    fn socket(&self) -> String {
        socket_path(&self.host)
    }

    /// `{work}`, `{socket}` (the daemon's own socket) and `{socket_dir}` in scenario arguments.
    fn substitute(&self, text: &str) -> String {
        let socket = socket_path(self.daemon);
        let socket_dir = Path::new(&socket).parent().unwrap().display().to_string();
        text.replace("{socket_dir}", &socket_dir)
            .replace("{socket}", &socket)
            .replace("{work}", &self.work.display().to_string())
    }

    /// The reverse, so golden files do not hold this run's temporary paths.
    fn generalize(&self, text: &str) -> String {
        let socket = socket_path(self.daemon);
        let socket_dir = Path::new(&socket).parent().unwrap().display().to_string();
        text.replace(&socket, "{socket}")
            .replace(&socket_dir, "{socket_dir}")
            .replace(&self.work.display().to_string(), "{work}")
    }

    fn denial_prefix(&self) -> String {
        format!(
            "Error response from daemon: authorization denied by plugin {}: ",
            self.plugin
        )
    }
}

/// One `docker create` with one insecure setting.
struct Insecure {
    name: &'static str,
    args: &'static [&'static str],
    /// `--network` value (`none` unless the scenario is about the network).
    network: &'static str,
    /// The Linux security module the setting turns off (`apparmor`, `selinux`). On a daemon
    /// without it, the audit judges the setting not applicable, and so does enforcement (one
    /// rule set): the create is allowed there.
    lsm: Option<&'static str>,
}

const fn insecure(name: &'static str, args: &'static [&'static str]) -> Insecure {
    Insecure {
        name,
        args,
        network: "none",
        lsm: None,
    }
}

impl Insecure {
    /// Whether `daemon` must deny it (see [`Insecure::lsm`]).
    fn denied_on(&self, daemon: &str) -> bool {
        self.lsm.is_none_or(|lsm| {
            docker(daemon, &["info", "-f", "{{json .SecurityOptions}}"]).contains(&format!("name={lsm}"))
        })
    }
}

/// Every setting the baseline profile denies, in the spellings users and tools write. The
/// `dwdonor-*` containers and volume exist on the daemon (scripts/lib/enforcement.sh; for the
/// proxy, [`make_donors`]).
const INSECURE: &[Insecure] = &[
    insecure("privileged", &["--privileged"]),
    insecure("cap-sys-admin", &["--cap-add", "SYS_ADMIN"]),
    insecure("cap-lower-prefixed", &["--cap-add", "cap_sys_admin"]),
    insecure("cap-all", &["--cap-add", "ALL"]),
    insecure("bind-root", &["-v", "/:/host"]),
    insecure("bind-etc", &["-v", "/etc:/x"]),
    insecure("bind-dot-dot", &["-v", "/tmp/../etc:/x"]),
    insecure("bind-slashes", &["-v", "//etc//:/x"]),
    insecure("mount-var-run", &["--mount", "type=bind,src=/var/run,dst=/x"]),
    insecure("docker-socket", &["-v", "{socket}:/var/run/docker.sock"]),
    insecure("docker-socket-dir", &["-v", "{socket_dir}:/daemon"]),
    insecure("bind-symlink", &["-v", "{work}/etc-link:/x"]),
    insecure("pid-host", &["--pid", "host"]),
    insecure("ipc-host", &["--ipc", "host"]),
    Insecure {
        name: "network-host",
        args: &[],
        network: "host",
        lsm: None,
    },
    insecure("uts-host", &["--uts", "host"]),
    insecure("userns-host", &["--userns", "host"]),
    insecure("cgroupns-host", &["--cgroupns", "host"]),
    insecure("seccomp-unconfined", &["--security-opt", "seccomp=unconfined"]),
    insecure("seccomp-legacy-colon", &["--security-opt", "seccomp:unconfined"]),
    insecure(
        "seccomp-allow-all",
        &["--security-opt", "seccomp={work}/allow-all.json"],
    ),
    Insecure {
        name: "apparmor-unconfined",
        args: &["--security-opt", "apparmor=unconfined"],
        network: "none",
        lsm: Some("apparmor"),
    },
    Insecure {
        name: "label-disable",
        args: &["--security-opt", "label=disable"],
        network: "none",
        lsm: Some("selinux"),
    },
    insecure(
        "systempaths-unconfined",
        &["--security-opt", "systempaths=unconfined"],
    ),
    insecure("device", &["--device", "/dev/null:/dev/xnull"]),
    insecure("device-cgroup-rule", &["--device-cgroup-rule", "c 1:3 rmw"]),
    insecure("cgroup-parent", &["--cgroup-parent", "/dockward-test"]),
    insecure("sysctl-kernel", &["--sysctl", "kernel.msgmax=65536"]),
    insecure("volume-bind-backed", &["-v", "dwdonor-etcvol:/x"]),
    insecure(
        "mount-inline-bind-volume",
        &[
            "--mount",
            "type=volume,src=dwauthz-inline,dst=/x,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc",
        ],
    ),
    insecure("volumes-from", &["--volumes-from", "dwdonor-etc"]),
    insecure("pid-join-host", &["--pid", "container:dwdonor-hostpid"]),
    insecure("ipc-join-host", &["--ipc", "container:dwdonor-hostipc"]),
    Insecure {
        name: "network-join-host",
        args: &[],
        network: "container:dwdonor-hostnetwork",
        lsm: None,
    },
];

/// Files the scenarios refer to under `{work}`.
fn prepare_work(work: &Path) {
    let link = work.join("etc-link");
    if std::fs::symlink_metadata(&link).is_err() {
        std::os::unix::fs::symlink("/etc", &link).unwrap();
    }
    std::fs::write(
        work.join("allow-all.json"),
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}"#,
    )
    .unwrap();
}

fn create_args(front: &Front<'_>, image: &str, scenario: &Insecure, prefix: &str) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "create".into(),
        "--name".into(),
        format!("{prefix}{}", scenario.name),
        format!("--network={}", scenario.network),
        // On cgroup v1 (this VM) an unset cgroup namespace mode is the host's, which baseline
        // denies: every scenario but cgroupns-host asks for a private one, so it differs from an
        // allowed container in its one setting (a later --cgroupns wins).
        "--cgroupns=private".into(),
    ];
    args.extend(scenario.args.iter().map(|a| front.substitute(a)));
    args.extend([image.to_string(), "sleep".into(), "86400".into()]);
    args
}

/// Sends every [`INSECURE`] create through `front`; each must be denied with the plugin's
/// message and leave no container behind. Returns `name: message` lines for the golden file.
fn deny_insecure_creates(front: &Front<'_>, image: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for scenario in INSECURE {
        let name = format!("dwauthz-{}", scenario.name);
        let args = create_args(front, image, scenario, "dwauthz-");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = docker_output(&front.host, &refs);
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if !scenario.denied_on(front.daemon) {
            if !out.status.success() {
                problems.push(format!(
                    "{name}: denied on a daemon without {:?}: {stderr}",
                    scenario.lsm
                ));
            }
            docker(&front.host, &["rm", "-f", &name]);
            lines.push(format!(
                "{}: allowed: the daemon has no {} (not applicable, as in the audit)",
                scenario.name,
                scenario.lsm.unwrap_or_default()
            ));
            continue;
        }
        if out.status.success() {
            problems.push(format!(
                "{name}: allowed ({})",
                String::from_utf8_lossy(&out.stdout).trim()
            ));
        } else if !stderr.starts_with(&front.denial_prefix()) {
            problems.push(format!("{name}: not denied by the plugin: {stderr}"));
        }
        if container_exists(front.daemon, &name) {
            problems.push(format!("{name}: the container exists"));
        }
        lines.push(format!("{}: {}", scenario.name, front.generalize(&stderr)));
    }
    assert!(problems.is_empty(), "{}:\n{}", front.label, problems.join("\n"));
    assert!(
        !volume_exists(front.daemon, "dwauthz-inline"),
        "the denied inline bind-backed volume was created"
    );
    lines
}

/// The other state changes baseline denies, through the CLI: a privileged exec, a classic build
/// on the host network, and disabling a plugin.
fn deny_other_commands(front: &Front<'_>, image: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let target = "dwauthz-exec-target";
    docker(
        &front.host,
        &[
            "run",
            "-d",
            "--name",
            target,
            "--network",
            "none",
            "--cgroupns",
            "private",
            image,
            "sleep",
            "86400",
        ],
    );
    let denied = |what: &str, out: Output, lines: &mut Vec<String>| {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert!(!out.status.success(), "{what} was allowed");
        // The classic builder prints its own prefix; the plugin's message is the last line.
        let last = stderr.lines().last().unwrap_or_default().to_string();
        assert!(last.starts_with(&front.denial_prefix()), "{what}: {stderr}");
        lines.push(format!("{what}: {}", front.generalize(&last)));
    };
    denied(
        "exec-privileged",
        docker_output(&front.host, &["exec", "--privileged", target, "true"]),
        &mut lines,
    );
    let inspect = docker(front.daemon, &["inspect", "-f", "{{json .ExecIDs}}", target]);
    assert_eq!(inspect, "null", "the privileged exec was created: {inspect}");

    let context = front.work.join("build-context");
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(context.join("Dockerfile"), format!("FROM {image}\nRUN true\n")).unwrap();
    let tag = "dwauthz-build-host-network:1";
    denied(
        "build-network-host",
        docker_output(
            &front.host,
            &["build", "--network", "host", "-t", tag, context.to_str().unwrap()],
        ),
        &mut lines,
    );
    let images = docker(front.daemon, &["images", "-q", tag]);
    assert!(images.is_empty(), "the denied build tagged {tag}: {images}");

    // No managed plugin of that name exists: the plugin answers before the daemon's handler.
    denied(
        "plugin-disable",
        docker_output(&front.host, &["plugin", "disable", "dockward"]),
        &mut lines,
    );
    docker(&front.host, &["rm", "-f", target]);
    lines
}

/// One HTTP/1.1 response, read to the end (requests say `Connection: close`).
struct Response {
    status: u16,
    body: Vec<u8>,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).trim().to_string())
    }
}

/// Sends `request` as written over the unix socket and reads the whole answer (bounded).
fn raw(socket: &str, request: Vec<u8>) -> Response {
    raw_pipelined(socket, request, 1).pop().unwrap()
}

/// Sends `requests` (several, back to back on one connection) and reads `count` answers.
fn raw_pipelined(socket: &str, requests: Vec<u8>, count: usize) -> Vec<Response> {
    let stream = UnixStream::connect(socket).unwrap_or_else(|e| panic!("connect {socket}: {e}"));
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.set_write_timeout(Some(WAIT)).unwrap();
    // The server may answer (and stop reading) before a large body is written: write on the side.
    let mut writer = stream.try_clone().unwrap();
    let write = std::thread::spawn(move || {
        let _ = writer.write_all(&requests);
    });
    let mut reader = BufReader::new(stream);
    let responses = (0..count).map(|_| read_response(&mut reader)).collect();
    write.join().unwrap();
    responses
}

fn read_response(reader: &mut BufReader<UnixStream>) -> Response {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP status line: {status_line:?}"));
    let mut length = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim();
            if key.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if key.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        reader.read_exact(&mut body).unwrap();
    } else if status != 204 && status != 304 {
        reader.read_to_end(&mut body).unwrap();
    }
    Response { status, body }
}

/// A request on a connection that stays open (for pipelining).
fn keep_alive(method: &str, target: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut bytes = request(method, target, headers, body);
    let close = b"Connection: close\r\n";
    let at = bytes.windows(close.len()).position(|w| w == close).unwrap();
    bytes.drain(at..at + close.len());
    bytes
}

/// A request with a `Content-Length` body; `headers` are whole header lines.
fn request(method: &str, target: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n");
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// The same body sent chunked, in pieces of `piece` bytes, with no length header.
fn chunked_request(target: &str, body: &[u8], piece: usize) -> Vec<u8> {
    let mut bytes = format!(
        "POST {target} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(piece) {
        bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        bytes.extend_from_slice(chunk);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    bytes
}

const JSON: &str = "Content-Type: application/json";

/// A body of more than 1 MiB: dockerd 20.10 shows the plugin an empty body but creates the
/// container from the full one.
fn oversized(image: &str) -> Vec<u8> {
    let pad = "x".repeat(1_100_000);
    format!(r#"{{"Image":"{image}","Cmd":["sleep","86400"],"Labels":{{"pad":"{pad}"}},"HostConfig":{{"Privileged":true,"NetworkMode":"none"}}}}"#)
        .into_bytes()
}

/// One bypass attempt: the raw request and the container name whose absence proves the denial.
struct Bypass {
    name: &'static str,
    request: Vec<u8>,
}

fn bypasses(image: &str) -> Vec<Bypass> {
    let create = |name: &str| format!("/v1.41/containers/create?name=dwauthz-raw-{name}");
    let body = |host_config: &str| {
        format!(r#"{{"Image":"{image}","Cmd":["sleep","86400"],{host_config}}}"#).into_bytes()
    };
    let privileged = body(r#""HostConfig":{"Privileged":true,"NetworkMode":"none"}"#);
    let post = |name: &'static str, headers: &[&str], body: &[u8]| Bypass {
        name,
        request: request("POST", &create(name), headers, body),
    };
    vec![
        post("privileged", &[JSON], &privileged),
        Bypass {
            name: "chunked",
            request: chunked_request(&create("chunked"), &privileged, 7),
        },
        post(
            "lower-case-keys",
            &[JSON],
            &body(r#""hostconfig":{"privileged":true,"networkmode":"none"}"#),
        ),
        post(
            "duplicate-key-last-wins",
            &[JSON],
            &body(r#""HostConfig":{"Privileged":false,"NetworkMode":"none","Privileged":true}"#),
        ),
        post(
            "duplicate-hostconfig-merged",
            &[JSON],
            &body(r#""HostConfig":{"Privileged":true},"HostConfig":{"NetworkMode":"none"}"#),
        ),
        post(
            "duplicate-hostconfig-case-variants",
            &[JSON],
            &body(r#""hostconfig":{"Binds":["/etc:/x"]},"HostConfig":{"NetworkMode":"none"}"#),
        ),
        post(
            "escaped-key",
            &[JSON],
            &body(r#""HostConfig":{"Privil\u0065ged":true,"NetworkMode":"none"}"#),
        ),
        post(
            "top-level-hostconfig-fields",
            &[JSON],
            &body(r#""Privileged":true,"Binds":["/etc:/x"],"NetworkMode":"none""#),
        ),
        post(
            "lower-case-mounts",
            &[JSON],
            &body(
                r#""HostConfig":{"NetworkMode":"none","mounts":[{"type":"bind","source":"/etc","target":"/x"}]}"#,
            ),
        ),
        post(
            "inline-bind-volume",
            &[JSON],
            &body(
                r#""HostConfig":{"NetworkMode":"none","Mounts":[{"Type":"volume","Source":"dwauthz-raw-vol","Target":"/x","VolumeOptions":{"DriverConfig":{"Name":"local","Options":{"type":"none","o":"bind","device":"/etc"}}}}]}"#,
            ),
        ),
        post("oversized", &[JSON], &oversized(image)),
        Bypass {
            name: "oversized-chunked",
            request: chunked_request(&create("oversized-chunked"), &oversized(image), 64 * 1024),
        },
        post(
            "content-type-parameters",
            &["Content-Type: application/json; charset=utf-8"],
            &privileged,
        ),
        post(
            "content-type-case",
            &["Content-Type: Application/JSON"],
            &privileged,
        ),
        post(
            "content-type-duplicated",
            &[JSON, "Content-Type: text/plain"],
            &privileged,
        ),
        Bypass {
            name: "percent-encoded-path",
            request: request(
                "POST",
                "/v1.41/containers/%63reate?name=dwauthz-raw-percent-encoded-path",
                &[JSON],
                &privileged,
            ),
        },
        Bypass {
            name: "three-part-version",
            request: request(
                "POST",
                "/v1.41.0/containers/create?name=dwauthz-raw-three-part-version",
                &[JSON],
                &privileged,
            ),
        },
        Bypass {
            name: "no-version",
            request: request(
                "POST",
                "/containers/create?name=dwauthz-raw-no-version",
                &[JSON],
                &privileged,
            ),
        },
        Bypass {
            name: "absolute-form",
            request: request(
                "POST",
                "http://docker/v1.41/containers/create?name=dwauthz-raw-absolute-form",
                &[JSON],
                &privileged,
            ),
        },
        Bypass {
            name: "auth-in-query",
            request: request(
                "POST",
                "/v1.41/containers/create?name=dwauthz-raw-auth-in-query&x=/auth",
                &[JSON],
                &privileged,
            ),
        },
    ]
}

/// Sends each bypass to `front`; each must be denied (403 with the plugin's message) and leave
/// no container behind. Then the API-version, volume and service bypasses, which need state.
fn deny_bypasses(front: &Front<'_>, image: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let socket = front.socket();
    let prefix = format!("authorization denied by plugin {}: ", front.plugin);
    let mut judge = |name: &str, response: &Response, problems: &mut Vec<String>| {
        let message = response.message();
        if response.status != 403 || !message.starts_with(&prefix) {
            problems.push(format!("{name}: status {}: {message}", response.status));
        }
        lines.push(format!(
            "raw-{name}: {} {}",
            response.status,
            front.generalize(&message)
        ));
    };
    for bypass in bypasses(image) {
        let response = raw(&socket, bypass.request);
        judge(bypass.name, &response, &mut problems);
        let name = format!("dwauthz-raw-{}", bypass.name);
        if container_exists(front.daemon, &name) {
            problems.push(format!("{name}: the container exists"));
        }
    }
    if volume_exists(front.daemon, "dwauthz-raw-vol") {
        problems.push("dwauthz-raw-vol: the inline bind-backed volume was created".into());
    }

    // Legacy start (API < 1.24) with a HostConfig: judged like a create, and the existing
    // container keeps its own settings.
    let target = "dwauthz-raw-legacy-start";
    docker(
        &front.host,
        &[
            "create",
            "--name",
            target,
            "--network",
            "none",
            "--cgroupns",
            "private",
            image,
            "sleep",
            "86400",
        ],
    );
    let response = raw(
        &socket,
        request(
            "POST",
            &format!("/v1.23/containers/{target}/start"),
            &[JSON],
            br#"{"Privileged":true,"Binds":["/etc:/x"],"NetworkMode":"none"}"#,
        ),
    );
    judge("legacy-start", &response, &mut problems);
    let state = docker(
        front.daemon,
        &[
            "inspect",
            "-f",
            "{{.State.Status}} {{.HostConfig.Privileged}} {{json .HostConfig.Binds}}",
            target,
        ],
    );
    if state != "created false null" {
        problems.push(format!(
            "{target}: the legacy start changed the container: {state}"
        ));
    }
    docker(&front.host, &["rm", "-f", target]);

    // A local volume bound to a host path is that bind.
    let response = raw(
        &socket,
        request(
            "POST",
            "/v1.41/volumes/create",
            &[JSON],
            br#"{"Name":"dwauthz-raw-bind-volume","Driver":"local","DriverOpts":{"type":"none","o":"bind","device":"/etc"}}"#,
        ),
    );
    judge("volume-create-bind", &response, &mut problems);
    if volume_exists(front.daemon, "dwauthz-raw-bind-volume") {
        problems.push("dwauthz-raw-bind-volume: the volume exists".into());
    }

    // Pipelined on one keep-alive connection: each request is judged on its own.
    let privileged = format!(
        r#"{{"Image":"{image}","Cmd":["sleep","86400"],"HostConfig":{{"Privileged":true,"NetworkMode":"none"}}}}"#
    )
    .into_bytes();
    let ordinary = format!(
        r#"{{"Image":"{image}","Cmd":["sleep","86400"],"HostConfig":{{"NetworkMode":"none","CgroupnsMode":"private"}}}}"#
    );
    let mut requests = keep_alive(
        "POST",
        "/v1.41/containers/create?name=dwauthz-raw-pipelined-ordinary",
        &[JSON],
        ordinary.as_bytes(),
    );
    requests.extend(keep_alive(
        "POST",
        "/v1.41/containers/create?name=dwauthz-raw-pipelined-privileged",
        &[JSON],
        &privileged,
    ));
    requests.extend(request("GET", "/v1.41/containers/json?all=1", &[], b""));
    let answers = raw_pipelined(&socket, requests, 3);
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    if statuses != [201, 403, 200] {
        problems.push(format!("pipelined: statuses {statuses:?} (want [201, 403, 200])"));
    }
    judge("pipelined-privileged", &answers[1], &mut problems);
    if container_exists(front.daemon, "dwauthz-raw-pipelined-privileged")
        || !container_exists(front.daemon, "dwauthz-raw-pipelined-ordinary")
    {
        problems.push("pipelined: the wrong container was created".into());
    }

    // Swarm services: these daemons are not swarm managers (a second swarm on this machine
    // would need the gossip port the swarm test holds), so a request the plugin passes gets the
    // daemon's 503 and a denied one the plugin's 403 before the handler runs. (On cgroup v1 every
    // service is denied: a task cannot ask for a private cgroup namespace.)
    let service = |spec: &str| {
        format!(
            r#"{{"Name":"dwauthz-service","TaskTemplate":{{"ContainerSpec":{{"Image":"{image}",{spec}}}}}}}"#
        )
        .into_bytes()
    };
    let response = raw(&socket, request("GET", "/v1.41/services", &[], b""));
    if response.status != 503 {
        problems.push(format!(
            "GET /services was not passed to the daemon: {} {}",
            response.status,
            response.message()
        ));
    }
    let response = raw(
        &socket,
        request(
            "POST",
            "/v1.41/services/create",
            &[JSON],
            &service(
                r#""CapabilityAdd":["CAP_SYS_ADMIN"],"Mounts":[{"Type":"bind","Source":"/etc","Target":"/x"}]"#,
            ),
        ),
    );
    judge("service-create", &response, &mut problems);

    assert!(problems.is_empty(), "{}:\n{}", front.label, problems.join("\n"));
    lines
}

/// A container hardened the way the profiles ask: allowed, and it runs.
fn run_hardened(front: &Front<'_>, image: &str, name: &str) {
    docker(
        &front.host,
        &[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            "none",
            "--cgroupns",
            "private",
            "--user",
            "10001:10001",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--pids-limit",
            "64",
            "--memory",
            "64m",
            "--read-only",
            image,
            "sleep",
            "86400",
        ],
    );
    assert_eq!(
        docker(front.daemon, &["inspect", "-f", "{{.State.Running}}", name]),
        "true"
    );
    docker(&front.host, &["rm", "-f", name]);
    assert!(
        !container_exists(front.daemon, name),
        "removal through {} was not done",
        front.label
    );
}

fn plugin_front(env: &Env) -> Front<'_> {
    Front {
        label: "plugin",
        host: env.authz.clone(),
        daemon: &env.authz,
        plugin: "dockward",
        work: &env.work,
    }
}

#[test]
fn plugin_denies_each_insecure_setting_and_creates_nothing() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let front = plugin_front(&env);
    prepare_work(&env.work);
    remove_containers(&env.authz, "dwauthz-");
    let mut lines = deny_insecure_creates(&front, &env.image);
    lines.extend(deny_other_commands(&front, &env.image));
    common::golden(
        "live_authz",
        "live_authz_plugin_cli.txt",
        (lines.join("\n") + "\n").as_bytes(),
    );
}

#[test]
fn plugin_denies_bypasses_sent_as_raw_http() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let front = plugin_front(&env);
    remove_containers(&env.authz, "dwauthz-");
    let lines = deny_bypasses(&front, &env.image);
    common::golden(
        "live_authz",
        "live_authz_plugin_raw.txt",
        (lines.join("\n") + "\n").as_bytes(),
    );
}

#[test]
fn plugin_allows_a_hardened_container_and_reads() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let front = plugin_front(&env);
    remove_containers(&env.authz, "dwauthz-");
    run_hardened(&front, &env.image, "dwauthz-hardened");
    // Reads and ordinary state changes pass: list, inspect, pull-free image ops, a volume.
    docker(&env.authz, &["ps", "-a"]);
    docker(&env.authz, &["image", "inspect", &env.image]);
    docker(&env.authz, &["volume", "create", "dwauthz-plain-volume"]);
    docker(&env.authz, &["volume", "rm", "dwauthz-plain-volume"]);
}

/// The decision log's lines, parsed.
fn decisions(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("decision log line is not JSON ({e}): {line}"))
        })
        .collect()
}

/// The last create decision for container `name`.
fn create_decision<'a>(log: &'a [Value], name: &str) -> Option<&'a Value> {
    log.iter().rev().find(|d| {
        d["container"] == name
            && d["method"] == "POST"
            && d["route"]
                .as_str()
                .is_some_and(|r| r.ends_with("/containers/create"))
    })
}

/// The decision log once it holds a create decision for each of `names` (the plugin writes it
/// on its own thread, so a line may land just after the answer): bounded.
fn decisions_for(path: &Path, names: &[String]) -> Vec<Value> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let log = if path.exists() {
            decisions(path)
        } else {
            Vec::new()
        };
        let missing: Vec<&String> = names
            .iter()
            .filter(|name| create_decision(&log, name).is_none())
            .collect();
        if missing.is_empty() {
            return log;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} has no create decision for {missing:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rule_ids(decision: &Value) -> Vec<String> {
    decision["rules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| r["id"].as_str().or(r.as_str()).unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn audit_mode_allows_and_logs_what_enforce_denies() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    prepare_work(&env.work);
    remove_containers(&env.audit, "dwaudit-");
    // Donors for the joins and VolumesFrom: audit mode lets them be created.
    make_donors(&env.audit, &env.image);
    let front = Front {
        label: "audit",
        host: env.audit.clone(),
        daemon: &env.audit,
        plugin: "dockward-audit",
        work: &env.work,
    };
    for scenario in INSECURE {
        let args = create_args(&front, &env.image, scenario, "dwaudit-");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        docker(&env.audit, &refs);
    }
    // The enforcing plugin judged the same requests in the test above (or now).
    let enforce_front = plugin_front(&env);
    prepare_work(&env.work);
    remove_containers(&env.authz, "dwauthz-");
    deny_insecure_creates(&enforce_front, &env.image);

    let audited: Vec<String> = INSECURE.iter().map(|s| format!("dwaudit-{}", s.name)).collect();
    let enforced: Vec<String> = INSECURE.iter().map(|s| format!("dwauthz-{}", s.name)).collect();
    let audit_log = decisions_for(&env.audit_log, &audited);
    let enforce_log = decisions_for(&env.authz_log, &enforced);
    let mut problems = Vec::new();
    for scenario in INSECURE {
        let name = format!("dwaudit-{}", scenario.name);
        let Some(audited) = create_decision(&audit_log, &name) else {
            problems.push(format!("{name}: no create decision in the audit log"));
            continue;
        };
        let denied = scenario.denied_on(&env.authz);
        let (would, want_enforced) = if denied {
            ("would-deny", "deny")
        } else {
            ("allow", "allow")
        };
        if audited["verdict"] != would {
            problems.push(format!("{name}: verdict {} (want {would})", audited["verdict"]));
        }
        let enforced = create_decision(&enforce_log, &format!("dwauthz-{}", scenario.name));
        let want = enforced.map(rule_ids).unwrap_or_default();
        if (denied && want.is_empty()) || rule_ids(audited) != want {
            problems.push(format!(
                "{name}: audit logged rules {:?}, enforce denied with {want:?}",
                rule_ids(audited)
            ));
        }
        if enforced.map(|d| &d["verdict"]) != Some(&Value::from(want_enforced)) {
            problems.push(format!(
                "dwauthz-{}: enforce log verdict {:?}",
                scenario.name,
                enforced.map(|d| &d["verdict"])
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Everything was created: audit mode changes nothing.
    for scenario in INSECURE {
        assert!(container_exists(
            &env.audit,
            &format!("dwaudit-{}", scenario.name)
        ));
    }
    remove_containers(&env.audit, "dwaudit-");
    remove_containers(&env.audit, "dwdonor-");
    let _ = docker_output(&env.audit, &["volume", "rm", "-f", "dwdonor-etcvol"]);
}

#[test]
fn the_decision_log_names_the_tls_user() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_containers(&env.audit, "dwaudit-tls-");
    // dockerd passes the client certificate's CN (dw_make_tls: dockward-client) to the plugin.
    let out = Command::new("docker")
        .args([
            "-H",
            &env.audit_tls,
            "create",
            "--name",
            "dwaudit-tls-user",
            "--network",
            "none",
        ])
        .args(["--cgroupns", "private", "--privileged", &env.image, "sleep", "1"])
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", &env.certs)
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let log = decisions_for(&env.audit_log, &["dwaudit-tls-user".to_string()]);
    let decision = create_decision(&log, "dwaudit-tls-user").unwrap();
    assert_eq!(decision["user"], "dockward-client");
    assert_eq!(decision["authn"], "TLS");
    assert_eq!(decision["verdict"], "would-deny");
    assert!(rule_ids(decision).contains(&"CT0006".to_string()), "{decision}");
    // Over the unix socket there is no user: the field is left out.
    docker(
        &env.audit,
        &[
            "create",
            "--name",
            "dwaudit-tls-none",
            "--network",
            "none",
            "--cgroupns",
            "private",
            &env.image,
            "sleep",
            "1",
        ],
    );
    let log = decisions_for(&env.audit_log, &["dwaudit-tls-none".to_string()]);
    let decision = create_decision(&log, "dwaudit-tls-none").unwrap();
    assert_eq!(decision["user"], Value::Null);
    assert_eq!(decision["verdict"], "allow");
    remove_containers(&env.audit, "dwaudit-tls-");
}

/// What the enforcing plugin's daemon holds from its setup (scripts/lib/enforcement.sh), made on
/// a daemon that allows it.
fn make_donors(host: &str, image: &str) {
    remove_containers(host, "dwdonor-");
    let _ = docker_output(host, &["volume", "rm", "-f", "dwdonor-etcvol"]);
    docker(
        host,
        &[
            "create",
            "--name",
            "dwdonor-etc",
            "--network",
            "none",
            "--cgroupns",
            "private",
            "-v",
            "/etc:/donor-etc",
            image,
            "sleep",
            "86400",
        ],
    );
    docker(
        host,
        &[
            "volume",
            "create",
            "--driver",
            "local",
            "--opt",
            "type=none",
            "--opt",
            "o=bind",
            "--opt",
            "device=/etc",
            "dwdonor-etcvol",
        ],
    );
    docker(
        host,
        &[
            "run",
            "-d",
            "--name",
            "dwdonor-hostnetwork",
            "--network",
            "host",
            image,
            "sleep",
            "86400",
        ],
    );
    for ns in ["pid", "ipc", "uts"] {
        docker(
            host,
            &[
                "run",
                "-d",
                "--name",
                &format!("dwdonor-host{ns}"),
                "--network",
                "none",
                "--cgroupns",
                "private",
                &format!("--{ns}"),
                "host",
                image,
                "sleep",
                "86400",
            ],
        );
    }
}

/// `dockward proxy` as a child process, killed on drop.
struct Proxy {
    child: Child,
    host: String,
    log: PathBuf,
}

impl Proxy {
    fn start(env: &Env, name: &str, extra: &[&str]) -> Proxy {
        let socket = env.work.join(format!("{name}.sock"));
        let log = env.work.join(format!("{name}.decisions.log"));
        let _ = std::fs::remove_file(&socket);
        let stderr = std::fs::File::create(env.work.join(format!("{name}.stderr"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_dockward"))
            .arg("proxy")
            .arg("--listen")
            .arg(format!("unix://{}", socket.display()))
            .arg("--upstream")
            .arg(&env.plain)
            .arg("--decision-log")
            .arg(&log)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut proxy = Proxy {
            child,
            host: format!("unix://{}", socket.display()),
            log,
        };
        // Wait (bounded) until it accepts connections; fail at once if it exited.
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if UnixStream::connect(&socket).is_ok() {
                return proxy;
            }
            if let Some(status) = proxy.child.try_wait().unwrap() {
                let stderr =
                    std::fs::read_to_string(env.work.join(format!("{name}.stderr"))).unwrap_or_default();
                panic!("dockward proxy exited ({status}) before listening: {stderr}");
            }
            assert!(
                std::time::Instant::now() < deadline,
                "dockward proxy did not listen on {}",
                socket.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn proxy_front<'a>(env: &'a Env, proxy: &Proxy) -> Front<'a> {
    Front {
        label: "proxy",
        host: proxy.host.clone(),
        daemon: &env.plain,
        plugin: "dockward",
        work: &env.work,
    }
}

#[test]
fn proxy_denies_the_same_settings_and_bypasses() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    prepare_work(&env.work);
    remove_containers(&env.plain, "dwauthz-");
    make_donors(&env.plain, &env.image);
    let proxy = Proxy::start(&env, "proxy-baseline", &[]);
    let front = proxy_front(&env, &proxy);
    let mut lines = deny_insecure_creates(&front, &env.image);
    lines.extend(deny_other_commands(&front, &env.image));
    common::golden(
        "live_authz",
        "live_authz_proxy_cli.txt",
        (lines.join("\n") + "\n").as_bytes(),
    );
    let lines = deny_bypasses(&front, &env.image);
    common::golden(
        "live_authz",
        "live_authz_proxy_raw.txt",
        (lines.join("\n") + "\n").as_bytes(),
    );
    run_hardened(&front, &env.image, "dwauthz-hardened");
    // Every denial was logged.
    let names: Vec<String> = INSECURE.iter().map(|s| format!("dwauthz-{}", s.name)).collect();
    let log = decisions_for(&proxy.log, &names);
    for scenario in INSECURE {
        let name = format!("dwauthz-{}", scenario.name);
        let decision =
            create_decision(&log, &name).unwrap_or_else(|| panic!("{name}: not in the proxy's decision log"));
        let want = if scenario.denied_on(&env.plain) {
            "deny"
        } else {
            "allow"
        };
        assert_eq!(decision["verdict"], want, "{name}");
    }
    remove_containers(&env.plain, "dwdonor-");
    remove_containers(&env.plain, "dwauthz-");
    let _ = docker_output(&env.plain, &["volume", "rm", "-f", "dwdonor-etcvol"]);
}

/// Reads lines of `child`'s stdout on a thread, so waiting for one is bounded.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

fn wait_for_line(lines: &mpsc::Receiver<String>, want: &str, what: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.trim() == want => return,
            Ok(_) => continue,
            Err(_) => panic!("{what}: no line {want:?} within {WAIT:?}"),
        }
    }
}

/// `script` gives the docker CLI a terminal, as `-it` needs.
fn with_tty(command: &str) -> Output {
    Command::new("timeout")
        .arg(WAIT.as_secs().to_string())
        .args(["script", "-qec", command, "/dev/null"])
        .env("DOCKER_BUILDKIT", "0")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn proxy_passes_terminals_attach_logs_builds_and_events() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_containers(&env.plain, "dwproxy-");
    let proxy = Proxy::start(&env, "proxy-streams", &[]);
    let host = proxy.host.as_str();
    let image = env.image.as_str();
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .saturating_sub(1);

    // docker run -it: a terminal inside, output back through the hijacked connection.
    let out = with_tty(&format!(
        "docker -H {host} run -it --rm --name dwproxy-tty --network none --cgroupns private {image} sh -c 'echo tty-ok; tty'"
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "docker run -it: {text}");
    assert!(
        text.contains("tty-ok") && text.contains("/dev/pts/0"),
        "docker run -it: {text}"
    );

    // docker exec -it into a running container.
    docker(
        host,
        &[
            "run",
            "-d",
            "--name",
            "dwproxy-target",
            "--network",
            "none",
            "--cgroupns",
            "private",
            image,
            "sleep",
            "86400",
        ],
    );
    let out = with_tty(&format!(
        "docker -H {host} exec -it dwproxy-target sh -c 'echo exec-ok; tty'"
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("exec-ok") && text.contains("/dev/pts/"),
        "docker exec -it: {text}"
    );

    // docker attach: stdin in, output out, through the upgraded connection.
    docker(
        host,
        &[
            "create",
            "-i",
            "--name",
            "dwproxy-attach",
            "--network",
            "none",
            "--cgroupns",
            "private",
            image,
            "sh",
            "-c",
            "read x; echo got-$x",
        ],
    );
    docker(host, &["start", "dwproxy-attach"]);
    let mut attach = Command::new("docker")
        .args(["-H", host, "attach", "dwproxy-attach"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let attached = lines_of(&mut attach);
    attach.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    wait_for_line(&attached, "got-hello", "docker attach");
    let _ = attach.wait();

    // docker logs -f: a line written after the follow started arrives.
    docker(
        host,
        &[
            "run",
            "-d",
            "--name",
            "dwproxy-logs",
            "--network",
            "none",
            "--cgroupns",
            "private",
            image,
            "sh",
            "-c",
            "echo log-one; exec sleep 86400",
        ],
    );
    let mut logs = Command::new("docker")
        .args(["-H", host, "logs", "-f", "dwproxy-logs"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let followed = lines_of(&mut logs);
    wait_for_line(&followed, "log-one", "docker logs -f");
    docker(
        host,
        &["exec", "dwproxy-logs", "sh", "-c", "echo log-two > /proc/1/fd/1"],
    );
    wait_for_line(&followed, "log-two", "docker logs -f");
    let _ = logs.kill();
    let _ = logs.wait();

    // docker build (classic: the context is a tar body the proxy streams).
    let context = env.work.join("proxy-build");
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(
        context.join("Dockerfile"),
        format!("FROM {image}\nCOPY hello /hello\nRUN cat /hello\n"),
    )
    .unwrap();
    std::fs::write(context.join("hello"), "built-through-the-proxy\n").unwrap();
    let out = docker_output(
        host,
        &["build", "-t", "dwproxy-built:1", context.to_str().unwrap()],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("built-through-the-proxy"),
        "docker build: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    docker(&env.plain, &["image", "inspect", "dwproxy-built:1"]);
    docker(&env.plain, &["rmi", "dwproxy-built:1"]);

    // docker events: streamed from before the test's own containers, until the attach one died.
    let mut events = Command::new("docker")
        .args([
            "-H",
            host,
            "events",
            "--since",
            &start.to_string(),
            "--filter",
            "container=dwproxy-attach",
            "--format",
            "{{.Action}}",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let streamed = lines_of(&mut events);
    wait_for_line(&streamed, "create", "docker events");
    wait_for_line(&streamed, "die", "docker events");
    let _ = events.kill();
    let _ = events.wait();
    // Bounded with --until, the stream ends by itself.
    let until = docker(
        host,
        &[
            "events",
            "--since",
            &start.to_string(),
            "--until",
            "0s",
            "--filter",
            "container=dwproxy-target",
            "--format",
            "{{.Action}}",
        ],
    );
    assert!(
        until.lines().any(|l| l == "start"),
        "docker events --until: {until}"
    );

    remove_containers(host, "dwproxy-");
}

#[test]
fn restricted_proxy_requires_a_non_root_limited_container() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_containers(&env.plain, "dwrestricted-");
    let proxy = Proxy::start(&env, "proxy-restricted", &["--profile", "restricted"]);
    let front = Front {
        label: "restricted",
        host: proxy.host.clone(),
        daemon: &env.plain,
        plugin: "dockward",
        work: &env.work,
    };
    // Docker's defaults (root from the image, no limits) are not enough under restricted.
    let out = docker_output(
        &front.host,
        &[
            "create",
            "--name",
            "dwrestricted-defaults",
            "--network",
            "none",
            "--cgroupns",
            "private",
            &env.image,
            "sleep",
            "86400",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert!(stderr.starts_with(&front.denial_prefix()), "{stderr}");
    assert!(!container_exists(&env.plain, "dwrestricted-defaults"));
    run_hardened(&front, &env.image, "dwrestricted-hardened");
    common::golden(
        "live_authz",
        "live_authz_restricted.txt",
        (front.generalize(&stderr) + "\n").as_bytes(),
    );
}

/// Sets the managed daemon's authorization plugins (daemon.json + SIGHUP) and waits until it
/// has reloaded them.
fn managed_reload(env: &Env, plugins: &[&str]) {
    let log = env.managed_dir.join("dockerd.log");
    let count = || {
        std::fs::read_to_string(&log)
            .unwrap()
            .matches("Reloaded configuration")
            .count()
    };
    let before = count();
    std::fs::write(
        &env.managed_config,
        serde_json::json!({ "authorization-plugins": plugins }).to_string(),
    )
    .unwrap();
    let pid = std::fs::read_to_string(env.managed_dir.join("docker.pid")).unwrap();
    let status = Command::new("kill").args(["-HUP", pid.trim()]).status().unwrap();
    assert!(status.success());
    // dockerd swaps the chain before it logs the reload (a missing plugin is looked up ~30 s).
    let deadline = std::time::Instant::now() + WAIT;
    while count() == before {
        assert!(
            std::time::Instant::now() < deadline,
            "dockerd did not reload {}",
            env.managed_config.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Takes the managed plugin out of the chain and removes it, whatever the test left.
struct ManagedCleanup<'a>(&'a Env);

impl Drop for ManagedCleanup<'_> {
    fn drop(&mut self) {
        managed_reload(self.0, &[]);
        let _ = docker_output(&self.0.managed, &["plugin", "rm", "-f", "dockward-managed"]);
        remove_containers(&self.0.managed, "dwmanaged-");
    }
}

#[test]
fn managed_plugin_denies_and_refuses_its_own_disable() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let dir = env.work.join("managed-plugin");
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(["authz", "package"])
        .arg(&dir)
        // Mounted into the plugin for its lookups: this daemon's socket.
        .arg("--docker-socket")
        .arg(socket_path(&env.managed))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dockward authz package: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("config.json").is_file() && dir.join("rootfs").is_dir());
    let _cleanup = ManagedCleanup(&env);
    docker(
        &env.managed,
        &["plugin", "create", "dockward-managed", dir.to_str().unwrap()],
    );
    docker(&env.managed, &["plugin", "enable", "dockward-managed"]);
    managed_reload(&env, &["dockward-managed"]);

    // dockerd names a managed plugin with its tag.
    let prefix = "Error response from daemon: authorization denied by plugin dockward-managed:latest: ";
    let out = docker_output(
        &env.managed,
        &[
            "create",
            "--name",
            "dwmanaged-privileged",
            "--network",
            "none",
            "--cgroupns",
            "private",
            "--privileged",
            &env.image,
            "sleep",
            "1",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with(prefix), "privileged create: {stderr}");
    assert!(!container_exists(&env.managed, "dwmanaged-privileged"));
    // An ordinary container is fine.
    docker(
        &env.managed,
        &[
            "create",
            "--name",
            "dwmanaged-ordinary",
            "--network",
            "none",
            "--cgroupns",
            "private",
            &env.image,
            "sleep",
            "1",
        ],
    );

    // dockerd would drop a disabled managed plugin from the chain until restart: refused.
    for args in [
        &["plugin", "disable", "dockward-managed"][..],
        &["plugin", "disable", "-f", "dockward-managed"][..],
        &["plugin", "rm", "-f", "dockward-managed"][..],
        &["plugin", "set", "dockward-managed", "DOCKWARD_MODE=audit"][..],
    ] {
        let out = docker_output(&env.managed, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(prefix), "docker {}: {stderr}", args.join(" "));
    }
    assert_eq!(
        docker(
            &env.managed,
            &["plugin", "inspect", "-f", "{{.Enabled}}", "dockward-managed"]
        ),
        "true"
    );
    let out = docker_output(
        &env.managed,
        &[
            "create",
            "--name",
            "dwmanaged-after",
            "--network",
            "none",
            "--cgroupns",
            "private",
            "--privileged",
            &env.image,
            "sleep",
            "1",
        ],
    );
    assert!(
        !out.status.success(),
        "the plugin stopped judging after the disable attempts"
    );
    assert!(!container_exists(&env.managed, "dwmanaged-after"));
}

#[test]
fn audit_reports_dockwards_plugin_as_the_authorization_plugin() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let out = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args([
            "audit",
            "--only",
            "daemon",
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
        .env("DOCKER_HOST", &env.authz)
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "DA0012")
        .expect("a DA0012 result");
    assert_eq!(result["status"], "pass");
    assert_eq!(
        result["message"],
        "dockward's authorization plugin checks client requests: dockward"
    );
}

/// `dockward authz serve` on its own socket name, as a child process; killed on drop.
struct SocketPlugin {
    child: Child,
    socket: PathBuf,
}

impl SocketPlugin {
    fn start(env: &Env, name: &str) -> SocketPlugin {
        SocketPlugin::start_with(env, name, &[])
    }

    /// With more flags (`--policy FILE`).
    fn start_with(env: &Env, name: &str, extra: &[&str]) -> SocketPlugin {
        let socket = PathBuf::from(format!("/run/docker/plugins/{name}.sock"));
        assert!(
            UnixStream::connect(&socket).is_err(),
            "another process serves {}",
            socket.display()
        );
        let child = Command::new(env!("CARGO_BIN_EXE_dockward"))
            .args(["authz", "serve", "--socket"])
            .arg(&socket)
            .arg("--docker-host")
            .arg(&env.managed)
            .arg("--decision-log")
            .arg(env.work.join(format!("{name}.decisions.log")))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut plugin = SocketPlugin { child, socket };
        let deadline = std::time::Instant::now() + WAIT;
        while UnixStream::connect(&plugin.socket).is_err() {
            if let Some(status) = plugin.child.try_wait().unwrap() {
                panic!("dockward authz serve exited ({status}) before serving");
            }
            assert!(std::time::Instant::now() < deadline, "the plugin did not serve");
            std::thread::sleep(Duration::from_millis(20));
        }
        plugin
    }

    /// SIGTERM, as systemd stops it; it removes its socket.
    fn stop(&mut self) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = self.child.wait().unwrap();
        assert!(status.success(), "SIGTERM: {status}");
        assert!(!self.socket.exists(), "the plugin left its socket behind");
    }
}

impl Drop for SocketPlugin {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = std::fs::remove_file(&self.socket);
        }
    }
}

/// Takes every plugin out of the managed daemon's chain, whatever the test left.
struct ChainCleanup<'a>(&'a Env);

impl Drop for ChainCleanup<'_> {
    fn drop(&mut self) {
        managed_reload(self.0, &[]);
    }
}

#[test]
fn a_plugin_that_is_down_fails_closed_until_it_is_taken_out_of_the_chain() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let mut plugin = SocketPlugin::start(&env, "dockward-failclosed");
    let _cleanup = ChainCleanup(&env);
    managed_reload(&env, &["dockward-failclosed"]);
    docker(&env.managed, &["ps"]);

    plugin.stop();
    // dockerd retries the plugin for about 30 s, then refuses the request: fail-closed.
    let out = Command::new("timeout")
        .args(["120", "docker", "-H", &env.managed, "ps"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "docker ps worked while the plugin was down"
    );
    assert!(
        stderr.starts_with("Error response from daemon: plugin dockward-failclosed failed with error: "),
        "{stderr}"
    );

    // The documented break-glass: take it out of authorization-plugins and reload.
    managed_reload(&env, &[]);
    docker(&env.managed, &["ps"]);
}

/// The policy file the plugin enforces with: a Rego rule, a waiver in force and an expired one.
const LIVE_POLICY: &str = r#"rego = ["policies/*.rego"]

[[waiver]]
rules = ["host-pid"]
containers = ["node-exporter-*"]
reason = "node-exporter reads host processes"
expires = 2999-12-31

[[waiver]]
rules = ["host-pid"]
containers = ["legacy-agent-*"]
reason = "the legacy agent, until its replacement ships"
expires = 2020-06-30
"#;

const LIVE_MODULE: &str = r#"package dockward.live

import rego.v1

deny contains {"id": "DW001", "message": sprintf("image %s is retired", [input.workload.image.value])} if {
	input.kind == "container"
	startswith(input.workload.image.value, "dwpolicy/retired")
}
"#;

/// Removes the managed daemon's policy test containers and takes the plugin out of its chain.
struct PolicyCleanup<'a>(&'a Env);

impl Drop for PolicyCleanup<'_> {
    fn drop(&mut self) {
        managed_reload(self.0, &[]);
        for prefix in ["node-exporter-", "legacy-agent-", "dwpolicy-"] {
            remove_containers(&self.0.managed, prefix);
        }
        let _ = docker_output(&self.0.managed, &["rmi", "dwpolicy/retired:1"]);
    }
}

/// What `docker run` printed of a denial: the daemon's error line, without `docker: ` and the
/// hint to run `--help` that follows it.
fn run_error(out: &Output) -> String {
    assert!(!out.status.success(), "docker run succeeded");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    first.strip_prefix("docker: ").unwrap_or(first).to_string()
}

fn run_detached(host: &str, name: &str, image: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "none",
        "--cgroupns",
        "private",
    ];
    args.extend(extra);
    args.extend([image, "sleep", "86400"]);
    docker_output(host, &args)
}

#[test]
fn the_plugin_enforces_the_policy_file_rego_rules_and_waivers() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let dir = env.work.join("policy-live");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    let policy = dir.join("dockward.toml");
    std::fs::write(&policy, LIVE_POLICY).unwrap();
    std::fs::write(dir.join("policies/live.rego"), LIVE_MODULE).unwrap();
    for prefix in ["node-exporter-", "legacy-agent-", "dwpolicy-"] {
        remove_containers(&env.managed, prefix);
    }
    // Tagged while no plugin is in the chain.
    docker(&env.managed, &["tag", &env.image, "dwpolicy/retired:1"]);
    let plugin = SocketPlugin::start_with(&env, "dockward-policy", &["--policy", policy.to_str().unwrap()]);
    let _cleanup = PolicyCleanup(&env);
    managed_reload(&env, &["dockward-policy"]);
    let prefix = "Error response from daemon: authorization denied by plugin dockward-policy: ";
    let log = env.work.join("dockward-policy.decisions.log");
    let position = |line: u32| format!("{}:{line}:1", policy.display());

    // A Rego rule denies a real `docker run`; nothing is created.
    let out = run_detached(&env.managed, "dwpolicy-retired", "dwpolicy/retired:1", &[]);
    assert_eq!(
        run_error(&out),
        format!(
            "{prefix}POST /containers/create (name dwpolicy-retired, image dwpolicy/retired:1) denied by \
             profile baseline: custom/DW001: image dwpolicy/retired:1 is retired"
        ),
    );
    assert!(!container_exists(&env.managed, "dwpolicy-retired"));
    let decision = create_decision(
        &decisions_for(&log, &["dwpolicy-retired".to_string()]),
        "dwpolicy-retired",
    )
    .cloned()
    .expect("the Rego denial is logged");
    assert_eq!(decision["verdict"], "deny");
    assert_eq!(decision["rules"][0]["id"], "custom/DW001");

    // The waiver lets node-exporter-1 share the host's PID namespace, and only it.
    let out = run_detached(&env.managed, "node-exporter-1", &env.image, &["--pid", "host"]);
    assert!(
        out.status.success(),
        "waived run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        docker(
            &env.managed,
            &[
                "inspect",
                "-f",
                "{{.HostConfig.PidMode}} {{.State.Running}}",
                "node-exporter-1"
            ]
        ),
        "host true"
    );
    let decision = create_decision(
        &decisions_for(&log, &["node-exporter-1".to_string()]),
        "node-exporter-1",
    )
    .cloned()
    .expect("the waived create is logged");
    assert_eq!(decision["verdict"], "allow");
    assert_eq!(decision["rules"][0]["id"], "CT0015");
    assert_eq!(
        decision["rules"][0]["waived"],
        serde_json::json!({
            "reason": "node-exporter reads host processes",
            "at": position(3),
            "expires": "2999-12-31",
        })
    );

    let out = run_detached(&env.managed, "dwpolicy-web", &env.image, &["--pid", "host"]);
    assert_eq!(
        run_error(&out),
        format!(
            "{prefix}POST /containers/create (name dwpolicy-web, image {}) denied by profile baseline: \
             CT0015 host-pid: container shares the host's PID namespace (fix: remove --pid=host)",
            env.image
        ),
    );
    assert!(!container_exists(&env.managed, "dwpolicy-web"));

    // An expired waiver allows nothing, and says so.
    let out = run_detached(&env.managed, "legacy-agent-1", &env.image, &["--pid", "host"]);
    assert_eq!(
        run_error(&out),
        format!(
            "{prefix}POST /containers/create (name legacy-agent-1, image {}) denied by profile baseline: \
             CT0015 host-pid: container shares the host's PID namespace (fix: remove --pid=host) \
             (note: the waiver at {} for CT0015 host-pid expired on 2020-06-30)",
            env.image,
            position(9)
        ),
    );
    assert!(!container_exists(&env.managed, "legacy-agent-1"));
    let decision = create_decision(
        &decisions_for(&log, &["legacy-agent-1".to_string()]),
        "legacy-agent-1",
    )
    .cloned()
    .expect("the expired waiver's denial is logged");
    assert_eq!(decision["verdict"], "deny");
    assert_eq!(decision["rules"][0]["waiver_expired"]["at"], position(9));
    drop(plugin);
}
