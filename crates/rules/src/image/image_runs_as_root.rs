//! CIS 4.1: the image runs as root.

use dockward_model::ImageFacts;

use super::ev;
use crate::common::is_root_user;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The image's configured user (`Config.User`, set by the last `USER` of its build). It
    /// fails when none is set, which means root, and when it is `root`, UID `0` or `0:0`.
    /// Every local image is judged, whether a container uses it or not, so a fresh build can be
    /// gated with `dockward audit --image NAME`.
    ///
    /// ## Why it matters
    /// Every container started from the image runs as root unless someone remembers
    /// `docker run --user`. Root in a container is root on the host kernel: one capability
    /// too many, a writable host mount or a kernel bug and it escapes.
    ///
    /// ## How to fix
    /// Add a non-root user to the image and switch to it at the end of the Dockerfile:
    /// `RUN useradd --system --uid 10001 app` and `USER 10001:10001`.
    pub static RULE = Rule {
        id: "IM0001",
        name: "image-runs-as-root",
        title: "Image runs as a non-root user",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.1"],
        fix: "rebuild with USER set to a non-root user (USER 10001:10001)",
        check: Check::Image(check),
    };
}

fn check(_ctx: &Context<'_>, image: &ImageFacts) -> Verdict {
    let user = image.user.value.trim();
    let verdict = if user.is_empty() {
        Verdict::fail("the image sets no user, so its containers run as root")
    } else if is_root_user(user) {
        Verdict::fail(format!("the image runs as root (user \"{user}\")"))
    } else {
        Verdict::pass(format!("the image runs as user \"{user}\""))
    };
    verdict.with_evidence([ev(&image.user)])
}
