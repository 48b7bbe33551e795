//! Configuration sources that disagree with each other or with the running daemon.

use dockward_model::ConfigProblemKind;

use crate::facts::{daemon_config, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The configuration sources against each other and against the running daemon: a key given twice
    /// in daemon.json (the last one silently wins), a systemd unit whose `ExecStart` differs from the
    /// command line dockerd runs with (changed without a restart), and values the running daemon
    /// reports that its files do not set (changed without a reload). It fails for any of them. A
    /// daemon.json linted on its own is judged for keys set twice only.
    ///
    /// ## Why it matters
    /// An audit of the files is only worth as much as their agreement with the running daemon: the next
    /// restart applies settings nobody has looked at.
    ///
    /// ## How to fix
    /// Remove duplicate keys, restart (or `systemctl reload docker` for reloadable options) after
    /// changing the unit or daemon.json, and re-run the audit.
    pub static RULE = Rule {
        id: "DA0021",
        name: "config-drift",
        title: "The daemon runs with the configuration its sources describe",
        severity: Severity::Low,
        references: &[],
        fix: "restart or reload dockerd after configuration changes, and keep each setting in one place",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let drift: Vec<_> = config
        .problems
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                ConfigProblemKind::DuplicateKey
                    | ConfigProblemKind::UnitDiffers
                    | ConfigProblemKind::LiveDiffers
            )
        })
        .collect();
    if drift.is_empty() {
        let verdict = if ctx.daemon.file_only {
            Verdict::pass(
                "no key is set twice in the file (whether the running daemon agrees with it needs dockward audit)",
            )
        } else {
            Verdict::pass("the configuration sources agree with each other and with the running daemon")
        };
        return on_daemon(ctx, verdict);
    }
    let messages: Vec<&str> = drift.iter().map(|p| p.message.as_str()).collect();
    let evidence = drift.iter().flat_map(|p| {
        p.at.iter()
            .map(|at| Evidence::at(at, p.key.as_deref().unwrap_or_default()))
    });
    on_daemon(ctx, Verdict::fail(messages.join("; ")).with_evidence(evidence))
}
