//! CIS 5.14: ports published on every host interface.

use dockward_model::Evidence;

use crate::prelude::*;

use super::{ev, port_evidence};

declare_rule! {
    /// ## What it checks
    /// The host address of every published port. It fails when a port is bound to all interfaces:
    /// no address (`-p 8080:80`), `0.0.0.0`, or the IPv6 wildcard `::` (also written `[::]`); and
    /// when `-P` (`PublishAllPorts`) publishes every exposed port on all interfaces.
    ///
    /// ## Why it matters
    /// A port bound to every interface is reachable from every network the host is on, including
    /// ones the service was never meant for; Docker's NAT rules also bypass host firewalls such as
    /// ufw for these ports.
    ///
    /// ## How to fix
    /// Bind to the interface that should receive traffic: `-p 127.0.0.1:8080:80` or
    /// `-p 10.0.0.5:8080:80`, and do not use `-P`.
    pub static RULE = Rule {
        id: "CT0013",
        name: "port-on-all-interfaces",
        title: "Incoming container traffic is bound to a specific host interface",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.14"],
        fix: "bind published ports to one address, e.g. -p 127.0.0.1:8080:80; do not use -P",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/PortBindings", "/HostConfig/PublishAllPorts", "/NetworkSettings/Ports"],
            check,
        }),
    };
}

/// Whether a `HostIp` means every interface.
fn is_wildcard(host_ip: &str) -> bool {
    matches!(host_ip.trim(), "" | "0.0.0.0" | "::" | "[::]")
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let open: Vec<_> = w.ports.iter().filter(|p| is_wildcard(&p.host_ip)).collect();
    let mut found: Vec<String> = open
        .iter()
        .map(|p| {
            let addr = if p.host_ip.is_empty() {
                "*"
            } else {
                p.host_ip.as_str()
            };
            let port = if p.host_port.is_empty() {
                "random"
            } else {
                p.host_port.as_str()
            };
            format!("{addr}:{port} -> {}", p.container_port)
        })
        .collect();
    let mut evidence: Vec<Evidence> = open.iter().map(|p| port_evidence(p)).collect();
    if w.publish_all_ports.value {
        found.push("every exposed port (-P)".into());
        evidence.push(ev(&w.publish_all_ports));
    }
    if !found.is_empty() {
        return Verdict::fail(format!(
            "ports are published on all interfaces: {}",
            found.join(", ")
        ))
        .with_evidence(evidence);
    }
    if w.ports.is_empty() {
        return Verdict::pass("container publishes no ports");
    }
    Verdict::pass("every published port is bound to a specific address")
        .with_evidence(w.ports.iter().map(port_evidence))
}
