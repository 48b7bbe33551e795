//! Inputs the fuzz targets (fuzz/) found to crash, hang or exhaust memory, kept as regression tests.

use dockward_collect::parse::dockerfile::parse_dockerfile;
use dockward_model::Status;
use dockward_rules::{LintInput, Scope, Settings, evaluate_dockerfiles};

/// `ARG`s (global, then in the stage) and `ENV`s each doubling the one before: expanding them
/// grew exponentially (2^39 × 16 bytes) until the process ran out of memory (dockerfile_rules).
#[test]
fn doubling_variables_do_not_exhaust_memory() {
    let doubling = |keyword: &str| -> String {
        let mut text = format!("{keyword} A0=xxxxxxxxxxxxxxxx\n");
        for i in 1..40 {
            text += &format!("{keyword} A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1);
        }
        text
    };
    let text = format!(
        "{}FROM alpine:3.20\n{}{}ADD $A39 /x\nRUN echo $A39\n",
        doubling("ARG"),
        doubling("ARG"),
        doubling("ENV")
    );
    let dockerfile = parse_dockerfile("Dockerfile", &text).expect("parses");
    let settings = Settings {
        only: Some(vec![Scope::Dockerfiles]),
        ..Default::default()
    };
    let results = evaluate_dockerfiles(&[LintInput::Parsed(&dockerfile)], &settings);
    // The expansion is cut at 64 KiB, so the finding names a bounded value.
    let add = results
        .iter()
        .find(|r| r.rule == "DF0002")
        .expect("DF0002 result");
    assert_eq!(add.status, Status::Fail);
    let at = add.location.as_ref().expect("located");
    assert_eq!((at.line, at.column), (122, 1));
    assert_eq!(
        add.message,
        format!(
            "ADD copies {} (from $A39); COPY does that without unpacking or downloading",
            "x".repeat(64 * 1024)
        )
    );
    assert!(results.iter().all(|r| r.status != Status::Error));
}

/// Thousands of stages each copying from the one before: every `COPY --from` scanned the list of
/// stage names (DF0019), quadratic in the stages (10,000 stages: 6.8 s in the fuzz build).
#[test]
fn copies_from_many_stages() {
    let mut text = String::from("FROM alpine:3.20 AS s0\n");
    for i in 1..20_000 {
        text += &format!("FROM alpine:3.20 AS s{i}\nCOPY --from=s{} / /\n", i - 1);
    }
    let dockerfile = parse_dockerfile("Dockerfile", &text).expect("parses");
    let settings = Settings {
        only: Some(vec![Scope::Dockerfiles]),
        ..Default::default()
    };
    let results = evaluate_dockerfiles(&[LintInput::Parsed(&dockerfile)], &settings);
    let copy_from = results
        .iter()
        .find(|r| r.rule == "DF0019")
        .expect("DF0019 result");
    assert_eq!(copy_from.status, Status::Pass);
    assert_eq!(
        copy_from.message,
        "no COPY --from or RUN --mount from= names an image"
    );
}
