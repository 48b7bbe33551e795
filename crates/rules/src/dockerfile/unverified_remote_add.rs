//! CIS 4.9: `ADD` downloads content without verifying it.

use dockward_model::dockerfile::Dockerfile;

use super::{clean, copy_sources, fail_at, is_git_source, is_remote};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `ADD` instructions whose source is a URL (`http://`, `https://`, `ftp://`) or a git
    /// repository. A URL passes only with `--checksum=sha256:…`; a git repository passes with
    /// `--checksum` or when its `#ref` is a full 40-character commit id. Quoted sources and
    /// sources built from the stage's `ARG` and `ENV` values (`ADD ${URL} /x`) are read as
    /// BuildKit reads them; a global `ARG` counts where the stage declares it again.
    ///
    /// ## Why it matters
    /// Whatever the server returns at build time goes into the image: a compromised mirror, a
    /// moved tag or a man in the middle changes the image without any change to the Dockerfile,
    /// and the build cache hides when that happened.
    ///
    /// ## How to fix
    /// Pin the content: `ADD --checksum=sha256:<digest> https://example.com/tool.tar.gz /opt/`,
    /// or fetch a git repository at a commit id (`ADD https://host/repo.git#<commit> /src`). Or
    /// download with `curl` in a `RUN` and verify a signature there.
    pub static RULE = Rule {
        id: "DF0003",
        name: "unverified-remote-add",
        title: "Remote ADD sources are verified by checksum",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.9"],
        fix: "add --checksum=sha256:<digest> to ADD of a URL, or pin a git source to a commit",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for (add, sources) in copy_sources(df, &["ADD"]) {
        if add
            .flags
            .iter()
            .any(|f| f.name == "checksum" && f.value.as_deref().is_some_and(|v| !v.is_empty()))
        {
            continue;
        }
        for source in sources {
            let text = source.text.as_str();
            let shown = source.shown();
            if is_git_source(text) {
                let pinned = text.rsplit_once('#').is_some_and(|(_, reference)| {
                    let commit = reference.split(':').next().unwrap_or(reference);
                    commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())
                });
                if !pinned {
                    findings.push(fail_at(
                        df,
                        source.word.pos,
                        format!(
                            "ADD fetches the git repository {shown} without pinning a commit or a checksum"
                        ),
                    ));
                }
            } else if is_remote(text) {
                findings.push(fail_at(
                    df,
                    source.word.pos,
                    format!("ADD downloads {shown} without --checksum"),
                ));
            }
        }
    }
    if findings.is_empty() {
        clean("no unverified remote ADD")
    } else {
        findings
    }
}
