//! dockward's rules: pure functions from facts to verdicts, with their documentation.
//!
//! Each rule lives in its own file with its docs, metadata and check function; [`registry::RULES`]
//! lists them all. Rules never do I/O: the engine ([`evaluate`]) hands them facts collected
//! elsewhere, so a live audit, an offline snapshot and (later) the authorization plugin judge
//! the same facts identically.
#![warn(missing_docs)]

#[macro_use]
mod rule;
mod common;
pub mod config_lint;
pub mod container;
pub mod daemon;
pub mod decide;
pub mod dockerfile;
pub mod docs;
mod engine;
mod facts;
pub mod files;
pub mod host;
pub mod image;
pub mod lint;
pub mod options;
pub mod profile;
pub mod pss;
pub mod registry;
pub mod request;
pub mod seccomp;
pub mod seccomp_profile;
pub mod swarm;

pub use config_lint::{
    daemon_json_error, evaluate_daemon_json, evaluate_seccomp_profile, seccomp_profile_error,
};
pub use decide::{Decision, Finding, decide};
pub use engine::{LintInput, container_target, evaluate, evaluate_dockerfiles, image_target};
pub use facts::{daemon_target, host_target};
pub use options::RuleOptions;
pub use profile::Profile;
pub use registry::{PLANNED, RULES, find};
pub use rule::{
    Check, ContainerCheck, Context, Judged, Planned, Rule, Scope, Settings, section_of, section_title,
};

/// What rule files need.
pub(crate) mod prelude {
    pub use crate::rule::{Check, ContainerCheck, Context, Judged};
    pub use dockward_model::{Evidence, Severity, Verdict, Workload};
}
