//! The snapshot reader of `audit --snapshot`, then every rule on the snapshot it gives.
#![no_main]

use dockward_model::Snapshot;
use dockward_rules::{RULES, Settings, evaluate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(snapshot) = serde_json::from_slice::<Snapshot>(data) else {
        return;
    };
    let settings = Settings {
        enable: RULES
            .iter()
            .filter(|r| r.opt_in())
            .map(|r| r.id.to_string())
            .collect(),
        ..Default::default()
    };
    let _ = evaluate(&snapshot, &settings);
});
