//! A Rego module as a policy names it: `Modules::from_sources` (regorus' parser and analysis,
//! dockward's package check and error positions), then, when it loads, every module on a real
//! container and every `test_` rule under a short time limit. Never panics; every diagnostic lies
//! inside the module; an evaluation ends in findings or an error; and the input built only as far
//! as the module's references reach gives the same outcome as the whole input.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use dockward_model::{Snapshot, Workload};
use dockward_policy::rego::{self, InputSource, ModuleOutcome, Modules};
use libfuzzer_sys::fuzz_target;

fn container() -> &'static (Workload, serde_json::Value) {
    static CONTAINER: OnceLock<(Workload, serde_json::Value)> = OnceLock::new();
    CONTAINER.get_or_init(|| {
        let snapshot: Snapshot =
            serde_json::from_str(include_str!("../../crates/cli/tests/data/snapshot.json")).expect("fixture");
        let workload = snapshot.containers.into_iter().next().expect("a container");
        let mut input = rego::workload_input("container", &workload);
        rego::set_source(&mut input, InputSource::Audit);
        (workload, input)
    })
}

fn stopped(outcomes: &[ModuleOutcome]) -> bool {
    outcomes
        .iter()
        .any(|o| matches!(o, ModuleOutcome::Error { message, .. } if message.contains("time limit")))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = "policies/fuzz.rego".to_string();
    match Modules::from_sources(&[(path.clone(), text.to_string())]) {
        Err(diagnostics) => {
            let lines = text.lines().count().max(1) as u32 + 1;
            for d in diagnostics {
                assert_eq!(d.path, path, "{d}");
                assert!(d.line <= lines, "{d} beyond line {lines}");
                assert!(!d.message.is_empty());
            }
        }
        Ok(modules) => {
            let modules = modules.with_time_limit(Duration::from_millis(100));
            let (workload, whole) = container();
            let on_whole = modules.evaluate(whole);
            for outcome in &on_whole {
                match outcome {
                    ModuleOutcome::Findings(found) => {
                        assert!(found.iter().all(|f| f.id.starts_with("custom/") && f.id.len() > 7))
                    }
                    ModuleOutcome::Error { message, .. } => assert!(!message.is_empty()),
                }
            }
            let on_needed = modules.evaluate_facts("container", "workload", InputSource::Audit, workload);
            // A run stopped by the clock may stop elsewhere on the other input.
            if !stopped(&on_whole) && !stopped(&on_needed) {
                assert_eq!(on_needed, on_whole, "needed: {:?}", modules.needed());
            }
            let _ = modules.run_tests();
        }
    }
});
