//! CIS 6.1: images no container uses.

use super::sprawl_counts;
use crate::facts::on_daemon;

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// How many of the daemon's images no container (in any state) uses. Informational: it fails when
    /// unused images exist and lists them.
    ///
    /// ## Why it matters
    /// Unused images are unpatched software lying around: they get started by mistake or by an
    /// intruder, and make it hard to tell what the host is supposed to run.
    ///
    /// ## How to fix
    /// Remove images nothing uses (`docker image prune -a`), and keep a process that removes superseded
    /// images after deployments.
    pub static RULE = Rule {
        id: "DA0022",
        name: "image-sprawl",
        title: "Image sprawl is avoided",
        severity: Severity::Info,
        references: &["cis-docker-1.6.0:6.1"],
        fix: "remove unused images: docker image prune -a (after checking they are not needed)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let sprawl = match sprawl_counts(ctx, "the daemon's images are") {
        Ok(sprawl) => sprawl,
        Err(judged) => return judged,
    };
    let s = &sprawl.value;
    let evidence = Evidence::new(
        sprawl.at.to_string(),
        serde_json::json!({"Images": s.images, "Unused": s.unused_images}),
    );
    let verdict = if s.images == 0 {
        Verdict::pass("the daemon has no images")
    } else if s.unused_images.is_empty() {
        Verdict::pass(format!("all {} images are used by containers", s.images))
    } else {
        Verdict::fail(format!(
            "{} of {} images are used by no container",
            s.unused_images.len(),
            s.images
        ))
    };
    on_daemon(ctx, verdict.with_evidence([evidence]))
}
