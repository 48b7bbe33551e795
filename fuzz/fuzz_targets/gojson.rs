//! The Go-semantics JSON decoder with the container create schema: never panics, and its
//! canonical output decodes to itself (no duplicates, no stale slice elements, canonical keys).
#![no_main]

use dockward_collect::parse::gojson::{CONTAINER_CONFIG_WRAPPER, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = decode(data, &CONTAINER_CONFIG_WRAPPER) else {
        return;
    };
    let text = serde_json::to_vec(&value).expect("a Value serializes");
    let again = decode(&text, &CONTAINER_CONFIG_WRAPPER).expect("the canonical form decodes");
    assert_eq!(again, value, "the canonical form is a fixed point");
});
