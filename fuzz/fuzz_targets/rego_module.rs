//! A Rego module as a policy names it: `Modules::from_sources` (regorus' parser and analysis,
//! dockward's package check and error positions), then, when it loads, every module on a container
//! input and every `test_` rule under a short time limit. Never panics; every diagnostic lies
//! inside the module; an evaluation ends in findings or an error.
#![no_main]

use std::time::Duration;

use dockward_policy::rego::{ModuleOutcome, Modules};
use libfuzzer_sys::fuzz_target;

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
            let input = serde_json::json!({"kind": "container", "source": "audit",
                "workload": {"image": {"value": "nginx"}, "labels": {}}});
            for outcome in modules.evaluate(&input) {
                match outcome {
                    ModuleOutcome::Findings(found) => {
                        assert!(found.iter().all(|f| f.id.starts_with("custom/") && f.id.len() > 7))
                    }
                    ModuleOutcome::Error { message, .. } => assert!(!message.is_empty()),
                }
            }
            let _ = modules.run_tests();
        }
    }
});
