//! `dockward lint` end to end: finding Dockerfiles, parse errors that do not stop the rest,
//! suppression comments, standard input, stage and opt-in selection, and every output format.
//!
//! Regenerate the golden files after an intended change with
//! `DOCKWARD_BLESS=1 cargo test -p dockward --test lint`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs dockward in `tests/data`, so reported paths are short and stable.
fn lint(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .arg("lint")
        .args(args)
        .current_dir(common::data_dir())
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A bad argument makes dockward exit before it reads standard input: a closed pipe then
    // is its answer, not a failure of the test.
    if let Err(e) = input.write_all(stdin.unwrap_or_default().as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "writing stdin: {e}");
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `(rule, status, path:line:column)` of every result that is not a pass.
fn findings(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "pass")
        .map(|r| {
            let at = match &r["location"] {
                serde_json::Value::Null => r["target"]["name"].as_str().unwrap().to_string(),
                l => format!("{}:{}:{}", l["path"].as_str().unwrap(), l["line"], l["column"]),
            };
            let status = if r["suppressed"].is_null() {
                r["status"].as_str().unwrap().to_string()
            } else {
                "suppressed".to_string()
            };
            (r["rule"].as_str().unwrap().to_string(), status, at)
        })
        .collect()
}

#[test]
fn a_directory_is_searched_and_a_broken_file_does_not_stop_the_rest() {
    let out = lint(&["lint"], None);
    // A file that cannot be parsed is an operational error (2), even with findings.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::golden("lint", "lint.txt", &out.stdout);

    let report = json(&lint(&["lint", "--format", "json"], None));
    assert_eq!(
        report["source"]["dockerfiles"], 4,
        "ignored/ (.gitignore) and README.md are skipped"
    );
    let mut got = findings(&report);
    got.retain(|(_, status, _)| status != "error");
    assert_eq!(
        got,
        [
            ("DF0001", "fail", "lint/svc/api.Dockerfile:1:1"),
            ("DF0006", "fail", "lint/.devcontainer/Dockerfile:3:1"),
            ("DF0006", "fail", "lint/svc/api.Dockerfile:1:1"),
            ("DF0005", "fail", "lint/svc/api.Dockerfile:5:1"),
            ("DF0011", "suppressed", "lint/Dockerfile:11:38"),
            ("DF0002", "fail", "lint/svc/api.Dockerfile:7:1"),
            ("DF0004", "fail", "lint/svc/api.Dockerfile:2:5"),
            ("DF0007", "fail", "lint/svc/api.Dockerfile:1:6"),
            ("DF0010", "fail", "lint/svc/api.Dockerfile:3:53"),
            ("DF0012", "fail", "lint/svc/api.Dockerfile:8:8"),
        ]
        .map(|(r, s, a)| (r.to_string(), s.to_string(), a.to_string()))
    );
    // Every rule reports the broken file as an error at the line parsing stopped.
    let errors: Vec<&serde_json::Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "error")
        .collect();
    assert_eq!(errors.len(), 18, "one per Dockerfile rule");
    for error in errors {
        assert_eq!(error["target"]["name"], "lint/broken/Dockerfile");
        assert_eq!(error["location"]["line"], 2);
        assert_eq!(error["message"], "could not parse: unterminated heredoc EOF");
    }
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(report["summary"]["by_status"]["fail"], 9);
    let suppressed = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["suppressed"].is_null())
        .unwrap();
    assert_eq!(
        suppressed["suppressed"],
        serde_json::json!({
            "reason": "the spool directory is shared with the host's mail daemon",
            "at": "lint/Dockerfile:10:1"
        })
    );
}

