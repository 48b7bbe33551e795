//! CIS 5.5: privileged containers.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Whether the container runs with `--privileged` (`HostConfig.Privileged`). Created containers
    /// are judged too: they run privileged as soon as anyone starts them.
    ///
    /// ## Why it matters
    /// A privileged container gets every capability, all host devices, no seccomp filter, no
    /// AppArmor or SELinux confinement and writable `/sys`: root in it is root on the host.
    ///
    /// ## How to fix
    /// Remove `--privileged`. Grant the specific capability (`--cap-add`) or device (`--device`)
    /// the workload needs instead.
    pub static RULE = Rule {
        id: "CT0006",
        name: "privileged-container",
        title: "Privileged containers are not used",
        severity: Severity::Critical,
        references: &["cis-docker-1.6.0:5.5", "pss:privileged-containers"],
        fix: "remove --privileged; grant only the needed capability (--cap-add) or device (--device)",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Privileged"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if w.privileged.value {
        Verdict::fail("container is privileged").with_evidence([ev(&w.privileged)])
    } else {
        Verdict::pass("container is not privileged").with_evidence([ev(&w.privileged)])
    }
}
