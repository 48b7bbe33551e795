//! Custom rules in Rego (regorus, Rego v1): loading the modules a policy names, the documented
//! `input` of each kind of target, evaluation under limits, and `policy test`.
//!
//! Every module declares a package under `dockward` (`package dockward.team`). For each input,
//! each package's `deny` and `warn` sets are evaluated; their elements are findings
//! `{"id", "message", "severity"?, "fix"?}`. The input is documented in docs/rego.md and its
//! JSON Schema is docs/rego-input.schema.json.
//!
//! Limits: every evaluation runs under a time limit (regorus' cooperative execution timer);
//! `numbers.range` and `numbers.range_step` are bounded (their arrays are built in one step,
//! before the timer could stop them); module files are bounded in size and number.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dockward_model::dockerfile::Dockerfile;
use dockward_model::{
    DaemonFacts, HostFacts, ImageFacts, Location, RuleResult, Severity, Snapshot, Status, Target, TargetKind,
    Workload,
};
use regorus::utils::limits::ExecutionTimerConfig;

use crate::{CUSTOM_PREFIX, Diagnostic};

/// The largest module file read.
pub const MAX_MODULE_BYTES: u64 = 1024 * 1024;

/// The most module files a policy may name.
pub const MAX_MODULES: usize = 1000;

/// The time one evaluation (one `deny` or `warn` set, or one test) may take, unless the policy
/// says otherwise ([`Modules::with_time_limit`]).
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(1);

/// The most elements `numbers.range` and `numbers.range_step` may produce.
pub const MAX_RANGE_ELEMENTS: u64 = 1_000_000;

/// The longest string `concat` builds.
pub const MAX_BUILT_STRING_BYTES: usize = 16 * 1024 * 1024;

/// Directory entries a glob may visit while looking for modules.
const MAX_WALKED_ENTRIES: usize = 100_000;

/// How deep a `**` glob descends.
const MAX_WALK_DEPTH: usize = 32;

/// The Rego modules of a policy, compiled once. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Modules {
    /// The module files, in the order loaded.
    pub files: Vec<PathBuf>,
    compiled: Arc<Compiled>,
}

impl std::fmt::Debug for Modules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Modules")
            .field("files", &self.files)
            .field("packages", &self.compiled.packages)
            .field("time_limit", &self.compiled.time_limit)
            .finish_non_exhaustive()
    }
}

/// The compiled modules: a prepared engine to clone from, and engines ready for reuse.
struct Compiled {
    template: regorus::Engine,
    /// Engines returned after an evaluation; taking one is cheaper than cloning the template.
    idle: Mutex<Vec<regorus::Engine>>,
    packages: Vec<Package>,
    time_limit: Duration,
    /// What of `input` the modules can reach: inputs are built only that far.
    needed: Needed,
}

/// One package (one or more files declaring it).
#[derive(Clone, Debug)]
struct Package {
    /// `dockward.team`.
    name: String,
    /// The files declaring it, joined with `, `.
    module: String,
    /// `custom/dockward.team`: the id its errors are reported under.
    error_id: String,
    deny: Option<String>,
    warn: Option<String>,
    /// `data.dockward.team.test_x` for each `test_` rule, in file order.
    tests: Vec<String>,
}

/// Idle engines kept at most (one per thread that evaluates at once, typically).
const MAX_IDLE_ENGINES: usize = 16;

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
    /// The finding's `fix`, when it has one.
    pub fix: Option<String>,
    /// Whether it is an element of `warn` (else of `deny`): enforcement denies only `deny`
    /// findings and logs `warn` ones.
    pub warn: bool,
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

/// Which part of dockward evaluates an input: its `source` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputSource {
    /// `dockward audit` (a snapshot).
    Audit,
    /// `dockward lint` (files).
    Lint,
    /// The authorization plugin and the proxy (an Engine API request).
    Authz,
}

