//! CIS 5.10: host network namespace shared.

use crate::prelude::*;

use super::host_namespace_verdict;

declare_rule! {
    /// ## What it checks
    /// The container's network mode (`HostConfig.NetworkMode`). It fails for `host`, and for
    /// `container:NAME` when NAME (following further joins) uses the host's network. A join whose
    /// target cannot be inspected is reported as an error, not a pass.
    ///
    /// ## Why it matters
    /// With the host's network stack the container sees every host interface, can bind any host
    /// address, reach services listening on localhost (including a TCP Docker socket) and, with
    /// `NET_ADMIN`, reconfigure the host's network.
    ///
    /// ## How to fix
    /// Remove `--network host`; attach the container to a user-defined network and publish only
    /// the ports it serves.
    pub static RULE = Rule {
        id: "CT0009",
        name: "host-network",
        title: "The host's network namespace is not shared",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.10", "pss:host-namespaces"],
        fix: "remove --network host; use a user-defined network and publish only needed ports",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/NetworkMode"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    host_namespace_verdict(w, &w.network_mode, "network", "--network")
}
