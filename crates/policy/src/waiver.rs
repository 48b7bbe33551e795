//! Waivers: which findings a waiver accepts, expiry, and waivers that matched nothing.
//!
//! A waiver accepts a failure when one of its `rules` names the failure's rule (id, name,
//! category, or `custom/ID`) and its selectors match the failure's target: every kind of
//! selector it gives must match (containers AND labels …), and a kind matches when any of its
//! patterns does. A waiver without selectors accepts every failure of its rules. A waiver
//! expiring on a day still applies that day, and stops the day after.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use dockward_model::{Provenance, RuleResult, Snapshot, Status, Target, TargetKind, Waived, Workload};
use globset::GlobMatcher;

use crate::file::RuleEntry;
use crate::{CliChoices, Date, Policy};

/// What a waiver's selectors can see of one target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    /// The container's name (`containers = [...]`), for containers, create requests and
    /// compose services (the service's container) and Kubernetes containers (the container's
    /// name).
    pub container: Option<String>,
    /// Image references (`images = [...]`): the container's image, an image's tags.
    pub images: Vec<String>,
    /// Labels (`labels = ["k=v"]`).
    pub labels: BTreeMap<String, String>,
    /// The compose service (`services = [...]`).
    pub service: Option<String>,
    /// The file (`paths = [...]`): Dockerfile, compose file, manifest, daemon.json, a host file.
    pub path: Option<String>,
    /// The Kubernetes namespace (`namespaces = [...]`).
    pub namespace: Option<String>,
    /// The Kubernetes object's name (`names = [...]`).
    pub object_name: Option<String>,
}

impl Subject {
    /// What a workload shows: its container name, image, labels, and where it is written.
    pub fn of_workload(workload: &Workload) -> Subject {
        let mut subject = Subject {
            labels: workload.labels.clone(),
            ..Subject::default()
        };
        if !workload.image.value.is_empty() {
            subject.images.push(workload.image.value.clone());
        }
        let file_of = |at: &Provenance| match at {
            Provenance::File { path, .. } => Some(path.clone()),
            _ => None,
        };
        match &workload.origin {
            dockward_model::Origin::Container { name, .. } | dockward_model::Origin::Request { name, .. } => {
                subject.container = (!name.is_empty()).then(|| name.clone());
            }
            dockward_model::Origin::Compose { service, at, .. } => {
                // The workload does not carry `container_name`: the service stands for its
                // container.
                subject.container = Some(service.clone());
                subject.service = Some(service.clone());
                subject.path = file_of(at);
            }
            dockward_model::Origin::Kubernetes {
                name,
                namespace,
                container,
                at,
                ..
            } => {
                subject.container = Some(container.clone());
                subject.namespace = namespace.clone();
                subject.object_name = (!name.is_empty()).then(|| name.clone());
                subject.path = file_of(at);
            }
        }
        subject
    }

    /// What a target shows when no subject was recorded for it: its name, read by its kind.
    pub fn of_target(target: &Target) -> Subject {
        let name = Some(target.name.clone());
        match target.kind {
            TargetKind::Container => Subject {
                container: name,
                ..Subject::default()
            },
            TargetKind::Image => Subject {
                images: vec![target.name.clone()],
                ..Subject::default()
            },
            TargetKind::ComposeService => Subject {
                service: name,
                ..Subject::default()
            },
            TargetKind::Dockerfile
            | TargetKind::File
            | TargetKind::DaemonJson
            | TargetKind::SeccompProfile => Subject {
                path: name,
                ..Subject::default()
            },
            TargetKind::K8sContainer | TargetKind::Client | TargetKind::Daemon | TargetKind::Host => {
                Subject::default()
            }
        }
    }
}

/// The subjects of a run's targets, by target kind and name.
#[derive(Clone, Debug, Default)]
pub struct Subjects {
    /// By `(target.kind, target.name)`.
    pub by_target: HashMap<(TargetKind, String), Subject>,
}

impl Subjects {
    /// The containers (name, image, labels) and images (tags) of a snapshot.
    pub fn from_snapshot(snapshot: &Snapshot) -> Subjects {
        let mut subjects = Subjects::default();
        for workload in &snapshot.containers {
            subjects.insert_workload(TargetKind::Container, workload);
        }
        for image in &snapshot.images {
            let mut images = image.tags.clone();
            images.push(image.id.clone());
            let display = image.display_name();
            if !images.contains(&display) {
                images.push(display.clone());
            }
            subjects.insert(
                TargetKind::Image,
                display,
                Subject {
                    images,
                    ..Subject::default()
                },
            );
        }
        subjects
    }

    /// Adds one target's subject.
    pub fn insert(&mut self, kind: TargetKind, name: impl Into<String>, subject: Subject) {
        self.by_target.insert((kind, name.into()), subject);
    }

    /// Adds a workload's subject under its display name (a container, a compose service, a
    /// Kubernetes container: `kind` says which target kind the engine reports it as).
    pub fn insert_workload(&mut self, kind: TargetKind, workload: &Workload) {
        self.insert(kind, workload.origin.name(), Subject::of_workload(workload));
    }

