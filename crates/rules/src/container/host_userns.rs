//! CIS 5.31: host user namespace shared.

use crate::prelude::*;

use super::{daemon_info, host_namespace_verdict};

declare_rule! {
    /// ## What it checks
    /// Whether the container runs in the host's user namespace. It fails when the container opts
    /// out of remapping (`--userns host`, `HostConfig.UsernsMode`), and when the daemon does not
    /// remap users at all (`/info` `SecurityOptions` has no `name=userns`), since then every
    /// container shares the host's user namespace.
    ///
    /// ## Why it matters
    /// Without a user namespace, UID 0 in the container is UID 0 on the host: any escape, or any
    /// file reached through a mount, is handled with the host root's identity. With
    /// `--userns-remap` container root maps to an unprivileged host UID.
    ///
    /// ## How to fix
    /// Start the daemon with `--userns-remap=default` (or `"userns-remap": "default"` in
    /// daemon.json) and do not run containers with `--userns host`.
    pub static RULE = Rule {
        id: "CT0027",
        name: "host-userns",
        title: "The host's user namespace is not shared",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.31"],
        fix: "remove --userns host",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/UsernsMode"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let verdict = host_namespace_verdict(&w.userns_mode, "user", "--userns");
    if verdict.status != dockward_model::Status::Pass {
        return verdict;
    }
    let info = match daemon_info(ctx, "whether the daemon remaps users is") {
        Ok(info) => info,
        Err(unknown) => return unknown,
    };
    if info.has_security_option("userns") {
        return Verdict::pass("container runs in the daemon's remapped user namespace")
            .with_evidence(verdict.evidence)
            .with_evidence([super::ev(&info.security_options)]);
    }
    Verdict::fail("container shares the host's user namespace: the daemon does not remap users")
        .with_evidence(verdict.evidence)
        .with_evidence([super::ev(&info.security_options)])
        .fix("start dockerd with --userns-remap=default (\"userns-remap\": \"default\" in daemon.json)")
}
