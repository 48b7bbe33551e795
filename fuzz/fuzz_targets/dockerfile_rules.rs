//! Parses a Dockerfile and runs every Dockerfile rule (opt-in ones too) on it, so rule code that
//! panics on odd but parseable files is found.
#![no_main]

use dockward_collect::parse::dockerfile::parse_dockerfile;
use dockward_rules::{LintInput, RULES, Scope, Settings, evaluate_dockerfiles};
use libfuzzer_sys::fuzz_target;

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
        ..Default::default()
    };
    let _ = evaluate_dockerfiles(&[LintInput::Parsed(&dockerfile)], &settings);
    // The stage that ships can be any stage name given by `--target`.
    if let Some(stage) = dockerfile.stages.first().and_then(|s| s.name.clone()) {
        let settings = Settings {
            target_stage: Some(stage),
            ..settings
        };
        let _ = evaluate_dockerfiles(&[LintInput::Parsed(&dockerfile)], &settings);
    }
});
