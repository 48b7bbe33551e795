//! What the rule tests share: the fixture directory and the recorded inspect document, patched.

#![allow(dead_code, clippy::unwrap_used)] // test code; not every test file uses every helper

use std::path::{Path, PathBuf};

use dockward_collect::inspect::workload_from_inspect;
use dockward_model::Workload;
use serde_json::Value;

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn read_json(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let Value::Object(map) = target else {
        unreachable!()
    };
    for (key, value) in patch {
        if value.is_null() {
            map.remove(key);
        } else {
            merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

pub fn workload(patch: &Value) -> Workload {
    let mut doc = read_json("base.inspect.json");
    if !patch.is_null() {
        merge_patch(&mut doc, patch);
    }
    workload_from_inspect(doc.to_string().as_bytes(), "fixture").unwrap()
}
