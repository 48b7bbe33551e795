//! `dockward lint` of compose files and Kubernetes manifests end to end: discovery (a compose
//! file with its override, manifests, other YAML skipped, an explicit file by content), `-f`
//! merge order, `--env-file` and the process environment, the caret under the offending
//! column, SARIF related locations, and a broken file reported at its line while the rest is
//! still linted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::process::{Command, Output};

use serde_json::Value;

/// Runs `dockward lint ARGS` in `tests/data`, with `env` set and WEB_PRIVILEGED unset.
fn lint_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dockward"));
    command
        .arg("lint")
        .args(args)
        .current_dir(common::data_dir())
        .env_remove("WEB_PRIVILEGED")
        .env("NO_COLOR", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn lint(args: &[&str]) -> Output {
    lint_env(args, &[])
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// `rule status target@path:line:column` of the results of `rules`, in report order.
fn findings(report: &Value, rules: &[&str]) -> Vec<String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| rules.contains(&r["rule"].as_str().unwrap()))
        .map(|r| {
            let at = match &r["location"] {
                Value::Null => String::new(),
                l => format!("@{}:{}:{}", l["path"].as_str().unwrap(), l["line"], l["column"]),
            };
            format!(
                "{} {} {}{at}",
                r["rule"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["target"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

fn status_of(report: &Value, rule: &str, target: &str) -> String {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule && r["target"]["name"] == target)
        .map(|r| r["status"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {rule} result on {target}"))
}

#[test]
fn a_directory_yields_compose_projects_with_their_overrides_and_manifests() {
    let out = lint(&["lint-files/project", "lint-files/k8s", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let report = json(&out);
    assert_eq!(report["source"]["compose_projects"], 1);
    assert_eq!(
        report["source"]["manifests"], 1,
        "values.yaml is no manifest: skipped"
    );
    assert_eq!(report["source"]["dockerfiles"], 0);
    assert_eq!(
        findings(&report, &["CT0006", "CT0013", "CT0015", "CT0014"]),
        [
            // The project's .env sets WEB_PRIVILEGED=true; the value is written in the anchor
            // and pulled into web by `<<` (its via, below).
            "CT0006 fail web@lint-files/project/compose.yaml:3:3",
            "CT0006 pass db@lint-files/project/compose.yaml:9:3",
            "CT0006 pass CronJob/db-backup/dump@lint-files/k8s/cron.yaml:14:15",
            // The port comes from the override file, merged in by discovery.
            "CT0013 fail web@lint-files/project/compose.override.yaml:4:9",
            "CT0013 pass db@lint-files/project/compose.yaml:9:3",
            "CT0013 pass CronJob/db-backup/dump@lint-files/k8s/cron.yaml:14:15",
            "CT0014 pass web@lint-files/project/compose.yaml:5:3",
            "CT0014 pass db@lint-files/project/compose.yaml:9:3",
            "CT0014 not_applicable CronJob/db-backup/dump@lint-files/k8s/cron.yaml:14:15",
            "CT0015 pass web@lint-files/project/compose.yaml:5:3",
            "CT0015 pass db@lint-files/project/compose.yaml:9:3",
            "CT0015 fail CronJob/db-backup/dump@lint-files/k8s/cron.yaml:11:11",
        ]
    );
    let privileged = &report["results"].as_array().unwrap()[report["results"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["rule"] == "CT0006")
        .unwrap()];
    assert_eq!(privileged["target"]["kind"], "compose-service");
    assert_eq!(
        privileged["location"]["via"],
        serde_json::json!([{ "path": "lint-files/project/compose.yaml", "line": 6, "column": 9 }])
    );
    let dump = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"]["name"] == "CronJob/db-backup/dump")
        .unwrap();
    assert_eq!(dump["target"]["kind"], "k8s-container");
}

#[test]
fn f_files_are_one_project_merged_in_order() {
    let forward = json(&lint(&[
        "-f",
        "lint-files/project/compose.yaml",
        "-f",
        "lint-files/project/extra.yml",
        "--format",
        "json",
    ]));
    assert_eq!(forward["source"]["compose_projects"], 1);
    assert_eq!(
        findings(&forward, &["CT0015"]),
        [
            "CT0015 pass web@lint-files/project/compose.yaml:5:3",
            "CT0015 fail db@lint-files/project/extra.yml:3:5",
        ]
    );
    // The override file is not applied to -f files (as docker compose -f does not).
    assert_eq!(status_of(&forward, "CT0013", "web"), "pass");
    let undone = json(&lint(&[
        "-f",
        "lint-files/project/compose.yaml",
        "-f",
        "lint-files/project/extra.yml",
        "-f",
        "lint-files/project/undo.yml",
        "--format",
        "json",
    ]));
    assert_eq!(status_of(&undone, "CT0015", "db"), "pass");
}

#[test]
fn env_files_and_the_process_environment_feed_interpolation() {
    let project = "lint-files/project/compose.yaml";
    let dotenv = json(&lint(&["-f", project, "--format", "json"]));
    assert_eq!(
        status_of(&dotenv, "CT0006", "web"),
        "fail",
        ".env sets WEB_PRIVILEGED=true"
    );
    let env_file = json(&lint(&[
        "-f",
        project,
        "--env-file",
        "lint-files/project/no-priv.env",
        "--format",
        "json",
    ]));
    assert_eq!(
        status_of(&env_file, "CT0006", "web"),
        "pass",
        "--env-file replaces .env"
    );
    let process = json(&lint_env(
        &[
            "-f",
            project,
            "--env-file",
            "lint-files/project/no-priv.env",
            "--format",
            "json",
        ],
        &[("WEB_PRIVILEGED", "true")],
    ));
    assert_eq!(
        status_of(&process, "CT0006", "web"),
        "fail",
        "the process environment wins"
    );
}

#[test]
fn the_text_report_quotes_the_offending_line_with_a_caret() {
    let out = lint(&["lint-files/k8s/cron.yaml", "--enable", "CT0015"]);
    assert_eq!(out.status.code(), Some(1));
    common::golden("lint_sources", "lint-files.txt", &out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    let start = text.find("  CT0015 host-pid").expect("CT0015 block");
    let block: String = text[start..].lines().take(6).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        block,
        "  CT0015 host-pid (high): The host's process namespace is not shared
    FAIL  lint-files/k8s/cron.yaml:11:11 (kubernetes container CronJob/db-backup/dump): container shares the host's PID namespace
          11 |           hostPID: true
             |           ^
          lint-files/k8s/cron.yaml:11:11 = \"host\"
    fix: remove --pid=host
"
    );
}

#[test]
fn sarif_names_the_merge_key_that_pulled_a_value_in() {
    let out = lint(&["-f", "lint-files/project/compose.yaml", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let privileged = results.iter().find(|r| r["ruleId"] == "CT0006").unwrap();
    assert_eq!(
        privileged["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": { "uri": "lint-files/project/compose.yaml" },
            "region": { "startLine": 3, "startColumn": 3 }
        })
    );
    assert_eq!(
        privileged["relatedLocations"],
        serde_json::json!([{
            "id": 0,
            "physicalLocation": {
                "artifactLocation": { "uri": "lint-files/project/compose.yaml" },
                "region": { "startLine": 6, "startColumn": 9 }
            },
            "message": { "text": "the value is pulled in here" }
        }])
    );
}

#[test]
fn a_broken_file_is_an_error_at_its_line_and_the_others_are_still_linted() {
    let out = lint(&["lint-files/broken", "lint-files/k8s", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let broken: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"]["name"] == "lint-files/broken/compose.yaml")
        .collect();
    assert!(!broken.is_empty());
    for r in &broken {
        assert_eq!(r["status"], "error");
        assert_eq!(r["target"]["kind"], "compose-service");
        assert_eq!(
            r["location"],
            serde_json::json!({ "path": "lint-files/broken/compose.yaml", "line": 4, "column": 1 })
        );
        assert!(
            r["message"]
                .as_str()
                .unwrap()
                .starts_with("could not lint: invalid YAML"),
            "{}",
            r["message"]
        );
    }
    assert_eq!(status_of(&report, "CT0015", "CronJob/db-backup/dump"), "fail");
}

#[test]
fn a_file_named_explicitly_is_judged_by_its_content() {
    let out = lint(&["lint-files/explicit/app.yml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["source"]["compose_projects"], 1);
    assert_eq!(
        findings(&report, &["CT0009"]),
        ["CT0009 fail cache@lint-files/explicit/app.yml:4:5"]
    );

    // Named explicitly, YAML that is nothing dockward lints is reported, not skipped.
    let out = lint(&["lint-files/k8s/values.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(
            "dockward: cannot lint lint-files/k8s/values.yaml: not a compose file, a Kubernetes manifest"
        ),
        "{stderr}"
    );
    // Said to be a manifest, it is one that carries no object.
    let out = lint(&[
        "lint-files/k8s/values.yaml",
        "--kind",
        "kubernetes",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let first = &report["results"][0];
    assert_eq!(first["status"], "error");
    assert_eq!(
        first["message"],
        "could not lint: not a Kubernetes manifest: no document carries apiVersion and kind"
    );
}

#[test]
fn a_profile_selects_its_rules_for_compose_and_manifests() {
    let report = json(&lint(&[
        "lint-files/k8s",
        "--profile",
        "baseline",
        "--format",
        "json",
    ]));
    let rules: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"CT0015"), "host-pid is a baseline rule");
    assert!(!rules.contains(&"CT0024"), "healthcheck-missing is in no profile");
    assert!(!rules.contains(&"CT0001"), "runs-as-root is restricted only");
    let restricted = json(&lint(&[
        "lint-files/k8s",
        "--profile",
        "restricted",
        "--format",
        "json",
    ]));
    // A Kubernetes container is judged by the standard's controls; runs-as-root is the profile's
    // Docker mapping of them.
    assert_eq!(status_of(&restricted, "PS0013", "CronJob/db-backup/dump"), "fail");
    assert_eq!(
        status_of(&restricted, "CT0001", "CronJob/db-backup/dump"),
        "not_applicable"
    );
}

#[test]
fn a_directory_with_nothing_to_lint_says_so() {
    let out = lint(&["lint-files/explicit/../k8s/values.yaml", "--kind", "dockerfile"]);
    // Forced to be a Dockerfile, YAML does not parse as one: still linted, an error.
    assert_eq!(out.status.code(), Some(2));
    let empty = std::env::temp_dir().join(format!("dockward-empty-{}", std::process::id()));
    std::fs::create_dir_all(empty.join("sub")).unwrap();
    std::fs::write(empty.join("sub/notes.yaml"), "a: 1\n").unwrap();
    let out = lint(&[empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing to lint: no Dockerfiles found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn daemon_json_and_seccomp_profiles_are_found_and_judged_at_their_keys() {
    let out = lint(&["lint-files/config", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["source"]["daemon_json"], 1);
    assert_eq!(
        report["source"]["seccomp_profiles"], 1,
        "package.json is no profile"
    );
    assert_eq!(
        findings(&report, &["DA0002", "DA0015", "SC0001"]),
        [
            "DA0002 fail lint-files/config/daemon.json@lint-files/config/daemon.json:2:3",
            "DA0015 pass lint-files/config/daemon.json@lint-files/config/daemon.json:3:3",
            "SC0001 fail lint-files/config/allow-all.json@lint-files/config/allow-all.json:2:3",
        ]
    );
    let kinds: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"]["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds
            .iter()
            .all(|k| *k == "daemon-json" || *k == "seccomp-profile")
    );

    // Said to be a profile, a file that is not JSON is an error for every seccomp rule.
    let out = lint(&[
        "lint-files/k8s/values.yaml",
        "--kind",
        "seccomp",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let results = report["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "error" && r["target"]["kind"] == "seccomp-profile")
    );
}

#[test]
fn a_variable_that_is_not_utf8_in_the_environment_does_not_stop_the_lint() {
    use std::os::unix::ffi::OsStrExt;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dockward"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
        .env(
            std::ffi::OsStr::from_bytes(b"DW_BAD"),
            std::ffi::OsStr::from_bytes(b"\xff\xfe"),
        )
        .args(["lint", "lint-files/project", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
