//! CIS 5.27: no health check.

use dockward_model::{ContainerType, Origin};

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Whether the container has a health check: configured with `--health-cmd` or inherited from
    /// the image's `HEALTHCHECK` (`Config.Healthcheck`), or reported at runtime (`State.Health`).
    /// It fails when there is none or it is disabled (`--no-healthcheck`, `HEALTHCHECK NONE`).
    /// A compose service without a `healthcheck` has the image's `HEALTHCHECK` if it has one,
    /// which a file does not show: it fails with medium confidence, and the message says so. A
    /// Kubernetes container's health check is its liveness (else readiness) probe (Kubernetes ignores the image's
    /// `HEALTHCHECK`); init and ephemeral containers take no probes, so the rule is not
    /// applicable to them.
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
    if let Origin::Kubernetes { container_type, .. } = &w.origin
        && *container_type != ContainerType::Container
    {
        return Verdict::not_applicable("init and ephemeral containers take no probes");
    }
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
        _ => {
            let message = match w.origin {
                Origin::Compose { .. } => {
                    "the service sets no health check, so it has only the image's HEALTHCHECK, if the image has one (medium confidence: the image was not read)"
                }
                Origin::Kubernetes { .. } => {
                    "container has no liveness or readiness probe (Kubernetes does not run the image's HEALTHCHECK)"
                }
                Origin::Container { .. } | Origin::Request { .. } => "container has no health check",
            };
            Verdict::fail(message).with_evidence([ev(&w.healthcheck)])
        }
    }
}
