//! The image exposes SSH.

use dockward_model::ImageFacts;

use super::ev;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The image's exposed ports (`Config.ExposedPorts`, from `EXPOSE`): it fails when `22/tcp`
    /// is among them.
    ///
    /// ## Why it matters
    /// A container image that exposes SSH usually runs an SSH server: one more service to patch
    /// and protect, with its own keys and accounts, that bypasses Docker's access control. CIS
    /// 5.7 asks that containers run no SSH server; `docker exec` gives a shell instead.
    ///
    /// ## How to fix
    /// Remove the SSH server and `EXPOSE 22` from the image and use `docker exec`.
    pub static RULE = Rule {
        id: "IM0004",
        name: "image-exposes-ssh",
        title: "Image does not expose SSH",
        severity: Severity::Medium,
        references: &[],
        fix: "remove the SSH server and EXPOSE 22; use docker exec",
        check: Check::Image(check),
    };
}

fn check(_ctx: &Context<'_>, image: &ImageFacts) -> Verdict {
    let verdict = if image
        .exposed_ports
        .value
        .iter()
        .any(|p| p == "22/tcp" || p == "22")
    {
        Verdict::fail("the image exposes port 22/tcp (SSH)")
    } else {
        Verdict::pass("the image does not expose port 22")
    };
    verdict.with_evidence([ev(&image.exposed_ports)])
}
