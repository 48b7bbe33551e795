//! CIS 5.6: sensitive host directories mounted into the container.

use dockward_model::Mount;

use crate::prelude::*;

use super::{is_within, mount_evidence, normalize_path};

/// Host directories whose exposure lets a container read or change the host system.
pub const SENSITIVE_DIRECTORIES: [&str; 9] = [
    "/", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sys", "/usr",
];

declare_rule! {
    /// ## What it checks
    /// Every host path mounted into the container: bind mounts (`-v /host:/ctr`, `--mount
    /// type=bind`) and local volumes backed by a host directory (`--opt o=bind --opt device=/host`).
    /// It fails when a path is `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/lib64`, `/proc`, `/sys` or
    /// `/usr`, or lies below one of them (`/etc/ssl`, `/proc/1/root`). Paths are compared after
    /// resolving `.`, `..` and repeated slashes and, where the host filesystem is readable, symbolic
    /// links. Read-only mounts fail too, since they still expose host secrets and configuration;
    /// the message says whether the mount is writable.
    ///
    /// ## Why it matters
    /// A writable `/etc`, `/usr` or `/` lets the container change the host's users, services and
    /// binaries; `/proc` and `/sys` reach into the kernel and other processes; even read-only they
    /// leak keys and configuration.
    ///
    /// ## How to fix
    /// Mount only the application's own data directories, or copy the needed files into the image
    /// or a named volume. Use `:ro` where a host file really must be shared.
    pub static RULE = Rule {
        id: "CT0007",
        name: "sensitive-host-mount",
        title: "Sensitive host system directories are not mounted",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.6"],
        fix: "remove the mount of the host system directory; mount only application data, read-only where possible",
        check: Check::Container(ContainerCheck {
            needs: &["/Mounts"],
            check,
        }),
    };
}

fn sensitive_dir(mount: &Mount) -> Option<(&'static str, String)> {
    let host = mount.host_path()?;
    let candidates = [Some(host), mount.source_realpath.as_deref()];
    candidates.into_iter().flatten().find_map(|path| {
        let path = normalize_path(path);
        SENSITIVE_DIRECTORIES
            .iter()
            .copied()
            .filter(|dir| *dir != "/" || path == "/")
            .find(|dir| is_within(&path, dir))
            .map(|dir| (dir, path))
    })
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let mut found = Vec::new();
    let mut evidence = Vec::new();
    for mount in &w.mounts {
        if let Some((_, path)) = sensitive_dir(mount) {
            let mode = if mount.read_only { "read-only" } else { "writable" };
            // A volume being created has no destination yet.
            if mount.destination.is_empty() {
                found.push(format!("{path} ({mode})"));
            } else {
                found.push(format!("{path} at {} ({mode})", mount.destination));
            }
            evidence.push(mount_evidence(mount));
        }
    }
    if found.is_empty() {
        return Verdict::pass("no sensitive host directory is mounted");
    }
    Verdict::fail(format!(
        "sensitive host directories are mounted: {}",
        found.join(", ")
    ))
    .with_evidence(evidence)
}
