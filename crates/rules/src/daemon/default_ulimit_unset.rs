//! CIS 2.8: default ulimits for containers.

use crate::facts::{daemon_config, on_daemon, setting_ev};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the daemon sets default ulimits for all containers (`--default-ulimit` or `"default-
    /// ulimits"`). Informational: it fails when none is set, and lists them when they are, for a person
    /// to judge.
    ///
    /// ## Why it matters
    /// Without defaults every container inherits dockerd's own limits, which are sized for the daemon,
    /// not for a workload: one container can hold enough files or processes to starve the rest.
    ///
    /// ## How to fix
    /// Set `"default-ulimits"` in daemon.json (for example `{"nofile": {"Name": "nofile", "Soft": 1024,
    /// "Hard": 4096}}`); containers that need more override it with `--ulimit`.
    pub static RULE = Rule {
        id: "DA0008",
        name: "default-ulimit-unset",
        title: "The default ulimit is configured appropriately",
        severity: Severity::Info,
        references: &["cis-docker-1.6.0:2.8"],
        fix: "set default ulimits for containers: --default-ulimit nofile=1024:4096 (\"default-ulimits\" in daemon.json)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = match config.get("default-ulimits") {
        Some(setting) => {
            let names: Vec<&str> = setting
                .value
                .as_object()
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            Verdict::pass(format!("default ulimits are set for {}", names.join(", ")))
                .with_evidence([setting_ev("default-ulimits", setting)])
        }
        None => Verdict::fail("no default ulimits are set for containers"),
    };
    on_daemon(ctx, verdict)
}
