//! Rules judging Dockerfiles (CIS Docker Benchmark 1.6.0 section 4 and Docker's build guidance),
//! and what they share: which stage ships, what a stage inherits from the stages it builds on,
//! `ARG` expansion, and walking the shell commands of `RUN` instructions.

use std::collections::{BTreeMap, HashMap};

use dockward_model::Verdict;
use dockward_model::dockerfile::{Args, Command, Dockerfile, Instruction, Pos, Stage, Word};

use crate::rule::Context;

pub mod add_instead_of_copy;
pub mod base_image_without_digest;
pub mod build_host_network;
pub mod dockerfile_healthcheck_missing;
pub mod dockerfile_runs_as_root;
pub mod dockerfile_secret;
pub mod insecure_build_entitlement;
pub mod lone_package_update;
pub mod package_signature_check_disabled;
pub mod passwordless_sudo;
pub mod remote_script_piped_to_shell;
pub mod risky_chmod;
pub mod ssh_server;
pub mod sudo_in_run;
pub mod sudo_installed;
pub mod tls_verification_disabled;
pub mod unpinned_base_image;
pub mod unpinned_copy_from_image;
pub mod untrusted_base_image;
pub mod unverified_remote_add;

/// A failing verdict located at `pos` in the Dockerfile.
pub(crate) fn fail_at(df: &Dockerfile, pos: Pos, message: impl Into<String>) -> Verdict {
    Verdict::fail(message).located(df.path.clone(), pos.line, pos.column)
}

/// The stage that ships: the `--target` stage, else the last one.
pub(crate) fn shipping_stage<'a>(ctx: &Context<'_>, df: &'a Dockerfile) -> Option<&'a Stage> {
    match &ctx.settings.target_stage {
        Some(target) => {
            let target = target.to_ascii_lowercase();
            df.stages
                .iter()
                .find(|s| s.name.as_deref() == Some(target.as_str()))
        }
        None => df.stages.last(),
    }
}

/// The stage and the stages it is built `FROM`, base first: what a stage does not set itself
/// (USER, HEALTHCHECK) it inherits from them.
pub(crate) fn stage_chain<'a>(df: &'a Dockerfile, stage: &'a Stage) -> Vec<&'a Stage> {
    let mut chain = vec![stage];
    let mut current = stage;
    // A stage can only build on earlier stages, so this ends; the bound guards malformed input.
    for _ in 0..df.stages.len() {
        let Some(base) = base_reference(df, current) else {
            break;
        };
        let Some(parent) = df.stages[..current.index]
            .iter()
            .rev()
            .find(|s| s.name.as_deref() == Some(base.to_ascii_lowercase().as_str()))
        else {
            break;
        };
        chain.push(parent);
        current = parent;
    }
    chain.reverse();
    chain
}

/// The image a stage's `FROM` names, with global `ARG` defaults expanded.
pub(crate) fn base_reference(df: &Dockerfile, stage: &Stage) -> Option<String> {
    let Args::Words { words } = &stage.from.args else {
        return None;
    };
    let image = words.iter().find(|w| !w.text.starts_with("--"))?;
    Some(expand(&image.text, &global_args(df)))
}

/// Whether a stage's `FROM` names an earlier stage rather than an image.
pub(crate) fn builds_on_stage(df: &Dockerfile, stage: &Stage) -> bool {
    base_reference(df, stage).is_some_and(|base| {
        let base = base.to_ascii_lowercase();
        base == "scratch"
            || df.stages[..stage.index]
                .iter()
                .any(|s| s.name.as_deref() == Some(base.as_str()))
    })
}

