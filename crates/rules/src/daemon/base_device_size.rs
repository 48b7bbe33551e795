//! CIS 2.11: devicemapper base device size.

use dockward_model::DaemonConfig;

use crate::facts::{daemon_config, daemon_info, ev, linted_file, on_daemon, setting_ev};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether `dm.basesize` is set in the storage options (`--storage-opt`, `"storage-opts"`). Only
    /// the `devicemapper` driver uses it: the check is not applicable for other drivers.
    ///
    /// A daemon.json linted on its own is judged by its `"storage-driver"` and `"storage-opts"`.
    ///
    /// ## Why it matters
    /// A larger base device lets every container fill more of the thin pool; one container writing
    /// large files can exhaust it for all.
    ///
    /// ## How to fix
    /// Remove `dm.basesize` unless a workload needs it, and then set it per container with `--storage-
    /// opt`.
    pub static RULE = Rule {
        id: "DA0011",
        name: "base-device-size",
        title: "The base device size is not changed until needed",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.11"],
        fix: "remove dm.basesize from --storage-opt (\"storage-opts\")",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    if let Some(config) = linted_file(ctx) {
        return on_daemon(ctx, from_file(config));
    }
    let info = match daemon_info(ctx, "the daemon's storage driver is") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    if info.driver.value != "devicemapper" {
        let reason = format!(
            "the storage driver is {}; dm.basesize applies to devicemapper only",
            info.driver.value
        );
        return on_daemon(
            ctx,
            Verdict::not_applicable(reason).with_evidence([ev(&info.driver)]),
        );
    }
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let base = config
        .strings("storage-opts")
        .into_iter()
        .find(|o| o.starts_with("dm.basesize="));
    let verdict = match (base, config.get("storage-opts")) {
        (Some(option), Some(setting)) => Verdict::fail(format!("the base device size is changed ({option})"))
            .with_evidence([setting_ev("storage-opts", setting)]),
        _ => Verdict::pass("the base device size is the default"),
    };
    on_daemon(ctx, verdict)
}

/// The verdict on a lone daemon.json: `dm.basesize` among its `storage-opts`, unless it names a
/// storage driver other than devicemapper.
fn from_file(config: &DaemonConfig) -> Verdict {
    if let Some((driver, setting)) = config.str("storage-driver")
        && !driver.is_empty()
        && driver != "devicemapper"
    {
        return Verdict::not_applicable(format!(
            "the storage driver is {driver}; dm.basesize applies to devicemapper only"
        ))
        .with_evidence([setting_ev("storage-driver", setting)]);
    }
    let base = config
        .strings("storage-opts")
        .into_iter()
        .find(|o| o.starts_with("dm.basesize="));
    match (base, config.get("storage-opts")) {
        (Some(option), Some(setting)) => Verdict::fail(format!("the base device size is changed ({option})"))
            .with_evidence([setting_ev("storage-opts", setting)]),
        _ => Verdict::pass("the base device size is the default"),
    }
}
