//! Errors of collection: each names what could not be read and why.

use std::path::PathBuf;

/// Why a collector could not read something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The endpoint specification is unusable.
    #[error("{0}")]
    Endpoint(String),
    /// Connecting to the daemon failed.
    #[error("cannot connect to the Docker daemon at {endpoint}: {}", describe_io(.source, .endpoint))]
    Connect {
        /// The endpoint.
        endpoint: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// TLS setup or handshake failed.
    #[error("TLS with {endpoint}: {message}")]
    Tls {
        /// The endpoint.
        endpoint: String,
        /// What went wrong.
        message: String,
    },
    /// The HTTP exchange failed.
    #[error("request GET {path} to {endpoint} failed: {message}")]
    Http {
        /// The endpoint.
        endpoint: String,
        /// The request path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The daemon answered with an error status.
    #[error("GET {path}: the daemon answered {status}: {message}")]
    Api {
        /// The request path.
        path: String,
        /// HTTP status code.
        status: u16,
        /// The daemon's message.
        message: String,
    },
    /// The request did not complete in time.
    #[error("GET {path} to {endpoint} timed out after {seconds} s")]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The request path.
        path: String,
        /// The timeout.
        seconds: u64,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON document could not be decoded.
    #[error("cannot decode {what}: {source}")]
    Json {
        /// What was being decoded.
        what: String,
        /// The decoder's error, with line and column.
        #[source]
        source: serde_json::Error,
    },
}

impl CollectError {
    /// The HTTP status of an API error, if this is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            CollectError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// What a failed connection means for the user; the OS error itself follows as the source.
fn describe_io(err: &std::io::Error, endpoint: &str) -> &'static str {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied if endpoint.starts_with("unix://") => {
            "permission denied; run dockward as root or as a member of the group that owns the socket"
        }
        std::io::ErrorKind::PermissionDenied => "permission denied",
        std::io::ErrorKind::NotFound => "no such socket (is the daemon running?)",
        std::io::ErrorKind::ConnectionRefused => "connection refused (is the daemon running?)",
        std::io::ErrorKind::TimedOut => "timed out",
        _ => "connection failed",
    }
}
