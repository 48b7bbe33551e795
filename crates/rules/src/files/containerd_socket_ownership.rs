//! CIS 3.23: the containerd socket file ownership is set to root:root.

use dockward_model::host::role;

use super::{Files, Owner, ownership_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The owner and group of containerd's socket (`--containerd`, `/run/containerd/containerd.sock` by
    /// default), compared by number. It passes when they are root, both user and group (uid 0, gid 0).
    /// Not applicable when the file does not exist (or the configuration names none); `error` when it
    /// cannot be examined.
    ///
    /// ## Why it matters
    /// It holds the API below Docker that creates and controls every container. Whoever owns it can
    /// change it, and with it the daemon: a file owned by another account is a path to root.
    ///
    /// ## How to fix
    /// `chown root:root PATH` for each file listed in the finding.
    pub static RULE = Rule {
        id: "FI0023",
        name: "containerd-socket-ownership",
        title: "The containerd socket file ownership is set to root:root",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:3.23"],
        fix: "chown root:root PATH",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    ownership_check(ctx, Files::Role(role::CONTAINERD_SOCKET), Owner::ROOT)
}
