use std::collections::BTreeSet;
use std::path::Path;

use dockward_model::dockerfile::Dockerfile;
use dockward_model::{Severity, Snapshot, Status, TargetKind, Workload};

use super::*;

const ORG001: &str = r#"package dockward.custom
import rego.v1
deny contains {"id": "ORG001", "message": "team images come from registry.example.com"} if {
    input.kind == "container"
    not startswith(input.workload.image.value, "registry.example.com/")
}
"#;

fn modules(text: &str) -> Modules {
    match Modules::from_sources(&[("policies/team.rego".to_string(), text.to_string())]) {
        Ok(modules) => modules,
        Err(diagnostics) => panic!("does not compile: {diagnostics:?}"),
    }
}

fn diagnostics(text: &str) -> Vec<Diagnostic> {
    match Modules::from_sources(&[("policies/team.rego".to_string(), text.to_string())]) {
        Ok(_) => panic!("compiles"),
        Err(diagnostics) => diagnostics,
    }
}

fn snapshot() -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/data/snapshot.json");
    let text = std::fs::read_to_string(path).expect("fixture");
    serde_json::from_str(&text).expect("snapshot")
}

fn container(image: &str) -> Workload {
    let mut workload = snapshot().containers.remove(0);
    workload.image.value = image.to_string();
    workload
}

fn findings(outcomes: Vec<ModuleOutcome>) -> Vec<CustomFinding> {
    match <[ModuleOutcome; 1]>::try_from(outcomes) {
        Ok([ModuleOutcome::Findings(findings)]) => findings,
        other => panic!("not one set of findings: {other:?}"),
    }
}

fn error(outcomes: Vec<ModuleOutcome>) -> String {
    match <[ModuleOutcome; 1]>::try_from(outcomes) {
        Ok([ModuleOutcome::Error { module, id, message }]) => {
            assert_eq!(module, "policies/team.rego");
            assert_eq!(id, "custom/dockward.custom");
            message
        }
        other => panic!("not one error: {other:?}"),
    }
}

#[test]
fn the_issue_example_flags_a_container_whose_image_is_from_elsewhere() {
    let modules = modules(ORG001);
    let outside = modules.evaluate(&workload_input("container", &container("nginx:1.27")));
    assert_eq!(
        findings(outside),
        vec![CustomFinding {
            id: "custom/ORG001".into(),
            message: "team images come from registry.example.com".into(),
            severity: Severity::High,
            module: "policies/team.rego".into(),
            fix: None,
            warn: false,
        }]
    );
    let inside = modules.evaluate(&workload_input(
        "container",
        &container("registry.example.com/team/app:2"),
    ));
    assert_eq!(findings(inside), vec![]);
    // Another kind: the rule does not apply.
    let compose = modules.evaluate(&workload_input("compose-service", &container("nginx:1.27")));
    assert_eq!(findings(compose), vec![]);
}

#[test]
fn deny_defaults_to_high_warn_to_low_and_an_explicit_severity_and_fix_win() {
    let modules = modules(
        r#"package dockward.custom
deny contains {"id": "D1", "message": "d1"} if true
deny contains {"id": "D2", "message": "d2", "severity": "critical", "fix": "do this"} if true
warn contains {"id": "W1", "message": "w1"} if true
warn contains {"id": "W-2.x_y", "message": "w2", "severity": "medium"} if true
"#,
    );
    let found: Vec<(String, Severity, Option<String>, bool)> =
        findings(modules.evaluate(&serde_json::json!({})))
            .into_iter()
            .map(|f| (f.id, f.severity, f.fix, f.warn))
            .collect();
    assert_eq!(
        found,
        vec![
            ("custom/D1".into(), Severity::High, None, false),
            (
                "custom/D2".into(),
                Severity::Critical,
                Some("do this".into()),
                false
            ),
            ("custom/W-2.x_y".into(), Severity::Medium, None, true),
            ("custom/W1".into(), Severity::Low, None, true),
        ]
    );
}

