//! CIS 2.10: the daemon-wide cgroup parent.

use crate::facts::{daemon_config, on_daemon, setting_ev};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the daemon places all containers under a custom cgroup parent (`--cgroup-parent` or
    /// `"cgroup-parent"`). It fails when one is set, so someone confirms the placement is intended.
    ///
    /// ## Why it matters
    /// The cgroup parent decides which resource limits and accounting apply to every container; a wrong
    /// parent can lift the limits the host administrator set.
    ///
    /// ## How to fix
    /// Remove the setting, or document why the containers belong under that parent.
    pub static RULE = Rule {
        id: "DA0010",
        name: "daemon-cgroup-parent",
        title: "The default cgroup usage has been confirmed",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.10"],
        fix: "remove --cgroup-parent (\"cgroup-parent\") unless the placement is intended",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = match config.str("cgroup-parent") {
        Some((parent, setting)) if !parent.is_empty() => Verdict::fail(format!(
            "the daemon places containers under cgroup parent \"{parent}\""
        ))
        .with_evidence([setting_ev("cgroup-parent", setting)]),
        _ => Verdict::pass("the daemon uses the default cgroup parent"),
    };
    on_daemon(ctx, verdict)
}
