//! The effective rule selection: profile < policy file < command line, and where each setting
//! came from.
//!
//! The profile comes from the command line, else the file, else none (every rule that is not
//! opt-in). `enable` and `disable` are the file's and the command line's together; a rule the
//! command line enables is never disabled (a file `disable` loses to `--enable`), and a rule the
//! command line disables is off whatever the file enables.

use dockward_model::Severity;
use dockward_rules::{Profile, RULES, Rule, Scope, Settings};
use serde::Serialize;

use crate::Policy;
use crate::file::{RuleEntry, RuleTarget};

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
        let profile = match cli.profile {
            Some(profile) => profile,
            None => self.profile.and_then(|(profile, _)| profile),
        };
        let cli_enabled = expand_cli(&cli.enable);
        let mut enable: Vec<String> = Vec::new();
        for id in expand_file(&self.enable)
            .into_iter()
            .chain(cli_enabled.iter().cloned())
        {
            push_unique(&mut enable, id);
        }
        let mut disable: Vec<String> = Vec::new();
        for id in expand_file(&self.disable)
            .into_iter()
            .chain(expand_cli(&cli.disable))
        {
            if !cli_enabled.iter().any(|e| e.eq_ignore_ascii_case(&id)) {
                push_unique(&mut disable, id);
            }
        }
        Settings {
            trusted_users: cli.trusted_users.clone().or_else(|| self.trusted_users.clone()),
            only: cli.only.clone(),
            target_stage: cli.target_stage.clone(),
            enable,
            profile,
            disable,
            options: self.options.clone(),
        }
    }

    /// Every built-in rule with whether it is judged, its severity, and why.
    pub fn show(&self, cli: &CliChoices) -> Vec<EffectiveRule> {
        let settings = self.settings(cli);
        let profile_origin = |profile: Option<Profile>| match profile {
            Some(p) => Origin::Profile {
                name: p.name().to_string(),
            },
            None => Origin::Default,
        };
        RULES
            .iter()
            .map(|rule| {
                // What the engine asks, so `show` cannot disagree with a run.
                let enabled = settings.selects(rule);
                let cli_names = |list: &[String]| list.iter().any(|e| cli_names_rule(e, rule));
                let enabled_by = if cli
                    .only
                    .as_ref()
                    .is_some_and(|only| !Scope::of(rule.id).is_some_and(|s| only.contains(&s)))
                {
                    Origin::CommandLine {
                        flag: "--only".to_string(),
                    }
                } else if cli_names(&cli.enable) {
                    Origin::CommandLine {
                        flag: "--enable".to_string(),
                    }
                } else if cli_names(&cli.disable) {
                    Origin::CommandLine {
                        flag: "--disable".to_string(),
                    }
                } else if let Some(entry) = self.disable.iter().find(|e| e.names(rule.id, rule.name)) {
                    self.file_origin(entry)
                } else if let Some(entry) = self.enable.iter().find(|e| e.names(rule.id, rule.name)) {
                    self.file_origin(entry)
                } else if cli.profile.is_some() {
                    match settings.profile {
                        Some(_) => profile_origin(settings.profile),
                        None => Origin::CommandLine {
                            flag: "--profile".to_string(),
                        },
                    }
                } else if let Some((profile, pos)) = self.profile {
                    match profile {
                        Some(_) => profile_origin(profile),
                        None => Origin::File {
                            path: self.display.clone(),
                            line: pos.line,
                            column: pos.column,
                        },
                    }
                } else {
                    Origin::Default
                };
                let (severity, severity_by) = if let Some((_, severity)) = cli
                    .severity
                    .iter()
                    .rev()
                    .find(|(name, _)| cli_names_rule(name, rule))
                {
                    (
                        *severity,
                        Origin::CommandLine {
                            flag: "--severity".to_string(),
                        },
                    )
                } else if let Some((entry, severity)) = self
                    .severity
                    .iter()
                    .rev()
                    .find(|(e, _)| e.names(rule.id, rule.name))
                {
                    (*severity, self.file_origin(entry))
                } else {
                    (rule.severity, Origin::Default)
                };
                EffectiveRule {
                    id: rule.id,
                    name: rule.name,
                    enabled,
                    enabled_by,
                    severity,
                    severity_by,
                }
            })
            .collect()
    }

    fn file_origin(&self, entry: &RuleEntry) -> Origin {
        Origin::File {
            path: self.display.clone(),
            line: entry.pos.line,
            column: entry.pos.column,
        }
    }
}

/// Whether a command-line rule reference (id, name or category) names the rule.
fn cli_names_rule(text: &str, rule: &Rule) -> bool {
    text.eq_ignore_ascii_case(rule.id)
        || text.eq_ignore_ascii_case(rule.name)
        || Scope::parse(text).is_some_and(|s| Scope::of(rule.id) == Some(s))
}

/// The rule ids that file entries name (a category stands for each of its rules; custom ids as
/// written).
fn expand_file(entries: &[RuleEntry]) -> Vec<String> {
    let mut out = Vec::new();
    for entry in entries {
        match entry.target {
            RuleTarget::Rule(rule) => out.push(rule.id.to_string()),
            RuleTarget::Category(scope) => out.extend(
                RULES
                    .iter()
                    .filter(|r| Scope::of(r.id) == Some(scope))
                    .map(|r| r.id.to_string()),
            ),
            RuleTarget::Custom => out.push(entry.text.clone()),
        }
    }
    out
}

/// The rule ids that command-line references name; what names no built-in rule or category
/// (a custom id) is kept as written.
fn expand_cli(list: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for text in list {
        if let Some(rule) = dockward_rules::find(text) {
            out.push(rule.id.to_string());
        } else if let Some(scope) = Scope::parse(text) {
            out.extend(
                RULES
                    .iter()
                    .filter(|r| Scope::of(r.id) == Some(scope))
                    .map(|r| r.id.to_string()),
            );
        } else {
            out.push(text.clone());
        }
    }
    out
}

fn push_unique(list: &mut Vec<String>, id: String) {
    if !list.iter().any(|e| e.eq_ignore_ascii_case(&id)) {
        list.push(id);
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::Profile { name } => write!(f, "profile {name}"),
            Origin::File { path, line, column } => write!(f, "{path}:{line}:{column}"),
            Origin::CommandLine { flag } => f.write_str(flag),
        }
    }
}

/// The effective rule set as a table: id, name, on/off, severity, and where each came from.
pub fn render_show_text(rules: &[EffectiveRule]) -> String {
    let header = ["ID", "NAME", "STATE", "SEVERITY", "ENABLED BY", "SEVERITY BY"];
    let rows: Vec<[String; 6]> = rules
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.name.to_string(),
                if r.enabled { "on" } else { "off" }.to_string(),
                r.severity.as_str().to_string(),
                r.enabled_by.to_string(),
                r.severity_by.to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&cells);
    }
    let on = rules.iter().filter(|r| r.enabled).count();
    out.push_str(&format!("{on} of {} rules on\n", rules.len()));
    out
}
