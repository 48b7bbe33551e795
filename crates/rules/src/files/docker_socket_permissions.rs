//! CIS 3.16: the Docker socket file permissions are set to 660 or more restrictive.

use super::{Files, permissions_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The permission bits of every unix socket the daemon serves its API on (`-H unix://…`,
    /// `/run/docker.sock` by default). It passes when they grant nothing beyond `660`: the comparison
    /// is bitwise, so a stricter mode passes and a mode such as `0607` (world-writable) fails, whatever
    /// its number. Set-user-ID, set-group-ID and sticky bits count as beyond. Not applicable when the
    /// file does not exist (or the configuration names none); `error` when it cannot be examined.
    ///
    /// ## Why it matters
    /// It holds root on the host for whoever can write to it. Extra permission bits let other accounts
    /// read or change it.
    ///
    /// ## How to fix
    /// `chmod 660 PATH` for each file listed in the finding (or any stricter mode).
    pub static RULE = Rule {
        id: "FI0016",
        name: "docker-socket-permissions",
        title: "The Docker socket file permissions are set to 660 or more restrictive",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:3.16"],
        fix: "chmod 660 PATH (or stricter)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    permissions_check(ctx, Files::ApiSockets, 0o660)
}