#[test]
fn a_malformed_finding_is_an_error_of_the_module() {
    let cases = [
        (
            r#"deny contains "just text" if true"#,
            "a finding must be an object",
        ),
        (r#"deny contains {"message": "m"} if true"#, "`id` is missing"),
        (r#"deny contains {"id": "X1"} if true"#, "`message` is missing"),
        (
            r#"deny contains {"id": "", "message": "m"} if true"#,
            "`id` must be letters",
        ),
        (
            r#"deny contains {"id": "a/b", "message": "m"} if true"#,
            "`id` must be letters",
        ),
        (
            r#"deny contains {"id": 7, "message": "m"} if true"#,
            "`id` must be a string, not a number",
        ),
        (
            r#"warn contains {"id": "X", "message": "m", "severity": "urgent"} if true"#,
            "`severity` must be one of critical, high, medium, low, info, not \"urgent\"",
        ),
        (
            r#"deny contains {"id": "X", "message": "m", "severty": "low"} if true"#,
            "unknown key `severty`",
        ),
        (r#"deny := {"id": "X", "message": "m"}"#, "must be a set"),
    ];
    for (rule, expected) in cases {
        let text = format!("package dockward.custom\n{rule}\n");
        let message = error(modules(&text).evaluate(&serde_json::json!({})));
        assert!(message.contains(expected), "{rule}: {message}");
        assert!(
            message.contains("malformed finding") || expected == "must be a set",
            "{message}"
        );
    }
}

#[test]
fn a_runtime_error_is_an_error_never_no_findings() {
    // Dividing by zero; a type error in a builtin (strict).
    for rule in [
        r#"deny contains {"id": "X", "message": sprintf("%d", [count(input.items) / 0])} if true"#,
        r#"deny contains {"id": "X", "message": "m"} if { startswith(input.number, "a") }"#,
        r#"deny contains {"id": "X", "message": "m"} if { x := to_number("not a number"); x > 1 }"#,
    ] {
        let text = format!("package dockward.custom\n{rule}\n");
        let message = error(modules(&text).evaluate(&serde_json::json!({"items": [1], "number": 5})));
        assert!(
            message.starts_with("data.dockward.custom.deny: policies/team.rego:2:"),
            "{message}"
        );
    }
}

#[test]
fn an_endless_evaluation_is_stopped_by_the_time_limit() {
    let modules = modules(
        r#"package dockward.custom
deny contains {"id": "X", "message": sprintf("%d", [n])} if {
    n := count([x | some i in numbers.range(1, 900000); some j in numbers.range(1, 900000); x := i * j])
}
"#,
    )
    .with_time_limit(Duration::from_millis(50));
    let message = error(modules.evaluate(&serde_json::json!({})));
    assert_eq!(
        message,
        "data.dockward.custom.deny: stopped: exceeded the time limit of 50 ms"
    );
}

#[test]
fn a_string_that_doubles_without_end_is_stopped() {
    // s40 would be 2^40 bytes: each rule doubles the one before.
    let mut text = String::from("package dockward.custom\ns0 := \"0123456789abcdef\"\n");
    for n in 1..=40 {
        text.push_str(&format!("s{n} := concat(\"\", [s{}, s{}])\n", n - 1, n - 1));
    }
    text.push_str("deny contains {\"id\": \"X\", \"message\": \"m\"} if count(s40) > 0\n");
    let message = error(modules(&text).evaluate(&serde_json::json!({})));
    assert_eq!(
        message,
        "data.dockward.custom.deny: policies/team.rego:23:14: concat: a string of 33554432 bytes is more than the limit of 16777216; stopped"
    );
    // The same with arrays.
    let mut text = String::from("package dockward.custom\na0 := [1, 2, 3, 4]\n");
    for n in 1..=40 {
        text.push_str(&format!("a{n} := array.concat(a{}, a{})\n", n - 1, n - 1));
    }
    text.push_str("deny contains {\"id\": \"X\", \"message\": \"m\"} if count(a40) > 0\n");
    let message = error(modules(&text).evaluate(&serde_json::json!({})));
    assert_eq!(
        message,
        "data.dockward.custom.deny: policies/team.rego:20:20: array.concat: 1048576 elements is more than the limit of 1000000; stopped"
    );
    // Within bounds, both work as OPA's.
    let found = findings(
        modules(
            r#"package dockward.custom
deny contains {"id": "X", "message": concat("/", ["a", "b"])} if count(array.concat([1], [2, 3])) == 3
"#,
        )
        .evaluate(&serde_json::json!({})),
    );
    assert_eq!(found[0].message, "a/b");
}

#[test]
fn a_range_too_large_to_build_is_refused() {
    let modules = modules(
        r#"package dockward.custom
deny contains {"id": "X", "message": "m"} if {
    count([i | some i in numbers.range(1, 100000000000)]) > 0
}
"#,
    );
    let message = error(modules.evaluate(&serde_json::json!({})));
    assert!(
        message.contains("numbers.range: 100000000000 elements is more than the limit of 1000000; stopped"),
        "{message}"
    );
    // Within bounds, the ranges work as OPA's.
    let modules = self::modules(
        r#"package dockward.custom
deny contains {"id": "X", "message": sprintf("%v %v %v", [numbers.range(1, 3), numbers.range(3, 1), numbers.range_step(0, 10, 5)])} if true
"#,
    );
    let found = findings(modules.evaluate(&serde_json::json!({})));
    assert_eq!(found[0].message, "[1, 2, 3] [3, 2, 1] [0, 5, 10]");
}

#[test]
fn a_parse_error_is_at_its_line_and_column() {
    let found = diagnostics("package dockward.custom\n\ndeny contains {\"id\": \"X\" if {\n  true\n}\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].path.as_str(), found[0].line),
        ("policies/team.rego", 3),
        "{found:?}"
    );
    assert!(found[0].column > 1, "{found:?}");
}

#[test]
fn brackets_nested_too_deep_are_refused_before_parsing() {
    // Found by fuzzing: the parser never ends on 87 nested `{`.
    let text = format!(
        "package dockward.custom\n# {{{{{{ in a comment\nwarn contains {{\"id\": \"{}\", \"x\": {}1{}}}\n",
        "{".repeat(40),
        "{".repeat(40),
        "}".repeat(40)
    );
    let found = diagnostics(&text);
    assert_eq!(
        found,
        vec![Diagnostic {
            path: "policies/team.rego".into(),
            line: 3,
            // `warn contains {"id": "` (22 columns), the string (40), `", "x": ` (8), 12 more `{`.
            column: 22 + 40 + 8 + 12,
            message: "brackets nest deeper than 12 levels".into(),
        }]
    );
    // 12 levels are fine.
    modules(&format!(
        "package dockward.custom\nx := {}1{}\n",
        "[".repeat(12),
        "]".repeat(12)
    ));
}

#[test]
fn a_module_outside_the_dockward_package_is_refused() {
    let found = diagnostics("# team rules\npackage team.custom\ndeny contains 1 if true\n");
    assert_eq!(
        found,
        vec![Diagnostic {
            path: "policies/team.rego".into(),
            line: 2,
            column: 1,
            message:
                "the package must be under `dockward` (e.g. `package dockward.custom`), not `team.custom`"
                    .into(),
        }]
    );
    let found = diagnostics("package dockward\ndeny contains 1 if true\n");
    assert_eq!(found[0].line, 1);
}

#[test]
fn test_rules_pass_when_true_and_fail_otherwise() {
    let modules = modules(&format!(
        r#"{ORG001}
test_outside_image_denied if {{
    count(deny) == 1 with input as {{"kind": "container", "workload": {{"image": {{"value": "nginx"}}}}}}
}}
test_wrong if {{
    count(deny) == 1 with input as {{"kind": "container", "workload": {{"image": {{"value": "registry.example.com/a"}}}}}}
}}
test_error if {{
    1 / 0 == 1
}}
"#
    ));
    let outcomes: Vec<(String, bool, Option<String>)> = modules
        .run_tests()
        .into_iter()
        .map(|t| (t.name, t.passed, t.detail))
        .collect();
    assert_eq!(
        outcomes[0],
        (
            "data.dockward.custom.test_outside_image_denied".into(),
            true,
            None
        )
    );
    assert_eq!(
        outcomes[1],
        (
            "data.dockward.custom.test_wrong".into(),
            false,
            Some("undefined".into())
        )
    );
    assert_eq!(outcomes[2].0, "data.dockward.custom.test_error");
    assert!(!outcomes[2].1);
    assert!(
        outcomes[2]
            .2
            .as_deref()
            .is_some_and(|d| d.starts_with("policies/team.rego:15:")),
        "{outcomes:?}"
    );
    assert_eq!(outcomes.len(), 3);
}

#[test]
fn a_pattern_that_matches_nothing_is_a_diagnostic_at_the_pattern() {
    let dir = std::env::temp_dir().join(format!("dockward-rego-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies/more")).expect("dir");
    std::fs::write(dir.join("policies/team.rego"), ORG001).expect("write");
    std::fs::write(
        dir.join("policies/more/b.rego"),
        "package dockward.more\nwarn contains {\"id\": \"B\", \"message\": \"b\"} if true\n",
    )
    .expect("write");
    let patterns = vec![
        ("policies/*.rego".to_string(), 3, 8),
        ("nothing/*.rego".to_string(), 3, 27),
    ];
    let found = Modules::load(&dir, &patterns, "dockward.toml").expect_err("a pattern names nothing");
    assert_eq!(
        found,
        vec![Diagnostic {
            path: "dockward.toml".into(),
            line: 3,
            column: 27,
            message: "rego pattern `nothing/*.rego` matches no file".into(),
        }]
    );
    let loaded =
        Modules::load(&dir, &[("policies/**/*.rego".to_string(), 1, 1)], "dockward.toml").expect("loads");
    assert_eq!(
        loaded.files,
        vec![dir.join("policies/more/b.rego"), dir.join("policies/team.rego")]
    );
    assert_eq!(loaded.packages(), vec!["dockward.more", "dockward.custom"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_results_are_on_the_targets_of_the_built_in_rules() {
    let modules = modules(
        r#"package dockward.custom
deny contains {"id": "ORG001", "message": input.workload.origin.name, "fix": "move it"} if input.kind == "container"
warn contains {"id": "ORG002", "message": input.host.hostname} if input.kind == "host"
warn contains {"id": "ORG003", "message": "daemon"} if { input.kind == "daemon"; input.source == "audit" }
"#,
    );
    let snapshot = snapshot();
    let results = audit_results(&modules, &snapshot);
    let rows: Vec<(&str, Status, Severity, TargetKind, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                &*r.rule,
                r.status,
                r.severity,
                r.target.kind,
                r.target.name.as_str(),
                r.message.as_str(),
            )
        })
        .collect();
    let names: Vec<&str> = snapshot.containers.iter().map(|w| w.origin.name()).collect();
    let host = snapshot.host.as_ref().map(|h| h.hostname.as_str()).expect("host");
    let mut expected: Vec<(&str, Status, Severity, TargetKind, &str, &str)> = names
        .iter()
        .map(|n| {
            (
                "custom/ORG001",
                Status::Fail,
                Severity::High,
                TargetKind::Container,
                *n,
                *n,
            )
        })
        .collect();
    expected.push((
        "custom/dockward.custom",
        Status::Error,
        Severity::High,
        TargetKind::Container,
        "gone",
        "policies/team.rego: could not inspect: no such container: it was removed after it was listed",
    ));
    expected.push((
        "custom/ORG003",
        Status::Fail,
        Severity::Low,
        TargetKind::Daemon,
        snapshot.daemon.endpoint.as_str(),
        "daemon",
    ));
    expected.push((
        "custom/ORG002",
        Status::Fail,
        Severity::Low,
        TargetKind::Host,
        host,
        host,
    ));
    assert_eq!(rows, expected);
    assert_eq!(results[0].fix.as_deref(), Some("move it"));
    assert_eq!(results[0].name, "custom/ORG001");
    assert_eq!(
        results[0].target.id,
        snapshot.containers[0].origin.id().map(str::to_string)
    );
}

#[test]
fn an_error_in_an_audit_is_an_error_result_on_its_target() {
    let modules =
        modules("package dockward.custom\ndeny contains {\"id\": \"X\", \"message\": \"m\"} if { 1 / 0 }\n");
    let results = audit_results(&modules, &snapshot());
    assert!(!results.is_empty());
    for r in results.iter().filter(|r| r.target.name != "gone") {
        assert_eq!((&*r.rule, r.status), ("custom/dockward.custom", Status::Error));
        assert!(
            r.message
                .starts_with("policies/team.rego: data.dockward.custom.deny: policies/team.rego:2:"),
            "{}",
            r.message
        );
    }
}

#[test]
fn modules_are_send_and_sync() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Modules>();
}

/// Facts of each kind, from real sources.
#[allow(clippy::large_enum_variant)] // a few test values
enum Facts {
    Workload(Workload),
    Image(dockward_model::ImageFacts),
    Dockerfile(Dockerfile),
    Daemon(dockward_model::DaemonFacts),
    Host(dockward_model::HostFacts),
}

impl Facts {
    /// The input the public `*_input` functions build.
    fn input(&self) -> serde_json::Value {
        match self {
            Facts::Workload(w) => workload_input(workload_kind(w), w),
            Facts::Image(i) => image_input(i),
            Facts::Dockerfile(d) => dockerfile_input(d),
            Facts::Daemon(d) => daemon_input(d),
            Facts::Host(h) => host_input(h),
        }
    }

    /// The facts converted straight to regorus' value, and the same through serde_json.
    fn both_ways(&self) -> (regorus::Value, regorus::Value) {
        fn pair<T: serde::Serialize>(x: &T) -> (regorus::Value, regorus::Value) {
            let json = serde_json::to_value(x).expect("serializes");
            (value::to_value(x).expect("converts"), to_rego(&json))
        }
        match self {
            Facts::Workload(w) => pair(w),
            Facts::Image(i) => pair(i),
            Facts::Dockerfile(d) => pair(d),
            Facts::Daemon(d) => pair(d),
            Facts::Host(h) => pair(h),
        }
    }
}

/// Real facts: snapshot containers, the daemon and the host, an image, parsed Dockerfiles,
/// compose services and Kubernetes containers.
fn real_facts() -> Vec<(String, Facts)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).expect(rel);
    let mut facts = Vec::new();
    let snapshot = snapshot();
    for w in &snapshot.containers {
        facts.push((
            format!("container {}", w.origin.name()),
            Facts::Workload(w.clone()),
        ));
    }
    facts.push(("daemon".into(), Facts::Daemon(snapshot.daemon.clone())));
    facts.push(("host".into(), Facts::Host(snapshot.host.clone().expect("host"))));
    let image: dockward_model::ImageFacts =
        serde_json::from_str(&read("crates/rules/tests/fixtures/base.image.json")).expect("image");
    facts.push(("image".into(), Facts::Image(image)));
    for name in [
        "go-multistage",
        "python-heredoc",
        "onbuild-base",
        "rust-cache-mounts",
    ] {
        let path = format!("crates/collect/tests/data/dockerfiles/{name}.Dockerfile");
        let df = dockward_collect::parse::dockerfile::parse_dockerfile(&path, &read(&path)).expect("parses");
        facts.push((path, Facts::Dockerfile(df)));
    }
    for dir in ["long", "merge", "seccomp"] {
        let file = root.join(format!("crates/collect/tests/data/compose/{dir}/compose.yaml"));
        let project = dockward_collect::compose::load_project(&[file], &Default::default());
        for w in project.workloads {
            facts.push((format!("compose {dir} {}", w.origin.name()), Facts::Workload(w)));
        }
    }
    for file in [
        "pod.json",
        "controllers.yaml",
        "volumes.yaml",
        "pod-inheritance.yaml",
    ] {
        let path = format!("crates/collect/tests/data/kubernetes/{file}");
        let manifest = dockward_collect::kubernetes::load_manifest(&path, &read(&path));
        for w in manifest.workloads {
            facts.push((format!("k8s {}", w.origin.name()), Facts::Workload(w)));
        }
    }
    facts
}

/// The inputs the public functions build from [`real_facts`], with a `source` on some.
fn real_inputs() -> Vec<(String, serde_json::Value)> {
    real_facts()
        .iter()
        .enumerate()
        .map(|(n, (name, facts))| {
            let mut input = facts.input();
            if n % 2 == 0 {
                set_source(&mut input, InputSource::Lint);
            }
            (name.clone(), input)
        })
        .collect()
}

#[test]
fn facts_convert_straight_to_what_serde_json_gives() {
    for (name, facts) in real_facts() {
        let (direct, through_json) = facts.both_ways();
        assert!(direct == through_json, "{name}: {direct} != {through_json}");
    }
    // Odd values too: big unsigned numbers, non-finite floats, enums, maps with number keys.
    let odd = serde_json::json!({"big": u64::MAX, "neg": -3, "f": 1.5, "s": "x", "a": [null, true]});
    assert!(value::to_value(&odd).expect("converts") == to_rego(&odd));
    let keyed = std::collections::BTreeMap::from([(1u8, "one")]);
    assert_eq!(
        value::to_value(&keyed).expect("converts").to_string(),
        r#"{"1":"one"}"#
    );
    assert!(value::to_value(&f64::NAN).expect("converts") == regorus::Value::Null);
}

#[test]
fn real_inputs_match_the_published_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rego-input.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let inputs = real_inputs();
    let kinds: BTreeSet<&str> = inputs.iter().filter_map(|(_, i)| i["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "compose-service",
            "container",
            "daemon",
            "dockerfile",
            "host",
            "image",
            "k8s-container"
        ])
    );
    for (name, input) in &inputs {
        let errors: Vec<String> = validator
            .iter_errors(input)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{name}: the input does not match docs/rego-input.schema.json (update the schema and docs/rego.md with the model): {errors:#?}"
        );
    }
    // The schema is not a blank check: a wrong kind, a missing key, a misspelt field fail.
    for bad in [
        serde_json::json!({"kind": "pod", "workload": {}}),
        serde_json::json!({"kind": "image"}),
        serde_json::json!({"kind": "daemon", "daemon": {"endpoint": "x", "colour": 1}}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}

#[test]
fn lint_results_are_on_the_targets_of_the_lint_rules() {
    let modules = modules(
        r#"package dockward.custom
warn contains {"id": "K1", "message": input.kind} if input.source == "lint"
"#,
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let file = root.join("crates/collect/tests/data/compose/long/compose.yaml");
    let project = dockward_collect::compose::load_project(&[file], &Default::default());
    let k8s_path = "crates/collect/tests/data/kubernetes/pod.json";
    let text = std::fs::read_to_string(root.join(k8s_path)).expect("pod");
    let manifest = dockward_collect::kubernetes::load_manifest(k8s_path, &text);
    let df_path = "crates/collect/tests/data/dockerfiles/go-multistage.Dockerfile";
    let text = std::fs::read_to_string(root.join(df_path)).expect("dockerfile");
    let df = dockward_collect::parse::dockerfile::parse_dockerfile(df_path, &text).expect("parses");
    let service = &project.workloads[0];
    let pod = &manifest.workloads[0];
    let results = lint_results(&modules, &[service, pod], &[&df]);
    let rows: Vec<(TargetKind, &str, &str, Option<u32>)> = results
        .iter()
        .map(|r| {
            (
                r.target.kind,
                r.target.name.as_str(),
                r.message.as_str(),
                r.location.as_ref().map(|l| l.line),
            )
        })
        .collect();
    let declared = |w: &Workload| w.origin.declared_at().and_then(|a| a.location()).map(|l| l.line);
    assert_eq!(
        rows,
        vec![
            (
                TargetKind::ComposeService,
                service.origin.name(),
                "compose-service",
                declared(service)
            ),
            (
                TargetKind::K8sContainer,
                pod.origin.name(),
                "k8s-container",
                declared(pod)
            ),
            (TargetKind::Dockerfile, df_path, "dockerfile", None),
        ]
    );
    assert!(declared(service).is_some());
}

#[test]
fn a_request_is_judged_as_a_container_from_authz() {
    let modules = modules(
        r#"package dockward.custom
deny contains {"id": "A1", "message": "m"} if { input.kind == "container"; input.source == "authz" }
"#,
    );
    let found = findings(request_findings(&modules, &container("nginx")));
    assert_eq!(
        found.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        vec!["custom/A1"]
    );
}

/// The ```rego blocks of docs/rego.md, in order.
fn doc_blocks() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rego.md");
    let text = std::fs::read_to_string(path).expect("docs/rego.md");
    text.split("```rego\n")
        .skip(1)
        .filter_map(|block| block.split("\n```").next().map(str::to_string))
        .collect()
}

#[test]
fn the_examples_of_the_docs_work() {
    let blocks = doc_blocks();
    assert_eq!(blocks.len(), 3, "{blocks:?}");
    assert!(
        blocks[0].contains(
            ORG001
                .trim_start_matches("package dockward.custom\nimport rego.v1\n")
                .trim()
        )
    );
    // The tests, with the module they test.
    let tested = modules(&format!("{}\n{}", blocks[0], blocks[2]));
    let outcomes = tested.run_tests();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|t| t.passed), "{outcomes:?}");

    let team = modules(&blocks[1]);
    let mut workload = container("nginx");
    workload.labels.clear();
    let ids = |outcomes: Vec<ModuleOutcome>| -> Vec<(String, Severity)> {
        findings(outcomes)
            .into_iter()
            .map(|f| (f.id, f.severity))
            .collect()
    };
    assert_eq!(
        ids(team.evaluate(&workload_input("container", &workload))),
        vec![
            ("custom/TEAM001".into(), Severity::Medium),
            ("custom/TEAM003".into(), Severity::High)
        ]
    );
    workload.labels.insert("team".into(), "shop".into());
    workload.ports.clear();
    assert_eq!(
        ids(team.evaluate(&workload_input("container", &workload))),
        vec![]
    );
    let path = "crates/collect/tests/data/dockerfiles/go-multistage.Dockerfile";
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path))
        .expect("dockerfile");
    let df = dockward_collect::parse::dockerfile::parse_dockerfile(path, &text).expect("parses");
    let found = findings(team.evaluate(&dockerfile_input(&df)));
    assert_eq!(found[0].id, "custom/TEAM002");
    assert_eq!(
        found[0].message,
        "stage 0 is FROM golang:${GO_VERSION}-alpine${ALPINE_VERSION}"
    );
    assert!(found.iter().all(|f| f.warn && f.severity == Severity::Low));
}

