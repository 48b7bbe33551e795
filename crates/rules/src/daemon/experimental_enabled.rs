//! CIS 2.18: experimental features.

use dockward_model::DaemonConfig;

use crate::facts::{daemon_info, ev, file_setting, linted_file, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the running daemon has experimental features enabled (`/info` `ExperimentalBuild`;
    /// `--experimental`, `"experimental"`).
    ///
    /// A daemon.json linted on its own is judged by its `"experimental"` (off when unset, Docker's
    /// default).
    ///
    /// ## Why it matters
    /// Experimental features are unfinished and unsupported; their security has not been reviewed like
    /// the rest of the engine.
    ///
    /// ## How to fix
    /// Remove `"experimental": true` and restart dockerd.
    pub static RULE = Rule {
        id: "DA0018",
        name: "experimental-enabled",
        title: "Experimental features are not enabled in production",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.18"],
        fix: "remove --experimental (\"experimental\": true) from production daemons",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    if let Some(config) = linted_file(ctx) {
        return on_daemon(ctx, from_file(config));
    }
    let info = match daemon_info(ctx, "whether experimental features are on is") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = if info.experimental.value {
        Verdict::fail("experimental features are enabled")
    } else {
        Verdict::pass("experimental features are off")
    };
    on_daemon(ctx, verdict.with_evidence([ev(&info.experimental)]))
}

/// The verdict on a lone daemon.json's `experimental`.
fn from_file(config: &DaemonConfig) -> Verdict {
    let (value, evidence) = match file_setting(config, "experimental", serde_json::json!(false)) {
        Ok(found) => found,
        Err(unknown) => return unknown,
    };
    let verdict = if value.as_bool() == Some(true) {
        Verdict::fail("experimental features are enabled")
    } else {
        Verdict::pass("experimental features are off")
    };
    verdict.with_evidence([evidence])
}
