//! SARIF 2.1.0 output, so code-scanning services (GitHub code scanning above all) can show
//! dockward's failures as alerts beside the files and objects they concern.
//!
//! Only what needs attention is emitted: failures become results (suppressed and waived ones
//! carry a suppression, so they are shown as dismissed rather than lost), and results that could not be
//! assessed become tool notifications, since they say nothing about the target. Passing and
//! not-applicable results are left out: SARIF has no use for them and they would bloat uploads.
//! The document is built from structs, not `serde_json::Value`, so its keys keep a readable order.

use std::collections::HashMap;

use dockward_model::{Evidence, Location, RuleResult, Severity, Status, TargetKind};
use dockward_rules::{RULES, Rule};
use serde::Serialize;

use crate::json::Report;

/// Schema URI written in `$schema`; the one GitHub and editors recognise.
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where users learn about the tool.
const INFORMATION_URI: &str = "https://github.com/dockward/dockward";

/// The report as SARIF 2.1.0 (pretty JSON, ending with a newline).
///
/// One run with one invocation. Failures are results, in report order; errors are the
/// invocation's notifications, followed by the report's collection warnings.
pub fn render_sarif(report: &Report) -> String {
    let rules = RuleTable::of(&report.results);
    let results = report
        .results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| sarif_result(r, rules.index_of(r)))
        .collect();
    let notifications = report
        .results
        .iter()
        .filter(|r| r.status == Status::Error)
        .map(|r| Notification {
            level: "error",
            message: Message {
                text: format!("{} {}: {}", r.rule, target_label(r), r.message),
            },
            associated_rule: Some(RuleRef {
                id: rules.key_of(r),
                index: rules.index_of(r),
            }),
        })
        .chain(report.warnings.iter().map(|w| Notification {
            level: "warning",
            message: Message { text: w.clone() },
            associated_rule: None,
        }))
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: ToolComponent {
                driver: Driver {
                    name: "dockward",
                    version: &report.tool.version,
                    information_uri: INFORMATION_URI,
                    rules: rules.descriptors,
                },
            },
            invocations: [Invocation {
                // The audit ran to its end; rules it could not assess are reported as notifications.
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    match serde_json::to_string_pretty(&log) {
        Ok(json) => json + "\n",
        // Unreachable with these types (string keys only), but a broken report must not panic.
        Err(err) => serde_json::json!({
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": { "name": "dockward", "informationUri": INFORMATION_URI } },
                "invocations": [{
                    "executionSuccessful": false,
                    "toolExecutionNotifications": [
                        { "level": "error", "message": { "text": format!("SARIF rendering failed: {err}") } }
                    ]
                }],
                "results": []
            }]
        })
        .to_string(),
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: ToolComponent<'a>,
    invocations: [Invocation<'a>; 1],
    // Never skipped: GitHub rejects a run whose results are missing or null.
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct ToolComponent<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Message,
    full_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    default_configuration: Configuration,
    properties: DescriptorProperties<'a>,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties<'a> {
    tags: Vec<&'a str>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification<'a> {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_rule: Option<RuleRef<'a>>,
}

#[derive(Serialize)]
struct RuleRef<'a> {
    id: &'a str,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    kind: &'static str,
    message: Message,
    locations: [SarifLocation<'a>; 1],
    /// The sites that pulled the value in (a YAML alias, a `<<` merge key, a compose `extends`
    /// or override file), innermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    kind: &'static str,
    fully_qualified_name: String,
}

#[derive(Serialize)]
struct Fingerprints {
    // Versioned, so a change of recipe can be published under a new key beside the old one.
    #[serde(rename = "dockward/v1")]
    v1: String,
}

#[derive(Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    justification: &'a str,
    /// Where the policy's waiver is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<SuppressionLocation>,
    properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuppressionLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    /// Where the suppressing comment or the waiver is, as `path:line:column`.
    at: &'a str,
    /// The waiver's expiry date.
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    target_id: Option<&'a str>,
    evidence: &'a [Evidence],
}

/// The rules that the emitted results and notifications refer to, with their indices.
struct RuleTable<'a> {
    descriptors: Vec<Descriptor<'a>>,
    index: HashMap<&'a str, usize>,
}

impl<'a> RuleTable<'a> {
    /// Registry rules in registry order, then rules the registry does not know (a report from
    /// another version) in order of first appearance.
    fn of(results: &'a [RuleResult]) -> Self {
        let mut known: Vec<(usize, &'static Rule)> = Vec::new();
        let mut unknown: Vec<&'a RuleResult> = Vec::new();
        for r in results
            .iter()
            .filter(|r| matches!(r.status, Status::Fail | Status::Error))
        {
            match registry_rule(r) {
                Some((position, rule)) => {
                    if !known.iter().any(|(p, _)| *p == position) {
                        known.push((position, rule));
                    }
                }
                None => {
                    if !unknown.iter().any(|u| u.rule == r.rule) {
                        unknown.push(r);
                    }
                }
            }
        }
        known.sort_by_key(|(position, _)| *position);
        let descriptors: Vec<Descriptor<'a>> = known
            .into_iter()
            .map(|(_, rule)| known_descriptor(rule))
            .chain(unknown.into_iter().map(unknown_descriptor))
            .collect();
        let index = descriptors.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
        RuleTable { descriptors, index }
    }

    /// The descriptor id a result refers to.
    fn key_of(&self, r: &'a RuleResult) -> &'a str {
        registry_rule(r).map_or(&r.rule, |(_, rule)| rule.id)
    }

    /// The descriptor index of a result; every failure and error has one by construction.
    fn index_of(&self, r: &'a RuleResult) -> usize {
        self.index.get(self.key_of(r)).copied().unwrap_or_default()
    }
}

/// The registry rule of a result and its position in the registry.
fn registry_rule(r: &RuleResult) -> Option<(usize, &'static Rule)> {
    let rule = dockward_rules::find(&r.rule)?;
    let position = RULES.iter().position(|candidate| candidate.id == rule.id)?;
    Some((position, rule))
}

fn known_descriptor(rule: &'static Rule) -> Descriptor<'static> {
    let documentation = rule.documentation();
    Descriptor {
        id: rule.id,
        name: rule.name,
        short_description: Message {
            text: rule.title.to_string(),
        },
        full_description: Message {
            text: rule.title.to_string(),
        },
        help: Some(Help {
            text: documentation.clone(),
            markdown: documentation,
        }),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: DescriptorProperties {
            tags: std::iter::once("security")
                .chain(rule.references.iter().copied())
                .collect(),
            security_severity: security_severity(rule.severity),
        },
    }
}

/// A descriptor from what the result itself says, for a rule this build does not know.
fn unknown_descriptor(r: &RuleResult) -> Descriptor<'_> {
    Descriptor {
        id: &r.rule,
        name: &r.name,
        short_description: Message {
            text: r.name.to_string(),
        },
        full_description: Message {
            text: r.name.to_string(),
        },
        help: None,
        default_configuration: Configuration {
            level: level(r.severity),
        },
        properties: DescriptorProperties {
            tags: std::iter::once("security")
                .chain(r.references.iter().map(|reference| &**reference))
                .collect(),
            security_severity: security_severity(r.severity),
        },
    }
}

fn sarif_result(r: &RuleResult, rule_index: usize) -> SarifResult<'_> {
    let text = match &r.fix {
        Some(fix) => format!("{} — fix: {fix}", r.message),
        None => r.message.clone(),
    };
    let location = match &r.location {
        Some(location) => SarifLocation {
            physical_location: Some(physical_location(location)),
            logical_locations: Vec::new(),
        },
        None => SarifLocation {
            physical_location: None,
            logical_locations: vec![LogicalLocation {
                name: &r.target.name,
                kind: "resource",
                fully_qualified_name: format!("{}/{}", kind_name(r.target.kind), r.target.name),
            }],
        },
    };
    let related_locations = r
        .location
        .iter()
        .flat_map(|l| &l.via)
        .enumerate()
        .map(|(id, via)| RelatedLocation {
            id,
            physical_location: physical_location(via),
            message: Message {
                text: "the value is pulled in here".to_string(),
            },
        })
        .collect();
    let suppressions = r
        .suppressed
        .iter()
        .map(|s| SarifSuppression {
            kind: "inSource",
            status: None,
            justification: &s.reason,
            location: None,
            properties: SuppressionProperties {
                at: &s.at,
                expires: None,
            },
        })
        // A waiver is written outside the analysed artifact, in the policy file.
        .chain(r.waived.iter().map(|w| SarifSuppression {
            kind: "external",
            status: Some("accepted"),
            justification: &w.reason,
            location: position(&w.at).map(|location| SuppressionLocation {
                physical_location: physical_location(&location),
            }),
            properties: SuppressionProperties {
                at: &w.at,
                expires: w.expires.as_deref(),
            },
        }))
        .collect();
    SarifResult {
        rule_id: registry_rule(r).map_or(&r.rule, |(_, rule)| rule.id),
        rule_index,
        level: level(r.severity),
        kind: "fail",
        message: Message { text },
        locations: [location],
        related_locations,
        partial_fingerprints: Fingerprints { v1: fingerprint(r) },
        suppressions,
        properties: ResultProperties {
            target_id: r.target.id.as_deref(),
            evidence: &r.evidence,
        },
    }
}

/// `path:line:column` as a location (the path may hold colons: the numbers are the last two
/// parts).
fn position(at: &str) -> Option<Location> {
    let mut parts = at.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let path = parts.next().filter(|p| !p.is_empty())?;
    Some(Location::new(path, line, column))
}

fn physical_location(location: &Location) -> PhysicalLocation {
    // SARIF lines and columns start at 1; a 0 would make the document invalid, so it is left out.
    let region = (location.line >= 1).then(|| Region {
        start_line: location.line,
        start_column: (location.column >= 1).then_some(location.column),
    });
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: artifact_uri(&location.path),
        },
        region,
    }
}

