//! CIS 2.16: the userland proxy.

use crate::facts::{daemon_config, effective_bool, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The effective `userland-proxy` setting (`--userland-proxy`, `"userland-proxy"`, default `true`).
    ///
    /// ## Why it matters
    /// The userland proxy runs a `docker-proxy` process per published port, adding attack surface;
    /// hairpin NAT does the same job in the kernel.
    ///
    /// ## How to fix
    /// Set `"userland-proxy": false` in daemon.json and restart dockerd.
    pub static RULE = Rule {
        id: "DA0016",
        name: "userland-proxy-enabled",
        title: "The userland proxy is disabled",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.16"],
        fix: "start dockerd with --userland-proxy=false (\"userland-proxy\": false in daemon.json)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let (proxy, evidence) = match effective_bool(config, "userland-proxy", true) {
        Ok(found) => found,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = if proxy {
        Verdict::fail("published ports go through the userland proxy")
    } else {
        Verdict::pass("the userland proxy is off")
    };
    on_daemon(ctx, verdict.with_evidence([evidence]))
}
