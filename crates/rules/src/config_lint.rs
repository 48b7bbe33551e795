//! Daemon configuration files and seccomp profiles linted on their own (`dockward lint`): the
//! audit's rules on the file alone, every result located in the file. The entry points:
//! [`evaluate_daemon_json`] / [`daemon_json_error`] and [`evaluate_seccomp_profile`] /
//! [`seccomp_profile_error`].

use std::borrow::Cow;
use std::sync::Arc;

use dockward_model::{
    DaemonFacts, Evidence, Location, RuleResult, SeccompProfileFile, SourceError, Target, TargetKind, Verdict,
};

use crate::engine::result;
use crate::facts::{DEFAULT_AT, NEEDS_RUNNING_DAEMON};
use crate::registry::RULES;
use crate::rule::{Check, Context, Rule, Scope, Settings};

/// The rules that judge a lone daemon.json: the daemon rules (`DA…`) selected by `settings`.
fn daemon_json_rules(settings: &Settings) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES.iter().copied().filter(|r| {
        Scope::of(r.id) == Some(Scope::Daemon) && matches!(r.check, Check::Platform(_)) && settings.selects(r)
    })
}

fn references(rule: &'static Rule) -> Arc<[Cow<'static, str>]> {
    rule.references.iter().map(|r| Cow::Borrowed(*r)).collect()
}

/// Judges one daemon.json read on its own (`dockward_collect::config_files::daemon_json_facts`)
/// with the daemon rules (`DA…`), in rule order, one or more results per rule on a `daemon-json`
/// target named `target_path`. Rules that need only the file judge its keys, each result at the
/// key's line and column; a key the file does not set is judged by Docker's default, at line 1
/// column 1, and the message says so (a flag on dockerd's command line could still set it).
/// Rules that need the running daemon, its process or its host are `not_applicable`.
pub fn evaluate_daemon_json(facts: &DaemonFacts, target_path: &str, settings: &Settings) -> Vec<RuleResult> {
    // The facts are a lone file whatever the caller built them from: no rule may read a daemon.
    let owned;
    let facts = if facts.file_only {
        facts
    } else {
        owned = DaemonFacts {
            file_only: true,
            ..facts.clone()
        };
        &owned
    };
    let ctx = Context {
        daemon: facts,
        host: None,
        host_error: Some(NEEDS_RUNNING_DAEMON),
        client: None,
        settings,
    };
    let target = Arc::new(Target {
        kind: TargetKind::DaemonJson,
        name: target_path.to_string(),
        id: None,
    });
    let mut results = Vec::new();
    for rule in daemon_json_rules(settings) {
        let Check::Platform(check) = rule.check else {
            continue;
        };
        let references = references(rule);
        for judged in check(&ctx) {
            let verdict = in_file(judged.verdict, target_path);
            results.push(result(rule, &references, &target, verdict));
        }
    }
    results
}

/// Locates a verdict on a lone daemon.json: at the first setting it cites, else at the top of the
/// file; a value left at Docker's default is named in the message.
fn in_file(mut verdict: Verdict, path: &str) -> Verdict {
    let mut defaults = Vec::new();
    for evidence in &mut verdict.evidence {
        if evidence.at == DEFAULT_AT {
            evidence.at = format!("Docker's default (not set in {path})");
            if let Some(pairs) = evidence.value.as_object() {
                defaults.extend(pairs.iter().map(|(key, value)| {
                    let value = match value {
                        serde_json::Value::String(s) if s.is_empty() => "none".to_string(),
                        serde_json::Value::Array(a) if a.is_empty() => "none".to_string(),
                        other => other.to_string(),
                    };
                    format!("{key} is not set in {path}, so Docker's default ({value}) applies unless dockerd's command line sets it")
                }));
            }
        }
    }
    if !defaults.is_empty() {
        verdict.message = format!("{}; {}", verdict.message, defaults.join("; "));
    }
    if verdict.location.is_none() {
        let at = verdict
            .evidence
            .iter()
            .find_map(|e: &Evidence| e.location.clone())
            .unwrap_or_else(|| Location::new(path, 1, 1));
        verdict.location = Some(Box::new(at));
    }
    verdict
}

/// The results for a daemon.json that could not be read or parsed: `error` for every daemon rule,
/// at the line where reading stopped (no location for a file refused whole, line 0).
pub fn daemon_json_error(error: &SourceError, settings: &Settings) -> Vec<RuleResult> {
    let target = Arc::new(Target {
        kind: TargetKind::DaemonJson,
        name: error.path.clone(),
        id: None,
    });
    daemon_json_rules(settings)
        .map(|rule| result(rule, &references(rule), &target, source_error_verdict(error)))
        .collect()
}

/// The `error` verdict for a file that could not be linted, located where it went wrong.
fn source_error_verdict(error: &SourceError) -> Verdict {
    if error.line > 0 {
        Verdict::error(format!("could not parse: {}", error.message)).located(
            error.path.clone(),
            error.line,
            error.column,
        )
    } else {
        Verdict::error(format!("could not lint: {}", error.message))
    }
}

/// The rules that judge a lone seccomp profile: the `SC…` rules selected by `settings`.
fn seccomp_rules(settings: &Settings) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES
        .iter()
        .copied()
        .filter(|r| matches!(r.check, Check::Seccomp(_)) && settings.selects(r))
}

/// Judges one seccomp profile file (`dockward_collect::config_files::seccomp_profile`) with the
/// seccomp rules (`SC…`): in rule order, a passing result or one result per finding (in file
/// order), each located in the file, on a `seccomp-profile` target named by the file's path.
pub fn evaluate_seccomp_profile(profile: &SeccompProfileFile, settings: &Settings) -> Vec<RuleResult> {
    let daemon = DaemonFacts::default();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings,
    };
    let target = Arc::new(Target {
        kind: TargetKind::SeccompProfile,
        name: profile.path.clone(),
        id: None,
    });
    let top = profile
        .profile
        .at
        .location()
        .unwrap_or_else(|| Location::new(profile.path.clone(), 1, 1));
    let mut results = Vec::new();
    for rule in seccomp_rules(settings) {
        let Check::Seccomp(check) = rule.check else {
            continue;
        };
        let references = references(rule);
        let mut verdicts = check(&ctx, profile);
        for verdict in &mut verdicts {
            if verdict.location.is_none() {
                verdict.location = Some(Box::new(top.clone()));
            }
        }
        verdicts.sort_by_key(|v| v.location.as_ref().map(|l| (l.line, l.column)));
        results.extend(
            verdicts
                .into_iter()
                .map(|verdict| result(rule, &references, &target, verdict)),
        );
    }
    results
}

/// The results for a seccomp profile that could not be read or parsed: `error` for every seccomp
/// rule, at the line where reading stopped (no location for a file refused whole, line 0).
pub fn seccomp_profile_error(error: &SourceError, settings: &Settings) -> Vec<RuleResult> {
    let target = Arc::new(Target {
        kind: TargetKind::SeccompProfile,
        name: error.path.clone(),
        id: None,
    });
    seccomp_rules(settings)
        .map(|rule| result(rule, &references(rule), &target, source_error_verdict(error)))
        .collect()
}
