//! CIS 4.8: setuid and setgid files in the image.

use dockward_model::{Evidence, ImageFacts};

use super::{count, filesystem, listing};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The image's merged filesystem (every layer of `docker save` applied in order, whiteouts
    /// honoured, so a file deleted in a later layer does not count) for regular files with the
    /// setuid or setgid bit. Evidence lists each file with its mode and the layer that added it,
    /// so files inherited from the base image can be told apart.
    ///
    /// ## Why it matters
    /// A setuid-root program runs as root whoever starts it: in a container running as a
    /// non-root user it is the way back to root, and any bug in it is a privilege escalation.
    /// Most containers need none of them.
    ///
    /// ## How to fix
    /// Remove the bits in the last build step:
    /// `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + || true`, or remove the
    /// programs; run containers with `--security-opt no-new-privileges` so the bits are ignored.
    pub static RULE = Rule {
        id: "IM0006",
        name: "image-setuid-files",
        title: "Image has no setuid or setgid files",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.8"],
        fix: "RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + at the end of the build",
        check: Check::Image(check),
    };
}

fn check(_ctx: &Context<'_>, image: &ImageFacts) -> Verdict {
    let (files, fs) = match filesystem(image, |fs| &fs.setuid_files) {
        Ok(found) => found,
        Err(verdict) => return verdict,
    };
    if files.is_empty() {
        return Verdict::pass(format!(
            "none of the {} in {} is setuid or setgid",
            count(fs.value.files, "file"),
            count(fs.value.layers as u64, "layer")
        ));
    }
    let evidence = files.iter().map(|f| {
        Evidence::new(
            f.path.clone(),
            format!("mode {:04o}, layer {}", f.mode & 0o7777, f.layer),
        )
    });
    Verdict::fail(format!(
        "{} setuid/setgid file(s): {}",
        files.len(),
        listing(files.iter().map(|f| f.path.as_str()))
    ))
    .with_evidence(evidence)
}
