//! CIS 3.15: the Docker socket file ownership is set to root:docker.

use super::{Files, Owner, ownership_check};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The owner and group of every unix socket the daemon serves its API on (`-H unix://…`,
    /// `/run/docker.sock` by default), compared by number. It passes when they are root and the
    /// `docker` group (or the group set with `--group`). Not applicable when the file does not exist
    /// (or the configuration names none); `error` when it cannot be examined.
    ///
    /// ## Why it matters
    /// It holds root on the host for whoever can write to it. Whoever owns it can change it, and with
    /// it the daemon: a file owned by another account is a path to root.
    ///
    /// ## How to fix
    /// `chown root:docker PATH` for each file listed in the finding.
    pub static RULE = Rule {
        id: "FI0015",
        name: "docker-socket-ownership",
        title: "The Docker socket file ownership is set to root:docker",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:3.15"],
        fix: "chown root:docker PATH",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    ownership_check(ctx, Files::ApiSockets, Owner::ROOT_DOCKER)
}
