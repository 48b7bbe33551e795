//! CIS 4.6: the image has no health check.

use dockward_model::ImageFacts;

use super::ev;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The image's `Config.Healthcheck`: it fails when there is none and when it is disabled
    /// (`HEALTHCHECK NONE`).
    ///
    /// ## Why it matters
    /// Without a health check Docker only knows whether the process exists, not whether it
    /// works: a hung service stays "running", and restart policies and orchestrators never
    /// replace it.
    ///
    /// ## How to fix
    /// Add a `HEALTHCHECK CMD …` that exercises the service to the Dockerfile and rebuild, or
    /// give containers one with `docker run --health-cmd`.
    pub static RULE = Rule {
        id: "IM0002",
        name: "image-healthcheck-missing",
        title: "Image defines a health check",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:4.6"],
        fix: "add a HEALTHCHECK to the Dockerfile and rebuild",
        check: Check::Image(check),
    };
}

fn check(_ctx: &Context<'_>, image: &ImageFacts) -> Verdict {
    let verdict = match &image.healthcheck.value {
        Some(hc) if hc.is_disabled() => {
            Verdict::fail("the image disables its health check (HEALTHCHECK NONE)")
        }
        Some(hc) if !hc.test.is_empty() => Verdict::pass("the image defines a health check"),
        _ => Verdict::fail("the image has no health check"),
    };
    verdict.with_evidence([ev(&image.healthcheck)])
}
