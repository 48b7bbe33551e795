//! `dockward authz serve` and `dockward proxy` as processes: startup refusals (exit 2), SIGHUP
//! re-reading the settings file, SIGTERM removing the socket.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("dockward-cli-authz-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn dockward() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dockward"))
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits (bounded) until `check` holds, retrying every 20 ms for up to 30 s.
fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..1500 {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting until {what}");
}

fn post(socket: &Path, path: &str, body: &str) -> std::io::Result<String> {
    let mut stream = UnixStream::connect(socket)?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: p\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

const READ: &str = r#"{"RequestMethod":"GET","RequestUri":"/v1.41/info"}"#;
/// A change to plugins, which both profiles deny; it needs no lookup.
const DISABLE: &str = r#"{"RequestMethod":"POST","RequestUri":"/v1.41/plugins/dockward/disable"}"#;

fn allowed(answer: &str) -> bool {
    answer.contains(r#""Allow":true"#)
}

fn serve(dir: &Dir, extra: &[&str]) -> Server {
    let socket = dir.join("p.sock");
    let child = dockward()
        .args(["authz", "serve", "--socket"])
        .arg(&socket)
        .args([
            "--docker-host",
            &format!("unix://{}", dir.join("none.sock").display()),
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let server = Server(child);
    wait_until("the plugin answers", || {
        post(&socket, "/Plugin.Activate", "").is_ok()
    });
    server
}

#[test]
fn serve_refuses_a_socket_another_process_serves() {
    let dir = Dir::new("inuse");
    let socket = dir.join("p.sock");
    let _other = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let out = dockward()
        .args(["authz", "serve", "--socket"])
        .arg(&socket)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "dockward: another process is serving {}; stop it first or choose another --socket\n",
            socket.display()
        )
    );
}

#[test]
fn proxy_refuses_a_remote_upstream() {
    let out = dockward()
        .args([
            "proxy",
            "--listen",
            "unix:///tmp/x.sock",
            "--upstream",
            "tcp://192.0.2.1:2375",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dockward: --upstream tcp://192.0.2.1:2375: the proxy forwards plain HTTP, so only 127.0.0.0/8 addresses and unix sockets are allowed\n"
    );
}

#[test]
fn a_bad_settings_file_stops_the_start() {
    let dir = Dir::new("badconf");
    let config = dir.join("authz.conf");
    std::fs::write(&config, "profile = strict\n").unwrap();
    let out = dockward()
        .args(["authz", "serve", "--socket"])
        .arg(dir.join("p.sock"))
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("dockward: {}:1: ", config.display())),
        "{stderr}"
    );
    assert!(!dir.join("p.sock").exists());
}

/// The managed plugin's config.json sets DOCKWARD_POLICY to "" (no policy) until the user sets
/// it: the plugin must start with it.
#[test]
fn an_empty_dockward_policy_names_no_policy() {
    let dir = Dir::new("empty-policy");
    let socket = dir.join("p.sock");
    let child = dockward()
        .args(["authz", "serve", "--socket"])
        .arg(&socket)
        .args([
            "--docker-host",
            &format!("unix://{}", dir.join("none.sock").display()),
        ])
        .env("DOCKWARD_POLICY", "")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    wait_until("the plugin answers or exits", || {
        post(&socket, "/Plugin.Activate", "").is_ok() || matches!(server.0.try_wait(), Ok(Some(_)))
    });
    assert!(
        matches!(server.0.try_wait(), Ok(None)),
        "the plugin exited: {}",
        std::io::read_to_string(server.0.stderr.take().unwrap()).unwrap()
    );
}

#[test]
fn sigterm_stops_cleanly_and_removes_the_socket() {
    let dir = Dir::new("term");
    let mut server = serve(&dir, &[]);
    signal(&server.0, "TERM");
    let status = server.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!dir.join("p.sock").exists());
}

