//! CIS 5.25: custom cgroup parent.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// The container's cgroup parent (`--cgroup-parent`, `HostConfig.CgroupParent`). It fails
    /// when one is set, so someone confirms the container is meant to live outside Docker's
    /// default cgroup hierarchy.
    ///
    /// ## Why it matters
    /// Under a custom parent the container is accounted and limited by that cgroup's rules, not
    /// the ones the host administrator set for containers; a wrong parent can lift its limits.
    ///
    /// ## How to fix
    /// Remove `--cgroup-parent` unless the placement is intended and documented.
    pub static RULE = Rule {
        id: "CT0022",
        name: "cgroup-parent-set",
        title: "The container's cgroup usage is confirmed",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.25"],
        fix: "remove --cgroup-parent unless the placement is intended",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/CgroupParent"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if w.cgroup_parent.value.is_empty() {
        Verdict::pass("container uses the default cgroup parent")
    } else {
        Verdict::fail(format!(
            "container uses cgroup parent \"{}\"",
            w.cgroup_parent.value
        ))
        .with_evidence([ev(&w.cgroup_parent)])
    }
}
