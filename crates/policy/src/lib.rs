//! dockward's policy: one file (`dockward.toml`) that `audit`, `lint` and the authorization
//! plugin all obey.
//!
//! - [`file`]: the TOML file, read with the position of every value, validated (unknown keys,
//!   rules, globs, dates are errors at their line and column), found from a directory upward.
//! - [`select`]: the effective rule selection, by precedence profile < file < command line, and
//!   where each setting came from (`dockward policy show`).
//! - [`waiver`]: what a waiver selects, matching findings, expiry (the date is passed in: rules
//!   never read the clock), unused waivers.
//! - [`rego`]: custom rules in Rego, their documented `input`, limits, and `policy test`.
#![warn(missing_docs)]

pub mod date;
pub mod file;
pub mod rego;
pub mod select;
pub mod waiver;

pub use date::Date;
pub use file::{Diagnostic, Policy, PolicyError, discover};
pub use select::{CliChoices, EffectiveRule, Origin as SettingOrigin, render_show_text};
pub use waiver::{PolicyOutcome, Subject, Subjects, WaiverHit, WaiverUse};

/// The prefix of every custom rule id: `custom/ORG001` can never be a built-in id.
pub const CUSTOM_PREFIX: &str = "custom/";
