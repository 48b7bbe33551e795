//! CIS 2.6: the aufs (and devicemapper) storage drivers.

use crate::facts::{daemon_info, ev, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The storage driver of the running daemon (`/info` `Driver`). It fails for `aufs` (CIS 2.6) and
    /// for `devicemapper` (flagged by later benchmark versions); both are deprecated and removed from
    /// current Docker Engine releases.
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
