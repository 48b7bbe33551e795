//! The JSON report. These structs are the schema documented in docs/report-schema.md; extend
//! them only by adding fields.

use std::collections::{BTreeMap, HashMap};

use dockward_model::{RuleResult, Severity, Snapshot, Status};
use serde::{Deserialize, Serialize};

/// Version of the report format.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// A complete report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that produced the report.
    pub tool: Tool,
    /// What was audited.
    pub source: Source,
    /// One result per (rule, target).
    pub results: Vec<RuleResult>,
    /// Gaps in collection that did not stop the audit.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Counts.
    pub summary: Summary,
    /// The policy file the run obeyed, and how its waivers fared; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyUse>,
    /// The baseline the run was compared with (`--baseline`); absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::baseline::BaselineUse>,
    /// The source lines that located results point at, for the text report's excerpts (the
    /// caller, which read the files, fills it; rendering does no I/O). Not part of the JSON.
    #[serde(skip)]
    pub lines: SourceLines,
}

/// The policy a run obeyed. Its own types, so the report does not depend on the policy crate
/// (the CLI fills it from the policy's outcome).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyUse {
    /// The policy file, as found or given.
    pub path: String,
    /// The profile in force (`baseline`, `cis-level1`...); absent for the default selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Every waiver of the file, in file order, with how it fared.
    #[serde(default)]
    pub waivers: Vec<WaiverState>,
}

/// How one waiver fared in a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverState {
    /// Where it is written, `path:line:column`.
    pub at: String,
    /// Its rules as written.
    pub rules: Vec<String>,
    /// Its reason.
    pub reason: String,
    /// Its expiry date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `active`, `expired` or `unused`.
    pub state: String,
    /// Failures it accepted.
    pub matched: usize,
}

/// Lines of linted files by path and line number (1-based).
pub type SourceLines = HashMap<String, HashMap<u32, String>>;

/// How many files of each kind a lint read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LintCounts {
    /// Dockerfiles.
    pub dockerfiles: usize,
    /// Compose projects (a compose file with its override files, or the `-f` files).
    pub compose_projects: usize,
    /// Kubernetes manifests.
    pub manifests: usize,
    /// daemon.json files.
    pub daemon_json: usize,
    /// Seccomp profiles.
    pub seccomp_profiles: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The tool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `dockward`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// What was audited, taken from the snapshot so a live audit and an audit of its snapshot agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The daemon endpoint.
    pub endpoint: String,
    /// The daemon's version, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// When the facts were collected.
    pub collected_at: String,
    /// Which dockward collected them.
    pub collected_by: String,
    /// Number of containers audited (collected successfully).
    pub containers: usize,
    /// Number of containers the daemon listed, in every state; absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers_listed: Option<usize>,
    /// Whether only running containers were judged (`--running`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub running_only: bool,
    /// Number of images audited.
    #[serde(default)]
    pub images: usize,
    /// Number of Dockerfiles linted (`dockward lint`; the endpoint is empty then).
    #[serde(default)]
    pub dockerfiles: usize,
    /// Number of compose projects linted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub compose_projects: usize,
    /// Number of Kubernetes manifests linted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub manifests: usize,
    /// Number of daemon.json files linted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub daemon_json: usize,
    /// Number of seccomp profiles linted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seccomp_profiles: usize,
}

/// Counts per status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// Passing results.
    pub pass: usize,
    /// Failing results.
    pub fail: usize,
    /// Not applicable results.
    pub not_applicable: usize,
    /// Results that could not be assessed.
    pub error: usize,
}

impl StatusCounts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Error => self.error += 1,
        }
    }

    /// The count for one status.
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::NotApplicable => self.not_applicable,
            Status::Error => self.error,
        }
    }
}

/// Counts per severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Info.
    pub info: usize,
}

impl SeverityCounts {
    fn add(&mut self, severity: Severity) {
        *self.get_mut(severity) += 1;
    }

    fn get_mut(&mut self, severity: Severity) -> &mut usize {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }

    /// The count for one severity.
    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// Counts over all results.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of results.
    pub total: usize,
    /// Results per status.
    pub by_status: StatusCounts,
    /// Failing results per severity.
    pub failures_by_severity: SeverityCounts,
    /// Results that could not be assessed, per severity.
    pub errors_by_severity: SeverityCounts,
    /// Results per status for each CIS section (`"5"`), `"-"` for rules outside the benchmark.
    pub sections: BTreeMap<String, StatusCounts>,
    /// Failing results suppressed by an inline `# dockward ignore=` comment; they are not
    /// counted as failures anywhere else in the summary, nor for the exit code.
    #[serde(default)]
    pub suppressed: usize,
    /// Failing results a waiver of the policy accepts; like suppressed ones, they are counted
    /// here only, not as failures elsewhere in the summary, nor for the exit code.
    #[serde(default)]
    pub waived: usize,
    /// Failing results left out because the baseline already had them (`--baseline`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub baseline_known: usize,
}

impl Summary {
    /// Counts the results.
    pub fn of(results: &[RuleResult]) -> Self {
        let mut summary = Summary {
            total: results.len(),
            ..Summary::default()
        };
        for r in results {
            if r.suppressed.is_some() {
                summary.suppressed += 1;
                continue;
            }
            if r.waived.is_some() {
                summary.waived += 1;
                continue;
            }
            summary.by_status.add(r.status);
            match r.status {
                Status::Fail => summary.failures_by_severity.add(r.severity),
                Status::Error => summary.errors_by_severity.add(r.severity),
                _ => {}
            }
            let section = section_of_result(r);
            summary
                .sections
                .entry(section.to_string())
                .or_default()
                .add(r.status);
        }
        summary
    }
}

