//! CIS 2.6: the aufs (and devicemapper) storage drivers.

use dockward_model::DaemonConfig;

use crate::facts::{NEEDS_RUNNING_DAEMON, daemon_info, ev, linted_file, on_daemon, setting_ev};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The storage driver of the running daemon (`/info` `Driver`). It fails for `aufs` (CIS 2.6) and
    /// for `devicemapper` (flagged by later benchmark versions); both are deprecated and removed from
    /// current Docker Engine releases.
    ///
    /// A daemon.json linted on its own is judged by its `"storage-driver"`; when the file does not set
    /// one, dockerd picks a driver for the host's filesystems, which only the running daemon tells (not
    /// applicable).
    ///
    /// ## Why it matters
    /// These drivers are no longer maintained: their kernel code has known instabilities and crashes
    /// that take the host down, and they receive no fixes.
    ///
    /// ## How to fix
    /// Move to `overlay2` (`"storage-driver": "overlay2"`); images and containers must be re-pulled or
    /// exported, since the storage format changes.
    pub static RULE = Rule {
        id: "DA0006",
        name: "deprecated-storage-driver",
        title: "The aufs storage driver is not used",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.6"],
        fix: "move to the overlay2 storage driver (--storage-driver overlay2)",
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
    let driver = info.driver.value.as_str();
    let verdict = match driver {
        "aufs" | "devicemapper" => {
            Verdict::fail(format!("the daemon uses the deprecated {driver} storage driver"))
        }
        "" => Verdict::error("the daemon reported no storage driver"),
        other => Verdict::pass(format!("the daemon uses the {other} storage driver")),
    };
    on_daemon(ctx, verdict.with_evidence([ev(&info.driver)]))
}

/// The verdict on a lone daemon.json's `storage-driver`.
fn from_file(config: &DaemonConfig) -> Verdict {
    let Some((driver, setting)) = config.str("storage-driver") else {
        return Verdict::not_applicable(format!(
            "storage-driver is not set, so dockerd picks one for the host's filesystems: which one {NEEDS_RUNNING_DAEMON}"
        ));
    };
    let verdict = match driver {
        "aufs" | "devicemapper" => {
            Verdict::fail(format!("the daemon uses the deprecated {driver} storage driver"))
        }
        "" => Verdict::not_applicable(format!(
            "storage-driver is empty, so dockerd picks one for the host's filesystems: which one {NEEDS_RUNNING_DAEMON}"
        )),
        other => Verdict::pass(format!("the daemon uses the {other} storage driver")),
    };
    verdict.with_evidence([setting_ev("storage-driver", setting)])
}
