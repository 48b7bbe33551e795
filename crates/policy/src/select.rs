//! The effective rule selection: profile < policy file < command line, and where each setting
//! came from.
//!
//! OWNER: helper `policy-file`.

use dockward_model::Severity;
use dockward_rules::{Profile, Scope, Settings};
use serde::Serialize;

use crate::Policy;

/// What the command line says, each part overriding the file when given.
#[derive(Clone, Debug, Default)]
pub struct CliChoices {
    /// `--profile NAME`: `Some(None)` for `--profile default`, `None` when not given.
    pub profile: Option<Option<Profile>>,
    /// `--enable` (ids, names or categories).
    pub enable: Vec<String>,
    /// `--disable` (ids, names or categories).
    pub disable: Vec<String>,
    /// `--severity RULE=SEVERITY`.
    pub severity: Vec<(String, Severity)>,
    /// `--trusted-users`.
    pub trusted_users: Option<Vec<String>>,
    /// `--only` (not a policy setting: passed through).
    pub only: Option<Vec<Scope>>,
    /// `lint --target` (passed through).
    pub target_stage: Option<String>,
}

/// Where a setting came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum Origin {
    /// dockward's default (the rule is on unless it is opt-in; its own severity).
    Default,
    /// The profile named.
    Profile {
        /// The profile's name.
        name: String,
    },
    /// The policy file, at this position.
    File {
        /// The file as given.
        path: String,
        /// Line.
        line: u32,
        /// Column.
        column: u32,
    },
    /// A command-line flag (`--enable`, `--disable`, `--profile`, `--severity`).
    CommandLine {
        /// The flag.
        flag: String,
    },
}

/// One rule in the effective rule set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EffectiveRule {
    /// Rule id.
    pub id: &'static str,
    /// Rule name.
    pub name: &'static str,
    /// Whether it is judged.
    pub enabled: bool,
    /// What decided `enabled`.
    pub enabled_by: Origin,
    /// Its severity in reports.
    pub severity: Severity,
    /// What decided `severity`.
    pub severity_by: Origin,
}

impl Policy {
    /// The settings rules are judged with.
    pub fn settings(&self, cli: &CliChoices) -> Settings {
        let _ = cli;
        todo!("policy-file")
    }

    /// Every built-in rule with whether it is judged, its severity, and why.
    pub fn show(&self, cli: &CliChoices) -> Vec<EffectiveRule> {
        let _ = cli;
        todo!("policy-file")
    }
}
