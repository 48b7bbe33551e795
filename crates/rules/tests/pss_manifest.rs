//! The Pod Security controls on a manifest, through the loader and the lint engine: a CronJob's
//! pod (two levels of templates down) with an init container, where pod-level fields fail
//! containers that override them, each finding at the line and column of the offending key.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use dockward_collect::kubernetes::load_manifest;
use dockward_model::Status;
use dockward_rules::lint::evaluate_workloads;
use dockward_rules::{Profile, Settings};

const MANIFEST: &str = r#"apiVersion: batch/v1
kind: CronJob
metadata:
  name: db-backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/dump: unconfined
        spec:
          securityContext:
            runAsNonRoot: false
            runAsUser: 0
            seccompProfile:
              type: Unconfined
          initContainers:
          - name: init
            image: busybox
            securityContext:
              runAsNonRoot: true
              seccompProfile:
                type: RuntimeDefault
          containers:
          - name: dump
            image: postgres
            securityContext:
              allowPrivilegeEscalation: false
              capabilities:
                drop: [ALL]
                add: [NET_BIND_SERVICE, SYS_ADMIN]
          volumes:
          - name: data
            nfs:
              server: nfs.example
              path: /backups
"#;

/// Every Pod Security result that is not a pass: `rule target status line:column message`.
fn findings(profile: Profile) -> Vec<String> {
    let manifest = load_manifest("backup.yaml", MANIFEST);
    assert!(manifest.errors.is_empty(), "{:?}", manifest.errors);
    let settings = Settings {
        profile: Some(profile),
        ..Settings::default()
    };
    let results = evaluate_workloads(&manifest.workloads, &manifest.errors, &settings);
    let pss: Vec<_> = results
        .iter()
        .filter(|r| r.references.iter().any(|x| x.starts_with("pss")))
        .collect();
    // Both containers are judged by every control of the profile.
    let controls = if profile == Profile::Baseline { 14 } else { 21 };
    assert_eq!(pss.len(), 2 * controls, "{profile}");
    pss.iter()
        .filter(|r| r.status != Status::Pass)
        .map(|r| {
            let at = r.location.as_ref().unwrap();
            assert_eq!(at.path, "backup.yaml");
            format!(
                "{} {} {:?} {}:{} {}",
                r.rule, r.target.name, r.status, at.line, at.column, r.message
            )
        })
        .collect()
}

#[test]
fn baseline_fails_the_pod_level_seccomp_profile_in_both_containers() {
    assert_eq!(
        findings(Profile::Baseline),
        [
            "PS0004 CronJob/db-backup/dump Fail 12:13 annotation container.apparmor.security.beta.kubernetes.io/dump is \"unconfined\"",
            "PS0008 CronJob/db-backup/init Fail 18:15 pod securityContext.seccompProfile.type is \"Unconfined\"",
            "PS0008 CronJob/db-backup/dump Fail 18:15 pod securityContext.seccompProfile.type is \"Unconfined\"",
            "PS0009 CronJob/db-backup/dump Fail 33:17 container securityContext.capabilities.add includes \"SYS_ADMIN\" beyond the default set",
        ]
    );
}

#[test]
fn restricted_replaces_the_baseline_versions_and_judges_fields_at_each_level() {
    let replaced = |id: &str, target: &str, line: u32, by: &str| {
        format!(
            "{id} CronJob/db-backup/{target} NotApplicable {line}:13 the restricted profile judges this control with {by} instead"
        )
    };
    let mut expected = vec![
        "PS0004 CronJob/db-backup/dump Fail 12:13 annotation container.apparmor.security.beta.kubernetes.io/dump is \"unconfined\"".to_string(),
    ];
    for (id, by) in [
        ("PS0008", "PS0015 seccomp-profile-unset"),
        ("PS0009", "PS0016 capabilities-unrestricted"),
        ("PS0010", "PS0017 restricted-unmasked-proc-mount"),
    ] {
        expected.push(replaced(id, "init", 20, by));
        expected.push(replaced(id, "dump", 27, by));
    }
    for line in [
        "PS0011 CronJob/db-backup/init Fail 36:13 pod volume \"data\" has the restricted type \"nfs\"",
        "PS0011 CronJob/db-backup/dump Fail 36:13 pod volume \"data\" has the restricted type \"nfs\"",
        "PS0012 CronJob/db-backup/init Fail 20:13 container does not set securityContext.allowPrivilegeEscalation (Kubernetes' default allows escalation)",
        // The init container's own `runAsNonRoot: true` does not cover the pod's `false`.
        "PS0013 CronJob/db-backup/init Fail 15:13 pod securityContext.runAsNonRoot is false",
        "PS0013 CronJob/db-backup/dump Fail 15:13 pod securityContext.runAsNonRoot is false",
        "PS0014 CronJob/db-backup/init Fail 16:13 pod securityContext.runAsUser is 0",
        "PS0014 CronJob/db-backup/dump Fail 16:13 pod securityContext.runAsUser is 0",
        // Nor does its own `RuntimeDefault` cover the pod's `Unconfined`.
        "PS0015 CronJob/db-backup/init Fail 18:15 pod securityContext.seccompProfile.type is \"Unconfined\"",
        "PS0015 CronJob/db-backup/dump Fail 18:15 pod securityContext.seccompProfile.type is \"Unconfined\"",
        "PS0016 CronJob/db-backup/init Fail 20:13 container securityContext.capabilities.drop does not include \"ALL\"",
        "PS0016 CronJob/db-backup/dump Fail 33:17 container securityContext.capabilities.add includes \"SYS_ADMIN\"",
    ] {
        expected.push(line.to_string());
    }
    assert_eq!(findings(Profile::Restricted), expected);
}
