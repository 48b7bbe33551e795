//! CIS 4.9: the image was built with `ADD`.

use dockward_model::{Evidence, ImageFacts, Observed};

use super::count;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The image's build history (`GET /images/{id}/history`) for `ADD` steps, in the formats of
    /// both builders (`/bin/sh -c #(nop) ADD file:… in /dest` and `ADD src /dest # buildkit`).
    /// Steps that are not this image's own are left out: the first step when it adds the root
    /// filesystem (`ADD file:… in /`, how base images start), and the steps of a base image that
    /// is on the same daemon (its history is a prefix of this one). `ADD` of an archive is
    /// reported too, since history cannot always tell what was added.
    ///
    /// ## Why it matters
    /// `ADD` fetches URLs and unpacks archives as well as copying; an image built with it may
    /// carry unverified downloads or unexpectedly extracted content. See `add-instead-of-copy`
    /// and `unverified-remote-add` for the Dockerfile side.
    ///
    /// ## How to fix
    /// Replace `ADD` with `COPY` in the Dockerfile (or download with a verified checksum) and
    /// rebuild.
    pub static RULE = Rule {
        id: "IM0005",
        name: "image-add-in-history",
        title: "Image build uses COPY instead of ADD",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:4.9"],
        fix: "use COPY instead of ADD in the Dockerfile and rebuild",
        check: Check::Image(check),
    };
}

fn check(_ctx: &Context<'_>, image: &ImageFacts) -> Verdict {
    let history = match &image.history {
        Observed::Known(fact) => &fact.value,
        Observed::Unknown { reason } => {
            return Verdict::error(format!("could not read the image history: {reason}"));
        }
    };
    let mut evidence = Vec::new();
    for (index, entry) in history.iter().enumerate().skip(image.base_history) {
        let Some(step) = instruction(&entry.created_by) else {
            continue;
        };
        if !step.starts_with("ADD ") {
            continue;
        }
        let rootfs = index == 0 && step.starts_with("ADD file:") && step.trim_end().ends_with(" in /");
        if !rootfs {
            evidence.push(Evidence::new(
                format!("history/{index}/CreatedBy"),
                entry.created_by.trim(),
            ));
        }
    }
    let own = history.len().saturating_sub(image.base_history);
    let scope = match &image.base_image {
        Some(base) if image.base_history > 0 => format!(
            " ({} of base image {base} left out)",
            count(image.base_history as u64, "step")
        ),
        _ => String::new(),
    };
    if evidence.is_empty() {
        Verdict::pass(format!(
            "none of the image's {} uses ADD{scope}",
            count(own as u64, "build step")
        ))
    } else {
        Verdict::fail(format!("{} build step(s) use ADD{scope}", evidence.len())).with_evidence(evidence)
    }
}

/// The Dockerfile instruction a history entry records, normalized to `KEYWORD args`.
fn instruction(created_by: &str) -> Option<&str> {
    let text = created_by.trim();
    if let Some(rest) = text.strip_prefix("/bin/sh -c #(nop) ") {
        return Some(rest.trim_start());
    }
    // BuildKit writes the instruction itself, marked `# buildkit`; RUN steps start `RUN` or
    // with the shell.
    let text = text.strip_suffix("# buildkit").unwrap_or(text).trim_end();
    text.split_whitespace()
        .next()
        .filter(|w| w.chars().all(|c| c.is_ascii_uppercase()))
        .map(|_| text)
}

#[cfg(test)]
mod tests {
    use super::instruction;

    #[test]
    fn history_formats() {
        assert_eq!(
            instruction("/bin/sh -c #(nop) ADD file:4c3 in / "),
            Some("ADD file:4c3 in /")
        );
        assert_eq!(
            instruction("ADD app.tar /opt/ # buildkit"),
            Some("ADD app.tar /opt/")
        );
        assert_eq!(instruction("/bin/sh -c apt-get update"), None);
        assert_eq!(
            instruction("RUN /bin/sh -c make # buildkit"),
            Some("RUN /bin/sh -c make")
        );
    }
}
