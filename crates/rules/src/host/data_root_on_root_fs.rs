//! CIS 1.1.1: a separate partition for containers.

use crate::facts::{host_facts, observed, on_host};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Which filesystem holds the running daemon's data root (`/info` `DockerRootDir`; for a daemon
    /// with user namespace remapping, its parent directory), from the host's mount table. It passes
    /// when the data root is a mount point of its own, or lies on a separate filesystem such as a
    /// dedicated `/var`, and fails when it sits on the root filesystem.
    ///
    /// ## Why it matters
    /// Images, container layers, volumes and logs grow without bound; on the root filesystem they can
    /// fill it and stop the host's own services, including logging and sshd.
    ///
    /// ## How to fix
    /// Create a filesystem for Docker (an LVM volume, a disk), mount it at the data root (or point
    /// `"data-root"` at it) and move the existing data with the daemon stopped.
    pub static RULE = Rule {
        id: "HO0001",
        name: "data-root-on-root-fs",
        title: "A separate partition for containers has been created",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:1.1.1"],
        fix: "put the daemon's data root on its own filesystem (mount one at /var/lib/docker, or set \"data-root\")",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let mount = match host_facts(ctx)
        .and_then(|h| observed(&h.data_root_mount, "the filesystem of the data root is"))
    {
        Ok(mount) => mount,
        Err(unknown) => return on_host(ctx, unknown),
    };
    let m = &mount.value;
    let evidence = Evidence::new(mount.at.to_string(), m);
    let verdict = if m.mount_point == m.path {
        Verdict::pass(format!("{} is a filesystem of its own ({})", m.path, m.fs_type))
    } else if m.mount_point != "/" {
        Verdict::pass(format!(
            "{} lies on the separate filesystem mounted at {}",
            m.path, m.mount_point
        ))
    } else {
        Verdict::fail(format!("{} lies on the root filesystem", m.path))
    };
    on_host(ctx, verdict.with_evidence([evidence]))
}
