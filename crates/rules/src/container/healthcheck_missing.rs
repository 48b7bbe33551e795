//! CIS 5.27: no health check.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Whether the container has a health check: configured with `--health-cmd` or inherited from
    /// the image's `HEALTHCHECK` (`Config.Healthcheck`), or reported at runtime (`State.Health`).
    /// It fails when there is none or it is disabled (`--no-healthcheck`, `HEALTHCHECK NONE`).
    ///
    /// ## Why it matters
    /// Without a health check a hung or half-broken container keeps receiving traffic and is never
    /// replaced; availability is part of security.
    ///
    /// ## How to fix
    /// Add `HEALTHCHECK CMD …` to the image or run with `--health-cmd`, `--health-interval`.
    pub static RULE = Rule {
        id: "CT0024",
        name: "healthcheck-missing",
        title: "Container health is checked at runtime",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.27"],
        fix: "add HEALTHCHECK to the image or run with --health-cmd",
        check: Check::Container(ContainerCheck {
            needs: &["/Config/Healthcheck"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    match &w.healthcheck.value {
        Some(hc) if hc.is_disabled() => {
            Verdict::fail("health check is disabled").with_evidence([ev(&w.healthcheck)])
        }
        Some(hc) if !hc.test.is_empty() => {
            let mut verdict =
                Verdict::pass("container has a health check").with_evidence([ev(&w.healthcheck)]);
            if let Some(status) = &w.health_status {
                verdict = verdict.with_evidence([ev(status)]);
            }
            verdict
        }
        _ => Verdict::fail("container has no health check").with_evidence([ev(&w.healthcheck)]),
    }
}
