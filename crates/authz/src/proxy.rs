//! The filtering proxy: an Engine API socket in front of the daemon's, for hosts whose daemon
//! flags cannot change. Each request is judged like the plugin judges it, then forwarded on a
//! connection to the daemon that belongs to the client's connection (keep-alive and pipelined
//! requests are judged one by one).
//!
//! Bodies: a body up to [`MAX_JUDGED_BODY`] is read whole, judged, and exactly those bytes are
//! forwarded. A larger one (a build context, an image tarball, an archive PUT) is judged as the
//! plugin judges a request whose body dockerd withheld (a JSON route is denied, a tar route is
//! judged on its query) and, if allowed, streamed through untouched. Answers stream back as they
//! come (logs, events, build output). Upgraded connections (attach, exec start with
//! `Upgrade: tcp`, h2c) are passed through byte for byte once the opening request is allowed,
//! each direction closed on its own so a client's stdin EOF reaches the container.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpStream, UnixStream};
use tokio::sync::watch;

use crate::engine::{Engine, Received};

/// The largest body read whole and judged; larger ones are judged without their body.
pub const MAX_JUDGED_BODY: usize = 8 << 20;
/// How long the client may pause while sending the part of a body that is judged.
pub const BODY_PROGRESS_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting to the daemon may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The prefix of every denial, as dockerd words it for a plugin, so scripts grep one string.
pub const DENIED_PREFIX: &str = "authorization denied by plugin dockward: ";

/// The daemon behind the proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Upstream {
    /// A unix socket.
    Unix(PathBuf),
    /// A TCP address on the loopback network.
    Tcp(SocketAddr),
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Upstream::Unix(path) => write!(f, "unix://{}", path.display()),
            Upstream::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

impl Upstream {
    /// `unix:///PATH` or `tcp://127.x.y.z:PORT`. Other addresses are refused: the proxy speaks
    /// plain HTTP, which must not leave the machine.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(path) = text.strip_prefix("unix://") {
            return absolute(path, text).map(Upstream::Unix);
        }
        if let Some(rest) = text.strip_prefix("tcp://") {
            let rest = rest.trim_end_matches('/');
            let addr: SocketAddr = rest
                .parse()
                .map_err(|_| format!("{text}: expected tcp://127.0.0.1:PORT (an address, not a name)"))?;
            return match addr {
                SocketAddr::V4(v4) if v4.ip().is_loopback() => Ok(Upstream::Tcp(addr)),
                _ => Err(format!(
                    "{text}: the proxy forwards plain HTTP, so only 127.0.0.0/8 addresses and unix sockets are allowed"
                )),
            };
        }
        Err(format!("{text}: expected unix:///PATH or tcp://127.0.0.1:PORT"))
    }

    async fn connect(&self) -> std::io::Result<SendRequest<Forward>> {
        let connect = async {
            match self {
                Upstream::Unix(path) => {
                    let stream = UnixStream::connect(path).await?;
                    handshake(stream).await
                }
                Upstream::Tcp(addr) => {
                    let stream = TcpStream::connect(addr).await?;
                    let _ = stream.set_nodelay(true);
                    handshake(stream).await
                }
            }
        };
        tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no connection within 5 s"))?
    }
}

/// `--listen unix:///PATH`.
pub fn parse_listen(text: &str) -> Result<PathBuf, String> {
    match text.strip_prefix("unix://") {
        Some(path) => absolute(path, text),
        None => Err(format!("{text}: expected unix:///PATH")),
    }
}

fn absolute(path: &str, text: &str) -> Result<PathBuf, String> {
    if path.starts_with('/') {
        Ok(PathBuf::from(path))
    } else {
        Err(format!("{text}: expected an absolute path after unix://"))
    }
}

async fn handshake<S>(stream: S) -> std::io::Result<SendRequest<Forward>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = conn.with_upgrades().await;
    });
    Ok(sender)
}

/// A request body as forwarded: the bytes judged, or the bytes read so far followed by the rest
/// of the client's stream.
pub enum Forward {
    /// The whole body (or none).
    Whole(Option<Bytes>),
    /// A prefix already read, then the rest.
    Stream {
        /// Chunks read while judging.
        prefix: std::collections::VecDeque<Bytes>,
        /// The rest of the client's body.
        rest: Incoming,
    },
}

