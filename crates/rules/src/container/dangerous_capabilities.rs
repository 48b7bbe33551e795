//! Dangerous capabilities (CIS 5.4 and the community checks C.5.3.1–C.5.3.4).

use crate::prelude::*;

use super::{capability_evidence, effective_capabilities};

/// Capabilities that hand the container control over the host or other containers.
pub const DANGEROUS_CAPABILITIES: [&str; 12] = [
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

declare_rule! {
    /// ## What it checks
    /// Whether the container's effective capability set (see `added-capabilities`; `--privileged`
    /// and `--cap-add ALL` count as every capability) holds one of the capabilities that open a
    /// direct path to the host: `SYS_ADMIN` (mount, namespaces, BPF), `SYS_MODULE` (kernel
    /// modules), `SYS_PTRACE` (other processes' memory), `SYS_RAWIO` (raw I/O ports and memory),
    /// `SYS_BOOT` (reboot), `SYS_TIME` (the host clock), `DAC_READ_SEARCH` (`open_by_handle_at`,
    /// the "shocker" escape), `NET_ADMIN` (host-visible network configuration when sharing a
    /// namespace), `BPF`, `PERFMON`, `MAC_ADMIN` and `MAC_OVERRIDE` (the LSM itself).
    ///
    /// ## Why it matters
    /// Each of these has been used to break out of containers or to read other tenants' data;
    /// they are the reason `--privileged` is dangerous.
    ///
    /// ## How to fix
    /// Drop the capability. If the workload truly needs it, isolate it on a dedicated host and
    /// document the exception in policy.
    pub static RULE = Rule {
        id: "CT0005",
        name: "dangerous-capabilities",
        title: "No capability that grants control of the host is added",
        severity: Severity::High,
        references: &[
            "cis-docker-1.6.0:5.4",
            "docker-bench-security:C.5.3.1",
            "docker-bench-security:C.5.3.2",
            "docker-bench-security:C.5.3.3",
            "docker-bench-security:C.5.3.4",
        ],
        fix: "remove the capability from --cap-add (and remove --privileged)",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Privileged", "/HostConfig/CapAdd", "/HostConfig/CapDrop"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let effective = effective_capabilities(w);
    let found: Vec<&str> = DANGEROUS_CAPABILITIES
        .iter()
        .copied()
        .filter(|c| effective.contains(*c))
        .collect();
    let evidence = capability_evidence(w);
    if found.is_empty() {
        return Verdict::pass("container has no dangerous capability").with_evidence(evidence);
    }
    let how = if w.privileged.value { " (privileged)" } else { "" };
    Verdict::fail(format!(
        "container has dangerous capabilities{how}: {}",
        found.join(", ")
    ))
    .with_evidence(evidence)
}
