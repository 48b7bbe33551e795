//! A base image referenced by a moving tag.

use dockward_model::dockerfile::Dockerfile;

use super::{base_images, clean, fail_at};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Every `FROM` that names an image (not an earlier stage, not `scratch`), after expanding
    /// global `ARG` defaults: it fails when the reference has no tag (`FROM debian`, which means
    /// `latest`) or the tag is `latest`. A digest (`@sha256:…`) always passes. A reference that is
    /// only known at build time (`FROM $BASE` with no default) is not judged.
    ///
    /// ## Why it matters
    /// `latest` changes under you: two builds of the same Dockerfile produce different images,
    /// a new major version of the base can break or weaken the image, and nobody can tell which
    /// base a running image came from. A version tag makes builds repeatable and updates
    /// deliberate. CIS 4.2 asks for trusted base images; knowing which one is the first step.
    ///
    /// ## How to fix
    /// Name a version: `FROM debian:12-slim`, `FROM node:22.11-alpine3.20`, or pin a digest
    /// (`FROM debian:12-slim@sha256:…`) and let a bot such as Renovate or Dependabot update it.
    pub static RULE = Rule {
        id: "DF0007",
        name: "unpinned-base-image",
        title: "Base images are pinned to a version",
        severity: Severity::Medium,
        references: &[],
        fix: "name a version tag (FROM debian:12-slim) or a digest",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    let mut judged = 0;
    for base in base_images(df) {
        judged += 1;
        if base.digest.is_some() {
            continue;
        }
        match base.tag.as_deref() {
            None => findings.push(fail_at(
                df,
                base.pos,
                format!("FROM {} has no tag, so it means latest", base.reference),
            )),
            Some("latest") => findings.push(fail_at(
                df,
                base.pos,
                format!("FROM {} uses the moving tag latest", base.reference),
            )),
            Some(_) => {}
        }
    }
    if !findings.is_empty() {
        findings
    } else if judged == 0 {
        vec![Verdict::not_applicable("no FROM names a registry image")]
    } else {
        clean("every base image names a version or digest")
    }
}
