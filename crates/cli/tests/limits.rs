//! `--timeout` and `--deadline` through the binary, against fake daemons on unix sockets that
//! freeze: the run must end, with `error` for what was not collected. The limits are small (1 s)
//! so the run ends soon; the assertions are on the outcome, not the duration.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A socket in a fresh directory, removed when dropped.
struct Socket {
    path: PathBuf,
}

impl Drop for Socket {
    fn drop(&mut self) {
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn socket(name: &str) -> (Socket, UnixListener) {
    let dir = std::env::temp_dir().join(format!("dockward-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("docker.sock");
    let listener = UnixListener::bind(&path).unwrap();
    (Socket { path }, listener)
}

/// Serves requests on one connection: `/_ping`, the container list (after which it freezes),
/// and nothing else — any other request is held unanswered, like a frozen daemon.
fn serve_until_frozen(stream: UnixStream, frozen: Arc<AtomicBool>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
        }
        let path = request_line.split(' ').nth(1).unwrap_or_default().to_string();
        let body = match path.as_str() {
            _ if frozen.load(Ordering::SeqCst) => None,
            "/_ping" => Some("OK".to_string()),
            "/containers/json" | "/containers/json?all=1" => {
                frozen.store(true, Ordering::SeqCst);
                Some(r#"[{"Id":"c0","Names":["/web"]},{"Id":"c1","Names":["/db"]}]"#.to_string())
            }
            _ => None,
        };
        let Some(body) = body else {
            // Hold the connection open, unanswered, until the client gives up on it.
            let mut rest = String::new();
            let _ = reader.read_line(&mut rest);
            return;
        };
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

fn dockward(socket: &Socket, args: &[&str]) -> Output {
    let host_root = socket.path.parent().unwrap().join("host");
    std::fs::create_dir_all(&host_root).unwrap();
    Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(args)
        .args(["-H", &format!("unix://{}", socket.path.display())])
        .args(["--host-root", &host_root.display().to_string()])
        .env_remove("DOCKER_HOST")
        .output()
        .unwrap()
}

#[test]
fn a_daemon_that_never_answers_ends_the_run_with_exit_2() {
    let (socket, listener) = socket("never");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let out = dockward(&socket, &["audit", "--timeout", "1", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "GET /_ping to unix://{}: no answer within 1 s",
            socket.path.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_daemon_that_freezes_after_the_list_ends_the_run_with_errors_for_the_containers() {
    let (socket, listener) = socket("frozen");
    let frozen = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let frozen = Arc::clone(&frozen);
            std::thread::spawn(move || serve_until_frozen(stream, frozen));
        }
    });
    let out = dockward(
        &socket,
        &["audit", "--timeout", "1", "--deadline", "20", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let endpoint = format!("unix://{}", socket.path.display());
    for (name, id) in [("web", "c0"), ("db", "c1")] {
        let path = format!("/containers/{id}/json");
        let allowed = [
            format!("could not inspect: GET {path} to {endpoint}: no answer within 1 s"),
            format!(
                "could not inspect: GET {path} not sent: the daemon at {endpoint} stopped answering \
                 (no answer to GET /_ping within 1 s)"
            ),
        ];
        let results: Vec<&serde_json::Value> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["target"]["kind"] == "container" && r["target"]["name"] == name)
            .collect();
        assert!(!results.is_empty(), "no result for {name}");
        for result in results {
            assert_eq!(result["status"], "error", "{result}");
            let message = result["message"].as_str().unwrap();
            assert!(allowed.iter().any(|a| a == message), "{message}");
        }
    }
}
