//! The policy file on the command line: precedence (profile < file < command line), waivers,
//! policy errors, custom Rego rules in `audit` and `lint`, `policy show|test|check`, and
//! baselines. Runs the `dockward` binary on the recorded snapshot `tests/data/policy/snapshot.json`
//! (containers node-exporter-1, agent and builder share the host's PID namespace; web and app do
//! not; app's image is not from registry.example.com). Needs no daemon.
//!
//! Regenerate the golden file after an intended change with
//! `DOCKWARD_BLESS=1 cargo test -p dockward --test policy`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// A directory of its own for one test, emptied first.
fn workdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("policy-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn snapshot() -> String {
    common::data_dir()
        .join("policy/snapshot.json")
        .display()
        .to_string()
}

/// `dockward` run in `dir` (where it looks for `dockward.toml`).
fn dockward(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(args)
        .current_dir(dir)
        .env_remove("DOCKER_HOST")
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

/// `audit --snapshot` of the containers, as JSON, with more arguments.
fn audit(dir: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let snapshot = snapshot();
    let mut args = vec![
        "audit",
        "--snapshot",
        &snapshot,
        "--only",
        "containers",
        "--format",
        "json",
    ];
    args.extend(extra);
    let out = dockward(dir, &args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}); stderr: {stderr}"));
    (out.status.code(), report, stderr)
}

/// `(rule, target, status, waived reason)` of the results of one rule.
fn verdicts(report: &Value, rule: &str) -> Vec<(String, String, Option<String>)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == rule)
        .map(|r| {
            (
                r["target"]["name"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
                r["waived"]["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn v(name: &str, status: &str, waived: Option<&str>) -> (String, String, Option<String>) {
    (name.to_string(), status.to_string(), waived.map(str::to_string))
}

fn rules_judged(report: &Value) -> Vec<String> {
    let mut rules: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect();
    rules.dedup();
    rules
}

const HOST_PID_FAILS: [(&str, &str); 5] = [
    ("node-exporter-1", "fail"),
    ("agent", "fail"),
    ("builder", "fail"),
    ("web", "pass"),
    ("app", "pass"),
];

#[test]
fn precedence_is_profile_then_file_then_command_line() {
    let dir = workdir("precedence");
    write(
        &dir,
        "dockward.toml",
        "profile = \"baseline\"\n[rules]\nenable = [\"pids-unlimited\"]\ndisable = [\"host-pid\"]\nseverity = { pids-unlimited = \"low\" }\n",
    );
    // The file's profile, less what it disables, plus what it enables.
    let (code, report, _) = audit(&dir, &[]);
    let judged = rules_judged(&report);
    assert!(
        !judged.contains(&"CT0015".to_string()),
        "host-pid is disabled by the file"
    );
    assert!(
        judged.contains(&"CT0025".to_string()),
        "pids-unlimited is enabled by the file over the profile"
    );
    assert!(
        !judged.contains(&"CT0011".to_string()),
        "cpu-unlimited is not in the baseline profile"
    );
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["rule"] == "CT0025")
            .all(|r| r["severity"] == "low" && r["status"] == "fail")
    );
    assert_eq!(code, Some(1), "pids-unlimited fails everywhere");
    assert_eq!(report["policy"]["path"], "dockward.toml");
    assert_eq!(report["policy"]["profile"], "baseline");
    assert_eq!(
        audit(&dir, &["--fail-on", "medium"]).0,
        Some(0),
        "low failures only"
    );

    // The command line enables what the file disables, and sets the severity over the file's.
    let (code, report, _) = audit(
        &dir,
        &[
            "--enable",
            "host-pid",
            "--severity",
            "pids-unlimited=high",
            "--fail-on",
            "medium",
        ],
    );
    let expected: Vec<_> = HOST_PID_FAILS.iter().map(|(n, s)| v(n, s, None)).collect();
    assert_eq!(verdicts(&report, "CT0015"), expected);
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["rule"] == "CT0025")
            .all(|r| r["severity"] == "high")
    );
    assert_eq!(code, Some(1));

    // --profile over the file's profile; --disable over the file's enable.
    let (_, report, _) = audit(&dir, &["--profile", "default", "--disable", "pids-unlimited"]);
    let judged = rules_judged(&report);
    assert!(
        judged.contains(&"CT0011".to_string()),
        "the default selection has cpu-unlimited"
    );
    assert!(!judged.contains(&"CT0025".to_string()));
    assert!(
        !judged.contains(&"CT0015".to_string()),
        "still disabled by the file"
    );
    assert_eq!(report["policy"]["profile"], Value::Null);

    // --no-policy: the defaults, and no policy object.
    let (_, report, _) = audit(&dir, &["--no-policy"]);
    assert!(rules_judged(&report).contains(&"CT0015".to_string()));
    assert!(report.get("policy").is_none());
}

