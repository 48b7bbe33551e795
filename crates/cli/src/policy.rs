//! The policy on the command line: the rule-selection flags `audit` and `lint` share
//! (`--policy`, `--no-policy`, `--profile`, `--enable`, `--disable`, `--severity`), loading the
//! policy file, applying it to a run's results, baselines, and `dockward policy show|test|check`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{Subcommand, ValueEnum};
use dockward_model::{RuleResult, Severity};
use dockward_policy::{CliChoices, Date, Policy, Subjects};
use dockward_report::baseline::{BASELINE_LIMIT, Baseline};
use dockward_report::{PolicyUse, Report, WaiverState, visible};
use dockward_rules::Profile;

use crate::{EXIT_FINDINGS, EXIT_TROUBLE, read_regular_file, write_stdout};

/// The flags that choose the rules a run judges, each over the policy file's setting.
#[derive(clap::Args, Clone, Default)]
pub(crate) struct RuleArgs {
    /// The policy file; without it, `dockward.toml` or `.dockward.toml` in the current
    /// directory or the nearest parent directory that has one.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Obey no policy file, even one found in the current directory or above.
    #[arg(long, conflicts_with = "policy")]
    pub no_policy: bool,
    /// The starting rule set, over the policy file's `profile`: baseline, restricted,
    /// cis-level1, cis-level2, or default (every rule that is not opt-in). In `lint`, it judges
    /// compose services and Kubernetes containers; Dockerfiles and configuration files keep
    /// their rules.
    #[arg(long, value_name = "PROFILE", value_parser = parse_profile)]
    pub profile: Option<ProfileChoice>,
    /// Turn rules on (by id, name or category, e.g. base-image-without-digest, custom/ORG001),
    /// over the policy file; repeatable.
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub enable: Vec<String>,
    /// Turn rules off (by id, name or category), over the policy file; repeatable.
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub disable: Vec<String>,
    /// Report a rule's failures with this severity (e.g. memory-unlimited=high), over the
    /// policy file; repeatable.
    #[arg(long, value_name = "RULE=SEVERITY", value_parser = parse_severity_override)]
    pub severity: Vec<(String, Severity)>,
}

/// `--profile NAME`: a profile, or `default` for none.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProfileChoice(pub Option<Profile>);

fn parse_profile(s: &str) -> Result<ProfileChoice, String> {
    if s == "default" {
        return Ok(ProfileChoice(None));
    }
    s.parse::<Profile>().map(|p| ProfileChoice(Some(p))).map_err(|_| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).chain(["default"]).collect();
        format!("expected one of {}", names.join(", "))
    })
}

fn parse_severity_override(s: &str) -> Result<(String, Severity), String> {
    let Some((rule, severity)) = s.split_once('=') else {
        return Err("expected RULE=SEVERITY, e.g. memory-unlimited=high".to_string());
    };
    let severity = Severity::parse(severity.trim())
        .ok_or_else(|| format!("\"{severity}\": expected one of critical, high, medium, low, info"))?;
    Ok((rule.trim().to_string(), severity))
}

/// Whether a rule reference names something: a built-in id or name, a category, or a custom
/// rule (`custom/ID`, which only the policy's modules can tell apart).
fn names_something(entry: &str) -> bool {
    if let Some(id) = entry.strip_prefix(dockward_policy::CUSTOM_PREFIX) {
        return !id.is_empty() && !id.contains(char::is_whitespace);
    }
    dockward_rules::find(entry).is_some()
        || dockward_rules::Scope::ALL
            .iter()
            .any(|(name, _)| entry.eq_ignore_ascii_case(name))
}

impl RuleArgs {
    /// Rules named in `--enable`, `--disable` and `--severity` must exist: a typo would
    /// silently change nothing.
    pub(crate) fn check(&self) -> anyhow::Result<()> {
        let lists = [
            ("--enable", self.enable.iter().collect::<Vec<_>>()),
            ("--disable", self.disable.iter().collect()),
            ("--severity", self.severity.iter().map(|(rule, _)| rule).collect()),
        ];
        for (flag, entries) in lists {
            if let Some(unknown) = entries.iter().find(|r| !names_something(r)) {
                bail!("unknown rule \"{unknown}\" in {flag}; `dockward rules` lists them");
            }
        }
        Ok(())
    }

    /// What the command line chooses, for the policy to merge over its file.
    pub(crate) fn choices(&self) -> CliChoices {
        CliChoices {
            profile: self.profile.map(|p| p.0),
            enable: self.enable.clone(),
            disable: self.disable.clone(),
            severity: self.severity.clone(),
            ..CliChoices::default()
        }
    }

    /// The policy that applies: `--policy FILE`, else the one found from the current directory
    /// upward, else none. An invalid policy is every problem printed to standard error, and
    /// `Err` with the exit code 2: dockward refuses to run with it.
    pub(crate) fn load(&self) -> Result<Policy, u8> {
        if self.no_policy {
            return Ok(Policy::none());
        }
        let path = match &self.policy {
            Some(path) => Some(path.clone()),
            None => discover(),
        };
        let Some(path) = path else {
            return Ok(Policy::none());
        };
        load_policy(&path)
    }
}