impl InputSource {
    /// The spelling in `input.source`.
    pub fn as_str(self) -> &'static str {
        match self {
            InputSource::Audit => "audit",
            InputSource::Lint => "lint",
            InputSource::Authz => "authz",
        }
    }
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
        let mut diagnostics = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        let mut seen = BTreeSet::new();
        for (pattern, line, column) in patterns {
            let at = |message: String| Diagnostic {
                path: policy_path.to_string(),
                line: *line,
                column: *column,
                message,
            };
            match expand(base_dir, pattern) {
                Ok(found) if found.is_empty() => {
                    diagnostics.push(at(format!("rego pattern `{pattern}` matches no file")))
                }
                Ok(found) => {
                    for file in found {
                        if seen.insert(file.clone()) {
                            files.push(file);
                        }
                    }
                    if files.len() > MAX_MODULES {
                        diagnostics.push(at(format!(
                            "rego patterns name more than {MAX_MODULES} files; name fewer"
                        )));
                        files.truncate(MAX_MODULES);
                        break;
                    }
                }
                Err(message) => diagnostics.push(at(message)),
            }
        }
        let sources: Vec<(String, String)> = files
            .iter()
            .filter_map(|file| {
                let shown = file.display().to_string();
                match read_module(file) {
                    Ok(text) => Some((shown, text)),
                    Err(message) => {
                        diagnostics.push(Diagnostic {
                            path: shown,
                            line: 0,
                            column: 0,
                            message,
                        });
                        None
                    }
                }
            })
            .collect();
        match compile(&sources, DEFAULT_TIME_LIMIT) {
            Ok(compiled) if diagnostics.is_empty() => Ok(Modules {
                files,
                compiled: Arc::new(compiled),
            }),
            Ok(_) => Err(diagnostics),
            Err(more) => {
                diagnostics.extend(more);
                Err(diagnostics)
            }
        }
    }

    /// Modules compiled from text (`(path, text)` pairs), for tests and embedders: the same
    /// checks as [`Modules::load`] after reading.
    pub fn from_sources(sources: &[(String, String)]) -> Result<Modules, Vec<Diagnostic>> {
        let compiled = compile(sources, DEFAULT_TIME_LIMIT)?;
        Ok(Modules {
            files: sources.iter().map(|(path, _)| PathBuf::from(path)).collect(),
            compiled: Arc::new(compiled),
        })
    }

    /// The same modules with another time limit per evaluation (the policy file may set it).
    #[must_use]
    pub fn with_time_limit(self, limit: Duration) -> Modules {
        let mut template = self.compiled.template.clone();
        template.set_execution_timer_config(timer(limit));
        Modules {
            files: self.files,
            compiled: Arc::new(Compiled {
                template,
                idle: Mutex::new(Vec::new()),
                packages: self.compiled.packages.clone(),
                time_limit: limit,
                needed: self.compiled.needed.clone(),
            }),
        }
    }

    /// What of `input` the modules can reach (the inputs built for [`Modules::evaluate_facts`]
    /// hold only that).
    pub fn needed(&self) -> &Needed {
        &self.compiled.needed
    }

    /// The time limit of one evaluation.
    pub fn time_limit(&self) -> Duration {
        self.compiled.time_limit
    }

    /// The packages the modules declare (`dockward.team`), in load order.
    pub fn packages(&self) -> Vec<&str> {
        self.compiled.packages.iter().map(|p| p.name.as_str()).collect()
    }

    /// Evaluates every module on one `input` (see the `input` functions below).
    pub fn evaluate(&self, input: &serde_json::Value) -> Vec<ModuleOutcome> {
        if self.compiled.packages.is_empty() {
            return Vec::new();
        }
        self.evaluate_value(to_rego(input))
    }

    /// Evaluates every module on an input already converted to regorus' value (what the other
    /// functions here use: it saves a conversion).
    pub fn evaluate_value(&self, input: regorus::Value) -> Vec<ModuleOutcome> {
        let compiled = &self.compiled;
        let mut engine = compiled.take();
        engine.set_input(input);
        let mut healthy = true;
        let outcomes = compiled
            .packages
            .iter()
            .map(|package| {
                let outcome = package.evaluate(&mut engine, compiled.time_limit);
                healthy &= matches!(outcome, ModuleOutcome::Findings(_));
                outcome
            })
            .collect();
        // An engine stopped in the middle of an evaluation is not reused.
        if healthy {
            compiled.give_back(engine);
        }
        outcomes
    }

    /// Evaluates every module on `{"kind": kind, key: facts, "source": source}`, the facts
    /// converted straight to regorus' value (what [`request_findings`], [`audit_results`] and
    /// [`lint_results`] use; the same input as the `*_input` functions build).
    pub fn evaluate_facts(
        &self,
        kind: &str,
        key: &str,
        source: InputSource,
        facts: &dyn ErasedFacts,
    ) -> Vec<ModuleOutcome> {
        if self.compiled.packages.is_empty() {
            return Vec::new();
        }
        let mut input = std::collections::BTreeMap::from([
            (regorus::Value::from("kind"), regorus::Value::from(kind)),
            (
                regorus::Value::from("source"),
                regorus::Value::from(source.as_str()),
            ),
        ]);
        if let Some(needed) = self.compiled.needed.field(key) {
            match facts.to_rego_value(needed) {
                Ok(facts) => {
                    input.insert(regorus::Value::from(key), facts);
                }
                Err(e) => return self.all_errors(&format!("the input could not be built: {e}")),
            }
        }
        self.evaluate_value(regorus::Value::from(input))
    }

    fn all_errors(&self, message: &str) -> Vec<ModuleOutcome> {
        self.compiled
            .packages
            .iter()
            .map(|p| p.error(message.to_string()))
            .collect()
    }

    /// Runs every `test_` rule of every module.
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        let compiled = &self.compiled;
        let mut outcomes = Vec::new();
        for package in &compiled.packages {
            for test in &package.tests {
                // Like `opa test`: no input unless the test supplies one (`with input as`).
                let mut engine = compiled.template.clone();
                engine.set_input(regorus::Value::Undefined);
                let (passed, detail) = match engine.eval_rule(test.clone()) {
                    Ok(regorus::Value::Bool(true)) => (true, None),
                    Ok(regorus::Value::Undefined) => (false, Some("undefined".to_string())),
                    Ok(other) => (false, Some(format!("evaluated to {other}"))),
                    Err(e) => (false, Some(error_text(&e, compiled.time_limit))),
                };
                outcomes.push(TestOutcome {
                    name: test.clone(),
                    module: package.module.clone(),
                    passed,
                    detail,
                });
            }
        }
        outcomes
    }
}

