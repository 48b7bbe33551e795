//! The rule type and the macro that declares one.

use dockward_model::dockerfile::Dockerfile;
use dockward_model::{
    ApiRequest, ClientFacts, DaemonFacts, HostFacts, ImageFacts, SeccompProfileFile, Severity, Snapshot,
    Target, Verdict, Workload,
};

/// Choices of the person running the audit that rules take into account.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Users allowed to control the daemon (`--trusted-users`); `None` when not given, which
    /// leaves CIS 1.1.2 without a verdict.
    pub trusted_users: Option<Vec<String>>,
    /// Only rules of these scopes (`containers`, `daemon`, `host`, `files`, `swarm`, `images`,
    /// `dockerfiles`, `requests`); `None` for all.
    pub only: Option<Vec<Scope>>,
    /// The Dockerfile stage that ships (`--target`); the last stage when `None`.
    pub target_stage: Option<String>,
    /// Opt-in rules turned on (`--enable`), by id or name.
    pub enable: Vec<String>,
    /// The profile whose rules are judged (`--profile baseline|restricted|cis-level1|cis-level2`): only its rules (and
    /// those turned on with `--enable`); `None` for the default selection, every rule that is
    /// not opt-in.
    pub profile: Option<crate::profile::Profile>,
    /// Rules turned off (policy `rules.disable`, `--disable`), by id, name or category; an
    /// `enable` of the same rule from a later source (the command line) wins, so callers that
    /// merge sources remove what a later source enables.
    pub disable: Vec<String>,
    /// Thresholds and allow-lists of the rules that take them (policy `[options]`).
    pub options: crate::options::RuleOptions,
}

/// What a rule judges, by the prefix of its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Containers (`CT`).
    Containers,
    /// The daemon (`DA`).
    Daemon,
    /// The host (`HO`).
    Host,
    /// The daemon's files (`FI`).
    Files,
    /// The swarm (`SW`).
    Swarm,
    /// Images (`IM`).
    Images,
    /// Dockerfiles (`DF`).
    Dockerfiles,
    /// Engine API requests, judged by the authorization plugin and the proxy (`RQ`).
    Requests,
    /// Kubernetes' Pod Security Standards controls (`PS`): opt-in, selected by a profile.
    Pss,
    /// Seccomp profiles linted on their own (`SC`).
    Seccomp,
}

impl Scope {
    /// All scopes with their names.
    pub const ALL: [(&'static str, Scope); 10] = [
        ("containers", Scope::Containers),
        ("daemon", Scope::Daemon),
        ("host", Scope::Host),
        ("files", Scope::Files),
        ("swarm", Scope::Swarm),
        ("images", Scope::Images),
        ("dockerfiles", Scope::Dockerfiles),
        ("requests", Scope::Requests),
        ("pss", Scope::Pss),
        ("seccomp", Scope::Seccomp),
    ];

    /// The scope of a rule id.
    pub fn of(rule_id: &str) -> Option<Scope> {
        match rule_id.get(..2)? {
            "CT" => Some(Scope::Containers),
            "DA" => Some(Scope::Daemon),
            "HO" => Some(Scope::Host),
            "FI" => Some(Scope::Files),
            "SW" => Some(Scope::Swarm),
            "IM" => Some(Scope::Images),
            "DF" => Some(Scope::Dockerfiles),
            "RQ" => Some(Scope::Requests),
            "PS" => Some(Scope::Pss),
            "SC" => Some(Scope::Seccomp),
            _ => None,
        }
    }

    /// Parses a scope name.
    pub fn parse(name: &str) -> Option<Scope> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }
}

impl Settings {
    /// Whether the rule is selected: in scope (`only`), and then as
    /// [`selects_under`](Self::selects_under) its profile.
    pub fn selects(&self, rule: &Rule) -> bool {
        let in_scope = match &self.only {
            None => true,
            Some(scopes) => Scope::of(rule.id).is_some_and(|s| scopes.contains(&s)),
        };
        in_scope && self.selects_under(self.profile, rule)
    }

    /// Whether the rule is selected under `profile` (scopes aside): the profile selects it (with
    /// no profile: it is on by default), or `enable` names it; and `disable` does not name it.
    /// Disable wins here: callers that merge sources (the policy file, then the command line)
    /// remove from `disable` what a later source enables.
    pub fn selects_under(&self, profile: Option<crate::profile::Profile>, rule: &Rule) -> bool {
        let enabled = match profile {
            Some(profile) => profile.selects_rule(rule) || self.enables(rule),
            // Pod Security controls are judged under a profile, which names the level.
            None => !(rule.opt_in() || Scope::of(rule.id) == Some(Scope::Pss)) || self.enables(rule),
        };
        enabled && !self.disables(rule)
    }

    /// Whether `enable` names the rule (by id, name or category).
    pub fn enables(&self, rule: &Rule) -> bool {
        self.enable.iter().any(|e| names_rule(e, rule))
    }

