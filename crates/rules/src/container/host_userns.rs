//! CIS 5.31: host user namespace shared.

use dockward_model::Origin;

use crate::facts::ev;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the container opts out of user namespace remapping with `--userns=host`
    /// (`HostConfig.UsernsMode` is `host`), as CIS's audit command checks. Whether the daemon
    /// remaps users at all is a daemon-wide fact, reported once by DA0009
    /// (userns-remap-disabled), not repeated for every container. A Kubernetes container has no
    /// daemon remapping to fall back on: it shares the host's user namespace unless its pod sets
    /// `hostUsers: false` (Kubernetes' default is `true`), so it fails unless the pod does.
    ///
    /// ## Why it matters
    /// Without a user namespace, UID 0 in the container is UID 0 on the host: any escape, or any
    /// file reached through a mount, is handled with the host root's identity. With
    /// `--userns-remap` container root maps to an unprivileged host UID.
    ///
    /// ## How to fix
    /// Do not run containers with `--userns=host`. To remap users at all, start the daemon with
    /// `--userns-remap=default` (or `"userns-remap": "default"` in daemon.json); see DA0009.
    pub static RULE = Rule {
        id: "CT0027",
        name: "host-userns",
        title: "The host's user namespace is not shared",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.31"],
        fix: "remove --userns=host",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/UsernsMode"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if matches!(w.origin, Origin::Kubernetes { .. }) {
        return kubernetes(w);
    }
    let mode = &w.userns_mode;
    let evidence = Evidence::at(&mode.at, &mode.mode);
    if mode.mode == "host" {
        Verdict::fail("container shares the host's user namespace")
            .with_evidence([evidence])
            .fix("remove --userns=host")
    } else {
        Verdict::pass("container does not opt out of user namespace remapping; DA0009 judges whether the daemon remaps users")
            .with_evidence([evidence])
    }
}

/// A pod gets its own user namespace only with `hostUsers: false`.
fn kubernetes(w: &Workload) -> Verdict {
    match w.kubernetes.as_ref().and_then(|k| k.host_users.as_ref()) {
        Some(host_users) if !host_users.value => {
            Verdict::pass("the pod has its own user namespace (hostUsers: false)")
                .with_evidence([ev(host_users)])
        }
        Some(host_users) => Verdict::fail("the pod shares the host's user namespace (hostUsers: true)")
            .with_evidence([ev(host_users)])
            .fix("set hostUsers: false in the pod spec"),
        None => Verdict::fail(
            "the pod shares the host's user namespace: hostUsers is not set, and Kubernetes' default is true",
        )
        .fix("set hostUsers: false in the pod spec"),
    }
}
