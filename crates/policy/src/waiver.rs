//! Waivers: which findings a waiver accepts, expiry, and waivers that matched nothing.
//!
//! OWNER: helper `policy-file`.

use std::collections::{BTreeMap, HashMap};

use dockward_model::{RuleResult, Snapshot, TargetKind, Waived, Workload};

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
        let _ = workload;
        todo!("policy-file")
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
        let _ = snapshot;
        todo!("policy-file")
    }

    /// Adds one target's subject.
    pub fn insert(&mut self, kind: TargetKind, name: impl Into<String>, subject: Subject) {
        self.by_target.insert((kind, name.into()), subject);
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

impl Policy {
    /// Applies severity overrides (command line over file) and waivers to a run's results:
    /// each failure a waiver in force accepts gets `waived`. `today` decides expiry.
    pub fn apply(
        &self,
        results: &mut [RuleResult],
        subjects: &Subjects,
        cli: &CliChoices,
        today: Date,
    ) -> PolicyOutcome {
        let _ = (results, subjects, cli, today);
        todo!("policy-file")
    }

    /// The waiver that accepts a failure of `rule` (id, or a custom id) on `subject`: what the
    /// authorization plugin asks for each finding of a request.
    pub fn waiver_for(&self, rule: &str, subject: &Subject, today: Date) -> WaiverHit {
        let _ = (rule, subject, today);
        todo!("policy-file")
    }
}
