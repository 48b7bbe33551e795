//! CIS 5.20: shared mount propagation.

use crate::prelude::*;

use super::mount_evidence;

declare_rule! {
    /// ## What it checks
    /// The propagation mode of every mount (`Mounts[].Propagation`, set with
    /// `-v /src:/dst:shared` or `--mount …,bind-propagation=rshared`). It fails for `shared` and
    /// `rshared`.
    ///
    /// ## Why it matters
    /// With shared propagation, mounts made inside the container appear on the host and vice
    /// versa: a container with mount privileges can place mounts into the host's filesystem tree.
    ///
    /// ## How to fix
    /// Use the default `rprivate` propagation, or `slave`/`rslave` where host mounts must reach the
    /// container.
    pub static RULE = Rule {
        id: "CT0019",
        name: "shared-mount-propagation",
        title: "The mount propagation mode is not set to shared",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.20"],
        fix: "remove the shared/rshared propagation option from the mount (default rprivate)",
        check: Check::Container(ContainerCheck {
            needs: &["/Mounts"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let shared: Vec<_> = w
        .mounts
        .iter()
        .filter(|m| matches!(m.propagation.as_str(), "shared" | "rshared"))
        .collect();
    if shared.is_empty() {
        return Verdict::pass("no mount uses shared propagation");
    }
    let list: Vec<String> = shared
        .iter()
        .map(|m| format!("{} ({})", m.destination, m.propagation))
        .collect();
    Verdict::fail(format!("mounts use shared propagation: {}", list.join(", ")))
        .with_evidence(shared.iter().map(|m| mount_evidence(m)))
}
