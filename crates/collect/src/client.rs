//! A small Docker Engine API client: HTTP/1.1 GETs over a unix socket, TCP or TLS, returning the
//! raw JSON bytes.
//!
//! dockward reads the API's JSON itself instead of through a typed SDK: the facts keep JSON
//! pointers into the exact documents the daemon returned, and fields an SDK's model does not
//! know are not silently dropped.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UnixStream};

use crate::endpoint::{Endpoint, TlsFiles};
use crate::error::CollectError;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How to open connections to one daemon. Cheap to clone; each [`Connection`] is one socket.
#[derive(Clone)]
pub struct Client {
    endpoint: Endpoint,
    tls: Option<Arc<rustls::ClientConfig>>,
    timeout: Duration,
}

/// One open HTTP/1.1 connection; requests on it run one after another (keep-alive).
pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
    endpoint: String,
    timeout: Duration,
}

impl Client {
    /// Prepares a client; reads TLS material now so a bad certificate fails early.
    pub fn new(endpoint: Endpoint, timeout: Duration) -> Result<Self, CollectError> {
        let tls = match &endpoint {
            Endpoint::Tcp { tls: Some(files), .. } => Some(Arc::new(tls_config(&endpoint, files)?)),
            _ => None,
        };
        Ok(Self {
            endpoint,
            tls,
            timeout,
        })
    }

    /// The endpoint, as text.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Opens a connection.
    pub async fn connect(&self) -> Result<Connection, CollectError> {
        let endpoint = self.endpoint.to_string();
        let connect_error = |source| CollectError::Connect {
            endpoint: endpoint.clone(),
            source,
        };
        let io: Box<dyn Io> = match &self.endpoint {
            Endpoint::Unix { path } => Box::new(
                tokio::time::timeout(self.timeout, UnixStream::connect(path))
                    .await
                    .map_err(|_| connect_error(std::io::ErrorKind::TimedOut.into()))?
                    .map_err(connect_error)?,
            ),
            Endpoint::Tcp { host, port, .. } => {
                let tcp = tokio::time::timeout(self.timeout, TcpStream::connect((host.as_str(), *port)))
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
                        let stream = tokio::time::timeout(self.timeout, connector.connect(name, tcp))
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
            endpoint,
            timeout: self.timeout,
        })
    }
}

impl Connection {
    /// GETs `path` and returns the body of a 2xx answer; other answers become
    /// [`CollectError::Api`] with the daemon's message.
    pub async fn get(&mut self, path: &str) -> Result<Bytes, CollectError> {
        let seconds = self.timeout.as_secs();
        let endpoint = self.endpoint.clone();
        tokio::time::timeout(self.timeout, self.get_inner(path))
            .await
            .map_err(|_| CollectError::Timeout {
                endpoint,
                path: path.into(),
                seconds,
            })?
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
    /// (an image archive) never sits in memory whole. `sink` returns `false` to stop early. The
    /// timeout applies to each wait for data, not to the whole transfer.
    pub async fn get_streamed<F, Fut>(&mut self, path: &str, mut sink: F) -> Result<(), CollectError>
    where
        F: FnMut(Bytes) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let seconds = self.timeout.as_secs();
        let timeout = self.timeout;
        let endpoint = self.endpoint.clone();
        let timed_out = || CollectError::Timeout {
            endpoint: endpoint.clone(),
            path: path.into(),
            seconds,
        };
        let http_error = |message: String| CollectError::Http {
            endpoint: endpoint.clone(),
            path: path.into(),
            message,
        };
        let response = tokio::time::timeout(timeout, self.send(path))
            .await
            .map_err(|_| timed_out())??;
        let status = response.status();
        let mut body = response.into_body();
        if !status.is_success() {
            let text = tokio::time::timeout(timeout, body.collect())
                .await
                .map_err(|_| timed_out())?
                .map_err(|e| http_error(e.to_string()))?
                .to_bytes();
            return Err(CollectError::Api {
                path: path.into(),
                status: status.as_u16(),
                message: api_message(status, &text),
            });
        }
        loop {
            let frame = tokio::time::timeout(timeout, body.frame())
                .await
                .map_err(|_| timed_out())?;
            let Some(frame) = frame else { return Ok(()) };
            let frame = frame.map_err(|e| http_error(e.to_string()))?;
            if let Ok(chunk) = frame.into_data()
                && !sink(chunk).await
            {
                return Ok(());
            }
        }
    }

    async fn send(&mut self, path: &str) -> Result<hyper::Response<hyper::body::Incoming>, CollectError> {
        let http_error = |message: String| CollectError::Http {
            endpoint: self.endpoint.clone(),
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

    async fn get_inner(&mut self, path: &str) -> Result<Bytes, CollectError> {
        let response = self.send(path).await?;
        let http_error = |message: String| CollectError::Http {
            endpoint: self.endpoint.clone(),
            path: path.into(),
            message,
        };
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| http_error(e.to_string()))?
            .to_bytes();
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
