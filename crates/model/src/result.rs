//! Results: one honest verdict per (rule, target).

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The outcome of one rule on one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Evidence shows compliance.
    Pass,
    /// Evidence shows non-compliance.
    Fail,
    /// The rule's precondition is absent (e.g. the host has no AppArmor).
    NotApplicable,
    /// The rule could not be assessed (e.g. the container could not be inspected).
    Error,
}

impl Status {
    /// All statuses in report order.
    pub const ALL: [Status; 4] = [Status::Fail, Status::Error, Status::Pass, Status::NotApplicable];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
            Status::Error => "error",
        }
    }
}

/// How much a failing result matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational: worth knowing, not a weakness by itself.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical: a direct path to the host.
    Critical,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses the JSON spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sev| sev.as_str() == s)
    }
}

/// What kind of object a result is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A container.
    Container,
    /// An image.
    Image,
    /// A Dockerfile.
    Dockerfile,
    /// The Docker client environment (content trust).
    Client,
    /// The Docker daemon (and its swarm node).
    Daemon,
    /// The host the daemon runs on.
    Host,
    /// A file or socket on the host.
    File,
    /// A service of a compose project (`compose-service`).
    ComposeService,
    /// A container of a Kubernetes manifest (`k8s-container`).
    #[serde(rename = "k8s-container")]
    K8sContainer,
    /// A daemon configuration file linted on its own (`daemon-json`).
    DaemonJson,
    /// A seccomp profile linted on its own (`seccomp-profile`).
    SeccompProfile,
}

/// The object a result is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Kind of object.
    pub kind: TargetKind,
    /// Display name (container names carry no leading slash).
    pub name: String,
    /// Stable id, where the object has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One observed value supporting a verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Where the value was read: a JSON pointer into the target's API object
    /// (`/HostConfig/Privileged`), a file position (`/etc/docker/daemon.json:3:5`) or a daemon
    /// argument (`dockerd argv[4]`); see [`crate::Provenance`].
    pub at: String,
    /// The value found there.
    pub value: serde_json::Value,
    /// The file position behind `at`, for facts read from a file (compose, Kubernetes): where a
    /// finding on a file workload points. Not serialized (`at` spells it).
    #[serde(skip)]
    pub location: Option<Location>,
}

impl Evidence {
    /// Evidence from a location and any serializable value.
    pub fn new(at: impl Into<String>, value: impl Serialize) -> Self {
        Self {
            at: at.into(),
            value: serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
            location: None,
        }
    }

    /// Evidence read at a provenance: a file position keeps its structured location too.
    pub fn at(at: &crate::Provenance, value: impl Serialize) -> Self {
        Self {
            location: at.location(),
            ..Self::new(at.to_string(), value)
        }
    }
}

/// A position in a file, for file findings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// File path as given.
    pub path: String,
    /// Line, starting at 1.
    pub line: u32,
    /// Column, starting at 1.
    pub column: u32,
    /// Where the value at this position was pulled in from (a YAML alias, a `<<` merge key, a
    /// compose `extends`), innermost first: SARIF's related locations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Location>,
}

impl Location {
    /// A position pulled in from nowhere else.
    pub fn new(path: impl Into<String>, line: u32, column: u32) -> Self {
        Self {
            path: path.into(),
            line,
            column,
            via: Vec::new(),
        }
    }
}

/// What a rule's check function returns for one target.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The status.
    pub status: Status,
    /// What was found (for pass/fail) or why it could not be judged (n/a, error).
    pub message: String,
    /// The values behind the verdict.
    pub evidence: Vec<Evidence>,
    /// How to fix a failure, when it is specific to what was found.
    pub fix: Option<String>,
    /// Where in a file the finding is, for file findings.
    pub location: Option<Box<Location>>,
}

impl Verdict {
    /// A pass.
    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Status::Pass, message)
    }

    /// A failure.
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Status::Fail, message)
    }

    /// Not applicable, with the reason.
    pub fn not_applicable(reason: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, reason)
    }

    /// Could not assess, with the reason.
    pub fn error(reason: impl Into<String>) -> Self {
        Self::new(Status::Error, reason)
    }

    fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            evidence: Vec::new(),
            fix: None,
            location: None,
        }
    }

    /// Adds evidence.
    #[must_use]
    pub fn with(mut self, pointer: impl Into<String>, value: impl Serialize) -> Self {
        self.evidence.push(Evidence::new(pointer, value));
        self
    }

    /// Adds prepared evidence.
    #[must_use]
    pub fn with_evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }

    /// Sets the file position of the finding.
    #[must_use]
    pub fn located(mut self, path: impl Into<String>, line: u32, column: u32) -> Self {
        self.location = Some(Box::new(Location::new(path, line, column)));
        self
    }

    /// Sets the fix.
    #[must_use]
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// One row of the report: a rule evaluated on a target.
///
/// Text that comes from the rule registry is borrowed and shared, so a large audit does not hold
/// a copy of it per result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    /// Rule id, e.g. `CT0005`.
    pub rule: Cow<'static, str>,
    /// Rule name, e.g. `privileged-container`.
    pub name: Cow<'static, str>,
    /// Verdict.
    pub status: Status,
    /// The rule's severity.
    pub severity: Severity,
    /// The object judged. Shared between the results of one target.
    pub target: Arc<Target>,
    /// What was found, or why it could not be judged.
    pub message: String,
    /// Values behind the verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// How to fix a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Cow<'static, str>>,
    /// Position in a file, for file findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Benchmark references, e.g. `cis-docker-1.6.0:5.5`; shared by the results of one rule.
    pub references: Arc<[Cow<'static, str>]>,
    /// Set when an inline comment suppresses this failure: it is reported, but does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
    /// Set when a waiver of the policy file accepts this failure: it is reported as waived, with
    /// the reason, but does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waived>,
}

/// The policy waiver that accepts a failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waived {
    /// The waiver's `reason`.
    pub reason: String,
    /// Where the waiver is written, `path:line:column` of its `[[waiver]]` header.
    pub at: String,
    /// Its `expires` date (`YYYY-MM-DD`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// Why a failure is suppressed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The reason written in the comment (may be empty).
    pub reason: String,
    /// Where the comment is, `path:line:column`.
    pub at: String,
}