#[test]
fn the_policy_is_found_in_a_parent_directory_or_given() {
    let dir = workdir("discovery");
    write(&dir, ".dockward.toml", "[rules]\ndisable = [\"host-pid\"]\n");
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    let (_, report, _) = audit(&dir.join("a/b"), &[]);
    assert!(!rules_judged(&report).contains(&"CT0015".to_string()));
    assert_eq!(
        report["policy"]["path"],
        dir.join(".dockward.toml").display().to_string()
    );
    write(&dir, "other.toml", "[rules]\ndisable = [\"cpu-unlimited\"]\n");
    let (_, report, _) = audit(&dir.join("a/b"), &["--policy", "../../other.toml"]);
    let judged = rules_judged(&report);
    assert!(judged.contains(&"CT0015".to_string()) && !judged.contains(&"CT0011".to_string()));
    assert_eq!(report["policy"]["path"], "../../other.toml");
}

const WAIVERS: &str = r#"profile = "baseline"

[[waiver]]
rules = ["host-pid"]
containers = ["node-exporter*"]
reason = "reads host processes"
expires = 2999-06-30

[[waiver]]
rules = ["CT0015"]
labels = ["team=observability"]
reason = "the agent watches every process"

[[waiver]]
rules = ["host-pid"]
images = ["registry.example.com/ci/*"]
reason = "builds need the host's processes"
"#;

