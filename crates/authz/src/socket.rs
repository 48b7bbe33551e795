//! The listening unix socket: a stale file left by a dead process is removed, a socket another
//! process still serves is never taken over, and the socket is removed again at exit (only if it
//! is still ours).

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tokio::net::UnixListener;

/// Why the socket could not be set up; every one is a startup failure (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// Another process answers on the socket.
    #[error("another process is serving {0}; stop it first or choose another --socket")]
    InUse(PathBuf),
    /// Something that is not a socket is in the way.
    #[error("{0} exists and is not a socket; remove it or choose another path")]
    NotSocket(PathBuf),
    /// A system call failed.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

/// A bound socket.
pub struct BoundSocket {
    /// The listener.
    pub listener: UnixListener,
    /// Removes the socket file when dropped.
    pub file: SocketFile,
}

/// The socket's file; removed when dropped, if the file is still this socket (a successor may
/// have bound the path since).
pub struct SocketFile {
    path: PathBuf,
    identity: (u64, u64),
}

impl SocketFile {
    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        if let Ok(meta) = std::fs::symlink_metadata(&self.path)
            && (meta.dev(), meta.ino()) == self.identity
        {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether this process runs as root (the owner of `/proc/self` is the effective uid).
pub fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Binds `path` for the plugin: mode 0600 when running as root (only root, i.e. dockerd, may
/// talk to it) or 0660 otherwise (the owner's group, e.g. a rootless daemon's user).
pub fn bind(path: &Path) -> Result<BoundSocket, SocketError> {
    let mode = if running_as_root() { 0o600 } else { 0o660 };
    bind_with(path, mode, None)
}

/// The gid of a group in `/etc/group`.
pub fn group_id(name: &str) -> Option<u32> {
    let text = std::fs::read_to_string("/etc/group").ok()?;
    dockward_collect::parse::procfs::parse_group(&text)
        .into_iter()
        .find(|g| g.name == name)
        .map(|g| g.gid)
}

/// Binds `path`: creates its directory, clears a stale socket, refuses one in use, then sets
/// `mode` and, when given, the group.
pub fn bind_with(path: &Path, mode: u32, group: Option<u32>) -> Result<BoundSocket, SocketError> {
    let io = |what, source| SocketError::Io {
        what,
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| SocketError::Io {
            what: "create the directory",
            path: parent.to_path_buf(),
            source: e,
        })?;
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            match std::os::unix::net::UnixStream::connect(path) {
                Ok(_) => return Err(SocketError::InUse(path.to_path_buf())),
                // Nobody listens: a file left behind by a process that died.
                Err(_) => std::fs::remove_file(path).map_err(|e| io("remove the stale socket", e))?,
            }
        }
        Ok(_) => return Err(SocketError::NotSocket(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("inspect", e)),
    }
    let listener = UnixListener::bind(path).map_err(|e| io("listen on", e))?;
    if let Some(gid) = group {
        std::os::unix::fs::chown(path, None, Some(gid)).map_err(|e| io("set the group of", e))?;
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| io("set the mode of", e))?;
    let meta = std::fs::symlink_metadata(path).map_err(|e| io("inspect", e))?;
    Ok(BoundSocket {
        listener,
        file: SocketFile {
            path: path.to_path_buf(),
            identity: (meta.dev(), meta.ino()),
        },
    })
}