#[test]
fn calling_a_missing_builtin_is_an_error_when_evaluated() {
    let modules = modules(
        "package dockward.custom\ndeny contains {\"id\": \"X\", \"message\": \"m\"} if {\n  io.jwt.decode(input.token)\n}\n",
    );
    let message = error(modules.evaluate(&serde_json::json!({"token": "t"})));
    assert_eq!(
        message,
        "data.dockward.custom.deny: policies/team.rego:3:16: could not find function io.jwt.decode"
    );
}

/// Modules that look into `input` in every way a reference can: a field chain, a bracket, an
/// iteration, a whole object, a builtin over all of it, an import.
const REACHING_MODULES: [&str; 6] = [
    ORG001,
    r#"package dockward.reach
import rego.v1
deny contains {"id": "R1", "message": sprintf("%d mounts, %d labels", [count(input.workload.mounts), count(input.workload.labels)])} if {
    some m in input.workload.mounts
    m.source != ""
}
warn contains {"id": "R2", "message": concat(",", object.keys(input.workload))} if input.kind == "container"
"#,
    r#"package dockward.whole
import rego.v1
deny contains {"id": "W1", "message": json.marshal(input)} if input.source == "lint"
"#,
    r#"package dockward.builtin
import rego.v1
deny contains {"id": "K1", "message": sprintf("%d keys", [count(object.keys(input.image))])} if {
    contains(json.marshal(input.image), "/Config/User")
}
deny contains {"id": "K2", "message": input.daemon.endpoint} if input.daemon["info"]
"#,
    r#"package dockward.imported
import rego.v1
import input.dockerfile as df
deny contains {"id": "D1", "message": sprintf("%d stages", [count(df.stages)])} if df.path
"#,
    r#"package dockward.nothing
import rego.v1
deny contains {"id": "N1", "message": "always"} if true
"#,
];

