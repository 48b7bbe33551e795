//! CIS 2.9: user namespace remapping.

use crate::facts::{daemon_info, ev, on_daemon, setting_ev};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the running daemon remaps container users to an unprivileged range of host ids (`/info`
    /// `SecurityOptions` lists `name=userns`; set with `--userns-remap` or `"userns-remap"`).
    ///
    /// ## Why it matters
    /// Without remapping, root in a container is root on the host: an escape, or a file reached through
    /// a mount, is handled with host root's identity.
    ///
    /// ## How to fix
    /// Set `"userns-remap": "default"` (dockerd creates the `dockremap` user and its subordinate id
    /// ranges) and restart dockerd; containers that truly need the host's ids run with `--userns=host`.
    pub static RULE = Rule {
        id: "DA0009",
        name: "userns-remap-disabled",
        title: "User namespace support is enabled",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.9"],
        fix: "start dockerd with --userns-remap=default (\"userns-remap\": \"default\" in daemon.json)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let info = match daemon_info(ctx, "the daemon's security options are") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let mut evidence = vec![ev(&info.security_options)];
    if let Some(setting) = ctx.daemon.config.as_ref().and_then(|c| c.get("userns-remap")) {
        evidence.push(setting_ev("userns-remap", setting));
    }
    let verdict = if info.has_security_option("userns") {
        Verdict::pass("the daemon remaps container users to unprivileged host ids")
    } else {
        Verdict::fail("the daemon does not remap container users")
    };
    on_daemon(ctx, verdict.with_evidence(evidence))
}
