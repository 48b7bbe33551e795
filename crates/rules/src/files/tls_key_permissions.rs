//! CIS 3.14: the Docker server certificate key file permissions are set to 400.

use dockward_model::host::role;

use super::{Files, permissions_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The permission bits of the daemon's TLS private key (`--tlskey`). It passes when they grant
    /// nothing beyond `400`: the comparison is bitwise, so a stricter mode passes and a mode such as
    /// `0607` (world-writable) fails, whatever its number. Set-user-ID, set-group-ID and sticky bits
    /// count as beyond. Not applicable when the file does not exist (or the configuration names none);
    /// `error` when it cannot be examined.
    ///
    /// ## Why it matters
    /// It holds the key that lets anyone impersonate the daemon. Extra permission bits let other
    /// accounts read or change it.
    ///
    /// ## How to fix
    /// `chmod 400 PATH` for each file listed in the finding (or any stricter mode).
    pub static RULE = Rule {
        id: "FI0014",
        name: "tls-key-permissions",
        title: "The Docker server certificate key file permissions are set to 400",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:3.14"],
        fix: "chmod 400 PATH (or stricter)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    permissions_check(ctx, Files::Role(role::TLS_KEY), 0o400)
}
