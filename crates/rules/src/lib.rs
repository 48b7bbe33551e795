//! dockward's rules: pure functions from facts to verdicts, with their documentation.
//!
//! Each rule lives in its own file with its docs, metadata and check function; [`registry::RULES`]
//! lists them all. Rules never do I/O: the engine ([`evaluate`]) hands them facts collected
//! elsewhere, so a live audit, an offline snapshot and (later) the authorization plugin judge
//! the same facts identically.
#![warn(missing_docs)]

#[macro_use]
mod rule;
pub mod container;
pub mod docs;
mod engine;
pub mod registry;
pub mod seccomp;

pub use engine::evaluate;
pub use registry::{PLANNED, RULES, find};
pub use rule::{Check, Context, Planned, Rule, section_of, section_title};

/// What rule files need.
pub(crate) mod prelude {
    pub use crate::rule::{Check, Context};
    pub use dockward_model::{Severity, Verdict, Workload};
}
