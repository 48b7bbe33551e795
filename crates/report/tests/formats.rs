//! The SARIF and JUnit renderers, checked the way their consumers read them: SARIF against the
//! official OASIS schema, JUnit through an XML parser, plus the exact values CI services rely on.
#![allow(clippy::unwrap_used)]

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use dockward_model::{
    Evidence, Location, RuleResult, Severity, Status, Suppression, Target, TargetKind, Waived,
};
use dockward_report::junit::render_junit;
use dockward_report::sarif::render_sarif;
use dockward_report::{REPORT_SCHEMA_VERSION, Report, Source, Summary, TextOptions, Tool, render_text};
use serde_json::{Value, json};

/// A result of a registry rule, with the rule's name, severity and references.
fn result(rule: &str, status: Status, kind: TargetKind, target: &str, message: &str) -> RuleResult {
    let meta = dockward_rules::find(rule).unwrap();
    RuleResult {
        rule: Cow::Borrowed(meta.id),
        name: Cow::Borrowed(meta.name),
        status,
        severity: meta.severity,
        target: Arc::new(Target {
            kind,
            name: target.to_string(),
            id: None,
        }),
        message: message.to_string(),
        evidence: Vec::new(),
        fix: None,
        location: None,
        references: meta.references.iter().map(|r| Cow::Borrowed(*r)).collect(),
        suppressed: None,
        waived: None,
    }
}

fn with_fix(mut r: RuleResult, fix: &str) -> RuleResult {
    r.fix = Some(Cow::Owned(fix.to_string()));
    r
}

fn at(mut r: RuleResult, path: &str, line: u32, column: u32) -> RuleResult {
    r.location = Some(Location::new(path, line, column));
    r
}

fn suppressed(mut r: RuleResult, reason: &str) -> RuleResult {
    r.suppressed = Some(Suppression {
        reason: reason.to_string(),
        at: "compose.yaml:3:5".to_string(),
    });
    r
}

fn report(results: Vec<RuleResult>, warnings: Vec<String>) -> Report {
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: Tool {
            name: "dockward".to_string(),
            version: "0.1.0".to_string(),
        },
        source: Source {
            endpoint: "unix:///var/run/docker.sock".to_string(),
            server_version: Some("28.0.1".to_string()),
            collected_at: "2025-01-01T00:00:00Z".to_string(),
            collected_by: "dockward 0.1.0".to_string(),
            containers: 3,
            containers_listed: Some(3),
            running_only: false,
            images: 0,
            dockerfiles: 0,
            compose_projects: 0,
            manifests: 0,
            daemon_json: 0,
            seccomp_profiles: 0,
        },
        summary: Summary::of(&results),
        results,
        warnings,
        policy: None,
        baseline: None,
        lines: Default::default(),
    }
}

