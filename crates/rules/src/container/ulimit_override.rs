//! CIS 5.19: default ulimits overridden.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Per-container ulimit overrides (`--ulimit`, `HostConfig.Ulimits`). Informational: an
    /// override is reported so someone can confirm it is needed.
    ///
    /// ## Why it matters
    /// The daemon's default ulimits are the host administrator's resource policy; a container that
    /// raises them (`nofile`, `nproc`, `memlock`) can consume more of the host than intended.
    ///
    /// ## How to fix
    /// Remove `--ulimit` unless the workload needs it; set defaults for all containers with
    /// dockerd's `--default-ulimit`.
    pub static RULE = Rule {
        id: "CT0018",
        name: "ulimit-override",
        title: "The default ulimit is overwritten only if needed",
        severity: Severity::Info,
        references: &["cis-docker-1.6.0:5.19"],
        fix: "remove --ulimit unless needed; set host-wide defaults with dockerd --default-ulimit",
        check: Check::Container(check),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if w.ulimits.value.is_empty() {
        return Verdict::pass("container uses the daemon's default ulimits");
    }
    let list: Vec<String> = w
        .ulimits
        .value
        .iter()
        .map(|u| format!("{}={}:{}", u.name, u.soft, u.hard))
        .collect();
    Verdict::fail(format!("container overrides ulimits: {}", list.join(", "))).with_evidence([ev(&w.ulimits)])
}
