//! The position-keeping JSON parser that reads daemon.json, checked against serde_json: both are
//! strict RFC 8259 parsers with the same nesting limit, so they must accept the same documents and
//! give the same value (the last of duplicate keys winning in both).
#![no_main]

use dockward_collect::parse::json::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = parse(text);
    let reference = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &reference) {
        (Ok(doc), Ok(value)) => {
            assert_eq!(&doc.value, value, "values differ for {text:?}");
            for entry in &doc.entries {
                assert!(entry.line >= 1 && entry.column >= 1);
            }
        }
        (Err(e), Ok(_)) => panic!("rejected valid JSON {text:?}: {e}"),
        (Ok(_), Err(e)) => panic!("accepted invalid JSON {text:?} (serde_json: {e})"),
        (Err(e), Err(_)) => assert!(e.line >= 1 && e.column >= 1, "error without a position: {e:?}"),
    }
});
