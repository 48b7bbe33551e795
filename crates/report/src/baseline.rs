//! Baselines (`--baseline previous.json`): a run reports only the failures its previous report
//! did not have, and lists those that are gone, so a large fleet can adopt dockward and gate
//! only regressions.
//!
//! A failure is known when the baseline has a failure with the same key: the rule, the target's
//! kind and name, and for findings in a file the file and the message. Not the container id (a
//! recreated container keeps its name, not its id) nor the line (an edit above a finding moves
//! it). Keys are counted, so a Dockerfile with the same finding twice where the baseline had it
//! once has one new failure.

use std::collections::HashMap;

use dockward_model::{Location, RuleResult, Status, Target, TargetKind};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::json::{REPORT_SCHEMA_VERSION, Report};

/// The largest baseline report read: reports of very large fleets are tens of megabytes.
pub const BASELINE_LIMIT: u64 = 256 << 20;

/// What comparing with a baseline found, in the report's `baseline` object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineUse {
    /// The baseline file as given.
    pub path: String,
    /// Failures of this run that the baseline already had: left out of `results`.
    pub known: usize,
    /// Failures of this run that the baseline did not have (waived and suppressed ones aside).
    pub new: usize,
    /// Failures of the baseline that no longer fail.
    #[serde(default)]
    pub fixed: Vec<FixedFailure>,
}

/// A failure of the baseline that this run no longer has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedFailure {
    /// Rule id.
    pub rule: String,
    /// Rule name.
    pub name: String,
    /// The target it was on.
    pub target: Target,
    /// The baseline's message.
    pub message: String,
    /// Where it was, for findings in a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Why a baseline could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineError(pub String);

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BaselineError {}

/// A previous report's failures, by key.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    path: String,
    /// Failures by key, each key's failures in report order.
    failures: HashMap<Key, Vec<FixedFailure>>,
    /// Every key in report order (once each), so `fixed` keeps the baseline's order.
    order: Vec<Key>,
    /// The baseline's own baseline: it lists only the failures new since that one.
    nested: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    rule: String,
    kind: TargetKind,
    name: String,
    /// For findings in a file: the file and the message (what tells two findings of one rule
    /// in one file apart, where the line would move with every edit).
    located: Option<(String, String)>,
}

impl Key {
    fn of(rule: &str, target: &Target, message: &str, location: Option<&Location>) -> Key {
        Key {
            rule: rule.to_string(),
            kind: target.kind,
            name: target.name.clone(),
            located: location.map(|l| (l.path.clone(), message.to_string())),
        }
    }
}

/// What a baseline's first fields must be: read before the results, so another file is named
/// for what it is rather than for its first unexpected key.
#[derive(Deserialize)]
struct Head {
    schema_version: Option<serde_json::Value>,
    tool: Option<HeadTool>,
}

#[derive(Deserialize)]
struct HeadTool {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Previous {
    results: Vec<PreviousResult>,
    #[serde(default)]
    baseline: Option<PreviousBaseline>,
}

#[derive(Deserialize)]
struct PreviousBaseline {
    path: String,
}

#[derive(Deserialize)]
struct PreviousResult {
    rule: String,
    #[serde(default)]
    name: String,
    status: Status,
    target: Target,
    #[serde(default)]
    message: String,
    #[serde(default)]
    location: Option<Location>,
    #[serde(default)]
    suppressed: Option<IgnoredAny>,
    #[serde(default)]
    waived: Option<IgnoredAny>,
}

impl Baseline {
    /// Reads a previous JSON report (`dockward audit|lint --format json`); `path` names it in
    /// the report. Only failures that counted are known: a failure the baseline had waived or
    /// suppressed is new when it counts now (its waiver expired, its comment went).
    pub fn from_json(path: &str, text: &str) -> Result<Baseline, BaselineError> {
        let head: Head =
            serde_json::from_str(text).map_err(|e| BaselineError(format!("not a JSON report: {e}")))?;
        match (&head.schema_version, head.tool.and_then(|t| t.name)) {
            (None, _) => {
                return Err(BaselineError(
                    "not a dockward JSON report (no schema_version); write one with --format json".into(),
                ));
            }
            (_, name) if name.as_deref() != Some("dockward") => {
                return Err(BaselineError(
                    "not a dockward JSON report (tool.name is not \"dockward\")".into(),
                ));
            }
            (Some(version), _) if version.as_u64() != Some(u64::from(REPORT_SCHEMA_VERSION)) => {
                return Err(BaselineError(format!(
                    "report schema_version {version}; this dockward reads version {REPORT_SCHEMA_VERSION}"
                )));
            }
            _ => {}
        }
        let previous: Previous =
            serde_json::from_str(text).map_err(|e| BaselineError(format!("malformed report: {e}")))?;
        let mut baseline = Baseline {
            path: path.to_string(),
            nested: previous.baseline.map(|b| b.path),
            ..Baseline::default()
        };
        for r in previous.results {
            if r.status != Status::Fail || r.suppressed.is_some() || r.waived.is_some() {
                continue;
            }
            let key = Key::of(&r.rule, &r.target, &r.message, r.location.as_ref());
            let entries = baseline.failures.entry(key.clone()).or_default();
            if entries.is_empty() {
                baseline.order.push(key);
            }
            entries.push(FixedFailure {
                rule: r.rule,
                name: r.name,
                target: r.target,
                message: r.message,
                location: r.location,
            });
        }
        Ok(baseline)
    }

