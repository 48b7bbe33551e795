//! Judges workloads described in files (compose services, Kubernetes containers) with the rules
//! that judge running containers, so a setting gets the same verdict wherever it is written.
//!
//! Every selected container rule judges every workload; the exec request rules judge the
//! commands a workload runs through `exec` (compose `post_start` / `pre_stop` hooks) as they
//! judge a `docker exec`. Each result points into the file: a failure at the offending key (the
//! first evidence that carries a file position), anything else at the workload's own key. A file
//! that could not be read or understood gets an `error` from every rule that would have judged
//! what it describes, at the line where reading stopped.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use dockward_model::{
    Action, ApiRequest, DaemonFacts, ExecSpec, Fact, Location, Origin, RuleResult, SourceError, Status,
    Target, TargetKind, Verdict, Workload,
};

use crate::registry::RULES;
use crate::rule::{Check, Context, Rule, Settings};

/// A file that could not be read or understood, with the kind of target it describes
/// (`compose-service` for a compose file, `k8s-container` for a manifest).
#[derive(Clone, Copy, Debug)]
pub struct FailedSource<'a> {
    /// Where and why.
    pub error: &'a SourceError,
    /// The kind of target the file describes.
    pub kind: TargetKind,
}

/// Evaluates the container rules (and, on exec hooks, the exec request rules) on workloads read
/// from compose files and Kubernetes manifests, and reports each source error as an `error`
/// result of every rule that would have judged the file. Results are ordered by rule, then
/// target (workloads in the order given, then the files with errors).
///
/// The kind of a file with an error is taken from the workloads read from the same file, else
/// from its name (compose file names; anything else is taken for a manifest). Callers that know
/// it say so with [`evaluate_sources`].
pub fn evaluate_workloads(
    workloads: &[Workload],
    errors: &[SourceError],
    settings: &Settings,
) -> Vec<RuleResult> {
    let failed: Vec<FailedSource<'_>> = errors
        .iter()
        .map(|error| FailedSource {
            error,
            kind: kind_of_file(&error.path, workloads),
        })
        .collect();
    evaluate_sources(workloads, &failed, settings)
}

/// [`evaluate_workloads`] with the kind of each failed file given.
pub fn evaluate_sources(
    workloads: &[Workload],
    failed: &[FailedSource<'_>],
    settings: &Settings,
) -> Vec<RuleResult> {
    // A file describes no daemon: rules that read one judge by Docker's defaults, or say they
    // cannot judge (each rule decides, for `Origin::is_file` workloads).
    let daemon = DaemonFacts::default();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings,
    };
    let rules: Vec<&'static Rule> = RULES
        .iter()
        .copied()
        .filter(|r| settings.selects(r) && judges_files(r))
        .collect();
    let targets: Vec<Arc<Target>> = workloads.iter().map(workload_target).collect();
    let failed_targets: Vec<Arc<Target>> = failed
        .iter()
        .map(|f| {
            Arc::new(Target {
                kind: f.kind,
                name: f.error.path.clone(),
                id: None,
            })
        })
        .collect();
    let judge = |rule: &'static Rule| judge_rule(rule, &ctx, workloads, &targets, failed, &failed_targets);
    per_rule(&rules, judge)
}

/// Whether a rule judges file workloads: every container rule, and the request rules that judge
/// an exec (the others answer `None` to one).
fn judges_files(rule: &Rule) -> bool {
    match rule.check {
        Check::Container(_) => true,
        Check::Request(check) => is_exec_rule(check),
        _ => false,
    }
}

type RequestCheck = fn(&Context<'_>, &ApiRequest) -> Option<Verdict>;

/// Whether a request rule judges exec requests: asked about a plain one, it answers.
fn is_exec_rule(check: RequestCheck) -> bool {
    let settings = Settings::default();
    let daemon = DaemonFacts::default();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings: &settings,
    };
    let probe = ExecSpec {
        container: String::new(),
        privileged: Fact::default(),
        user: Fact::default(),
        container_user: Some(String::new()),
        user_uid: None,
    };
    check(&ctx, &exec_request(probe)).is_some()
}