/// Container findings (one with an id and evidence, one suppressed, a pass and a n/a that must
/// not show), file findings with locations, an error, a rule this build does not know, and a
/// collection warning.
fn mixed_report() -> Report {
    let mut web = with_fix(
        result(
            "CT0006",
            Status::Fail,
            TargetKind::Container,
            "web \"front\"\u{1}",
            "the container is privileged",
        ),
        "remove --privileged",
    );
    web.target = Arc::new(Target {
        kind: TargetKind::Container,
        name: "web \"front\"\u{1}".to_string(),
        id: Some("0123abcd".to_string()),
    });
    web.evidence = vec![Evidence::new("/HostConfig/Privileged", true)];
    let mut unknown = result(
        "CT0006",
        Status::Fail,
        TargetKind::Host,
        "node-1",
        "from the future",
    );
    unknown.rule = Cow::Borrowed("ZZ0001");
    unknown.name = Cow::Borrowed("future-rule");
    unknown.severity = Severity::Medium;
    unknown.references = Arc::from(Vec::<Cow<'static, str>>::new());
    let results = vec![
        web,
        suppressed(
            result(
                "CT0006",
                Status::Fail,
                TargetKind::Container,
                "gpu",
                "the container is privileged",
            ),
            "needed for the GPU driver",
        ),
        result(
            "CT0006",
            Status::Pass,
            TargetKind::Container,
            "cache",
            "not privileged",
        ),
        result(
            "CT0006",
            Status::NotApplicable,
            TargetKind::Container,
            "old",
            "not running",
        ),
        at(
            with_fix(
                result(
                    "FI0018",
                    Status::Fail,
                    TargetKind::File,
                    "/etc/docker/daemon.json",
                    "mode is 0666",
                ),
                "chmod 644 /etc/docker/daemon.json",
            ),
            "conf\\daemon json",
            3,
            5,
        ),
        at(
            result("FI0018", Status::Fail, TargetKind::File, "stdin", "mode is 0777"),
            "-",
            2,
            0,
        ),
        result(
            "DA0007",
            Status::Error,
            TargetKind::Daemon,
            "unix:///var/run/docker.sock",
            "the daemon's arguments could not be read",
        ),
        unknown,
    ];
    report(results, vec!["host facts could not be read".to_string()])
}

/// The OASIS SARIF 2.1.0 schema as shipped by the `serde-sarif` 0.8 crate in cargo's registry.
fn sarif_schema() -> Value {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .expect("neither CARGO_HOME nor HOME is set, so cargo's registry cannot be found");
    let registry = cargo_home.join("registry").join("src");
    let mut found = None;
    for index in std::fs::read_dir(&registry).into_iter().flatten().flatten() {
        for package in std::fs::read_dir(index.path()).into_iter().flatten().flatten() {
            let name = package.file_name();
            let candidate = package.path().join("src").join("schema.json");
            if name.to_string_lossy().starts_with("serde-sarif-0.8.") && candidate.is_file() {
                found = Some(candidate);
            }
        }
    }
    let path = found.unwrap_or_else(|| {
        panic!(
            "the SARIF schema was not found: expected serde-sarif-0.8.*/src/schema.json under {}; \
             run `cargo fetch` so cargo downloads the serde-sarif dev-dependency",
            registry.display()
        )
    });
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn sarif_errors(sarif: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&sarif_schema())
        .unwrap();
    validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn assert_valid_sarif(sarif: &Value) {
    let errors = sarif_errors(sarif);
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
}

#[test]
fn sarif_of_an_empty_report_is_valid_and_has_an_empty_results_array() {
    let text = render_sarif(&report(Vec::new(), Vec::new()));
    assert!(text.ends_with("}\n"));
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(
        sarif,
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "dockward",
                    "version": "0.1.0",
                    "informationUri": "https://github.com/dockward/dockward",
                    "rules": []
                }},
                "invocations": [{ "executionSuccessful": true }],
                "results": []
            }]
        })
    );
    // Keys keep the readable order of the structs, not alphabetical order.
    let schema_at = text.find("\"$schema\"").unwrap();
    let version_at = text.find("\"version\"").unwrap();
    let runs_at = text.find("\"runs\"").unwrap();
    assert!(schema_at < version_at && version_at < runs_at);
}

#[test]
fn sarif_of_a_mixed_report_is_valid() {
    let mut sarif: Value = serde_json::from_str(&render_sarif(&mixed_report())).unwrap();
    assert_valid_sarif(&sarif);
    // The validation has teeth: a level SARIF does not define is caught.
    sarif["runs"][0]["results"][0]["level"] = json!("fatal");
    assert_eq!(sarif_errors(&sarif).len(), 1);
}

