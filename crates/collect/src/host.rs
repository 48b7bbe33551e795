//! Reads the host files behind the daemon's socket and behind bind mounts, so rules can
//! recognise a renamed or symlinked Docker socket or system directory.
//!
//! Only used when the daemon is local (a unix socket endpoint): for a remote daemon these paths
//! name files on another machine.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use dockward_model::{FileId, HostSocket, Workload};

use crate::endpoint::DEFAULT_SOCKET;

/// The daemon's socket (the endpoint dockward uses) and the default socket, with their identities.
pub fn daemon_sockets(endpoint_socket: &Path) -> Vec<HostSocket> {
    let mut sockets = vec![socket(endpoint_socket)];
    if endpoint_socket != Path::new(DEFAULT_SOCKET) {
        let default = socket(Path::new(DEFAULT_SOCKET));
        if default.id.is_some() {
            sockets.push(default);
        }
    }
    sockets
}

fn socket(path: &Path) -> HostSocket {
    HostSocket {
        path: path.display().to_string(),
        id: socket_id(path),
    }
}

/// Device and inode of `path` when it is a unix socket.
fn socket_id(path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    meta.file_type().is_socket().then(|| FileId {
        dev: meta.dev(),
        ino: meta.ino(),
    })
}

/// Resolves symbolic links of each host path mounted into the workload and records sockets.
pub fn inspect_mount_sources(workload: &mut Workload) {
    for mount in &mut workload.mounts {
        let Some(host_path) = mount.host_path().map(str::to_string) else {
            continue;
        };
        let path = Path::new(&host_path);
        if let Ok(real) = std::fs::canonicalize(path) {
            let real = real.display().to_string();
            if real != host_path.trim_end_matches('/') {
                mount.source_realpath = Some(real);
            }
        }
        mount.source_socket = socket_id(path);
    }
}