#[test]
fn files_are_linted_whatever_their_name_and_suppressed_findings_do_not_fail() {
    let out = lint(&["lint/Dockerfile", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "the one finding is suppressed");
    let report = json(&out);
    assert_eq!(
        findings(&report),
        [(
            "DF0011".to_string(),
            "suppressed".to_string(),
            "lint/Dockerfile:11:38".to_string()
        )]
    );
    // A file named explicitly is read as a Dockerfile, whatever its name.
    let out = lint(&["lint/README.md", "--format", "json", "--fail-on", "none"], None);
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let first = &report["results"][0];
    assert_eq!(first["message"], "could not parse: unknown instruction: NOT");
    assert_eq!(
        first["location"],
        serde_json::json!({"path": "lint/README.md", "line": 1, "column": 1})
    );
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let dockerfile = "FROM alpine:3.20\nRUN --network=host wget -qO- https://example.com/x | sh\n";
    let out = lint(&["-", "--format", "json", "--fail-on", "high"], Some(dockerfile));
    assert_eq!(out.status.code(), Some(1), "DF0010 is high");
    let got = findings(&json(&out));
    assert_eq!(
        got,
        [
            ("DF0001", "fail", "-:1:1"),
            ("DF0006", "fail", "-:1:1"),
            ("DF0010", "fail", "-:2:54"),
            ("DF0016", "fail", "-:2:5"),
        ]
        .map(|(r, s, a)| (r.to_string(), s.to_string(), a.to_string()))
    );
}

#[test]
fn ignore_comments_naming_unknown_rules_are_reported() {
    let dockerfile = "FROM alpine:3.20\n# dockward ignore=sudo-in-rn,DF0009 typo\nRUN sudo true\n";
    let out = lint(&["-", "--format", "json", "--fail-on", "none"], Some(dockerfile));
    let report = json(&out);
    assert_eq!(
        report["warnings"],
        serde_json::json!(["-:2:1: dockward ignore names unknown rule \"sudo-in-rn\""])
    );
    assert_eq!(
        report["summary"]["suppressed"], 1,
        "the valid id still suppresses"
    );
}

#[test]
fn target_stage_and_opt_in_rules() {
    let dockerfile = "FROM alpine:3.20 AS dev\nFROM alpine:3.20 AS prod\nUSER app\nHEALTHCHECK CMD true\n\
                      FROM prod AS debug\nUSER root\n";
    let rules = |args: &[&str]| {
        let out = lint(&[&["-", "--format", "json"], args].concat(), Some(dockerfile));
        findings(&json(&out))
            .into_iter()
            .map(|(rule, _, at)| format!("{rule} {at}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&[]), ["DF0001 -:6:1"]);
    assert_eq!(rules(&["--target", "prod"]), Vec::<String>::new());
    assert_eq!(rules(&["--target", "dev"]), ["DF0001 -:1:1", "DF0006 -:1:1"]);
    assert_eq!(
        rules(&["--target", "prod", "--enable", "base-image-without-digest"]),
        ["DF0008 -:1:6", "DF0008 -:2:6"]
    );
}

#[test]
fn sarif_and_junit_outputs() {
    let out = lint(&["lint", "--format", "sarif"], None);
    assert_eq!(out.status.code(), Some(2));
    common::golden("lint", "lint.sarif", &out.stdout);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let piped = results.iter().find(|r| r["ruleId"] == "DF0010").unwrap();
    let location = &piped["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "lint/svc/api.Dockerfile");
    assert_eq!(location["region"]["startLine"], 3);
    assert_eq!(location["region"]["startColumn"], 53);

    let out = lint(&["lint", "--format", "junit"], None);
    assert_eq!(out.status.code(), Some(2));
    common::golden("lint", "lint.junit.xml", &out.stdout);
}

#[test]
fn nothing_to_lint_is_an_error() {
    let out = lint(&["lint/svc/missing.Dockerfile"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot search lint/svc/missing.Dockerfile"),
        "{stderr}"
    );
    assert!(stderr.contains("no Dockerfiles found"), "{stderr}");
}

#[test]
fn a_missing_healthcheck_alone_does_not_fail_at_low() {
    // Nearly every real Dockerfile lacks a HEALTHCHECK: DF0006 is info, so `--fail-on low`
    // does not fail every build over it, while `--fail-on info` still does.
    let dockerfile = "FROM alpine:3.20\nUSER 10001\n";
    let out = lint(&["-", "--format", "json", "--fail-on", "low"], Some(dockerfile));
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    assert_eq!(
        findings(&report),
        [("DF0006".to_string(), "fail".to_string(), "-:1:1".to_string())]
    );
    let df0006 = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "DF0006")
        .unwrap();
    assert_eq!(df0006["severity"], "info");
    let out = lint(&["-", "--format", "json", "--fail-on", "info"], Some(dockerfile));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_target_stage_that_does_not_exist_is_a_bad_argument() {
    let out = lint(&["-", "--target", "nope"], Some("FROM alpine:3.20 AS build\n"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dockward: -: target stage \"nope\" could not be found\n"
    );
}

#[test]
fn an_unknown_rule_to_enable_is_a_bad_argument() {
    let out = lint(&["-", "--enable", "DF9999"], Some("FROM alpine:3.20\n"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dockward: unknown rule \"DF9999\" in --enable; `dockward rules` lists them\n"
    );
}

/// Runs dockward lint on `args` from `dir`.
fn lint_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockward"))
        .arg("lint")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn what_is_not_a_regular_file_is_refused_and_the_rest_is_linted() {
    let dir = std::env::temp_dir().join(format!("dockward-lint-special-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    std::fs::write(dir.join("tree/Dockerfile"), "FROM alpine:3.20\nUSER app\n").unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .unwrap()
            .success()
    );
    // A directory walk that meets a symlink to a FIFO or a device.
    std::os::unix::fs::symlink(dir.join("fifo"), dir.join("tree/pipe.Dockerfile")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("tree/zero.Dockerfile")).unwrap();
    let out = lint_in(&dir, &["tree", "fifo", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "dockward: cannot read tree/pipe.Dockerfile: not a regular file (a FIFO)\n\
         dockward: cannot read tree/zero.Dockerfile: not a regular file (a character device)\n\
         dockward: cannot read fifo: not a regular file (a FIFO)\n"
    );
    let report = json(&out);
    let errors: Vec<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "error")
        .map(|r| {
            (
                r["target"]["name"].as_str().unwrap().to_string(),
                r["message"].as_str().unwrap().to_string(),
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        errors,
        [
            (
                "fifo".to_string(),
                "could not lint: not a regular file (a FIFO)".to_string()
            ),
            (
                "tree/pipe.Dockerfile".to_string(),
                "could not lint: not a regular file (a FIFO)".to_string()
            ),
            (
                "tree/zero.Dockerfile".to_string(),
                "could not lint: not a regular file (a character device)".to_string()
            ),
        ]
    );
    assert_eq!(
        report["source"]["dockerfiles"], 4,
        "the regular file is linted too"
    );
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["target"]["name"] == "tree/Dockerfile" && r["status"] == "pass")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dockerfiles_and_standard_input_are_read_up_to_32_mib() {
    let dir = std::env::temp_dir().join(format!("dockward-lint-big-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let limit = 32 << 20;
    let mut text = "FROM alpine:3.20\nUSER app\n".to_string();
    text.push_str(&"#".repeat(limit + 1 - text.len() - 1));
    text.push('\n');
    assert_eq!(text.len(), limit + 1);
    std::fs::write(dir.join("Dockerfile"), &text).unwrap();
    let out = lint_in(&dir, &["Dockerfile", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dockward: cannot read Dockerfile: larger than the 32 MiB limit\n"
    );

    // Standard input: dockward stops reading after the limit, so the writer may see EPIPE.
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(["lint", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dockward: cannot read -: larger than the 32 MiB limit\n"
    );
    // Exactly at the limit is fine.
    let mut text = "FROM alpine:3.20\nUSER app\n".to_string();
    text.push_str(&"#".repeat(limit - text.len() - 1));
    text.push('\n');
    std::fs::write(dir.join("Dockerfile"), &text).unwrap();
    let out = lint_in(&dir, &["Dockerfile", "--format", "json", "--fail-on", "none"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn text_output_shows_control_characters_of_paths_and_files_visibly() {
    let dir = std::env::temp_dir().join(format!("dockward-lint-escape-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("evil\u{1b}[2K\r.Dockerfile"),
        "FROM alpine:3.20\nRUN curl https://x.example/i.sh | sh # \u{1b}[2K\rPASS\n",
    )
    .unwrap();
    let out = lint_in(&dir, &[".", "--color", "never"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    assert!(text.contains("./evil\\x1b[2K\\r.Dockerfile:2:"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