impl Compiled {
    fn take(&self) -> regorus::Engine {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        idle.unwrap_or_else(|| self.template.clone())
    }

    fn give_back(&self, engine: regorus::Engine) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE_ENGINES
        {
            idle.push(engine);
        }
    }
}

impl Package {
    fn error(&self, message: String) -> ModuleOutcome {
        ModuleOutcome::Error {
            module: self.module.clone(),
            id: self.error_id.clone(),
            message,
        }
    }

    fn evaluate(&self, engine: &mut regorus::Engine, limit: Duration) -> ModuleOutcome {
        let mut findings = Vec::new();
        for (rule, warn) in [(&self.deny, false), (&self.warn, true)] {
            let Some(rule) = rule else { continue };
            let value = match engine.eval_rule(rule.clone()) {
                Ok(value) => value,
                Err(e) => return self.error(format!("{rule}: {}", error_text(&e, limit))),
            };
            let set = match &value {
                regorus::Value::Undefined => continue,
                regorus::Value::Set(set) => set,
                other => {
                    return self.error(format!(
                        "{rule} must be a set (`{} contains {{...}} if {{...}}`), not {}",
                        short_name(rule),
                        type_name(other)
                    ));
                }
            };
            let start = findings.len();
            for element in set.iter() {
                match finding(element, warn, &self.module) {
                    Ok(found) => findings.push(found),
                    Err(why) => return self.error(format!("{rule}: malformed finding {element}: {why}")),
                }
            }
            // By id within each set, whatever the order of the values in it.
            findings[start..].sort_by(|a, b| (&a.id, &a.message).cmp(&(&b.id, &b.message)));
        }
        ModuleOutcome::Findings(findings)
    }
}

