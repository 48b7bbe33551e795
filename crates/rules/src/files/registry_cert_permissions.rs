//! CIS 3.8: the registry certificate file permissions are set to 444 or more restrictive.

use super::{Files, permissions_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The permission bits of every file below `/etc/docker/certs.d`. It passes when they grant nothing
    /// beyond `444`: the comparison is bitwise, so a stricter mode passes and a mode such as `0607`
    /// (world-writable) fails, whatever its number. Set-user-ID, set-group-ID and sticky bits count as
    /// beyond. Not applicable when the file does not exist (or the configuration names none); `error`
    /// when it cannot be examined.
    ///
    /// ## Why it matters
    /// It holds the certificates and keys used to trust and log in to registries. Extra permission bits
    /// let other accounts read or change it.
    ///
    /// ## How to fix
    /// `chmod 444 PATH` for each file listed in the finding (or any stricter mode).
    pub static RULE = Rule {
        id: "FI0008",
        name: "registry-cert-permissions",
        title: "The registry certificate file permissions are set to 444 or more restrictive",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:3.8"],
        fix: "chmod 444 PATH (or stricter)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    permissions_check(ctx, Files::RegistryCerts, 0o444)
}
