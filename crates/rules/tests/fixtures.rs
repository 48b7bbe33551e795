//! Fixture tests: for every rule, recorded facts that must fail and must pass.
//!
//! Each `fixtures/<ID>.json` holds cases. For a container rule, a case patches the base document
//! (a real `GET /containers/{id}/json` answer recorded from Docker 20.10, `base.inspect.json`) with
//! a JSON merge patch (RFC 7386), optionally adjusts the daemon facts, normalizes the result exactly
//! as a live audit does, runs the rule, and compares status, message and evidence exactly. For a
//! daemon, host, file or swarm rule, a case patches the platform facts recorded by
//! `dockward collect` from a private Docker 20.10 daemon (`base.platform.json`) and compares every
//! verdict the rule gives: target, status, message, and evidence where the case lists it.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

mod common;

use common::{fixtures_dir, merge_patch, read_json, workload};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use dockward_collect::info_from_json;
use dockward_collect::inspect::resolve_joins;
use dockward_collect::parse::dockerfile::parse_dockerfile;
use dockward_model::{
    ApiRequest, ConfigFile, ConfigFileState, DaemonConfig, DaemonFacts, DaemonProcess, FileId, HostSocket,
    ImageFacts, Provenance, Setting, Snapshot, Status, Verdict, Workload,
};
use dockward_rules::{
    Check, ContainerCheck, Context, Judged, LintInput, RULES, Settings, evaluate_dockerfiles,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    inspect: Value,
    #[serde(default)]
    daemon: DaemonSpec,
    /// Other containers (patches of the base document) that joins may resolve to.
    #[serde(default)]
    known: Vec<Value>,
    /// Host facts the collector would add to mounts.
    #[serde(default)]
    mount_facts: Vec<MountFacts>,
    /// Rule options (policy `[options]`) the case is judged under.
    #[serde(default)]
    options: OptionsSpec,
    expect: Expect,
}

/// The policy's `[options]`, as a case sets them.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct OptionsSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    allowed_capabilities: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sensitive_host_paths: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_pids_limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trusted_registries: Option<Vec<String>>,
}

impl OptionsSpec {
    fn is_default(&self) -> bool {
        self.allowed_capabilities.is_none()
            && self.sensitive_host_paths.is_empty()
            && self.min_pids_limit.is_none()
            && self.trusted_registries.is_none()
    }

