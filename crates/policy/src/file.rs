//! The policy file: TOML, read with positions, validated, found from a directory upward.
//!
//! OWNER: helper `policy-file`. The public items below are the contract other crates use; their
//! bodies and the private representation are the owner's to write.

use std::path::{Path, PathBuf};

/// One problem in a policy file, at its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as given (`dockward.toml`, `policies/team.rego`).
    pub path: String,
    /// Line, 1-based (0 when the file could not be read at all).
    pub line: u32,
    /// Column, 1-based, in characters.
    pub column: u32,
    /// What is wrong, lower case, no final period.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)
        }
    }
}

/// An invalid policy: every problem found, in file order. dockward refuses to run with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct PolicyError(pub Vec<Diagnostic>);

/// A valid policy. [`Policy::none`] when no file applies: the defaults.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The file it was read from; `None` for the defaults.
    pub path: Option<PathBuf>,
    // The owner adds the parsed, validated settings here (with their positions).
}

/// The names a policy file may have, looked for in this order in each directory.
pub const FILE_NAMES: [&str; 2] = ["dockward.toml", ".dockward.toml"];

/// The policy file that applies in `dir`: `dockward.toml` or `.dockward.toml` in `dir` or the
/// nearest of its parents that has one.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let _ = dir;
    todo!("policy-file")
}

impl Policy {
    /// The defaults: no file.
    pub fn none() -> Policy {
        Policy { path: None }
    }

    /// Reads and validates the file at `path` (at most 1 MiB), and the Rego modules it names
    /// (relative to the file's directory).
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let _ = path;
        todo!("policy-file")
    }

    /// Validates policy text; `path` names it in diagnostics, `base_dir` is where `rego`
    /// globs are resolved.
    pub fn parse(text: &str, path: &Path, base_dir: &Path) -> Result<Policy, PolicyError> {
        let _ = (text, path, base_dir);
        todo!("policy-file")
    }

    /// The compiled Rego modules, when the policy names any.
    pub fn rego(&self) -> Option<&crate::rego::Modules> {
        todo!("policy-file")
    }
}
