//! Pod Security Standards, baseline: Host Probes / Lifecycle Hooks.

use crate::prelude::*;

use super::{ev, pod_facts};

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' *Host Probes / Lifecycle Hooks* control (v1.34): the `host`
    /// of the container's `httpGet` and `tcpSocket` liveness, readiness and startup probes and
    /// `postStart`/`preStop` handlers must be unset or empty.
    ///
    /// A Docker container is not applicable: its health check runs inside the container and
    /// names no host, so the control has no Docker counterpart.
    ///
    /// ## Why it matters
    /// The kubelet sends probes from the node: a probe `host` makes it connect wherever the pod
    /// author says, an address the pod itself may not reach (the node's own services, the cloud
    /// metadata endpoint).
    ///
    /// ## How to fix
    /// Remove `host` from the probes and lifecycle handlers; they then target the pod's own IP.
    pub static RULE = Rule {
        id: "PS0007",
        name: "probe-host",
        title: "Probes and lifecycle handlers target the pod itself",
        severity: Severity::Medium,
        references: &["pss:host-probes"],
        fix: "remove host from the container's httpGet and tcpSocket probes and lifecycle handlers",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/ProbeHosts"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(
        w,
        "its health check runs inside the container and names no host, so the control has no Docker counterpart",
    ) {
        Ok(k) => k,
        Err(v) => return v,
    };
    let bad: Vec<_> = k.probe_hosts.iter().filter(|h| !h.value.is_empty()).collect();
    if bad.is_empty() {
        return Verdict::pass("no probe or lifecycle handler of the container sets a host");
    }
    let found: Vec<String> = bad
        .iter()
        .map(|h| format!("container probe or lifecycle handler host is {:?}", h.value))
        .collect();
    Verdict::fail(found.join("; ")).with_evidence(bad.into_iter().map(ev))
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, Status};

    use super::RULE;
    use crate::pss::testing::*;

    #[test]
    fn a_probe_host_fails() {
        let w = kubernetes(KubernetesFacts {
            probe_hosts: vec![at(String::new(), 9, 15), at("bad.host".into(), 12, 15)],
            ..KubernetesFacts::default()
        });
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Fail,
            "container probe or lifecycle handler host is \"bad.host\"",
        );
        assert_eq!(positions(&v), [(12, 15)]);
    }

    #[test]
    fn empty_hosts_pass_and_docker_is_not_applicable() {
        let w = kubernetes(KubernetesFacts {
            probe_hosts: vec![at(String::new(), 9, 15)],
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge(&RULE, &w),
            Status::Pass,
            "no probe or lifecycle handler of the container sets a host",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its health check runs inside the container and names no host, so the control has no Docker counterpart",
        );
    }
}