/// The policy file found from the current directory upward: named by its file name when it is
/// in the current directory (`dockward.toml:3:1` in messages), else by its full path.
fn discover() -> Option<PathBuf> {
    let dir = std::env::current_dir().ok()?;
    let found = dockward_policy::discover(&dir)?;
    Some(match found.strip_prefix(&dir) {
        Ok(relative) => relative.to_path_buf(),
        Err(_) => found,
    })
}

/// Loads a policy file, printing its problems when it is invalid.
fn load_policy(path: &Path) -> Result<Policy, u8> {
    Policy::load(path).map_err(|error| {
        for diagnostic in &error.0 {
            eprintln!("{}", visible(&diagnostic.to_string()));
        }
        eprintln!(
            "dockward: the policy {} is invalid ({} problem{}); nothing was judged",
            visible(&path.display().to_string()),
            error.0.len(),
            if error.0.len() == 1 { "" } else { "s" }
        );
        EXIT_TROUBLE
    })
}

/// A run's custom results, without those the settings turn off (`disable = ["custom/ORG001"]`
/// or `--disable custom/ORG001`) and those on parts `--only` leaves out (a custom result on
/// the host when only containers are judged).
pub(crate) fn keep_selected_custom(results: &mut Vec<RuleResult>, settings: &dockward_rules::Settings) {
    use dockward_model::TargetKind;
    use dockward_rules::Scope;
    results.retain(|r| {
        let disabled = settings.disable.iter().any(|d| d.eq_ignore_ascii_case(&r.rule));
        let scope = match r.target.kind {
            TargetKind::Container => Some(Scope::Containers),
            TargetKind::Image => Some(Scope::Images),
            TargetKind::Daemon => Some(Scope::Daemon),
            TargetKind::Host => Some(Scope::Host),
            _ => None,
        };
        let in_scope = match (&settings.only, scope) {
            (Some(only), Some(scope)) => only.contains(&scope),
            _ => true,
        };
        !r.rule.starts_with(dockward_policy::CUSTOM_PREFIX) || (!disabled && in_scope)
    });
}

/// Applies severity overrides and waivers to the results; the policy's outcome for the report.
pub(crate) fn apply(
    policy: &Policy,
    results: &mut [RuleResult],
    subjects: &Subjects,
    cli: &CliChoices,
) -> Option<(PolicyUse, Vec<String>)> {
    let outcome = policy.apply(results, subjects, cli, Date::today());
    let path = policy.path.as_ref()?;
    let profile = cli
        .profile
        .unwrap_or_else(|| policy.profile().flatten())
        .map(|p| p.name().to_string());
    let waivers = outcome
        .waivers
        .into_iter()
        .map(|w| WaiverState {
            at: w.at,
            rules: w.rules,
            reason: w.reason,
            expires: w.expires,
            state: w.state.to_string(),
            matched: w.matched,
        })
        .collect();
    Some((
        PolicyUse {
            path: display(policy, path),
            profile,
            waivers,
        },
        outcome.warnings,
    ))
}

/// The policy file as given or found (the name its diagnostics and waivers use).
fn display(policy: &Policy, path: &Path) -> String {
    match policy.display_path() {
        "" => path.display().to_string(),
        shown => shown.to_string(),
    }
}

/// Puts the policy's outcome into the report: its `policy` object and its warnings.
pub(crate) fn record(report: &mut Report, outcome: Option<(PolicyUse, Vec<String>)>) {
    if let Some((policy, warnings)) = outcome {
        report.warnings.extend(warnings);
        report.policy = Some(policy);
    }
}

/// Reads a previous JSON report as a baseline: a file that cannot be read, is malformed or is
/// not a dockward report is an error naming it (exit 2).
pub(crate) fn read_baseline(path: &Path) -> anyhow::Result<Baseline> {
    let name = path.display().to_string();
    let bytes =
        read_regular_file(path, BASELINE_LIMIT).with_context(|| format!("cannot read baseline {name}"))?;
    let text =
        String::from_utf8(bytes).with_context(|| format!("cannot read baseline {name}: not UTF-8 text"))?;
    Baseline::from_json(&name, &text).with_context(|| format!("baseline {name}"))
}

// ---------------------------------------------------------------------------------------------
// dockward policy show | test | check

