//! The compose and Kubernetes corpus: realistic projects and manifests (`tests/data/lint-corpus/`)
//! — a web app with anchors, `<<`, an override file, `.env` interpolation and a staging variant
//! merged with `-f` and `--env-file`; a monitoring stack with host namespaces, host mounts and a
//! named bind volume; a CI runner with the Docker socket, a hook and `extends`; a Deployment with
//! its Service, a CronJob, a DaemonSet log agent, a List of Pods, a Pod with init and ephemeral
//! containers, a StatefulSet whose containers override the pod's securityContext, a JSON Job, and
//! YAML that is not a manifest. Every failing finding (position, rule, target, message, and the
//! sites that pulled the value in) is pinned in `lint-corpus.findings.txt`, together with the
//! targets each run judged and any file that could not be read (none should be), so a change in
//! what the collectors or rules see shows up in review.
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
    format!("{}:{}:{}", at["path"].as_str().unwrap(), at["line"], at["column"])
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
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{label}: not a JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let results = report["results"].as_array().unwrap();
    // A file that cannot be read gets an error from every rule that would have judged it: pinned
    // once per position and message, so a wrong one shows up in review like a wrong finding.
    let errors: BTreeSet<String> = results
        .iter()
        .filter(|r| r["status"] == "error")
        .map(|r| {
            let at = &r["location"];
            let place = if at.is_object() {
                position(at)
            } else {
                "(no location)".to_string()
            };
            format!(
                "{place} {}: {}",
                r["target"]["name"].as_str().unwrap(),
                r["message"].as_str().unwrap()
            )
        })
        .collect();

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
    // --fail-on none: only a file that could not be read makes the exit status 2.
    let want_exit = if errors.is_empty() { 0 } else { 2 };
    assert_eq!(
        out.status.code(),
        Some(want_exit),
        "{label}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // What was found: the counts of the report's source, by kind of file.
    let found: Vec<String> = report["source"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(key, value)| {
            value.as_u64().is_some_and(|n| n > 0) && !["containers", "images"].contains(&key.as_str())
        })
        .map(|(key, value)| format!("{key} {value}"))
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

    let mut text = format!("== {label}\nfound: {}\n", found.join(", "));
    writeln!(text, "targets ({}):", targets.len()).unwrap();
    for target in &targets {
        writeln!(text, "  {target}").unwrap();
    }
    writeln!(text, "errors ({}):", errors.len()).unwrap();
    for error in &errors {
        writeln!(text, "  {error}").unwrap();
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
