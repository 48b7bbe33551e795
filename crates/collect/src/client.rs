//! A small Docker Engine API client: HTTP/1.1 GETs over a unix socket, TCP or TLS, returning the
//! raw JSON bytes.
//!
//! dockward reads the API's JSON itself instead of through a typed SDK: the facts keep JSON
//! pointers into the exact documents the daemon returned, and fields an SDK's model does not
//! know are not silently dropped.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Empty};
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UnixStream};
use tokio::time::Instant;

use crate::endpoint::{Endpoint, TlsFiles};
use crate::error::CollectError;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How fast a daemon is assumed to write an image archive to its disk before it sends the first
/// byte (Engine 20.10 exports the whole image to a temporary directory first): 50 MB/s, a
/// conservative rate for a loaded disk.
pub const ARCHIVE_DISK_RATE: u64 = 50_000_000;

/// How long dockward waits and how much it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How long to wait for an answer to start or to make progress (`--timeout`).
    pub timeout: Duration,
    /// How long the whole run may take (`--deadline`).
    pub deadline: Duration,
    /// The largest answer read from a list endpoint (`/containers/json`, `/images/json`, ...).
    pub list_cap: u64,
    /// The largest answer read from any other JSON endpoint (an inspect, `/info`, ...).
    pub answer_cap: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(600),
            list_cap: 256 << 20,
            answer_cap: 16 << 20,
        }
    }
}

impl Limits {
    /// The cap on the answer to `path`: lists grow with the host, one object's answer does not.
    pub fn cap_for(&self, path: &str) -> u64 {
        const LISTS: [&str; 8] = [
            "/containers/json",
            "/images/json",
            "/volumes",
            "/networks",
            "/secrets",
            "/services",
            "/tasks",
            "/nodes",
        ];
        let endpoint = path.split('?').next().unwrap_or(path);
        if LISTS.contains(&endpoint) {
            self.list_cap
        } else {
            self.answer_cap
        }
    }

    /// How long to wait for the first byte of an image archive of `size` bytes: the timeout
    /// plus the time the daemon needs to write the archive at [`ARCHIVE_DISK_RATE`].
    pub fn archive_first_byte(&self, size: u64) -> Duration {
        self.timeout
            .saturating_add(Duration::from_secs(size.div_ceil(ARCHIVE_DISK_RATE)))
    }
}

/// State shared by every clone of a client: the run's deadline and whether the daemon was
/// found frozen, so one stuck daemon costs one timeout per connection, not one per request.
struct Shared {
    deadline: Instant,
    frozen: OnceLock<String>,
    probing: tokio::sync::Mutex<()>,
}

/// How to open connections to one daemon. Cheap to clone; each [`Connection`] is one socket.
#[derive(Clone)]
pub struct Client {
    endpoint: Endpoint,
    tls: Option<Arc<rustls::ClientConfig>>,
    limits: Limits,
    shared: Arc<Shared>,
}

/// One open HTTP/1.1 connection; requests on it run one after another (keep-alive).
pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
    client: Client,
}

/// What a wait was for, to name it when it ends without an answer.
#[derive(Clone, Copy)]
enum Wait {
    Start,
    Progress,
}

