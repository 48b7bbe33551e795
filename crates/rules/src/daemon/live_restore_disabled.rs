//! CIS 2.15: live restore.

use crate::facts::{daemon_info, ev, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the running daemon keeps containers running while it is stopped or upgraded (`/info`
    /// `LiveRestoreEnabled`; `--live-restore`, `"live-restore"`). Not applicable on an active swarm
    /// node, where live restore is not used.
    ///
    /// ## Why it matters
    /// Without live restore, every daemon restart (an upgrade, a crash) stops all containers, which
    /// discourages applying security updates to Docker.
    ///
    /// ## How to fix
    /// Set `"live-restore": true` in daemon.json and reload dockerd (`systemctl reload docker`).
    pub static RULE = Rule {
        id: "DA0015",
        name: "live-restore-disabled",
        title: "Live restore is enabled",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.15"],
        fix: "start dockerd with --live-restore (\"live-restore\": true in daemon.json)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let info = match daemon_info(ctx, "whether live restore is on is") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    if info.swarm_state.value == "active" {
        return on_daemon(
            ctx,
            Verdict::not_applicable("the node is part of an active swarm, where live restore is not used")
                .with_evidence([ev(&info.swarm_state)]),
        );
    }
    let verdict = if info.live_restore.value {
        Verdict::pass("live restore keeps containers running across daemon restarts")
    } else {
        Verdict::fail("containers stop whenever the daemon stops (live restore is off)")
    };
    on_daemon(ctx, verdict.with_evidence([ev(&info.live_restore)]))
}