fn exec_request(exec: ExecSpec) -> ApiRequest {
    ApiRequest {
        method: "POST".into(),
        path: format!("/containers/{}/exec", exec.container),
        api_version: None,
        query: Vec::new(),
        user: String::new(),
        action: Action::Exec(exec),
    }
}

/// One rule's results: on every workload (or its exec hooks), then on every failed file.
fn judge_rule(
    rule: &'static Rule,
    ctx: &Context<'_>,
    workloads: &[Workload],
    targets: &[Arc<Target>],
    failed: &[FailedSource<'_>],
    failed_targets: &[Arc<Target>],
) -> Vec<RuleResult> {
    let references: Arc<[Cow<'static, str>]> = rule.references.iter().map(|r| Cow::Borrowed(*r)).collect();
    let mut results = Vec::new();
    match rule.check {
        Check::Container(check) => {
            let docker_mapping = docker_mapping_reason(rule, ctx.settings);
            for (workload, target) in workloads.iter().zip(targets) {
                let verdict = match &docker_mapping {
                    Some(reason) if workload.kubernetes.is_some() => Verdict::not_applicable(reason.clone()),
                    _ => check.judge(ctx, workload),
                };
                let location = locate(&verdict, workload.origin.declared_at().and_then(|p| p.location()));
                results.push(result(rule, &references, target, verdict, location));
            }
        }
        Check::Request(check) => {
            for (workload, target) in workloads.iter().zip(targets) {
                for hook in &workload.exec_hooks {
                    let (exec, image_user) = hook_as_exec(workload, hook);
                    let Some(mut verdict) = check(ctx, &exec_request(exec)) else {
                        continue;
                    };
                    if image_user && verdict.status == Status::Fail && rule.id == "RQ0002" {
                        verdict.message.push_str(IMAGE_USER_NOTE);
                    }
                    let at = [&hook.user.at, &hook.privileged.at]
                        .into_iter()
                        .find_map(|p| p.location())
                        .or_else(|| workload.origin.declared_at().and_then(|p| p.location()));
                    let location = locate(&verdict, at);
                    results.push(result(rule, &references, target, verdict, location));
                }
            }
        }
        _ => return results,
    }
    for (source, target) in failed.iter().zip(failed_targets) {
        // Exec hooks are written only in compose files.
        if matches!(rule.check, Check::Request(_)) && source.kind != TargetKind::ComposeService {
            continue;
        }
        let error = source.error;
        let verdict = Verdict::error(format!("could not lint: {}", error.message));
        let location = (error.line > 0).then(|| Location::new(error.path.clone(), error.line, error.column));
        results.push(result(rule, &references, target, verdict, location));
    }
    results
}

/// Under a profile, why a container rule that is not a Pod Security control does not judge a
/// Kubernetes container (`None` when it does: no Pod Security profile, a control, or turned on by
/// `--enable`).
fn docker_mapping_reason(rule: &Rule, settings: &Settings) -> Option<String> {
    // The CIS profiles judge every workload by the Docker benchmark's rules.
    let profile = settings.profile.filter(|p| p.follows_pod_security())?;
    let enabled = settings.enables(rule);
    (!crate::profile::is_pod_security_control(rule) && !enabled).then(|| {
        format!(
            "a Kubernetes container: the {} profile judges it by the Pod Security Standards controls; this rule is the profile's mapping of them to Docker's settings (judge it too with --enable {})",
            profile.name(),
            rule.id
        )
    })
}

/// Said after an exec-as-root failure whose user is the image's, which a file does not show.
const IMAGE_USER_NOTE: &str = "; the service sets no user either, so the hook runs as the image's user: root unless the image's Dockerfile sets USER (medium confidence: the image was not read)";

/// The exec request a hook makes, and whether its user is the image's (neither the hook nor the
/// service sets one). A hook without a user runs as the service's user.
fn hook_as_exec(workload: &Workload, hook: &ExecSpec) -> (ExecSpec, bool) {
    let mut exec = hook.clone();
    if exec.container.is_empty() {
        exec.container = workload.origin.name().to_string();
    }
    let mut image_user = false;
    if exec.user.value.trim().is_empty() && exec.container_user.is_none() {
        exec.container_user = Some(workload.user.value.clone());
        exec.user_uid = exec.user_uid.or(workload.user_uid.as_ref().map(|u| u.value));
        image_user = workload.user.value.trim().is_empty();
    }
    (exec, image_user)
}

/// Where a result points: a failure or an error at the first evidence read from a file (the
/// offending key), else where the rule located it, else at the workload's own key; a pass or a
/// not-applicable at the workload's own key.
fn locate(verdict: &Verdict, declared: Option<Location>) -> Option<Location> {
    match verdict.status {
        Status::Fail | Status::Error => verdict
            .evidence
            .iter()
            .find_map(|e| e.location.clone())
            .or_else(|| verdict.location.as_deref().cloned())
            .or(declared),
        Status::Pass | Status::NotApplicable => declared,
    }
}

/// A workload read from a file (or a container) as the target of its results: a compose service
/// by its service name, a Kubernetes container by its display name.
pub fn workload_target(workload: &Workload) -> Arc<Target> {
    let kind = match workload.origin {
        Origin::Compose { .. } => TargetKind::ComposeService,
        Origin::Kubernetes { .. } => TargetKind::K8sContainer,
        Origin::Container { .. } | Origin::Request { .. } => TargetKind::Container,
    };
    Arc::new(Target {
        kind,
        name: workload.origin.name().to_string(),
        id: None,
    })
}

/// The kind of target a file describes: that of a workload read from it, else by its name.
fn kind_of_file(path: &str, workloads: &[Workload]) -> TargetKind {
    let from_workload = workloads.iter().find_map(|w| {
        let at = w.origin.declared_at()?.location()?;
        (at.path == path).then(|| workload_target(w).kind)
    });
    from_workload.unwrap_or_else(|| {
        if looks_like_compose_name(path) {
            TargetKind::ComposeService
        } else {
            TargetKind::K8sContainer
        }
    })
}

/// Compose's file names (`compose.yaml`, `docker-compose.override.yml`, `web.compose.yml` …).
fn looks_like_compose_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let Some(stem) = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")) else {
        return false;
    };
    stem == "compose"
        || stem == "docker-compose"
        || stem.ends_with(".compose")
        || stem.starts_with("compose.")
        || stem.starts_with("docker-compose.")
}

