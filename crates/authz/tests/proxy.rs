//! The proxy in front of a fake daemon: what is allowed arrives byte for byte, what is denied
//! never arrives, answers stream, upgraded connections pass both ways with half-close.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use common::{TempDir, body_of, exchange, proxy};
use dockward_authz::settings::SettingsSource;
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// A fake daemon that echoes each request as JSON, streams `/events` in two parts (the second
/// only after `release` is notified), and upgrades `/containers/c1/attach` to a pipe that
/// answers `got:<everything read until EOF>`.
struct Upstream {
    path: PathBuf,
    seen: Arc<AtomicUsize>,
    release: Arc<tokio::sync::Notify>,
}

fn upstream(dir: &TempDir) -> Upstream {
    let path = dir.join("daemon.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(tokio::sync::Notify::new());
    let (seen2, release2) = (Arc::clone(&seen), Arc::clone(&release));
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (seen, release) = (Arc::clone(&seen2), Arc::clone(&release2));
            tokio::spawn(async move {
                let service = service_fn(move |mut req: Request<Incoming>| {
                    let (seen, release) = (Arc::clone(&seen), Arc::clone(&release));
                    async move {
                        let path = req.uri().path().to_string();
                        if path != "/info" {
                            // Lookups are not what the tests count.
                            seen.fetch_add(1, Ordering::SeqCst);
                        }
                        // h2c needs its settings header, which `Connection` names.
                        let h2c_ready = path == "/grpc" && req.headers().contains_key("http2-settings");
                        if path == "/containers/c1/attach" || h2c_ready {
                            let upgrade = hyper::upgrade::on(&mut req);
                            tokio::spawn(async move {
                                let mut io = TokioIo::new(upgrade.await.unwrap());
                                let mut got = Vec::new();
                                io.read_to_end(&mut got).await.unwrap();
                                io.write_all(format!("got:{}", String::from_utf8_lossy(&got)).as_bytes())
                                    .await
                                    .unwrap();
                                io.shutdown().await.unwrap();
                            });
                            let response = Response::builder()
                                .status(101)
                                .header("Connection", "Upgrade")
                                .header("Upgrade", if h2c_ready { "h2c" } else { "tcp" })
                                .header("Content-Type", "application/vnd.docker.raw-stream")
                                .body(Full::new(Bytes::new()).boxed())
                                .unwrap();
                            return Ok::<Response<Body>, Infallible>(response);
                        }
                        if path == "/info" {
                            return Ok(Response::new(
                                Full::new(Bytes::from_static(common::INFO.as_bytes())).boxed(),
                            ));
                        }
                        if path == "/events" {
                            let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(2);
                            tokio::spawn(async move {
                                tx.send(Bytes::from_static(b"first\n")).await.unwrap();
                                release.notified().await;
                                tx.send(Bytes::from_static(b"second\n")).await.unwrap();
                            });
                            return Ok(Response::new(Channel(rx).boxed()));
                        }
                        let method = req.method().to_string();
                        let uri = req.uri().to_string();
                        let headers: serde_json::Map<String, serde_json::Value> = req
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().into()))
                            .collect();
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let echo = serde_json::json!({
                            "method": method, "uri": uri, "headers": headers,
                            "body_len": body.len(),
                            "body": if body.len() < 4096 { String::from_utf8_lossy(&body).into_owned() } else { String::new() },
                        });
                        Ok(Response::new(Full::new(Bytes::from(echo.to_string())).boxed()))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await;
            });
        }
    });
    Upstream { path, seen, release }
}

/// A body fed through a channel, so the test decides when each part is sent.
struct Channel(tokio::sync::mpsc::Receiver<Bytes>);

impl hyper::body::Body for Channel {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|c| Ok(Frame::data(c))))
    }
}

