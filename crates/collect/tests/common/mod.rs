//! A fake Docker daemon on a unix socket for the collector tests: each request is answered as a
//! handler says — a document, a delay, a body that never ends or stalls, no answer, or the
//! socket vanishing.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test code; not every test file uses every reply

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Frame;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::UnixListener;

/// What the fake daemon does with one request.
#[derive(Clone)]
pub enum Reply {
    /// Answers with this status and body.
    Full(u16, Bytes),
    /// Accepts the request and never answers.
    Freeze,
    /// Answers after a delay (a daemon that is slow to start its answer).
    Delayed(Duration, Bytes),
    /// Answers 200 with a body that never ends.
    Endless,
    /// Answers 200 with a body that sends one byte every 100 ms, forever.
    Trickle,
    /// Answers 200, sends the first bytes of a body, then nothing more.
    Stall,
    /// Removes the socket and closes every connection, this one included.
    Vanish,
}

pub type Handler = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

/// A fake daemon's socket; its directory is removed when the test ends.
pub struct FakeDaemon {
    pub path: PathBuf,
}

impl Drop for FakeDaemon {
    fn drop(&mut self) {
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The bodies the fake daemon sends.
enum FakeBody {
    Full(Option<Bytes>),
    Endless,
    Trickle(Pin<Box<tokio::time::Sleep>>),
    Stall(bool),
}

impl hyper::body::Body for FakeBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut *self {
            FakeBody::Full(body) => Poll::Ready(body.take().map(|b| Ok(Frame::data(b)))),
            FakeBody::Endless => Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&[b' '; 65536]))))),
            FakeBody::Stall(sent) if !*sent => {
                *sent = true;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"{\"Id\": ")))))
            }
            FakeBody::Stall(_) => Poll::Pending,
            FakeBody::Trickle(sleep) => match sleep.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    let next = tokio::time::Instant::now() + Duration::from_millis(100);
                    sleep.as_mut().reset(next);
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b" ")))))
                }
            },
        }
    }
}

/// Serves `routes` (path with query → status, body) on a fresh socket until the test ends.
pub fn serve(routes: Vec<(&str, u16, String)>) -> FakeDaemon {
    let routes: HashMap<String, (u16, String)> = routes
        .into_iter()
        .map(|(p, s, b)| (p.to_string(), (s, b)))
        .collect();
    serve_with(Arc::new(move |key: &str| match routes.get(key) {
        Some((status, body)) => Reply::Full(*status, Bytes::from(body.clone())),
        None => not_found(key),
    }))
}

pub fn not_found(key: &str) -> Reply {
    Reply::Full(
        404,
        Bytes::from(format!(r#"{{"message":"page not found: {key}"}}"#)),
    )
}

/// Serves what `handler` says for each request (path with query) on a fresh socket.
pub fn serve_with(handler: Handler) -> FakeDaemon {
    let dir = std::env::temp_dir().join(format!("dockward-fake-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("docker.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let (vanish, vanished) = tokio::sync::watch::channel(false);
    let vanish = Arc::new(vanish);
    let socket = path.clone();
    tokio::spawn(async move {
        let mut gone = vanished.clone();
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => accepted.unwrap().0,
                _ = gone.wait_for(|v| *v) => return,
            };
            let handler = Arc::clone(&handler);
            let (vanish, socket) = (Arc::clone(&vanish), socket.clone());
            let mut gone = vanished.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let handler = Arc::clone(&handler);
                    let (vanish, socket) = (Arc::clone(&vanish), socket.clone());
                    async move {
                        let key = req
                            .uri()
                            .path_and_query()
                            .map(|p| p.to_string())
                            .unwrap_or_default();
                        let (status, body) = match handler(&key) {
                            Reply::Full(status, body) => (status, FakeBody::Full(Some(body))),
                            Reply::Delayed(delay, body) => {
                                tokio::time::sleep(delay).await;
                                (200, FakeBody::Full(Some(body)))
                            }
                            Reply::Endless => (200, FakeBody::Endless),
                            Reply::Stall => (200, FakeBody::Stall(false)),
                            Reply::Trickle => (
                                200,
                                FakeBody::Trickle(Box::pin(tokio::time::sleep(Duration::ZERO))),
                            ),
                            Reply::Freeze => std::future::pending().await,
                            Reply::Vanish => {
                                let _ = std::fs::remove_file(&socket);
                                vanish.send_replace(true);
                                std::future::pending().await
                            }
                        };
                        Ok::<_, Infallible>(Response::builder().status(status).body(body).unwrap())
                    }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                tokio::select! {
                    _ = connection => {}
                    _ = gone.wait_for(|v| *v) => {}
                }
            });
        }
    });
    FakeDaemon { path }
}

pub fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