fn result(
    rule: &'static Rule,
    references: &Arc<[Cow<'static, str>]>,
    target: &Arc<Target>,
    verdict: Verdict,
    location: Option<Location>,
) -> RuleResult {
    RuleResult {
        location,
        ..crate::engine::result(rule, references, target, verdict)
    }
}

/// Threads that judge at most: beyond a few, threads only add memory.
const MAX_THREADS: usize = 4;

/// Runs `judge` on every rule, on several cores when there are several, and returns the
/// results in rule order. Rules are pure and independent; each worker takes the next rule.
pub(crate) fn per_rule<F>(rules: &[&'static Rule], judge: F) -> Vec<RuleResult>
where
    F: Fn(&'static Rule) -> Vec<RuleResult> + Sync,
{
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(rules.len())
        .min(MAX_THREADS);
    if workers <= 1 {
        return rules.iter().copied().flat_map(&judge).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<RuleResult>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(rule) = rules.get(i) else { break };
                        done.push((i, judge(rule)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            // A rule that panicked is a bug: let it surface as it would without threads.
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, results)| results).collect()
}

#[cfg(test)]
mod tests {
    use dockward_model::{ContainerType, KubernetesFacts, Mount, Provenance};

    use super::*;

    fn at(line: u32, column: u32) -> Provenance {
        Provenance::file("compose.yaml", line, column)
    }

    /// A compose service `web` (declared at 3:3) with Docker's defaults for everything.
    fn service(name: &str, line: u32) -> Workload {
        let mut w =
            dockward_collect::request::body::create_workload(b"{}", None, "POST /containers/create", name)
                .expect("an empty create body is valid");
        w.origin = Origin::Compose {
            project: "app".into(),
            service: name.into(),
            at: at(line, 3),
        };
        w
    }

    fn cronjob_container() -> Workload {
        let mut w = service("dump", 1);
        w.origin = Origin::Kubernetes {
            object_kind: "CronJob".into(),
            name: "db-backup".into(),
            namespace: None,
            container: "dump".into(),
            container_type: ContainerType::Container,
            display: "CronJob/db-backup/dump".into(),
            at: Provenance::file("cron.yaml", 12, 15),
        };
        w.kubernetes = Some(Box::default());
        w
    }

    fn only(ids: &[&str]) -> Settings {
        Settings {
            enable: ids.iter().map(|s| s.to_string()).collect(),
            profile: Some(crate::profile::Profile::Baseline),
            ..Settings::default()
        }
    }

    fn of<'a>(results: &'a [RuleResult], rule: &str, target: &str) -> &'a RuleResult {
        results
            .iter()
            .find(|r| r.rule == rule && r.target.name == target)
            .unwrap_or_else(|| panic!("no {rule} result on {target}"))
    }

    #[test]
    fn a_failure_points_at_the_offending_key_and_where_it_was_pulled_in() {
        let mut web = service("web", 3);
        web.privileged = Fact {
            value: true,
            at: Provenance::File {
                path: "compose.yaml".into(),
                line: 20,
                column: 15,
                via: vec![Location::new("compose.yaml", 5, 5)],
            },
        };
        let db = service("db", 8);
        let results = evaluate_workloads(&[web, db], &[], &Settings::default());
        let fail = of(&results, "CT0006", "web");
        assert_eq!(fail.status, Status::Fail);
        assert_eq!(fail.message, "container is privileged");
        assert_eq!(fail.target.kind, TargetKind::ComposeService);
        let location = fail.location.as_ref().expect("located");
        assert_eq!(
            (location.path.as_str(), location.line, location.column),
            ("compose.yaml", 20, 15)
        );
        assert_eq!(location.via, [Location::new("compose.yaml", 5, 5)]);
        let pass = of(&results, "CT0006", "db");
        assert_eq!(pass.status, Status::Pass);
        assert_eq!(pass.location, Some(Location::new("compose.yaml", 8, 3)));
        // Ordered by rule, then target in the order given.
        let ct0006: Vec<&str> = results
            .iter()
            .filter(|r| r.rule == "CT0006")
            .map(|r| r.target.name.as_str())
            .collect();
        assert_eq!(ct0006, ["web", "db"]);
        let first = results.iter().position(|r| r.rule == "CT0006").expect("CT0006");
        assert!(results[first..first + 2].iter().all(|r| r.rule == "CT0006"));
    }

    #[test]
    fn a_missing_key_is_judged_by_the_default_at_the_workload_s_own_line() {
        let results = evaluate_workloads(&[service("web", 3)], &[], &Settings::default());
        let user = of(&results, "CT0001", "web");
        assert_eq!(user.status, Status::Fail);
        assert_eq!(
            user.message,
            "no user is set, so the container runs as the image's user: root unless the image's Dockerfile sets USER (medium confidence: the image was not read)"
        );
        assert_eq!(user.location, Some(Location::new("compose.yaml", 3, 3)));
        let nnp = of(&results, "CT0023", "web");
        assert_eq!(nnp.status, Status::Fail);
        assert!(
            nnp.message
                .starts_with("the service does not set no-new-privileges, and Docker's default")
        );
        let seccomp = of(&results, "CT0021", "web");
        assert_eq!(seccomp.status, Status::Pass);
        assert!(
            seccomp
                .message
                .starts_with("Docker's default seccomp profile applies")
        );
        let cgroupns = of(&results, "CT0029", "web");
        assert_eq!(cgroupns.status, Status::NotApplicable);
        assert!(
            cgroupns
                .message
                .contains("private on cgroup v2, the host's on cgroup v1")
        );
        let health = of(&results, "CT0024", "web");
        assert_eq!(health.status, Status::Fail);
        assert!(health.message.contains("medium confidence"));
        // No rule needs the daemon to judge a file: none ends in an error.
        assert!(
            results.iter().all(|r| r.status != Status::Error),
            "{:?}",
            results
                .iter()
                .filter(|r| r.status == Status::Error)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_bind_mount_of_an_ordinary_directory_passes_without_a_daemon() {
        let mut web = service("web", 3);
        web.mounts.push(Mount {
            kind: "bind".into(),
            source: "/srv/app".into(),
            destination: "/app".into(),
            read_only: false,
            propagation: String::new(),
            bind_device: None,
            source_realpath: None,
            source_socket: None,
            at: at(6, 9),
        });
        let mut socket = web.clone();
        socket.origin = Origin::Compose {
            project: "app".into(),
            service: "agent".into(),
            at: at(10, 3),
        };
        socket.mounts[0].source = "/var/run/docker.sock".into();
        socket.mounts[0].at = at(12, 9);
        let results = evaluate_workloads(&[web, socket], &[], &Settings::default());
        assert_eq!(of(&results, "CT0007", "web").status, Status::Pass);
        let fail = of(&results, "CT0028", "agent");
        assert_eq!(fail.status, Status::Fail);
        assert_eq!(
            fail.message,
            "the Docker socket is mounted: /var/run/docker.sock is the Docker socket, mounted at /app"
        );
        assert_eq!(fail.location, Some(Location::new("compose.yaml", 12, 9)));
    }

    #[test]
    fn kubernetes_containers_are_judged_by_kubernetes_defaults() {
        let mut dump = cronjob_container();
        let results = evaluate_workloads(std::slice::from_ref(&dump), &[], &Settings::default());
        let seccomp = of(&results, "CT0021", "CronJob/db-backup/dump");
        assert_eq!(seccomp.target.kind, TargetKind::K8sContainer);
        assert_eq!(seccomp.status, Status::Fail);
        assert_eq!(
            seccomp.message,
            "no seccompProfile is set, so Kubernetes runs the container unconfined (unless the kubelet runs with --seccomp-default)"
        );
        assert_eq!(seccomp.location, Some(Location::new("cron.yaml", 12, 15)));
        assert_eq!(
            of(&results, "CT0025", "CronJob/db-backup/dump").status,
            Status::NotApplicable
        );
        assert_eq!(
            of(&results, "CT0014", "CronJob/db-backup/dump").status,
            Status::NotApplicable
        );
        assert_eq!(
            of(&results, "CT0023", "CronJob/db-backup/dump").status,
            Status::Fail
        );

        dump.kubernetes = Some(Box::new(KubernetesFacts {
            seccomp_pod: Some(Fact {
                value: "RuntimeDefault".into(),
                at: Provenance::file("cron.yaml", 9, 11),
            }),
            allow_privilege_escalation: Some(Fact {
                value: true,
                at: Provenance::file("cron.yaml", 16, 15),
            }),
            run_as_non_root: Some(Fact {
                value: true,
                at: Provenance::file("cron.yaml", 8, 9),
            }),
            ..KubernetesFacts::default()
        }));
        let results = evaluate_workloads(&[dump], &[], &Settings::default());
        let seccomp = of(&results, "CT0021", "CronJob/db-backup/dump");
        assert_eq!(seccomp.status, Status::Pass);
        assert_eq!(
            seccomp.message,
            "the container runtime's default seccomp profile is applied (RuntimeDefault)"
        );
        let escalation = of(&results, "CT0023", "CronJob/db-backup/dump");
        assert_eq!(escalation.status, Status::Fail);
        assert_eq!(escalation.location, Some(Location::new("cron.yaml", 16, 15)));
        let user = of(&results, "CT0001", "CronJob/db-backup/dump");
        assert_eq!(user.status, Status::Pass);
        assert_eq!(user.location, Some(Location::new("cron.yaml", 12, 15)));
    }

    #[test]
    fn exec_hooks_are_judged_like_docker_exec_at_the_hook() {
        let mut web = service("web", 3);
        web.exec_hooks = vec![
            ExecSpec {
                container: "web".into(),
                privileged: Fact {
                    value: true,
                    at: at(7, 9),
                },
                user: Fact {
                    value: String::new(),
                    at: at(6, 9),
                },
                container_user: None,
                user_uid: None,
            },
            ExecSpec {
                container: "web".into(),
                privileged: Fact {
                    value: false,
                    at: at(9, 9),
                },
                user: Fact {
                    value: "1000".into(),
                    at: at(10, 15),
                },
                container_user: None,
                user_uid: None,
            },
        ];
        let results = evaluate_workloads(&[web], &[], &Settings::default());
        let privileged: Vec<&RuleResult> = results.iter().filter(|r| r.rule == "RQ0001").collect();
        assert_eq!(privileged.len(), 2);
        assert_eq!(privileged[0].status, Status::Fail);
        assert_eq!(privileged[0].message, "exec is privileged");
        assert_eq!(privileged[0].location, Some(Location::new("compose.yaml", 7, 9)));
        assert_eq!(privileged[1].status, Status::Pass);
        assert_eq!(
            privileged[1].location,
            Some(Location::new("compose.yaml", 10, 15))
        );
        let root: Vec<&RuleResult> = results.iter().filter(|r| r.rule == "RQ0002").collect();
        assert_eq!(root[0].status, Status::Fail);
        assert_eq!(
            root[0].message,
            format!("exec runs as the container's user, which is root (no user is set){IMAGE_USER_NOTE}")
        );
        assert_eq!(root[0].location, Some(Location::new("compose.yaml", 6, 9)));
        assert_eq!(root[1].status, Status::Pass);
        assert_eq!(root[1].message, "exec runs as user \"1000\"");
        // A workload without hooks has no exec results; other request rules judge no file.
        let none = evaluate_workloads(&[service("db", 8)], &[], &Settings::default());
        assert!(none.iter().all(|r| !r.rule.starts_with("RQ")));
    }

    #[test]
    fn a_file_that_could_not_be_read_is_an_error_for_every_rule_that_would_judge_it() {
        let errors = [
            SourceError {
                path: "deploy/docker-compose.yml".into(),
                line: 4,
                column: 7,
                message: "undefined variable DB_PASSWORD: set it in .env".into(),
            },
            SourceError {
                path: "k8s/app.yaml".into(),
                line: 0,
                column: 0,
                message: "larger than the 16 MiB limit".into(),
            },
        ];
        let settings = Settings::default();
        let results = evaluate_workloads(&[], &errors, &settings);
        let container_rules = RULES
            .iter()
            .filter(|r| matches!(r.check, Check::Container(_)) && settings.selects(r))
            .count();
        let compose: Vec<&RuleResult> = results
            .iter()
            .filter(|r| r.target.name == "deploy/docker-compose.yml")
            .collect();
        // Container rules plus the two exec rules, which judge compose hooks.
        assert_eq!(compose.len(), container_rules + 2);
        assert!(compose.iter().all(|r| r.status == Status::Error
            && r.target.kind == TargetKind::ComposeService
            && r.message == "could not lint: undefined variable DB_PASSWORD: set it in .env"
            && r.location == Some(Location::new("deploy/docker-compose.yml", 4, 7))));
        let manifest: Vec<&RuleResult> = results
            .iter()
            .filter(|r| r.target.name == "k8s/app.yaml")
            .collect();
        assert_eq!(manifest.len(), container_rules);
        assert!(
            manifest
                .iter()
                .all(|r| r.target.kind == TargetKind::K8sContainer && r.location.is_none())
        );
    }

    #[test]
    fn a_profile_selects_its_rules_for_files_too() {
        let results = evaluate_workloads(&[service("web", 3)], &[], &only(&[]));
        assert!(results.iter().any(|r| r.rule == "CT0006"));
        assert!(!results.iter().any(|r| r.rule == "CT0001" || r.rule == "CT0024"));
        let results = evaluate_workloads(&[service("web", 3)], &[], &only(&["CT0024"]));
        assert!(results.iter().any(|r| r.rule == "CT0024"));
    }

    #[test]
    fn compose_file_names() {
        for name in [
            "compose.yaml",
            "a/compose.yml",
            "docker-compose.yml",
            "docker-compose.override.yaml",
            "web.compose.yaml",
        ] {
            assert!(looks_like_compose_name(name), "{name}");
        }
        for name in ["k8s/deploy.yaml", "compose.json", "composer.yaml"] {
            assert!(!looks_like_compose_name(name), "{name}");
        }
    }
}
