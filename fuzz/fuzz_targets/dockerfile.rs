//! Dockerfile parser (and the shell parser behind every `RUN`): any text gives a Dockerfile or an
//! error with a position, never a panic; every position it reports lies inside the file.
#![no_main]

use dockward_collect::parse::dockerfile::parse_dockerfile;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Characters on each line, as the parser counts them (lines split at `\n`, a trailing `\r` dropped).
fn line_lengths(text: &str) -> Vec<usize> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).chars().count())
        .collect()
}

/// Checks every `{"line", "column"}` object (a `Pos`) in the serialized Dockerfile.
fn check_positions(value: &Value, lines: &[usize], text: &str) {
    match value {
        Value::Object(map) => {
            if let (Some(line), Some(column)) = (
                map.get("line").and_then(Value::as_u64),
                map.get("column").and_then(Value::as_u64),
            ) {
                let len = usize::try_from(line)
                    .ok()
                    .and_then(|l| l.checked_sub(1))
                    .and_then(|l| lines.get(l));
                let Some(len) = len else {
                    panic!("line {line} outside the file ({} lines): {text:?}", lines.len());
                };
                assert!(
                    column >= 1 && column as usize <= len + 1,
                    "column {column} outside line {line} ({len} characters): {text:?}"
                );
            }
            map.values().for_each(|v| check_positions(v, lines, text));
        }
        Value::Array(items) => items.iter().for_each(|v| check_positions(v, lines, text)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    // The CLI refuses non-UTF-8 files before parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = line_lengths(text);
    match parse_dockerfile("Dockerfile", text) {
        Ok(dockerfile) => {
            let value = serde_json::to_value(&dockerfile).expect("a Dockerfile serializes");
            check_positions(&value, &lines, text);
        }
        Err(e) => assert!(
            e.line >= 1 && e.line as usize <= lines.len() + 1,
            "error outside the file ({} lines): {e:?}",
            lines.len()
        ),
    }
});
