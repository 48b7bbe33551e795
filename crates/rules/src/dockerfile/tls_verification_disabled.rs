//! TLS certificate verification switched off during the build.

use dockward_model::dockerfile::{Args, Command, Dockerfile};

use super::{clean, fail_at, instructions_named, run_commands};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Build steps that accept any TLS certificate:
    /// - `curl -k` / `--insecure` (also inside combined flags like `-fsSLk`),
    ///   `wget --no-check-certificate`;
    /// - `pip install --trusted-host …`;
    /// - git with `http.sslVerify=false` (`git -c http.sslVerify=false clone …`,
    ///   `git config --global http.sslVerify false`), `GIT_SSL_NO_VERIFY`;
    /// - npm, yarn or pnpm with `strict-ssl` false;
    /// - apt with `Acquire::https::Verify-Peer=false`;
    /// - `NODE_TLS_REJECT_UNAUTHORIZED=0` and `PYTHONHTTPSVERIFY=0`, set with `ENV`, before a
    ///   command or with `export`.
    ///
    /// ## Why it matters
    /// Without certificate checks anyone on the network path (a proxy, a hijacked Wi-Fi, a
    /// compromised CI network) can swap what the build downloads, and the resulting image
    /// carries their code. An `ENV` setting also weakens every connection the application makes
    /// at run time.
    ///
    /// ## How to fix
    /// Install the CA certificate that signs the server (`COPY corp-ca.crt
    /// /usr/local/share/ca-certificates/` then `RUN update-ca-certificates`, or pass it with
    /// `--cacert`, `PIP_CERT`, `NODE_EXTRA_CA_CERTS`) instead of turning verification off.
    pub static RULE = Rule {
        id: "DF0013",
        name: "tls-verification-disabled",
        title: "Builds keep TLS certificate verification on",
        severity: Severity::High,
        references: &[],
        fix: "trust the right CA certificate instead of disabling TLS verification",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for instruction in instructions_named(df, "ENV") {
        if let Args::Pairs { pairs } = &instruction.args {
            for pair in pairs {
                if let Some(what) = insecure_variable(&pair.key, pair.value.as_deref().unwrap_or("")) {
                    findings.push(fail_at(df, pair.pos, format!("ENV {what}")));
                }
            }
        }
    }
    for (_, command) in run_commands(df) {
        for word in &command.assignments {
            if let Some(what) = word
                .text
                .split_once('=')
                .and_then(|(k, v)| insecure_variable(k, v))
            {
                findings.push(fail_at(df, word.pos, what));
            }
        }
        if let Some((at, what)) = insecure_command(command) {
            findings.push(fail_at(df, command.words[at].pos, what));
        }
    }
    if findings.is_empty() {
        clean("no step turns off TLS verification")
    } else {
        findings
    }
}

fn insecure_variable(key: &str, value: &str) -> Option<String> {
    let value = value.trim().trim_matches(['"', '\'']);
    let off = match key {
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => value == "0",
        "GIT_SSL_NO_VERIFY" => !value.is_empty() && !matches!(value, "0" | "false"),
        _ => false,
    };
    off.then(|| format!("{key}={value} turns off TLS certificate verification"))
}

/// The index of the offending word and what it does.
fn insecure_command(command: &Command) -> Option<(usize, String)> {
    let program = command.program()?;
    // Most commands are none of these: skip the lower-casing below for them.
    if !matches!(
        program,
        "export"
            | "curl"
            | "wget"
            | "pip"
            | "pip3"
            | "python"
            | "python3"
            | "uv"
            | "git"
            | "npm"
            | "yarn"
            | "pnpm"
            | "apt-get"
            | "apt"
    ) {
        return None;
    }
    let words: Vec<&str> = command.words.iter().map(|w| w.text.as_str()).collect();
    // Most words are lower case already: no copy for them.
    let lower: Vec<std::borrow::Cow<'_, str>> = words
        .iter()
        .map(|&w| {
            if w.bytes().any(|b| b.is_ascii_uppercase()) {
                std::borrow::Cow::Owned(w.to_ascii_lowercase())
            } else {
                std::borrow::Cow::Borrowed(w)
            }
        })
        .collect();
    let find = |pred: &dyn Fn(usize, &str) -> bool| (1..words.len()).find(|&i| pred(i, &lower[i]));
    let next_is_false = |i: usize| {
        lower
            .get(i + 1)
            .is_some_and(|v| matches!(v.as_ref(), "false" | "0" | "no"))
    };
    if program == "export" {
        return (1..words.len()).find_map(|i| {
            words[i]
                .split_once('=')
                .and_then(|(k, v)| insecure_variable(k, v))
                .map(|what| (i, what))
        });
    }
    match program {
        // Case matters for short flags: `-K` reads a config file.
        "curl" => find(&|i, w| w == "--insecure" || short_flags_include(words[i], 'k'))
            .map(|i| (i, format!("curl {} accepts any certificate", words[i]))),
        "wget" => find(&|_, w| w == "--no-check-certificate").map(|i| {
            (
                i,
                "wget --no-check-certificate accepts any certificate".to_string(),
            )
        }),
        "pip" | "pip3" | "python" | "python3" | "uv" => {
            find(&|_, w| w == "--trusted-host" || w.starts_with("--trusted-host=")).map(|i| {
                (
                    i,
                    format!("{program} --trusted-host skips certificate checks for that host"),
                )
            })
        }
        "git" => find(&|i, w| w == "http.sslverify=false" || (w == "http.sslverify" && next_is_false(i)))
            .map(|i| {
                (
                    i,
                    "git with http.sslVerify=false accepts any certificate".to_string(),
                )
            }),
        "npm" | "yarn" | "pnpm" => {
            find(&|i, w| w == "--strict-ssl=false" || (w == "strict-ssl" && next_is_false(i))).map(|i| {
                (
                    i,
                    format!("{program} with strict-ssl false accepts any certificate"),
                )
            })
        }
        "apt-get" | "apt" => find(&|_, w| w.contains("verify-peer=false") || w.contains("verify-host=false"))
            .map(|i| (i, format!("{program} {} accepts any certificate", words[i]))),
        _ => None,
    }
}

/// `-fsSLk` includes `-k`: a single-dash word of letters only.
fn short_flags_include(word: &str, flag: char) -> bool {
    word.strip_prefix('-').is_some_and(|flags| {
        !flags.starts_with('-')
            && !flags.is_empty()
            && flags.chars().all(|c| c.is_ascii_alphabetic())
            && flags.contains(flag)
    })
}
