//! Errors of collection: each names what could not be read and why.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::endpoint::Endpoint;

/// Why a collector could not read something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The endpoint specification is unusable.
    #[error("{0}")]
    Endpoint(String),
    /// Connecting to the daemon failed.
    #[error("cannot connect to the Docker daemon at {endpoint}: {hint}")]
    Connect {
        /// The endpoint.
        endpoint: String,
        /// What the failure means for the user (e.g. "not a socket: ...").
        hint: String,
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
    /// The answer did not start in time.
    #[error("GET {path} to {endpoint}: no answer within {seconds} s")]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The request path.
        path: String,
        /// How long dockward waited.
        seconds: u64,
    },
    /// The answer started but then no data came in time.
    #[error("GET {path} to {endpoint}: the answer stopped, no data within {seconds} s")]
    Stalled {
        /// The endpoint.
        endpoint: String,
        /// The request path.
        path: String,
        /// How long dockward waited.
        seconds: u64,
    },
    /// The run's deadline passed before the request was done (or sent).
    #[error("the run's deadline of {seconds} s passed before GET {path} was complete")]
    Deadline {
        /// The request path.
        path: String,
        /// The deadline (`--deadline`).
        seconds: u64,
    },
    /// The request was not sent: the daemon was found frozen earlier in the run.
    #[error("GET {path} not sent: the daemon at {endpoint} stopped answering ({why})")]
    Unresponsive {
        /// The endpoint.
        endpoint: String,
        /// The request path.
        path: String,
        /// How it was found frozen.
        why: String,
    },
    /// The answer was larger than its cap; reading stopped there.
    #[error("GET {path} to {endpoint}: the answer exceeds the cap of {}", size(*.cap))]
    TooLarge {
        /// The endpoint.
        endpoint: String,
        /// The request path.
        path: String,
        /// The cap in bytes.
        cap: u64,
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

impl CollectError {
    /// A failed connection to `endpoint`, with what it means for the user.
    pub(crate) fn connect(endpoint: &Endpoint, source: std::io::Error) -> Self {
        let hint = match endpoint {
            Endpoint::Unix { path } => describe_unix(path, &source, effective_uid()),
            Endpoint::Tcp { .. } => describe_io(&source).to_string(),
        };
        CollectError::Connect {
            endpoint: endpoint.to_string(),
            hint,
            source,
        }
    }
}

/// `16 MiB`, `512 KiB`, `100 bytes`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// Why connecting to a unix socket failed, from what is at its path: not a socket at all, or a
/// socket whose owner and mode shut this user out.
fn describe_unix(path: &Path, err: &std::io::Error, uid: Option<u32>) -> String {
    let Ok(meta) = std::fs::metadata(path) else {
        return describe_io(err).to_string();
    };
    let kind = meta.file_type();
    if !kind.is_socket() {
        let what = if kind.is_file() {
            "a regular file"
        } else if kind.is_dir() {
            "a directory"
        } else if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_block_device() || kind.is_char_device() {
            "a device"
        } else {
            "something else"
        };
        return format!("not a socket: {} is {what}", path.display());
    }
    if err.kind() != std::io::ErrorKind::PermissionDenied {
        return describe_io(err).to_string();
    }
    // Connecting needs write permission on the socket.
    let mode = meta.mode() & 0o7777;
    if mode & 0o020 != 0 {
        return format!(
            "permission denied; run dockward as root or as a member of the group that owns the socket \
             ({}, mode {mode:04o})",
            name_of(Path::new("/etc/group"), meta.gid()),
        );
    }
    if mode & 0o002 == 0 && uid != Some(meta.uid()) {
        let owner = name_of(Path::new("/etc/passwd"), meta.uid());
        return if meta.uid() == 0 {
            format!("owned by root with mode {mode:04o}: only root can connect; run dockward as root")
        } else {
            format!(
                "owned by {owner} with mode {mode:04o}: only that user can connect; run dockward as {owner} or root"
            )
        };
    }
    describe_io(err).to_string()
}

/// The effective user id of this process (the owner of `/proc/self`).
fn effective_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The name for a user or group id in a `passwd`/`group` file, else `uid N`/`gid N`.
fn name_of(file: &Path, id: u32) -> String {
    let found = std::fs::read_to_string(file).ok().and_then(|text| {
        text.lines().find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            (fields.nth(1)? == id.to_string()).then(|| name.to_string())
        })
    });
    let kind = if file.ends_with("group") { "gid" } else { "uid" };
    found.unwrap_or_else(|| format!("{kind} {id}"))
}

/// What a failed connection means for the user; the OS error itself follows as the source.
fn describe_io(err: &std::io::Error) -> &'static str {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied",
        std::io::ErrorKind::NotFound => "no such socket (is the daemon running?)",
        std::io::ErrorKind::ConnectionRefused => "connection refused (is the daemon running?)",
        std::io::ErrorKind::TimedOut => "timed out",
        _ => "connection failed",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::ErrorKind;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn socket(mode: u32, owner: Option<u32>) -> (PathBuf, std::os::unix::net::UnixListener) {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("dockward-perm-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("docker.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        if owner.is_some() {
            std::os::unix::fs::chown(&path, owner, None).unwrap();
        }
        (path, listener)
    }

    fn denied() -> std::io::Error {
        ErrorKind::PermissionDenied.into()
    }

    #[test]
    fn a_private_socket_of_another_user_says_whose_it_is() {
        let me = effective_uid().unwrap();
        // An id no account has, so the message does not depend on this machine's users.
        let (path, _listener) = socket(0o600, (me == 0).then_some(4242));
        let owner = std::fs::metadata(&path).unwrap().uid();
        let name = name_of(Path::new("/etc/passwd"), owner);
        assert_eq!(
            describe_unix(&path, &denied(), Some(owner + 1)),
            format!(
                "owned by {name} with mode 0600: only that user can connect; run dockward as {name} or root"
            )
        );
        if owner == 4242 {
            assert_eq!(name, "uid 4242");
        }
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_private_socket_of_root_says_only_root() {
        let me = effective_uid().unwrap();
        if me != 0 {
            return; // only root can make a socket root's
        }
        let (path, _listener) = socket(0o600, None);
        assert_eq!(
            describe_unix(&path, &denied(), Some(1000)),
            "owned by root with mode 0600: only root can connect; run dockward as root"
        );
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_group_socket_names_the_group() {
        let (path, _listener) = socket(0o660, None);
        let group = name_of(Path::new("/etc/group"), std::fs::metadata(&path).unwrap().gid());
        assert_eq!(
            describe_unix(&path, &denied(), Some(4243)),
            format!(
                "permission denied; run dockward as root or as a member of the group that owns the socket \
                 ({group}, mode 0660)"
            )
        );
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn caps_are_named_in_binary_units() {
        assert_eq!(size(256 << 20), "256 MiB");
        assert_eq!(size(16 << 20), "16 MiB");
        assert_eq!(size(512 << 10), "512 KiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
