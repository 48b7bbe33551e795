//! CIS 3.17: the daemon.json file ownership is set to root:root.

use dockward_model::host::role;

use super::{Files, Owner, ownership_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The owner and group of the daemon's configuration file (`--config-file`,
    /// `/etc/docker/daemon.json` by default), compared by number. It passes when they are root, both
    /// user and group (uid 0, gid 0). Not applicable when the file does not exist (or the configuration
    /// names none); `error` when it cannot be examined.
    ///
    /// ## Why it matters
    /// It holds every daemon setting. Whoever owns it can change it, and with it the daemon: a file
    /// owned by another account is a path to root.
    ///
    /// ## How to fix
    /// `chown root:root PATH` for each file listed in the finding.
    pub static RULE = Rule {
        id: "FI0017",
        name: "daemon-json-ownership",
        title: "The daemon.json file ownership is set to root:root",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:3.17"],
        fix: "chown root:root PATH",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    ownership_check(ctx, Files::Role(role::DAEMON_JSON), Owner::ROOT)
}
