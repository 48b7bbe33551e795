//! CIS 5.32: the Docker socket mounted into a container.

use dockward_model::Mount;

use crate::prelude::*;

use super::{is_within, mount_evidence, normalize_path};

/// Where Docker listens when nothing else is configured.
const DEFAULT_SOCKETS: [&str; 2] = ["/var/run/docker.sock", "/run/docker.sock"];

declare_rule! {
    /// ## What it checks
    /// Whether a mount exposes the Docker API socket, wherever the daemon keeps it. A mount
    /// matches when its host path is one of the daemon's sockets (the endpoint dockward talked to,
    /// plus `/var/run/docker.sock`; `/var/run` and `/run` are the same directory), when it is a
    /// directory holding one of them (`-v /var/run:/host-run`), when the host file is the same
    /// socket under another name (same device and inode), or when the host path is named
    /// `docker.sock`.
    ///
    /// ## Why it matters
    /// Whoever can write to the Docker socket can start a privileged container with the host's
    /// root filesystem mounted: a container holding the socket owns the host.
    ///
    /// ## How to fix
    /// Remove the mount. Tools that need the API should talk to a filtering proxy in front of the
    /// socket instead, such as `dockward proxy`, which judges every request with the same rules
    /// before the daemon sees it (mount the proxy's socket, not the daemon's).
    pub static RULE = Rule {
        id: "CT0028",
        name: "docker-socket-mount",
        title: "The Docker socket is not mounted inside any containers",
        severity: Severity::Critical,
        references: &["cis-docker-1.6.0:5.32"],
        fix: "remove the mount of the Docker socket; give tools a filtering proxy instead",
        check: Check::Container(ContainerCheck {
            needs: &["/Mounts"],
            check,
        }),
    };
}

/// `/var/run/x` and `/run/x` name the same file on current distributions.
fn canonical_run(path: &str) -> String {
    let path = normalize_path(path);
    match path.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => path,
    }
}

fn exposes_socket(ctx: &Context<'_>, mount: &Mount) -> Option<String> {
    let host = mount.host_path()?;
    let socket_paths: Vec<String> = ctx
        .daemon
        .sockets
        .iter()
        .map(|s| s.path.as_str())
        .chain(DEFAULT_SOCKETS)
        .map(canonical_run)
        .collect();
    for candidate in [Some(host), mount.source_realpath.as_deref()]
        .into_iter()
        .flatten()
    {
        let path = canonical_run(candidate);
        if let Some(socket) = socket_paths.iter().find(|s| is_within(s, &path)) {
            return Some(if *socket == path {
                format!("{host} is the Docker socket")
            } else {
                format!("{host} holds the Docker socket {socket}")
            });
        }
    }
    if let Some(socket) = mount
        .source_socket
        .and_then(|id| ctx.daemon.sockets.iter().find(|s| s.id == Some(id)))
    {
        return Some(format!("{host} is the Docker socket {}", socket.path));
    }
    (host.rsplit('/').next() == Some("docker.sock"))
        .then(|| format!("{host} is named like the Docker socket"))
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let mut found = Vec::new();
    let mut evidence = Vec::new();
    for mount in &w.mounts {
        if let Some(reason) = exposes_socket(ctx, mount) {
            // A volume being created has no destination yet.
            if mount.destination.is_empty() {
                found.push(reason);
            } else {
                found.push(format!("{reason}, mounted at {}", mount.destination));
            }
            evidence.push(mount_evidence(mount));
        }
    }
    if found.is_empty() {
        return Verdict::pass("the Docker socket is not mounted");
    }
    Verdict::fail(format!("the Docker socket is mounted: {}", found.join("; "))).with_evidence(evidence)
}