    /// The baseline of a report already in memory (tests, and a report compared with itself).
    pub fn from_report(path: &str, report: &Report) -> Baseline {
        let mut baseline = Baseline {
            path: path.to_string(),
            nested: report.baseline.as_ref().map(|b| b.path.clone()),
            ..Baseline::default()
        };
        for r in &report.results {
            if r.status != Status::Fail || r.suppressed.is_some() || r.waived.is_some() {
                continue;
            }
            let key = Key::of(&r.rule, &r.target, &r.message, r.location.as_ref());
            let entries = baseline.failures.entry(key.clone()).or_default();
            if entries.is_empty() {
                baseline.order.push(key);
            }
            entries.push(FixedFailure {
                rule: r.rule.to_string(),
                name: r.name.to_string(),
                target: (*r.target).clone(),
                message: r.message.clone(),
                location: r.location.clone(),
            });
        }
        baseline
    }

    /// How many failures the baseline holds.
    pub fn len(&self) -> usize {
        self.failures.values().map(Vec::len).sum()
    }

    /// Whether the baseline holds no failure.
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }

    /// Leaves out of `results` the failures the baseline has, and says what is new and what
    /// got fixed. Waived and suppressed failures stay (they do not count anyway) and are not
    /// fixed: they still fail.
    pub fn compare(&self, results: &mut Vec<RuleResult>) -> BaselineUse {
        let mut left: HashMap<&Key, usize> = self.failures.iter().map(|(k, v)| (k, v.len())).collect();
        let mut known = 0;
        let mut new = 0;
        let mut still_failing: Vec<Key> = Vec::new();
        results.retain(|r| {
            if r.status != Status::Fail {
                return true;
            }
            let key = Key::of(&r.rule, &r.target, &r.message, r.location.as_ref());
            if r.suppressed.is_some() || r.waived.is_some() {
                still_failing.push(key);
                return true;
            }
            match left.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    known += 1;
                    false
                }
                _ => {
                    new += 1;
                    true
                }
            }
        });
        for key in &still_failing {
            if let Some(n) = left.get_mut(key) {
                *n = n.saturating_sub(1);
            }
        }
        let fixed = self
            .order
            .iter()
            .flat_map(|key| {
                let entries = &self.failures[key];
                let gone = left.get(key).copied().unwrap_or_default();
                // The last ones of a key are the fixed ones: which of identical findings went
                // cannot be told.
                entries[entries.len() - gone..].iter().cloned()
            })
            .collect();
        BaselineUse {
            path: self.path.clone(),
            known,
            new,
            fixed,
        }
    }
}

impl Report {
    /// Compares the report with a baseline: known failures leave `results` (counted in
    /// `summary.baseline_known`), the summary is counted again, and `baseline` says what is new
    /// and what got fixed.
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        let outcome = baseline.compare(&mut self.results);
        if let Some(nested) = &baseline.nested {
            self.warnings.push(format!(
                "the baseline {} was itself written with --baseline {nested}: the failures it already knew are not in it, so they count as new here; use the report written without --baseline",
                baseline.path
            ));
        }
        self.summary.baseline_known = outcome.known;
        self.recount();
        self.baseline = Some(outcome);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::borrow::Cow;
    use std::sync::Arc;

    use dockward_model::{Severity, Waived};

