//! The policy file in enforcement: which settings are in force (the settings file, the command
//! line and the policy, swapped as one), the exceptions its waivers grant, and its custom Rego
//! rules on the requests that carry a container.
//!
//! A decision is the built-in one ([`decide`](dockward_rules::decide::decide)) completed here:
//! the custom rules' `deny` findings (and module errors) are added to its findings, rules the
//! policy disables are dropped, and every finding left is checked against the policy's waivers.
//! The request is allowed when each denying finding is waived by a waiver in force; an expired
//! waiver allows nothing and says so.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dockward_model::{Action, ApiRequest, Severity, Status, Waived};
use dockward_policy::rego::{CustomFinding, ModuleOutcome};
use dockward_policy::{CliChoices, Date, Policy, PolicyError, Subject, WaiverHit};
use dockward_rules::decide::{Decision, Finding, escape_controls};

use crate::settings::{ProfileFrom, Settings, SettingsError, SettingsSource};

/// Everything a decision reads, replaced as one: a reload never mixes old and new settings.
#[derive(Debug)]
pub struct InForce {
    /// The settings, with the profile resolved (default < policy < settings file < flag).
    pub settings: Arc<Settings>,
    /// The settings as the settings file and the command line gave them, before the policy's
    /// profile: what a reload of the policy alone starts from.
    pub given: Settings,
    /// The policy, when one is named.
    pub policy: Option<Arc<Policy>>,
    /// What the rules are judged with: the policy's rule settings under the profile in force.
    pub rules: dockward_rules::Settings,
    /// The policy file and its modules as they were when read, to notice a change.
    pub fingerprint: Fingerprint,
}

/// Why settings or a policy could not be put in force.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The settings file.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The policy file or one of its Rego modules, every problem at its position.
    #[error("{}", one_line(.0))]
    Policy(PolicyError),
}

/// Diagnostics on one line (journald shows one event per line): `a.toml:3:9: …; a.toml:5:1: …`.
fn one_line(error: &PolicyError) -> String {
    error
        .0
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl InForce {
    /// Reads the settings and the policy they name.
    pub fn load(source: &SettingsSource) -> Result<InForce, LoadError> {
        let given = source.load()?;
        InForce::with_policy_of(given)
    }

    /// Reads the policy `given` names (again) and resolves the profile.
    pub fn with_policy_of(given: Settings) -> Result<InForce, LoadError> {
        // Taken before reading: an edit while it is read shows as a change at the next poll.
        let before = given.policy.as_deref().map(Fingerprint::of_file);
        let policy = match &given.policy {
            None => None,
            Some(path) => Some(Arc::new(Policy::load(path).map_err(LoadError::Policy)?)),
        };
        let mut settings = given.clone();
        let mut rules = dockward_rules::Settings::default();
        if let Some(policy) = &policy {
            rules = policy.settings(&CliChoices::default());
            if settings.profile_from == ProfileFrom::Default
                && let Some(profile) = rules.profile
            {
                settings.profile = profile;
                settings.profile_from = ProfileFrom::Policy;
            }
        }
        rules.profile = Some(settings.profile);
        let fingerprint = match before {
            Some(before) => {
                let modules = policy
                    .as_deref()
                    .and_then(Policy::rego)
                    .map_or(&[][..], |m| &m.files[..]);
                Fingerprint::of_policy(modules, before)
            }
            None => Fingerprint::default(),
        };
        Ok(InForce {
            settings: Arc::new(settings),
            given,
            policy,
            rules,
            fingerprint,
        })
    }
}

/// What the files of a policy looked like: for each, its device, inode, size, modification and
/// change times (or that it is missing), plus the directories the modules are in (a module
/// added to a `rego` glob's directory changes it). Compared, never interpreted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint(Vec<(PathBuf, Option<[i128; 5]>)>);

fn stat(path: &Path) -> Option<[i128; 5]> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    let time = |secs: i64, nanos: i64| i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    Some([
        i128::from(m.dev()),
        i128::from(m.ino()),
        i128::from(m.size()),
        time(m.mtime(), m.mtime_nsec()),
        time(m.ctime(), m.ctime_nsec()),
    ])
}

impl Fingerprint {
    fn of_file(path: &Path) -> (PathBuf, Option<[i128; 5]>) {
        (path.to_path_buf(), stat(path))
    }

