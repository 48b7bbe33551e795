//! What the plugin and proxy tests share: a server of either kind on a fresh socket in this
//! process, and a raw HTTP/1.1 client (raw so tests can send exactly the bytes they mean).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use dockward_authz::engine::Engine;
use dockward_authz::lookup::{LookupConfig, Lookups};
use dockward_authz::proxy::Upstream;
use dockward_authz::settings::SettingsSource;
use dockward_collect::Endpoint;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

#[path = "../../../collect/tests/common/mod.rs"]
pub mod fake;

/// A directory removed when the test ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "dockward-authz-{tag}-{}-{}",
            std::process::id(),
            fake::rand_suffix()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server running in this process; stopped (and its socket removed) when dropped.
pub struct Running {
    pub socket: PathBuf,
    /// The engine deciding (its reload status, the state in force).
    pub engine: Arc<Engine>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn engine(settings: SettingsSource, docker: &Path, front: &'static str, host_root: &Path) -> Arc<Engine> {
    let lookups = Lookups::new(LookupConfig {
        endpoint: Endpoint::Unix {
            path: docker.to_path_buf(),
        },
        timeout: Duration::from_secs(5),
        host_root: host_root.to_path_buf(),
    });
    Arc::new(Engine::new(settings, lookups, front, Duration::from_secs(5)).unwrap())
}

/// The plugin on `socket`, looking things up in the daemon at `docker`.
pub fn plugin(socket: &Path, settings: SettingsSource, docker: &Path) -> Running {
    plugin_on_host(socket, settings, docker, Path::new("/"))
}

/// The plugin with the host's files under `host_root` (`--host-root`).
pub fn plugin_on_host(socket: &Path, settings: SettingsSource, docker: &Path, host_root: &Path) -> Running {
    let engine = engine(settings, docker, "plugin", host_root);
    let bound = dockward_authz::socket::bind(socket).unwrap();
    let serving = Arc::clone(&engine);
    let task = tokio::spawn(dockward_authz::server::run(
        bound,
        Arc::clone(&engine),
        move |stream, stopping| {
            dockward_authz::plugin::serve_connection(Arc::clone(&serving), stream, stopping)
        },
    ));
    Running {
        socket: socket.to_path_buf(),
        engine,
        task,
    }
}

/// The proxy on `socket` in front of the daemon at `upstream`.
pub fn proxy(socket: &Path, settings: SettingsSource, upstream: &Path) -> Running {
    let engine = engine(settings, upstream, "proxy", Path::new("/"));
    let bound = dockward_authz::socket::bind(socket).unwrap();
    let upstream = Arc::new(Upstream::Unix(upstream.to_path_buf()));
    let serving = Arc::clone(&engine);
    let task = tokio::spawn(dockward_authz::server::run(
        bound,
        Arc::clone(&engine),
        move |stream, stopping| {
            dockward_authz::proxy::serve_connection(
                Arc::clone(&serving),
                Arc::clone(&upstream),
                stream,
                stopping,
            )
        },
    ));
    Running {
        socket: socket.to_path_buf(),
        engine,
        task,
    }
}

/// Sends raw bytes, then reads until the server closes (send `Connection: close`).
pub async fn exchange(socket: &Path, request: &[u8]) -> String {
    let stream = UnixStream::connect(socket).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let mut out = Vec::new();
    // Written and read at once: the server may answer and close before it read everything (a
    // request over its bound), and the write side stays open until the answer is read.
    let (_, answer) = tokio::join!(
        async { write.write_all(request).await.ok() },
        tokio::time::timeout(Duration::from_secs(30), read.read_to_end(&mut out)),
    );
    answer.expect("the server answered within 30 s").unwrap();
    drop(write);
    String::from_utf8_lossy(&out).into_owned()
}

/// A POST with a JSON body and `Connection: close`.
pub fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: plugin.moby.localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The body of an HTTP answer (after the blank line; not de-chunked).
pub fn body_of(answer: &str) -> &str {
    answer.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// An AuthZReq for `method uri` with a JSON body.
pub fn authz_req(method: &str, uri: &str, body: Option<&str>) -> String {
    use base64::Engine as _;
    let mut req = serde_json::json!({
        "RequestMethod": method,
        "RequestUri": uri,
        "RequestHeaders": {"Content-Type": "application/json"},
    });
    if let Some(body) = body {
        req["RequestBody"] = base64::engine::general_purpose::STANDARD.encode(body).into();
        req["RequestHeaders"]["Content-Length"] = body.len().to_string().into();
    }
    req.to_string()
}

/// A recorded `/info` answer (Engine 20.10, seccomp on, data root /var/lib/docker), reporting
/// cgroup v2: a create that sets no cgroup namespace mode then gets a private one, so these tests
/// judge what they are about (on cgroup v1 CT0029 host-cgroupns denies such a create).
pub const INFO: &str = include_str!("../../../rules/tests/fixtures/base.info.cgroup2.json");

/// A fake daemon answering `/info` and `routes` (path with query → status, body).
pub fn daemon(mut routes: Vec<(&str, u16, String)>) -> fake::FakeDaemon {
    routes.push(("/info", 200, INFO.to_string()));
    fake::serve(routes)
}
