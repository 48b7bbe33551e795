//! CIS 5.32: the Docker socket mounted into a container.

use dockward_model::Mount;

use crate::prelude::*;

use super::{is_within, mount_evidence, normalize_path};

/// Where Docker listens when nothing else is configured.
const DEFAULT_SOCKETS: [&str; 2] = ["/var/run/docker.sock", "/run/docker.sock"];

/// containerd's socket, which controls every container as well as the Docker socket does.
const CONTAINERD_SOCKET: &str = "/run/containerd/containerd.sock";

declare_rule! {
    /// ## What it checks
    /// Whether a mount exposes the Docker API socket, wherever the daemon keeps it, or
    /// containerd's socket (`/run/containerd/containerd.sock`), which is as powerful. A mount
    /// matches when its host path is one of the daemon's sockets (the endpoint dockward talked to,
    /// plus `/var/run/docker.sock`; `/var/run` and `/run` are the same directory) or containerd's,
    /// when it is a directory holding one of them (`-v /var/run:/host-run`, `/run/containerd`),
    /// when the host file is the same socket under another name (same device and inode), or when
    /// the host path is named `docker.sock`. Both the path as written (with `.`, `..`, repeated
    /// and trailing slashes resolved) and the path with symbolic links resolved are judged.
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

/// `/run/x` also spelled `/var/run/x`, which a directory `/var` holds.
fn var_run(canonical: &str) -> Option<String> {
    canonical
        .strip_prefix("/run")
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .map(|rest| format!("/var/run{rest}"))
}

fn exposes_socket(ctx: &Context<'_>, mount: &Mount) -> Option<String> {
    let host = mount.host_path()?;
    // Each socket in its canonical `/run` form first (that is the name messages use), then as
    // `/var/run`, so `-v /var:/host` is seen to hold `/var/run/docker.sock`.
    let canonical: Vec<(&str, String)> = ctx
        .daemon
        .sockets
        .iter()
        .map(|s| s.path.as_str())
        .chain(DEFAULT_SOCKETS)
        .map(|s| ("Docker", canonical_run(s)))
        .chain([("containerd", CONTAINERD_SOCKET.to_string())])
        .collect();
    let spelled: Vec<(&str, String)> = canonical
        .iter()
        .filter_map(|(what, s)| var_run(s).map(|v| (*what, v)))
        .collect();
    for candidate in [Some(host), mount.source_realpath.as_deref()]
        .into_iter()
        .flatten()
    {
        let written = normalize_path(candidate);
        let path = canonical_run(candidate);
        let hit = canonical
            .iter()
            .chain(&spelled)
            .find(|(_, socket)| is_within(socket, &path) || is_within(socket, &written));
        if let Some((what, socket)) = hit {
            return Some(if *socket == path || *socket == written {
                format!("{host} is the {what} socket")
            } else {
                format!("{host} holds the {what} socket {socket}")
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
    let (mut docker, mut containerd) = (false, false);
    for mount in &w.mounts {
        if let Some(reason) = exposes_socket(ctx, mount) {
            if reason.contains("the containerd socket") {
                containerd = true;
            } else {
                docker = true;
            }
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
    let what = match (docker, containerd) {
        (true, true) => "the Docker and containerd sockets are",
        (false, true) => "the containerd socket is",
        _ => "the Docker socket is",
    };
    Verdict::fail(format!("{what} mounted: {}", found.join("; "))).with_evidence(evidence)
}