fn echo(answer: &str) -> serde_json::Value {
    serde_json::from_str(body_of(answer)).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

#[tokio::test]
async fn an_allowed_request_arrives_as_sent_without_hop_by_hop_headers() {
    let dir = TempDir::new("fwd");
    let daemon = upstream(&dir);
    let server = proxy(&dir.join("proxy.sock"), SettingsSource::default(), &daemon.path);
    let body = r#"{"Image":"busybox","Cmd":["true"]}"#;
    // Chunked, with a header the Connection header names: neither may reach the daemon as is.
    let request = format!(
        "POST /v1.41/containers/create?name=ok HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nX-Registry-Auth: abc\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let answer = exchange(&server.socket, request.as_bytes()).await;
    let echo = echo(&answer);
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["uri"], "/v1.41/containers/create?name=ok");
    assert_eq!(echo["body"], body);
    assert_eq!(echo["headers"]["content-length"], body.len().to_string());
    assert_eq!(echo["headers"]["x-registry-auth"], "abc");
    assert!(echo["headers"].get("x-hop").is_none(), "{echo}");
    assert!(echo["headers"].get("transfer-encoding").is_none(), "{echo}");
}

#[tokio::test]
async fn a_denied_request_never_reaches_the_daemon() {
    let dir = TempDir::new("deny");
    let daemon = upstream(&dir);
    let server = proxy(&dir.join("proxy.sock"), SettingsSource::default(), &daemon.path);
    let answer = exchange(
        &server.socket,
        &common::post(
            "/v1.41/containers/create",
            r#"{"Image":"busybox","HostConfig":{"Privileged":true}}"#,
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{answer}");
    assert!(answer.contains("content-type: application/json\r\n"), "{answer}");
    let message = echo(&answer)["message"].as_str().unwrap().to_string();
    assert_eq!(
        message,
        "authorization denied by plugin dockward: POST /containers/create (image busybox) denied by profile baseline: \
         CT0004 added-capabilities: container is privileged and has every capability \
         (fix: remove --cap-add entries the workload does not need; start from --cap-drop ALL); \
         CT0006 privileged-container: container is privileged \
         (fix: remove --privileged; grant only the needed capability (--cap-add) or device (--device)); \
         CT0021 seccomp-unconfined: container is privileged, so no seccomp profile is applied \
         (fix: remove --security-opt seccomp=unconfined (and --privileged); extend the default profile instead of disabling it); \
         CT0031 systempaths-unconfined: container is privileged, so no path of /proc or /sys is masked or read-only \
         (fix: remove --security-opt systempaths=unconfined (and --privileged))"
    );
    assert_eq!(daemon.seen.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn keep_alive_requests_are_judged_one_by_one() {
    let dir = TempDir::new("pipeline");
    let daemon = upstream(&dir);
    let server = proxy(&dir.join("proxy.sock"), SettingsSource::default(), &daemon.path);
    let allowed = r#"{"Image":"busybox"}"#;
    let denied = r#"{"Image":"busybox","HostConfig":{"Privileged":true}}"#;
    // Two pipelined requests on one connection: the second is denied on its own.
    let request = format!(
        "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{allowed}\
         POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{denied}",
        allowed.len(),
        denied.len()
    );
    let answer = exchange(&server.socket, request.as_bytes()).await;
    assert_eq!(answer.matches("HTTP/1.1 200 OK\r\n").count(), 1, "{answer}");
    assert_eq!(
        answer.matches("HTTP/1.1 403 Forbidden\r\n").count(),
        1,
        "{answer}"
    );
    assert_eq!(daemon.seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn answers_stream_as_they_come() {
    let dir = TempDir::new("stream");
    let daemon = upstream(&dir);
    let server = proxy(&dir.join("proxy.sock"), SettingsSource::default(), &daemon.path);
    let mut stream = UnixStream::connect(&server.socket).await.unwrap();
    stream
        .write_all(b"GET /events HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    // The first part arrives while the daemon still holds the second back.
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("first\n") {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buf))
            .await
            .expect("the first event passed the proxy within 30 s")
            .unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    daemon.release.notify_one();
    stream.read_to_end(&mut seen).await.unwrap();
    assert!(String::from_utf8_lossy(&seen).contains("second\n"));
}

#[tokio::test]
async fn an_upgraded_connection_passes_both_ways_with_half_close() {
    let dir = TempDir::new("upgrade");
    let daemon = upstream(&dir);
    let server = proxy(&dir.join("proxy.sock"), SettingsSource::default(), &daemon.path);
    let mut stream = UnixStream::connect(&server.socket).await.unwrap();
    stream
        .write_all(
            b"POST /containers/c1/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
        )
        .await
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).await.unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101 switching protocols\r\n"), "{head}");
    assert!(head.contains("upgrade: tcp\r\n"), "{head}");
    // stdin, then EOF (as `docker run -i` sends it); the answer comes after the EOF.
    stream.write_all(b"hello").await.unwrap();
    stream.shutdown().await.unwrap();
    let mut rest = String::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut rest))
        .await
        .expect("the daemon's answer passed within 30 s")
        .unwrap();
    assert_eq!(rest, "got:hello");
}

#[tokio::test]
async fn a_body_over_the_bound_is_streamed_after_judging_without_it() {
    let dir = TempDir::new("big");
    let daemon = upstream(&dir);
    let server = proxy(&dir.join("proxy.sock"), SettingsSource::default(), &daemon.path);
    let size = 9 << 20;
    let mut request = format!(
        "POST /v1.41/build?t=x HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    request.extend(std::iter::repeat_n(b'x', size));
    let answer = exchange(&server.socket, &request).await;
    let echo = echo(&answer);
    assert_eq!(echo["body_len"], size);
    assert_eq!(echo["headers"]["content-length"], size.to_string());
}

#[tokio::test]
async fn a_json_body_over_the_bound_is_refused_unread() {
    let dir = TempDir::new("bigjson");
    let daemon = upstream(&dir);
    let server = proxy(&dir.join("proxy.sock"), SettingsSource::default(), &daemon.path);
    let padding = " ".repeat(9 << 20);
    let body = format!(r#"{{"Image":"busybox",{padding}"HostConfig":{{"Privileged":true}}}}"#);
    let answer = exchange(&server.socket, &common::post("/v1.41/containers/create", &body)).await;
    assert!(
        answer.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{answer}"
    );
    assert_eq!(
        echo(&answer)["message"],
        "authorization denied by plugin dockward: POST /v1.41/containers/create: the request body is larger \
         than 8388608 bytes, the most dockward reads to judge a request"
    );
    assert_eq!(daemon.seen.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn h2c_passes_through_when_audit_mode_allows_it() {
    let dir = TempDir::new("h2c");
    let daemon = upstream(&dir);
    let audit = SettingsSource {
        config: None,
        overrides: dockward_authz::settings::Overrides {
            mode: Some(dockward_authz::settings::Mode::Audit),
            ..Default::default()
        },
    };
    let server = proxy(&dir.join("proxy.sock"), audit, &daemon.path);
    let mut stream = UnixStream::connect(&server.socket).await.unwrap();
    stream
        .write_all(
            b"POST /grpc HTTP/1.1\r\nHost: d\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n",
        )
        .await
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).await.unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101 switching protocols\r\n"), "{head}");
    assert!(head.contains("upgrade: h2c\r\n"), "{head}");
    stream.write_all(b"PRI * HTTP/2.0").await.unwrap();
    stream.shutdown().await.unwrap();
    let mut rest = String::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut rest))
        .await
        .expect("the daemon's answer passed within 30 s")
        .unwrap();
    assert_eq!(rest, "got:PRI * HTTP/2.0");
}
