//! The report of a lint of compose files and manifests: the header counts, the offending source
//! line with a caret under the column, the sites that pulled a value in (text, SARIF, JSON).
#![allow(clippy::unwrap_used)]

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use dockward_model::{Location, RuleResult, Status, Target, TargetKind};
use dockward_report::{LintCounts, Report, TextOptions, render_text, sarif::render_sarif};
use serde_json::{Value, json};

fn result(rule: &str, status: Status, kind: TargetKind, target: &str, message: &str) -> RuleResult {
    let meta = dockward_rules::find(rule).unwrap();
    RuleResult {
        rule: Cow::Borrowed(meta.id),
        name: Cow::Borrowed(meta.name),
        status,
        severity: meta.severity,
        target: Arc::new(Target {
            kind,
            name: target.to_string(),
            id: None,
        }),
        message: message.to_string(),
        evidence: Vec::new(),
        fix: Some(Cow::Borrowed(meta.fix)),
        location: None,
        references: meta.references.iter().map(|r| Cow::Borrowed(*r)).collect(),
        suppressed: None,
        waived: None,
    }
}

fn lint_report() -> Report {
    let mut privileged = result(
        "CT0006",
        Status::Fail,
        TargetKind::ComposeService,
        "web",
        "container is privileged",
    );
    privileged.location = Some(Location {
        via: vec![Location::new("compose.yaml", 9, 5)],
        ..Location::new("compose.yaml", 3, 15)
    });
    let mut host_pid = result(
        "CT0015",
        Status::Fail,
        TargetKind::K8sContainer,
        "CronJob/db-backup/dump",
        "container shares the host's PID namespace",
    );
    // A tab (invalid YAML indentation, but a line may hold one) is shown as four spaces.
    host_pid.location = Some(Location::new("k8s/cron.yaml", 2, 2));
    let mut report = Report::for_lint(
        vec![privileged, host_pid],
        LintCounts {
            compose_projects: 1,
            manifests: 1,
            ..LintCounts::default()
        },
        "2026-01-01T00:00:00Z".into(),
    );
    report.lines = HashMap::from([
        (
            "compose.yaml".to_string(),
            HashMap::from([(3, "x-priv: &priv {privileged: true}".to_string())]),
        ),
        (
            "k8s/cron.yaml".to_string(),
            HashMap::from([(2, "\thostPID: true".to_string())]),
        ),
    ]);
    report
}

#[test]
fn the_text_report_shows_the_offending_line_with_a_caret_under_the_column() {
    let text = render_text(&lint_report(), TextOptions::default());
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        text,
        format!(
            "dockward {version} lint of 1 compose project, 1 Kubernetes manifest

[5] Container runtime
  CT0006 privileged-container (critical): Privileged containers are not used
    FAIL  compose.yaml:3:15 (compose service web): container is privileged
          3 | x-priv: &priv {{privileged: true}}
            |               ^
          pulled in at compose.yaml:9:5
    fix: remove --privileged; grant only the needed capability (--cap-add) or device (--device)
  CT0015 host-pid (high): The host's process namespace is not shared
    FAIL  k8s/cron.yaml:2:2 (kubernetes container CronJob/db-backup/dump): container shares the host's PID namespace
          2 |     hostPID: true
            |     ^
    fix: remove --pid host
  2 fail · 0 error · 0 pass · 0 not applicable

Summary: 2 results: 2 fail (1 critical, 1 high), 0 error, 0 pass, 0 not applicable
Passing and not applicable results are hidden; --show-all lists them.
"
        )
    );
}

#[test]
fn sarif_names_the_site_that_pulled_the_value_in_as_a_related_location() {
    let sarif: Value = serde_json::from_str(&render_sarif(&lint_report())).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results[0]["locations"],
        json!([{ "physicalLocation": {
            "artifactLocation": { "uri": "compose.yaml" },
            "region": { "startLine": 3, "startColumn": 15 }
        }}])
    );
    assert_eq!(
        results[0]["relatedLocations"],
        json!([{
            "id": 0,
            "physicalLocation": {
                "artifactLocation": { "uri": "compose.yaml" },
                "region": { "startLine": 9, "startColumn": 5 }
            },
            "message": { "text": "the value is pulled in here" }
        }])
    );
    assert!(results[1].get("relatedLocations").is_none());
}

#[test]
fn json_carries_the_via_sites_and_the_counts_but_not_the_source_lines() {
    let mut out = Vec::new();
    lint_report().write_json(&mut out).unwrap();
    let json: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        json["results"][0]["location"],
        json!({ "path": "compose.yaml", "line": 3, "column": 15,
                "via": [{ "path": "compose.yaml", "line": 9, "column": 5 }] })
    );
    assert_eq!(
        json["results"][1]["location"],
        json!({ "path": "k8s/cron.yaml", "line": 2, "column": 2 })
    );
    assert_eq!(json["source"]["compose_projects"], 1);
    assert_eq!(json["source"]["manifests"], 1);
    assert!(json["source"].get("daemon_json").is_none());
    assert!(json.get("lines").is_none());
}
