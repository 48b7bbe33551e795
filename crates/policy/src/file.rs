//! The policy file: TOML, read with positions, validated, found from a directory upward.
//!
//! Every value is read from `toml`'s span-keeping document tree, so each problem is reported at
//! the line and column of the key or value at fault, and every problem of the file is reported,
//! not only the first.

use std::borrow::Cow;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use dockward_model::Severity;
use dockward_rules::{Profile, Rule, RuleOptions, Scope};
use globset::{GlobBuilder, GlobMatcher};
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use crate::Date;
use crate::waiver::{LabelSelector, Pattern, Waiver};

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
    /// The file as given, for diagnostics and `policy show` (empty for the defaults).
    pub(crate) display: String,
    /// `profile`, where it is written: `Some(None)` for `profile = "default"`.
    pub(crate) profile: Option<(Option<Profile>, Pos)>,
    /// `rules.enable`.
    pub(crate) enable: Vec<RuleEntry>,
    /// `rules.disable`.
    pub(crate) disable: Vec<RuleEntry>,
    /// `rules.severity`, in file order.
    pub(crate) severity: Vec<(RuleEntry, Severity)>,
    /// `[options]` (without `trusted-users`).
    pub(crate) options: RuleOptions,
    /// `options.trusted-users`.
    pub(crate) trusted_users: Option<Vec<String>>,
    /// `[[waiver]]`, in file order.
    pub(crate) waivers: Vec<Waiver>,
    /// The modules `rego` names, compiled.
    pub(crate) rego: Option<crate::rego::Modules>,
}

/// A position in the policy file, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// What a rule reference in the file (`enable`, `disable`, `severity`, a waiver's `rules`) names.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RuleTarget {
    /// A built-in rule, by id or name.
    Rule(&'static Rule),
    /// Every built-in rule of a category.
    Category(Scope),
    /// A custom (Rego) rule: `custom/ORG001`.
    Custom,
}

/// A rule reference as written, resolved, with its position.
#[derive(Clone, Debug)]
pub(crate) struct RuleEntry {
    /// As written.
    pub(crate) text: String,
    /// What it names.
    pub(crate) target: RuleTarget,
    /// Where.
    pub(crate) pos: Pos,
}

impl RuleEntry {
    /// Whether the entry names the rule with this id (a built-in id or `custom/…`) and name.
    pub(crate) fn names(&self, id: &str, name: &str) -> bool {
        match self.target {
            RuleTarget::Rule(rule) => rule.id.eq_ignore_ascii_case(id),
            RuleTarget::Category(scope) => {
                !id.starts_with(crate::CUSTOM_PREFIX) && Scope::of(id) == Some(scope)
            }
            RuleTarget::Custom => self.text.eq_ignore_ascii_case(id) || self.text.eq_ignore_ascii_case(name),
        }
    }
}

/// The names a policy file may have, looked for in this order in each directory.
pub const FILE_NAMES: [&str; 2] = ["dockward.toml", ".dockward.toml"];

/// The largest policy file read.
pub const MAX_FILE_SIZE: usize = 1 << 20;

/// The keys of the file's top level (`$schema` lets editors find the JSON Schema).
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "$schema",
    "profile",
    "rego",
    "rego-time-limit-ms",
    "rules",
    "options",
    "waiver",
];

/// The longest time limit of one Rego evaluation a policy may set: a plugin that waits longer on
/// one request holds up the daemon's client.
pub const MAX_REGO_TIME_LIMIT_MS: i64 = 60_000;
/// The keys of `[rules]`.
pub const RULES_KEYS: &[&str] = &["enable", "disable", "severity"];
/// The keys of `[options]`.
pub const OPTIONS_KEYS: &[&str] = &[
    "allowed-capabilities",
    "sensitive-host-paths",
    "min-pids-limit",
    "trusted-registries",
    "trusted-users",
];
/// The keys of a `[[waiver]]`.
pub const WAIVER_KEYS: &[&str] = &[
    "rules",
    "containers",
    "images",
    "labels",
    "services",
    "paths",
    "namespaces",
    "names",
    "reason",
    "expires",
];

/// The policy file that applies in `dir`: `dockward.toml` or `.dockward.toml` in `dir` or the
/// nearest of its parents that has one.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    // Parents of a relative directory (".") are only known once it is absolute.
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    for ancestor in dir.ancestors() {
        for name in FILE_NAMES {
            let candidate = ancestor.join(name);
            // Anything by that name counts, even a directory or a dangling link: loading it then
            // says what is wrong, instead of a broken policy being skipped without a word.
            if std::fs::symlink_metadata(&candidate).is_ok() {
                return Some(candidate);
            }
        }
    }
    None
}

