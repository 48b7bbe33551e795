//! Runs every rule on every target of a snapshot.

use std::borrow::Cow;
use std::sync::Arc;

use dockward_model::{RuleResult, Snapshot, Status, Target, TargetKind, Verdict, Workload};

use crate::registry::RULES;
use crate::rule::{Check, Context, Rule};

/// Evaluates every rule on the snapshot: one result per (rule, target), ordered by rule and then
/// by target. Pure: the same snapshot always gives the same results.
pub fn evaluate(snapshot: &Snapshot) -> Vec<RuleResult> {
    let ctx = Context {
        daemon: &snapshot.daemon,
    };
    let container_rules: Vec<&'static Rule> = RULES
        .iter()
        .copied()
        .filter(|r| matches!(r.check, Check::Container(_)))
        .collect();
    let daemon_target = Arc::new(Target {
        kind: TargetKind::Daemon,
        name: snapshot.daemon.endpoint.clone(),
        id: None,
    });
    let targets: Vec<Arc<Target>> = snapshot.containers.iter().map(container_target).collect();
    let failed: Vec<Arc<Target>> = snapshot
        .errors
        .iter()
        .map(|e| Arc::new(e.target.clone()))
        .collect();

    let mut results = Vec::with_capacity(container_rules.len() * (targets.len() + failed.len()).max(1));
    for rule in container_rules {
        let Check::Container(check) = rule.check;
        let references: Arc<[Cow<'static, str>]> =
            rule.references.iter().map(|r| Cow::Borrowed(*r)).collect();
        let result = |target: &Arc<Target>, verdict: Verdict| result(rule, &references, target, verdict);
        if let Some(reason) = &snapshot.unreachable {
            let verdict = Verdict::error(format!("could not list containers: {reason}"));
            results.push(result(&daemon_target, verdict));
            continue;
        }
        if targets.is_empty() && failed.is_empty() {
            let reason = if snapshot.all_containers {
                "the daemon has no containers"
            } else {
                "the daemon has no running containers (use --all to include stopped and created ones)"
            };
            results.push(result(&daemon_target, Verdict::not_applicable(reason)));
            continue;
        }
        for (workload, target) in snapshot.containers.iter().zip(&targets) {
            results.push(result(target, check(&ctx, workload)));
        }
        for (error, target) in snapshot.errors.iter().zip(&failed) {
            let verdict = Verdict::error(format!("could not inspect: {}", error.reason));
            results.push(result(target, verdict));
        }
    }
    results
}

fn container_target(workload: &Workload) -> Arc<Target> {
    Arc::new(Target {
        kind: TargetKind::Container,
        name: workload.origin.name().to_string(),
        id: workload.origin.id().map(str::to_string),
    })
}

fn result(
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
        location: None,
        references: Arc::clone(references),
    }
}
