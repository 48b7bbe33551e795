//! CIS 2.2: inter-container communication on the default bridge.

use crate::facts::{daemon_config, effective_bool, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The effective `icc` setting of the daemon: `--icc` on its command line or `"icc"` in
    /// daemon.json, default `true`. It fails unless inter-container communication is off.
    ///
    /// ## Why it matters
    /// With `icc` on, every container on the default bridge can reach every port of every other one; a
    /// single compromised container can probe and attack all its neighbours.
    ///
    /// ## How to fix
    /// Set `"icc": false` in daemon.json (or `--icc=false`) and restart dockerd; containers that need
    /// to talk join a user-defined network together. `icc=false` needs iptables.
    pub static RULE = Rule {
        id: "DA0002",
        name: "icc-enabled",
        title: "Network traffic between containers on the default bridge is restricted",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.2"],
        fix: "start dockerd with --icc=false (\"icc\": false in daemon.json) and connect containers that must talk over user-defined networks",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let (icc, evidence) = match effective_bool(config, "icc", true) {
        Ok(found) => found,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = if icc {
        Verdict::fail("containers on the default bridge can reach each other (icc is on)")
    } else {
        Verdict::pass("inter-container communication on the default bridge is off")
    };
    on_daemon(ctx, verdict.with_evidence([evidence]))
}
