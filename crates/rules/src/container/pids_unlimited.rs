//! CIS 5.29: no PIDs limit.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// The container's PIDs cgroup limit (`--pids-limit`, `HostConfig.PidsLimit`). It fails when
    /// the limit is unset, 0 or -1 (unlimited). Not applicable to a Kubernetes container: a pod
    /// spec cannot set one (the kubelet's `podPidsLimit` does, per node).
    ///
    /// The policy option `min-pids-limit` (`[options]` in the policy file) sets how strict the
    /// limit must at least be: a limit above it fails too, and the message names the policy's
    /// value (without it any positive limit passes).
    ///
    /// ## Why it matters
    /// Without a PIDs limit a fork bomb in one container exhausts the host's process table and
    /// takes down every other container and the host's own services.
    ///
    /// ## How to fix
    /// Run with `docker run --pids-limit 200` (a bound above the workload's normal process count).
    pub static RULE = Rule {
        id: "CT0025",
        name: "pids-unlimited",
        title: "The PIDs cgroup limit is used",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.29"],
        fix: "set --pids-limit, e.g. --pids-limit 200",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/PidsLimit"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    if matches!(w.origin, dockward_model::Origin::Kubernetes { .. }) {
        return Verdict::not_applicable(
            "a Kubernetes pod spec cannot limit PIDs; the kubelet's podPidsLimit (--pod-max-pids) does, per node",
        );
    }
    let policy = ctx.settings.options.min_pids_limit;
    match w.pids_limit.value {
        Some(limit) if limit > 0 => match policy {
            Some(most) if limit > most => Verdict::fail(format!(
                "PIDs are limited to {limit}, more than the policy's minimum of {most} allows (min-pids-limit)"
            ))
            .fix(format!("set --pids-limit {most} or lower"))
            .with_evidence([ev(&w.pids_limit)]),
            Some(most) => Verdict::pass(format!(
                "PIDs are limited to {limit}, within the policy's minimum of {most} (min-pids-limit)"
            ))
            .with_evidence([ev(&w.pids_limit)]),
            None => Verdict::pass(format!("PIDs are limited to {limit}")).with_evidence([ev(&w.pids_limit)]),
        },
        _ => Verdict::fail("container has no PIDs limit").with_evidence([ev(&w.pids_limit)]),
    }
}