impl Facts {
    /// Every module on these facts, the input built only as far as the modules reach.
    fn evaluate_needed(&self, modules: &Modules, source: InputSource) -> Vec<ModuleOutcome> {
        let (kind, key, facts): (&str, &str, &dyn ErasedFacts) = match self {
            Facts::Workload(w) => (workload_kind(w), "workload", w),
            Facts::Image(i) => ("image", "image", i),
            Facts::Dockerfile(d) => ("dockerfile", "dockerfile", d),
            Facts::Daemon(d) => ("daemon", "daemon", d),
            Facts::Host(h) => ("host", "host", h),
        };
        modules.evaluate_facts(kind, key, source, facts)
    }
}

#[test]
fn an_input_built_only_as_far_as_the_modules_reach_gives_the_same_outcomes() {
    let facts = real_facts();
    // Each module alone, and all of them together.
    let mut cases: Vec<(String, Modules)> = REACHING_MODULES
        .iter()
        .enumerate()
        .map(|(n, text)| (format!("module {n}"), modules(text)))
        .collect();
    let sources: Vec<(String, String)> = REACHING_MODULES
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("policies/{i}.rego"), (*t).to_string()))
        .collect();
    cases.push((
        "all modules".into(),
        Modules::from_sources(&sources).expect("compiles"),
    ));
    for (case, modules) in &cases {
        let mut some_finding = false;
        for (name, facts) in &facts {
            for source in [InputSource::Audit, InputSource::Lint] {
                let mut whole = facts.input();
                set_source(&mut whole, source);
                let expected = modules.evaluate(&whole);
                some_finding |= expected
                    .iter()
                    .any(|o| matches!(o, ModuleOutcome::Findings(f) if !f.is_empty()));
                assert_eq!(
                    facts.evaluate_needed(modules, source),
                    expected,
                    "{case} on {name} from {source:?}"
                );
            }
        }
        assert!(some_finding, "{case} finds something somewhere");
    }
}

#[test]
fn an_input_leaves_out_what_no_module_names() {
    let org001 = modules(ORG001);
    let mut expected = Needed::nothing();
    expected.add(&["kind"]);
    expected.add(&["workload", "image", "value"]);
    assert_eq!(org001.needed(), &expected);
    let workload = container("nginx:1.27");
    let built =
        value::to_value_needed(&workload, expected.field("workload").expect("workload")).expect("converts");
    assert_eq!(built.to_string(), r#"{"image":{"value":"nginx:1.27"}}"#);
    assert!(modules(REACHING_MODULES[2]).needed().is_all());
}
