//! Problems with a file given to `dockward lint` that stop part of it from being judged.

use serde::{Deserialize, Serialize};

/// Why (part of) a file could not be read or understood, and where: invalid YAML, an undefined
/// `${VAR?err}`, a cycle in `extends`, a Helm template, a file over the size limit. Every rule
/// that would have judged what the file describes reports `error` with this message; the other
/// files are still linted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceError {
    /// The file, as given (or as found in a directory).
    pub path: String,
    /// Line, starting at 1; 0 when the problem is the whole file (it could not be read).
    pub line: u32,
    /// Column, starting at 1; 0 with line 0.
    pub column: u32,
    /// What is wrong, for a person: `undefined variable DB_PASSWORD: set it in .env`.
    pub message: String,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)
        }
    }
}

impl std::error::Error for SourceError {}