#[test]
fn sarif_rules_are_the_referenced_ones_in_registry_order_with_their_metadata() {
    let sarif: Value = serde_json::from_str(&render_sarif(&mixed_report())).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["DA0007", "FI0018", "CT0006", "ZZ0001"]);

    let privileged = dockward_rules::find("CT0006").unwrap();
    let docs = privileged.documentation();
    assert_eq!(
        rules[2],
        json!({
            "id": "CT0006",
            "name": "privileged-container",
            "shortDescription": { "text": "Privileged containers are not used" },
            "fullDescription": { "text": "Privileged containers are not used" },
            "help": { "text": docs, "markdown": docs },
            "defaultConfiguration": { "level": "error" },
            "properties": {
                "tags": ["security", "cis-docker-1.6.0:5.5", "pss:privileged-containers"],
                "security-severity": "9.5"
            }
        })
    );
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "note");
    assert_eq!(rules[1]["properties"]["security-severity"], "3.0");
    assert_eq!(
        rules[0]["properties"]["tags"],
        json!(["security", "cis-docker-1.6.0:2.7"])
    );
    // A rule this build does not know is described from the result itself.
    assert_eq!(
        rules[3],
        json!({
            "id": "ZZ0001",
            "name": "future-rule",
            "shortDescription": { "text": "future-rule" },
            "fullDescription": { "text": "future-rule" },
            "defaultConfiguration": { "level": "warning" },
            "properties": { "tags": ["security"], "security-severity": "5.5" }
        })
    );
}

#[test]
fn sarif_results_are_the_failures_with_locations_fingerprints_and_suppressions() {
    let sarif: Value = serde_json::from_str(&render_sarif(&mixed_report())).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        5,
        "pass, not-applicable and error results are not SARIF results"
    );

    assert_eq!(
        results[0],
        json!({
            "ruleId": "CT0006",
            "ruleIndex": 2,
            "level": "error",
            "kind": "fail",
            "message": { "text": "the container is privileged — fix: remove --privileged" },
            "locations": [{ "logicalLocations": [{
                "name": "web \"front\"\u{1}",
                "kind": "resource",
                "fullyQualifiedName": "container/web \"front\"\u{1}"
            }]}],
            "partialFingerprints": { "dockward/v1": "96d3c6f79beb5239" },
            "properties": {
                "targetId": "0123abcd",
                "evidence": [{ "at": "/HostConfig/Privileged", "value": true }]
            }
        })
    );
    assert_eq!(
        results[1]["suppressions"],
        json!([{
            "kind": "inSource",
            "justification": "needed for the GPU driver",
            "properties": { "at": "compose.yaml:3:5" }
        }])
    );
    assert_eq!(results[1]["properties"], json!({ "evidence": [] }));
    assert_eq!(
        results[2],
        json!({
            "ruleId": "FI0018",
            "ruleIndex": 1,
            "level": "note",
            "kind": "fail",
            "message": { "text": "mode is 0666 — fix: chmod 644 /etc/docker/daemon.json" },
            "locations": [{ "physicalLocation": {
                "artifactLocation": { "uri": "conf/daemon%20json" },
                "region": { "startLine": 3, "startColumn": 5 }
            }}],
            "partialFingerprints": { "dockward/v1": "902187b43fed3006" },
            "properties": { "evidence": [] }
        })
    );
    // Standard input has no file name; a column of 0 (unknown) is left out.
    assert_eq!(
        results[3]["locations"],
        json!([{ "physicalLocation": {
            "artifactLocation": { "uri": "stdin" },
            "region": { "startLine": 2 }
        }}])
    );
    assert_eq!(results[4]["ruleId"], "ZZ0001");
    assert_eq!(results[4]["ruleIndex"], 3);
    assert_eq!(results[4]["level"], "warning");

    let fingerprints: Vec<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["dockward/v1"].as_str().unwrap())
        .collect();
    for (i, a) in fingerprints.iter().enumerate() {
        assert_eq!(a.len(), 16);
        assert!(
            fingerprints[i + 1..].iter().all(|b| a != b),
            "fingerprints collide: {fingerprints:?}"
        );
    }
}

#[test]
fn sarif_fingerprints_do_not_depend_on_the_message() {
    let mut report = mixed_report();
    let before: Value = serde_json::from_str(&render_sarif(&report)).unwrap();
    report.results[0].message = "something else".to_string();
    let after: Value = serde_json::from_str(&render_sarif(&report)).unwrap();
    assert_eq!(
        before["runs"][0]["results"][0]["partialFingerprints"],
        after["runs"][0]["results"][0]["partialFingerprints"]
    );
}

