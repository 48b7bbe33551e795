//! CIS 7.4: swarm secrets.

use super::{manager_fact, on_swarm};
use crate::facts::ev;

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the swarm holds any secrets (`GET /secrets` on a manager). Informational: it fails when
    /// there are none, a hint that services may carry credentials in environment variables or images
    /// instead. Not applicable when swarm mode is off or this node is not a manager.
    ///
    /// ## Why it matters
    /// Swarm secrets are encrypted at rest in the Raft log and handed only to the tasks that need them,
    /// as files in memory; environment variables end up in `docker inspect`, logs and crash dumps.
    ///
    /// ## How to fix
    /// Create secrets with `docker secret create` and reference them with `--secret` in services.
    pub static RULE = Rule {
        id: "SW0005",
        name: "swarm-secrets-unused",
        title: "Docker's secret management commands are used for managing secrets in a swarm cluster",
        severity: Severity::Info,
        references: &["cis-docker-1.6.0:7.4"],
        fix: "store credentials as swarm secrets (docker secret create) and reference them from services",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let secrets = match manager_fact(ctx, "the swarm's secrets are", |s| &s.secrets) {
        Ok(fact) => fact,
        Err(judged) => return judged,
    };
    let verdict = if secrets.value == 0 {
        Verdict::fail("the swarm holds no secrets")
    } else {
        Verdict::pass(format!(
            "the swarm holds {} secret{}",
            secrets.value,
            if secrets.value == 1 { "" } else { "s" }
        ))
    };
    on_swarm(ctx, verdict.with_evidence([ev(secrets)]))
}
