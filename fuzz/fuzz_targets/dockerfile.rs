//! Dockerfile parser (and the shell parser behind every `RUN`): any text gives a Dockerfile or an
//! error with a position, never a panic.
#![no_main]

use dockward_collect::parse::dockerfile::parse_dockerfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The CLI refuses non-UTF-8 files before parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = parse_dockerfile("Dockerfile", text) {
        assert!(e.line >= 1, "error without a line: {e:?}");
    }
});
