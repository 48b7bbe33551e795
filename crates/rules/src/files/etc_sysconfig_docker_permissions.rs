//! CIS 3.21: the /etc/sysconfig/docker file permissions are set to 644 or more restrictive.

use dockward_model::host::role;

use super::{Files, permissions_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The permission bits of `/etc/sysconfig/docker`. It passes when they grant nothing beyond `644`:
    /// the comparison is bitwise, so a stricter mode passes and a mode such as `0607` (world-writable)
    /// fails, whatever its number. Set-user-ID, set-group-ID and sticky bits count as beyond. Not
    /// applicable when the file does not exist (or the configuration names none); `error` when it
    /// cannot be examined.
    ///
    /// ## Why it matters
    /// It holds options passed to dockerd on RHEL-family systems. Extra permission bits let other
    /// accounts read or change it.
    ///
    /// ## How to fix
    /// `chmod 644 PATH` for each file listed in the finding (or any stricter mode).
    pub static RULE = Rule {
        id: "FI0021",
        name: "etc-sysconfig-docker-permissions",
        title: "The /etc/sysconfig/docker file permissions are set to 644 or more restrictive",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:3.21"],
        fix: "chmod 644 PATH (or stricter)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    permissions_check(ctx, Files::Role(role::ETC_SYSCONFIG_DOCKER), 0o644)
}