    /// Whether `disable` names the rule (by id, name or category).
    pub fn disables(&self, rule: &Rule) -> bool {
        self.disable.iter().any(|e| names_rule(e, rule))
    }

    /// Whether the selection is exactly the profile's: nothing enabled or disabled on top.
    pub fn is_plain_profile(&self) -> bool {
        self.enable.is_empty() && self.disable.is_empty()
    }
}

/// Whether an `enable` / `disable` entry names the rule: its id or its name (in any case), or
/// its category, the name of its [`Scope`] (`containers`, `daemon` … `seccomp`).
pub fn names_rule(entry: &str, rule: &Rule) -> bool {
    entry.eq_ignore_ascii_case(rule.id)
        || entry.eq_ignore_ascii_case(rule.name)
        || Scope::ALL
            .iter()
            .any(|(name, scope)| entry.eq_ignore_ascii_case(name) && Scope::of(rule.id) == Some(*scope))
}

/// What a rule sees besides its target.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Facts about the daemon the workloads run on.
    pub daemon: &'a DaemonFacts,
    /// Facts about the host, when it could be read.
    pub host: Option<&'a HostFacts>,
    /// Why the host could not be read.
    pub host_error: Option<&'a str>,
    /// The Docker client environment, when it was recorded.
    pub client: Option<&'a ClientFacts>,
    /// The person's choices.
    pub settings: &'a Settings,
}

impl<'a> Context<'a> {
    /// The context of a snapshot.
    pub fn of(snapshot: &'a Snapshot, settings: &'a Settings) -> Self {
        Context {
            daemon: &snapshot.daemon,
            host: snapshot.host.as_ref(),
            host_error: snapshot.host_error.as_deref(),
            client: snapshot.client.as_ref(),
            settings,
        }
    }
}

/// A verdict on one object.
#[derive(Clone, Debug)]
pub struct Judged {
    /// The object judged.
    pub target: Target,
    /// The verdict.
    pub verdict: Verdict,
}

