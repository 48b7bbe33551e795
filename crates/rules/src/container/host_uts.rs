//! CIS 5.21: host UTS namespace shared.

use crate::prelude::*;

use super::host_namespace_verdict;

declare_rule! {
    /// ## What it checks
    /// The container's UTS namespace mode (`HostConfig.UTSMode`). It fails for `host`.
    ///
    /// ## Why it matters
    /// Sharing the host's UTS namespace lets a container with `SYS_ADMIN` change the host's
    /// hostname and domain name, which other services use for identity and logging.
    ///
    /// ## How to fix
    /// Remove `--uts host`.
    pub static RULE = Rule {
        id: "CT0020",
        name: "host-uts",
        title: "The host's UTS namespace is not shared",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.21"],
        fix: "remove --uts host",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/UTSMode"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    host_namespace_verdict(w, &w.uts_mode, "UTS", "--uts")
}
