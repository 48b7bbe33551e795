//! The `dockward` binary offline: reports of a recorded snapshot (golden files), bad input,
//! exit codes and the rule catalogue. Needs no daemon.
//!
//! Regenerate the golden files after an intended change with
//! `DOCKWARD_BLESS=1 cargo test -p dockward --test cli`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    common::data_dir().join(name)
}

fn dockward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(args)
        .env_remove("DOCKER_HOST")
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn snapshot() -> String {
    data("snapshot.json").display().to_string()
}

#[test]
fn text_report_of_a_snapshot() {
    let out = dockward(&["audit", "--snapshot", &snapshot()]);
    assert_eq!(out.status.code(), Some(1), "the snapshot has failures");
    assert!(
        !out.stdout.contains(&0x1b),
        "no colour when stdout is not a terminal"
    );
    common::golden("cli", "snapshot.txt", &out.stdout);
}

#[test]
fn json_report_of_a_snapshot() {
    let out = dockward(&["audit", "--snapshot", &snapshot(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    common::golden("cli", "snapshot.report.json", &out.stdout);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gone: Vec<&serde_json::Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"]["name"] == "gone")
        .collect();
    assert_eq!(gone.len(), 32);
    assert!(gone.iter().all(|r| r["status"] == "error"
        && r["message"] == "could not inspect: no such container: it was removed after it was listed"));
}

#[test]
fn sarif_and_junit_reports_of_a_snapshot() {
    let out = dockward(&["audit", "--snapshot", &snapshot(), "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&dockward(&["audit", "--snapshot", &snapshot(), "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(
        results.len(),
        json["summary"]["by_status"]["fail"].as_u64().unwrap() as usize
    );
    let privileged = results.iter().find(|r| r["ruleId"] == "CT0006").unwrap();
    assert_eq!(privileged["level"], "error");
    assert_eq!(
        privileged["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "container/builder",
        "the snapshot's privileged container"
    );

    let out = dockward(&["audit", "--snapshot", &snapshot(), "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    let fails = json["summary"]["by_status"]["fail"].as_u64().unwrap();
    let errors = json["summary"]["by_status"]["error"].as_u64().unwrap();
    assert!(
        xml.contains(&format!("failures=\"{fails}\" errors=\"{errors}\"")),
        "{}",
        xml.lines().take(3).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn colour_on_request_and_all_results_on_request() {
    let out = dockward(&[
        "audit",
        "--snapshot",
        &snapshot(),
        "--color",
        "always",
        "--show-all",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\x1b[1;31mFAIL \x1b[0m container builder: container is privileged"),
        "{text}"
    );
    assert!(
        text.contains("\x1b[32mPASS \x1b[0m container web: container runs as user \"1000\""),
        "{text}"
    );
    assert!(!text.contains("--show-all lists them"));
}

#[test]
fn thresholds_set_the_exit_code() {
    let exit = |threshold: &str| {
        dockward(&["audit", "--snapshot", &snapshot(), "--fail-on", threshold])
            .status
            .code()
    };
    assert_eq!(
        exit("critical"),
        Some(1),
        "builder is privileged and holds the socket"
    );
    assert_eq!(exit("none"), Some(0));
    let web_only = dockward(&[
        "audit",
        "--snapshot",
        &snapshot(),
        "-c",
        "web",
        "--fail-on",
        "high",
    ]);
    assert_eq!(
        web_only.status.code(),
        Some(0),
        "web fails only medium and low rules"
    );
    let web_medium = dockward(&[
        "audit",
        "--snapshot",
        &snapshot(),
        "-c",
        "web",
        "--fail-on",
        "medium",
    ]);
    assert_eq!(web_medium.status.code(), Some(1));
    let bad = dockward(&["audit", "--snapshot", &snapshot(), "--fail-on", "severe"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("expected one of critical, high, medium, low, info, none")
    );
}

#[test]
fn selecting_containers_in_a_snapshot() {
    let out = dockward(&[
        "audit",
        "--snapshot",
        &snapshot(),
        "-c",
        "web",
        "-c",
        "nope",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Containers are narrowed; the platform (host, daemon, files) is still judged.
    let containers: std::collections::BTreeSet<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"]["kind"] == "container")
        .map(|r| r["target"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(containers.into_iter().collect::<Vec<_>>(), vec!["nope", "web"]);
    let nope = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"]["name"] == "nope")
        .unwrap();
    assert_eq!(nope["status"], "error");
    assert_eq!(
        nope["message"],
        "could not inspect: no such container in the snapshot"
    );
}

#[test]
fn malformed_snapshots_are_named_with_their_position() {
    let dir = std::env::temp_dir().join(format!("dockward-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\n  \"schema_version\": 1,\n  \"containers\": [}\n").unwrap();
    let out = dockward(&["audit", "--snapshot", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "dockward: snapshot {} is malformed: expected value at line 3 column 18\n",
            broken.display()
        )
    );
    assert!(out.stdout.is_empty(), "no report from a broken snapshot");

    let incomplete = dir.join("incomplete.json");
    std::fs::write(&incomplete, "{\"schema_version\": 1}").unwrap();
    let out = dockward(&["audit", "--snapshot", incomplete.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("missing field `collected_by` at line 1 column 21"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let future = dir.join("future.json");
    std::fs::write(&future, "{\"schema_version\": 7}").unwrap();
    let out = dockward(&["audit", "--snapshot", future.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "dockward: snapshot {} has schema_version 7; this dockward reads version 1\n",
            future.display()
        )
    );

    let missing = dir.join("missing.json");
    let out = dockward(&["audit", "--snapshot", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with(&format!("dockward: cannot read snapshot {}:", missing.display()))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rule_catalogue_lists_rules_and_what_is_not_automated() {
    let out = dockward(&["rules"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "CT0006  privileged-container             critical  5.5    Privileged containers are not used\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "DF0008  base-image-without-digest        low       4.2    Base images are pinned by digest (opt-in: --enable)\n"
        ),
        "{text}"
    );
    // Exec rules are judged on requests by the authorization plugin; the catalogue lists them.
    for item in [
        "CIS 5.7   sshd is not run within containers",
        "RQ0001  privileged-exec                  high      5.23   docker exec commands are not used with the privileged option\n",
        "RQ0002  exec-as-root                     medium    5.24   docker exec commands are not used with the user=root option\n",
    ] {
        assert!(text.contains(item), "{item} missing from:\n{text}");
    }

    let json: serde_json::Value =
        serde_json::from_slice(&dockward(&["rules", "--format", "json"]).stdout).unwrap();
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), dockward_rules::RULES.len());
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "CT0006" && r["name"] == "privileged-container" && r["opt_in"] == false)
    );
    assert!(rules.iter().any(|r| r["id"] == "DF0008" && r["opt_in"] == true));
    assert_eq!(
        json["not_automated"].as_array().unwrap().len(),
        dockward_rules::PLANNED.len()
    );

    let markdown = dockward(&["rules", "--format", "markdown"]).stdout;
    let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md")).unwrap();
    assert!(
        markdown == committed,
        "docs/rules.md is not what `dockward rules --format markdown` prints"
    );
}

#[test]
fn explain_prints_one_rule_by_id_or_name() {
    let by_name = dockward(&["explain", "docker-socket-mount"]);
    let by_id = dockward(&["explain", "ct0028"]);
    assert!(by_name.status.success());
    assert_eq!(by_name.stdout, by_id.stdout);
    let text = String::from_utf8(by_name.stdout).unwrap();
    assert!(text.starts_with(
        "# CT0028 docker-socket-mount\n\nThe Docker socket is not mounted inside any containers\n"
    ));
    assert!(text.contains("## Why it matters\n"));
    let unknown = dockward(&["explain", "CT9999"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr),
        "dockward: unknown rule \"CT9999\"; `dockward rules` lists them\n"
    );
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn selectors_naming_nothing_are_bad_arguments() {
    let out = dockward(&["audit", "--snapshot", &snapshot(), "-c", "web", "-c", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "dockward: no such container in the snapshot: nope\n"
    );

    let out = dockward(&["audit", "--snapshot", &snapshot(), "--image", "nope:1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out), "dockward: no such image in the snapshot: nope:1\n");

    let out = dockward(&["audit", "--snapshot", &snapshot(), "--enable", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "dockward: unknown rule \"no-such-rule\" in --enable; `dockward rules` lists them\n"
    );
    assert!(out.stdout.is_empty(), "no report for bad arguments");

    let out = dockward(&["audit", "--snapshot", &snapshot(), "--only", "kernel"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected one of containers, daemon"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn errors_count_at_the_threshold_unless_errors_ok() {
    // `gone` could not be inspected: its results are errors of every container rule.
    let base = ["audit", "--snapshot", &snapshot(), "-c", "web", "-c", "gone"];
    let exit = |extra: &[&str]| {
        let out = dockward(&[&base[..], extra].concat());
        (out.status.code(), stderr(&out))
    };
    assert_eq!(
        exit(&["--fail-on", "high"]).0,
        Some(1),
        "web fails only medium and low rules, gone has errors at critical"
    );
    assert_eq!(exit(&["--fail-on", "high", "--errors-ok"]).0, Some(0));
    assert_eq!(exit(&["--fail-on", "none"]).0, Some(0));

    // Nothing judged at all: every result is an error.
    let out = dockward(&[
        "audit",
        "--snapshot",
        &snapshot(),
        "-c",
        "gone",
        "--only",
        "containers",
        "--errors-ok",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "dockward: nothing could be judged: every check ended in an error\n"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("32 error"), "{text}");
}

#[test]
fn broken_pipe_ends_with_the_sigpipe_status() {
    let (reader, writer) = std::io::pipe().unwrap();
    // The reader is gone before dockward writes: its first write fails with EPIPE.
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(["audit", "--snapshot", &snapshot()])
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(141));
    assert_eq!(stderr(&out), "", "quietly");
}

#[test]
fn header_says_how_many_containers_were_listed_and_judged() {
    let out = dockward(&["audit", "--snapshot", &snapshot(), "--color", "never"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.contains(": containers: 4 listed, 3 judged ·"), "{header}");

    let out = dockward(&[
        "audit",
        "--snapshot",
        &snapshot(),
        "--running",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["source"]["containers"], 1);
    assert_eq!(report["source"]["containers_listed"], 4);
    assert_eq!(report["source"]["running_only"], true);
    let out = dockward(&[
        "audit",
        "--snapshot",
        &snapshot(),
        "--running",
        "--color",
        "never",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.contains(": containers: 1 judged (--running), 4 listed ·"),
        "{header}"
    );
    // --all is still accepted: it is the default now.
    let all = dockward(&["audit", "--snapshot", &snapshot(), "--all", "--color", "never"]);
    assert_eq!(all.status.code(), Some(1), "{}", stderr(&all));
}

#[test]
fn snapshots_that_are_not_regular_files_or_too_large_are_refused() {
    let dir = std::env::temp_dir().join(format!("dockward-cli-special-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fifo.json");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out = dockward(&["audit", "--snapshot", fifo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "dockward: cannot read snapshot {}: not a regular file (a FIFO)\n",
            fifo.display()
        )
    );
    let out = dockward(&["audit", "--snapshot", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "dockward: cannot read snapshot /dev/null: not a regular file (a character device)\n"
    );
    // Sparse: 1 GiB and one byte without writing them.
    let huge = dir.join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len((1 << 30) + 1)
        .unwrap();
    let out = dockward(&["audit", "--snapshot", huge.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "dockward: cannot read snapshot {}: larger than the 1 GiB limit\n",
            huge.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_documents_the_exit_codes_and_errors_ok() {
    let help = String::from_utf8(dockward(&["--help"]).stdout).unwrap();
    assert!(
        help.contains("Exit codes:\n  0    nothing at or above --fail-on failed\n"),
        "{help}"
    );
    assert!(
        help.contains("  141  standard output was closed early (broken pipe)"),
        "{help}"
    );
    let audit = String::from_utf8(dockward(&["audit", "--help"]).stdout).unwrap();
    assert!(audit.contains("--errors-ok"), "{audit}");
    assert!(audit.contains("--running"), "{audit}");
}

#[test]
fn an_image_removed_after_it_was_listed_is_an_error_not_a_bad_argument() {
    // A plain audit lists the images, then inspects them: one deleted in between answers 404.
    // That is an error on that image, not a `--image` selector that named nothing.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("snapshot.json")).unwrap()).unwrap();
    doc["errors"].as_array_mut().unwrap().push(serde_json::json!({
        "target": {"kind": "image", "name": "sha256:ccc"},
        "reason": "no such image: sha256:ccc"
    }));
    let dir = std::env::temp_dir().join(format!("dockward-cli-removed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("snapshot.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let out = dockward(&["audit", "--snapshot", path.to_str().unwrap(), "--format", "json"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let removed: Vec<&serde_json::Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"]["name"] == "sha256:ccc")
        .collect();
    assert!(!removed.is_empty());
    assert!(
        removed
            .iter()
            .all(|r| r["status"] == "error" && r["message"] == "no such image: sha256:ccc")
    );
}
