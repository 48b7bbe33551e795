//! /proc and /sys unmasked (`systempaths=unconfined`).

use crate::prelude::*;

use super::ev;

/// Paths every Docker release since 18.09 masks: a list without one of them unmasks it.
pub const DEFAULT_MASKED_PATHS: [&str; 10] = [
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
];

/// Paths every Docker release since 18.09 makes read-only.
pub const DEFAULT_READONLY_PATHS: [&str; 5] = [
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

declare_rule! {
    /// ## What it checks
    /// The paths of `/proc` and `/sys` the runtime hides (`HostConfig.MaskedPaths`) and makes
    /// read-only (`HostConfig.ReadonlyPaths`). It fails when either is an empty list (what
    /// `--security-opt systempaths=unconfined` sends), when a list leaves out one of Docker's
    /// defaults (`/proc/kcore`, `/proc/keys`, `/proc/sys`, `/sys/firmware` …: dockerd applies a
    /// given list instead of its own), and for a privileged container, which gets neither. Unset
    /// (`null`) means the daemon's defaults and passes; dockerd records them at creation.
    ///
    /// ## Why it matters
    /// The masked files leak kernel memory and keys (`/proc/kcore`, `/proc/keys`) and timing
    /// information; a writable `/proc/sys` or `/proc/sysrq-trigger` lets root in the container
    /// change or crash the host kernel.
    ///
    /// ## How to fix
    /// Remove `--security-opt systempaths=unconfined` (and `--privileged`); do not pass
    /// `MaskedPaths` or `ReadonlyPaths` through the API unless they extend Docker's lists.
    pub static RULE = Rule {
        id: "CT0031",
        name: "systempaths-unconfined",
        title: "/proc and /sys keep Docker's masked and read-only paths",
        severity: Severity::High,
        references: &[],
        fix: "remove --security-opt systempaths=unconfined (and --privileged)",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/MaskedPaths", "/HostConfig/ReadonlyPaths", "/HostConfig/Privileged"],
            check,
        }),
    };
}

/// What a list leaves unprotected: `None` when it keeps every default.
fn gap(list: &Option<Vec<String>>, defaults: &[&str], what: &str) -> Option<String> {
    let list = list.as_ref()?;
    if list.is_empty() {
        return Some(format!("{what} is empty"));
    }
    let missing: Vec<&str> = defaults
        .iter()
        .copied()
        .filter(|d| !list.iter().any(|p| p == d))
        .collect();
    (!missing.is_empty()).then(|| format!("{what} leaves out {}", missing.join(", ")))
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if w.privileged.value {
        return Verdict::fail("container is privileged, so no path of /proc or /sys is masked or read-only")
            .with_evidence([ev(&w.privileged)]);
    }
    let gaps: Vec<String> = [
        gap(&w.masked_paths.value, &DEFAULT_MASKED_PATHS, "MaskedPaths"),
        gap(&w.readonly_paths.value, &DEFAULT_READONLY_PATHS, "ReadonlyPaths"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let evidence = [ev(&w.masked_paths), ev(&w.readonly_paths)];
    if gaps.is_empty() {
        return Verdict::pass("Docker's masked and read-only paths of /proc and /sys apply")
            .with_evidence(evidence);
    }
    Verdict::fail(format!("/proc and /sys are unconfined: {}", gaps.join("; "))).with_evidence(evidence)
}
