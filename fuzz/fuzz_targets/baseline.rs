//! The baseline reader of `audit|lint --baseline` (`Baseline::from_json`), then the comparison
//! of a fixed run with it: never panics, and the counts add up.
#![no_main]

use std::borrow::Cow;
use std::sync::Arc;

use dockward_model::{Location, RuleResult, Severity, Status, Target, TargetKind};
use dockward_report::Report;
use dockward_report::baseline::Baseline;
use libfuzzer_sys::fuzz_target;

fn result(rule: &'static str, status: Status, kind: TargetKind, name: &str, message: &str, at: Option<u32>) -> RuleResult {
    RuleResult {
        rule: Cow::Borrowed(rule),
        name: Cow::Borrowed("rule"),
        status,
        severity: Severity::High,
        target: Arc::new(Target {
            kind,
            name: name.to_string(),
            id: None,
        }),
        message: message.to_string(),
        evidence: Vec::new(),
        fix: None,
        location: at.map(|line| Location::new(name, line, 1)),
        references: Arc::from(Vec::<Cow<'static, str>>::new()),
        suppressed: None,
        waived: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(baseline) = Baseline::from_json("fuzz.json", text) else {
        return;
    };
    let run = vec![
        result("CT0006", Status::Fail, TargetKind::Container, "web", "container is privileged", None),
        result("CT0006", Status::Pass, TargetKind::Container, "db", "not privileged", None),
        result("DF0001", Status::Fail, TargetKind::Dockerfile, "Dockerfile", "runs as root", Some(3)),
        result("DF0001", Status::Fail, TargetKind::Dockerfile, "Dockerfile", "runs as root", Some(7)),
        result("custom/ORG001", Status::Fail, TargetKind::Container, "app", "team images", None),
    ];
    let failures = run.iter().filter(|r| r.status == Status::Fail).count();
    let mut report = Report::for_lint(run, Default::default(), "t".into());
    report.apply_baseline(&baseline);
    let outcome = report.baseline.as_ref().expect("apply_baseline records its outcome");
    assert_eq!(outcome.known + outcome.new, failures);
    assert_eq!(report.summary.baseline_known, outcome.known);
    assert_eq!(report.summary.by_status.fail, outcome.new);
    assert!(outcome.known <= baseline.len());
    assert!(outcome.fixed.len() + outcome.known <= baseline.len());
});
