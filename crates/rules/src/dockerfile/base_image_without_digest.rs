//! A base image not pinned by digest (opt-in).

use dockward_model::dockerfile::Dockerfile;

use super::{base_images, clean, fail_at};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Every `FROM` that names an image (not an earlier stage, not `scratch`) must carry a digest
    /// (`@sha256:…`); a tag alone fails. This stricter form of `unpinned-base-image` is off by
    /// default: turn it on with `--enable base-image-without-digest` (or `DF0008`).
    ///
    /// ## Why it matters
    /// Tags are mutable: the owner of the repository, or anyone who takes over the registry
    /// account, can point `debian:12` at different content. A digest names exactly one image, so
    /// the build uses the base that was reviewed (CIS 4.2, trusted base images).
    ///
    /// ## How to fix
    /// Append the digest of the tag you use: `FROM debian:12-slim@sha256:<digest>`
    /// (`docker buildx imagetools inspect debian:12-slim` shows it), and let a bot update it.
    pub static RULE = Rule {
        id: "DF0008",
        name: "base-image-without-digest",
        title: "Base images are pinned by digest",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:4.2"],
        fix: "pin each base image by digest: FROM image:tag@sha256:<digest>",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let bases = base_images(df);
    if bases.is_empty() {
        return vec![Verdict::not_applicable("no FROM names a registry image")];
    }
    let findings: Vec<Verdict> = bases
        .iter()
        .filter(|b| b.digest.is_none())
        .map(|b| fail_at(df, b.pos, format!("FROM {} is not pinned by digest", b.reference)))
        .collect();
    if findings.is_empty() {
        clean("every base image is pinned by digest")
    } else {
        findings
    }
}