#[test]
fn waivers_match_by_container_label_and_image_and_do_not_fail_the_run() {
    let dir = workdir("waivers");
    write(&dir, "dockward.toml", WAIVERS);
    let (code, report, stderr) = audit(&dir, &[]);
    assert_eq!(
        code,
        Some(0),
        "everything else passes under baseline; stderr: {stderr}"
    );
    assert_eq!(
        verdicts(&report, "CT0015"),
        [
            v("node-exporter-1", "fail", Some("reads host processes")),
            v("agent", "fail", Some("the agent watches every process")),
            v("builder", "fail", Some("builds need the host's processes")),
            v("web", "pass", None),
            v("app", "pass", None),
        ]
    );
    let first = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "CT0015")
        .unwrap();
    assert_eq!(
        first["waived"],
        json!({"reason": "reads host processes", "at": "dockward.toml:3:1", "expires": "2999-06-30"})
    );
    assert_eq!(report["summary"]["waived"], 3);
    assert_eq!(report["summary"]["by_status"]["fail"], 0);
    assert_eq!(
        report["policy"]["waivers"],
        json!([
            {"at": "dockward.toml:3:1", "rules": ["host-pid"], "reason": "reads host processes",
             "expires": "2999-06-30", "state": "active", "matched": 1},
            {"at": "dockward.toml:9:1", "rules": ["CT0015"], "reason": "the agent watches every process",
             "state": "active", "matched": 1},
            {"at": "dockward.toml:14:1", "rules": ["host-pid"], "reason": "builds need the host's processes",
             "state": "active", "matched": 1},
        ])
    );
    assert_eq!(report["warnings"], json!([]));

    // Text: shown as WAIVED, with the reason and where the waiver is.
    let snapshot = snapshot();
    let out = dockward(&dir, &["audit", "--snapshot", &snapshot, "--only", "containers"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "    WAIVED container node-exporter-1: container shares the host's PID namespace (waived by dockward.toml:3:1 until 2999-06-30: reads host processes)\n"
        ),
        "{text}"
    );
    assert!(text.contains("    WAIVED container agent: container shares the host's PID namespace (waived by dockward.toml:9:1: the agent watches every process)\n"));
    assert!(
        text.contains(", 3 waived, "),
        "the summary line counts waived: {text}"
    );
    common::golden("policy", "policy/waivers.txt", text.as_bytes());

    // SARIF: external suppressions; JUnit: skipped.
    let out = dockward(
        &dir,
        &[
            "audit",
            "--snapshot",
            &snapshot,
            "--only",
            "containers",
            "--format",
            "sarif",
        ],
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["suppressions"][0]["kind"], "external");
    assert_eq!(
        results[0]["suppressions"][0]["justification"],
        "reads host processes"
    );
    assert_eq!(
        results[0]["suppressions"][0]["location"]["physicalLocation"],
        json!({"artifactLocation": {"uri": "dockward.toml"}, "region": {"startLine": 3, "startColumn": 1}})
    );
    let out = dockward(
        &dir,
        &[
            "audit",
            "--snapshot",
            &snapshot,
            "--only",
            "containers",
            "--format",
            "junit",
        ],
    );
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.contains("<skipped message=\"waived: reads host processes\"/>"),
        "{xml}"
    );
}

#[test]
fn an_expired_waiver_counts_again_with_a_warning_and_an_unused_one_is_reported() {
    let dir = workdir("expired");
    write(
        &dir,
        "dockward.toml",
        r#"profile = "baseline"

[[waiver]]
rules = ["host-pid"]
containers = ["node-exporter*", "agent", "builder"]
reason = "reads host processes"
expires = 2000-01-01

[[waiver]]
rules = ["host-pid"]
containers = ["nothing-*"]
reason = "left over"
"#,
    );
    let (code, report, _) = audit(&dir, &[]);
    assert_eq!(code, Some(1), "the expired waiver accepts nothing");
    let expected: Vec<_> = HOST_PID_FAILS.iter().map(|(n, s)| v(n, s, None)).collect();
    assert_eq!(verdicts(&report, "CT0015"), expected);
    assert_eq!(report["summary"]["waived"], 0);
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("waiver at dockward.toml:3:1 (")
            && warnings[0].ends_with("expired on 2000-01-01: 3 failure(s) count again"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with("waiver at dockward.toml:9:1 (")
            && warnings[1].ends_with("matched no failure"),
        "{warnings:?}"
    );
    let states: Vec<(&str, u64)> = report["policy"]["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["state"].as_str().unwrap(), w["matched"].as_u64().unwrap()))
        .collect();
    assert_eq!(states, [("expired", 0), ("unused", 0)]);
}

/// Runs `audit` with a policy and returns the exit code and standard error.
fn invalid(name: &str, policy: &str) -> (Option<i32>, String, String) {
    let dir = workdir(name);
    write(&dir, "dockward.toml", policy);
    let snapshot = snapshot();
    let out = dockward(&dir, &["audit", "--snapshot", &snapshot]);
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn policy_errors_are_reported_at_their_line_and_column_and_nothing_runs() {
    let cases = [
        (
            "unknown-key",
            "profile = \"baseline\"\n[rules]\nenabled = [\"CT0006\"]\n",
            "dockward.toml:3:1: unknown key \"enabled\"",
        ),
        (
            "unknown-rule",
            "[rules]\ndisable = [\"CT0011\", \"CT9999\"]\n",
            "dockward.toml:2:22: unknown rule, rule name or category \"CT9999\"",
        ),
        (
            "bad-glob",
            "[[waiver]]\nrules = [\"host-pid\"]\ncontainers = [\"node-[exporter\"]\nreason = \"x\"\n",
            "dockward.toml:3:15: bad glob \"node-[exporter\"",
        ),
        (
            "bad-date",
            "[[waiver]]\nrules = [\"host-pid\"]\ncontainers = [\"a\"]\nreason = \"x\"\nexpires = 2027-02-30\n",
            "dockward.toml:5:11: invalid date",
        ),
    ];
    for (name, policy, expected) in cases {
        let (code, stdout, stderr) = invalid(name, policy);
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert_eq!(stdout, "", "{name}: nothing was judged");
        assert!(stderr.starts_with(expected), "{name}: {stderr}");
        assert!(
            stderr
                .ends_with("dockward: the policy dockward.toml is invalid (1 problem); nothing was judged\n"),
            "{name}: {stderr}"
        );
    }
    // Every problem, in file order.
    let (code, _, stderr) = invalid("two", "profil = \"baseline\"\n[rules]\ndisable = [\"nope\"]\n");
    assert_eq!(code, Some(2));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].starts_with("dockward.toml:1:1: unknown key \"profil\""),
        "{stderr}"
    );
    assert!(lines[1].starts_with("dockward.toml:3:12: "), "{stderr}");
    assert!(lines[2].ends_with("is invalid (2 problems); nothing was judged"));
}

