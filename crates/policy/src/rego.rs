//! Custom rules in Rego (regorus, Rego v1): loading the modules a policy names, the documented
//! `input` of each kind of target, evaluation under limits, and `policy test`.
//!
//! OWNER: helper `rego`. The public items below are the contract; bodies and private parts are
//! the owner's.

use std::path::{Path, PathBuf};

use dockward_model::{RuleResult, Severity, Snapshot, Workload};

use crate::Diagnostic;

/// The Rego modules of a policy, compiled once. Cheap to clone; `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Modules {
    /// The module files, in the order loaded.
    pub files: Vec<PathBuf>,
}

/// One finding of a custom rule (an element of a module's `deny` or `warn` set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomFinding {
    /// The namespaced id: `custom/ORG001`.
    pub id: String,
    /// The finding's `message`.
    pub message: String,
    /// Its `severity`, else high for `deny` and low for `warn`.
    pub severity: Severity,
    /// The module file it came from, as loaded.
    pub module: String,
}

/// The outcome of one module on one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleOutcome {
    /// What its `deny` and `warn` sets held (empty: nothing found).
    Findings(Vec<CustomFinding>),
    /// The module could not be evaluated on this input (a runtime error, a limit reached, a
    /// malformed finding): an `error` result, never a pass.
    Error {
        /// The module file.
        module: String,
        /// The namespaced id the error is reported under: `custom/<package>`.
        id: String,
        /// What went wrong.
        message: String,
    },
}

/// One `test_` rule's outcome (`dockward policy test`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestOutcome {
    /// `data.<package>.test_<name>`.
    pub name: String,
    /// The module file.
    pub module: String,
    /// Passed: the rule evaluated to `true`.
    pub passed: bool,
    /// Why it failed (false, undefined, an error).
    pub detail: Option<String>,
}

impl Modules {
    /// Loads and compiles the modules that `patterns` (globs relative to `base_dir`, each with
    /// its position in `policy_path`) name. A pattern that names no file, a module that does not
    /// parse, or a module whose package is not under `dockward` is a diagnostic.
    pub fn load(
        base_dir: &Path,
        patterns: &[(String, u32, u32)],
        policy_path: &str,
    ) -> Result<Modules, Vec<Diagnostic>> {
        let _ = (base_dir, patterns, policy_path);
        todo!("rego")
    }

    /// Evaluates every module on one `input` (see the `input` functions below).
    pub fn evaluate(&self, input: &serde_json::Value) -> Vec<ModuleOutcome> {
        let _ = input;
        todo!("rego")
    }

    /// Runs every `test_` rule of every module.
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        todo!("rego")
    }
}

/// The input of one workload: `{"kind": kind, "workload": <the Workload as snapshots serialize
/// it>}`; kind is `container`, `compose-service` or `k8s-container`.
pub fn workload_input(kind: &str, workload: &Workload) -> serde_json::Value {
    let _ = (kind, workload);
    todo!("rego")
}

/// The custom results of an audit: every module on every container, image, the daemon and the
/// host of the snapshot, as results on the same targets the built-in rules use.
pub fn audit_results(modules: &Modules, snapshot: &Snapshot) -> Vec<RuleResult> {
    let _ = (modules, snapshot);
    todo!("rego")
}
