//! The compose and Kubernetes corpus: realistic projects and manifests (`tests/data/lint-corpus/`)
//! — a web app with anchors, `<<`, an override file, `.env` interpolation and a staging variant
//! merged with `-f` and `--env-file`; a monitoring stack with host namespaces, host mounts and a
//! named bind volume; a CI runner with the Docker socket, a hook and `extends`; a Deployment with
//! its Service, a CronJob, a DaemonSet log agent, a List of Pods, a Pod with init and ephemeral
//! containers, a StatefulSet whose containers override the pod's securityContext, a JSON Job, and
//! YAML that is not a manifest. Every run must judge without errors, and every failing finding
//! (position, rule, target, message, and the sites that pulled the value in) is pinned in
//! `lint-corpus.findings.txt`, together with the targets each run judged, so a change in what
//! the collectors or rules see shows up in review.
//!
//! Regenerate after an intended change with
//! `DOCKWARD_BLESS=1 cargo test -p dockward --test lint_corpus`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::Command;

use serde_json::Value;

/// What each run is, and its arguments (paths relative to `tests/data`).
const RUNS: &[(&str, &[&str])] = &[
    (
        "webapp: the directory (compose.yaml, compose.override.yaml, .env)",
        &["lint-corpus/webapp"],
    ),
    (
        "webapp staging: -f compose.yaml -f compose.staging.yaml --env-file staging.env",
        &[
            "-f",
            "lint-corpus/webapp/compose.yaml",
            "-f",
            "lint-corpus/webapp/compose.staging.yaml",
            "--env-file",
            "lint-corpus/webapp/staging.env",
        ],
    ),
    ("monitoring", &["lint-corpus/monitoring"]),
    (
        "ci-runner (common.yaml through extends)",
        &["lint-corpus/ci-runner"],
    ),
    ("kubernetes", &["lint-corpus/kubernetes"]),
    (
        "kubernetes --profile restricted",
        &["lint-corpus/kubernetes", "--profile", "restricted"],
    ),
];

fn position(at: &Value) -> String {
    format!(
        "{}:{}:{}",
        at["path"].as_str().unwrap(),
        at["line"],
        at["column"]
    )
}

fn run(label: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .arg("lint")
        .args(args)
        .args(["--format", "json", "--fail-on", "none"])
        .current_dir(common::data_dir())
        // Interpolation reads the process environment: only the corpus' own files may feed it.
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{label}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    let errors: Vec<&Value> = results.iter().filter(|r| r["status"] == "error").collect();
    assert!(errors.is_empty(), "{label}: errors: {errors:#?}");

    let targets: BTreeSet<String> = results
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["target"]["kind"].as_str().unwrap(),
                r["target"]["name"].as_str().unwrap()
            )
        })
        .collect();
    let mut findings: Vec<((String, u64, u64), String)> = results
        .iter()
        .filter(|r| r["status"] == "fail")
        .map(|r| {
            let at = &r["location"];
            assert!(at.is_object(), "{label}: a finding without a location: {r:#}");
            let mut line = format!(
                "{} {} {}: {}",
                position(at),
                r["rule"].as_str().unwrap(),
                r["target"]["name"].as_str().unwrap(),
                r["message"].as_str().unwrap()
            );
            if let Some(via) = at["via"].as_array().filter(|v| !v.is_empty()) {
                let sites: Vec<String> = via.iter().map(position).collect();
                write!(line, " (via {})", sites.join(", ")).unwrap();
            }
            if !r["suppressed"].is_null() {
                line.push_str(" [suppressed]");
            }
            let key = (
                at["path"].as_str().unwrap().to_string(),
                at["line"].as_u64().unwrap(),
                at["column"].as_u64().unwrap(),
            );
            (key, line)
        })
        .collect();
    findings.sort();

    let mut text = format!("== {label}\n");
    writeln!(text, "targets ({}):", targets.len()).unwrap();
    for target in &targets {
        writeln!(text, "  {target}").unwrap();
    }
    writeln!(text, "findings ({}):", findings.len()).unwrap();
    for (_, line) in findings {
        writeln!(text, "  {line}").unwrap();
    }
    text
}

#[test]
fn the_compose_and_kubernetes_corpus_is_judged_and_its_findings_are_pinned() {
    let actual: Vec<String> = RUNS.iter().map(|(label, args)| run(label, args)).collect();
    common::golden(
        "lint_corpus",
        "lint-corpus.findings.txt",
        actual.join("\n").as_bytes(),
    );
}