    fn of_policy(modules: &[PathBuf], before: (PathBuf, Option<[i128; 5]>)) -> Fingerprint {
        let mut entries = vec![before];
        let mut dirs: Vec<PathBuf> = Vec::new();
        for module in modules {
            entries.push(Fingerprint::of_file(module));
            if let Some(dir) = module.parent()
                && !dirs.iter().any(|d| d == dir)
            {
                dirs.push(dir.to_path_buf());
            }
        }
        entries.extend(dirs.iter().map(|d| Fingerprint::of_file(d)));
        Fingerprint(entries)
    }

    /// The same files, looked at now.
    pub fn now(&self) -> Fingerprint {
        Fingerprint(
            self.0
                .iter()
                .map(|(path, _)| Fingerprint::of_file(path))
                .collect(),
        )
    }

    /// Whether it watches anything (a policy is in force).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One finding that denies the request unless a waiver in force accepts it.
#[derive(Clone, Debug)]
pub struct Denial {
    /// Rule id: `CT0015`, or `custom/ORG001` (`custom/<package>` for a module error).
    pub id: String,
    /// Rule name; empty for custom rules.
    pub name: String,
    /// `fail`, or `error` when the rule (or the Rego module) could not judge the request.
    pub status: Status,
    /// What it found, or why it could not judge.
    pub message: String,
    /// The Rego module, for custom findings.
    pub module: Option<String>,
    /// The built-in finding, as the decision's message words it.
    pub builtin: Option<Finding>,
    /// What the policy's waivers say about it.
    pub waiver: WaiverHit,
}

impl Denial {
    fn waived(&self) -> bool {
        matches!(self.waiver, WaiverHit::Active(_))
    }

    fn label(&self) -> String {
        if self.name.is_empty() {
            self.id.clone()
        } else {
            format!("{} {}", self.id, self.name)
        }
    }
}

/// A custom rule's `warn` finding: logged, never denies.
#[derive(Clone, Debug)]
pub struct Warning {
    /// `custom/ID`.
    pub id: String,
    /// Its message.
    pub message: String,
    /// Its severity.
    pub severity: Severity,
    /// The module.
    pub module: String,
}

/// The decision with the policy applied.
#[derive(Clone, Debug)]
pub struct Judgement {
    /// The built-in decision.
    pub decision: Decision,
    /// Every finding that denies unless waived, built-in ones first, in registry order, then
    /// custom ones in module order.
    pub denials: Vec<Denial>,
    /// Custom `warn` findings.
    pub warnings: Vec<Warning>,
}

impl Judgement {
    /// A decision with no policy applied: a request that could not be judged.
    pub fn of(decision: Decision) -> Judgement {
        Judgement {
            denials: decision
                .findings
                .iter()
                .map(|f| Denial {
                    id: f.id.to_string(),
                    name: f.name.to_string(),
                    status: f.status,
                    message: f.message.clone(),
                    module: None,
                    builtin: Some(f.clone()),
                    waiver: WaiverHit::None,
                })
                .collect(),
            warnings: Vec::new(),
            decision,
        }
    }

    /// Applies the policy in force to `decision` (of `request`); `today` decides which waivers
    /// are in force.
    pub fn new(state: &InForce, request: &ApiRequest, decision: Decision, today: Date) -> Judgement {
        let mut judgement = Judgement {
            denials: Vec::new(),
            warnings: Vec::new(),
            decision,
        };
        if judgement.decision.unjudgeable.is_some() {
            return judgement;
        }
        let subject = subject_of(request, state.policy.is_some());
        // `decide` judged with `state.rules`: rules the policy disables were not asked.
        for finding in &judgement.decision.findings {
            judgement.denials.push(Denial {
                id: finding.id.to_string(),
                name: finding.name.to_string(),
                status: finding.status,
                message: finding.message.clone(),
                module: None,
                builtin: Some(finding.clone()),
                waiver: WaiverHit::None,
            });
        }
        if let Some(modules) = state.policy.as_deref().and_then(Policy::rego)
            && let Action::Container(workload) | Action::Service(workload) = &request.action
        {
            for outcome in dockward_policy::rego::request_findings(modules, workload) {
                match outcome {
                    ModuleOutcome::Findings(findings) => {
                        for finding in findings {
                            judgement.custom(state, finding);
                        }
                    }
                    ModuleOutcome::Error { module, id, message } => {
                        if !custom_disabled(&state.rules, &id) {
                            judgement.denials.push(Denial {
                                id,
                                name: String::new(),
                                status: Status::Error,
                                message,
                                module: Some(module),
                                builtin: None,
                                waiver: WaiverHit::None,
                            });
                        }
                    }
                }
            }
        }
        if let Some(policy) = &state.policy {
            for denial in &mut judgement.denials {
                denial.waiver = policy.waiver_for(&denial.id, &subject, today);
            }
        }
        judgement
    }