#[test]
fn sarif_errors_and_warnings_are_notifications() {
    let sarif: Value = serde_json::from_str(&render_sarif(&mixed_report())).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"],
        json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {
                        "text": "DA0007 daemon unix:///var/run/docker.sock: the daemon's arguments could not be read"
                    },
                    "associatedRule": { "id": "DA0007", "index": 0 }
                },
                { "level": "warning", "message": { "text": "host facts could not be read" } }
            ]
        }])
    );
}

/// The elements named `tag` below `node`, in document order.
fn elements<'a, 'i>(node: roxmltree::Node<'a, 'i>, tag: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    node.descendants().filter(|n| n.has_tag_name(tag)).collect()
}

fn attributes(node: roxmltree::Node<'_, '_>) -> Vec<(String, String)> {
    node.attributes()
        .map(|a| (a.name().to_string(), a.value().to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The JUnit report used by the tests below: the mixed report, with a hostile container name
/// and a suppression without a reason.
fn junit_report() -> Report {
    let mut report = mixed_report();
    let mut hostile = with_fix(
        result(
            "CT0006",
            Status::Fail,
            TargetKind::Container,
            "a<&\">'\u{7}\u{FFFF}z",
            "privileged\tand\r\n\"loud\"",
        ),
        "remove <--privileged> & retry",
    );
    hostile.evidence = vec![
        Evidence::new("/HostConfig/Privileged", true),
        Evidence::new("/Name", "/a<&\">"),
    ];
    report.results.push(hostile);
    report.results.push(suppressed(
        result(
            "CT0006",
            Status::Fail,
            TargetKind::Container,
            "quiet",
            "privileged",
        ),
        "",
    ));
    report.summary = Summary::of(&report.results);
    report
}

#[test]
fn junit_counts_suites_and_cases_exactly() {
    let xml = render_junit(&junit_report());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert!(xml.ends_with("</testsuites>\n"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(
        attributes(root),
        pairs(&[
            ("name", "dockward"),
            ("tests", "10"),
            ("failures", "5"),
            ("errors", "1"),
            ("skipped", "3"),
        ])
    );
    let suites = elements(root, "testsuite");
    let suite_attributes: Vec<_> = suites.iter().map(|s| attributes(*s)).collect();
    assert_eq!(
        suite_attributes,
        [
            pairs(&[
                ("name", "DA0007 tcp-without-tls"),
                ("tests", "1"),
                ("failures", "0"),
                ("errors", "1"),
                ("skipped", "0"),
            ]),
            pairs(&[
                ("name", "FI0018 daemon-json-permissions"),
                ("tests", "2"),
                ("failures", "2"),
                ("errors", "0"),
                ("skipped", "0"),
            ]),
            pairs(&[
                ("name", "CT0006 privileged-container"),
                ("tests", "6"),
                ("failures", "2"),
                ("errors", "0"),
                ("skipped", "3"),
            ]),
            pairs(&[
                ("name", "ZZ0001 future-rule"),
                ("tests", "1"),
                ("failures", "1"),
                ("errors", "0"),
                ("skipped", "0"),
            ]),
        ]
    );
    let cases: Vec<(String, String)> = elements(root, "testcase")
        .iter()
        .map(|c| {
            (
                c.attribute("classname").unwrap().to_string(),
                c.attribute("name").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        cases,
        pairs(&[
            ("dockward.DA0007", "daemon unix:///var/run/docker.sock"),
            (
                "dockward.FI0018",
                "file /etc/docker/daemon.json (conf\\daemon json:3)"
            ),
            ("dockward.FI0018", "file stdin (-:2)"),
            ("dockward.CT0006", "container web \"front\""),
            ("dockward.CT0006", "container gpu"),
            ("dockward.CT0006", "container cache"),
            ("dockward.CT0006", "container old"),
            ("dockward.CT0006", "container a<&\">'z"),
            ("dockward.CT0006", "container quiet"),
            ("dockward.ZZ0001", "host node-1"),
        ])
    );
}

#[test]
fn junit_cases_carry_failures_errors_and_skips() {
    let xml = render_junit(&junit_report());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let case = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(name))
            .unwrap()
    };
    let child = |name: &str| {
        let children: Vec<_> = case(name).children().filter(|c| c.is_element()).collect();
        assert!(children.len() <= 1, "{name} has several outcomes");
        children.first().copied()
    };

    assert!(child("container cache").is_none(), "a pass is an empty test case");

    let error = child("daemon unix:///var/run/docker.sock").unwrap();
    assert_eq!(error.tag_name().name(), "error");
    assert_eq!(
        attributes(error),
        pairs(&[("message", "the daemon's arguments could not be read")])
    );
    assert!(!error.has_children());

    let failure = child("container web \"front\"").unwrap();
    assert_eq!(failure.tag_name().name(), "failure");
    assert_eq!(
        attributes(failure),
        pairs(&[("message", "the container is privileged"), ("type", "critical")])
    );
    assert_eq!(
        failure.text(),
        Some("/HostConfig/Privileged = true\nfix: remove --privileged")
    );

    let hostile = child("container a<&\">'z").unwrap();
    assert_eq!(
        attributes(hostile),
        pairs(&[("message", "privileged\tand\r\n\"loud\""), ("type", "critical")])
    );
    assert_eq!(
        hostile.text(),
        Some("/HostConfig/Privileged = true\n/Name = \"/a<&\\\">\"\nfix: remove <--privileged> & retry")
    );

    let located = child("file stdin (-:2)").unwrap();
    assert_eq!(
        attributes(located),
        pairs(&[("message", "mode is 0777"), ("type", "low")])
    );
    assert_eq!(located.text(), None, "nothing to add: no evidence and no fix");

    let skips = [
        ("container gpu", "suppressed: needed for the GPU driver"),
        ("container quiet", "suppressed"),
        ("container old", "not running"),
    ];
    for (name, message) in skips {
        let skipped = child(name).unwrap();
        assert_eq!(skipped.tag_name().name(), "skipped");
        assert_eq!(attributes(skipped), pairs(&[("message", message)]));
    }
}

#[test]
fn junit_of_a_small_report_is_exactly_this() {
    let mut fail = with_fix(
        result("CT0006", Status::Fail, TargetKind::Container, "web", "privileged"),
        "remove --privileged",
    );
    fail.evidence = vec![Evidence::new("/HostConfig/Privileged", true)];
    let pass = result(
        "CT0006",
        Status::Pass,
        TargetKind::Container,
        "db",
        "not privileged",
    );
    assert_eq!(
        render_junit(&report(vec![fail, pass], Vec::new())),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"dockward\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">\n\
         \x20 <testsuite name=\"CT0006 privileged-container\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">\n\
         \x20   <testcase classname=\"dockward.CT0006\" name=\"container web\">\n\
         \x20     <failure message=\"privileged\" type=\"critical\">/HostConfig/Privileged = true\n\
         fix: remove --privileged</failure>\n\
         \x20   </testcase>\n\
         \x20   <testcase classname=\"dockward.CT0006\" name=\"container db\"/>\n\
         \x20 </testsuite>\n\
         </testsuites>\n"
    );
}

#[test]
fn junit_of_an_empty_report_is_an_empty_run() {
    assert_eq!(
        render_junit(&report(Vec::new(), Vec::new())),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"dockward\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n\
         </testsuites>\n"
    );
}

/// A container name and a message carrying terminal control: ESC sequences that erase the
/// line, CR back to its start, NUL, a fake `PASS` after them.
fn hostile_report() -> Report {
    let mut fail = with_fix(
        result(
            "CT0006",
            Status::Fail,
            TargetKind::Container,
            "evil\u{1b}[2K\r",
            "privileged\u{1b}[1A\u{0}\r\u{1b}[32mPASS\u{1b}[0m \u{9b}2J\u{7f}",
        ),
        "remove --privileged\u{1b}c",
    );
    fail.evidence = vec![Evidence::new("/Name", "x\u{1b}]0;title\u{7}\n")];
    report(vec![fail], vec!["warn\u{1b}[2K".to_string()])
}

fn has_terminal_control(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'))
}

#[test]
fn text_escapes_control_characters_and_keeps_its_own_colours() {
    let report = hostile_report();
    let plain = dockward_report::render_text(&report, dockward_report::TextOptions::default());
    assert!(!has_terminal_control(&plain), "{plain:?}");
    assert!(
        plain.contains(
            "    FAIL  container evil\\x1b[2K\\r: privileged\\x1b[1A\\0\\r\\x1b[32mPASS\\x1b[0m \\u{9b}2J\\x7f\n"
        ),
        "{plain}"
    );
    // Evidence values are JSON, escaped already.
    assert!(
        plain.contains("          /Name = \"x\\u001b]0;title\\u0007\\n\"\n"),
        "{plain}"
    );
    assert!(plain.contains("    fix: remove --privileged\\x1bc\n"), "{plain}");
    assert!(plain.contains("warning: warn\\x1b[2K\n"), "{plain}");

    let coloured = dockward_report::render_text(
        &report,
        dockward_report::TextOptions {
            color: true,
            show_all: false,
        },
    );
    assert!(
        coloured.contains("    \u{1b}[1;31mFAIL \u{1b}[0m container evil\\x1b[2K\\r: privileged\\x1b[1A"),
        "{coloured}"
    );
    // Only dockward's own SGR sequences remain: every ESC starts `ESC [ digits ; m`.
    for (i, _) in coloured.match_indices('\u{1b}') {
        let rest = &coloured[i + 1..];
        let sgr = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once('m'))
            .map(|(codes, _)| codes);
        assert!(
            sgr.is_some_and(|codes| codes.chars().all(|c| c.is_ascii_digit() || c == ';')),
            "{:?}",
            &rest[..rest.len().min(12)]
        );
    }
}

/// C0 controls other than tab and newline (ESC, NUL, CR, ...): what the structured formats escape.
fn has_c0_control(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}'))
}

#[test]
fn json_sarif_and_junit_escape_control_characters() {
    let report = hostile_report();
    let mut json = Vec::new();
    report.write_json(&mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    assert!(!has_c0_control(&json), "{json:?}");
    assert!(json.contains(r#""name": "evil\u001b[2K\r""#), "{json}");
    let back: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(back["results"][0]["target"]["name"], "evil\u{1b}[2K\r");

    let sarif = render_sarif(&report);
    assert!(!has_c0_control(&sarif), "{sarif:?}");
    let parsed: Value = serde_json::from_str(&sarif).unwrap();
    let message = parsed["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(message.contains("privileged\u{1b}[1A\u{0}\r"), "{message:?}");

    let junit = render_junit(&report);
    assert!(!has_c0_control(&junit), "{junit:?}");
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let case = doc.descendants().find(|n| n.has_tag_name("testcase")).unwrap();
    // XML 1.0 cannot carry ESC or NUL even escaped: they are dropped, CR is a character reference.
    assert_eq!(case.attribute("name"), Some("container evil[2K\r"));
}

#[test]
fn sarif_with_related_locations_is_valid() {
    let mut r = at(
        result(
            "CT0006",
            Status::Fail,
            TargetKind::ComposeService,
            "web",
            "container is privileged",
        ),
        "compose.yaml",
        12,
        7,
    );
    if let Some(location) = r.location.as_mut() {
        location.via = vec![
            Location::new("compose.yaml", 3, 9),
            Location::new("base.yaml", 2, 1),
        ];
    }
    let sarif: Value = serde_json::from_str(&render_sarif(&report(vec![r], Vec::new()))).unwrap();
    assert_valid_sarif(&sarif);
    let related = &sarif["runs"][0]["results"][0]["relatedLocations"];
    assert_eq!(related[1]["id"], 1);
    assert_eq!(
        related[1]["physicalLocation"]["artifactLocation"]["uri"],
        "base.yaml"
    );
}

fn waived(mut r: RuleResult, reason: &str, expires: Option<&str>) -> RuleResult {
    r.waived = Some(Waived {
        reason: reason.to_string(),
        at: "dockward.toml:12:1".to_string(),
        expires: expires.map(str::to_string),
    });
    r
}

/// A report with one counting failure and two waived ones, of the same rule.
fn waived_report() -> Report {
    report(
        vec![
            waived(
                result(
                    "CT0015",
                    Status::Fail,
                    TargetKind::Container,
                    "node-exporter-1",
                    "container shares the host's PID namespace",
                ),
                "reads host processes",
                Some("2027-06-30"),
            ),
            result(
                "CT0015",
                Status::Fail,
                TargetKind::Container,
                "web",
                "container shares the host's PID namespace",
            ),
            waived(
                result(
                    "CT0015",
                    Status::Fail,
                    TargetKind::Container,
                    "agent",
                    "container shares the host's PID namespace",
                ),
                "forever",
                None,
            ),
        ],
        Vec::new(),
    )
}

#[test]
fn waived_failures_count_apart_and_do_not_fail() {
    let full = waived_report();
    assert_eq!(full.summary.waived, 2);
    assert_eq!(full.summary.by_status.fail, 1);
    assert_eq!(full.summary.failures_by_severity.high, 1);
    assert_eq!(full.summary.sections["5"].fail, 1);
    assert!(full.fails_at(Severity::High));
    let only_waived = report(vec![full.results[0].clone()], Vec::new());
    assert!(!only_waived.fails_at(Severity::Info));
    let json: Value = serde_json::to_value(&full).unwrap();
    assert_eq!(json["summary"]["waived"], 2);
    assert_eq!(
        json["results"][0]["waived"],
        json!({"reason": "reads host processes", "at": "dockward.toml:12:1", "expires": "2027-06-30"})
    );
    assert!(json["results"][1].get("waived").is_none());
    assert!(json.get("policy").is_none() && json.get("baseline").is_none());
}

#[test]
fn waived_failures_in_text_come_after_the_failures_with_reason_and_place() {
    let text = render_text(&waived_report(), TextOptions::default());
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("  CT0015 host-pid"))
        .unwrap();
    assert_eq!(
        lines[at + 1..at + 4],
        [
            "    FAIL  container web: container shares the host's PID namespace",
            "    WAIVED container node-exporter-1: container shares the host's PID namespace (waived by dockward.toml:12:1 until 2027-06-30: reads host processes)",
            "    WAIVED container agent: container shares the host's PID namespace (waived by dockward.toml:12:1: forever)",
        ]
    );
    assert!(
        lines.contains(&"Summary: 3 results: 1 fail (1 high), 2 waived, 0 error, 0 pass, 0 not applicable"),
        "{text}"
    );
    assert!(lines.contains(&"2 failures waived by the policy (listed above as WAIVED, with their reasons)."));
}

#[test]
fn waived_failures_are_sarif_external_suppressions_and_junit_skips() {
    let sarif: Value = serde_json::from_str(&render_sarif(&waived_report())).unwrap();
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "waived failures are results, dismissed");
    assert_eq!(
        results[0]["suppressions"],
        json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "reads host processes",
            "location": { "physicalLocation": {
                "artifactLocation": { "uri": "dockward.toml" },
                "region": { "startLine": 12, "startColumn": 1 }
            }},
            "properties": { "at": "dockward.toml:12:1", "expires": "2027-06-30" }
        }])
    );
    assert!(results[1].get("suppressions").is_none());

    let xml = render_junit(&waived_report());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let skipped = elements(doc.root(), "skipped");
    let messages: Vec<&str> = skipped.iter().map(|n| n.attribute("message").unwrap()).collect();
    assert_eq!(messages, ["waived: reads host processes", "waived: forever"]);
    assert_eq!(elements(doc.root(), "failure").len(), 1);
}
