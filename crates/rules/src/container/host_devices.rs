//! CIS 5.18: host devices exposed.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Every way a container gets host devices: mapped devices (`--device`, `HostConfig.Devices`),
    /// device cgroup rules (`--device-cgroup-rule`, which with `MKNOD` let the container create
    /// device nodes) and device requests (`--gpus`, CDI devices). It fails when any is present.
    /// `--privileged` exposes all devices; `privileged-container` reports that.
    ///
    /// ## Why it matters
    /// A raw block device gives the container the host's disks below any filesystem permission;
    /// other devices reach kernel drivers that were never hardened against untrusted callers.
    ///
    /// ## How to fix
    /// Remove `--device`, `--device-cgroup-rule` and `--gpus` unless the workload needs the
    /// device; when it does, map only that device with the least permissions (`:r`).
    pub static RULE = Rule {
        id: "CT0017",
        name: "host-devices",
        title: "Host devices are not directly exposed to containers",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.18"],
        fix: "remove --device, --device-cgroup-rule and --gpus unless required; map only the needed device read-only",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Devices", "/HostConfig/DeviceCgroupRules", "/HostConfig/DeviceRequests"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let mut found = Vec::new();
    let mut evidence = Vec::new();
    if !w.devices.value.is_empty() {
        found.extend(w.devices.value.iter().map(|d| {
            format!(
                "{} at {} ({})",
                d.path_on_host, d.path_in_container, d.cgroup_permissions
            )
        }));
        evidence.push(ev(&w.devices));
    }
    if !w.device_cgroup_rules.value.is_empty() {
        found.extend(
            w.device_cgroup_rules
                .value
                .iter()
                .map(|r| format!("cgroup rule \"{r}\"")),
        );
        evidence.push(ev(&w.device_cgroup_rules));
    }
    if !w.device_requests.value.is_empty() {
        found.extend(
            w.device_requests
                .value
                .iter()
                .map(|r| format!("device request ({})", r.describe())),
        );
        evidence.push(ev(&w.device_requests));
    }
    if found.is_empty() {
        return Verdict::pass("no host device is exposed");
    }
    Verdict::fail(format!("host devices are exposed: {}", found.join(", "))).with_evidence(evidence)
}