#[derive(clap::Args)]
pub(crate) struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the effective rule set (each rule on or off, its severity, and where each came
    /// from), the waivers with their state today, and the Rego modules.
    Show {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
    },
    /// Run the policy's Rego tests (`test_` rules), like `opa test`: exit 1 when one fails.
    Test {
        /// The policy file (default: found from the current directory upward).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Validate the policy file and its Rego modules only: exit 0 when valid, 2 when not.
    Check {
        /// The policy file (default: found from the current directory upward).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

pub(crate) fn policy(args: PolicyArgs) -> anyhow::Result<u8> {
    match args.command {
        PolicyCommand::Show { rules, format } => show(&rules, format),
        PolicyCommand::Test { policy } => test(policy),
        PolicyCommand::Check { policy } => check(policy),
    }
}

/// The policy file `policy test|check` work on: given, or found; none is an error.
fn required_policy(given: Option<PathBuf>) -> Result<Policy, u8> {
    let path = given.or_else(discover);
    let Some(path) = path else {
        eprintln!(
            "dockward: no policy file: none given with --policy, and no dockward.toml or .dockward.toml in the current directory or above"
        );
        return Err(EXIT_TROUBLE);
    };
    load_policy(&path)
}

fn check(given: Option<PathBuf>) -> anyhow::Result<u8> {
    let policy = match required_policy(given) {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let modules = policy.rego().map_or(0, |m| m.files.len());
    write_stdout(&format!(
        "{}: valid ({} Rego module{})\n",
        visible(policy.display_path()),
        modules,
        if modules == 1 { "" } else { "s" }
    ))?;
    Ok(0)
}

fn test(given: Option<PathBuf>) -> anyhow::Result<u8> {
    let policy = match required_policy(given) {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let Some(modules) = policy.rego() else {
        write_stdout(&format!(
            "{}: names no Rego modules (rego = [...]): no tests to run\n",
            visible(policy.display_path())
        ))?;
        return Ok(0);
    };
    let outcomes = modules.run_tests();
    let mut out = String::new();
    let mut module: Option<&str> = None;
    for t in &outcomes {
        if module != Some(t.module.as_str()) {
            if module.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("{}:\n", visible(&t.module)));
            module = Some(&t.module);
        }
        let verdict = if t.passed { "PASS" } else { "FAIL" };
        out.push_str(&format!("{}: {verdict}\n", visible(&t.name)));
        if let Some(detail) = t.detail.as_ref().filter(|_| !t.passed) {
            out.push_str(&format!("  {}\n", visible(detail)));
        }
    }
    let passed = outcomes.iter().filter(|t| t.passed).count();
    let failed = outcomes.len() - passed;
    if outcomes.is_empty() {
        out.push_str("no test_ rules found\n");
    } else {
        out.push_str(&format!("{}\n", "-".repeat(80)));
        if passed > 0 {
            out.push_str(&format!("PASS: {passed}/{}\n", outcomes.len()));
        }
        if failed > 0 {
            out.push_str(&format!("FAIL: {failed}/{}\n", outcomes.len()));
        }
    }
    write_stdout(&out)?;
    Ok(if failed > 0 { EXIT_FINDINGS } else { 0 })
}

fn show(rules: &RuleArgs, format: ShowFormat) -> anyhow::Result<u8> {
    rules.check()?;
    let policy = match rules.load() {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let cli = rules.choices();
    let effective = policy.show(&cli);
    // The waivers' state today, as a run would find it before matching anything.
    let outcome = policy.apply(&mut [], &Subjects::default(), &cli, Date::today());
    let waivers: Vec<WaiverState> = outcome
        .waivers
        .into_iter()
        .map(|w| WaiverState {
            at: w.at,
            rules: w.rules,
            reason: w.reason,
            expires: w.expires,
            // Nothing was judged: a waiver in force is active, not unused.
            state: if w.state == "unused" { "active" } else { w.state }.to_string(),
            matched: 0,
        })
        .collect();
    let profile = cli
        .profile
        .unwrap_or_else(|| policy.profile().flatten())
        .map(Profile::name);
    let modules: Vec<String> = policy
        .rego()
        .map(|m| m.files.iter().map(|f| f.display().to_string()).collect())
        .unwrap_or_default();
    let path = policy.path.as_ref().map(|p| display(&policy, p));
    match format {
        ShowFormat::Json => {
            let json = serde_json::json!({
                "policy": path,
                "profile": profile,
                "rules": effective,
                "waivers": waivers,
                "rego": modules,
            });
            write_stdout(&(serde_json::to_string_pretty(&json)? + "\n"))?;
        }
        ShowFormat::Text => {
            let mut out = match &path {
                Some(path) => format!("policy: {}\n", visible(path)),
                None => "policy: none (dockward's defaults)\n".to_string(),
            };
            out.push_str(&format!("profile: {}\n\n", profile.unwrap_or("default")));
            for line in dockward_policy::select::render_show_text(&effective).lines() {
                out.push_str(&visible(line));
                out.push('\n');
            }
            out.push_str("\nwaivers:\n");
            if waivers.is_empty() {
                out.push_str("  none\n");
            }
            for w in &waivers {
                let until = w
                    .expires
                    .as_ref()
                    .map(|d| format!(" until {d}"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "  {} {} {}{until}: {}\n",
                    visible(&w.at),
                    w.state,
                    visible(&w.rules.join(",")),
                    visible(&w.reason)
                ));
            }
            out.push_str("\nrego modules:\n");
            if modules.is_empty() {
                out.push_str("  none\n");
            }
            for m in &modules {
                out.push_str(&format!("  {}\n", visible(m)));
            }
            write_stdout(&out)?;
        }
    }
    Ok(0)
}