    fn settings(&self) -> Settings {
        Settings {
            options: dockward_rules::RuleOptions {
                allowed_capabilities: self.allowed_capabilities.clone(),
                sensitive_host_paths: self.sensitive_host_paths.clone(),
                min_pids_limit: self.min_pids_limit,
                trusted_registries: self.trusted_registries.clone(),
            },
            ..Settings::default()
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DaemonSpec {
    /// Replaces `/info` SecurityOptions.
    security_options: Option<Vec<String>>,
    /// A merge patch over `/info` (`base.info.json`).
    #[serde(default)]
    info: Value,
    /// `/info` could not be read, with this reason.
    info_error: Option<String>,
    no_new_privileges: Option<bool>,
    /// Further daemon.json settings.
    #[serde(default)]
    settings: BTreeMap<String, Value>,
    sockets: Option<Vec<SocketSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SocketSpec {
    path: String,
    id: Option<FileId>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MountFacts {
    index: usize,
    bind_device: Option<String>,
    source_realpath: Option<String>,
    source_socket: Option<FileId>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: Status,
    message: String,
    #[serde(default)]
    evidence: Vec<(String, Value)>,
    fix: Option<String>,
}

fn daemon(spec: &DaemonSpec) -> DaemonFacts {
    let mut info = read_json("base.info.json");
    if let Some(options) = &spec.security_options {
        info["SecurityOptions"] = serde_json::json!(options);
    }
    if !spec.info.is_null() {
        merge_patch(&mut info, &spec.info);
    }
    // Daemon-wide settings come from daemon.json, as they would on a real host.
    let mut settings: BTreeMap<String, Value> = spec.settings.clone();
    if let Some(value) = spec.no_new_privileges {
        settings.insert("no-new-privileges".into(), value.into());
    }
    let config = (!settings.is_empty()).then(|| DaemonConfig {
        process: DaemonProcess {
            pid: 1234,
            exe: Some("/usr/sbin/dockerd".into()),
            uid: 0,
            argv: vec!["/usr/sbin/dockerd".into()],
            found_by: "fixture".into(),
            systemd_unit: None,
        },
        config_file: ConfigFile {
            path: "/etc/docker/daemon.json".into(),
            explicit: false,
            state: ConfigFileState::Read,
        },
        settings: settings
            .into_iter()
            .map(|(key, value)| {
                let at = Provenance::file("/etc/docker/daemon.json", 2, 3);
                (key, Setting { value, at })
            })
            .collect(),
        unit: None,
        problems: Vec::new(),
    });
    DaemonFacts {
        endpoint: "unix:///var/run/docker.sock".into(),
        info: spec
            .info_error
            .is_none()
            .then(|| info_from_json(info.to_string().as_bytes()).unwrap()),
        info_error: spec.info_error.clone(),
        config,
        sockets: spec
            .sockets
            .as_ref()
            .map(|s| {
                s.iter()
                    .map(|s| HostSocket {
                        path: s.path.clone(),
                        id: s.id,
                    })
                    .collect()
            })
            .unwrap_or_else(|| {
                vec![HostSocket {
                    path: "/var/run/docker.sock".into(),
                    id: None,
                }]
            }),
        ..DaemonFacts::default()
    }
}

fn run_case(check: ContainerCheck, case: &Case) -> Verdict {
    let mut subject = workload(&case.inspect);
    for facts in &case.mount_facts {
        let mount = &mut subject.mounts[facts.index];
        mount.bind_device = facts.bind_device.clone();
        mount.source_realpath = facts.source_realpath.clone();
        mount.source_socket = facts.source_socket;
    }
    let known: Vec<Workload> = case.known.iter().map(workload).collect();
    let mut subjects = vec![subject];
    resolve_joins(&mut subjects, &known);
    let daemon = daemon(&case.daemon);
    let settings = case.options.settings();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings: &settings,
    };
    check.judge(&ctx, &subjects[0])
}

/// An image case: a merge patch over `base.image.json` (image facts as `dockward collect`
/// records them for a busybox-based build).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageCase {
    name: String,
    #[serde(default)]
    image: Value,
    /// Rule options (policy `[options]`) the case is judged under.
    #[serde(default)]
    options: OptionsSpec,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageFile {
    cases: Vec<ImageCase>,
}

fn run_image_case(check: fn(&Context<'_>, &ImageFacts) -> Verdict, case: &ImageCase) -> Verdict {
    let mut doc = read_json("base.image.json");
    if !case.image.is_null() {
        merge_patch(&mut doc, &case.image);
    }
    let image: ImageFacts = serde_json::from_value(doc).unwrap();
    let daemon = DaemonFacts::default();
    let settings = case.options.settings();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings: &settings,
    };
    check(&ctx, &image)
}

/// A Dockerfile case: a file under `fixtures/dockerfiles/<ID>/`, linted with only the rule on
/// (opt-in rules enabled), and every result it gives.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct DockerfileCase {
    name: String,
    file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    /// Rule options (policy `[options]`) the file is linted under.
    #[serde(default, skip_serializing_if = "OptionsSpec::is_default")]
    options: OptionsSpec,
    expect: Vec<DockerfileExpect>,
}

#[derive(Deserialize, Serialize, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
struct DockerfileExpect {
    status: Status,
    /// `line:column`, for located findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    message: String,
    /// The reason of the `# dockward ignore=` comment that suppresses the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    suppressed: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct DockerfileFixtures {
    cases: Vec<DockerfileCase>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SeccompCase {
    name: String,
    /// The profile file's lines.
    profile: Vec<String>,
    expect: Vec<DockerfileExpect>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SeccompFixtures {
    cases: Vec<SeccompCase>,
}

/// Runs a seccomp profile rule on each case's profile, read as `dockward lint` reads a file.
fn run_seccomp_rule(rule: &dockward_rules::Rule, path: &Path, failures: &mut Vec<String>) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} has no fixture file {}: {e}", rule.id, path.display()));
    let mut fixtures: SeccompFixtures =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bless = std::env::var_os("DOCKWARD_BLESS").is_some();
    let settings = Settings {
        only: Some(vec![dockward_rules::Scope::Seccomp]),
        ..Settings::default()
    };
    for case in &mut fixtures.cases {
        let file = format!("{}.json", case.name.replace(' ', "-"));
        let profile = dockward_collect::config_files::seccomp_profile(&file, &case.profile.join("\n"))
            .unwrap_or_else(|e| panic!("{} / {}: {e}", rule.id, case.name));
        let got: Vec<DockerfileExpect> = dockward_rules::evaluate_seccomp_profile(&profile, &settings)
            .into_iter()
            .filter(|r| r.rule == rule.id)
            .map(|r| DockerfileExpect {
                status: r.status,
                at: r.location.map(|l| format!("{}:{}", l.line, l.column)),
                message: r.message,
                suppressed: None,
            })
            .collect();
        if bless {
            case.expect = got;
        } else if got != case.expect {
            failures.push(format!(
                "{} / {}: got {}, expected {}",
                rule.id,
                case.name,
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&case.expect).unwrap()
            ));
        }
    }
    require_fail_and_pass(
        rule.id,
        fixtures
            .cases
            .iter()
            .flat_map(|c| c.expect.iter().map(|e| e.status)),
    );
    if bless {
        std::fs::write(path, serde_json::to_string_pretty(&fixtures).unwrap() + "\n").unwrap();
    }
}

fn lint_case(
    rule: &dockward_rules::Rule,
    file: &str,
    target: Option<&str>,
    options: &OptionsSpec,
) -> Vec<DockerfileExpect> {
    let relative = format!("{}/{file}", rule.id);
    let text = std::fs::read_to_string(fixtures_dir().join("dockerfiles").join(&relative)).unwrap();
    let parsed = parse_dockerfile(&relative, &text).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let settings = Settings {
        only: Some(vec![dockward_rules::Scope::Dockerfiles]),
        target_stage: target.map(str::to_string),
        enable: vec![rule.id.to_string()],
        ..options.settings()
    };
    evaluate_dockerfiles(&[LintInput::Parsed(&parsed)], &settings)
        .into_iter()
        .filter(|r| r.rule == rule.id)
        .map(|r| DockerfileExpect {
            status: r.status,
            at: r.location.map(|l| format!("{}:{}", l.line, l.column)),
            message: r.message,
            suppressed: r.suppressed.map(|s| s.reason),
        })
        .collect()
}

/// Runs a Dockerfile rule's cases; with `DOCKWARD_BLESS=1`, rewrites the expectations from what
/// the rule says now (adding a case for each new file), for review in the diff.
fn run_dockerfile_rule(rule: &dockward_rules::Rule, path: &Path, failures: &mut Vec<String>) {
    let mut fixtures: DockerfileFixtures = match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        Err(_) => DockerfileFixtures { cases: Vec::new() },
    };
    let dir = fixtures_dir().join("dockerfiles").join(rule.id);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} has no Dockerfiles in {}: {e}", rule.id, dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let bless = std::env::var_os("DOCKWARD_BLESS").is_some();
    for file in &files {
        if !fixtures.cases.iter().any(|c| &c.file == file) {
            assert!(bless, "{}: {file} has no case in {}", rule.id, path.display());
            let name = file.trim_end_matches(".Dockerfile").replace('-', " ");
            fixtures.cases.push(DockerfileCase {
                name,
                file: file.clone(),
                target: None,
                options: OptionsSpec::default(),
                expect: Vec::new(),
            });
        }
    }
    for case in &mut fixtures.cases {
        assert!(
            files.contains(&case.file),
            "{}: case {} names a missing file",
            rule.id,
            case.name
        );
        let got = lint_case(rule, &case.file, case.target.as_deref(), &case.options);
        // The file name says what the case must show, so a blessed expectation cannot flip it.
        let fails = got
            .iter()
            .any(|r| r.status == Status::Fail && r.suppressed.is_none());
        if case.file.starts_with("fail-") && !fails {
            failures.push(format!("{} / {}: must fail, but no finding", rule.id, case.name));
        }
        if case.file.starts_with("pass-") && fails {
            failures.push(format!("{} / {}: must pass, but failed", rule.id, case.name));
        }
        if bless {
            case.expect = got;
        } else if got != case.expect {
            failures.push(format!(
                "{} / {}: got {}, expected {}",
                rule.id,
                case.name,
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&case.expect).unwrap()
            ));
        }
    }
    require_fail_and_pass(
        rule.id,
        fixtures
            .cases
            .iter()
            .flat_map(|c| c.expect.iter().map(|e| e.status)),
    );
    if bless {
        std::fs::write(path, serde_json::to_string_pretty(&fixtures).unwrap() + "\n").unwrap();
    }
}

