//! The corpus: realistic Dockerfiles in the style of official images and real projects (long
//! `RUN` chains, heredocs, multi-stage builds, templates, a Windows file with backtick escapes).
//! Some hold the shapes found noisy or missed on real-world files: installs through `xargs`,
//! scripts and functions, public key ids, .NET `__Key` entries, literal `chpasswd` passwords and
//! credential files, quoted and `ARG`-built `ADD` URLs, `COPY --from` images, sudoers rules,
//! non-root base images and the sticky bit. Every one must parse, and the findings are pinned in
//! `corpus.findings.txt`, one line each, so a change in what the rules see shows up in review.
//!
//! Regenerate after an intended change with `DOCKWARD_BLESS=1 cargo test -p dockward --test corpus`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::process::Command;

#[test]
fn the_corpus_parses_and_its_findings_are_pinned() {
    let data = common::data_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(["lint", "corpus", "--format", "json", "--fail-on", "none"])
        .current_dir(&data)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["source"]["dockerfiles"], 23);
    let results = report["results"].as_array().unwrap();
    let errors: Vec<&serde_json::Value> = results.iter().filter(|r| r["status"] == "error").collect();
    assert!(errors.is_empty(), "corpus files that do not parse: {errors:#?}");

    let mut findings: Vec<(String, u64, u64, String)> = results
        .iter()
        .filter(|r| r["status"] == "fail")
        .map(|r| {
            let at = &r["location"];
            let line = format!(
                "{}:{}:{} {} {}{}",
                at["path"].as_str().unwrap(),
                at["line"],
                at["column"],
                r["rule"].as_str().unwrap(),
                r["message"].as_str().unwrap(),
                if r["suppressed"].is_null() {
                    ""
                } else {
                    " [suppressed]"
                }
            );
            let path = at["path"].as_str().unwrap().to_string();
            (
                path,
                at["line"].as_u64().unwrap(),
                at["column"].as_u64().unwrap(),
                line,
            )
        })
        .collect();
    findings.sort();
    let actual: String = findings.into_iter().map(|(_, _, _, line)| line + "\n").collect();
    common::golden("corpus", "corpus.findings.txt", actual.as_bytes());
}
