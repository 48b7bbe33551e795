//! CIS 4.2: a base image from a registry the policy does not trust (opt-in).

use dockward_model::dockerfile::Dockerfile;

use super::{base_images, clean, fail_at};
use crate::common::{registry_standing, trusted_registries};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The registry of every `FROM` that names an image (not an earlier stage, not `scratch`,
    /// build arguments expanded), normalized as Docker normalizes it (`debian:12` is
    /// `docker.io/library/debian`), against the policy option `trusted-registries` (`[options]`
    /// in the policy file): registries, optionally with a repository prefix matched by whole
    /// path components (`docker.io/library`, `registry.example.com/base`). Each base image from
    /// a registry the list does not hold fails, at its `FROM`. Without the option it is not
    /// applicable. Off by default: turn it on with `--enable untrusted-base-image` (or
    /// `DF0020`); `base-image-without-digest` checks the other half of CIS 4.2, pinning.
    ///
    /// ## Why it matters
    /// The base image is most of what ships. One from an untrusted registry skips the review and
    /// scanning the organization's own registry applies, and whoever controls that registry
    /// controls every image built on it.
    ///
    /// ## How to fix
    /// Build from a base in a trusted registry (mirror the upstream image there):
    /// `FROM registry.example.com/base/debian:12`, or add the registry to `trusted-registries`
    /// once it is trusted.
    pub static RULE = Rule {
        id: "DF0020",
        name: "untrusted-base-image",
        title: "Base images come from trusted registries",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.2"],
        fix: "build FROM a base image in a trusted registry (policy [options] trusted-registries)",
        check: Check::Dockerfile(check),
    };
}

fn check(ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let trusted = match trusted_registries(ctx) {
        Ok(trusted) => trusted,
        Err(verdict) => return vec![verdict],
    };
    let bases = base_images(df);
    if bases.is_empty() {
        return vec![Verdict::not_applicable("no FROM names a registry image")];
    }
    let findings: Vec<Verdict> = bases
        .iter()
        .filter_map(|b| match registry_standing(&b.reference, trusted) {
            Some(Ok(_)) => None,
            Some(Err(message)) => Some(fail_at(df, b.pos, format!("FROM {message}"))),
            None => Some(fail_at(
                df,
                b.pos,
                format!("FROM {} names no registry", b.reference),
            )),
        })
        .collect();
    if findings.is_empty() {
        clean("every base image comes from a trusted registry")
    } else {
        findings
    }
}