/// A request case: an Engine API request as the request parser gives it, and the verdict, or
/// `null` when the rule must not concern the request.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestCase {
    name: String,
    request: ApiRequest,
    expect: Option<Expect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestFile {
    cases: Vec<RequestCase>,
}

fn run_request_case(
    check: fn(&Context<'_>, &ApiRequest) -> Option<Verdict>,
    case: &RequestCase,
) -> Vec<String> {
    let daemon = daemon(&DaemonSpec::default());
    let settings = Settings::default();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings: &settings,
    };
    match (check(&ctx, &case.request), &case.expect) {
        (None, None) => Vec::new(),
        (Some(verdict), Some(expect)) => compare(&verdict, expect),
        (Some(verdict), None) => vec![format!("judged the request ({verdict:?}), expected no verdict")],
        (None, Some(_)) => vec!["gave no verdict".to_string()],
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFile {
    cases: Vec<PlatformCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformCase {
    name: String,
    /// Merge patch over `{"daemon": …, "host": …}` of `base.platform.json`.
    #[serde(default)]
    snapshot: Value,
    #[serde(default)]
    trusted_users: Option<Vec<String>>,
    expect: Vec<PlatformExpect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformExpect {
    target: String,
    status: Status,
    message: String,
    /// Compared exactly when present.
    evidence: Option<Vec<(String, Value)>>,
    /// Compared exactly when present.
    fix: Option<String>,
}

fn platform_snapshot(patch: &Value) -> Snapshot {
    let mut doc = read_json("base.platform.json");
    doc["schema_version"] = 1.into();
    doc["collected_by"] = "fixture".into();
    doc["collected_at"] = "2026-11-29T00:00:00Z".into();
    doc["all_containers"] = false.into();
    doc["containers"] = serde_json::json!([]);
    if !patch.is_null() {
        merge_patch(&mut doc, patch);
    }
    serde_json::from_value(doc).unwrap()
}

fn run_platform_case(check: fn(&Context<'_>) -> Vec<Judged>, case: &PlatformCase) -> Vec<String> {
    let snapshot = platform_snapshot(&case.snapshot);
    let settings = Settings {
        trusted_users: case.trusted_users.clone(),
        only: None,
        ..Default::default()
    };
    let judged = check(&Context::of(&snapshot, &settings));
    let mut problems = Vec::new();
    if judged.len() != case.expect.len() {
        problems.push(format!(
            "{} verdicts, expected {}",
            judged.len(),
            case.expect.len()
        ));
    }
    for (got, want) in judged.iter().zip(&case.expect) {
        let v = &got.verdict;
        if got.target.name != want.target {
            problems.push(format!(
                "target {:?}, expected {:?}",
                got.target.name, want.target
            ));
        }
        if v.status != want.status {
            problems.push(format!("status {:?}, expected {:?}", v.status, want.status));
        }
        if v.message != want.message {
            problems.push(format!("message {:?}, expected {:?}", v.message, want.message));
        }
        if let Some(evidence) = &want.evidence {
            let got: Vec<(String, Value)> = v
                .evidence
                .iter()
                .map(|e| (e.at.clone(), e.value.clone()))
                .collect();
            if &got != evidence {
                problems.push(format!(
                    "evidence {}, expected {}",
                    serde_json::to_string(&got).unwrap(),
                    serde_json::to_string(evidence).unwrap()
                ));
            }
        }
        if want.fix.is_some() && v.fix != want.fix {
            problems.push(format!("fix {:?}, expected {:?}", v.fix, want.fix));
        }
    }
    problems
}

#[test]
fn every_rule_meets_its_fixtures() {
    let mut failures = Vec::new();
    for rule in RULES {
        // The Pod Security controls judge Kubernetes containers, which no inspect document
        // describes: their unit tests and the conformance test (pss_conformance.rs) cover them.
        if rule.id.starts_with("PS") {
            continue;
        }
        let path = fixtures_dir().join(format!("{}.json", rule.id));
        if let Check::Dockerfile(_) = rule.check {
            run_dockerfile_rule(rule, &path, &mut failures);
            continue;
        }
        if let Check::Seccomp(_) = rule.check {
            run_seccomp_rule(rule, &path, &mut failures);
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} has no fixture file {}: {e}", rule.id, path.display()));
        let check = match rule.check {
            Check::Dockerfile(_) | Check::Seccomp(_) => continue,
            Check::Image(check) => {
                let file: ImageFile =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                require_fail_and_pass(rule.id, file.cases.iter().map(|c| c.expect.status));
                for case in &file.cases {
                    let verdict = run_image_case(check, case);
                    let problems = compare(&verdict, &case.expect);
                    if !problems.is_empty() {
                        failures.push(format!("{} / {}: {}", rule.id, case.name, problems.join("; ")));
                    }
                }
                continue;
            }
            Check::Request(check) => {
                let file: RequestFile =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                // Rules that deny every request they concern (plugin changes) never pass: a case
                // they must leave alone shows them discriminating instead.
                let statuses: BTreeSet<Option<Status>> = file
                    .cases
                    .iter()
                    .map(|c| c.expect.as_ref().map(|e| e.status))
                    .collect();
                assert!(
                    statuses.contains(&Some(Status::Fail))
                        && (statuses.contains(&Some(Status::Pass)) || statuses.contains(&None)),
                    "{}: fixtures need a failing case and a passing or unconcerned one",
                    rule.id
                );
                for case in &file.cases {
                    let problems = run_request_case(check, case);
                    if !problems.is_empty() {
                        failures.push(format!("{} / {}: {}", rule.id, case.name, problems.join("; ")));
                    }
                }
                continue;
            }
            Check::Container(check) => check,
            Check::Platform(check) => {
                let file: PlatformFile =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                require_fail_and_pass(
                    rule.id,
                    file.cases.iter().flat_map(|c| c.expect.iter().map(|e| e.status)),
                );
                for case in &file.cases {
                    let problems = run_platform_case(check, case);
                    if !problems.is_empty() {
                        failures.push(format!("{} / {}: {}", rule.id, case.name, problems.join("; ")));
                    }
                }
                continue;
            }
        };
        let file: FixtureFile =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        require_fail_and_pass(rule.id, file.cases.iter().map(|c| c.expect.status));
        for case in &file.cases {
            let verdict = run_case(check, case);
            let problems = compare(&verdict, &case.expect);
            if !problems.is_empty() {
                failures.push(format!("{} / {}: {}", rule.id, case.name, problems.join("; ")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

/// A rule's fixtures must show it failing and passing, or they prove little.
fn require_fail_and_pass(rule: &str, statuses: impl Iterator<Item = Status>) {
    let statuses: BTreeSet<Status> = statuses.collect();
    assert!(
        statuses.contains(&Status::Fail) && statuses.contains(&Status::Pass),
        "{rule}: fixtures need at least one failing and one passing case"
    );
}

fn compare(verdict: &Verdict, expect: &Expect) -> Vec<String> {
    let evidence: Vec<(String, Value)> = verdict
        .evidence
        .iter()
        .map(|e| (e.at.clone(), e.value.clone()))
        .collect();
    let mut problems = Vec::new();
    if verdict.status != expect.status {
        problems.push(format!(
            "status {:?}, expected {:?}",
            verdict.status, expect.status
        ));
    }
    if verdict.message != expect.message {
        problems.push(format!(
            "message {:?}, expected {:?}",
            verdict.message, expect.message
        ));
    }
    if evidence != expect.evidence {
        problems.push(format!(
            "evidence {}, expected {}",
            serde_json::to_string(&evidence).unwrap(),
            serde_json::to_string(&expect.evidence).unwrap()
        ));
    }
    if expect.fix.is_some() && verdict.fix != expect.fix {
        problems.push(format!("fix {:?}, expected {:?}", verdict.fix, expect.fix));
    }
    problems
}

#[test]
fn no_fixture_file_is_orphaned() {
    let ids: BTreeSet<String> = RULES.iter().map(|r| format!("{}.json", r.id)).collect();
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.starts_with("base.") || name == "dockerfiles" {
            continue;
        }
        assert!(ids.contains(&name), "fixtures/{name} belongs to no rule");
    }
    for entry in std::fs::read_dir(fixtures_dir().join("dockerfiles")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            ids.contains(&format!("{name}.json")),
            "fixtures/dockerfiles/{name} belongs to no rule"
        );
    }
}

#[test]
fn messages_are_lowercase_without_trailing_period() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir()
            || path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("base."))
        {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let expectations = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|case| match &case["expect"] {
                Value::Array(list) => list.clone(),
                // A request the rule does not concern.
                Value::Null => vec![],
                single => vec![single.clone()],
            });
        for expect in expectations {
            let message = expect["message"].as_str().unwrap();
            let first = message.chars().next().unwrap();
            // Proper nouns, and Dockerfile keywords and variable names (`ADD copies …`,
            // `DOCKER_CONTENT_TRUST is not set`), which are written in upper case.
            let first_word = message.split([' ', '=']).next().unwrap_or_default();
            let keyword = first_word.len() > 1
                && first_word
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            let proper_noun = keyword
                || ["AppArmor", "SELinux", "PIDs", "Docker", "TLS"]
                    .iter()
                    .any(|n| message.starts_with(n));
            assert!(
                !first.is_uppercase() || proper_noun,
                "{}: message starts upper case: {message}",
                path.display()
            );
            assert!(
                !message.ends_with('.'),
                "{}: message ends with a period: {message}",
                path.display()
            );
        }
    }
}