/// Global `ARG` defaults (those before the first `FROM`), which `FROM` lines may use. A default
/// may use the global `ARG`s before it (`ARG URL=https://x/v${VERSION}`), as in BuildKit.
pub(crate) fn global_args(df: &Dockerfile) -> BTreeMap<String, String> {
    let mut args = BTreeMap::new();
    for instruction in &df.global_args {
        if let Args::Pairs { pairs } = &instruction.args {
            for pair in pairs {
                let value = expand(pair.value.as_deref().unwrap_or_default(), &args);
                args.insert(pair.key.clone(), value);
            }
        }
    }
    args
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:+alt}` and
/// `${NAME+alt}` with build arguments; unknown names expand to nothing, as in BuildKit.
pub(crate) fn expand(text: &str, args: &BTreeMap<String, String>) -> String {
    expand_tracking(text, args, &mut false)
}

/// Like [`expand`], but `None` when a name without a default is unknown: its value is only
/// known at build time (a build argument without a default, an `ENV` of the base image).
pub(crate) fn expand_known(text: &str, args: &BTreeMap<String, String>) -> Option<String> {
    let mut missing = false;
    let expanded = expand_tracking(text, args, &mut missing);
    (!missing).then_some(expanded)
}

/// Longest expansion kept (in bytes, unless the text itself is longer). Arguments that use each
/// other (`ARG B=${A}${A}`) grow exponentially; real values (image names, URLs, paths) are far shorter.
const MAX_EXPANSION: usize = 64 * 1024;

fn expand_tracking(text: &str, args: &BTreeMap<String, String>, missing: &mut bool) -> String {
    // Nothing to expand: the text itself (never longer than the limit below).
    if !text.contains('$') {
        return text.to_string();
    }
    let limit = text.len().max(MAX_EXPANSION);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() >= limit {
            break;
        }
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            let mut inner = String::new();
            for c in chars.by_ref() {
                if c == '}' {
                    break;
                }
                inner.push(c);
            }
            let (name, op, word) = split_modifier(&inner);
            let value = args.get(name).filter(|v| !v.is_empty() || !op.starts_with(':'));
            let set = args.contains_key(name);
            let expanded = match op {
                ":-" => value
                    .cloned()
                    .unwrap_or_else(|| expand_tracking(word, args, missing)),
                "-" => {
                    if set {
                        args.get(name).cloned().unwrap_or_default()
                    } else {
                        expand_tracking(word, args, missing)
                    }
                }
                ":+" => value
                    .map(|_| expand_tracking(word, args, missing))
                    .unwrap_or_default(),
                "+" => {
                    if set {
                        expand_tracking(word, args, missing)
                    } else {
                        String::new()
                    }
                }
                _ => {
                    *missing |= !args.contains_key(name);
                    args.get(name).cloned().unwrap_or_default()
                }
            };
            out.push_str(&expanded);
        } else {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            if name.is_empty() {
                out.push('$');
            } else {
                *missing |= !args.contains_key(&name);
                out.push_str(args.get(&name).map_or("", String::as_str));
            }
        }
    }
    if out.len() > limit {
        let mut end = limit;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

fn split_modifier(inner: &str) -> (&str, &str, &str) {
    for op in [":-", ":+", "-", "+"] {
        if let Some(at) = inner.find(op) {
            return (&inner[..at], op, &inner[at + op.len()..]);
        }
    }
    (inner, "", "")
}

/// Every shell command a Dockerfile runs at build time (`RUN`, `ONBUILD RUN`), with its
/// instruction.
pub(crate) fn run_commands(df: &Dockerfile) -> impl Iterator<Item = (&Instruction, &Command)> {
    run_instructions(df).flat_map(|i| {
        i.commands
            .iter()
            .flat_map(|p| p.commands.iter())
            .map(move |c| (i, c))
    })
}

/// Every instruction with `keyword`, including those registered with `ONBUILD`, which run in
/// every image built from this one.
pub(crate) fn instructions_named<'a>(
    df: &'a Dockerfile,
    keyword: &'a str,
) -> impl Iterator<Item = &'a Instruction> {
    df.instructions_with_triggers()
        .filter(move |i| i.keyword == keyword)
}

/// Every `RUN` instruction, including those registered with `ONBUILD`.
pub(crate) fn run_instructions(df: &Dockerfile) -> impl Iterator<Item = &Instruction> {
    instructions_named(df, "RUN")
}

/// A package argument's name without its version pin (`sudo=1.9.13p3-1`, `openssh~9.7`).
pub(crate) fn package_name(argument: &str) -> &str {
    argument.split(['=', '>', '<', '~']).next().unwrap_or(argument)
}

/// The packages a command installs, when it is a package manager's install command
/// (`apt-get install`, `apk add`, `dnf install` …): its arguments that are not options.
pub(crate) fn installed_packages(cmd: &Command) -> Option<Vec<&Word>> {
    let program = cmd.program()?;
    let installs: &[&str] = match program {
        "apt-get" | "apt" | "aptitude" => &["install"],
        "apk" => &["add"],
        "yum" | "dnf" | "microdnf" | "tdnf" => &["install"],
        "zypper" => &["install", "in"],
        "pacman" => &["-S", "-Sy", "-Syu"],
        _ => return None,
    };
    let mut words = cmd
        .words
        .iter()
        .skip(1)
        .skip_while(|w| !installs.contains(&w.text.as_str()));
    words.next()?;
    Some(words.filter(|w| !w.text.starts_with('-')).collect())
}

/// The first word of `cmd` after the program that is not an option: `update` in
/// `apt-get -q update`.
pub(crate) fn subcommand(cmd: &Command) -> Option<&str> {
    cmd.words
        .iter()
        .skip(1)
        .map(|w| w.text.as_str())
        .find(|w| !w.starts_with('-'))
}

/// The sources of a `COPY` or `ADD`: every argument but the destination, heredocs left out.
pub(crate) fn add_sources(instruction: &Instruction) -> Vec<&Word> {
    let words = match &instruction.args {
        Args::Words { words } | Args::Exec { words } => words,
        _ => return Vec::new(),
    };
    let sources = words.split_last().map_or(&[][..], |(_, rest)| rest);
    sources.iter().filter(|w| !w.text.starts_with("<<")).collect()
}

/// A `COPY` or `ADD` source as the builder reads it.
pub(crate) struct Source<'a> {
    /// The word as written.
    pub word: &'a Word,
    /// Quotes removed and, where every name is known, `ARG` and `ENV` values of the stage
    /// expanded: `https://example.com/x.tgz` for `"${URL}"` after `ARG URL=https://example.com/x.tgz`.
    pub text: String,
}

