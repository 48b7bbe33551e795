//! CIS 4.2: a container whose image comes from a registry the policy does not trust (opt-in).

use super::ev;
use crate::common::{registry_standing, trusted_registries};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The registry the container's image reference pulls from, normalized as Docker normalizes
    /// it (`nginx` is `docker.io/library/nginx`, `index.docker.io` is `docker.io`), against the
    /// policy option `trusted-registries` (`[options]` in the policy file): a list of registries
    /// (`registry.example.com`), optionally with a repository prefix matched by whole path
    /// components (`docker.io/library`, `ghcr.io/org`). It fails when the image comes from none
    /// of them. Without the option it is not applicable; an image given by id names no registry
    /// and is an error. Off by default: turn it on with `--enable untrusted-registry` (or
    /// `CT0033`); it judges running containers, compose services, Kubernetes containers and
    /// container create requests alike.
    ///
    /// ## Why it matters
    /// Whoever controls the registry controls what runs: an image from a public or unknown
    /// registry skips the review, scanning and signing an organization's own registry applies.
    ///
    /// ## How to fix
    /// Mirror or rebuild the image into a trusted registry and run it from there, or add its
    /// registry to `trusted-registries` once it is trusted.
    pub static RULE = Rule {
        id: "CT0033",
        name: "untrusted-registry",
        title: "Container images come from trusted registries",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.2"],
        fix: "run the image from a trusted registry (policy [options] trusted-registries)",
        check: Check::Container(ContainerCheck {
            needs: &["/Config/Image"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let trusted = match trusted_registries(ctx) {
        Ok(trusted) => trusted,
        Err(verdict) => return verdict,
    };
    let reference = w.image.value.trim();
    if reference.is_empty() {
        if matches!(w.origin, dockward_model::Origin::Compose { .. }) {
            return Verdict::not_applicable(
                "the service names no image (it is built: untrusted-base-image judges its Dockerfile)",
            );
        }
        return Verdict::error("the image reference is empty").with_evidence([ev(&w.image)]);
    }
    match registry_standing(reference, trusted) {
        None => Verdict::error(format!(
            "the image is named {reference}, which names no registry (an image id)"
        )),
        Some(Ok((name, entry))) => Verdict::pass(format!(
            "image {reference} ({}) comes from {entry}, a trusted registry",
            name.full_name()
        )),
        Some(Err(message)) => Verdict::fail(format!("image {message}")),
    }
    .with_evidence([ev(&w.image)])
}
