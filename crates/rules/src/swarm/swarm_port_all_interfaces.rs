//! CIS 7.2: swarm ports bound to every interface.

use super::{active_swarm, on_swarm};
use crate::facts::{daemon_config, host_facts, observed};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The TCP ports the dockerd process listens on besides its API (the swarm management port, 2377 by
    /// default, and the gossip port, 7946), from `/proc/net/tcp*`. It fails when one is bound to every
    /// interface (`0.0.0.0` or `::`). Not applicable when swarm mode is off.
    ///
    /// ## Why it matters
    /// Bound to every interface, the swarm's management and gossip ports are reachable from networks
    /// that have no business with the cluster, including public ones.
    ///
    /// ## How to fix
    /// Initialise or join the swarm with `--listen-addr ADDRESS:2377` on the cluster network's address
    /// (this cannot be changed on a running node: leave and join again).
    pub static RULE = Rule {
        id: "SW0003",
        name: "swarm-port-all-interfaces",
        title: "Swarm services are bound to a specific host interface",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:7.2"],
        fix: "re-create the swarm with --listen-addr ADDRESS:2377 (docker swarm init/join)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    if let Err(judged) = active_swarm(ctx) {
        return judged;
    }
    let listeners =
        match host_facts(ctx).and_then(|h| observed(&h.daemon_listeners, "the daemon's TCP listeners are")) {
            Ok(listeners) => listeners,
            Err(unknown) => return on_swarm(ctx, unknown),
        };
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_swarm(ctx, unknown),
    };
    // The API's own TCP hosts are judged by tcp-without-tls; the rest belong to swarm.
    let api_ports: Vec<u16> = config
        .strings("hosts")
        .into_iter()
        .filter_map(|h| h.strip_prefix("tcp://"))
        .filter_map(|addr| addr.rsplit(':').next())
        .filter_map(|port| port.parse().ok())
        .collect();
    let swarm_ports: Vec<_> = listeners
        .value
        .iter()
        .filter(|l| !api_ports.contains(&l.port))
        .collect();
    let evidence = Evidence::new(listeners.at.to_string(), &swarm_ports);
    let open: Vec<String> = swarm_ports
        .iter()
        .filter(|l| matches!(l.address.as_str(), "0.0.0.0" | "::"))
        .map(|l| format!("{}:{}", l.address, l.port))
        .collect();
    let verdict = if swarm_ports.is_empty() {
        Verdict::not_applicable("the daemon listens on no swarm port")
    } else if open.is_empty() {
        let bound: Vec<String> = swarm_ports
            .iter()
            .map(|l| format!("{}:{}", l.address, l.port))
            .collect();
        Verdict::pass(format!(
            "swarm ports are bound to specific addresses: {}",
            bound.join(", ")
        ))
    } else {
        Verdict::fail(format!(
            "swarm ports are bound to every interface: {}",
            open.join(", ")
        ))
    };
    on_swarm(ctx, verdict.with_evidence([evidence]))
}
