//! CIS 5.13: writable root filesystem.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Whether the container's root filesystem is mounted read-only (`HostConfig.ReadonlyRootfs`).
    ///
    /// ## Why it matters
    /// A read-only root filesystem stops an intruder from replacing the application's binaries or
    /// planting tools, and makes every place the application writes explicit.
    ///
    /// ## How to fix
    /// Run with `docker run --read-only` and give the application the writable paths it needs
    /// as volumes or `--tmpfs /tmp`.
    pub static RULE = Rule {
        id: "CT0012",
        name: "writable-rootfs",
        title: "The container's root filesystem is mounted read-only",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.13"],
        fix: "run with --read-only and mount writable paths as volumes or --tmpfs",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/ReadonlyRootfs"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if w.readonly_rootfs.value {
        Verdict::pass("root filesystem is read-only").with_evidence([ev(&w.readonly_rootfs)])
    } else {
        Verdict::fail("root filesystem is writable").with_evidence([ev(&w.readonly_rootfs)])
    }
}
