//! Pod Security Standards, baseline: Host Ports.

use dockward_model::PortBinding;

use crate::prelude::*;

use super::pod_facts;

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' *Host Ports* control: whether the container's `ports` set a
    /// `hostPort` (init and ephemeral containers too). An unset `hostPort` or `0` passes; any
    /// other port fails, privileged or not.
    ///
    /// A Docker container is not applicable: its published ports are judged by CT0008
    /// privileged-host-port and CT0013 port-on-all-interfaces.
    ///
    /// ## Why it matters
    /// A host port binds the pod to a port of the node's own addresses, bypassing the Service and
    /// network policies in front of pods, and pins it to nodes where that port is free.
    ///
    /// ## How to fix
    /// Remove `hostPort`; expose the container through a Service (`NodePort` or `LoadBalancer`
    /// where it must be reached from outside the cluster).
    pub static RULE = Rule {
        id: "PS0003",
        name: "host-port",
        title: "Containers do not bind host ports",
        severity: Severity::Medium,
        references: &["pss:host-ports"],
        fix: "remove hostPort from the container's ports; expose it through a Service",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/Ports"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if let Err(v) = pod_facts(
        w,
        "published ports are judged by CT0008 privileged-host-port and CT0013 port-on-all-interfaces",
    ) {
        return v;
    }
    let bad: Vec<&PortBinding> = w
        .ports
        .iter()
        .filter(|p| !p.host_port.is_empty() && p.host_port != "0")
        .collect();
    if bad.is_empty() {
        return Verdict::pass("container sets no hostPort");
    }
    let found: Vec<String> = bad
        .iter()
        .map(|p| {
            format!(
                "container ports[].hostPort is {} (containerPort {})",
                p.host_port, p.container_port
            )
        })
        .collect();
    Verdict::fail(found.join("; ")).with_evidence(bad.into_iter().map(|p| {
        Evidence::at(
            &p.at,
            serde_json::json!({"containerPort": p.container_port, "hostPort": p.host_port}),
        )
    }))
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, PortBinding, Provenance, Status};

    use super::RULE;
    use crate::pss::testing::*;

    fn port(host_port: &str, line: u32) -> PortBinding {
        PortBinding {
            container_port: "12345/tcp".into(),
            host_ip: String::new(),
            host_port: host_port.into(),
            at: Provenance::file("pod.yaml", line, 7),
        }
    }

    #[test]
    fn a_host_port_fails() {
        let mut w = kubernetes(KubernetesFacts::default());
        w.ports = vec![port("", 10), port("12345", 12)];
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Fail,
            "container ports[].hostPort is 12345 (containerPort 12345/tcp)",
        );
        assert_eq!(positions(&v), [(12, 7)]);
    }

    #[test]
    fn container_ports_pass_and_docker_is_not_applicable() {
        let mut w = kubernetes(KubernetesFacts::default());
        w.ports = vec![port("", 10), port("0", 12)];
        assert_verdict(&judge(&RULE, &w), Status::Pass, "container sets no hostPort");
        let mut d = docker();
        d.ports = vec![port("80", 1)];
        assert_verdict(
            &judge(&RULE, &d),
            Status::NotApplicable,
            "a Docker container: published ports are judged by CT0008 privileged-host-port and CT0013 port-on-all-interfaces",
        );
    }
}
