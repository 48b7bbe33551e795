//! CIS 4.2: an image tagged for a registry the policy does not trust (opt-in).

use dockward_model::ImageFacts;

use crate::common::{registry_standing, trusted_registries};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The registry of each of the image's tags (`RepoTags`), normalized as Docker normalizes
    /// them (`nginx:1` is `docker.io/library/nginx`), against the policy option
    /// `trusted-registries` (`[options]` in the policy file): registries, optionally with a
    /// repository prefix matched by whole path components (`docker.io/library`). It fails when a
    /// tag names a registry the list does not hold. Without the option it is not applicable, as
    /// for an image without tags (nothing names its registry). Off by default: turn it on with
    /// `--enable image-untrusted-registry` (or `IM0009`).
    ///
    /// ## Why it matters
    /// An image pulled from an untrusted registry skips the review, scanning and signing of the
    /// organization's own registry; whoever controls that registry controls what the image runs.
    ///
    /// ## How to fix
    /// Pull the image from a trusted registry (mirror it there) and remove the untrusted copy
    /// (`docker image rm`), or add the registry to `trusted-registries` once it is trusted.
    pub static RULE = Rule {
        id: "IM0009",
        name: "image-untrusted-registry",
        title: "Images come from trusted registries",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.2"],
        fix: "pull the image from a trusted registry (policy [options] trusted-registries)",
        check: Check::Image(check),
    };
}

fn check(ctx: &Context<'_>, image: &ImageFacts) -> Verdict {
    let trusted = match trusted_registries(ctx) {
        Ok(trusted) => trusted,
        Err(verdict) => return verdict,
    };
    if image.tags.is_empty() {
        return Verdict::not_applicable("the image has no tag, so no registry names it");
    }
    let mut failures = Vec::new();
    let mut sources = Vec::new();
    for tag in &image.tags {
        match registry_standing(tag, trusted) {
            Some(Ok((_, entry))) => sources.push(format!("{tag} from {entry}")),
            Some(Err(message)) => failures.push(message),
            None => failures.push(format!("{tag} names no registry")),
        }
    }
    let verdict = if failures.is_empty() {
        Verdict::pass(format!(
            "every tag comes from a trusted registry: {}",
            sources.join(", ")
        ))
    } else {
        Verdict::fail(format!("image tag {}", failures.join("; ")))
    };
    verdict.with("/RepoTags", &image.tags)
}
