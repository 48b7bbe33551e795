//! CIS 4.11: packages installed without checking their signatures.

use std::borrow::Cow;
use std::collections::HashSet;

use dockward_model::dockerfile::{Command, Dockerfile, Pos};

use super::{clean, fail_at, run_commands};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Package manager calls in `RUN` that skip signature checks:
    /// - apt: `--allow-unauthenticated`, `--allow-insecure-repositories`, `--force-yes`,
    ///   `-o APT::Get::AllowUnauthenticated=true`, and repositories marked `[trusted=yes]`;
    /// - apk: `--allow-untrusted`;
    /// - yum, dnf, microdnf, tdnf: `--nogpgcheck`, and `gpgcheck=0` written into a repository
    ///   file (by a command, or as a line of a heredoc: `COPY <<EOF /etc/yum.repos.d/x.repo`);
    /// - zypper: `--no-gpg-checks`;
    /// - rpm: `--nosignature`, `--nodigest`.
    ///
    /// ## Why it matters
    /// Signatures are what tie a package to its maintainers; without them a mirror, proxy or
    /// attacker on the path can hand the build any package under a trusted name.
    ///
    /// ## How to fix
    /// Import the repository's signing key (`signed-by=` keyring for apt, `rpm --import`,
    /// `/etc/apk/keys`) and drop the flag.
    pub static RULE = Rule {
        id: "DF0014",
        name: "package-signature-check-disabled",
        title: "Only verified packages are installed",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:4.11"],
        fix: "import the repository's signing key and remove the flag that skips signature checks",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for (_, command) in run_commands(df) {
        for (at, what) in unverified(command) {
            findings.push(fail_at(df, command.words[at].pos, what));
        }
    }
    // Repository files written from heredocs (`COPY <<EOF /etc/yum.repos.d/x.repo`,
    // `cat > x.repo <<EOF`) are data, not commands: read their lines.
    let reported: HashSet<u32> = findings
        .iter()
        .filter_map(|f| f.location.as_ref().map(|l| l.line))
        .collect();
    for instruction in df.instructions_with_triggers() {
        for heredoc in &instruction.heredocs {
            for (offset, line) in heredoc.body.lines().enumerate() {
                let number = heredoc.body_line + offset as u32;
                if reported.contains(&number) {
                    continue;
                }
                if let Some(what) = unverified_repository(line) {
                    let column = line.len() - line.trim_start().len() + 1;
                    findings.push(fail_at(
                        df,
                        Pos {
                            line: number,
                            column: column as u32,
                        },
                        what,
                    ));
                }
            }
        }
    }
    if findings.is_empty() {
        clean("no step skips package signature checks")
    } else {
        findings
    }
}

/// A repository definition line that turns signature checks off.
fn unverified_repository(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let compact = compact(&lower);
    if compact.contains("[trusted=yes]") || compact.contains("trusted=yes]") {
        Some("an apt source marked [trusted=yes] is used without signature checks".to_string())
    } else if compact.starts_with("gpgcheck=0") {
        Some("gpgcheck=0 turns off package signature checks for a repository".to_string())
    } else {
        None
    }
}

fn unverified(command: &Command) -> Vec<(usize, String)> {
    let Some(program) = command.program() else {
        return Vec::new();
    };
    let flags: &[&str] = match program {
        "apt-get" | "apt" | "aptitude" => &[
            "--allow-unauthenticated",
            "--allow-insecure-repositories",
            "--force-yes",
        ],
        "apk" => &["--allow-untrusted"],
        "yum" | "dnf" | "microdnf" | "tdnf" => &["--nogpgcheck"],
        "zypper" => &["--no-gpg-checks"],
        "rpm" => &["--nosignature", "--nodigest"],
        _ => &[],
    };
    let mut found = Vec::new();
    for (at, word) in command.words.iter().enumerate().skip(1) {
        // Most words are lower case already: no copy for them.
        let lower: Cow<'_, str> = if word.text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(word.text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(&word.text)
        };
        // Every option and source shape below has a `=`: most words have none, and need no search.
        let has_eq = lower.as_bytes().contains(&b'=');
        let apt_option = has_eq
            && (lower.contains("allowunauthenticated=true")
                || lower.contains("allowinsecurerepositories=true"));
        if flags.contains(&lower.as_ref()) || apt_option {
            found.push((
                at,
                format!("{program} {} skips package signature checks", word.text),
            ));
        } else if !has_eq {
            continue;
        } else if lower.contains("[trusted=yes]") || lower.contains("trusted=yes]") {
            found.push((
                at,
                "an apt source marked [trusted=yes] is used without signature checks".to_string(),
            ));
        } else if compact(&lower).contains("gpgcheck=0") {
            found.push((
                at,
                "gpgcheck=0 turns off package signature checks for a repository".to_string(),
            ));
        }
    }
    found
}

fn compact(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_whitespace) {
        Cow::Owned(text.chars().filter(|c| !c.is_whitespace()).collect())
    } else {
        Cow::Borrowed(text)
    }
}
