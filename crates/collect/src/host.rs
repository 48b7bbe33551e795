//! Reads the host files behind the daemon's sockets and behind bind mounts, so rules can
//! recognise a renamed or symlinked Docker socket or system directory.
//!
//! Only used when the host is readable (a local daemon, or `--host-root`): for a remote daemon
//! these paths name files on another machine.

use std::os::unix::fs::{FileTypeExt, MetadataExt};

use dockward_model::{DaemonConfig, FileId, HostSocket, Workload};

use crate::endpoint::{DEFAULT_SOCKET, Endpoint};
use crate::platform::fs::HostFs;

/// The daemon's unix sockets with their identities: the endpoint dockward uses, the configured
/// `unix://` hosts, and the default socket when it exists.
pub fn daemon_sockets(fs: &HostFs, endpoint: &Endpoint, config: Option<&DaemonConfig>) -> Vec<HostSocket> {
    let mut paths: Vec<String> = Vec::new();
    if let Endpoint::Unix { path } = endpoint {
        paths.push(path.display().to_string());
    }
    if let Some(config) = config {
        paths.extend(
            config
                .strings("hosts")
                .into_iter()
                .filter_map(|h| h.strip_prefix("unix://"))
                .map(str::to_string),
        );
    }
    let mut sockets: Vec<HostSocket> = Vec::new();
    for path in paths {
        if !sockets.iter().any(|s| s.path == path) {
            sockets.push(HostSocket {
                id: socket_id(fs, &path),
                path,
            });
        }
    }
    if !sockets.iter().any(|s| s.path == DEFAULT_SOCKET)
        && let Some(id) = socket_id(fs, DEFAULT_SOCKET)
    {
        sockets.push(HostSocket {
            path: DEFAULT_SOCKET.into(),
            id: Some(id),
        });
    }
    sockets
}

/// Device and inode of the host path when it is a unix socket.
fn socket_id(fs: &HostFs, host_path: &str) -> Option<FileId> {
    let meta = std::fs::metadata(fs.followed(host_path)).ok()?;
    meta.file_type().is_socket().then(|| FileId {
        dev: meta.dev(),
        ino: meta.ino(),
    })
}

/// Resolves symbolic links of each host path mounted into the workload and records sockets.
pub fn inspect_mount_sources(fs: &HostFs, workload: &mut Workload) {
    for mount in &mut workload.mounts {
        let Some(host_path) = mount.host_path().map(str::to_string) else {
            continue;
        };
        let real = fs.resolve(&host_path);
        if real != host_path.trim_end_matches('/') && fs.exists(&real) {
            mount.source_realpath = Some(real);
        }
        mount.source_socket = socket_id(fs, &host_path);
    }
}