    use super::*;

    fn result(rule: &'static str, status: Status, kind: TargetKind, name: &str, message: &str) -> RuleResult {
        RuleResult {
            rule: Cow::Borrowed(rule),
            name: Cow::Borrowed("some-rule"),
            status,
            severity: Severity::High,
            target: Arc::new(Target {
                kind,
                name: name.to_string(),
                id: Some(format!("id-of-{name}")),
            }),
            message: message.to_string(),
            evidence: Vec::new(),
            fix: None,
            location: None,
            references: Arc::from(Vec::<Cow<'static, str>>::new()),
            suppressed: None,
            waived: None,
        }
    }

    fn located(mut r: RuleResult, path: &str, line: u32) -> RuleResult {
        r.location = Some(Location::new(path, line, 1));
        r
    }

    fn waived(mut r: RuleResult) -> RuleResult {
        r.waived = Some(Waived {
            reason: "accepted".into(),
            at: "dockward.toml:3:1".into(),
            expires: None,
        });
        r
    }

    fn report_json(results: &[RuleResult]) -> String {
        let report = Report::for_lint(results.to_vec(), Default::default(), "now".into());
        serde_json::to_string(&report).unwrap()
    }

    fn rules(results: &[RuleResult]) -> Vec<(String, String, String)> {
        results
            .iter()
            .map(|r| {
                (
                    r.rule.to_string(),
                    r.target.name.clone(),
                    r.status.as_str().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn known_failures_leave_new_ones_stay_and_gone_ones_are_fixed() {
        use Status::*;
        use TargetKind::*;
        let before = [
            result("CT0006", Fail, Container, "web", "container is privileged"),
            result(
                "CT0015",
                Fail,
                Container,
                "agent",
                "shares the host's PID namespace",
            ),
            result("CT0010", Fail, Container, "web", "no memory limit"),
            result("CT0010", Pass, Container, "db", "memory limited"),
        ];
        let baseline = Baseline::from_json("previous.json", &report_json(&before)).unwrap();
        assert_eq!(baseline.len(), 3);
        let mut now = vec![
            // Recreated: another id, the same name: still known.
            {
                let mut r = result("CT0006", Fail, Container, "web", "container is privileged");
                r.target = Arc::new(Target {
                    kind: Container,
                    name: "web".into(),
                    id: Some("another-id".into()),
                });
                r
            },
            result("CT0010", Pass, Container, "web", "memory limited"),
            result("CT0010", Fail, Container, "db", "no memory limit"),
            result("CT0015", Pass, Container, "agent", "own PID namespace"),
        ];
        let outcome = baseline.compare(&mut now);
        assert_eq!(
            rules(&now),
            [
                ("CT0010".into(), "web".into(), "pass".into()),
                ("CT0010".into(), "db".into(), "fail".into()),
                ("CT0015".into(), "agent".into(), "pass".into()),
            ]
        );
        assert_eq!(
            (outcome.path.as_str(), outcome.known, outcome.new),
            ("previous.json", 1, 1)
        );
        let fixed: Vec<(&str, &str, &str)> = outcome
            .fixed
            .iter()
            .map(|f| (f.rule.as_str(), f.target.name.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            fixed,
            [
                ("CT0015", "agent", "shares the host's PID namespace"),
                ("CT0010", "web", "no memory limit"),
            ]
        );
    }

    #[test]
    fn located_findings_match_by_file_and_message_not_line_and_are_counted() {
        use Status::*;
        use TargetKind::*;
        let before = [
            located(
                result("DF0001", Fail, Dockerfile, "Dockerfile", "runs as root"),
                "Dockerfile",
                3,
            ),
            located(
                result("DF0002", Fail, Dockerfile, "Dockerfile", "ADD of a URL"),
                "Dockerfile",
                5,
            ),
        ];
        let baseline = Baseline::from_report(
            "b.json",
            &Report::for_lint(before.to_vec(), Default::default(), "t".into()),
        );
        let mut now = vec![
            // Moved down by an edit above it: known.
            located(
                result("DF0001", Fail, Dockerfile, "Dockerfile", "runs as root"),
                "Dockerfile",
                9,
            ),
            // The same finding twice where the baseline had it once: one is new.
            located(
                result("DF0002", Fail, Dockerfile, "Dockerfile", "ADD of a URL"),
                "Dockerfile",
                11,
            ),
            located(
                result("DF0002", Fail, Dockerfile, "Dockerfile", "ADD of a URL"),
                "Dockerfile",
                12,
            ),
            // Another message: another finding.
            located(
                result("DF0001", Fail, Dockerfile, "Dockerfile", "USER 0"),
                "Dockerfile",
                14,
            ),
        ];
        let outcome = baseline.compare(&mut now);
        let lines: Vec<u32> = now.iter().map(|r| r.location.as_ref().unwrap().line).collect();
        assert_eq!(lines, [12, 14]);
        assert_eq!((outcome.known, outcome.new, outcome.fixed.len()), (2, 2, 0));
    }

    #[test]
    fn waived_failures_are_neither_known_nor_fixed_and_waived_baseline_entries_are_not_known() {
        use Status::*;
        use TargetKind::*;
        let before = [
            waived(result("CT0015", Fail, Container, "agent", "host pid")),
            result("CT0006", Fail, Container, "web", "privileged"),
        ];
        let baseline = Baseline::from_json("b.json", &report_json(&before)).unwrap();
        assert_eq!(
            baseline.len(),
            1,
            "a waived failure did not count: it is not known"
        );
        let mut now = vec![
            // Its waiver expired: it counts now, and the baseline did not know it as a failure.
            result("CT0015", Fail, Container, "agent", "host pid"),
            // Now waived: kept (it does not count), and not fixed.
            waived(result("CT0006", Fail, Container, "web", "privileged")),
        ];
        let outcome = baseline.compare(&mut now);
        assert_eq!(now.len(), 2);
        assert_eq!((outcome.known, outcome.new, outcome.fixed.len()), (0, 1, 0));
    }

    #[test]
    fn apply_baseline_counts_again_and_keeps_known_in_the_summary() {
        use Status::*;
        use TargetKind::*;
        let before = [result("CT0006", Fail, Container, "web", "privileged")];
        let baseline = Baseline::from_json("b.json", &report_json(&before)).unwrap();
        let mut report = Report::for_lint(
            vec![
                result("CT0006", Fail, Container, "web", "privileged"),
                result("CT0006", Fail, Container, "db", "privileged"),
            ],
            Default::default(),
            "t".into(),
        );
        report.apply_baseline(&baseline);
        assert_eq!(report.summary.total, 1);
        assert_eq!(report.summary.by_status.fail, 1);
        assert_eq!(report.summary.baseline_known, 1);
        assert!(report.fails_at(Severity::High));
        let json: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(json["summary"]["baseline_known"], 1);
        assert_eq!(
            json["baseline"],
            serde_json::json!({"path": "b.json", "known": 1, "new": 1, "fixed": []})
        );
        // A report written with a baseline is a poor baseline: it says so.
        let again = Baseline::from_json("c.json", &serde_json::to_string(&report).unwrap()).unwrap();
        let mut next = Report::for_lint(Vec::new(), Default::default(), "t".into());
        next.apply_baseline(&again);
        assert_eq!(next.warnings.len(), 1);
        assert!(
            next.warnings[0].starts_with("the baseline c.json was itself written with --baseline b.json")
        );
    }

    #[test]
    fn files_that_are_not_dockward_reports_are_refused_with_the_reason() {
        let err = |text: &str| Baseline::from_json("x.json", text).unwrap_err().0;
        assert!(
            err("{ not json").starts_with("not a JSON report: "),
            "{}",
            err("{ not json")
        );
        assert!(err("[]").starts_with("not a JSON report: "));
        assert_eq!(
            err(r#"{"version": "2.1.0", "runs": []}"#),
            "not a dockward JSON report (no schema_version); write one with --format json"
        );
        assert_eq!(
            err(r#"{"schema_version": 1, "tool": {"name": "trivy"}}"#),
            "not a dockward JSON report (tool.name is not \"dockward\")"
        );
        assert_eq!(
            err(r#"{"schema_version": 2, "tool": {"name": "dockward"}, "results": []}"#),
            "report schema_version 2; this dockward reads version 1"
        );
        let malformed =
            err(r#"{"schema_version": 1, "tool": {"name": "dockward"}, "results": [{"rule": 5}]}"#);
        assert!(
            malformed.starts_with("malformed report: invalid type: integer `5`"),
            "{malformed}"
        );
        assert!(
            malformed.ends_with("expected a string at line 1 column 74"),
            "{malformed}"
        );
    }
}