impl Policy {
    /// The defaults: no file.
    pub fn none() -> Policy {
        Policy {
            path: None,
            display: String::new(),
            profile: None,
            enable: Vec::new(),
            disable: Vec::new(),
            severity: Vec::new(),
            options: RuleOptions::default(),
            trusted_users: None,
            waivers: Vec::new(),
            rego: None,
        }
    }

    /// Reads and validates the file at `path` (at most 1 MiB), and the Rego modules it names
    /// (relative to the file's directory).
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let display = path.display().to_string();
        let whole = |message: String| {
            PolicyError(vec![Diagnostic {
                path: display.clone(),
                line: 0,
                column: 0,
                message,
            }])
        };
        let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot read the policy file: {e}")))?;
        if !meta.is_file() {
            return Err(whole("not a regular file".to_string()));
        }
        let file =
            std::fs::File::open(path).map_err(|e| whole(format!("cannot read the policy file: {e}")))?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_SIZE as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| whole(format!("cannot read the policy file: {e}")))?;
        if bytes.len() > MAX_FILE_SIZE {
            return Err(whole(too_large()));
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let prefix = String::from_utf8_lossy(&bytes[..valid]);
                let pos = Lines::new(&prefix).pos(valid);
                return Err(PolicyError(vec![Diagnostic {
                    path: display,
                    line: pos.line,
                    column: pos.column,
                    message: "the file is not valid UTF-8".to_string(),
                }]));
            }
        };
        let base_dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        Policy::parse(&text, path, base_dir)
    }

    /// Validates policy text; `path` names it in diagnostics, `base_dir` is where `rego`
    /// globs are resolved.
    pub fn parse(text: &str, path: &Path, base_dir: &Path) -> Result<Policy, PolicyError> {
        let display = path.display().to_string();
        if text.len() > MAX_FILE_SIZE {
            return Err(PolicyError(vec![Diagnostic {
                path: display,
                line: 0,
                column: 0,
                message: too_large(),
            }]));
        }
        let mut cx = Cx {
            path: &display,
            lines: Lines::new(text),
            diags: Vec::new(),
        };
        let (root, errors) = DeTable::parse_recoverable(text);
        if !errors.is_empty() {
            for error in errors {
                let span = error.span().unwrap_or(0..0);
                let mut message = toml_message(error.message());
                // toml says which key only through the span: name it.
                if message == "duplicate key"
                    && let Some(key) = text.get(span.clone()).filter(|k| !k.is_empty() && k.len() <= 200)
                {
                    message = format!("duplicate key {key}");
                }
                cx.error(span, message);
            }
            return Err(cx.finish());
        }
        let mut policy = Policy::none();
        policy.path = Some(path.to_path_buf());
        policy.display = display.clone();
        let mut rego_patterns = Vec::new();
        let mut rego_time_limit = None;
        for (key, value) in root.get_ref() {
            match key.get_ref().as_ref() {
                "$schema" => {
                    cx.string(value, "$schema");
                }
                "profile" => policy.profile = cx.profile(value),
                "rego" => {
                    for (pattern, span) in cx.strings(value, "rego") {
                        let pos = cx.lines.pos(span.start);
                        if pattern.trim().is_empty() {
                            cx.error(span, "rego patterns must not be empty".to_string());
                        } else {
                            rego_patterns.push((pattern, pos.line, pos.column));
                        }
                    }
                }
                "rego-time-limit-ms" => match value.get_ref() {
                    DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                        Ok(ms @ 1..=MAX_REGO_TIME_LIMIT_MS) => {
                            rego_time_limit = Some(std::time::Duration::from_millis(ms.unsigned_abs()));
                        }
                        _ => cx.error(
                            value.span(),
                            format!("rego-time-limit-ms must be from 1 to {MAX_REGO_TIME_LIMIT_MS}"),
                        ),
                    },
                    _ => cx.wrong_type(value, "rego-time-limit-ms", "an integer (milliseconds)"),
                },
                "rules" => cx.rules(value, &mut policy),
                "options" => cx.options(value, &mut policy),
                "waiver" => cx.waivers(value, &mut policy),
                other => cx.unknown_key(key, other, "", TOP_LEVEL_KEYS),
            }
        }
        if !rego_patterns.is_empty() {
            match crate::rego::Modules::load(base_dir, &rego_patterns, &display) {
                Ok(modules) => {
                    policy.rego = Some(match rego_time_limit {
                        Some(limit) => modules.with_time_limit(limit),
                        None => modules,
                    });
                }
                Err(diags) => cx.diags.extend(diags),
            }
        }
        if cx.diags.is_empty() {
            Ok(policy)
        } else {
            Err(cx.finish())
        }
    }

    /// The compiled Rego modules, when the policy names any.
    pub fn rego(&self) -> Option<&crate::rego::Modules> {
        self.rego.as_ref()
    }

    /// The file as given in diagnostics and origins (empty for [`Policy::none`]).
    pub fn display_path(&self) -> &str {
        &self.display
    }

    /// The file's `profile`: `None` when it sets none, `Some(None)` for `"default"`.
    pub fn profile(&self) -> Option<Option<Profile>> {
        self.profile.map(|(profile, _)| profile)
    }
}

