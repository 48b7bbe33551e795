//! Files taken from an image referenced by a moving tag.

use std::collections::HashSet;

use dockward_model::dockerfile::{Dockerfile, Pos};

use super::{clean, expand_known, fail_at, global_args};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `COPY --from=` and `RUN --mount=…,from=…` (`ONBUILD` ones included) that name an image
    /// rather than a build stage: it fails when the image has no tag (`COPY --from=nginx`, which
    /// means `latest`) or the tag is `latest`. Stage names (compared without case, like BuildKit)
    /// and stage numbers (`--from=0`) are not images; a digest (`@sha256:…`) always passes; a
    /// version tag passes, as for `unpinned-base-image`. Global `ARG` defaults are expanded; a
    /// reference only known at build time (`--from=$IMAGE` with no default) is not judged.
    ///
    /// ## Why it matters
    /// Files copied from an image become part of this one just like its base image: when
    /// `latest` moves, the same Dockerfile builds an image with different binaries (a new `uv`,
    /// a new `busybox`), nobody can tell which ones it holds, and a compromised tag is pulled in
    /// without any change under review.
    ///
    /// ## How to fix
    /// Name a version (`COPY --from=ghcr.io/astral-sh/uv:0.4.20 /uv /bin/`) or a digest, and let
    /// a bot such as Renovate or Dependabot update it; or build the files in a named stage.
    pub static RULE = Rule {
        id: "DF0019",
        name: "unpinned-copy-from-image",
        title: "Images that files are copied from are pinned to a version",
        severity: Severity::Low,
        references: &[],
        fix: "name a version tag or a digest in COPY --from and RUN --mount from=",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let args = global_args(df);
    // A set: every COPY --from looks its name up, and files can have thousands of stages.
    let stages: HashSet<String> = df.stages.iter().filter_map(|s| s.name.clone()).collect();
    let mut judged = 0;
    let mut findings = Vec::new();
    for instruction in df.instructions_with_triggers() {
        let keyword = instruction.keyword.as_str();
        let references: Vec<(&str, Pos, String)> = instruction
            .flags
            .iter()
            .filter_map(|flag| {
                let value = flag.value.as_deref()?;
                match (keyword, flag.name.as_str()) {
                    ("COPY", "from") => Some(("COPY --from", flag.pos, value.to_string())),
                    ("RUN", "mount") => value
                        .split(',')
                        .find_map(|option| option.strip_prefix("from="))
                        .map(|from| ("RUN --mount from", flag.pos, from.to_string())),
                    _ => None,
                }
            })
            .collect();
        for (what, pos, written) in references {
            let Some(reference) = expand_known(written.trim_matches(['"', '\'']), &args) else {
                continue;
            };
            let lower = reference.to_ascii_lowercase();
            if reference.is_empty()
                || reference.contains('$')
                || reference.bytes().all(|b| b.is_ascii_digit())
                || stages.contains(&lower)
            {
                continue;
            }
            judged += 1;
            if reference.contains('@') {
                continue;
            }
            let last_segment = reference.rsplit('/').next().unwrap_or(&reference);
            match last_segment.split_once(':').map(|(_, tag)| tag) {
                None => findings.push(fail_at(
                    df,
                    pos,
                    format!("{what}={reference} has no tag, so it means latest"),
                )),
                Some("latest") => findings.push(fail_at(
                    df,
                    pos,
                    format!("{what}={reference} uses the moving tag latest"),
                )),
                Some(_) => {}
            }
        }
    }
    if !findings.is_empty() {
        findings
    } else if judged == 0 {
        // Every instruction was read: nothing takes files from an image, so nothing can move.
        clean("no COPY --from or RUN --mount from= names an image")
    } else {
        clean("every image that files are copied from names a version or digest")
    }
}