    fn custom(&mut self, state: &InForce, finding: CustomFinding) {
        if custom_disabled(&state.rules, &finding.id) {
            return;
        }
        if finding.warn {
            self.warnings.push(Warning {
                id: finding.id,
                message: finding.message,
                severity: finding.severity,
                module: finding.module,
            });
        } else {
            self.denials.push(Denial {
                id: finding.id,
                name: String::new(),
                status: Status::Fail,
                message: finding.message,
                module: Some(finding.module),
                builtin: None,
                waiver: WaiverHit::None,
            });
        }
    }

    /// Whether the request may proceed (before the mode: audit allows everything).
    pub fn allow(&self) -> bool {
        self.decision.unjudgeable.is_none() && self.denials.iter().all(Denial::waived)
    }

    /// The message for the client and the log: the built-in decision's words, with the custom
    /// findings after the built-in ones; waived findings are left out of a denial (and listed
    /// in the notes).
    pub fn message(&self) -> String {
        if self.decision.unjudgeable.is_some() {
            return self.decision.message();
        }
        let denying: Vec<&Denial> = self.denials.iter().filter(|d| !d.waived()).collect();
        if denying.is_empty() {
            let allowed = Decision {
                allow: true,
                findings: Vec::new(),
                ..self.decision.clone()
            };
            return allowed.message();
        }
        let builtin = Decision {
            allow: false,
            findings: denying.iter().filter_map(|d| d.builtin.clone()).collect(),
            ..self.decision.clone()
        };
        let mut out = builtin.message();
        let mut first = builtin.findings.is_empty();
        for denial in denying.iter().filter(|d| d.builtin.is_none()) {
            if !first {
                out.push_str("; ");
            }
            first = false;
            let part = match denial.status {
                Status::Error => format!("{} could not judge it: {}", denial.id, denial.message),
                _ => format!("{}: {}", denial.id, denial.message),
            };
            out.push_str(&escape_controls(part));
        }
        out
    }

    /// What the message adds in parentheses: findings waived (when the request is allowed
    /// because of them, or denied for other findings) and waivers that expired.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for denial in &self.denials {
            match &denial.waiver {
                WaiverHit::None => {}
                WaiverHit::Active(w) => notes.push(escape_controls(format!(
                    "{} waived by {}: {}",
                    denial.label(),
                    w.at,
                    w.reason
                ))),
                WaiverHit::Expired(w) => notes.push(escape_controls(format!(
                    "the waiver at {} for {} expired{}",
                    w.at,
                    denial.label(),
                    w.expires
                        .as_deref()
                        .map(|d| format!(" on {d}"))
                        .unwrap_or_default()
                ))),
            }
        }
        notes
    }
}

/// The waived finding as the log records it.
pub fn waived_of(hit: &WaiverHit) -> (Option<&Waived>, Option<&Waived>) {
    match hit {
        WaiverHit::None => (None, None),
        WaiverHit::Active(w) => (Some(w), None),
        WaiverHit::Expired(w) => (None, Some(w)),
    }
}

/// What a waiver's selectors see of the request: the container it creates (name, image,
/// labels) or the container it names (exec, update).
fn subject_of(request: &ApiRequest, needed: bool) -> Subject {
    if !needed {
        return Subject::default();
    }
    match &request.action {
        Action::Container(w) | Action::Service(w) => Subject::of_workload(w),
        Action::Exec(e) => Subject {
            container: Some(e.container.clone()),
            ..Subject::default()
        },
        Action::Update(u) => Subject {
            container: Some(u.container.clone()),
            ..Subject::default()
        },
        _ => Subject::default(),
    }
}

fn custom_disabled(rules: &dockward_rules::Settings, id: &str) -> bool {
    rules.disable.iter().any(|d| d.eq_ignore_ascii_case(id))
}