impl Body for Forward {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        match &mut *self {
            Forward::Whole(body) => Poll::Ready(body.take().map(|b| Ok(Frame::data(b)))),
            Forward::Stream { prefix, rest } => match prefix.pop_front() {
                Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                None => Pin::new(rest).poll_frame(cx),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Forward::Whole(body) => body.is_none(),
            Forward::Stream { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Forward::Whole(body) => SizeHint::with_exact(body.as_ref().map_or(0, |b| b.len() as u64)),
            Forward::Stream { .. } => SizeHint::default(),
        }
    }
}

type Out = BoxBody<Bytes, hyper::Error>;

fn full(bytes: impl Into<Bytes>) -> Out {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// Docker's error shape: `{"message": "..."}`.
fn error_reply(status: StatusCode, message: &str) -> Response<Out> {
    let body = serde_json::json!({ "message": message }).to_string();
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// One client connection: the daemon connection its requests go to, opened when first needed.
struct Client {
    upstream: Arc<Upstream>,
    sender: tokio::sync::Mutex<Option<SendRequest<Forward>>>,
    /// The byte pipe of an upgraded request, which outlives the HTTP exchange.
    piped: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// Serves one client connection.
pub async fn serve_connection(
    engine: Arc<Engine>,
    upstream: Arc<Upstream>,
    stream: UnixStream,
    stopping: watch::Receiver<bool>,
) {
    let client = Arc::new(Client {
        upstream,
        sender: tokio::sync::Mutex::new(None),
        piped: Mutex::new(None),
    });
    let for_service = Arc::clone(&client);
    let service = service_fn(move |req: Request<Incoming>| {
        let (engine, client) = (Arc::clone(&engine), Arc::clone(&for_service));
        async move { Ok::<_, Infallible>(handle(&engine, &client, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = crate::server::stopped(stopping) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
    let piped = client.piped.lock().ok().and_then(|mut p| p.take());
    if let Some(piped) = piped {
        let _ = piped.await;
    }
}

/// What reading the start of a body gave.
enum Read {
    Whole(Bytes),
    Partial(std::collections::VecDeque<Bytes>, Incoming),
}

async fn read_prefix(mut body: Incoming) -> Result<Read, String> {
    let mut chunks = std::collections::VecDeque::new();
    let mut size = 0usize;
    loop {
        let frame = tokio::time::timeout(BODY_PROGRESS_TIMEOUT, body.frame())
            .await
            .map_err(|_| {
                format!(
                    "the client sent no more of the body within {} s",
                    BODY_PROGRESS_TIMEOUT.as_secs()
                )
            })?;
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|e| format!("the request body could not be read: {e}"))?;
        if let Ok(data) = frame.into_data() {
            size += data.len();
            chunks.push_back(data);
            if size > MAX_JUDGED_BODY {
                return Ok(Read::Partial(chunks, body));
            }
        }
    }
    let mut whole = bytes::BytesMut::with_capacity(size);
    for chunk in chunks {
        whole.extend_from_slice(&chunk);
    }
    Ok(Read::Whole(whole.freeze()))
}

/// Headers that belong to one connection, not to the request (RFC 9110 7.6.1).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn connection_tokens(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn is_upgrade(headers: &HeaderMap) -> bool {
    headers.contains_key(header::UPGRADE) && connection_tokens(headers).iter().any(|t| t == "upgrade")
}

/// The headers to pass on: without hop-by-hop ones, except the upgrade handshake's own
/// (`Connection`, `Upgrade` and the headers `Connection` names, such as `HTTP2-Settings`).
fn forwarded_headers(headers: &HeaderMap, upgrade: bool) -> HeaderMap {
    let named = connection_tokens(headers);
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let lower = name.as_str();
        let hop = HOP_BY_HOP.contains(&lower) || named.iter().any(|t| t == lower);
        let handshake =
            upgrade && (lower == "connection" || lower == "upgrade" || named.iter().any(|t| t == lower));
        if hop && !handshake {
            continue;
        }
        if lower == "expect" {
            // The body is read before it is forwarded; hyper answered `100 Continue` already.
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

async fn handle(engine: &Engine, client: &Client, req: Request<Incoming>) -> Response<Out> {
    let (mut parts, body) = req.into_parts();
    let uri = parts.uri.to_string();
    let method = parts.method.as_str().to_string();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let upgrade = is_upgrade(&parts.headers);
    let read = match read_prefix(body).await {
        Ok(read) => read,
        Err(reason) => {
            return error_reply(
                StatusCode::BAD_REQUEST,
                &format!("{DENIED_PREFIX}request denied because dockward cannot judge it: {reason}"),
            );
        }
    };
    let (verdict, forward, oversized) = match read {
        Read::Whole(bytes) => {
            let received = Received {
                method: &method,
                uri: &uri,
                headers: &headers,
                body: (!bytes.is_empty()).then_some(&bytes[..]),
                body_complete: true,
                user: "",
                authn: "",
            };
            let verdict = engine.judge(&received).await;
            (
                verdict,
                Forward::Whole((!bytes.is_empty()).then_some(bytes)),
                false,
            )
        }
        Read::Partial(prefix, rest) => {
            let received = Received {
                method: &method,
                uri: &uri,
                headers: &headers,
                body: None,
                body_complete: false,
                user: "",
                authn: "",
            };
            let verdict = engine.judge(&received).await;
            (verdict, Forward::Stream { prefix, rest }, true)
        }
    };
    if !verdict.allow {
        if oversized {
            return error_reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                // The route takes a body that must be judged whole (JSON): refused unread.
                &format!(
                    "{DENIED_PREFIX}{method} {uri}: the request body is larger than {MAX_JUDGED_BODY} bytes, \
                     the most dockward reads to judge a request"
                ),
            );
        }
        return error_reply(
            StatusCode::FORBIDDEN,
            &format!("{DENIED_PREFIX}{}", verdict.message),
        );
    }
    let client_upgrade = parts.extensions.remove::<hyper::upgrade::OnUpgrade>();
    let mut out = Request::new(forward);
    *out.method_mut() = parts.method.clone();
    *out.uri_mut() = match parts.uri.path_and_query() {
        Some(pq) => pq.as_str().parse().unwrap_or_else(|_| parts.uri.clone()),
        None => parts.uri.clone(),
    };
    *out.headers_mut() = forwarded_headers(&parts.headers, upgrade);
    if let Forward::Whole(body) = out.body() {
        let length = body.as_ref().map_or(0, Bytes::len);
        out.headers_mut().remove(header::CONTENT_LENGTH);
        if length > 0 || parts.headers.contains_key(header::CONTENT_LENGTH) {
            out.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        }
    }
    let mut response = match send(client, out).await {
        Ok(response) => response,
        Err(reason) => {
            return error_reply(
                StatusCode::BAD_GATEWAY,
                &format!("dockward proxy: the daemon at {} {reason}", client.upstream),
            );
        }
    };
    if response.status() == StatusCode::SWITCHING_PROTOCOLS {
        let daemon_upgrade = hyper::upgrade::on(&mut response);
        // Neither connection carries HTTP any more.
        if let Ok(mut sender) = client.sender.try_lock() {
            *sender = None;
        }
        if let Some(client_upgrade) = client_upgrade {
            let pipe = tokio::spawn(async move {
                let (Ok(daemon), Ok(user)) = (daemon_upgrade.await, client_upgrade.await) else {
                    return;
                };
                let (mut daemon, mut user) = (TokioIo::new(daemon), TokioIo::new(user));
                let _ = tokio::io::copy_bidirectional(&mut user, &mut daemon).await;
            });
            if let Ok(mut piped) = client.piped.lock() {
                *piped = Some(pipe);
            }
        }
        let (mut head, _) = response.into_parts();
        head.headers = forwarded_headers(&head.headers, true);
        return Response::from_parts(head, full(Bytes::new()));
    }
    let (mut head, body) = response.into_parts();
    head.headers = forwarded_headers(&head.headers, false);
    Response::from_parts(head, body.boxed())
}

/// Sends on the connection's daemon connection, opening one when there is none or the old one
/// was closed while idle. A request is never sent twice.
async fn send(client: &Client, request: Request<Forward>) -> Result<Response<Incoming>, String> {
    let mut slot = client.sender.lock().await;
    let usable = match slot.as_mut() {
        Some(sender) => sender.ready().await.is_ok(),
        None => false,
    };
    if !usable {
        *slot = Some(
            client
                .upstream
                .connect()
                .await
                .map_err(|e| format!("cannot be reached: {e}"))?,
        );
    }
    let Some(sender) = slot.as_mut() else {
        return Err("cannot be reached".into());
    };
    sender
        .ready()
        .await
        .map_err(|e| format!("closed the connection: {e}"))?;
    let pending = sender.send_request(request);
    drop(slot);
    pending.await.map_err(|e| format!("did not answer: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn upstreams_are_local() {
        assert_eq!(
            Upstream::parse("unix:///run/d.sock").unwrap(),
            Upstream::Unix("/run/d.sock".into())
        );
        assert_eq!(
            Upstream::parse("tcp://127.0.0.2:2375").unwrap(),
            Upstream::Tcp("127.0.0.2:2375".parse().unwrap())
        );
        assert_eq!(
            Upstream::parse("tcp://10.0.0.1:2375").unwrap_err(),
            "tcp://10.0.0.1:2375: the proxy forwards plain HTTP, so only 127.0.0.0/8 addresses and unix sockets are allowed"
        );
        assert!(Upstream::parse("tcp://localhost:2375").is_err());
        assert!(Upstream::parse("unix://relative").is_err());
        assert!(parse_listen("/x").is_err());
    }

    #[test]
    fn hop_by_hop_headers_stay_behind() {
        let mut h = HeaderMap::new();
        h.insert("connection", HeaderValue::from_static("keep-alive, X-Secret"));
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("content-type", HeaderValue::from_static("application/json"));
        let out = forwarded_headers(&h, false);
        assert_eq!(out.len(), 1);
        assert!(out.contains_key("content-type"));
        let mut u = HeaderMap::new();
        u.insert("connection", HeaderValue::from_static("Upgrade, HTTP2-Settings"));
        u.insert("upgrade", HeaderValue::from_static("h2c"));
        u.insert("http2-settings", HeaderValue::from_static("AAA"));
        assert!(is_upgrade(&u));
        assert_eq!(forwarded_headers(&u, true).len(), 3);
    }
}
