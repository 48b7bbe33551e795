//! CIS 5.12: no CPU priority or limit.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// The container's CPU settings: relative weight (`CpuShares`, `--cpu-shares`), a hard limit
    /// (`NanoCpus`, `--cpus`; `CpuQuota`, `--cpu-quota`) or pinned CPUs (`CpusetCpus`,
    /// `--cpuset-cpus`). It fails when none is set.
    ///
    /// ## Why it matters
    /// Without a CPU constraint every container competes with the same weight as the host's own
    /// services; one busy or compromised container can starve the rest.
    ///
    /// ## How to fix
    /// Set a weight or a limit: `docker run --cpu-shares 512` or `docker run --cpus 1.5`.
    pub static RULE = Rule {
        id: "CT0011",
        name: "cpu-unlimited",
        title: "CPU priority is set appropriately on the container",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.12"],
        fix: "set a CPU weight or limit, e.g. docker run --cpu-shares 512 or --cpus 1",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/CpuShares", "/HostConfig/NanoCpus", "/HostConfig/CpuQuota", "/HostConfig/CpusetCpus"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let mut set = Vec::new();
    if w.cpu_shares.value > 0 {
        set.push(ev(&w.cpu_shares));
    }
    if w.nano_cpus.value > 0 {
        set.push(ev(&w.nano_cpus));
    }
    if w.cpu_quota.value > 0 {
        set.push(ev(&w.cpu_quota));
    }
    if !w.cpuset_cpus.value.is_empty() {
        set.push(ev(&w.cpuset_cpus));
    }
    if set.is_empty() {
        return Verdict::fail("container has no CPU weight or limit")
            .with_evidence([ev(&w.cpu_shares), ev(&w.nano_cpus)]);
    }
    Verdict::pass("container has a CPU weight or limit").with_evidence(set)
}
