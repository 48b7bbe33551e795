//! CIS 3.7: the registry certificate file ownership is set to root:root.

use super::{Files, Owner, ownership_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The owner and group of every file below `/etc/docker/certs.d`, compared by number. It passes
    /// when they are root, both user and group (uid 0, gid 0). Not applicable when the file does not
    /// exist (or the configuration names none); `error` when it cannot be examined.
    ///
    /// ## Why it matters
    /// It holds the certificates and keys used to trust and log in to registries. Whoever owns it can
    /// change it, and with it the daemon: a file owned by another account is a path to root.
    ///
    /// ## How to fix
    /// `chown root:root PATH` for each file listed in the finding.
    pub static RULE = Rule {
        id: "FI0007",
        name: "registry-cert-ownership",
        title: "The registry certificate file ownership is set to root:root",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:3.7"],
        fix: "chown root:root PATH",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    ownership_check(ctx, Files::RegistryCerts, Owner::ROOT)
}
