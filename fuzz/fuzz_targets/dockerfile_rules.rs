//! Parses a Dockerfile and runs every Dockerfile rule (opt-in ones too) on it, so rule code that
//! panics on odd but parseable files is found (the registry rule with trusted registries set, so
//! every base image reference is parsed); every finding's location lies inside the file.
#![no_main]

use dockward_collect::parse::dockerfile::parse_dockerfile;
use dockward_model::RuleResult;
use dockward_rules::{LintInput, RULES, RuleOptions, Scope, Settings, evaluate_dockerfiles};
use libfuzzer_sys::fuzz_target;

fn check_locations(results: &[RuleResult], text: &str) {
    // Lines as the parser counts them: split at `\n`, a trailing `\r` dropped.
    let lines: Vec<usize> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).chars().count())
        .collect();
    for result in results {
        let Some(at) = &result.location else { continue };
        let len = (at.line as usize).checked_sub(1).and_then(|l| lines.get(l));
        let Some(len) = len else {
            panic!(
                "{} located at line {} outside the file: {text:?}",
                result.rule, at.line
            );
        };
        assert!(
            at.column >= 1 && at.column as usize <= len + 1,
            "{} located at {}:{} outside the line ({len} characters): {text:?}",
            result.rule,
            at.line,
            at.column
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(dockerfile) = parse_dockerfile("Dockerfile", text) else {
        return;
    };
    let settings = Settings {
        only: Some(vec![Scope::Dockerfiles]),
        enable: RULES
            .iter()
            .filter(|r| r.opt_in())
            .map(|r| r.id.to_string())
            .collect(),
        // So the registry rule parses every base image reference (dockward_model::reference).
        options: RuleOptions {
            trusted_registries: Some(vec!["docker.io/library".into(), "localhost:5000/x".into()]),
            ..RuleOptions::default()
        },
        ..Default::default()
    };
    check_locations(
        &evaluate_dockerfiles(&[LintInput::Parsed(&dockerfile)], &settings),
        text,
    );
    // The stage that ships can be any stage name given by `--target`.
    if let Some(stage) = dockerfile.stages.first().and_then(|s| s.name.clone()) {
        let settings = Settings {
            target_stage: Some(stage),
            ..settings
        };
        check_locations(
            &evaluate_dockerfiles(&[LintInput::Parsed(&dockerfile)], &settings),
            text,
        );
    }
});
