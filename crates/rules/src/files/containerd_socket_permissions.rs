//! CIS 3.24: the containerd socket file permissions are set to 660 or more restrictive.

use dockward_model::host::role;

use super::{Files, permissions_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The permission bits of containerd's socket (`--containerd`, `/run/containerd/containerd.sock` by
    /// default). It passes when they grant nothing beyond `660`: the comparison is bitwise, so a
    /// stricter mode passes and a mode such as `0607` (world-writable) fails, whatever its number. Set-
    /// user-ID, set-group-ID and sticky bits count as beyond. Not applicable when the file does not
    /// exist (or the configuration names none); `error` when it cannot be examined.
    ///
    /// ## Why it matters
    /// It holds the API below Docker that creates and controls every container. Extra permission bits
    /// let other accounts read or change it.
    ///
    /// ## How to fix
    /// `chmod 660 PATH` for each file listed in the finding (or any stricter mode).
    pub static RULE = Rule {
        id: "FI0024",
        name: "containerd-socket-permissions",
        title: "The containerd socket file permissions are set to 660 or more restrictive",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:3.24"],
        fix: "chmod 660 PATH (or stricter)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    permissions_check(ctx, Files::Role(role::CONTAINERD_SOCKET), 0o660)
}