/// A JSON value as regorus' value, built directly (faster than through serde).
pub fn to_rego(value: &serde_json::Value) -> regorus::Value {
    match value {
        serde_json::Value::Null => regorus::Value::Null,
        serde_json::Value::Bool(b) => regorus::Value::from(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                regorus::Value::from(i)
            } else if let Some(u) = n.as_u64() {
                regorus::Value::from(u)
            } else {
                regorus::Value::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => regorus::Value::from(s.as_str()),
        serde_json::Value::Array(items) => {
            regorus::Value::from(items.iter().map(to_rego).collect::<Vec<_>>())
        }
        serde_json::Value::Object(map) => regorus::Value::from(
            map.iter()
                .map(|(k, v)| (regorus::Value::from(k.as_str()), to_rego(v)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
}

fn short_name(rule: &str) -> &str {
    rule.rsplit('.').next().unwrap_or(rule)
}

fn type_name(value: &regorus::Value) -> &'static str {
    match value {
        regorus::Value::Null => "null",
        regorus::Value::Bool(_) => "a boolean",
        regorus::Value::Number(_) => "a number",
        regorus::Value::String(_) => "a string",
        regorus::Value::Array(_) => "an array",
        regorus::Value::Set(_) => "a set",
        regorus::Value::Object(_) => "an object",
        regorus::Value::Undefined => "undefined",
    }
}

/// The keys a finding may have.
const FINDING_KEYS: [&str; 4] = ["id", "message", "severity", "fix"];

/// One element of a `deny` or `warn` set as a finding, or why it is not one.
fn finding(element: &regorus::Value, warn: bool, module: &str) -> Result<CustomFinding, String> {
    let regorus::Value::Object(object) = element else {
        return Err(format!(
            "a finding must be an object {{\"id\": ..., \"message\": ...}}, not {}",
            type_name(element)
        ));
    };
    let mut id = None;
    let mut message = None;
    let mut severity = if warn { Severity::Low } else { Severity::High };
    let mut fix = None;
    for (key, value) in object.iter() {
        let regorus::Value::String(key) = key else {
            return Err(format!("keys must be strings, not {}", type_name(key)));
        };
        let text = || match value {
            regorus::Value::String(s) => Ok(s.to_string()),
            other => Err(format!("`{key}` must be a string, not {}", type_name(other))),
        };
        match key.as_ref() {
            "id" => id = Some(text()?),
            "message" => message = Some(text()?),
            "fix" => fix = Some(text()?),
            "severity" => {
                let given = text()?;
                severity = Severity::parse(&given).ok_or_else(|| {
                    format!("`severity` must be one of critical, high, medium, low, info, not \"{given}\"")
                })?;
            }
            other => {
                return Err(format!(
                    "unknown key `{other}` (a finding has {})",
                    FINDING_KEYS.join(", ")
                ));
            }
        }
    }
    let id = id.ok_or("`id` is missing")?;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(format!(
            "`id` must be letters, digits, `_`, `.` or `-`, not \"{id}\""
        ));
    }
    let message = message.ok_or("`message` is missing")?;
    Ok(CustomFinding {
        id: format!("{CUSTOM_PREFIX}{id}"),
        message,
        severity,
        module: module.to_string(),
        fix,
        warn,
    })
}

fn timer(limit: Duration) -> ExecutionTimerConfig {
    ExecutionTimerConfig {
        limit,
        // Reading the clock every few work units keeps the overshoot small at a negligible cost.
        check_interval: NonZeroU32::MIN.saturating_add(9),
    }
}

/// An evaluation error as one line: `path:line:col: message`, or the limit that stopped it.
fn error_text(error: &anyhow::Error, limit: Duration) -> String {
    if let Some(regorus::LimitError::TimeLimitExceeded { .. }) = error.downcast_ref::<regorus::LimitError>() {
        return format!("stopped: exceeded the time limit of {} ms", limit.as_millis());
    }
    let text = format!("{error:#}");
    if text.contains("execution exceeded time limit") {
        return format!("stopped: exceeded the time limit of {} ms", limit.as_millis());
    }
    match located(&text) {
        Some((path, line, column, message)) => format!("{path}:{line}:{column}: {message}"),
        None => one_line(&text),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// regorus' error text: `\n--> path:line:col\n  |\n3 | source\n  |   ^\nerror: message`.
fn located(text: &str) -> Option<(String, u32, u32, String)> {
    let start = text.find("--> ")? + 4;
    let rest = &text[start..];
    let first = rest.lines().next()?;
    let mut parts = first.rsplitn(3, ':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    let path = parts.next()?.to_string();
    let message = rest
        .lines()
        .find_map(|l| l.strip_prefix("error: "))
        .map_or_else(|| one_line(rest.lines().last().unwrap_or("")), one_line);
    // Text before the location (anyhow context) says what was being done.
    let before = one_line(text[..start - 4].trim().trim_end_matches(':'));
    let message = if before.is_empty() {
        message
    } else {
        format!("{before}: {message}")
    };
    Some((path, line, column, message))
}

/// A diagnostic from a regorus error about a module (`shown` when the error names no position).
fn module_diagnostic(error: &anyhow::Error, shown: &str) -> Diagnostic {
    let text = format!("{error:#}");
    match located(&text) {
        Some((path, line, column, message)) => Diagnostic {
            path,
            line,
            column,
            message: lower_first(&message),
        },
        None => Diagnostic {
            path: shown.to_string(),
            line: 0,
            column: 0,
            message: lower_first(&one_line(&text)),
        },
    }
}

fn lower_first(text: &str) -> String {
    let text = text.trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Parses and prepares the modules: one engine holding them all, so that a module may use
/// another's package (`import data.dockward.lib`).
fn compile(sources: &[(String, String)], time_limit: Duration) -> Result<Compiled, Vec<Diagnostic>> {
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(false);
    // Errors in builtins (a type error, a bad regex) must surface as errors, never as an
    // undefined rule that looks like "no findings".
    engine.set_strict_builtin_errors(true);
    engine.set_execution_timer_config(timer(time_limit));
    if let Some(bytes) = std::num::NonZeroUsize::new(MAX_MODULE_BYTES as usize) {
        engine.set_policy_length_config(regorus::PolicyLengthConfig {
            max_file_bytes: bytes,
            ..Default::default()
        });
    }
    add_bounded_ranges(&mut engine);

    let mut diagnostics = Vec::new();
    // (package, file, text) of each module that parsed.
    let mut parsed: Vec<(String, &str, &str)> = Vec::new();
    for (path, text) in sources {
        if let Some((line, column)) = too_deep(text) {
            diagnostics.push(Diagnostic {
                path: path.clone(),
                line,
                column,
                message: format!("brackets nest deeper than {MAX_NESTING} levels"),
            });
            continue;
        }
        if let Err(e) = engine.add_policy(path.clone(), text.clone()) {
            diagnostics.push(module_diagnostic(&e, path));
            continue;
        }
        let package = engine
            .get_policy_package_components()
            .ok()
            .and_then(|all| all.into_iter().rev().find(|p| &p.source_file == path))
            .map(|p| p.components)
            .unwrap_or_default();
        match check_package(&package) {
            Ok(name) => parsed.push((name, path, text)),
            Err(message) => {
                let (line, column) = package_position(text);
                diagnostics.push(Diagnostic {
                    path: path.clone(),
                    line,
                    column,
                    message,
                });
            }
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    // Preparing analyses every module together (unsafe variables, recursion, unknown functions):
    // done once here, so that each evaluation clones a prepared engine.
    engine.set_input(regorus::Value::new_object());
    if let Err(e) = engine.eval_query("true".to_string(), false) {
        let shown = sources.first().map_or("", |(p, _)| p.as_str());
        return Err(vec![module_diagnostic(&e, shown)]);
    }

    let mut needed = Needed::nothing();
    let mut packages: Vec<Package> = Vec::new();
    for (name, path, text) in &parsed {
        needed.merge(needed::input_references(text));
        let index = match packages.iter().position(|p| &p.name == name) {
            Some(index) => {
                let module = &mut packages[index].module;
                module.push_str(", ");
                module.push_str(path);
                index
            }
            None => {
                packages.push(Package {
                    name: name.clone(),
                    module: (*path).to_string(),
                    error_id: format!("{CUSTOM_PREFIX}{name}"),
                    deny: None,
                    warn: None,
                    tests: Vec::new(),
                });
                packages.len() - 1
            }
        };
        let package = &mut packages[index];
        for (slot, rule) in [(&mut package.deny, "deny"), (&mut package.warn, "warn")] {
            let path_of_rule = format!("data.{name}.{rule}");
            // The root is relative to the module's package.
            if slot.is_none() && engine.has_declared_rule_rooted_at(path, rule).unwrap_or(false) {
                *slot = Some(path_of_rule);
            }
        }
        for test in test_rule_names(text) {
            let full = format!("data.{name}.{test}");
            if !package.tests.contains(&full) {
                package.tests.push(full);
            }
        }
    }
    Ok(Compiled {
        template: engine,
        idle: Mutex::new(Vec::new()),
        packages,
        time_limit,
        needed,
    })
}

/// How deep `(`, `[` and `{` may nest in a module: regorus 0.14.1's parser takes time
/// exponential in the nesting of `[` and `{` (about ×4 per level: 16 levels take 1.5 s in a debug
/// build; found by fuzzing), and rules do not nest literals this deep.
pub const MAX_NESTING: usize = 12;

/// Where a bracket opens beyond [`MAX_NESTING`] levels, outside strings and comments.
fn too_deep(text: &str) -> Option<(u32, u32)> {
    let (mut line, mut column) = (1u32, 0u32);
    let mut depth = 0usize;
    let mut chars = text.chars();
    // Inside a "…" string, a `…` raw string, or a comment.
    let (mut quoted, mut raw, mut comment) = (false, false, false);
    while let Some(c) = chars.next() {
        column += 1;
        if c == '\n' {
            (line, column, comment) = (line + 1, 0, false);
            continue;
        }
        if comment {
            continue;
        }
        if quoted {
            match c {
                '\\' => {
                    chars.next();
                    column += 1;
                }
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        if raw {
            raw = c != '`';
            continue;
        }
        match c {
            '#' => comment = true,
            '"' => quoted = true,
            '`' => raw = true,
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((line, column));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The package's dotted name, when it is under `dockward` and made of plain identifiers.
fn check_package(components: &[String]) -> Result<String, String> {
    let plain = |c: &String| {
        let mut chars = c.chars();
        chars
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let name = components.join(".");
    if components.first().map(String::as_str) != Some("dockward") || components.len() < 2 {
        return Err(format!(
            "the package must be under `dockward` (e.g. `package dockward.custom`), not `{name}`"
        ));
    }
    if !components.iter().all(plain) {
        return Err(format!(
            "the package `{name}` must be made of plain names (letters, digits, `_`)"
        ));
    }
    Ok(name)
}

/// Where the `package` keyword is (1:1 when not found).
fn package_position(text: &str) -> (u32, u32) {
    text.lines()
        .enumerate()
        .find_map(|(n, line)| {
            let trimmed = line.trim_start();
            trimmed.starts_with("package").then(|| {
                let column = line.chars().count() - trimmed.chars().count() + 1;
                (
                    u32::try_from(n + 1).unwrap_or(u32::MAX),
                    u32::try_from(column).unwrap_or(1),
                )
            })
        })
        .unwrap_or((1, 1))
}

/// The names of the `test_` rules a module defines: rule heads start a line.
fn test_rule_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test_") else {
            continue;
        };
        let tail: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let name = format!("test_{tail}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// `numbers.range` and `numbers.range_step` build their whole array in one step, where the
/// execution timer cannot stop them: replaced by versions that refuse more than
/// [`MAX_RANGE_ELEMENTS`] elements (extensions are looked up before builtins).
fn add_bounded_ranges(engine: &mut regorus::Engine) {
    let range = |args: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
        let [from, to] = integers::<2>("numbers.range", &args)?;
        bounded_range("numbers.range", from, to, 1)
    };
    let range_step = |args: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
        let [from, to, step] = integers::<3>("numbers.range_step", &args)?;
        if step <= 0 {
            anyhow::bail!("numbers.range_step: step must be a positive integer");
        }
        bounded_range("numbers.range_step", from, to, step)
    };
    // A string that doubles in each rule grows faster than the timer looks (one copy of a
    // gigabyte is one work unit): the usual tools to build strings and arrays are bounded.
    let concat = |args: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
        let [delimiter, collection] = <[regorus::Value; 2]>::try_from(args)
            .map_err(|_| anyhow::anyhow!("concat: expects 2 arguments"))?;
        let regorus::Value::String(delimiter) = delimiter else {
            anyhow::bail!(
                "concat: the delimiter must be a string, not {}",
                type_name(&delimiter)
            );
        };
        let items: Vec<&regorus::Value> = match &collection {
            regorus::Value::Array(items) => items.iter().collect(),
            regorus::Value::Set(items) => items.iter().collect(),
            other => anyhow::bail!(
                "concat: expects an array or set of strings, not {}",
                type_name(other)
            ),
        };
        let mut strings = Vec::with_capacity(items.len());
        let mut total = delimiter.len().saturating_mul(items.len());
        for item in items {
            let regorus::Value::String(s) = item else {
                anyhow::bail!(
                    "concat: expects an array or set of strings, found {}",
                    type_name(item)
                );
            };
            total = total.saturating_add(s.len());
            strings.push(s.as_ref());
        }
        if total > MAX_BUILT_STRING_BYTES {
            anyhow::bail!(
                "concat: a string of {total} bytes is more than the limit of {MAX_BUILT_STRING_BYTES}; stopped"
            );
        }
        Ok(regorus::Value::from(strings.join(&delimiter)))
    };
    let array_concat = |args: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
        let [a, b] = <[regorus::Value; 2]>::try_from(args)
            .map_err(|_| anyhow::anyhow!("array.concat: expects 2 arguments"))?;
        let (regorus::Value::Array(a), regorus::Value::Array(b)) = (&a, &b) else {
            anyhow::bail!(
                "array.concat: expects two arrays, not {} and {}",
                type_name(&a),
                type_name(&b)
            );
        };
        let total = a.len().saturating_add(b.len());
        if total as u64 > MAX_RANGE_ELEMENTS {
            anyhow::bail!(
                "array.concat: {total} elements is more than the limit of {MAX_RANGE_ELEMENTS}; stopped"
            );
        }
        Ok(regorus::Value::from(
            a.iter().chain(b.iter()).cloned().collect::<Vec<_>>(),
        ))
    };
    // Only fails when the name is already taken, which it is not on a new engine.
    let _ = engine.add_extension("numbers.range".to_string(), 2, Box::new(range));
    let _ = engine.add_extension("numbers.range_step".to_string(), 3, Box::new(range_step));
    let _ = engine.add_extension("concat".to_string(), 2, Box::new(concat));
    let _ = engine.add_extension("array.concat".to_string(), 2, Box::new(array_concat));
}

fn integers<const N: usize>(name: &str, args: &[regorus::Value]) -> anyhow::Result<[i64; N]> {
    let mut out = [0i64; N];
    if args.len() != N {
        anyhow::bail!("{name}: expects {N} arguments");
    }
    for (slot, arg) in out.iter_mut().zip(args) {
        *slot = match arg {
            regorus::Value::Number(n) if n.is_integer() => n
                .as_i64()
                .ok_or_else(|| anyhow::anyhow!("{name}: operand out of range"))?,
            other => anyhow::bail!("{name}: operand must be an integer, not {}", type_name(other)),
        };
    }
    Ok(out)
}

fn bounded_range(name: &str, from: i64, to: i64, step: i64) -> anyhow::Result<regorus::Value> {
    let span = i128::from(to) - i128::from(from);
    let count = span.unsigned_abs() / step.unsigned_abs() as u128 + 1;
    if count > u128::from(MAX_RANGE_ELEMENTS) {
        anyhow::bail!("{name}: {count} elements is more than the limit of {MAX_RANGE_ELEMENTS}; stopped");
    }
    let step = if to >= from { step } else { -step };
    let mut values = Vec::with_capacity(count as usize);
    let mut v = from;
    for _ in 0..count {
        values.push(regorus::Value::from(v));
        v = v.saturating_add(step);
    }
    Ok(regorus::Value::from(values))
}

/// Reads one module, refusing a file over [`MAX_MODULE_BYTES`].
fn read_module(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("could not read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_MODULE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("could not read: {e}"))?;
    if bytes.len() as u64 > MAX_MODULE_BYTES {
        return Err(format!("larger than {MAX_MODULE_BYTES} bytes; not read"));
    }
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8 (at byte {})", e.utf8_error().valid_up_to()))
}

/// The files a pattern names, sorted: a plain path names itself; a glob (`*`, `?`, `[…]`,
/// `{…}`, `**`) is matched against the files under its literal leading directories.
fn expand(base_dir: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let is_glob = |part: &str| part.contains(['*', '?', '[', '{']);
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    if !is_glob(pattern) {
        let path = joined(base_dir, pattern);
        return Ok(if path.is_file() { vec![path] } else { Vec::new() });
    }
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("bad rego pattern `{pattern}`: {}", e.kind()))?
        .compile_matcher();
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts
        .iter()
        .take_while(|p| !is_glob(p))
        .count()
        .min(parts.len() - 1);
    let prefix = parts[..literal].join("/");
    let start = if pattern.starts_with('/') && prefix.is_empty() {
        PathBuf::from("/")
    } else {
        joined(base_dir, &prefix)
    };
    let mut found = Vec::new();
    let mut visited = 0usize;
    // (directory, its path as the pattern spells it, depth)
    let mut pending = vec![(start, prefix, 0usize)];
    while let Some((dir, spelled, depth)) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("could not read {}: {e}", dir.display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("could not read {}: {e}", dir.display()))?;
            visited += 1;
            if visited > MAX_WALKED_ENTRIES {
                return Err(format!(
                    "rego pattern `{pattern}` looks through more than {MAX_WALKED_ENTRIES} files; make it narrower"
                ));
            }
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let spelled_child = if spelled.is_empty() {
                name.to_string()
            } else if spelled.ends_with('/') {
                format!("{spelled}{name}")
            } else {
                format!("{spelled}/{name}")
            };
            // Symbolic links to directories are not followed (no cycles); to files they are.
            let kind = entry
                .file_type()
                .map_err(|e| format!("could not read {}: {e}", dir.display()))?;
            let path = entry.path();
            if kind.is_dir() {
                if depth < MAX_WALK_DEPTH {
                    pending.push((path, spelled_child, depth + 1));
                }
            } else if (kind.is_file() || path.is_file()) && matcher.is_match(&spelled_child) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `base/rel`, without a leading `./` when the base is the working directory.
fn joined(base_dir: &Path, rel: &str) -> PathBuf {
    if base_dir.as_os_str().is_empty() || base_dir == Path::new(".") {
        PathBuf::from(rel)
    } else {
        base_dir.join(rel)
    }
}

/// The input of one workload: `{"kind": kind, "workload": <the Workload as snapshots serialize
/// it>}`; kind is `container`, `compose-service` or `k8s-container`.
pub fn workload_input(kind: &str, workload: &Workload) -> serde_json::Value {
    facts_input(kind, "workload", workload)
}

/// The input of an image: `{"kind": "image", "image": <ImageFacts>}`.
pub fn image_input(image: &ImageFacts) -> serde_json::Value {
    facts_input("image", "image", image)
}

/// The input of a Dockerfile: `{"kind": "dockerfile", "dockerfile": <the parsed Dockerfile>}`.
pub fn dockerfile_input(dockerfile: &Dockerfile) -> serde_json::Value {
    facts_input("dockerfile", "dockerfile", dockerfile)
}

/// The input of the daemon: `{"kind": "daemon", "daemon": <DaemonFacts>}`.
pub fn daemon_input(daemon: &DaemonFacts) -> serde_json::Value {
    facts_input("daemon", "daemon", daemon)
}

/// The input of the host: `{"kind": "host", "host": <HostFacts>}`.
pub fn host_input(host: &HostFacts) -> serde_json::Value {
    facts_input("host", "host", host)
}

/// Facts that can be an input ([`Modules::evaluate_facts`]): every serializable type.
pub trait ErasedFacts {
    /// The `needed` part of the facts as regorus' value, as serde_json would write them.
    fn to_rego_value(&self, needed: &Needed) -> Result<regorus::Value, value::Error>;
}

impl<T: serde::Serialize> ErasedFacts for T {
    fn to_rego_value(&self, needed: &Needed) -> Result<regorus::Value, value::Error> {
        value::to_value_needed(self, needed)
    }
}

/// Adds `"source": "audit" | "lint" | "authz"` to an input.
pub fn set_source(input: &mut serde_json::Value, source: InputSource) {
    if let serde_json::Value::Object(map) = input {
        map.insert("source".to_string(), serde_json::Value::from(source.as_str()));
    }
}

/// The kind of input a workload gives: `container` (also for requests), `compose-service`,
/// `k8s-container`.
pub fn workload_kind(workload: &Workload) -> &'static str {
    match workload.origin {
        dockward_model::Origin::Compose { .. } => "compose-service",
        dockward_model::Origin::Kubernetes { .. } => "k8s-container",
        dockward_model::Origin::Container { .. } | dockward_model::Origin::Request { .. } => "container",
    }
}

fn facts_input(kind: &str, key: &str, facts: &impl serde::Serialize) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("kind".to_string(), serde_json::Value::from(kind));
    // The model's types serialize without failing (plain data, string keys).
    map.insert(
        key.to_string(),
        serde_json::to_value(facts).unwrap_or(serde_json::Value::Null),
    );
    serde_json::Value::Object(map)
}

/// Findings on one container an Engine API request would create or change (the authorization
/// plugin and the proxy): input kind `container`, source `authz`.
pub fn request_findings(modules: &Modules, workload: &Workload) -> Vec<ModuleOutcome> {
    modules.evaluate_facts("container", "workload", InputSource::Authz, workload)
}

/// The custom results of an audit: every module on every container, image, the daemon and the
/// host of the snapshot, as results on the same targets the built-in rules use.
pub fn audit_results(modules: &Modules, snapshot: &Snapshot) -> Vec<RuleResult> {
    let mut results = Vec::new();
    if modules.compiled.packages.is_empty() {
        return results;
    }
    let settings = dockward_rules::Settings::default();
    let ctx = dockward_rules::Context::of(snapshot, &settings);
    let daemon_target = Arc::new(dockward_rules::daemon_target(&ctx));
    let audit = |kind: &str, key: &str, facts: &dyn ErasedFacts| {
        modules.evaluate_facts(kind, key, InputSource::Audit, facts)
    };
    if let Some(reason) = &snapshot.unreachable {
        let message = format!("could not reach the daemon: {reason}");
        push_errors(&mut results, modules, &daemon_target, &message);
        return results;
    }
    for workload in &snapshot.containers {
        let target = dockward_rules::container_target(workload);
        let outcomes = audit("container", "workload", workload);
        push_outcomes(&mut results, &target, None, outcomes);
    }
    for image in &snapshot.images {
        let target = dockward_rules::image_target(image);
        push_outcomes(&mut results, &target, None, audit("image", "image", image));
    }
    // What could not be collected cannot be judged: an error, never a silent pass.
    for error in &snapshot.errors {
        let target = Arc::new(error.target.clone());
        let message = format!("could not inspect: {}", error.reason);
        push_errors(&mut results, modules, &target, &message);
    }
    push_outcomes(
        &mut results,
        &daemon_target,
        None,
        audit("daemon", "daemon", &snapshot.daemon),
    );
    if let Some(host) = &snapshot.host {
        let target = Arc::new(dockward_rules::host_target(&ctx));
        push_outcomes(&mut results, &target, None, audit("host", "host", host));
    }
    results
}

/// The custom results of a lint: every module on every workload read from a file (compose
/// services, Kubernetes containers) and every Dockerfile, on the targets the built-in lint rules
/// use; a workload's results point at where it is declared.
pub fn lint_results(
    modules: &Modules,
    workloads: &[&Workload],
    dockerfiles: &[&Dockerfile],
) -> Vec<RuleResult> {
    let mut results = Vec::new();
    if modules.compiled.packages.is_empty() {
        return results;
    }
    let lint = |kind: &str, key: &str, facts: &dyn ErasedFacts| {
        modules.evaluate_facts(kind, key, InputSource::Lint, facts)
    };
    for workload in workloads {
        let target = dockward_rules::lint::workload_target(workload);
        let location = workload.origin.declared_at().and_then(|at| at.location());
        let outcomes = lint(workload_kind(workload), "workload", *workload);
        push_outcomes(&mut results, &target, location.as_ref(), outcomes);
    }
    for dockerfile in dockerfiles {
        // Named as the Dockerfile rules name their target: by the path as given.
        let target = Arc::new(Target {
            kind: TargetKind::Dockerfile,
            name: dockerfile.path.clone(),
            id: None,
        });
        push_outcomes(
            &mut results,
            &target,
            None,
            lint("dockerfile", "dockerfile", *dockerfile),
        );
    }
    results
}

fn push_errors(results: &mut Vec<RuleResult>, modules: &Modules, target: &Arc<Target>, message: &str) {
    let outcomes = modules.all_errors(message);
    push_outcomes(results, target, None, outcomes);
}

fn push_outcomes(
    results: &mut Vec<RuleResult>,
    target: &Arc<Target>,
    location: Option<&Location>,
    outcomes: Vec<ModuleOutcome>,
) {
    for outcome in outcomes {
        match outcome {
            ModuleOutcome::Findings(findings) => {
                results.extend(findings.into_iter().map(|f| RuleResult {
                    rule: Cow::Owned(f.id.clone()),
                    name: Cow::Owned(f.id),
                    status: Status::Fail,
                    severity: f.severity,
                    target: Arc::clone(target),
                    message: f.message,
                    evidence: Vec::new(),
                    fix: f.fix.map(Cow::Owned),
                    location: location.cloned(),
                    references: no_references(),
                    suppressed: None,
                    waived: None,
                }));
            }
            ModuleOutcome::Error { module, id, message } => results.push(RuleResult {
                rule: Cow::Owned(id.clone()),
                name: Cow::Owned(id),
                status: Status::Error,
                severity: Severity::High,
                target: Arc::clone(target),
                message: format!("{module}: {message}"),
                evidence: Vec::new(),
                fix: None,
                location: location.cloned(),
                references: no_references(),
                suppressed: None,
                waived: None,
            }),
        }
    }
}

fn no_references() -> Arc<[Cow<'static, str>]> {
    static EMPTY: std::sync::OnceLock<Arc<[Cow<'static, str>]>> = std::sync::OnceLock::new();
    Arc::clone(EMPTY.get_or_init(|| Arc::from(Vec::new())))
}

pub mod needed;
pub mod value;

pub use needed::Needed;

#[cfg(test)]
mod tests;
