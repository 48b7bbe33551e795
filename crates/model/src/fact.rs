//! A value together with where it was read, so every finding can show its evidence.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Where a fact was read.
///
/// API facts carry a JSON pointer into the object they came from (for a container, its
/// `GET /containers/{id}/json` document; for the daemon, `/info/...`); facts from a named file
/// carry its path, line and column; workload facts from the workload's own file carry a line and
/// column; daemon flags carry their position in dockerd's command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Provenance {
    /// A JSON pointer (RFC 6901) into the source API object.
    Pointer {
        /// The pointer, e.g. `/HostConfig/Privileged`; usually a static string, so thousands of
        /// workloads do not each allocate the same pointers.
        pointer: Cow<'static, str>,
    },
    /// A position in a named file (1-based).
    File {
        /// The file, as a path on the audited host.
        path: String,
        /// Line number, starting at 1.
        line: u32,
        /// Column number, starting at 1.
        column: u32,
        /// For a value pulled in from elsewhere (a YAML alias, a `<<` merge key, a compose
        /// `extends` or override file), the sites that pulled it in, innermost first; the
        /// position above is where the value is written.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        via: Vec<crate::result::Location>,
    },
    /// An argument of a process's command line.
    Argument {
        /// The program, e.g. `dockerd`.
        program: String,
        /// Index in its argv (0 is the program itself).
        index: usize,
    },
    /// A position in the workload's own file (1-based).
    Span {
        /// Line number, starting at 1.
        line: u32,
        /// Column number, starting at 1.
        column: u32,
    },
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Provenance::Pointer { pointer } => f.write_str(pointer),
            Provenance::File {
                path, line, column, ..
            } => write!(f, "{path}:{line}:{column}"),
            Provenance::Argument { program, index } => write!(f, "{program} argv[{index}]"),
            Provenance::Span { line, column } => write!(f, "{line}:{column}"),
        }
    }
}

impl Provenance {
    /// A position in a file, pulled in from nowhere else.
    pub fn file(path: impl Into<String>, line: u32, column: u32) -> Self {
        Self::File {
            path: path.into(),
            line,
            column,
            via: Vec::new(),
        }
    }

    /// The file position, with the sites that pulled the value in, for facts read from a file.
    pub fn location(&self) -> Option<crate::result::Location> {
        match self {
            Provenance::File {
                path,
                line,
                column,
                via,
            } => Some(crate::result::Location {
                path: path.clone(),
                line: *line,
                column: *column,
                via: via.clone(),
            }),
            _ => None,
        }
    }

    /// A pointer provenance.
    pub fn pointer(pointer: impl Into<Cow<'static, str>>) -> Self {
        Self::Pointer {
            pointer: pointer.into(),
        }
    }
}

/// A value and its provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact<T> {
    /// The observed value.
    pub value: T,
    /// Where it was observed.
    pub at: Provenance,
}

impl Default for Provenance {
    /// An empty pointer: the value was not read from anywhere (a documented default).
    fn default() -> Self {
        Self::pointer("")
    }
}

impl<T: Default> Default for Fact<T> {
    fn default() -> Self {
        Self {
            value: T::default(),
            at: Provenance::default(),
        }
    }
}

impl<T> Fact<T> {
    /// A fact read at a JSON pointer.
    pub fn at_pointer(value: T, pointer: impl Into<Cow<'static, str>>) -> Self {
        Self {
            value,
            at: Provenance::pointer(pointer),
        }
    }
}

/// Escapes one reference token of a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
