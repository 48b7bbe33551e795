//! A downloaded script run straight from the network.

use dockward_model::dockerfile::{Command, Dockerfile};

use super::{clean, fail_at, run_instructions};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `RUN` commands that download with `curl` or `wget` and hand the download to an
    /// interpreter without saving and checking it: a pipe (`curl -fsSL https://x/install.sh | sh`,
    /// also after `&&` and across continuation lines), command substitution
    /// (`sh -c "$(curl -fsSL …)"`, `eval "$(curl …)"`) or process substitution (`bash <(curl …)`,
    /// `. <(curl …)`). Interpreters are
    /// `sh`, `bash`, `dash`, `ash`, `zsh`, `ksh`, `python`, `python3`, `perl`, `ruby`, `node`
    /// and `php`, also behind `sudo` or `env`. An interpreter given its program inline
    /// (`python3 -c '…'`, `perl -e '…'`, `python3 -m json.tool`) only reads the download as data
    /// and passes.
    ///
    /// ## Why it matters
    /// The build runs whatever the server sends at that moment: a compromised or hijacked host,
    /// or a half-delivered download, executes arbitrary code inside the image with the build's
    /// privileges, and the Dockerfile shows nothing of it.
    ///
    /// ## How to fix
    /// Download to a file, verify it, then run it:
    /// `curl -fsSLo install.sh https://x/install.sh && echo "<sha256>  install.sh" | sha256sum -c - && sh install.sh`,
    /// or install from a package repository with signature checks.
    pub static RULE = Rule {
        id: "DF0010",
        name: "remote-script-piped-to-shell",
        title: "Downloads are not piped into a shell",
        severity: Severity::High,
        references: &[],
        fix: "download to a file, verify its checksum or signature, then run it",
        check: Check::Dockerfile(check),
    };
}

/// Shell built-ins that run their argument as a script: `eval "$(curl …)"`, `. <(curl …)`.
const SCRIPT_RUNNERS: [&str; 3] = ["eval", "source", "."];
const DOWNLOADERS: [&str; 2] = ["curl", "wget"];
const INTERPRETERS: [&str; 12] = [
    "sh", "bash", "dash", "ash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node", "php",
];

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for run in run_instructions(df) {
        for pipeline in &run.commands {
            let mut downloaded = false;
            for command in &pipeline.commands {
                let interpreter = interpreter_of(command);
                if downloaded && interpreter.is_some() && !runs_inline_script(command) {
                    findings.push(fail_at(
                        df,
                        command.pos,
                        format!("a download is piped into {}", interpreter.unwrap_or_default()),
                    ));
                    break;
                }
                let runner = interpreter.or_else(|| command.program().filter(|p| SCRIPT_RUNNERS.contains(p)));
                if let Some(runner) = runner.filter(|_| substitutes_download(command)) {
                    findings.push(fail_at(
                        df,
                        command.pos,
                        format!("{runner} runs a script substituted from a download"),
                    ));
                }
                downloaded |= command.program().is_some_and(|p| DOWNLOADERS.contains(&p));
            }
        }
    }
    if findings.is_empty() {
        clean("no download is piped into a shell")
    } else {
        findings
    }
}

/// The interpreter a command runs, looking through `sudo`, `env` and their options.
fn interpreter_of(command: &Command) -> Option<&str> {
    command
        .words
        .iter()
        .map(|w| w.text.rsplit('/').next().unwrap_or(&w.text))
        .find(|w| {
            !matches!(*w, "sudo" | "env" | "exec" | "command") && !w.starts_with('-') && !w.contains('=')
        })
        .filter(|program| INTERPRETERS.contains(program))
}

/// `python3 -c '…'`, `perl -e '…'`, `python3 -m json.tool`: the program is on the command line
/// and the download piped in is only data.
fn runs_inline_script(command: &Command) -> bool {
    ["-c", "-e", "-r", "-m"].iter().any(|flag| command.has_arg(flag))
}

fn substitutes_download(command: &Command) -> bool {
    command.words.iter().skip(1).any(|w| {
        DOWNLOADERS.iter().any(|d| {
            ["$(", "<(", "`"].iter().any(|open| {
                // `{open}{d} ` anywhere, or `{open}{d}` at the start, without building either.
                let text = w.text.as_str();
                text.strip_prefix(open).is_some_and(|rest| rest.starts_with(d))
                    || text.match_indices(open).any(|(at, _)| {
                        text[at + open.len()..]
                            .strip_prefix(d)
                            .is_some_and(|rest| rest.starts_with(' '))
                    })
            })
        })
    })
}
