//! CIS 5.11: no memory limit.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// The container's memory limit (`HostConfig.Memory`). It fails when the limit is 0, i.e.
    /// unlimited.
    ///
    /// ## Why it matters
    /// A container without a memory limit can exhaust the host's memory, trigger the kernel's OOM
    /// killer against other containers or the daemon, and deny service to the whole host.
    ///
    /// ## How to fix
    /// Set a limit that fits the workload: `docker run --memory 512m`.
    pub static RULE = Rule {
        id: "CT0010",
        name: "memory-unlimited",
        title: "Memory usage for the container is limited",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.11"],
        fix: "set a memory limit, e.g. docker run --memory 512m",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Memory"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if w.memory.value > 0 {
        Verdict::pass(format!("memory is limited to {} bytes", w.memory.value)).with_evidence([ev(&w.memory)])
    } else {
        Verdict::fail("container has no memory limit").with_evidence([ev(&w.memory)])
    }
}