/// The CIS section of a result, from its references.
pub(crate) fn section_of_result(r: &RuleResult) -> &str {
    r.references
        .iter()
        .find_map(|reference| reference.strip_prefix("cis-docker-1.6.0:"))
        .and_then(|item| item.split('.').next())
        .unwrap_or("-")
}

impl Report {
    /// Builds the report of a snapshot's results.
    pub fn new(snapshot: &Snapshot, results: Vec<RuleResult>) -> Self {
        let summary = Summary::of(&results);
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: Tool {
                name: "dockward".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            source: Source {
                endpoint: snapshot.daemon.endpoint.clone(),
                server_version: snapshot.daemon.info.as_ref().map(|i| i.server_version.clone()),
                collected_at: snapshot.collected_at.clone(),
                collected_by: snapshot.collected_by.clone(),
                containers: snapshot.containers.len(),
                containers_listed: snapshot.containers_listed.and_then(|n| usize::try_from(n).ok()),
                running_only: !snapshot.all_containers,
                images: snapshot.images.len(),
                dockerfiles: 0,
                compose_projects: 0,
                manifests: 0,
                daemon_json: 0,
                seccomp_profiles: 0,
            },
            results,
            warnings: snapshot
                .warnings
                .iter()
                .cloned()
                .chain(
                    snapshot
                        .unreachable
                        .iter()
                        .map(|u| format!("the daemon could not be reached: {u}")),
                )
                .collect(),
            summary,
            policy: None,
            baseline: None,
            lines: SourceLines::new(),
        }
    }

    /// Builds the report of linting `dockerfiles` files.
    pub fn for_dockerfiles(results: Vec<RuleResult>, dockerfiles: usize, at: String) -> Self {
        Self::for_lint(
            results,
            LintCounts {
                dockerfiles,
                ..LintCounts::default()
            },
            at,
        )
    }

    /// Builds the report of a lint of files of any kinds (Dockerfiles, compose projects,
    /// manifests, daemon.json files, seccomp profiles), with how many of each were read.
    pub fn for_lint(results: Vec<RuleResult>, counts: LintCounts, at: String) -> Self {
        let summary = Summary::of(&results);
        let by = concat!("dockward ", env!("CARGO_PKG_VERSION")).to_string();
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            tool: Tool {
                name: "dockward".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            source: Source {
                endpoint: String::new(),
                server_version: None,
                collected_at: at,
                collected_by: by,
                containers: 0,
                containers_listed: None,
                running_only: false,
                images: 0,
                dockerfiles: counts.dockerfiles,
                compose_projects: counts.compose_projects,
                manifests: counts.manifests,
                daemon_json: counts.daemon_json,
                seccomp_profiles: counts.seccomp_profiles,
            },
            results,
            warnings: Vec::new(),
            summary,
            policy: None,
            baseline: None,
            lines: SourceLines::new(),
        }
    }

    /// Whether any failing result that is neither suppressed nor waived is at or above
    /// `threshold`.
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.results.iter().any(|r| {
            r.status == Status::Fail
                && r.suppressed.is_none()
                && r.waived.is_none()
                && r.severity >= threshold
        })
    }

    /// Counts the results again, after they changed (a baseline left some out); what the
    /// summary carries beside the counts of `results` is kept.
    pub fn recount(&mut self) {
        let baseline_known = self.summary.baseline_known;
        self.summary = Summary::of(&self.results);
        self.summary.baseline_known = baseline_known;
    }

    /// Writes the report as pretty JSON, streaming: a large audit is never held as one string.
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        use std::io::Write as _;
        // Large writes: a report of hundreds of thousands of results is tens of megabytes.
        let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, Pretty::default());
        self.serialize(&mut serializer).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

/// A comma, a line break and spaces: what [`Pretty`] writes before a value, in one piece.
const BREAK: &[u8] = b",\n                                                                ";

/// The output of `serde_json::to_writer_pretty` (two spaces per level), with each line break
/// and its indentation written at once rather than one level at a time: a report of hundreds of
/// thousands of results has millions of lines.
#[derive(Default)]
struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    fn line<W: ?Sized + std::io::Write>(&self, writer: &mut W, comma: bool) -> std::io::Result<()> {
        let skip = usize::from(!comma);
        let end = 2 + 2 * self.level;
        match BREAK.get(skip..end) {
            Some(piece) => writer.write_all(piece),
            None => {
                writer.write_all(&BREAK[skip..2])?;
                for _ in 0..self.level {
                    writer.write_all(b"  ")?;
                }
                Ok(())
            }
        }
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(writer, false)?;
        }
        writer.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(writer, !first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(writer, false)?;
        }
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(writer, !first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Pretty` writes byte for byte what `serde_json::to_writer_pretty` writes, also for empty
    /// arrays and objects and past the depth its indentation buffer covers.
    #[test]
    fn pretty_output_is_serde_json_pretty_output() {
        let mut deep = serde_json::json!({"leaf": [1, "x\n\"y\"", null, {}, []]});
        for k in 0..40 {
            deep = serde_json::json!({"k": k, "a": [deep, [], {}, true], "e": {}});
        }
        let mut ours = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut ours, Pretty::default());
        deep.serialize(&mut serializer).unwrap();
        let theirs = serde_json::to_vec_pretty(&deep).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }
}
