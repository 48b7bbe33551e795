//! CIS 2.9: user namespace remapping.

use dockward_model::DaemonConfig;

use crate::facts::{daemon_info, ev, file_setting, linted_file, on_daemon, setting_ev};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the running daemon remaps container users to an unprivileged range of host ids (`/info`
    /// `SecurityOptions` lists `name=userns`; set with `--userns-remap` or `"userns-remap"`).
    ///
    /// A daemon.json linted on its own is judged by its `"userns-remap"` (unset: no remapping, Docker's
    /// default).
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
    if let Some(config) = linted_file(ctx) {
        return on_daemon(ctx, from_file(config));
    }
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

/// The verdict on a lone daemon.json's `userns-remap`.
fn from_file(config: &DaemonConfig) -> Verdict {
    let (value, evidence) = match file_setting(config, "userns-remap", serde_json::json!("")) {
        Ok(found) => found,
        Err(unknown) => return unknown,
    };
    let verdict = match value.as_str() {
        Some(remap) if !remap.is_empty() => Verdict::pass(format!(
            "the daemon remaps container users to unprivileged host ids (userns-remap {remap})"
        )),
        _ => Verdict::fail("the daemon does not remap container users"),
    };
    verdict.with_evidence([evidence])
}