#[test]
fn unknown_rules_on_the_command_line_are_bad_arguments() {
    let dir = workdir("unknown-flags");
    let snapshot = snapshot();
    for (flag, value) in [
        ("--enable", "nope"),
        ("--disable", "CT9999"),
        ("--severity", "nope=high"),
    ] {
        let out = dockward(&dir, &["audit", "--snapshot", &snapshot, flag, value]);
        assert_eq!(out.status.code(), Some(2));
        let rule = value.split('=').next().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("dockward: unknown rule \"{rule}\" in {flag}; `dockward rules` lists them\n")
        );
    }
    let out = dockward(
        &dir,
        &["audit", "--snapshot", &snapshot, "--severity", "host-pid=urgent"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = dockward(&dir, &["audit", "--snapshot", &snapshot, "--profile", "strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected one of baseline, restricted"));
}

const ORG001: &str = r#"package dockward.custom

import rego.v1

deny contains {"id": "ORG001", "message": "team images come from registry.example.com"} if {
	input.kind in {"container", "compose-service"}
	not startswith(input.workload.image.value, "registry.example.com/")
}

test_registry_image_is_accepted if {
	count(deny) == 0 with input as {"kind": "container", "workload": {"image": {"value": "registry.example.com/web:1"}}}
}

test_other_image_is_denied if {
	count(deny) == 1 with input as {"kind": "container", "workload": {"image": {"value": "docker.io/app:1"}}}
}
"#;

fn custom_results(report: &Value) -> Vec<(String, String, String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"].as_str().unwrap().starts_with("custom/") && r["status"] != "pass")
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["target"]["name"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
                r["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn c(rule: &str, target: &str, status: &str, severity: &str) -> (String, String, String, String) {
    (rule.into(), target.into(), status.into(), severity.into())
}

#[test]
fn a_rego_rule_judges_the_audit_in_every_format_and_takes_waivers_and_severities() {
    let dir = workdir("rego-audit");
    write(&dir, "policies/org.rego", ORG001);
    write(
        &dir,
        "dockward.toml",
        "profile = \"baseline\"\nrego = [\"policies/*.rego\"]\n[rules]\ndisable = [\"host-pid\"]\n",
    );
    let (code, report, stderr) = audit(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        custom_results(&report),
        [c("custom/ORG001", "app", "fail", "high")]
    );
    let finding = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "custom/ORG001" && r["status"] == "fail")
        .unwrap();
    assert_eq!(finding["message"], "team images come from registry.example.com");
    assert_eq!(finding["target"]["kind"], "container");

    let snapshot = snapshot();
    let text = dockward(&dir, &["audit", "--snapshot", &snapshot, "--only", "containers"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("    FAIL  container app: team images come from registry.example.com\n"),
        "{text}"
    );
    let sarif = dockward(
        &dir,
        &[
            "audit",
            "--snapshot",
            &snapshot,
            "--only",
            "containers",
            "--format",
            "sarif",
        ],
    );
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "custom/ORG001");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(
        results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "container/app"
    );

    // Severity overrides and --fail-on.
    let (code, report, _) = audit(&dir, &["--severity", "custom/ORG001=low", "--fail-on", "medium"]);
    assert_eq!(
        custom_results(&report),
        [c("custom/ORG001", "app", "fail", "low")]
    );
    assert_eq!(code, Some(0));
    // Disabled like a built-in rule.
    let (code, report, _) = audit(&dir, &["--disable", "custom/ORG001"]);
    assert_eq!(custom_results(&report), []);
    assert_eq!(code, Some(0));

    // A waiver.
    write(
        &dir,
        "dockward.toml",
        "profile = \"baseline\"\nrego = [\"policies/*.rego\"]\n[rules]\ndisable = [\"host-pid\"]\n\n[[waiver]]\nrules = [\"custom/ORG001\"]\ncontainers = [\"app\"]\nreason = \"moves to the registry in Q3\"\n",
    );
    let (code, report, _) = audit(&dir, &[]);
    assert_eq!(code, Some(0));
    let waived: Vec<_> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "custom/ORG001" && r["status"] == "fail")
        .map(|r| r["waived"]["reason"].clone())
        .collect();
    assert_eq!(waived, [json!("moves to the registry in Q3")]);
}

#[test]
fn a_rego_rule_judges_compose_services_in_lint() {
    let dir = workdir("rego-lint");
    write(&dir, "policies/org.rego", ORG001);
    write(&dir, "dockward.toml", "rego = [\"policies/*.rego\"]\n");
    write(
        &dir,
        "compose.yaml",
        "services:\n  web:\n    image: registry.example.com/web:1\n  app:\n    image: docker.io/library/app:1\n",
    );
    let out = dockward(&dir, &["lint", "-f", "compose.yaml", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        custom_results(&report),
        [c("custom/ORG001", "app", "fail", "high")]
    );
    let finding = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "custom/ORG001" && r["status"] == "fail")
        .unwrap();
    assert_eq!(finding["target"]["kind"], "compose-service");
    assert_eq!(finding["location"]["path"], "compose.yaml");
    assert_eq!(finding["location"]["line"], 4);

    // Waived by service, and the other failures of the services out of the way.
    write(
        &dir,
        "dockward.toml",
        "rego = [\"policies/*.rego\"]\nprofile = \"baseline\"\n\n[[waiver]]\nrules = [\"custom/ORG001\"]\nservices = [\"app\"]\nreason = \"vendor image\"\n",
    );
    let out = dockward(&dir, &["lint", "-f", "compose.yaml", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["waived"], 1);
    assert_eq!(report["summary"]["by_status"]["fail"], 0, "{report:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_rego_runtime_error_is_an_error_result_not_a_pass() {
    let dir = workdir("rego-error");
    write(
        &dir,
        "policies/broken.rego",
        "package dockward.broken\n\nimport rego.v1\n\ndeny contains {\"id\": \"ORG002\", \"message\": \"never\"} if {\n\tinput.kind == \"container\"\n\tto_number(\"not a number\") > 0\n}\n",
    );
    write(
        &dir,
        "dockward.toml",
        "profile = \"baseline\"\nrego = [\"policies/*.rego\"]\n[rules]\ndisable = [\"host-pid\"]\n",
    );
    let (code, report, _) = audit(&dir, &[]);
    let errors: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"].as_str().unwrap().starts_with("custom/"))
        .collect();
    let containers: Vec<&str> = errors
        .iter()
        .filter(|r| r["target"]["kind"] == "container")
        .map(|r| r["target"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(containers, ["node-exporter-1", "agent", "builder", "web", "app"]);
    for r in &errors {
        assert_eq!(r["status"], "error", "{r}");
        assert_eq!(r["rule"], "custom/dockward.broken", "{r}");
        assert_eq!(
            r["message"],
            "policies/broken.rego: data.dockward.broken.deny: policies/broken.rego:7:16: could not parse string as number"
        );
    }
    assert_eq!(
        errors.len(),
        5,
        "--only containers: no custom result on the daemon or the host"
    );
    assert_eq!(report["summary"]["by_status"]["error"], 5);
    assert_eq!(
        code,
        Some(1),
        "an error on a rule at or above --fail-on fails the run"
    );
    assert_eq!(audit(&dir, &["--errors-ok"]).0, Some(0));
}

#[test]
fn policy_show_prints_each_rule_and_where_its_settings_came_from() {
    let dir = workdir("show");
    write(&dir, "policies/org.rego", ORG001);
    write(
        &dir,
        "dockward.toml",
        "profile = \"baseline\"\nrego = [\"policies/*.rego\"]\n\n[rules]\nenable = [\"pids-unlimited\"]\ndisable = [\"host-pid\"]\nseverity = { memory-unlimited = \"high\" }\n\n[[waiver]]\nrules = [\"host-ipc\"]\ncontainers = [\"a*\"]\nreason = \"old\"\nexpires = 2000-01-01\n\n[[waiver]]\nrules = [\"host-uts\"]\ncontainers = [\"b*\"]\nreason = \"current\"\n",
    );
    let out = dockward(
        &dir,
        &[
            "policy",
            "show",
            "--enable",
            "host-pid",
            "--severity",
            "privileged-container=low",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "policy: dockward.toml");
    assert_eq!(lines[1], "profile: baseline");
    let row = |id: &str| -> Vec<String> {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("no row for {id}: {text}"));
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        row("CT0015"),
        ["CT0015", "host-pid", "on", "high", "--enable", "default"]
    );
    assert_eq!(
        row("CT0025"),
        [
            "CT0025",
            "pids-unlimited",
            "on",
            "low",
            "dockward.toml:5:11",
            "default"
        ]
    );
    assert_eq!(
        row("CT0006"),
        [
            "CT0006",
            "privileged-container",
            "on",
            "low",
            "profile baseline",
            "--severity"
        ]
    );
    assert_eq!(
        row("CT0010"),
        [
            "CT0010",
            "memory-unlimited",
            "off",
            "high",
            "profile baseline",
            "dockward.toml:7:14"
        ]
    );
    assert!(text.contains("\nwaivers:\n  dockward.toml:9:1 expired host-ipc until 2000-01-01: old\n  dockward.toml:15:1 active host-uts: current\n"), "{text}");
    assert!(text.ends_with("\nrego modules:\n  policies/org.rego\n"), "{text}");

    let out = dockward(&dir, &["policy", "show", "--format", "json"]);
    let show: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(show["policy"], "dockward.toml");
    assert_eq!(show["profile"], "baseline");
    let rule = |id: &str| {
        show["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        rule("CT0015"),
        json!({"id": "CT0015", "name": "host-pid", "enabled": false,
               "enabled_by": {"source": "file", "path": "dockward.toml", "line": 6, "column": 12},
               "severity": "high", "severity_by": {"source": "default"}})
    );
    assert_eq!(
        rule("CT0006"),
        json!({"id": "CT0006", "name": "privileged-container", "enabled": true,
               "enabled_by": {"source": "profile", "name": "baseline"},
               "severity": "critical", "severity_by": {"source": "default"}})
    );
    assert_eq!(show["waivers"][0]["state"], "expired");
    assert_eq!(show["waivers"][1]["state"], "active");
    assert_eq!(show["rego"], json!(["policies/org.rego"]));

    // Without a policy: the defaults.
    let out = dockward(&workdir("show-none"), &["policy", "show", "--no-policy"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("policy: none (dockward's defaults)\nprofile: default\n"),
        "{text}"
    );
}

#[test]
fn policy_test_runs_the_rego_tests_and_policy_check_validates() {
    let dir = workdir("policy-test");
    write(&dir, "policies/org.rego", ORG001);
    write(&dir, "dockward.toml", "rego = [\"policies/*.rego\"]\n");
    let out = dockward(&dir, &["policy", "test"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "policies/org.rego:\ndata.dockward.custom.test_registry_image_is_accepted: PASS\ndata.dockward.custom.test_other_image_is_denied: PASS\n{}\nPASS: 2/2\n",
            "-".repeat(80)
        )
    );
    write(
        &dir,
        "policies/org.rego",
        &ORG001.replace("count(deny) == 1 with", "count(deny) == 2 with"),
    );
    let out = dockward(&dir, &["policy", "test"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("data.dockward.custom.test_other_image_is_denied: FAIL\n"),
        "{text}"
    );
    assert!(text.ends_with("PASS: 1/2\nFAIL: 1/2\n"), "{text}");

    let out = dockward(&dir, &["policy", "check"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "dockward.toml: valid (1 Rego module)\n"
    );

    write(
        &dir,
        "dockward.toml",
        "rego = [\"policies/*.rego\"]\nprofile = \"nope\"\n",
    );
    for command in ["test", "check"] {
        let out = dockward(&dir, &["policy", command]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("dockward.toml:2:11: unknown profile \"nope\"")
        );
    }
    let out = dockward(&workdir("policy-test-none"), &["policy", "check"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_baseline_hides_known_failures_and_lists_fixed_ones() {
    let dir = workdir("baseline");
    // The previous report: host-pid fails on three containers.
    let (_, mut previous, _) = audit(&dir, &["--no-policy", "--profile", "baseline"]);
    // Since then: builder's failure is new (it was not in the baseline), and a failure of the
    // baseline is gone.
    let results = previous["results"].as_array_mut().unwrap();
    results.retain(|r| !(r["rule"] == "CT0015" && r["target"]["name"] == "builder"));
    results.push(json!({
        "rule": "CT0006", "name": "privileged-container", "status": "fail", "severity": "critical",
        "target": {"kind": "container", "name": "old-db", "id": "abc"},
        "message": "container is privileged", "references": []
    }));
    write(&dir, "previous.json", &previous.to_string());

    let (code, report, stderr) = audit(
        &dir,
        &[
            "--no-policy",
            "--profile",
            "baseline",
            "--baseline",
            "previous.json",
        ],
    );
    assert_eq!(code, Some(1), "builder's failure is new: {stderr}");
    let fails: Vec<(String, String, Option<String>)> = verdicts(&report, "CT0015")
        .into_iter()
        .filter(|(_, status, _)| status == "fail")
        .collect();
    assert_eq!(fails, [v("builder", "fail", None)]);
    assert_eq!(report["summary"]["baseline_known"], 2);
    assert_eq!(report["summary"]["by_status"]["fail"], 1);
    assert_eq!(
        report["baseline"],
        json!({"path": "previous.json", "known": 2, "new": 1, "fixed": [
            {"rule": "CT0006", "name": "privileged-container",
             "target": {"kind": "container", "name": "old-db", "id": "abc"},
             "message": "container is privileged"}
        ]})
    );
    let snapshot = snapshot();
    let out = dockward(
        &dir,
        &[
            "audit",
            "--snapshot",
            &snapshot,
            "--only",
            "containers",
            "--no-policy",
            "--profile",
            "baseline",
            "--baseline",
            "previous.json",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("2 known failures from the baseline previous.json not shown; 1 fixed since:\n  FIXED CT0006 privileged-container container old-db: container is privileged\n"),
        "{text}"
    );

    // Against itself: nothing new, exit 0.
    let (_, current, _) = audit(&dir, &["--no-policy", "--profile", "baseline"]);
    write(&dir, "current.json", &current.to_string());
    let (code, report, _) = audit(
        &dir,
        &[
            "--no-policy",
            "--profile",
            "baseline",
            "--baseline",
            "current.json",
        ],
    );
    assert_eq!(code, Some(0));
    assert_eq!(report["baseline"]["known"], 3);
    assert_eq!(report["baseline"]["new"], 0);

    // Files that are not baselines: exit 2, naming the file.
    write(&dir, "sarif.json", "{\"version\": \"2.1.0\", \"runs\": []}");
    write(
        &dir,
        "broken.json",
        "{\"schema_version\": 1, \"tool\": {\"name\": \"dockward\"}, \"results\": [",
    );
    for (file, why) in [
        ("sarif.json", "not a dockward JSON report (no schema_version)"),
        ("broken.json", "not a JSON report: EOF while parsing"),
        ("missing.json", "cannot read baseline missing.json: "),
    ] {
        let out = dockward(&dir, &["audit", "--snapshot", &snapshot, "--baseline", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert_eq!(out.stdout, b"", "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("dockward: ") && stderr.contains(file) && stderr.contains(why),
            "{file}: {stderr}"
        );
    }
}

#[test]
fn a_baseline_works_for_lint_too() {
    let dir = workdir("baseline-lint");
    write(&dir, "Dockerfile", "FROM alpine\nRUN apk add curl\n");
    let out = dockward(&dir, &["lint", "Dockerfile", "--format", "json"]);
    std::fs::write(dir.join("previous.json"), &out.stdout).unwrap();
    let before: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failures = before["summary"]["by_status"]["fail"].as_u64().unwrap();
    assert!(failures > 0);
    // An edit above moves every finding down a line: still known.
    write(
        &dir,
        "Dockerfile",
        "# syntax comment\nFROM alpine\nRUN apk add curl\n",
    );
    let out = dockward(
        &dir,
        &[
            "lint",
            "Dockerfile",
            "--format",
            "json",
            "--baseline",
            "previous.json",
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["baseline"]["known"].as_u64(), Some(failures), "{report:#}");
    assert_eq!(report["baseline"]["new"], 0);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_policy_sets_the_rego_time_limit_and_a_rule_stopped_by_it_is_an_error() {
    let dir = workdir("time-limit");
    write(
        &dir,
        "policies/slow.rego",
        "package dockward.slow\nimport rego.v1\ndeny contains {\"id\": \"SLOW\", \"message\": sprintf(\"%d\", [n])} if {\n    input.kind == \"container\"\n    n := count([x | some i in numbers.range(1, 900000); some j in numbers.range(1, 900000); x := i * j])\n}\n",
    );
    write(
        &dir,
        "dockward.toml",
        "rego = [\"policies/*.rego\"]\nrego-time-limit-ms = 20\n",
    );
    let (code, report, stderr) = audit(&dir, &[]);
    // An error is a result that fails the run, as a failure would (exit 2 is for a run that could
    // not be done).
    assert_eq!(code, Some(1), "{stderr}");
    let rule = "custom/dockward.slow";
    assert_eq!(
        verdicts(&report, rule),
        ["node-exporter-1", "agent", "builder", "web", "app"].map(|name| v(name, "error", None))
    );
    let messages: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == rule)
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["policies/slow.rego: data.dockward.slow.deny: stopped: exceeded the time limit of 20 ms"; 5]
    );
}
