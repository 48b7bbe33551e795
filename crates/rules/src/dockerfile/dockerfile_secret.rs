//! CIS 4.10: secrets written into a Dockerfile.

use dockward_model::dockerfile::{Args, Dockerfile, Pair, Pipeline, Word};

use super::{clean, copy_sources, fail_at, run_commands, run_instructions};
use crate::common::{
    dotnet_config_key, mask, placeholder_value, secret_file_name, secret_name, secret_value,
};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Secrets that end up in the image or its history:
    /// - `ENV` variables whose name says secret (`DB_PASSWORD`, `GITHUB_TOKEN`,
    ///   `AWS_SECRET_ACCESS_KEY` …) and that have a real value (not empty, not `$VAR`, not a path);
    /// - `ARG` build arguments with such a name, with or without a default: their values are
    ///   recorded in the image history of every `RUN` that follows;
    /// - `ENV`, `ARG` and `LABEL` values, and words in `RUN` commands, shaped like a secret whatever
    ///   their name: private keys, URLs with a password (`postgres://app:pw@db/app`), AWS access
    ///   key ids, GitHub, GitLab, Slack, Stripe, Google and npm tokens;
    /// - passwords written out for `chpasswd` (`echo root:root | chpasswd`,
    ///   `printf 'ops:%s\n' 'pw' | chpasswd`); a password from a variable (`echo "$USER:$PW"`) is
    ///   not a literal and passes here (a build argument with a secret name is still reported);
    /// - `COPY`/`ADD` of files that hold keys or credentials, by name: SSH keys (`id_rsa`,
    ///   `id_ed25519` …), `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.dockercfg`,
    ///   `.htpasswd`, `.pgpass`, `.my.cnf`, `.s3cfg`, `.vault-token`, `ipsec.secrets`,
    ///   `chap-secrets`, `pap-secrets`, `credentials`, `.env`, and `*.key`, `*.p12`, `*.pfx`,
    ///   `*.jks`, `*.keystore`.
    ///
    /// Account and password words run together count (`MYSQL_ROOTPASS`, `ADMINPASSWORD`).
    /// Names of public keys and their ids (`GPG_KEY`, `GPG_KEYS`, `PUBLIC_KEY`,
    /// `NODE_PGP_KEY_IDS`, `YARN_KEY_ID`, `*_FINGERPRINT`), names ending in a setting word
    /// (`PASSWORD_FILE`, `TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `API_KEY_HEADER`), .NET configuration
    /// entries whose key is `Key` and whose value is a setting name, in a list or ending in `Id`,
    /// `Name`, `Format`, `Type`, `Level`, `Mode` or `Path` (`Serilog__Enrich__0__Key=ProcessId`;
    /// `Jwt__Key=MySuperSecretKey` still fails) hold no secret and pass, and so do switches like
    /// `MYSQL_ALLOW_EMPTY_PASSWORD=yes` and relative key-file paths (`TLS_KEY=certs/key.pem`); a
    /// default password such as `changeme` does not.
    /// Reports show only the first two characters and the length of a value.
    ///
    /// ## Why it matters
    /// Anyone who can pull the image can read its environment, labels, history and files, and
    /// layers never forget: a secret removed in a later step is still in the earlier layer.
    ///
    /// ## How to fix
    /// Pass secrets at build time with BuildKit secret mounts (`RUN --mount=type=secret,id=npm
    /// npm ci`, `docker build --secret id=npm,src=$HOME/.npmrc`), and at run time through the
    /// environment or Docker secrets. Rotate any secret that was committed.
    pub static RULE = Rule {
        id: "DF0004",
        name: "dockerfile-secret",
        title: "No secrets are stored in the Dockerfile",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:4.10"],
        fix: "use RUN --mount=type=secret for build secrets and runtime secrets for the rest; rotate leaked ones",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for instruction in df.instructions_with_triggers() {
        let keyword = instruction.keyword.as_str();
        if let (Args::Pairs { pairs }, "ENV" | "ARG" | "LABEL") = (&instruction.args, keyword) {
            for pair in pairs {
                if let Some(message) = judge_pair(keyword, pair) {
                    findings.push(fail_at(df, pair.pos, message));
                }
            }
        }
    }
    // One pass over both keywords; the `COPY` findings come before the `ADD` ones.
    let mut added = Vec::new();
    for (instruction, sources) in copy_sources(df, &["COPY", "ADD"]) {
        let keyword = instruction.keyword.as_str();
        let into = if keyword == "COPY" {
            &mut findings
        } else {
            &mut added
        };
        for source in sources {
            if let Some(kind) = secret_file_name(&source.text) {
                into.push(fail_at(
                    df,
                    source.word.pos,
                    format!("{keyword} puts {kind} into the image ({})", source.shown()),
                ));
            }
        }
    }
    findings.append(&mut added);
    for run in run_instructions(df) {
        for pipeline in &run.commands {
            if let Some((word, password)) = chpasswd_literal(pipeline) {
                findings.push(fail_at(
                    df,
                    word.pos,
                    format!("RUN sets a literal password with chpasswd ({})", mask(password)),
                ));
            }
        }
    }
    for (_, command) in run_commands(df) {
        for word in command.assignments.iter().chain(&command.words) {
            // A word may hold several tokens: `"Authorization: token ghp_…"`, `TOKEN=ghp_…`.
            let text = word.text.as_str();
            // A word of one token was judged whole already: no second look.
            let mut whole = false;
            let shaped = text
                .split(|c: char| c.is_whitespace() || c == '=')
                .find_map(|token| {
                    whole |= token.len() == text.len();
                    secret_value(token).map(|kind| (kind, token))
                })
                .or_else(|| {
                    if whole {
                        return None;
                    }
                    secret_value(text).map(|kind| (kind, text))
                });
            if let Some((kind, token)) = shaped {
                findings.push(fail_at(
                    df,
                    word.pos,
                    format!("RUN contains {kind} ({})", mask(token)),
                ));
            }
        }
    }
    if findings.is_empty() {
        clean("no secrets found in ENV, ARG, LABEL, RUN or copied file names")
    } else {
        findings
    }
}