/// A rule's check function, by the kind of target it judges.
#[derive(Clone, Copy)]
pub enum Check {
    /// Judges one container workload.
    Container(ContainerCheck),
    /// Judges the daemon, its host or its swarm: once, or once per object concerned (one verdict
    /// per file, say).
    Platform(fn(&Context<'_>) -> Vec<Judged>),
    /// Judges one image.
    Image(fn(&Context<'_>, &ImageFacts) -> Verdict),
    /// Judges one Dockerfile: a passing verdict, or one failing verdict per finding, located.
    Dockerfile(fn(&Context<'_>, &Dockerfile) -> Vec<Verdict>),
    /// Judges one Engine API request as the authorization plugin or the proxy sees it: `None`
    /// when the rule does not concern this request (an exec rule and a create request).
    Request(fn(&Context<'_>, &ApiRequest) -> Option<Verdict>),
    /// Judges one seccomp profile file linted on its own: a passing verdict, or one verdict per
    /// finding, located in the file.
    Seccomp(fn(&Context<'_>, &SeccompProfileFile) -> Vec<Verdict>),
}

/// A container rule's check and the facts it reads.
#[derive(Clone, Copy)]
pub struct ContainerCheck {
    /// JSON pointers, in the inspect document's shape, of every fact the check reads
    /// (`/HostConfig/Privileged`, `/Mounts`). A workload where one of them is unknown (the
    /// daemon's answer lacked it) gets `error` with the reason, never a verdict on placeholders.
    pub needs: &'static [&'static str],
    /// The check proper, called only when every needed fact was read.
    pub check: fn(&Context<'_>, &Workload) -> Verdict,
}

impl ContainerCheck {
    /// The verdict on `workload`: `error` when a needed fact is unknown, else the check's.
    pub fn judge(&self, ctx: &Context<'_>, workload: &Workload) -> Verdict {
        let reasons = workload.unknown_reasons(self.needs);
        if reasons.is_empty() {
            (self.check)(ctx, workload)
        } else {
            Verdict::error(reasons.join("; "))
        }
    }
}

/// A rule: metadata, documentation and its check.
pub struct Rule {
    /// Stable id that never changes meaning, e.g. `CT0006`.
    pub id: &'static str,
    /// Kebab-case name of the pattern flagged, e.g. `privileged-container`.
    pub name: &'static str,
    /// One-line title stating the secure state.
    pub title: &'static str,
    /// Default severity of a failure.
    pub severity: Severity,
    /// Benchmark references, `<benchmark>-<version>:<item>`.
    pub references: &'static [&'static str],
    /// The generic fix, shown with failures that do not carry a more specific one.
    pub fix: &'static str,
    /// Markdown documentation: `## What it checks`, `## Why it matters`, `## How to fix`.
    pub docs: &'static str,
    /// The check.
    pub check: Check,
}

impl Rule {
    /// The documentation with the one leading space of each doc-comment line removed.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_string()
    }

    /// Whether the rule runs only when enabled (`--enable`).
    pub fn opt_in(&self) -> bool {
        crate::registry::OPT_IN.contains(&self.id)
    }

    /// The CIS Docker Benchmark section the rule belongs to (`"5"` for `cis-docker-1.6.0:5.5`).
    pub fn section(&self) -> &'static str {
        section_of(self.references)
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A benchmark item that has no automated rule yet, listed so users see the gap.
#[derive(Debug)]
pub struct Planned {
    /// Benchmark reference.
    pub reference: &'static str,
    /// Title of the item.
    pub title: &'static str,
    /// Why it is not automated yet.
    pub reason: &'static str,
}

/// The CIS section of the first CIS reference, or `"-"`.
pub fn section_of(references: &[&'static str]) -> &'static str {
    references
        .iter()
        .find_map(|r| r.strip_prefix("cis-docker-1.6.0:"))
        .and_then(|item| item.split('.').next())
        .unwrap_or("-")
}

/// Title of a CIS Docker Benchmark 1.6.0 section.
pub fn section_title(section: &str) -> &'static str {
    match section {
        "1" => "Host configuration",
        "2" => "Docker daemon configuration",
        "3" => "Docker daemon configuration files",
        "4" => "Container images and build file",
        "5" => "Container runtime",
        "6" => "Docker security operations",
        "7" => "Docker swarm configuration",
        _ => "Beyond the benchmark: Docker's platform guidance",
    }
}

/// Declares a rule: the `///` lines become its documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        pub static $static_name:ident = Rule { $($field:ident : $value:expr),* $(,)? };
    ) => {
        /// The rule declared in this file.
        pub static $static_name: $crate::rule::Rule = $crate::rule::Rule {
            docs: concat!($($doc, "\n"),*),
            $($field: $value),*
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::find;
    use crate::profile::Profile;

    fn settings(profile: Option<Profile>, enable: &[&str], disable: &[&str]) -> Settings {
        Settings {
            profile,
            enable: enable.iter().map(|s| s.to_string()).collect(),
            disable: disable.iter().map(|s| s.to_string()).collect(),
            ..Settings::default()
        }
    }

    /// The ids among `ids` that `settings` selects.
    fn chosen(settings: &Settings, ids: &[&'static str]) -> Vec<&'static str> {
        ids.iter()
            .copied()
            .filter(|id| settings.selects(find(id).unwrap()))
            .collect()
    }

    const SAMPLE: &[&str] = &[
        "HO0001", "DA0001", "CT0006", "CT0011", "DF0008", "PS0001", "RQ0001",
    ];

    #[test]
    fn disable_by_id_name_or_category_wins_over_every_way_of_being_selected() {
        // Default selection: everything not opt-in, no Pod Security controls.
        assert_eq!(
            chosen(&settings(None, &[], &[]), SAMPLE),
            ["HO0001", "DA0001", "CT0006", "CT0011", "RQ0001"]
        );
        // By id, by name (any case), by category.
        assert_eq!(
            chosen(
                &settings(None, &[], &["ct0011", "Privileged-Container", "daemon"]),
                SAMPLE
            ),
            ["HO0001", "RQ0001"]
        );
        // A profile's rule, disabled.
        assert_eq!(
            chosen(&settings(Some(Profile::Baseline), &[], &["RQ0001"]), SAMPLE),
            ["CT0006", "PS0001"]
        );
        // An enabled rule that is also disabled stays off: disable wins inside Settings.
        assert_eq!(
            chosen(&settings(None, &["DF0008"], &["dockerfiles"]), SAMPLE),
            ["HO0001", "DA0001", "CT0006", "CT0011", "RQ0001"]
        );
        assert_eq!(
            chosen(&settings(Some(Profile::Baseline), &["pss"], &["PS0001"]), SAMPLE),
            ["CT0006", "RQ0001"]
        );
        // A name that is none of these disables nothing.
        assert_eq!(
            chosen(&settings(None, &[], &["container"]), SAMPLE),
            ["HO0001", "DA0001", "CT0006", "CT0011", "RQ0001"]
        );
    }

    #[test]
    fn enable_accepts_categories() {
        assert_eq!(
            chosen(&settings(None, &["DOCKERFILES", "pss"], &[]), SAMPLE),
            [
                "HO0001", "DA0001", "CT0006", "CT0011", "DF0008", "PS0001", "RQ0001"
            ]
        );
        assert_eq!(
            chosen(
                &settings(Some(Profile::Baseline), &["daemon", "cpu-unlimited"], &[]),
                SAMPLE
            ),
            ["DA0001", "CT0006", "CT0011", "PS0001", "RQ0001"]
        );
    }

    #[test]
    fn scopes_still_restrict_what_enable_turns_on() {
        let mut s = settings(None, &["DF0008"], &[]);
        s.only = Some(vec![Scope::Containers]);
        assert_eq!(chosen(&s, SAMPLE), ["CT0006", "CT0011"]);
    }
}