#[test]
fn sighup_rereads_the_settings_file_and_reopens_the_log() {
    let dir = Dir::new("hup");
    let (first, second) = (dir.join("first.log"), dir.join("second.log"));
    let config = dir.join("authz.conf");
    std::fs::write(&config, format!("decision-log = {}\n", first.display())).unwrap();
    let server = serve(&dir, &["--config", config.to_str().unwrap()]);
    let socket = dir.join("p.sock");
    assert!(!allowed(
        &post(&socket, "/AuthZPlugin.AuthZReq", DISABLE).unwrap()
    ));
    post(&socket, "/AuthZPlugin.AuthZReq", READ).unwrap();
    wait_until("the first log has a line", || {
        std::fs::read_to_string(&first).is_ok_and(|t| t.contains(r#""mode":"enforce""#))
    });
    std::fs::write(
        &config,
        format!(
            "decision-log = {}\nmode = audit\nprofile = restricted\n",
            second.display()
        ),
    )
    .unwrap();
    signal(&server.0, "HUP");
    // Until the signal is handled, decisions still go to the first log: ask until one with the
    // new settings is in the second.
    let audited = |text: &str| {
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|r| r["mode"] == "audit")
    };
    wait_until("a decision is logged in the second log", || {
        post(&socket, "/AuthZPlugin.AuthZReq", READ).unwrap();
        std::fs::read_to_string(&second).is_ok_and(|t| audited(&t).is_some())
    });
    // Audit mode now: what was denied is allowed (and logged as would-deny).
    assert!(allowed(&post(&socket, "/AuthZPlugin.AuthZReq", DISABLE).unwrap()));
    wait_until("the would-deny is logged", || {
        std::fs::read_to_string(&second).is_ok_and(|t| t.contains(r#""verdict":"would-deny""#))
    });
    let record = audited(&std::fs::read_to_string(&second).unwrap()).unwrap();
    assert_eq!(record["mode"], "audit");
    assert_eq!(record["profile"], "restricted");
    assert_eq!(record["route"], "GET /info");
}

#[test]
fn the_proxy_socket_is_for_its_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = Dir::new("proxygroup");
    let socket = dir.join("proxy.sock");
    let child = dockward()
        .args(["proxy", "--group", "root", "--listen"])
        .arg(format!("unix://{}", socket.display()))
        .args([
            "--upstream",
            &format!("unix://{}", dir.join("none.sock").display()),
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    wait_until("the proxy listens", || UnixStream::connect(&socket).is_ok());
    let meta = std::fs::metadata(&socket).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    assert_eq!(meta.gid(), 0);
    signal(&server.0, "TERM");
    assert_eq!(server.0.wait().unwrap().code(), Some(0));
    assert!(!socket.exists());
}

#[test]
fn package_writes_a_managed_plugin() {
    let dir = Dir::new("package");
    let out = dockward()
        .args(["authz", "package"])
        .arg(dir.join("plugin"))
        .args([
            "--socket-name",
            "dw.sock",
            "--docker-socket",
            "/srv/docker.sock",
            "--mode",
            "audit",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plugin/config.json")).unwrap()).unwrap();
    assert_eq!(
        config["interface"],
        serde_json::json!({"types": ["docker.authz/1.0"], "socket": "dw.sock"})
    );
    assert_eq!(
        config["entrypoint"],
        serde_json::json!([
            "/dockward",
            "authz",
            "serve",
            "--socket",
            "/run/docker/plugins/dw.sock",
            "--host-root",
            "/host",
            "--docker-host",
            "unix:///run/docker.sock"
        ])
    );
    assert_eq!(config["network"]["type"], "none");
    assert_eq!(config["linux"]["capabilities"], serde_json::json!([]));
    let mounts: Vec<(String, String, serde_json::Value)> = config["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["source"].as_str().unwrap().into(),
                m["destination"].as_str().unwrap().into(),
                m["options"].clone(),
            )
        })
        .collect();
    assert_eq!(
        mounts,
        [
            (
                "/srv/docker.sock".into(),
                "/run/docker.sock".into(),
                serde_json::json!(["rbind", "rw"])
            ),
            ("/".into(), "/host".into(), serde_json::json!(["rbind", "ro"])),
        ]
    );
    let mode = config["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "DOCKWARD_MODE")
        .unwrap();
    assert_eq!(mode["value"], "audit");
    // The binary runs inside the rootfs alone: every library it links is there (chroot needs
    // root, as the tests run in CI; otherwise the binary's presence is what can be checked).
    let rootfs = dir.join("plugin/rootfs");
    assert!(rootfs.join("dockward").is_file());
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata("/proc/self").unwrap().uid() == 0 {
        let status = Command::new("chroot")
            .arg(&rootfs)
            .args(["/dockward", "--version"])
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    }
    // A second package into the same directory is refused.
    let again = dockward()
        .args(["authz", "package"])
        .arg(dir.join("plugin"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}
