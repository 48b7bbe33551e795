//! CIS 4.7: a package index refresh alone in its `RUN`.

use dockward_model::dockerfile::{Command, Dockerfile};

use super::{clean, fail_at, installed_packages, run_instructions, subcommand};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `RUN` instructions that refresh package indexes (`apt-get update`, `apt update`,
    /// `apk update`, `yum makecache`, `dnf makecache`, `zypper refresh`) and run nothing else that
    /// could install in the same `RUN`. Commands are read from the shell text, heredoc scripts
    /// and `sh -c` strings, so `apt-get update && apt-get install -y curl` passes however it is
    /// split over lines.
    ///
    /// Any command the rule does not know to be harmless counts as one that could install: a
    /// script (`./install.sh`, `sh deps.sh`), `xargs`, a shell function, `make`, `curl`. Only
    /// these leave the refresh alone: shell builtins and file utilities (`cd`, `set`, `export`,
    /// `echo`, `printf`, `true`, `false`, `:`, `test`, `[`, `ls`, `cat`, `mkdir`, `rm`, `rmdir`,
    /// `cp`, `mv`, `ln`, `touch`, `chmod`, `chown`, `sleep`, `grep`, `sed`, `head`, `tail`,
    /// `wc`, `sort`, `tee`, `id`, `whoami`, `uname`, `date`, `which`), package queries and
    /// cleanups (`apt-get clean`/`autoclean`/`autoremove`, `apt-cache`, `dpkg-query`,
    /// `apk info`, `yum`/`dnf clean`, `list`, `info`, `repolist`) and variable assignments.
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
        if !commands.iter().any(|c| could_install(c)) {
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

/// Programs that install nothing whatever their arguments.
const HARMLESS: [&str; 36] = [
    "", "cd", "set", "export", "unset", "echo", "printf", "true", "false", ":", "test", "[", "[[", "ls",
    "cat", "mkdir", "rm", "rmdir", "cp", "mv", "ln", "touch", "chmod", "chown", "sleep", "grep", "sed",
    "head", "tail", "wc", "sort", "tee", "id", "whoami", "uname", "date",
];

/// Whether a command could install packages: a package manager's install or upgrade, or any
/// command not known to be harmless (a script, `xargs`, a function, a build tool).
fn could_install(cmd: &Command) -> bool {
    if changes_packages(cmd) {
        return true;
    }
    let program = cmd.program().unwrap_or("");
    if HARMLESS.contains(&program) || matches!(program, "which" | "apt-cache" | "dpkg-query") {
        return false;
    }
    let harmless_subcommand = match program {
        "apt-get" | "apt" | "aptitude" => &[
            "update",
            "clean",
            "autoclean",
            "autoremove",
            "check",
            "policy",
            "show",
            "search",
            "list",
        ][..],
        "apk" => &["update", "info", "cache", "stats", "search", "policy"][..],
        "yum" | "dnf" | "microdnf" | "tdnf" => {
            &["makecache", "clean", "list", "info", "repolist", "search"][..]
        }
        "zypper" => &["refresh", "ref", "clean", "search", "se", "info", "repos", "lr"][..],
        _ => return true,
    };
    !subcommand(cmd).is_some_and(|s| harmless_subcommand.contains(&s))
}
