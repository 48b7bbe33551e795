//! CIS 7.7: node certificate rotation.

use super::{manager_fact, on_swarm};
use crate::facts::ev;

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// How long the swarm's node certificates live before they are rotated
    /// (`Swarm.Cluster.Spec.CAConfig.NodeCertExpiry`). It passes for 90 days (Docker's default) or less
    /// and fails above. Not applicable when swarm mode is off or this node is not a manager.
    ///
    /// ## Why it matters
    /// A node certificate is the node's identity in the cluster; a stolen one stays useful until it
    /// expires.
    ///
    /// ## How to fix
    /// `docker swarm update --cert-expiry 720h` (or another period of at most 90 days).
    pub static RULE = Rule {
        id: "SW0007",
        name: "swarm-cert-expiry",
        title: "Node certificates are rotated as appropriate",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:7.7"],
        fix: "shorten the node certificate lifetime: docker swarm update --cert-expiry 720h",
        check: Check::Platform(check),
    };
}

/// Docker's default node certificate lifetime: 90 days.
const MAX_NS: i64 = 90 * 24 * 3600 * 1_000_000_000;

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let expiry = match manager_fact(ctx, "the node certificate lifetime is", |s| {
        &s.node_cert_expiry_ns
    }) {
        Ok(fact) => fact,
        Err(judged) => return judged,
    };
    let hours = expiry.value / 3_600_000_000_000;
    let verdict = if expiry.value <= MAX_NS {
        Verdict::pass(format!("node certificates are rotated every {hours} hours"))
    } else {
        Verdict::fail(format!("node certificates live {hours} hours, more than 90 days"))
    };
    on_swarm(ctx, verdict.with_evidence([ev(expiry)]))
}
