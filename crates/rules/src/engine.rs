//! Runs every rule on every target of a snapshot.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use dockward_model::dockerfile::{Dockerfile, Pragma};
use dockward_model::{
    CollectionError, DaemonFacts, ImageFacts, Location, RuleResult, Snapshot, Status, Suppression, Target,
    TargetKind, Verdict, Workload,
};

use crate::registry::RULES;
use crate::rule::{Check, Context, Rule, Settings};

/// Evaluates every rule on the snapshot: one result per (rule, target), ordered by rule and then
/// by target. Pure: the same snapshot and settings always give the same results.
pub fn evaluate(snapshot: &Snapshot, settings: &Settings) -> Vec<RuleResult> {
    let ctx = Context::of(snapshot, settings);
    let daemon_target = Arc::new(Target {
        kind: TargetKind::Daemon,
        name: snapshot.daemon.endpoint.clone(),
        id: None,
    });
    let targets: Vec<Arc<Target>> = snapshot.containers.iter().map(container_target).collect();
    let (image_errors, container_errors): (Vec<&CollectionError>, Vec<&CollectionError>) = snapshot
        .errors
        .iter()
        .partition(|e| e.target.kind == TargetKind::Image);
    let failed: Vec<Arc<Target>> = container_errors
        .iter()
        .map(|e| Arc::new(e.target.clone()))
        .collect();
    let image_targets: Vec<Arc<Target>> = snapshot.images.iter().map(image_target).collect();
    let failed_images: Vec<Arc<Target>> = image_errors.iter().map(|e| Arc::new(e.target.clone())).collect();

    let mut results = Vec::with_capacity(RULES.len() * (targets.len() + failed.len()).max(1));
    for rule in RULES.iter().copied().filter(|r| settings.selects(r)) {
        let references: Arc<[Cow<'static, str>]> =
            rule.references.iter().map(|r| Cow::Borrowed(*r)).collect();
        let result = |target: &Arc<Target>, verdict: Verdict| result(rule, &references, target, verdict);
        let check = match rule.check {
            Check::Platform(check) => {
                results.extend(
                    check(&ctx)
                        .into_iter()
                        .map(|j| result(&Arc::new(j.target), j.verdict)),
                );
                continue;
            }
            Check::Image(check) => {
                if let Some(reason) = &snapshot.unreachable {
                    let verdict = Verdict::error(format!("could not list images: {reason}"));
                    results.push(result(&daemon_target, verdict));
                } else if image_targets.is_empty() && failed_images.is_empty() {
                    results.push(result(
                        &daemon_target,
                        Verdict::not_applicable("no images were audited"),
                    ));
                }
                for (image, target) in snapshot.images.iter().zip(&image_targets) {
                    results.push(result(target, check(&ctx, image)));
                }
                for (error, target) in image_errors.iter().zip(&failed_images) {
                    results.push(result(target, Verdict::error(error.reason.clone())));
                }
                continue;
            }
            // Dockerfiles are judged by `evaluate_dockerfiles`.
            Check::Dockerfile(_) => continue,
            // Seccomp profile files are judged by `config_lint::evaluate_seccomp_profile`; a
            // container's inline profile by the container rule.
            Check::Seccomp(_) => continue,
            // A snapshot holds no requests; the result says where the rule is enforced, so the
            // report still lists the rule (and the CIS items it covers).
            Check::Request(_) => {
                results.push(result(
                    &daemon_target,
                    Verdict::not_applicable(REQUEST_RULE_REASON),
                ));
                continue;
            }
            Check::Container(check) => check,
        };
        if let Some(reason) = &snapshot.unreachable {
            let verdict = Verdict::error(format!("could not list containers: {reason}"));
            results.push(result(&daemon_target, verdict));
            continue;
        }
        if targets.is_empty() && failed.is_empty() {
            let reason = if snapshot.all_containers {
                "the daemon has no containers"
            } else {
                "the daemon has no running containers (--running; without it containers in every state are judged)"
            };
            results.push(result(&daemon_target, Verdict::not_applicable(reason)));
            continue;
        }
        for (workload, target) in snapshot.containers.iter().zip(&targets) {
            results.push(result(target, check.judge(&ctx, workload)));
        }
        for (error, target) in container_errors.iter().zip(&failed) {
            let verdict = Verdict::error(format!("could not inspect: {}", error.reason));
            results.push(result(target, verdict));
        }
    }
    results
}

/// Why a request rule has no verdict in an audit.
pub(crate) const REQUEST_RULE_REASON: &str = "judged on each Engine API request by the authorization plugin and the proxy (dockward authz serve, dockward proxy)";

/// A Dockerfile to lint: parsed, or the parse error to report.
#[derive(Clone, Copy, Debug)]
pub enum LintInput<'a> {
    /// A parsed file.
    Parsed(&'a Dockerfile),
    /// A file that could not be read or parsed.
    Failed {
        /// The path as given.
        path: &'a str,
        /// Where parsing stopped (0 when the file could not be read).
        line: u32,
        /// Column of that position.
        column: u32,
        /// What went wrong.
        message: &'a str,
    },
}

/// Evaluates the Dockerfile rules on each file: one result per failing finding (located), or
/// one pass / not-applicable result per (rule, file). Findings on an instruction preceded by
/// `# dockward ignore=ID reason` are marked suppressed. A file that could not be parsed gets
/// an error result per rule, at the line where parsing stopped.
pub fn evaluate_dockerfiles(files: &[LintInput<'_>], settings: &Settings) -> Vec<RuleResult> {
    let daemon = DaemonFacts::default();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings,
    };
    let rules: Vec<&'static Rule> = RULES
        .iter()
        .copied()
        .filter(|r| matches!(r.check, Check::Dockerfile(_)) && settings.selects(r))
        .collect();
    let targets: Vec<Arc<Target>> = files
        .iter()
        .map(|file| {
            Arc::new(Target {
                kind: TargetKind::Dockerfile,
                name: match file {
                    LintInput::Parsed(df) => df.path.clone(),
                    LintInput::Failed { path, .. } => (*path).to_string(),
                },
                id: None,
            })
        })
        .collect();
    // Built once per file: looking up a finding's suppression must not rescan the file.
    let suppressions: Vec<Option<Suppressions<'_>>> = files
        .iter()
        .map(|file| match file {
            LintInput::Parsed(df) => Some(Suppressions::new(df)),
            LintInput::Failed { .. } => None,
        })
        .collect();
    // Rules are independent and pure: judge them on every core, each worker taking the next rule,
    // and keep the results ordered by rule, then file, like an audit (the report shows each rule
    // once).
    let judge = |rule: &'static Rule| judge_dockerfiles(rule, &ctx, files, &targets, &suppressions);
    crate::lint::per_rule(&rules, judge)
}

/// One rule's results on every file, in file order.
fn judge_dockerfiles(
    rule: &'static Rule,
    ctx: &Context<'_>,
    files: &[LintInput<'_>],
    targets: &[Arc<Target>],
    suppressions: &[Option<Suppressions<'_>>],
) -> Vec<RuleResult> {
    let Check::Dockerfile(check) = rule.check else {
        return Vec::new();
    };
    let mut results = Vec::new();
    let references: Arc<[Cow<'static, str>]> = rule.references.iter().map(|r| Cow::Borrowed(*r)).collect();
    for ((file, target), index) in files.iter().zip(targets).zip(suppressions) {
        match file {
            LintInput::Failed {
                path,
                line,
                column,
                message,
            } => {
                // Line 0: the file was never parsed (unreadable, refused, no such stage).
                let verdict = if *line > 0 {
                    Verdict::error(format!("could not parse: {message}")).located(*path, *line, *column)
                } else {
                    Verdict::error(format!("could not lint: {message}"))
                };
                results.push(result(rule, &references, target, verdict));
            }
            LintInput::Parsed(df) => {
                let mut verdicts = check(ctx, df);
                // Findings in file order, whatever order the rule found them in.
                verdicts.sort_by_key(|v| v.location.as_ref().map(|l| (l.line, l.column)));
                for verdict in verdicts {
                    let mut judged = result(rule, &references, target, verdict);
                    if judged.status == Status::Fail
                        && let Some(index) = index
                    {
                        judged.suppressed = index.lookup(rule, judged.location.as_ref());
                    }
                    results.push(judged);
                }
            }
        }
    }
    results
}

/// A file's `# dockward ignore=` comments, indexed so that finding the one that suppresses a
/// finding is a binary search by line, not a scan of every instruction.
struct Suppressions<'a> {
    path: &'a str,
    /// First and last line of each instruction, in file order (they do not overlap; an `ONBUILD`
    /// trigger lies inside its `ONBUILD`).
    spans: Vec<(u32, u32)>,
    /// The pragmas by the line of the instruction they apply to, in file order.
    pragmas: HashMap<u32, Vec<&'a Pragma>>,
}

impl<'a> Suppressions<'a> {
    fn new(df: &'a Dockerfile) -> Self {
        let mut spans: Vec<(u32, u32)> = df.instructions().map(|i| (i.pos.line, i.end_line)).collect();
        // Already in file order; sorting keeps the binary search right whatever the parser does.
        spans.sort_unstable();
        let mut pragmas: HashMap<u32, Vec<&Pragma>> = HashMap::new();
        for pragma in &df.pragmas {
            pragmas.entry(pragma.applies_to_line).or_default().push(pragma);
        }
        Suppressions {
            path: &df.path,
            spans,
            pragmas,
        }
    }

    /// The pragma that suppresses a finding of `rule` at `location`: one naming the rule (by id
    /// or name) on the line before the instruction the finding is in.
    fn lookup(&self, rule: &Rule, location: Option<&Location>) -> Option<Suppression> {
        let line = location?.line;
        let k = self.spans.partition_point(|&(start, _)| start <= line);
        let &(start, end) = self.spans.get(k.checked_sub(1)?)?;
        if line > end {
            return None;
        }
        let pragma = self.pragmas.get(&start)?.iter().find(|p| {
            p.rules
                .iter()
                .any(|r| r.eq_ignore_ascii_case(rule.id) || r.eq_ignore_ascii_case(rule.name))
        })?;
        Some(Suppression {
            reason: pragma.reason.clone(),
            at: format!("{}:{}:{}", self.path, pragma.pos.line, pragma.pos.column),
        })
    }
}

/// An image as the target of its results: named by [`ImageFacts::display_name`].
pub fn image_target(image: &ImageFacts) -> Arc<Target> {
    Arc::new(Target {
        kind: TargetKind::Image,
        name: image.display_name(),
        id: Some(image.id.clone()),
    })
}

/// A container as the target of its results: its name and id.
pub fn container_target(workload: &Workload) -> Arc<Target> {
    Arc::new(Target {
        kind: TargetKind::Container,
        name: workload.origin.name().to_string(),
        id: workload.origin.id().map(str::to_string),
    })
}

pub(crate) fn result(
    rule: &'static Rule,
    references: &Arc<[Cow<'static, str>]>,
    target: &Arc<Target>,
    verdict: Verdict,
) -> RuleResult {
    let fix = match verdict.status {
        Status::Fail => Some(verdict.fix.map_or(Cow::Borrowed(rule.fix), Cow::Owned)),
        _ => None,
    };
    RuleResult {
        rule: Cow::Borrowed(rule.id),
        name: Cow::Borrowed(rule.name),
        status: verdict.status,
        severity: rule.severity,
        target: Arc::clone(target),
        message: verdict.message,
        evidence: verdict.evidence,
        fix,
        location: verdict.location.map(|l| *l),
        references: Arc::clone(references),
        suppressed: None,
        waived: None,
    }
}

#[cfg(test)]
mod tests {
    use dockward_model::snapshot::SNAPSHOT_SCHEMA_VERSION;
    use dockward_model::{CollectionError, DaemonFacts};

    use super::*;

    fn snapshot(all: bool) -> Snapshot {
        Snapshot {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            collected_by: "test".into(),
            collected_at: "2026-01-01T00:00:00Z".into(),
            all_containers: all,
            containers_listed: None,
            daemon: DaemonFacts {
                endpoint: "unix:///d.sock".into(),
                ..DaemonFacts::default()
            },
            host: None,
            host_error: None,
            client: None,
            containers: Vec::new(),
            images: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            unreachable: None,
        }
    }

    /// The results of the container rules only.
    fn container_results(snapshot: &Snapshot) -> Vec<RuleResult> {
        evaluate(snapshot, &Settings::default())
            .into_iter()
            .filter(|r| {
                matches!(
                    crate::find(&r.rule).map(|rule| rule.check),
                    Some(Check::Container(_))
                )
            })
            .collect()
    }

    /// The container rules the default selection judges (the Pod Security controls are opt-in).
    fn container_rule_count() -> usize {
        let settings = Settings::default();
        RULES
            .iter()
            .filter(|r| matches!(r.check, Check::Container(_)) && settings.selects(r))
            .count()
    }

    #[test]
    fn no_containers_is_not_applicable_on_the_daemon() {
        let results = container_results(&snapshot(false));
        assert_eq!(results.len(), container_rule_count());
        for r in &results {
            assert_eq!(r.status, Status::NotApplicable);
            assert_eq!(r.target.kind, TargetKind::Daemon);
            assert_eq!(r.target.name, "unix:///d.sock");
            assert_eq!(
                r.message,
                "the daemon has no running containers (--running; without it containers in every state are judged)"
            );
        }
        assert_eq!(
            container_results(&snapshot(true))[0].message,
            "the daemon has no containers"
        );
    }

    #[test]
    fn an_unreachable_daemon_is_an_error_for_every_rule() {
        let mut s = snapshot(false);
        s.unreachable = Some("connection refused".into());
        let results = container_results(&s);
        assert_eq!(results.len(), container_rule_count());
        assert!(results.iter().all(|r| r.status == Status::Error
            && r.message == "could not list containers: connection refused"
            && r.fix.is_none()));
    }

    #[test]
    fn a_container_that_could_not_be_collected_is_an_error_never_a_pass() {
        let mut s = snapshot(true);
        s.errors.push(CollectionError {
            target: Target {
                kind: TargetKind::Container,
                name: "gone".into(),
                id: Some("abc".into()),
            },
            reason: "no such container".into(),
            named_nothing: false,
        });
        let results = container_results(&s);
        assert_eq!(results.len(), container_rule_count());
        assert!(results.iter().all(|r| r.status == Status::Error
            && r.target.name == "gone"
            && r.message == "could not inspect: no such container"));
        // Results are ordered like the registry, and share the rule's references.
        let ids: Vec<&str> = results.iter().map(|r| r.rule.as_ref()).collect();
        let settings = Settings::default();
        let registry: Vec<&str> = RULES
            .iter()
            .filter(|r| matches!(r.check, Check::Container(_)) && settings.selects(r))
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, registry);
        let privileged = results.iter().find(|r| r.rule == "CT0006").unwrap();
        assert_eq!(
            privileged.references.as_ref(),
            ["cis-docker-1.6.0:5.5", "pss:privileged-containers"]
        );
    }
}
