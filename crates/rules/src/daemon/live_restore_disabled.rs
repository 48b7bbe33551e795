//! CIS 2.15: live restore.

use dockward_model::DaemonConfig;

use crate::facts::{daemon_info, ev, file_setting, linted_file, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the running daemon keeps containers running while it is stopped or upgraded (`/info`
    /// `LiveRestoreEnabled`; `--live-restore`, `"live-restore"`). Not applicable on an active swarm
    /// node, where live restore is not used.
    ///
    /// A daemon.json linted on its own is judged by its `"live-restore"` (off when unset, Docker's
    /// default); whether the node is in a swarm is not in the file.
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
    if let Some(config) = linted_file(ctx) {
        return on_daemon(ctx, from_file(config));
    }
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

/// The verdict on a lone daemon.json's `live-restore`.
fn from_file(config: &DaemonConfig) -> Verdict {
    let (value, evidence) = match file_setting(config, "live-restore", serde_json::json!(false)) {
        Ok(found) => found,
        Err(unknown) => return unknown,
    };
    let verdict = if value.as_bool() == Some(true) {
        Verdict::pass("live restore keeps containers running across daemon restarts")
    } else {
        Verdict::fail("containers stop whenever the daemon stops (live restore is off)")
    };
    verdict.with_evidence([evidence])
}
