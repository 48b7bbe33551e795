//! CIS 2.4: Docker may not manage iptables.

use crate::facts::{daemon_config, effective_bool, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The effective `iptables` setting (`--iptables`, `"iptables"`, default `true`). It fails when
    /// dockerd is told not to manage iptables.
    ///
    /// ## Why it matters
    /// Without its iptables rules Docker cannot isolate networks from each other or enforce
    /// `icc=false`, and administrators tend to open the firewall by hand far wider than Docker would.
    ///
    /// ## How to fix
    /// Remove `--iptables=false` and `"iptables": false` and restart dockerd.
    pub static RULE = Rule {
        id: "DA0004",
        name: "iptables-disabled",
        title: "Docker is allowed to make changes to iptables",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.4"],
        fix: "remove --iptables=false (\"iptables\": false) so dockerd manages the firewall rules its networks need",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let (iptables, evidence) = match effective_bool(config, "iptables", true) {
        Ok(found) => found,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = if iptables {
        Verdict::pass("dockerd manages iptables")
    } else {
        Verdict::fail("dockerd is told not to manage iptables")
    };
    on_daemon(ctx, verdict.with_evidence([evidence]))
}