    /// The subjects of workloads read from files or requests, each under the target the engine
    /// reports it as: a compose service, a Kubernetes container, a container.
    pub fn from_workloads<'w>(workloads: impl IntoIterator<Item = &'w Workload>) -> Subjects {
        let mut subjects = Subjects::default();
        for workload in workloads {
            let kind = match workload.origin {
                dockward_model::Origin::Compose { .. } => TargetKind::ComposeService,
                dockward_model::Origin::Kubernetes { .. } => TargetKind::K8sContainer,
                dockward_model::Origin::Container { .. } | dockward_model::Origin::Request { .. } => {
                    TargetKind::Container
                }
            };
            subjects.insert_workload(kind, workload);
        }
        subjects
    }

    /// The subject of a target: the one recorded, else what its name says.
    pub fn of(&self, target: &Target) -> Cow<'_, Subject> {
        match self.by_target.get(&(target.kind, target.name.clone())) {
            Some(subject) => Cow::Borrowed(subject),
            None => Cow::Owned(Subject::of_target(target)),
        }
    }
}

/// How one waiver fared in a run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WaiverUse {
    /// Where it is written, `path:line:column`.
    pub at: String,
    /// Its rules as written.
    pub rules: Vec<String>,
    /// Its reason.
    pub reason: String,
    /// Its expiry date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `active`, `expired` or `unused` (active but matched no failure).
    pub state: &'static str,
    /// Failures it accepted (0 when expired: it accepts nothing).
    pub matched: usize,
}

/// What applying the policy to a run's results found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyOutcome {
    /// Every waiver, in file order.
    pub waivers: Vec<WaiverUse>,
    /// Lines for the report's warnings: expired waivers (and the failures they would have
    /// accepted), unused waivers.
    pub warnings: Vec<String>,
}

/// Whether a waiver accepts one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaiverHit {
    /// No waiver names this rule and subject.
    None,
    /// A waiver in force accepts it.
    Active(Waived),
    /// Only an expired waiver names it: the finding counts, and the log says why.
    Expired(Waived),
}

/// One glob of a selector, as written.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    pub(crate) text: String,
    pub(crate) matcher: GlobMatcher,
}

/// One `labels` selector: `key=glob`, or `key` (present with any value).
#[derive(Clone, Debug)]
pub(crate) struct LabelSelector {
    pub(crate) text: String,
    pub(crate) key: String,
    pub(crate) value: Option<GlobMatcher>,
}

/// One `[[waiver]]`, validated.
#[derive(Clone, Debug)]
pub(crate) struct Waiver {
    /// `path:line:column` of its header.
    pub(crate) at: String,
    pub(crate) rules: Vec<RuleEntry>,
    pub(crate) written_rules: Vec<String>,
    pub(crate) containers: Option<Vec<Pattern>>,
    pub(crate) images: Option<Vec<Pattern>>,
    pub(crate) labels: Option<Vec<LabelSelector>>,
    pub(crate) services: Option<Vec<Pattern>>,
    pub(crate) paths: Option<Vec<Pattern>>,
    pub(crate) namespaces: Option<Vec<Pattern>>,
    pub(crate) names: Option<Vec<Pattern>>,
    pub(crate) reason: String,
    pub(crate) expires: Option<Date>,
}

/// Whether a selector kind matches: absent selectors match everything, a given one needs a
/// value that one of its patterns matches.
fn one_of(patterns: &Option<Vec<Pattern>>, value: Option<&str>) -> bool {
    match patterns {
        None => true,
        Some(patterns) => value.is_some_and(|v| patterns.iter().any(|p| p.matcher.is_match(v))),
    }
}

impl Waiver {
    fn names_rule(&self, id: &str, name: &str) -> bool {
        self.rules.iter().any(|r| r.names(id, name))
    }

    fn matches(&self, subject: &Subject) -> bool {
        let images = match &self.images {
            None => true,
            Some(patterns) => subject
                .images
                .iter()
                .any(|image| patterns.iter().any(|p| p.matcher.is_match(image))),
        };
        let labels = match &self.labels {
            None => true,
            Some(selectors) => selectors.iter().any(|s| {
                subject
                    .labels
                    .get(&s.key)
                    .is_some_and(|v| s.value.as_ref().is_none_or(|m| m.is_match(v)))
            }),
        };
        // Paths are compared as written, without a leading `./`.
        let path = subject.path.as_deref().map(|p| p.strip_prefix("./").unwrap_or(p));
        images
            && labels
            && one_of(&self.containers, subject.container.as_deref())
            && one_of(&self.services, subject.service.as_deref())
            && one_of(&self.paths, path)
            && one_of(&self.namespaces, subject.namespace.as_deref())
            && one_of(&self.names, subject.object_name.as_deref())
    }

    fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|day| day < today)
    }

    fn waived(&self) -> Waived {
        Waived {
            reason: self.reason.clone(),
            at: self.at.clone(),
            expires: self.expires.map(|d| d.to_string()),
        }
    }

    /// `host-pid on node-exporter*`: the rules and selectors, for warnings.
    fn summary(&self) -> String {
        let mut selectors: Vec<&str> = Vec::new();
        for patterns in [
            &self.containers,
            &self.images,
            &self.services,
            &self.paths,
            &self.namespaces,
            &self.names,
        ]
        .into_iter()
        .flatten()
        {
            selectors.extend(patterns.iter().map(|p| p.text.as_str()));
        }
        if let Some(labels) = &self.labels {
            selectors.extend(labels.iter().map(|l| l.text.as_str()));
        }
        let on = if selectors.is_empty() {
            "every target".to_string()
        } else {
            selectors.join(", ")
        };
        format!("{} on {on}", self.written_rules.join(", "))
    }
}

/// Which waiver decides a failure.
enum Found {
    None,
    Active(usize),
    Expired(usize),
}

impl Policy {
    /// The first waiver in force for the rule and subject, else the first expired one.
    fn find_waiver(&self, id: &str, name: &str, subject: &Subject, today: Date) -> Found {
        let mut expired = None;
        for (i, waiver) in self.waivers.iter().enumerate() {
            if !waiver.names_rule(id, name) || !waiver.matches(subject) {
                continue;
            }
            if !waiver.expired(today) {
                return Found::Active(i);
            }
            expired.get_or_insert(i);
        }
        expired.map_or(Found::None, Found::Expired)
    }

    /// The severity a rule is reported with, when the command line or the file overrides it.
    pub(crate) fn severity_override(
        &self,
        id: &str,
        name: &str,
        cli: &CliChoices,
    ) -> Option<dockward_model::Severity> {
        cli.severity
            .iter()
            .rev()
            .find(|(rule, _)| rule.eq_ignore_ascii_case(id) || rule.eq_ignore_ascii_case(name))
            .map(|(_, s)| *s)
            .or_else(|| {
                self.severity
                    .iter()
                    .rev()
                    .find(|(entry, _)| entry.names(id, name))
                    .map(|(_, s)| *s)
            })
    }

    /// Applies severity overrides (command line over file) and waivers to a run's results:
    /// each failure a waiver in force accepts gets `waived`. `today` decides expiry.
    pub fn apply(
        &self,
        results: &mut [RuleResult],
        subjects: &Subjects,
        cli: &CliChoices,
        today: Date,
    ) -> PolicyOutcome {
        let mut matched = vec![0usize; self.waivers.len()];
        let mut would_have = vec![0usize; self.waivers.len()];
        for result in results.iter_mut() {
            if let Some(severity) = self.severity_override(&result.rule, &result.name, cli) {
                result.severity = severity;
            }
            if result.status != Status::Fail || result.suppressed.is_some() || result.waived.is_some() {
                continue;
            }
            let subject = subjects.of(&result.target);
            match self.find_waiver(&result.rule, &result.name, &subject, today) {
                Found::Active(i) => {
                    result.waived = Some(self.waivers[i].waived());
                    matched[i] += 1;
                }
                Found::Expired(i) => would_have[i] += 1,
                Found::None => {}
            }
        }
        let mut outcome = PolicyOutcome::default();
        for (i, waiver) in self.waivers.iter().enumerate() {
            let state = if waiver.expired(today) {
                let day = waiver.expires.map(|d| d.to_string()).unwrap_or_default();
                outcome.warnings.push(format!(
                    "waiver at {} ({}) expired on {day}: {} failure(s) count again",
                    waiver.at,
                    waiver.summary(),
                    would_have[i]
                ));
                "expired"
            } else if matched[i] == 0 {
                outcome.warnings.push(format!(
                    "waiver at {} ({}) matched no failure",
                    waiver.at,
                    waiver.summary()
                ));
                "unused"
            } else {
                "active"
            };
            outcome.waivers.push(WaiverUse {
                at: waiver.at.clone(),
                rules: waiver.written_rules.clone(),
                reason: waiver.reason.clone(),
                expires: waiver.expires.map(|d| d.to_string()),
                state,
                matched: matched[i],
            });
        }
        outcome
    }

    /// The waiver that accepts a failure of `rule` (id, or a custom id) on `subject`: what the
    /// authorization plugin asks for each finding of a request.
    pub fn waiver_for(&self, rule: &str, subject: &Subject, today: Date) -> WaiverHit {
        let name = dockward_rules::find(rule).map_or(rule, |r| r.name);
        let id = dockward_rules::find(rule).map_or(rule, |r| r.id);
        match self.find_waiver(id, name, subject, today) {
            Found::Active(i) => WaiverHit::Active(self.waivers[i].waived()),
            Found::Expired(i) => WaiverHit::Expired(self.waivers[i].waived()),
            Found::None => WaiverHit::None,
        }
    }

    /// Whether the policy has any waiver (callers skip building subjects otherwise).
    pub fn has_waivers(&self) -> bool {
        !self.waivers.is_empty()
    }
}
