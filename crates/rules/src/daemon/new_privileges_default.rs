//! CIS 2.14: daemon-wide no-new-privileges.

use crate::facts::{daemon_config, effective_bool, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The effective daemon-wide `no-new-privileges` setting (`--no-new-privileges`, `"no-new-
    /// privileges"`, default `false`).
    ///
    /// ## Why it matters
    /// With it on, no process in any container can gain privileges through setuid binaries or file
    /// capabilities, unless that container explicitly turns it off.
    ///
    /// ## How to fix
    /// Set `"no-new-privileges": true` in daemon.json and restart dockerd; a container that needs
    /// setuid binaries can opt out with `--security-opt no-new-privileges=false`.
    pub static RULE = Rule {
        id: "DA0014",
        name: "new-privileges-default",
        title: "Containers are restricted from acquiring new privileges by default",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.14"],
        fix: "start dockerd with --no-new-privileges (\"no-new-privileges\": true in daemon.json)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let (on, evidence) = match effective_bool(config, "no-new-privileges", false) {
        Ok(found) => found,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = if on {
        Verdict::pass("no-new-privileges is on for every container by default")
    } else {
        Verdict::fail("containers may gain new privileges by default")
    };
    on_daemon(ctx, verdict.with_evidence([evidence]))
}