/// A file path as a relative URI reference: forward slashes, `-` (standard input) as `stdin`,
/// and every byte a URI path may not hold percent-encoded, so odd file names stay valid SARIF.
fn artifact_uri(path: &str) -> String {
    if path == "-" {
        return "stdin".to_string();
    }
    let path = path.replace('\\', "/");
    let mut uri = String::with_capacity(path.len());
    let mut in_first_segment = true;
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=@/".contains(&byte)
            // A colon before the first slash would read as a URI scheme (RFC 3986, 4.2).
            || (byte == b':' && !in_first_segment);
        if keep {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
        if byte == b'/' {
            in_first_segment = false;
        }
    }
    uri
}

/// A stable identity for an alert across runs: rule, target and position, never the message
/// (which may quote values that change).
fn fingerprint(r: &RuleResult) -> String {
    let location = r
        .location
        .as_ref()
        .map(|l| format!("{}:{}:{}", l.path, l.line, l.column))
        .unwrap_or_default();
    let mut hash = Fnv1a::new();
    // The unit separator keeps ("ab", "c") and ("a", "bc") apart.
    for part in [&*r.rule, &kind_name(r.target.kind), &r.target.name, &location] {
        hash.write(part.as_bytes());
        hash.write(&[0x1f]);
    }
    format!("{:016x}", hash.0)
}