impl Source<'_> {
    /// The source for a report: the resolved text, and what was written when a variable was
    /// expanded (`https://example.com/x.tgz (from ${URL})`).
    pub fn shown(&self) -> String {
        if self.word.text.contains('$') && !self.text.contains('$') {
            format!("{} (from {})", self.text, self.word.text)
        } else {
            self.text.clone()
        }
    }
}

/// Every `COPY` or `ADD` (one of `keywords`), `ONBUILD` ones included, with its sources resolved as
/// BuildKit does before it decides between a URL and a local path: quotes removed, then the
/// `ARG` and `ENV` values set earlier in the stage expanded. A global `ARG` (before the first
/// `FROM`) counts only where the stage declares it again (`ARG NAME`). An `ONBUILD` source is
/// only unquoted: it is expanded in the build that uses this image.
/// Several keywords are looked for in one pass: the stage scopes are costly to follow.
pub(crate) fn copy_sources<'a>(
    df: &'a Dockerfile,
    keywords: &[&str],
) -> Vec<(&'a Instruction, Vec<Source<'a>>)> {
    let globals = global_args(df);
    let mut found = Vec::new();
    for stage in &df.stages {
        let mut scope: BTreeMap<String, String> = BTreeMap::new();
        for instruction in &stage.instructions {
            match (&instruction.args, instruction.keyword.as_str()) {
                (Args::Pairs { pairs }, "ARG") => {
                    for pair in pairs {
                        let value = match &pair.value {
                            Some(value) => Some(expand(value, &scope)),
                            None => globals.get(&pair.key).cloned(),
                        };
                        match value {
                            Some(value) => scope.insert(pair.key.clone(), value),
                            None => scope.remove(&pair.key),
                        };
                    }
                }
                (Args::Pairs { pairs }, "ENV") => {
                    for pair in pairs {
                        let value = expand(pair.value.as_deref().unwrap_or(""), &scope);
                        scope.insert(pair.key.clone(), value);
                    }
                }
                _ => {}
            }
            if keywords.contains(&instruction.keyword.as_str()) {
                found.push((instruction, resolve_sources(instruction, Some(&scope), df.escape)));
            }
            if let Some(trigger) = instruction.onbuild.as_deref()
                && keywords.contains(&trigger.keyword.as_str())
            {
                found.push((trigger, resolve_sources(trigger, None, df.escape)));
            }
        }
    }
    found
}

