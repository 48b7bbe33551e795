//! What the offline CLI tests share: their data directory and golden files.

use std::path::{Path, PathBuf};

/// `crates/cli/tests/data`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Compares `actual` with the committed file `tests/data/<name>`, or rewrites it when
/// `DOCKWARD_BLESS` is set; `test` names the test target for the bless command.
pub fn golden(test: &str, name: &str, actual: &[u8]) {
    let path = data_dir().join(name);
    if std::env::var_os("DOCKWARD_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs from the output; if the change is intended, bless it \
         (DOCKWARD_BLESS=1 cargo test -p dockward --test {test}). Output:\n{}",
        String::from_utf8_lossy(actual)
    );
}
