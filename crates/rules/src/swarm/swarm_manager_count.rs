//! CIS 7.1: the number of swarm managers.

use super::{active_swarm, on_swarm};
use crate::facts::ev;

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The number of managers in the swarm (`/info` `Swarm.Managers`). It passes for an odd number up
    /// to 7, and fails for an even number (which adds no fault tolerance over one fewer) and for more
    /// than 7 (Raft slows down and every manager holds the cluster's secrets). Not applicable when
    /// swarm mode is off.
    ///
    /// ## Why it matters
    /// Every manager holds the Raft log with the swarm's secrets and its CA key; managers beyond what
    /// fault tolerance needs are more machines whose compromise gives away the cluster.
    ///
    /// ## How to fix
    /// Demote surplus managers (`docker node demote NODE`) to an odd number: 3 tolerates one failure, 5
    /// tolerates two.
    pub static RULE = Rule {
        id: "SW0002",
        name: "swarm-manager-count",
        title: "The minimum number of manager nodes has been created in a swarm",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:7.1"],
        fix: "run an odd number of managers, at most 7: docker node demote NODE",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let swarm = match active_swarm(ctx) {
        Ok(swarm) => swarm,
        Err(judged) => return judged,
    };
    let managers = swarm.managers.value;
    let verdict = if managers > 7 {
        Verdict::fail(format!("the swarm has {managers} managers, more than 7"))
    } else if managers % 2 == 0 {
        Verdict::fail(format!(
            "the swarm has {managers} managers, an even number that adds no fault tolerance"
        ))
    } else {
        Verdict::pass(format!(
            "the swarm has {managers} manager{}",
            if managers == 1 { "" } else { "s" }
        ))
    };
    on_swarm(ctx, verdict.with_evidence([ev(&swarm.managers)]))
}
