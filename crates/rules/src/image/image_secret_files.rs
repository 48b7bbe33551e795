//! CIS 4.10: keys and credential files left in the image.

use dockward_model::{Evidence, ImageFacts};

use super::{count, filesystem, listing};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The image's merged filesystem (layers applied in order, whiteouts honoured) for private
    /// keys and credential files: SSH private keys, PEM private keys, `.npmrc`, `.pypirc`,
    /// `.netrc`, `.git-credentials`, Docker `config.json` with auths, cloud credential files and
    /// the like. Evidence names each file, what it is and the layer that added it; contents are
    /// never reported. A file deleted in a later layer does not count here, though it remains
    /// readable in the layer that added it.
    ///
    /// ## Why it matters
    /// Whoever can pull the image gets the files; keys and tokens in an image leak to every
    /// registry, cache and host it is copied to.
    ///
    /// ## How to fix
    /// Use build secrets (`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`) or
    /// a multi-stage build that copies only the result; add the files to `.dockerignore`;
    /// rotate the leaked credentials.
    pub static RULE = Rule {
        id: "IM0007",
        name: "image-secret-files",
        title: "Image holds no private keys or credential files",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:4.10"],
        fix: "remove the files using build secrets or a multi-stage build, and rotate the credentials",
        check: Check::Image(check),
    };
}

fn check(_ctx: &Context<'_>, image: &ImageFacts) -> Verdict {
    let (files, fs) = match filesystem(image, |fs| &fs.secret_files) {
        Ok(found) => found,
        Err(verdict) => return verdict,
    };
    if files.is_empty() {
        return Verdict::pass(format!(
            "none of the {} in {} is a key or credential file",
            count(fs.value.files, "file"),
            count(fs.value.layers as u64, "layer")
        ));
    }
    let evidence = files
        .iter()
        .map(|f| Evidence::new(f.path.clone(), format!("{}, layer {}", f.kind, f.layer)));
    Verdict::fail(format!(
        "{} key or credential file(s): {}",
        files.len(),
        listing(files.iter().map(|f| f.path.as_str()))
    ))
    .with_evidence(evidence)
}