/// FNV-1a, 64 bits: tiny, and stable across Rust versions, unlike std's hasher.
struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Self {
        Fnv1a(Self::OFFSET_BASIS)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

/// SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's `security-severity` score (critical above 9, high above 7, medium
/// above 4, low above 0).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// The JSON spelling of a target kind (`container`, `file`...), taken from its serde form so
/// kinds added to the model need no change here.
pub(crate) fn kind_name(kind: TargetKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "target".to_string(),
    }
}

fn target_label(r: &RuleResult) -> String {
    format!("{} {}", kind_name(r.target.kind), r.target.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        let hash = |s: &str| {
            let mut h = Fnv1a::new();
            h.write(s.as_bytes());
            h.0
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn artifact_uris_are_valid_relative_references() {
        assert_eq!(artifact_uri("-"), "stdin");
        assert_eq!(artifact_uri("app\\Dockerfile"), "app/Dockerfile");
        assert_eq!(artifact_uri("/etc/docker/daemon.json"), "/etc/docker/daemon.json");
        assert_eq!(artifact_uri("my dir/a#b?c%d"), "my%20dir/a%23b%3Fc%25d");
        assert_eq!(artifact_uri("C:\\x:y"), "C%3A/x:y");
        assert_eq!(artifact_uri("é"), "%C3%A9");
    }
}
