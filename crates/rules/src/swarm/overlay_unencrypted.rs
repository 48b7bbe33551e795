//! CIS 7.3: unencrypted overlay networks.

use super::{manager_fact, on_swarm};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Every overlay network of the swarm (`GET /networks`, driver `overlay`), including the routing-
    /// mesh `ingress` network: it fails for each one without the `encrypted` option. Not applicable
    /// when swarm mode is off or there are no overlay networks; judged on managers.
    ///
    /// ## Why it matters
    /// Overlay traffic between nodes travels in plain VXLAN: anyone on the network path reads and
    /// injects container traffic.
    ///
    /// ## How to fix
    /// Re-create the networks with `--opt encrypted` (IPsec between nodes); for ingress, `docker
    /// network rm ingress` and `docker network create --ingress -d overlay --opt encrypted ingress`.
    pub static RULE = Rule {
        id: "SW0004",
        name: "overlay-unencrypted",
        title: "Swarm overlay network traffic is encrypted",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:7.3"],
        fix: "create overlay networks with --opt encrypted (docker network create -d overlay --opt encrypted NAME)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let networks = match manager_fact(ctx, "the swarm's overlay networks are", |s| &s.overlay_networks) {
        Ok(fact) => fact,
        Err(judged) => return judged,
    };
    let evidence = Evidence::new(networks.at.to_string(), &networks.value);
    if networks.value.is_empty() {
        return on_swarm(
            ctx,
            Verdict::not_applicable("the swarm has no overlay networks").with_evidence([evidence]),
        );
    }
    let plain: Vec<&str> = networks
        .value
        .iter()
        .filter(|n| !n.encrypted)
        .map(|n| n.name.as_str())
        .collect();
    let verdict = if plain.is_empty() {
        Verdict::pass("every overlay network is encrypted")
    } else {
        Verdict::fail(format!(
            "overlay networks carry traffic unencrypted: {}",
            plain.join(", ")
        ))
    };
    on_swarm(ctx, verdict.with_evidence([evidence]))
}
