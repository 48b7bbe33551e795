//! Shell parser used for `RUN` text and heredoc scripts: any text gives pipelines, never a panic.
#![no_main]

use dockward_collect::parse::shell::parse_shell;
use dockward_model::dockerfile::Pos;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let len = text.len();
    let position = |offset: usize| {
        // Every offset handed out must lie within the text.
        assert!(offset <= len, "offset {offset} past the end ({len})");
        Pos {
            line: 1,
            column: u32::try_from(offset).unwrap_or(u32::MAX).saturating_add(1),
        }
    };
    let _ = parse_shell(text, &position);
});
