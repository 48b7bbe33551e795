//! Passwordless sudo granted in the image that ships.

use dockward_model::dockerfile::{Args, Dockerfile, Heredoc, Instruction, Pos};

use super::{clean, fail_at, shipping_stage, stage_chain, unquote};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Sudoers rules in the stage that ships (the last stage, or `--target`) and the stages it
    /// is built `FROM`:
    /// - a `RUN` that writes `NOPASSWD` into `/etc/sudoers` or `/etc/sudoers.d/` (with `echo …
    ///   >>`, `tee`, `sed -i`, a heredoc, or a heredoc script);
    /// - a `COPY`/`ADD` heredoc with `NOPASSWD` whose destination is in `/etc/sudoers.d/` or is
    ///   `/etc/sudoers`;
    /// - a `COPY`/`ADD` of a file into `/etc/sudoers` or `/etc/sudoers.d/` (`COPY sudoers
    ///   /etc/sudoers.d/`), whose rules the Dockerfile does not show.
    ///
    /// Build stages that do not ship do not count.
    ///
    /// ## Why it matters
    /// `NOPASSWD` lets the image's user become root without knowing any password, so a process
    /// running as the unprivileged `USER` is root as soon as it runs `sudo`: the non-root user
    /// that CIS 4.1 and Docker's guidance ("run as non-root") ask for protects nothing. Anyone who
    /// gets code execution in the container gets root in it, one step from the host.
    ///
    /// ## How to fix
    /// Do the privileged work at build time before `USER`, and drop sudo from the image. If a
    /// process must start as root and drop privileges, use `gosu` or `setpriv` in the
    /// entrypoint; if a tool needs one capability, grant it with `setcap`.
    pub static RULE = Rule {
        id: "DF0017",
        name: "passwordless-sudo",
        title: "The image does not grant passwordless sudo",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:4.1"],
        fix: "remove NOPASSWD sudoers rules and sudo from the shipped image; do root work before USER",
        check: Check::Dockerfile(check),
    };
}

fn check(ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let Some(stage) = shipping_stage(ctx, df) else {
        return vec![Verdict::not_applicable(
            "the shipped stage is not in the Dockerfile",
        )];
    };
    let mut findings = Vec::new();
    for instruction in stage_chain(df, stage).iter().flat_map(|s| &s.instructions) {
        match instruction.keyword.as_str() {
            "RUN" => {
                if let Some(pos) = nopasswd_written(instruction) {
                    findings.push(fail_at(
                        df,
                        pos,
                        "RUN writes a NOPASSWD rule to sudoers: the user becomes root without a password",
                    ));
                }
            }
            keyword @ ("COPY" | "ADD") => findings.extend(
                sudoers_copied(instruction, df.escape)
                    .into_iter()
                    .map(|(pos, message)| fail_at(df, pos, format!("{keyword} {message}"))),
            ),
            _ => {}
        }
    }
    if findings.is_empty() {
        clean("the shipped stage writes no NOPASSWD sudoers rule and copies in no sudoers file")
    } else {
        findings
    }
}

fn is_sudoers_path(path: &str) -> bool {
    path == "/etc/sudoers" || path.starts_with("/etc/sudoers.d/")
}

/// Where a `RUN` writes `NOPASSWD` to a sudoers file: the word that holds it, or the heredoc
/// line.
fn nopasswd_written(run: &Instruction) -> Option<Pos> {
    let text = match &run.args {
        Args::Shell { text, .. } => text.as_str(),
        _ => "",
    };
    let bodies = run.heredocs.iter().map(|h| h.body.as_str());
    let mentions_sudoers = std::iter::once(text)
        .chain(bodies.clone())
        .any(|t| t.contains("/etc/sudoers"));
    if !mentions_sudoers {
        return None;
    }
    let word = run
        .commands
        .iter()
        .flat_map(|p| &p.commands)
        .flat_map(|c| &c.words)
        .find(|w| w.text.contains("NOPASSWD"));
    if let Some(word) = word {
        return Some(word.pos);
    }
    run.heredocs.iter().find_map(heredoc_nopasswd)
}

/// The position of the first `NOPASSWD` in a heredoc body.
fn heredoc_nopasswd(heredoc: &Heredoc) -> Option<Pos> {
    heredoc.body.lines().enumerate().find_map(|(i, line)| {
        let at = line.find("NOPASSWD")?;
        Some(Pos {
            line: heredoc
                .body_line
                .saturating_add(u32::try_from(i).unwrap_or(u32::MAX)),
            column: u32::try_from(line[..at].chars().count() + 1).unwrap_or(1),
        })
    })
}

/// Sudoers files a `COPY`/`ADD` puts into the image, with where and what to report.
fn sudoers_copied(instruction: &Instruction, escape: char) -> Vec<(Pos, String)> {
    let words = match &instruction.args {
        Args::Words { words } | Args::Exec { words } => words,
        _ => return Vec::new(),
    };
    let Some((destination, sources)) = words.split_last() else {
        return Vec::new();
    };
    let destination = unquote(&destination.text, escape);
    let mut found = Vec::new();
    for heredoc in &instruction.heredocs {
        let target = if destination.ends_with('/') {
            format!("{destination}{}", heredoc.delimiter)
        } else {
            destination.clone()
        };
        if is_sudoers_path(&target)
            && let Some(pos) = heredoc_nopasswd(heredoc)
        {
            found.push((pos, format!("writes a NOPASSWD rule to {target}")));
        }
    }
    for source in sources.iter().filter(|w| !w.text.starts_with("<<")) {
        let name = unquote(&source.text, escape);
        let base = name
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(&name)
            .to_string();
        let target = if destination.ends_with('/') {
            format!("{destination}{base}")
        } else {
            destination.clone()
        };
        if is_sudoers_path(&target) {
            found.push((
                source.pos,
                format!("puts the sudoers file {name} into {destination}; its rules may grant NOPASSWD"),
            ));
        }
    }
    found
}