fn too_large() -> String {
    format!("the policy file is larger than {} MiB", MAX_FILE_SIZE >> 20)
}

/// toml's messages, in the style of the others: lower case, no final period.
fn toml_message(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match (chars.next(), chars.next()) {
        // An acronym ("TOML …") keeps its case.
        (Some(first), second) if second.is_none_or(char::is_lowercase) => first
            .to_lowercase()
            .chain(message[first.len_utf8()..].chars())
            .collect(),
        (Some(_), _) => message.to_string(),
        (None, _) => "invalid TOML".to_string(),
    }
}

/// Byte offsets to 1-based lines and character columns.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

/// The validation of one file: its positions and the problems found so far.
struct Cx<'a, 't> {
    path: &'a str,
    lines: Lines<'t>,
    diags: Vec<Diagnostic>,
}

type Value<'i> = Spanned<DeValue<'i>>;
type Key<'i> = Spanned<Cow<'i, str>>;

/// A value's type for messages: "a string", "an array".
fn kind_of(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(dt) => match (dt.date, dt.time) {
            (Some(_), None) => "a date",
            (None, Some(_)) => "a time",
            _ => "a date-time",
        },
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Cx<'_, '_> {
    fn error(&mut self, span: Range<usize>, message: String) {
        let pos = self.lines.pos(span.start);
        self.diags.push(Diagnostic {
            path: self.path.to_string(),
            line: pos.line,
            column: pos.column,
            message,
        });
    }

    fn finish(mut self) -> PolicyError {
        // Tables are walked in key order, not file order; the file's order is the reader's.
        self.diags.sort_by_key(|d| (d.line, d.column));
        PolicyError(self.diags)
    }

    fn pos(&self, span: &Range<usize>) -> Pos {
        self.lines.pos(span.start)
    }

    fn unknown_key(&mut self, key: &Key<'_>, name: &str, table: &str, allowed: &[&str]) {
        let what = if table.is_empty() {
            String::new()
        } else {
            format!(" in {table}")
        };
        let hint = match closest(name, allowed.iter().copied()) {
            Some(close) => format!(" (did you mean \"{close}\"?)"),
            None => String::new(),
        };
        let message = format!(
            "unknown key \"{name}\"{what}{hint}: expected one of {}",
            allowed.join(", ")
        );
        self.error(key.span(), message);
    }

    fn wrong_type(&mut self, value: &Value<'_>, field: &str, expected: &str) {
        let found = kind_of(value.get_ref());
        self.error(value.span(), format!("{field} must be {expected}, found {found}"));
    }

    fn string(&mut self, value: &Value<'_>, field: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(value, field, "a string");
                None
            }
        }
    }

    fn table<'v, 'i>(&mut self, value: &'v Value<'i>, field: &str) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(value, field, "a table");
                None
            }
        }
    }

    fn array<'v, 'i>(&mut self, value: &'v Value<'i>, field: &str) -> Option<&'v DeArray<'i>> {
        match value.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.wrong_type(value, field, "an array of strings");
                None
            }
        }
    }

    /// An array of strings, each with its span; elements of another type are errors.
    fn strings(&mut self, value: &Value<'_>, field: &str) -> Vec<(String, Range<usize>)> {
        let Some(array) = self.array(value, field) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(array.len());
        for item in array.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), item.span())),
                _ => self.wrong_type(item, &format!("each element of {field}"), "a string"),
            }
        }
        out
    }

    fn profile(&mut self, value: &Value<'_>) -> Option<(Option<Profile>, Pos)> {
        let name = self.string(value, "profile")?;
        let pos = self.pos(&value.span());
        if name == "default" {
            return Some((None, pos));
        }
        match name.parse::<Profile>() {
            Ok(profile) => Some((Some(profile), pos)),
            Err(_) => {
                let mut names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
                names.push("default");
                self.error(
                    value.span(),
                    format!("unknown profile \"{name}\": expected one of {}", names.join(", ")),
                );
                None
            }
        }
    }

    /// A rule reference: a built-in id or name, a category (when allowed), or `custom/ID`.
    fn rule_entry(&mut self, text: &str, span: Range<usize>, categories: bool) -> Option<RuleEntry> {
        let pos = self.pos(&span);
        let target = if let Some(id) = text.strip_prefix(crate::CUSTOM_PREFIX) {
            if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
                self.error(
                    span,
                    format!("bad custom rule id \"{text}\": expected custom/ and an id without spaces (custom/ORG001)"),
                );
                return None;
            }
            RuleTarget::Custom
        } else if let Some(rule) = dockward_rules::find(text) {
            RuleTarget::Rule(rule)
        } else if let Some(scope) = Scope::parse(text).filter(|_| categories) {
            RuleTarget::Category(scope)
        } else {
            let what = if categories {
                "unknown rule, rule name or category"
            } else {
                "unknown rule or rule name"
            };
            let mut message = format!("{what} \"{text}\"");
            let candidates = dockward_rules::RULES
                .iter()
                .flat_map(|r| [r.id, r.name])
                .chain(Scope::ALL.iter().map(|(n, _)| *n).filter(|_| categories));
            if let Some(close) = closest(text, candidates) {
                message.push_str(&format!(" (did you mean \"{close}\"?)"));
            } else if Scope::parse(text).is_some() {
                message.push_str(": a category is not allowed here");
            } else if !text.contains('/') {
                message.push_str(" (custom rules are written custom/ID)");
            }
            self.error(span, message);
            return None;
        };
        Some(RuleEntry {
            text: text.to_string(),
            target,
            pos,
        })
    }

    fn rule_list(&mut self, value: &Value<'_>, field: &str, categories: bool) -> Vec<RuleEntry> {
        self.strings(value, field)
            .into_iter()
            .filter_map(|(text, span)| self.rule_entry(&text, span, categories))
            .collect()
    }

    fn rules(&mut self, value: &Value<'_>, policy: &mut Policy) {
        let Some(table) = self.table(value, "rules") else {
            return;
        };
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "enable" => policy.enable = self.rule_list(value, "rules.enable", true),
                "disable" => policy.disable = self.rule_list(value, "rules.disable", true),
                "severity" => {
                    let Some(overrides) = self.table(value, "rules.severity") else {
                        continue;
                    };
                    let mut entries: Vec<(RuleEntry, Severity)> = Vec::new();
                    for (rule, severity) in overrides {
                        let entry = self.rule_entry(rule.get_ref(), rule.span(), false);
                        let field = format!("rules.severity.{}", rule.get_ref());
                        let severity = self.severity(severity, &field);
                        if let (Some(entry), Some(severity)) = (entry, severity) {
                            entries.push((entry, severity));
                        }
                    }
                    entries.sort_by_key(|(e, _)| (e.pos.line, e.pos.column));
                    policy.severity = entries;
                }
                other => self.unknown_key(key, other, "[rules]", RULES_KEYS),
            }
        }
    }

    fn severity(&mut self, value: &Value<'_>, field: &str) -> Option<Severity> {
        let text = self.string(value, field)?;
        let severity = Severity::parse(&text);
        if severity.is_none() {
            let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
            self.error(
                value.span(),
                format!(
                    "unknown severity \"{text}\": expected one of {}",
                    names.join(", ")
                ),
            );
        }
        severity
    }

    fn options(&mut self, value: &Value<'_>, policy: &mut Policy) {
        let Some(table) = self.table(value, "options") else {
            return;
        };
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let field = format!("options.{name}");
            match name {
                "allowed-capabilities" => {
                    let mut caps = Vec::new();
                    for (cap, span) in self.strings(value, &field) {
                        let upper = cap.trim().to_ascii_uppercase();
                        let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
                        if bare.is_empty() || !bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                            self.error(
                                span,
                                format!("bad capability \"{cap}\": expected a name such as NET_BIND_SERVICE"),
                            );
                        } else if !caps.iter().any(|c| c == bare) {
                            caps.push(bare.to_string());
                        }
                    }
                    policy.options.allowed_capabilities = Some(caps);
                }
                "sensitive-host-paths" => {
                    let mut paths = Vec::new();
                    for (path, span) in self.strings(value, &field) {
                        if path.starts_with('/') {
                            paths.push(path);
                        } else {
                            self.error(
                                span,
                                format!("sensitive host paths must be absolute, \"{path}\" is not"),
                            );
                        }
                    }
                    policy.options.sensitive_host_paths = paths;
                }
                "min-pids-limit" => match value.get_ref() {
                    DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                        Ok(n) if n > 0 => policy.options.min_pids_limit = Some(n),
                        _ => self.error(value.span(), format!("{field} must be a positive integer")),
                    },
                    _ => self.wrong_type(value, &field, "a positive integer"),
                },
                "trusted-registries" => {
                    let mut registries = Vec::new();
                    for (registry, span) in self.strings(value, &field) {
                        if registry.is_empty() || registry.chars().any(char::is_whitespace) {
                            self.error(span, format!("bad registry \"{registry}\": expected a host, optionally with a path (registry.example.com/team)"));
                        } else {
                            registries.push(registry);
                        }
                    }
                    policy.options.trusted_registries = Some(registries);
                }
                "trusted-users" => {
                    let mut users = Vec::new();
                    for (user, span) in self.strings(value, &field) {
                        if user.trim().is_empty() {
                            self.error(span, "trusted users must not be empty".to_string());
                        } else {
                            users.push(user);
                        }
                    }
                    policy.trusted_users = Some(users);
                }
                other => self.unknown_key(key, other, "[options]", OPTIONS_KEYS),
            }
        }
    }

    fn waivers(&mut self, value: &Value<'_>, policy: &mut Policy) {
        let DeValue::Array(array) = value.get_ref() else {
            let found = kind_of(value.get_ref());
            self.error(
                value.span(),
                format!("waiver must be an array of tables ([[waiver]]), found {found}"),
            );
            return;
        };
        for item in array.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, "each waiver", "a table");
                continue;
            };
            if let Some(waiver) = self.waiver(table, item.span()) {
                policy.waivers.push(waiver);
            }
        }
    }

    fn waiver(&mut self, table: &DeTable<'_>, span: Range<usize>) -> Option<Waiver> {
        let at_pos = self.pos(&span);
        let mut ok = true;
        let mut waiver = Waiver {
            at: format!("{}:{}:{}", self.path, at_pos.line, at_pos.column),
            rules: Vec::new(),
            written_rules: Vec::new(),
            containers: None,
            images: None,
            labels: None,
            services: None,
            paths: None,
            namespaces: None,
            names: None,
            reason: String::new(),
            expires: None,
        };
        let mut has_rules = false;
        let mut has_reason = false;
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            match name {
                "rules" => {
                    has_rules = true;
                    let written = self.strings(value, "rules");
                    let before = self.diags.len();
                    if written.is_empty() && value.get_ref().as_array().is_some_and(|a| a.is_empty()) {
                        self.error(value.span(), "rules must name at least one rule".to_string());
                    }
                    waiver.written_rules = written.iter().map(|(t, _)| t.clone()).collect();
                    waiver.rules = written
                        .into_iter()
                        .filter_map(|(text, span)| self.rule_entry(&text, span, true))
                        .collect();
                    ok &= self.diags.len() == before && !waiver.rules.is_empty();
                }
                "containers" | "images" | "services" | "namespaces" | "names" | "paths" => {
                    // In paths, `*` stays within one directory (`**` crosses them); in names
                    // and image references it matches any characters, `/` too.
                    let patterns = self.globs(value, name, name == "paths");
                    ok &= patterns.is_some();
                    let slot = match name {
                        "containers" => &mut waiver.containers,
                        "images" => &mut waiver.images,
                        "services" => &mut waiver.services,
                        "namespaces" => &mut waiver.namespaces,
                        "names" => &mut waiver.names,
                        _ => &mut waiver.paths,
                    };
                    *slot = patterns;
                }
                "labels" => {
                    let labels = self.labels(value);
                    ok &= labels.is_some();
                    waiver.labels = labels;
                }
                "reason" => {
                    has_reason = true;
                    match self.string(value, "reason") {
                        Some(reason) if !reason.trim().is_empty() => waiver.reason = reason,
                        Some(_) => {
                            self.error(value.span(), "reason must not be empty".to_string());
                            ok = false;
                        }
                        None => ok = false,
                    }
                }
                "expires" => match self.date(value) {
                    Some(date) => waiver.expires = Some(date),
                    None => ok = false,
                },
                other => {
                    self.unknown_key(key, other, "[[waiver]]", WAIVER_KEYS);
                    ok = false;
                }
            }
        }
        if !has_rules {
            self.error(
                span.clone(),
                "waiver without \"rules\": name the rules it accepts failures of".to_string(),
            );
            ok = false;
        }
        if !has_reason {
            self.error(
                span,
                "waiver without \"reason\": say why the exception is acceptable".to_string(),
            );
            ok = false;
        }
        ok.then_some(waiver)
    }

    /// A selector list of globs; `None` (with the errors reported) when one is bad.
    fn globs(&mut self, value: &Value<'_>, field: &str, literal_separator: bool) -> Option<Vec<Pattern>> {
        let before = self.diags.len();
        let written = self.strings(value, field);
        if written.is_empty() && self.diags.len() == before {
            self.error(
                value.span(),
                format!(
                    "{field} must not be empty: leave it out to match any {}",
                    singular(field)
                ),
            );
            return None;
        }
        let mut patterns = Vec::with_capacity(written.len());
        for (text, span) in written {
            match glob(&text, literal_separator) {
                Ok(matcher) => patterns.push(Pattern { text, matcher }),
                Err(message) => self.error(span, message),
            }
        }
        (self.diags.len() == before).then_some(patterns)
    }

    fn labels(&mut self, value: &Value<'_>) -> Option<Vec<LabelSelector>> {
        let before = self.diags.len();
        let written = self.strings(value, "labels");
        if written.is_empty() && self.diags.len() == before {
            self.error(
                value.span(),
                "labels must not be empty: leave it out to match any label".to_string(),
            );
            return None;
        }
        let mut selectors = Vec::with_capacity(written.len());
        for (text, span) in written {
            let (key, pattern) = match text.split_once('=') {
                Some((key, pattern)) => (key, Some(pattern)),
                None => (text.as_str(), None),
            };
            if key.is_empty() {
                self.error(
                    span,
                    format!(
                        "bad label selector \"{text}\": expected key=value or key (a label that is present)"
                    ),
                );
                continue;
            }
            let value = match pattern {
                None => None,
                Some(pattern) => match glob(pattern, false) {
                    Ok(matcher) => Some(matcher),
                    Err(message) => {
                        self.error(span, message);
                        continue;
                    }
                },
            };
            selectors.push(LabelSelector {
                text: text.clone(),
                key: key.to_string(),
                value,
            });
        }
        (self.diags.len() == before).then_some(selectors)
    }

    fn date(&mut self, value: &Value<'_>) -> Option<Date> {
        let expected = "expires must be a TOML local date (expires = 2027-06-30)";
        match value.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    let date = Date::new(d.year, d.month, d.day);
                    if date.is_none() {
                        self.error(value.span(), format!("bad date {d}: no such day"));
                    }
                    date
                }
                _ => {
                    let found = kind_of(value.get_ref());
                    self.error(value.span(), format!("{expected}, found {found}"));
                    None
                }
            },
            DeValue::String(s) if s.parse::<Date>().is_ok() => {
                self.error(
                    value.span(),
                    format!("{expected}, found a string: write it without quotes (expires = {s})"),
                );
                None
            }
            other => {
                let found = kind_of(other);
                self.error(value.span(), format!("{expected}, found {found}"));
                None
            }
        }
    }
}

fn singular(field: &str) -> &'static str {
    match field {
        "containers" => "container",
        "images" => "image",
        "services" => "service",
        "namespaces" => "namespace",
        "names" => "name",
        _ => "path",
    }
}

/// Compiles a selector glob.
pub(crate) fn glob(text: &str, literal_separator: bool) -> Result<GlobMatcher, String> {
    GlobBuilder::new(text)
        .literal_separator(literal_separator)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("bad glob \"{text}\": {}", e.kind()))
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a typo.
fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    // Long input only costs time: nothing that long is a typo of a short name.
    if word.len() > 64 {
        return None;
    }
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}
