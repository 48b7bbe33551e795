//! CIS 4.9: `ADD` used where `COPY` serves.

use dockward_model::dockerfile::Dockerfile;

use super::{clean, copy_sources, fail_at, is_archive, is_remote};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `ADD` instructions that copy local files or directories from the build context or
    /// another stage, which is all `COPY` does. `ADD` of a local archive (`.tar`, `.tar.gz`,
    /// `.tgz`, `.tar.xz` …), which `ADD` unpacks on purpose, passes; `ADD` of a URL or a git
    /// repository is judged by `unverified-remote-add` instead. Sources are read as BuildKit reads
    /// them: quotes removed (`ADD "https://…" /x` is a download) and the stage's `ARG` and `ENV`
    /// values expanded (`ARG URL=https://…` then `ADD ${URL} /x`), global `ARG`s where the stage
    /// declares them again.
    ///
    /// ## Why it matters
    /// `ADD` does more than copy: it fetches URLs and unpacks archives, so an innocent-looking
    /// source that turns out to be an archive is extracted into the image, and a source that is
    /// swapped for a URL downloads unverified content. `COPY` does exactly one thing, which is
    /// what the reader expects.
    ///
    /// ## How to fix
    /// Replace `ADD` with `COPY` (the flags `--chown`, `--chmod`, `--from` and `--link` are the
    /// same).
    pub static RULE = Rule {
        id: "DF0002",
        name: "add-instead-of-copy",
        title: "COPY is used instead of ADD for local files",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:4.9"],
        fix: "use COPY for local files; keep ADD only for archives it must unpack",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for (add, sources) in copy_sources(df, &["ADD"]) {
        let local: Vec<String> = sources
            .iter()
            .filter(|s| !is_remote(&s.text) && !is_archive(&s.text))
            .map(|s| s.shown())
            .collect();
        if !local.is_empty() || (sources.is_empty() && !add.heredocs.is_empty()) {
            let what = if local.is_empty() {
                "a heredoc".to_string()
            } else {
                local.join(", ")
            };
            findings.push(fail_at(
                df,
                add.pos,
                format!("ADD copies {what}; COPY does that without unpacking or downloading"),
            ));
        }
    }
    if findings.is_empty() {
        clean("no ADD of local files")
    } else {
        findings
    }
}
