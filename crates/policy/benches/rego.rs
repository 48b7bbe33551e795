//! What custom Rego rules cost: one rule (the issue's ORG001) on one container input, and on an
//! audit of 100 containers. Prints microseconds; `cargo bench -p dockward-policy --bench rego`.
//! bench/audit.sh and bench/authz.sh measure the whole commands.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark: a panic is the report

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use dockward_model::{Origin, Snapshot};
use dockward_policy::rego::{self, Modules};
use serde::Deserialize;

const ORG001: &str = r#"package dockward.custom
import rego.v1
deny contains {"id": "ORG001", "message": "team images come from registry.example.com"} if {
    input.kind == "container"
    not startswith(input.workload.image.value, "registry.example.com/")
}
"#;

fn time(label: &str, rounds: u32, mut f: impl FnMut()) -> Duration {
    f();
    let start = Instant::now();
    for _ in 0..rounds {
        f();
    }
    let each = start.elapsed() / rounds;
    println!("{label:<58} {:>9.1} µs", each.as_secs_f64() * 1e6);
    each
}

fn main() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/data/snapshot.json"),
    )
    .unwrap();
    let mut snapshot: Snapshot = serde_json::from_str(&text).unwrap();
    let modules = Modules::from_sources(&[("team.rego".into(), ORG001.into())]).unwrap();
    let workload = snapshot.containers[0].clone();
    let input = rego::workload_input("container", &workload);
    let json = serde_json::to_string(&input).unwrap();

    println!("one container input ({} bytes of JSON):", json.len());
    time("  workload_input (serde_json::Value)", 2000, || {
        black_box(rego::workload_input("container", black_box(&workload)));
    });
    time(
        "  serde_json::Value -> regorus::Value (deserialize)",
        2000,
        || {
            black_box(regorus::Value::deserialize(black_box(&input)).unwrap());
        },
    );
    time("  JSON text -> regorus::Value (from_json_str)", 2000, || {
        black_box(regorus::Value::from_json_str(black_box(&json)).unwrap());
    });
    time(
        "  serde_json::Value -> regorus::Value (rego::to_rego)",
        2000,
        || {
            black_box(rego::to_rego(black_box(&input)));
        },
    );
    let converted = rego::to_rego(&input);
    time("  evaluate_value (the rule only)", 2000, || {
        black_box(modules.evaluate_value(black_box(converted.clone())));
    });
    time("  evaluate (conversion + rule)", 2000, || {
        black_box(modules.evaluate(black_box(&input)));
    });
    time(
        "  request_findings (the fields the rule names + rule, authz)",
        2000,
        || {
            black_box(rego::request_findings(&modules, black_box(&workload)));
        },
    );

    time(
        "  facts straight to regorus::Value (rego::value::to_value)",
        2000,
        || {
            black_box(rego::value::to_value(black_box(&workload)).unwrap());
        },
    );

    let template = snapshot.containers[0].clone();
    snapshot.containers = (0..100)
        .map(|i| {
            let mut w = template.clone();
            w.origin = Origin::Container {
                id: format!("{i:064x}"),
                name: format!("c{i}"),
                state: "running".into(),
            };
            w
        })
        .collect();
    snapshot.errors.clear();
    println!("an audit of 100 containers, the daemon and the host:");
    time("  audit_results, one module", 50, || {
        black_box(rego::audit_results(&modules, black_box(&snapshot)));
    });
    let empty = Modules::from_sources(&[]).unwrap();
    time("  audit_results, no module", 50, || {
        black_box(rego::audit_results(&empty, black_box(&snapshot)));
    });
}
