//! Waivers: each selector kind, AND across kinds and OR within one, expiry on injected dates,
//! unused waivers, severity overrides from the file and the command line.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use dockward_model::{
    Origin, Provenance, RuleResult, Severity, Status, Suppression, Target, TargetKind, Waived,
};
use dockward_policy::{CliChoices, Date, Policy, Subject, Subjects, WaiverHit, WaiverUse};

fn policy(text: &str) -> Policy {
    match Policy::parse(
        text,
        Path::new("dockward.toml"),
        Path::new("/nonexistent/policy-base"),
    ) {
        Ok(policy) => policy,
        Err(e) => panic!("the policy was refused:\n{e}"),
    }
}

fn day(text: &str) -> Date {
    text.parse().expect("a date")
}

fn result(rule: &str, status: Status, kind: TargetKind, target: &str) -> RuleResult {
    let (id, name, severity) = match dockward_rules::find(rule) {
        Some(r) => (r.id.to_string(), r.name.to_string(), r.severity),
        None => (rule.to_string(), rule.to_string(), Severity::High),
    };
    RuleResult {
        rule: Cow::Owned(id),
        name: Cow::Owned(name),
        status,
        severity,
        target: Arc::new(Target {
            kind,
            name: target.to_string(),
            id: None,
        }),
        message: String::new(),
        evidence: Vec::new(),
        fix: None,
        location: None,
        references: Arc::from(Vec::<Cow<'static, str>>::new()),
        suppressed: None,
        waived: None,
    }
}

fn fail(rule: &str, kind: TargetKind, target: &str) -> RuleResult {
    result(rule, Status::Fail, kind, target)
}

fn container(name: &str, image: &str, labels: &[(&str, &str)]) -> Subject {
    Subject {
        container: Some(name.to_string()),
        images: vec![image.to_string()],
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Subject::default()
    }
}

fn waived_at(result: &RuleResult) -> Option<&str> {
    result.waived.as_ref().map(|w| w.at.as_str())
}

const EXAMPLE: &str = r#"[[waiver]]
rules = ["host-pid"]
containers = ["node-exporter*"]
reason = "reads host processes"
expires = 2027-06-30
"#;

#[test]
fn the_issue_example_waives_host_pid_on_node_exporters_until_it_expires() {
    let policy = policy(EXAMPLE);
    let mut subjects = Subjects::default();
    subjects.insert(
        TargetKind::Container,
        "node-exporter-1",
        container("node-exporter-1", "prom/node-exporter", &[]),
    );
    subjects.insert(TargetKind::Container, "web", container("web", "nginx", &[]));
    let run = |today: &str| {
        let mut results = vec![
            fail("CT0015", TargetKind::Container, "node-exporter-1"),
            fail("CT0015", TargetKind::Container, "web"),
            fail("CT0006", TargetKind::Container, "node-exporter-1"),
            result("CT0015", Status::Pass, TargetKind::Container, "node-exporter-2"),
        ];
        let outcome = policy.apply(&mut results, &subjects, &CliChoices::default(), day(today));
        (results, outcome)
    };

    for today in ["2027-06-29", "2027-06-30"] {
        let (results, outcome) = run(today);
        assert_eq!(
            results[0].waived,
            Some(Waived {
                reason: "reads host processes".into(),
                at: "dockward.toml:1:1".into(),
                expires: Some("2027-06-30".into()),
            }),
            "{today}"
        );
        assert_eq!(
            results.iter().filter(|r| r.waived.is_some()).count(),
            1,
            "{today}"
        );
        assert_eq!(
            outcome.waivers,
            [WaiverUse {
                at: "dockward.toml:1:1".into(),
                rules: vec!["host-pid".into()],
                reason: "reads host processes".into(),
                expires: Some("2027-06-30".into()),
                state: "active",
                matched: 1,
            }]
        );
        assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    }

    let (results, outcome) = run("2027-07-01");
    assert!(results.iter().all(|r| r.waived.is_none()));
    assert_eq!(outcome.waivers[0].state, "expired");
    assert_eq!(outcome.waivers[0].matched, 0);
    assert_eq!(
        outcome.warnings,
        [
            "waiver at dockward.toml:1:1 (host-pid on node-exporter*) expired on 2027-06-30: 1 failure(s) count again"
        ]
    );
}

#[test]
fn unused_waivers_are_reported() {
    let policy = policy(&format!(
        "{EXAMPLE}\n[[waiver]]\nrules = [\"CT0006\", \"custom/ORG001\"]\nlabels = [\"team=ops\"]\nreason = \"ops tools\"\n"
    ));
    let mut results = vec![fail("CT0015", TargetKind::Container, "web")];
    let outcome = policy.apply(
        &mut results,
        &Subjects::default(),
        &CliChoices::default(),
        day("2027-01-01"),
    );
    assert_eq!(
        outcome.warnings,
        [
            "waiver at dockward.toml:1:1 (host-pid on node-exporter*) matched no failure",
            "waiver at dockward.toml:7:1 (CT0006, custom/ORG001 on team=ops) matched no failure",
        ]
    );
    let states: Vec<(&str, usize)> = outcome.waivers.iter().map(|w| (w.state, w.matched)).collect();
    assert_eq!(states, [("unused", 0), ("unused", 0)]);
    assert_eq!(outcome.waivers[1].expires, None);
}

#[test]
fn only_failures_are_waived_and_suppressed_ones_stay_suppressed() {
    let policy = policy("[[waiver]]\nrules = [\"CT0015\"]\nreason = \"all of them\"\n");
    let mut suppressed = fail("CT0015", TargetKind::Container, "a");
    suppressed.suppressed = Some(Suppression {
        reason: "inline".into(),
        at: "Dockerfile:1:1".into(),
    });
    let mut results = vec![
        suppressed,
        result("CT0015", Status::Error, TargetKind::Container, "b"),
        result("CT0015", Status::Pass, TargetKind::Container, "c"),
        result("CT0015", Status::NotApplicable, TargetKind::Container, "d"),
        fail("CT0015", TargetKind::Container, "e"),
    ];
    let outcome = policy.apply(
        &mut results,
        &Subjects::default(),
        &CliChoices::default(),
        day("2030-01-01"),
    );
    let waived: Vec<bool> = results.iter().map(|r| r.waived.is_some()).collect();
    assert_eq!(waived, [false, false, false, false, true]);
    // A waiver without selectors accepts the rule's failures on every target.
    assert_eq!(outcome.waivers[0].matched, 1);
    assert!(outcome.warnings.is_empty());
}

/// Applies one waiver (with `selectors`) to a failure of CT0015 on a target with `subject`.
fn waives(selectors: &str, kind: TargetKind, subject: Subject) -> bool {
    let policy = policy(&format!(
        "[[waiver]]\nrules = [\"host-pid\"]\n{selectors}\nreason = \"r\"\n"
    ));
    let mut subjects = Subjects::default();
    subjects.insert(kind, "target", subject);
    let mut results = vec![fail("CT0015", kind, "target")];
    policy.apply(&mut results, &subjects, &CliChoices::default(), day("2027-01-01"));
    results[0].waived.is_some()
}

#[test]
fn each_selector_kind_matches_its_part_of_the_subject() {
    let c = |name: &str| {
        container(
            name,
            "registry.example.com/team/agent:1.2",
            &[("team", "obs"), ("tier", "system")],
        )
    };
    assert!(waives(
        "containers = [\"agent-*\"]",
        TargetKind::Container,
        c("agent-7")
    ));
    assert!(!waives(
        "containers = [\"agent-*\"]",
        TargetKind::Container,
        c("web")
    ));
    // `*` crosses `/` in image references.
    assert!(waives(
        "images = [\"registry.example.com/*\"]",
        TargetKind::Container,
        c("web")
    ));
    assert!(!waives(
        "images = [\"docker.io/*\"]",
        TargetKind::Container,
        c("web")
    ));
    assert!(waives("labels = [\"team=obs\"]", TargetKind::Container, c("web")));
    assert!(waives(
        "labels = [\"tier=sys*\"]",
        TargetKind::Container,
        c("web")
    ));
    assert!(waives("labels = [\"tier\"]", TargetKind::Container, c("web")));
    assert!(!waives(
        "labels = [\"team=dev\"]",
        TargetKind::Container,
        c("web")
    ));
    assert!(!waives("labels = [\"owner\"]", TargetKind::Container, c("web")));
    assert!(!waives("labels = [\"team=\"]", TargetKind::Container, c("web")));

    let service = Subject {
        container: Some("exporter".into()),
        service: Some("exporter".into()),
        path: Some("deploy/monitoring/compose.yaml".into()),
        ..Subject::default()
    };
    assert!(waives(
        "services = [\"export*\"]",
        TargetKind::ComposeService,
        service.clone()
    ));
    assert!(!waives(
        "services = [\"web\"]",
        TargetKind::ComposeService,
        service.clone()
    ));
    // In paths, `*` stays within one directory; `**` crosses directories.
    assert!(waives(
        "paths = [\"deploy/**/compose.yaml\"]",
        TargetKind::ComposeService,
        service.clone()
    ));
    assert!(!waives(
        "paths = [\"deploy/*.yaml\"]",
        TargetKind::ComposeService,
        service.clone()
    ));
    assert!(waives(
        "paths = [\"deploy/*/compose.yaml\"]",
        TargetKind::ComposeService,
        service
    ));

    let pod = Subject {
        container: Some("exporter".into()),
        namespace: Some("monitoring".into()),
        object_name: Some("node-exporter".into()),
        path: Some("k8s/daemonset.yaml".into()),
        ..Subject::default()
    };
    assert!(waives(
        "namespaces = [\"monitor*\"]",
        TargetKind::K8sContainer,
        pod.clone()
    ));
    assert!(!waives(
        "namespaces = [\"default\"]",
        TargetKind::K8sContainer,
        pod.clone()
    ));
    assert!(waives(
        "names = [\"node-*\"]",
        TargetKind::K8sContainer,
        pod.clone()
    ));
    assert!(!waives(
        "names = [\"kube-*\"]",
        TargetKind::K8sContainer,
        pod.clone()
    ));
    // A subject without the part a selector asks for does not match it.
    assert!(!waives("services = [\"*\"]", TargetKind::K8sContainer, pod));
}

#[test]
fn selector_kinds_are_anded_and_patterns_of_one_kind_ored() {
    let agent = container("agent-1", "prom/node-exporter:v1", &[("team", "obs")]);
    let both = "containers = [\"web\", \"agent-*\"]\nlabels = [\"team=dev\", \"team=obs\"]";
    assert!(waives(both, TargetKind::Container, agent.clone()));
    let wrong_label = "containers = [\"agent-*\"]\nlabels = [\"team=dev\"]";
    assert!(!waives(wrong_label, TargetKind::Container, agent.clone()));
    let wrong_image = "containers = [\"agent-*\"]\nimages = [\"nginx*\"]";
    assert!(!waives(wrong_image, TargetKind::Container, agent.clone()));
    let all_three = "containers = [\"agent-*\"]\nimages = [\"nginx*\", \"prom/*\"]\nlabels = [\"team\"]";
    assert!(waives(all_three, TargetKind::Container, agent));
}

#[test]
fn rules_are_named_by_id_name_category_or_custom_id_case_insensitively() {
    let subject = || container("agent", "nginx", &[]);
    let try_rules = |rules: &str, rule: &str| {
        let policy = policy(&format!("[[waiver]]\nrules = [{rules}]\nreason = \"r\"\n"));
        let mut subjects = Subjects::default();
        subjects.insert(TargetKind::Container, "agent", subject());
        let mut results = vec![fail(rule, TargetKind::Container, "agent")];
        policy.apply(&mut results, &subjects, &CliChoices::default(), day("2027-01-01"));
        results[0].waived.is_some()
    };
    assert!(try_rules("\"ct0015\"", "CT0015"));
    assert!(try_rules("\"HOST-PID\"", "CT0015"));
    assert!(try_rules("\"containers\"", "CT0015"));
    assert!(!try_rules("\"images\"", "CT0015"));
    assert!(!try_rules("\"CT0006\"", "CT0015"));
    assert!(try_rules("\"custom/org001\"", "custom/ORG001"));
    assert!(!try_rules("\"custom/ORG002\"", "custom/ORG001"));
    // A category names built-in rules only.
    assert!(!try_rules("\"containers\"", "custom/CT0001"));
}

#[test]
fn targets_without_a_recorded_subject_are_read_by_their_name() {
    let policy = policy(
        "[[waiver]]\nrules = [\"dockerfiles\"]\npaths = [\"docker/*.Dockerfile\"]\nreason = \"r\"\n\
         [[waiver]]\nrules = [\"CT0015\"]\ncontainers = [\"web\"]\nreason = \"r\"\n\
         [[waiver]]\nrules = [\"IM0001\"]\nimages = [\"nginx:*\"]\nreason = \"r\"\n",
    );
    let mut results = vec![
        fail("DF0001", TargetKind::Dockerfile, "./docker/app.Dockerfile"),
        fail("DF0001", TargetKind::Dockerfile, "docker/sub/app.Dockerfile"),
        fail("CT0015", TargetKind::Container, "web"),
        fail("IM0001", TargetKind::Image, "nginx:1.27"),
    ];
    policy.apply(
        &mut results,
        &Subjects::default(),
        &CliChoices::default(),
        day("2027-01-01"),
    );
    let waived: Vec<Option<&str>> = results.iter().map(waived_at).collect();
    assert_eq!(
        waived,
        [
            Some("dockward.toml:1:1"),
            None,
            Some("dockward.toml:5:1"),
            Some("dockward.toml:9:1")
        ]
    );
}

#[test]
fn the_first_waiver_in_force_wins_and_an_expired_one_gives_way() {
    let policy = policy(
        "[[waiver]]\nrules = [\"CT0015\"]\nreason = \"old\"\nexpires = 2026-01-01\n\
         [[waiver]]\nrules = [\"CT0015\"]\nreason = \"new\"\nexpires = 2028-01-01\n\
         [[waiver]]\nrules = [\"CT0015\"]\nreason = \"later\"\n",
    );
    let mut results = vec![fail("CT0015", TargetKind::Container, "a")];
    let outcome = policy.apply(
        &mut results,
        &Subjects::default(),
        &CliChoices::default(),
        day("2027-01-01"),
    );
    assert_eq!(results[0].waived.as_ref().map(|w| w.reason.as_str()), Some("new"));
    let states: Vec<(&str, usize)> = outcome.waivers.iter().map(|w| (w.state, w.matched)).collect();
    assert_eq!(states, [("expired", 0), ("active", 1), ("unused", 0)]);
    assert_eq!(
        outcome.warnings,
        [
            "waiver at dockward.toml:1:1 (CT0015 on every target) expired on 2026-01-01: 0 failure(s) count again",
            "waiver at dockward.toml:9:1 (CT0015 on every target) matched no failure",
        ]
    );
}

#[test]
fn waiver_for_answers_the_authorization_plugin() {
    let policy = policy(EXAMPLE);
    let exporter = container("node-exporter", "prom/node-exporter", &[]);
    let waived = Waived {
        reason: "reads host processes".into(),
        at: "dockward.toml:1:1".into(),
        expires: Some("2027-06-30".into()),
    };
    assert_eq!(
        policy.waiver_for("CT0015", &exporter, day("2027-06-30")),
        WaiverHit::Active(waived.clone())
    );
    assert_eq!(
        policy.waiver_for("host-pid", &exporter, day("2027-06-29")),
        WaiverHit::Active(waived.clone())
    );
    assert_eq!(
        policy.waiver_for("CT0015", &exporter, day("2027-07-01")),
        WaiverHit::Expired(waived)
    );
    assert_eq!(
        policy.waiver_for("CT0006", &exporter, day("2027-06-30")),
        WaiverHit::None
    );
    let web = container("web", "nginx", &[]);
    assert_eq!(
        policy.waiver_for("CT0015", &web, day("2027-06-30")),
        WaiverHit::None
    );
    assert_eq!(
        Policy::none().waiver_for("CT0015", &exporter, day("2027-06-30")),
        WaiverHit::None
    );
}

#[test]
fn severity_overrides_come_from_the_file_and_the_command_line_wins() {
    let policy = policy(
        "[rules]\nseverity = { memory-unlimited = \"high\", CT0011 = \"info\", \"custom/ORG001\" = \"low\" }\n",
    );
    let mut results = vec![
        fail("CT0010", TargetKind::Container, "a"),
        result("CT0011", Status::Pass, TargetKind::Container, "a"),
        fail("custom/ORG001", TargetKind::Container, "a"),
        fail("CT0006", TargetKind::Container, "a"),
    ];
    policy.apply(
        &mut results,
        &Subjects::default(),
        &CliChoices::default(),
        day("2027-01-01"),
    );
    let severities: Vec<Severity> = results.iter().map(|r| r.severity).collect();
    assert_eq!(
        severities,
        [Severity::High, Severity::Info, Severity::Low, Severity::Critical]
    );

    let cli = CliChoices {
        severity: vec![
            ("CT0010".into(), Severity::Medium),
            ("custom/org001".into(), Severity::Critical),
        ],
        ..CliChoices::default()
    };
    let mut results = vec![
        fail("CT0010", TargetKind::Container, "a"),
        fail("custom/ORG001", TargetKind::Container, "a"),
    ];
    policy.apply(&mut results, &Subjects::default(), &cli, day("2027-01-01"));
    let severities: Vec<Severity> = results.iter().map(|r| r.severity).collect();
    assert_eq!(severities, [Severity::Medium, Severity::Critical]);
}

#[test]
fn subjects_of_workloads_and_snapshots() {
    let body = br#"{"Image": "registry.example.com/team/agent:1"}"#;
    let mut workload =
        dockward_collect::request::body::create_workload(body, None, "POST /containers/create", "agent-1")
            .expect("a create body");
    workload.labels.insert("team".into(), "obs".into());
    assert_eq!(
        Subject::of_workload(&workload),
        Subject {
            container: Some("agent-1".into()),
            images: vec!["registry.example.com/team/agent:1".into()],
            labels: [("team".to_string(), "obs".to_string())].into(),
            ..Subject::default()
        }
    );

    let at = Provenance::File {
        path: "deploy/compose.yaml".into(),
        line: 3,
        column: 3,
        via: Vec::new(),
    };
    workload.origin = Origin::Compose {
        project: "mon".into(),
        service: "exporter".into(),
        at: at.clone(),
    };
    let compose = Subject::of_workload(&workload);
    assert_eq!(
        (
            compose.container.as_deref(),
            compose.service.as_deref(),
            compose.path.as_deref()
        ),
        (Some("exporter"), Some("exporter"), Some("deploy/compose.yaml"))
    );

    workload.origin = Origin::Kubernetes {
        object_kind: "DaemonSet".into(),
        name: "node-exporter".into(),
        namespace: Some("monitoring".into()),
        container: "exporter".into(),
        container_type: dockward_model::ContainerType::Container,
        display: "DaemonSet/node-exporter/exporter".into(),
        at,
    };
    let pod = Subject::of_workload(&workload);
    assert_eq!(
        pod,
        Subject {
            container: Some("exporter".into()),
            images: vec!["registry.example.com/team/agent:1".into()],
            labels: [("team".to_string(), "obs".to_string())].into(),
            service: None,
            path: Some("deploy/compose.yaml".into()),
            namespace: Some("monitoring".into()),
            object_name: Some("node-exporter".into()),
        }
    );
    let subjects = Subjects::from_workloads([&workload]);
    assert_eq!(
        subjects.by_target.get(&(
            TargetKind::K8sContainer,
            "DaemonSet/node-exporter/exporter".to_string()
        )),
        Some(&pod)
    );
}