impl Client {
    /// A client with the given limits; the run's deadline starts now. Reads TLS material now so
    /// a bad certificate fails early.
    pub fn with_limits(endpoint: Endpoint, limits: Limits) -> Result<Self, CollectError> {
        let tls = match &endpoint {
            Endpoint::Tcp { tls: Some(files), .. } => Some(Arc::new(tls_config(&endpoint, files)?)),
            _ => None,
        };
        Ok(Self {
            endpoint,
            tls,
            limits,
            shared: Arc::new(Shared {
                // A deadline too far to represent is as good as none: a year.
                deadline: Instant::now()
                    .checked_add(limits.deadline)
                    .or_else(|| Instant::now().checked_add(Duration::from_secs(365 * 86_400)))
                    .unwrap_or_else(Instant::now),
                frozen: OnceLock::new(),
                probing: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// A client with this timeout and the default deadline and caps.
    pub fn new(endpoint: Endpoint, timeout: Duration) -> Result<Self, CollectError> {
        Self::with_limits(
            endpoint,
            Limits {
                timeout,
                ..Limits::default()
            },
        )
    }

    /// The endpoint, as text.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The limits this client keeps.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the run's deadline has passed.
    pub fn past_deadline(&self) -> bool {
        Instant::now() >= self.shared.deadline
    }

    /// Opens a connection.
    pub async fn connect(&self) -> Result<Connection, CollectError> {
        let endpoint = self.endpoint.to_string();
        let connect_error = |source| CollectError::connect(&self.endpoint, source);
        let wait = self.limits.timeout.min(self.remaining());
        let io: Box<dyn Io> = match &self.endpoint {
            Endpoint::Unix { path } => Box::new(
                tokio::time::timeout(wait, UnixStream::connect(path))
                    .await
                    .map_err(|_| connect_error(std::io::ErrorKind::TimedOut.into()))?
                    .map_err(connect_error)?,
            ),
            Endpoint::Tcp { host, port, .. } => {
                let tcp = tokio::time::timeout(wait, TcpStream::connect((host.as_str(), *port)))
                    .await
                    .map_err(|_| connect_error(std::io::ErrorKind::TimedOut.into()))?
                    .map_err(connect_error)?;
                let _ = tcp.set_nodelay(true);
                match &self.tls {
                    None => Box::new(tcp),
                    Some(config) => {
                        let name = ServerName::try_from(host.clone()).map_err(|e| CollectError::Tls {
                            endpoint: endpoint.clone(),
                            message: format!("invalid server name {host}: {e}"),
                        })?;
                        let connector = tokio_rustls::TlsConnector::from(Arc::clone(config));
                        let wait = self.limits.timeout.min(self.remaining());
                        let stream = tokio::time::timeout(wait, connector.connect(name, tcp))
                            .await
                            .map_err(|_| connect_error(std::io::ErrorKind::TimedOut.into()))?
                            .map_err(|e| CollectError::Tls {
                                endpoint: endpoint.clone(),
                                message: e.to_string(),
                            })?;
                        Box::new(stream)
                    }
                }
            }
        };
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| CollectError::Http {
                endpoint: endpoint.clone(),
                path: "/".into(),
                message: e.to_string(),
            })?;
        tokio::spawn(async move {
            // The connection ends when the sender is dropped; its error, if any, surfaces on
            // the request that was in flight.
            let _ = conn.await;
        });
        Ok(Connection {
            sender,
            client: self.clone(),
        })
    }

    fn remaining(&self) -> Duration {
        self.shared.deadline.saturating_duration_since(Instant::now())
    }

    /// Refuses a request the run can no longer afford: past the deadline, or to a daemon found
    /// frozen.
    fn admit(&self, path: &str) -> Result<(), CollectError> {
        if let Some(why) = self.shared.frozen.get() {
            return Err(CollectError::Unresponsive {
                endpoint: self.endpoint.to_string(),
                path: path.into(),
                why: why.clone(),
            });
        }
        if self.past_deadline() {
            return Err(self.deadline_error(path));
        }
        Ok(())
    }

    fn deadline_error(&self, path: &str) -> CollectError {
        CollectError::Deadline {
            path: path.into(),
            seconds: self.limits.deadline.as_secs(),
        }
    }

    /// Runs `work`, waiting at most `wait` (or until the deadline, if that comes first).
    async fn within<T>(
        &self,
        path: &str,
        wait: Duration,
        what: Wait,
        work: impl Future<Output = Result<T, CollectError>>,
    ) -> Result<T, CollectError> {
        let remaining = self.remaining();
        if remaining <= wait {
            return tokio::time::timeout(remaining, work)
                .await
                .map_err(|_| self.deadline_error(path))?;
        }
        let (endpoint, path, seconds) = (self.endpoint.to_string(), path.to_string(), wait.as_secs());
        tokio::time::timeout(wait, work).await.map_err(|_| match what {
            Wait::Start => CollectError::Timeout {
                endpoint,
                path,
                seconds,
            },
            Wait::Progress => CollectError::Stalled {
                endpoint,
                path,
                seconds,
            },
        })?
    }

    /// After a request got no answer in time: is the daemon frozen, or only that request stuck
    /// (a container whose lock is held)? A ping on a fresh connection tells; a frozen daemon is
    /// not asked again.
    async fn probe(&self, failed: &str) {
        let frozen = || {
            format!(
                "no answer to GET /_ping within {} s",
                self.limits.timeout.as_secs()
            )
        };
        if failed == "/_ping" {
            let _ = self.shared.frozen.set(frozen());
            return;
        }
        let _probing = self.shared.probing.lock().await;
        if self.shared.frozen.get().is_some() {
            return;
        }
        let ping = async {
            let mut conn = self.connect().await?;
            conn.get_unprobed("/_ping").await
        };
        if let Err(CollectError::Timeout { .. } | CollectError::Stalled { .. }) = ping.await {
            let _ = self.shared.frozen.set(frozen());
        }
    }
}

impl Connection {
    /// GETs `path` and returns the body of a 2xx answer; other answers become
    /// [`CollectError::Api`] with the daemon's message. The answer must start and progress
    /// within the timeout, end before the deadline, and stay under its cap.
    pub async fn get(&mut self, path: &str) -> Result<Bytes, CollectError> {
        let result = self.get_unprobed(path).await;
        if let Err(CollectError::Timeout { .. } | CollectError::Stalled { .. }) = &result {
            self.client.clone().probe(path).await;
        }
        result
    }

    /// GETs `path` and decodes its JSON answer.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Result<T, CollectError> {
        let body = self.get(path).await?;
        serde_json::from_slice(&body).map_err(|source| CollectError::Json {
            what: format!("GET {path}"),
            source,
        })
    }

    /// GETs `path` and hands the body of a 2xx answer to `sink` chunk by chunk, so a large body
    /// (an image archive) never sits in memory whole. `sink` returns `false` to stop early.
    /// The answer's first byte may take `first_byte`; after it, each wait for data is bounded
    /// by the timeout, and the whole transfer by the run's deadline (not by a size cap).
    pub async fn get_streamed<F, Fut>(
        &mut self,
        path: &str,
        first_byte: Duration,
        sink: F,
    ) -> Result<(), CollectError>
    where
        F: FnMut(Bytes) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let result = self.streamed_unprobed(path, first_byte, sink).await;
        if let Err(CollectError::Timeout { .. } | CollectError::Stalled { .. }) = &result {
            self.client.clone().probe(path).await;
        }
        result
    }

    async fn streamed_unprobed<F, Fut>(
        &mut self,
        path: &str,
        first_byte: Duration,
        mut sink: F,
    ) -> Result<(), CollectError>
    where
        F: FnMut(Bytes) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let client = self.client.clone();
        client.admit(path)?;
        let response = client
            .within(path, first_byte, Wait::Start, self.send(path))
            .await?;
        let status = response.status();
        let mut body = response.into_body();
        if !status.is_success() {
            let text = read_capped(&client, path, &mut body, client.limits.answer_cap).await?;
            return Err(CollectError::Api {
                path: path.into(),
                status: status.as_u16(),
                message: api_message(status, &text),
            });
        }
        let mut wait = (first_byte, Wait::Start);
        loop {
            let frame = client
                .within(path, wait.0, wait.1, next_frame(&client, path, &mut body))
                .await?;
            let Some(frame) = frame else { return Ok(()) };
            if let Ok(chunk) = frame.into_data() {
                if !chunk.is_empty() {
                    wait = (client.limits.timeout, Wait::Progress);
                }
                if !sink(chunk).await {
                    return Ok(());
                }
            }
        }
    }

    async fn send(&mut self, path: &str) -> Result<hyper::Response<Incoming>, CollectError> {
        let http_error = |message: String| CollectError::Http {
            endpoint: self.client.endpoint.to_string(),
            path: path.into(),
            message,
        };
        self.sender.ready().await.map_err(|e| http_error(e.to_string()))?;
        let request = Request::get(path)
            .header(hyper::header::HOST, "docker")
            .header(
                hyper::header::USER_AGENT,
                concat!("dockward/", env!("CARGO_PKG_VERSION")),
            )
            .body(Empty::new())
            .map_err(|e| http_error(e.to_string()))?;
        self.sender
            .send_request(request)
            .await
            .map_err(|e| http_error(e.to_string()))
    }

    async fn get_unprobed(&mut self, path: &str) -> Result<Bytes, CollectError> {
        let client = self.client.clone();
        client.admit(path)?;
        let response = client
            .within(path, client.limits.timeout, Wait::Start, self.send(path))
            .await?;
        let status = response.status();
        let mut body = response.into_body();
        let body = read_capped(&client, path, &mut body, client.limits.cap_for(path)).await?;
        if status.is_success() {
            return Ok(body);
        }
        Err(CollectError::Api {
            path: path.into(),
            status: status.as_u16(),
            message: api_message(status, &body),
        })
    }
}

/// The next frame of a body, with transport errors named.
async fn next_frame(
    client: &Client,
    path: &str,
    body: &mut Incoming,
) -> Result<Option<hyper::body::Frame<Bytes>>, CollectError> {
    body.frame().await.transpose().map_err(|e| CollectError::Http {
        endpoint: client.endpoint.to_string(),
        path: path.into(),
        message: e.to_string(),
    })
}

/// Reads a whole body of at most `cap` bytes, each wait for data bounded by the timeout.
async fn read_capped(
    client: &Client,
    path: &str,
    body: &mut Incoming,
    cap: u64,
) -> Result<Bytes, CollectError> {
    let too_large = || CollectError::TooLarge {
        endpoint: client.endpoint.to_string(),
        path: path.into(),
        cap,
    };
    // A declared length over the cap fails before anything is read.
    if body.size_hint().lower() > cap {
        return Err(too_large());
    }
    let mut collected = BytesMut::new();
    while let Some(frame) = client
        .within(
            path,
            client.limits.timeout,
            Wait::Progress,
            next_frame(client, path, body),
        )
        .await?
    {
        if let Ok(chunk) = frame.into_data() {
            if collected.len() as u64 + chunk.len() as u64 > cap {
                return Err(too_large());
            }
            collected.extend_from_slice(&chunk);
        }
    }
    Ok(collected.freeze())
}

/// The daemon's error message: `{"message": "..."}`, else the body text.
fn api_message(status: StatusCode, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct ApiError {
        message: String,
    }
    match serde_json::from_slice::<ApiError>(body) {
        Ok(e) => e.message,
        Err(_) => {
            let text = String::from_utf8_lossy(body).trim().to_string();
            if text.is_empty() { status.to_string() } else { text }
        }
    }
}

fn tls_config(endpoint: &Endpoint, files: &TlsFiles) -> Result<rustls::ClientConfig, CollectError> {
    let tls_error = |message: String| CollectError::Tls {
        endpoint: endpoint.to_string(),
        message,
    };
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|source| CollectError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    let mut roots = rustls::RootCertStore::empty();
    let ca = read(&files.ca)?;
    for cert in CertificateDer::pem_slice_iter(&ca) {
        let cert = cert.map_err(|e| tls_error(format!("{}: {e}", files.ca.display())))?;
        roots
            .add(cert)
            .map_err(|e| tls_error(format!("{}: {e}", files.ca.display())))?;
    }
    if roots.is_empty() {
        return Err(tls_error(format!("{} holds no certificate", files.ca.display())));
    }
    let cert_pem = read(&files.cert)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| tls_error(format!("{}: {e}", files.cert.display())))?;
    if chain.is_empty() {
        return Err(tls_error(format!(
            "{} holds no certificate",
            files.cert.display()
        )));
    }
    let key_pem = read(&files.key)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| tls_error(format!("{}: {e}", files.key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| tls_error(format!("client certificate and key do not fit: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_get_the_generous_cap_and_every_other_answer_the_small_one() {
        let limits = Limits::default();
        assert_eq!((limits.list_cap, limits.answer_cap), (256 << 20, 16 << 20));
        assert_eq!(limits.cap_for("/containers/json?all=1"), 256 << 20);
        assert_eq!(limits.cap_for("/images/json"), 256 << 20);
        assert_eq!(limits.cap_for("/containers/abc/json"), 16 << 20);
        assert_eq!(limits.cap_for("/info"), 16 << 20);
    }

    #[test]
    fn an_unrepresentable_deadline_is_no_panic() {
        let limits = Limits {
            deadline: Duration::MAX,
            ..Limits::default()
        };
        let client = Client::with_limits(Endpoint::Unix { path: "/x".into() }, limits).expect("client");
        assert!(!client.past_deadline());
    }

    #[test]
    fn the_first_byte_of_an_archive_may_take_the_time_to_write_the_image() {
        let limits = Limits::default();
        // The 3.3 GB image Engine 20.10 took 33 s to start sending.
        assert_eq!(
            limits.archive_first_byte(3_300_000_000),
            Duration::from_secs(30 + 66)
        );
        assert_eq!(limits.archive_first_byte(1), Duration::from_secs(31));
        assert_eq!(limits.archive_first_byte(0), Duration::from_secs(30));
    }
}
