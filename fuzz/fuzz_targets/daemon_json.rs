//! The position-keeping JSON parser that reads daemon.json.
#![no_main]

use dockward_collect::parse::json::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text) {
        Ok(doc) => {
            for entry in &doc.entries {
                assert!(entry.line >= 1 && entry.column >= 1);
            }
        }
        Err(e) => assert!(e.line >= 1 && e.column >= 1, "error without a position: {e:?}"),
    }
});
