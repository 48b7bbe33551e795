//! CIS 5.31: host user namespace shared.

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the container opts out of user namespace remapping with `--userns=host`
    /// (`HostConfig.UsernsMode` is `host`), as CIS's audit command checks. Whether the daemon
    /// remaps users at all is a daemon-wide fact, reported once by DA0009
    /// (userns-remap-disabled), not repeated for every container.
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
    let mode = &w.userns_mode;
    let evidence = Evidence::new(mode.at.to_string(), &mode.mode);
    if mode.mode == "host" {
        Verdict::fail("container shares the host's user namespace")
            .with_evidence([evidence])
            .fix("remove --userns=host")
    } else {
        Verdict::pass("container does not opt out of user namespace remapping; DA0009 judges whether the daemon remaps users")
            .with_evidence([evidence])
    }
}