/// The password an `echo` or `printf` pipes into `chpasswd`, and where it is written, when it
/// is written out (`echo root:root | chpasswd`, `printf 'ops:%s\n' 'pw' | chpasswd`). A password
/// from a variable (`echo "$U:$PW"`) is no literal: a build argument holding it is judged as an
/// `ARG`.
fn chpasswd_literal(pipeline: &Pipeline) -> Option<(&Word, &str)> {
    let at = pipeline
        .commands
        .iter()
        .position(|c| c.program() == Some("chpasswd"))?;
    let feeder = pipeline.commands[..at].last()?;
    if !matches!(feeder.program(), Some("echo" | "printf")) {
        return None;
    }
    let literal = |s: &str| !s.is_empty() && !s.contains('$') && !s.contains('`');
    let args: Vec<&Word> = feeder
        .words
        .iter()
        .skip(1)
        .filter(|w| !w.text.starts_with('-'))
        .collect();
    args.iter().enumerate().find_map(|(i, w)| {
        let text = w.text.trim_end_matches("\\n");
        let (user, password) = text.split_once(':')?;
        let (word, password) = if password == "%s" {
            let next = args.get(i + 1)?;
            (*next, next.text.as_str())
        } else {
            (*w, password)
        };
        (literal(user) && literal(password)).then_some((word, password))
    })
}

fn judge_pair(keyword: &str, pair: &Pair) -> Option<String> {
    let key = &pair.key;
    let value = pair.value.as_deref().unwrap_or("");
    if let Some(kind) = secret_value(value) {
        return Some(format!("{keyword} {key} holds {kind} ({})", mask(value)));
    }
    // Label keys describe metadata (`com.example.api-key-header`): only their values count.
    if keyword == "LABEL" || !secret_name(key) || dotnet_config_key(key, value) {
        return None;
    }
    match keyword {
        "ARG" if pair.value.is_none() || placeholder_value(value) => Some(format!(
            "ARG {key} passes a secret as a build argument, which the image history records; use RUN --mount=type=secret"
        )),
        "ARG" => Some(format!("ARG {key} has a secret default ({})", mask(value))),
        _ if placeholder_value(value) => None,
        _ => Some(format!(
            "{keyword} {key} stores a secret in the image ({})",
            mask(value)
        )),
    }
}