fn resolve_sources<'a>(
    instruction: &'a Instruction,
    scope: Option<&BTreeMap<String, String>>,
    escape: char,
) -> Vec<Source<'a>> {
    let exec = matches!(instruction.args, Args::Exec { .. });
    add_sources(instruction)
        .into_iter()
        .map(|word| {
            let unquoted = if exec {
                word.text.clone()
            } else {
                unquote(&word.text, escape)
            };
            let text = match scope {
                Some(scope) if unquoted.contains('$') && !word.text.contains('\'') => {
                    expand_known(&unquoted, scope).unwrap_or(unquoted)
                }
                _ => unquoted,
            };
            Source { word, text }
        })
        .collect()
}

/// A word with quotes removed as BuildKit reads it: `"a b"`, `'a'b`, `a\ b` (with `escape`, the
/// Dockerfile's escape character). `$` stays, for [`expand`].
pub(crate) fn unquote(word: &str, escape: char) -> String {
    // Most words have no quote and no escape: they are their own text.
    if !word.contains(['"', '\'', escape]) {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            // Inside double quotes the escape only protects what would end or expand the string.
            Some('"')
                if c == escape && chars.peek().is_some_and(|&n| n == '"' || n == '$' || n == escape) =>
            {
                out.extend(chars.next());
            }
            None if c == escape => match chars.next() {
                Some(next) => out.push(next),
                None => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out
}

/// Whether an `ADD` source is downloaded rather than read from the context.
pub(crate) fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["http://", "https://", "ftp://", "git@", "git://", "ssh://"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Whether an `ADD` source is a git repository (`https://host/repo.git#ref`, `git@host:repo`).
pub(crate) fn is_git_source(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    let without_ref = lower.split('#').next().unwrap_or(&lower);
    lower.starts_with("git@")
        || lower.starts_with("git://")
        || (is_remote(&lower) && without_ref.ends_with(".git"))
}

/// Whether a local `ADD` source is an archive that `ADD` unpacks.
pub(crate) fn is_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

/// A registry image a stage is built `FROM`.
pub(crate) struct BaseImage {
    /// The reference with build arguments expanded.
    pub reference: String,
    /// The tag, if the reference has one.
    pub tag: Option<String>,
    /// The digest, if the reference has one.
    pub digest: Option<String>,
    /// Where the reference is written.
    pub pos: Pos,
}

/// The registry images the stages build on: not earlier stages, not `scratch`, and not
/// references only known at build time.
pub(crate) fn base_images(df: &Dockerfile) -> Vec<BaseImage> {
    let args = global_args(df);
    // The first stage of each name, so that telling stages from images costs linear time in
    // files with thousands of stages (what `builds_on_stage` answers for one stage).
    let mut first_named: HashMap<&str, usize> = HashMap::new();
    for stage in &df.stages {
        if let Some(name) = &stage.name {
            first_named.entry(name.as_str()).or_insert(stage.index);
        }
    }
    let mut bases = Vec::new();
    for stage in &df.stages {
        let Args::Words { words } = &stage.from.args else {
            continue;
        };
        let Some(word) = words.iter().find(|w| !w.text.starts_with("--")) else {
            continue;
        };
        let reference = expand(&word.text, &args);
        // An unset build argument leaves a reference like `/app` or `debian:`: unknown until build.
        let incomplete = reference.starts_with(['/', ':', '@']) || reference.ends_with([':', '@', '/']);
        let lower = reference.to_ascii_lowercase();
        let on_stage =
            lower == "scratch" || first_named.get(lower.as_str()).is_some_and(|&i| i < stage.index);
        if reference.is_empty() || incomplete || on_stage {
            continue;
        }
        let (name, digest) = match reference.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (reference.as_str(), None),
        };
        let last_segment = name.rsplit('/').next().unwrap_or(name);
        let tag = last_segment.split_once(':').map(|(_, tag)| tag.to_string());
        bases.push(BaseImage {
            tag,
            digest,
            pos: word.pos,
            reference: reference.clone(),
        });
    }
    bases
}

/// The pass verdict of a Dockerfile rule that found nothing.
pub(crate) fn clean(message: impl Into<String>) -> Vec<Verdict> {
    vec![Verdict::pass(message)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (dockerfile_rules): each `ARG` doubling the one before made the expansion
    /// grow exponentially until the process ran out of memory.
    #[test]
    fn doubling_build_args_stay_bounded() {
        let mut args = BTreeMap::new();
        args.insert("A0".to_string(), "x".repeat(16));
        for i in 1..40 {
            let value = expand(&format!("${{A{}}}${{A{}}}", i - 1, i - 1), &args);
            args.insert(format!("A{i}"), value);
        }
        let last = &args["A39"];
        assert_eq!(last.len(), MAX_EXPANSION);
        assert!(last.bytes().all(|b| b == b'x'));
        // Text longer than the bound is never cut: only expansion is bounded.
        let literal = "y".repeat(MAX_EXPANSION + 10);
        assert_eq!(expand(&literal, &args), literal);
        let text = format!("{literal}$A39");
        assert_eq!(expand(&text, &args).len(), text.len());
        // A multi-byte character is not split at the bound.
        args.insert("E".to_string(), "é".repeat(MAX_EXPANSION));
        assert_eq!(expand("$E", &args), "é".repeat(MAX_EXPANSION / 2));
    }

    #[test]
    fn build_args_expand_like_buildkit() {
        let args: BTreeMap<String, String> = [
            ("BASE".to_string(), "debian".to_string()),
            ("TAG".to_string(), String::new()),
        ]
        .into();
        assert_eq!(expand("$BASE:12", &args), "debian:12");
        assert_eq!(expand("${BASE}-slim", &args), "debian-slim");
        assert_eq!(expand("${TAG:-latest}", &args), "latest");
        assert_eq!(expand("${TAG-latest}", &args), "");
        assert_eq!(expand("${MISSING:-alpine:3.20}", &args), "alpine:3.20");
        assert_eq!(expand("${BASE:+x}", &args), "x");
        assert_eq!(expand("${MISSING}img", &args), "img");
        assert_eq!(expand("a$", &args), "a$");
        assert_eq!(expand_known("${BASE}/x", &args).as_deref(), Some("debian/x"));
        assert_eq!(expand_known("${MISSING:-d}/x", &args).as_deref(), Some("d/x"));
        assert_eq!(expand_known("$MISSING/x", &args), None);
        assert_eq!(expand_known("${MISSING}", &args), None);
    }

    #[test]
    fn words_unquote_like_buildkit() {
        assert_eq!(unquote("\"https://x/a b\"", '\\'), "https://x/a b");
        assert_eq!(unquote("'$URL'/x", '\\'), "$URL/x");
        assert_eq!(unquote("a\\ b", '\\'), "a b");
        assert_eq!(unquote("\"a\\\"b\\n\"", '\\'), "a\"b\\n");
        assert_eq!(unquote("C:\\app\\x.zip", '`'), "C:\\app\\x.zip");
        assert_eq!(unquote("\"unterminated", '\\'), "unterminated");
    }
}
