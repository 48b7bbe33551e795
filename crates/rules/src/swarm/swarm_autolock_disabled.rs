//! CIS 7.5: swarm manager auto-lock.

use super::{manager_fact, on_swarm};
use crate::facts::ev;

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the swarm's managers are auto-locked
    /// (`Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers` in `/info` on a manager). Not applicable
    /// when swarm mode is off or this node is not a manager.
    ///
    /// ## Why it matters
    /// Without auto-lock, the key that decrypts the Raft log (with every swarm secret) and the TLS keys
    /// lies on the manager's disk: a stolen disk or backup gives away the cluster.
    ///
    /// ## How to fix
    /// `docker swarm update --autolock=true`, store the unlock key offline, and unlock managers after
    /// each restart with `docker swarm unlock`.
    pub static RULE = Rule {
        id: "SW0006",
        name: "swarm-autolock-disabled",
        title: "Swarm manager is run in auto-lock mode",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:7.5"],
        fix: "enable auto-lock: docker swarm update --autolock=true, and keep the unlock key offline",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let autolock = match manager_fact(ctx, "the swarm's auto-lock setting is", |s| &s.autolock) {
        Ok(fact) => fact,
        Err(judged) => return judged,
    };
    let verdict = if autolock.value {
        Verdict::pass("swarm managers are auto-locked")
    } else {
        Verdict::fail("swarm managers are not auto-locked: their keys lie unencrypted on disk")
    };
    on_swarm(ctx, verdict.with_evidence([ev(autolock)]))
}
