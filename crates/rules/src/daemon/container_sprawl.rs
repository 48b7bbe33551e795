//! CIS 6.2: stopped containers kept around.

use super::sprawl_counts;
use crate::facts::on_daemon;

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// How many of the daemon's containers are not running. Informational: it fails when stopped or
    /// created containers exist, with the counts.
    ///
    /// ## Why it matters
    /// Stopped containers keep their writable layers, configuration and secrets on disk, and can be
    /// started again by anyone who reaches the daemon.
    ///
    /// ## How to fix
    /// Remove containers that are no longer needed (`docker container prune`), and run short-lived
    /// containers with `--rm`.
    pub static RULE = Rule {
        id: "DA0023",
        name: "container-sprawl",
        title: "Container sprawl is avoided",
        severity: Severity::Info,
        references: &["cis-docker-1.6.0:6.2"],
        fix: "remove containers that are not needed: docker container prune",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let sprawl = match sprawl_counts(ctx, "the daemon's containers are") {
        Ok(sprawl) => sprawl,
        Err(judged) => return judged,
    };
    let s = &sprawl.value;
    let evidence = Evidence::new(
        sprawl.at.to_string(),
        serde_json::json!({"Containers": s.containers, "NotRunning": s.stopped_containers}),
    );
    let verdict = if s.containers == 0 {
        Verdict::pass("the daemon has no containers")
    } else if s.stopped_containers == 0 {
        Verdict::pass(format!("all {} containers are running", s.containers))
    } else {
        Verdict::fail(format!(
            "{} of {} containers are not running",
            s.stopped_containers, s.containers
        ))
    };
    on_daemon(ctx, verdict.with_evidence([evidence]))
}
