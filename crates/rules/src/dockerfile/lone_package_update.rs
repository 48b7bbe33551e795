//! CIS 4.7: a package index refresh alone in its `RUN`.

use dockward_model::dockerfile::{Command, Dockerfile};

use super::{clean, fail_at, installed_packages, run_instructions, subcommand};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `RUN` instructions that refresh package indexes (`apt-get update`, `apt update`,
    /// `apk update`, `yum makecache`, `dnf makecache`, `zypper refresh`) without installing or
    /// upgrading anything in the same `RUN`. Commands are read from the shell text, heredoc
    /// scripts and `sh -c` strings, so `apt-get update && apt-get install -y curl` passes however
    /// it is split over lines.
    ///
    /// ## Why it matters
    /// The build cache keeps the layer of a lone `apt-get update` and reuses it for every later
    /// build, so a following `apt-get install` installs from stale indexes, missing security
    /// fixes, or fails when the mirror has moved on.
    ///
    /// ## How to fix
    /// Refresh and install in one `RUN`:
    /// `RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*`,
    /// or use `apk add --no-cache`.
    pub static RULE = Rule {
        id: "DF0005",
        name: "lone-package-update",
        title: "Package index updates are not used alone",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:4.7"],
        fix: "refresh package indexes and install in the same RUN",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for run in run_instructions(df) {
        let commands: Vec<&Command> = run.commands.iter().flat_map(|p| &p.commands).collect();
        let Some(update) = commands.iter().find(|c| refreshes_index(c)) else {
            continue;
        };
        if !commands.iter().any(|c| changes_packages(c)) {
            findings.push(fail_at(
                df,
                update.pos,
                format!("\"{}\" runs without an install in the same RUN", update.text()),
            ));
        }
    }
    if findings.is_empty() {
        clean("every package index refresh installs in the same RUN")
    } else {
        findings
    }
}

fn refreshes_index(cmd: &Command) -> bool {
    matches!(
        (cmd.program(), subcommand(cmd)),
        (Some("apt-get" | "apt" | "aptitude" | "apk"), Some("update"))
            | (Some("yum" | "dnf" | "microdnf"), Some("makecache"))
            | (Some("zypper"), Some("refresh" | "ref"))
    )
}

fn changes_packages(cmd: &Command) -> bool {
    installed_packages(cmd).is_some()
        || matches!(
            (cmd.program(), subcommand(cmd)),
            (
                Some("apt-get" | "apt" | "aptitude"),
                Some("upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep")
            ) | (Some("apk"), Some("upgrade"))
                | (Some("yum" | "dnf" | "microdnf"), Some("update" | "upgrade"))
                | (Some("zypper"), Some("update" | "up" | "dist-upgrade" | "dup"))
        )
}
