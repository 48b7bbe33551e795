//! CIS 5.1: swarm mode.

use crate::facts::{daemon_info, ev, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the node takes part in a swarm (`/info` `Swarm.LocalNodeState`). It fails for any state
    /// but `inactive`, so someone confirms swarm mode is wanted.
    ///
    /// ## Why it matters
    /// Swarm mode opens management and gossip ports (2377, 7946) and runs a certificate authority and a
    /// Raft store on managers: attack surface a single host does not need.
    ///
    /// ## How to fix
    /// If the node does not need swarm mode, `docker swarm leave` (`--force` on the last manager).
    pub static RULE = Rule {
        id: "SW0001",
        name: "swarm-enabled",
        title: "Swarm mode is not enabled, if not needed",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.1"],
        fix: "leave the swarm if this node does not need it: docker swarm leave",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let info = match daemon_info(ctx, "the node's swarm state is") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let state = info.swarm_state.value.as_str();
    let verdict = match state {
        "inactive" => Verdict::pass("swarm mode is not enabled"),
        "" => Verdict::error("the daemon reported no swarm state"),
        state => Verdict::fail(format!("swarm mode is enabled (node state {state})")),
    };
    on_daemon(ctx, verdict.with_evidence([ev(&info.swarm_state)]))
}
