//! Kernel parameters outside the safe set.

use crate::prelude::*;

use super::ev;

/// The sysctls Kubernetes' baseline Pod Security Standard allows (as of Kubernetes 1.37): they
/// are namespaced and cannot affect other containers or the host.
pub const SAFE_SYSCTLS: [&str; 14] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

declare_rule! {
    /// ## What it checks
    /// The kernel parameters set for the container (`--sysctl`, `HostConfig.Sysctls`). It fails
    /// when any is outside the set Kubernetes' baseline standard calls safe:
    /// `kernel.shm_rmid_forced` and `net.ipv4.` `ip_local_port_range`, `ip_local_reserved_ports`,
    /// `tcp_syncookies`, `ping_group_range`, `ip_unprivileged_port_start`, `tcp_keepalive_time`,
    /// `tcp_fin_timeout`, `tcp_keepalive_intvl`, `tcp_keepalive_probes`, `tcp_rmem`, `tcp_wmem`,
    /// `tcp_slow_start_after_idle`, `tcp_notsent_lowat`. Names are compared with `/` read as `.`
    /// (the runtime accepts both). dockerd itself sets `net.ipv4.ping_group_range` and
    /// `net.ipv4.ip_unprivileged_port_start`, which are in the set.
    ///
    /// ## Why it matters
    /// Other parameters change the container's network stack in ways that reach past it
    /// (`net.ipv4.conf.all.route_localnet` exposes services bound to loopback, `ip_forward` turns
    /// the container into a router) or share kernel resources with other workloads.
    ///
    /// ## How to fix
    /// Remove the `--sysctl` options outside the safe set; tune the host instead where a workload
    /// really needs a kernel parameter.
    pub static RULE = Rule {
        id: "CT0030",
        name: "unsafe-sysctls",
        title: "Only safe kernel parameters are set",
        severity: Severity::Medium,
        references: &[],
        fix: "remove the --sysctl options outside Kubernetes' safe set",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Sysctls"],
            check,
        }),
    };
}

/// Whether a sysctl name, as written, is one of the safe set.
pub(crate) fn is_safe_sysctl(name: &str) -> bool {
    let dotted = name.replace('/', ".");
    SAFE_SYSCTLS.contains(&dotted.as_str())
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let sysctls = &w.sysctls.value;
    if sysctls.is_empty() {
        return Verdict::pass("container sets no kernel parameters");
    }
    let unsafe_ones: Vec<String> = sysctls
        .iter()
        .filter(|(name, _)| !is_safe_sysctl(name))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    if unsafe_ones.is_empty() {
        let names: Vec<&str> = sysctls.keys().map(String::as_str).collect();
        return Verdict::pass(format!(
            "container sets only safe kernel parameters: {}",
            names.join(", ")
        ))
        .with_evidence([ev(&w.sysctls)]);
    }
    Verdict::fail(format!(
        "container sets kernel parameters outside the safe set: {}",
        unsafe_ones.join(", ")
    ))
    .with_evidence([ev(&w.sysctls)])
}
