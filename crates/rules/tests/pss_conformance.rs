//! Conformance with the Pod Security Admission reference implementation: every generated test pod
//! of kubernetes/pod-security-admission for v1.37 (`../shared/conformance/pss-v1.37/` beside
//! the repository, read where it lies, never copied into the repository) gets the reference's verdict under the
//! matching profile. A pod under `fail/` fails a rule that names the control of its file name; a
//! pod under `pass/` gets no `fail` and no `error` from any rule of the profile.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::path::{Path, PathBuf};

use dockward_collect::kubernetes::load_manifest;
use dockward_model::{RuleResult, Status};
use dockward_rules::lint::evaluate_workloads;
use dockward_rules::{Profile, Settings};

/// The reference's fixtures: `DOCKWARD_PSS_CONFORMANCE`, else `../shared/conformance/pss-v1.37`
/// beside the repository, where the developers' guide keeps it.
fn conformance_dir() -> PathBuf {
    match std::env::var_os("DOCKWARD_PSS_CONFORMANCE") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/pss-v1.37"),
    }
}

/// The control a fixture exercises, from its file name (`capabilities_restricted2.yaml` →
/// `capabilities`), as the references name it; `None` for the base pods, which exercise none.
fn control_of(file_name: &str) -> Option<&'static str> {
    let stem = file_name.strip_suffix(".yaml").unwrap_or(file_name);
    let stem = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    Some(match stem {
        "base" | "base_linux" | "base_windows" => return None,
        "allowprivilegeescalation" => "privilege-escalation",
        "apparmorprofile" => "apparmor",
        "capabilities_baseline" | "capabilities_restricted" => "capabilities",
        "hostnamespaces" => "host-namespaces",
        "hostpathvolumes" => "hostpath-volumes",
        "hostports" => "host-ports",
        "hostprobesandhostlifecycle" => "host-probes",
        "privileged" => "privileged-containers",
        "procmount" | "procmount_baseline" | "procmount_restricted" => "procmount",
        "restrictedvolumes" => "volume-types",
        "runasnonroot" => "running-as-non-root",
        "runasuser" => "running-as-non-root-user",
        "seccompprofile_baseline" | "seccompprofile_restricted" => "seccomp",
        "selinuxoptions" => "selinux",
        "sysctls" => "sysctls",
        "windowshostprocess" => "host-process",
        other => panic!("{file_name}: no control is known for the fixture name {other:?}"),
    })
}

/// The Pod Security control a reference names, when it names one that applies under `profile`:
/// `pss:<control>` always, `pss-baseline:` / `pss-restricted:` at their own level.
fn pss_control(reference: &str, profile: Profile) -> Option<&str> {
    let (source, control) = reference.split_once(':')?;
    let applies = match source {
        "pss" => true,
        "pss-baseline" => profile == Profile::Baseline,
        "pss-restricted" => profile == Profile::Restricted,
        _ => false,
    };
    applies.then_some(control)
}

fn is_pss_rule(result: &RuleResult) -> bool {
    result
        .references
        .iter()
        .any(|r| r.starts_with("pss:") || r.starts_with("pss-baseline:") || r.starts_with("pss-restricted:"))
}

fn describe(result: &RuleResult) -> String {
    format!(
        "{} {} on {}: {:?} {}",
        result.rule, result.name, result.target.name, result.status, result.message
    )
}

fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "the Pod Security conformance fixtures are missing: {}: {e}",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no fixtures", dir.display());
    files
}

/// The problems with one fixture's results, empty when it gets the reference's verdict.
fn judge_fixture(path: &Path, profile: Profile, expect_fail: bool) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let manifest = load_manifest(&path.to_string_lossy(), &text);
    let mut problems = Vec::new();
    if !manifest.is_manifest || manifest.workloads.is_empty() {
        problems.push(format!(
            "read as no manifest or no containers (is_manifest {}, {} workloads, errors {:?})",
            manifest.is_manifest,
            manifest.workloads.len(),
            manifest.errors
        ));
        return problems;
    }
    let settings = Settings {
        profile: Some(profile),
        ..Settings::default()
    };
    let results = evaluate_workloads(&manifest.workloads, &manifest.errors, &settings);
    let pss: Vec<&RuleResult> = results.iter().filter(|r| is_pss_rule(r)).collect();
    if expect_fail {
        let control = control_of(&name).expect("a fail/ fixture names its control");
        let names_control = |r: &RuleResult| {
            r.references
                .iter()
                .any(|x| pss_control(x, profile) == Some(control))
        };
        if !pss.iter().any(|r| r.status == Status::Fail && names_control(r)) {
            let judged: Vec<String> = pss
                .iter()
                .filter(|r| names_control(r))
                .map(|r| describe(r))
                .collect();
            problems.push(format!(
                "expected a fail from a rule referencing control {control}; its rules said: {}",
                if judged.is_empty() {
                    "nothing (no selected rule names it)".to_string()
                } else {
                    judged.join(" | ")
                }
            ));
        }
    } else {
        // Not only the controls: no rule of the profile may fail a pod the reference admits.
        let bad: Vec<String> = results
            .iter()
            .filter(|r| matches!(r.status, Status::Fail | Status::Error))
            .map(describe)
            .collect();
        if !bad.is_empty() {
            problems.push(format!(
                "expected no fail or error from any rule of the profile, got: {}",
                bad.join(" | ")
            ));
        }
    }
    problems
}

fn run_level(level: &str, profile: Profile) {
    let root = conformance_dir().join(level);
    let mut failures = Vec::new();
    let mut judged = 0;
    for (sub, expect_fail) in [("fail", true), ("pass", false)] {
        for path in fixtures(&root.join(sub)) {
            judged += 1;
            for problem in judge_fixture(&path, profile, expect_fail) {
                failures.push(format!(
                    "{level}/{sub}/{}: {problem}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {judged} {level} fixtures do not get the reference's verdict under --profile {profile}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_baseline_profile_gives_the_reference_verdict_on_every_baseline_fixture() {
    run_level("baseline", Profile::Baseline);
}

#[test]
fn the_restricted_profile_gives_the_reference_verdict_on_every_restricted_fixture() {
    run_level("restricted", Profile::Restricted);
}

#[test]
fn fixture_names_map_to_the_controls_the_references_name() {
    assert_eq!(control_of("capabilities_restricted2.yaml"), Some("capabilities"));
    assert_eq!(control_of("restrictedvolumes17.yaml"), Some("volume-types"));
    assert_eq!(control_of("base_windows.yaml"), None);
    assert_eq!(pss_control("pss-baseline:seccomp", Profile::Restricted), None);
    assert_eq!(
        pss_control("pss-restricted:seccomp", Profile::Restricted),
        Some("seccomp")
    );
    assert_eq!(
        pss_control("pss:host-namespaces", Profile::Baseline),
        Some("host-namespaces")
    );
    assert_eq!(pss_control("cis-docker-1.6.0:5.5", Profile::Baseline), None);
}
