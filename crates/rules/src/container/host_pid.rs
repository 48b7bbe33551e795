//! CIS 5.16: host PID namespace shared.

use crate::prelude::*;

use super::host_namespace_verdict;

declare_rule! {
    /// ## What it checks
    /// The container's PID namespace mode (`HostConfig.PidMode`). It fails for `host`, and for
    /// `container:NAME` when NAME (following further joins) uses the host's PID namespace.
    ///
    /// ## Why it matters
    /// In the host's PID namespace the container sees every host process, their command lines and
    /// environment, and as root can signal or (with `SYS_PTRACE`) attach to them.
    ///
    /// ## How to fix
    /// Remove `--pid host`.
    pub static RULE = Rule {
        id: "CT0015",
        name: "host-pid",
        title: "The host's process namespace is not shared",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.16", "pss:host-namespaces"],
        fix: "remove --pid host",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/PidMode"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    host_namespace_verdict(w, &w.pid_mode, "PID", "--pid")
}
