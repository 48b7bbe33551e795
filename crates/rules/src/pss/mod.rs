//! Kubernetes' Pod Security Standards, v1.37: one rule per control, with the semantics of the
//! reference implementation (kubernetes/pod-security-admission, `policy/check_*.go`) for one
//! container of a pod.
//!
//! A pod-level control (host namespaces, hostPath volumes, a pod-level seccomp profile …) fails
//! every container of the pod, so each container's report names it. Controls that a container
//! rule already judges the same way are references on that rule (`pss:privileged-containers` on
//! CT0006, `pss:host-namespaces` on CT0009, CT0015 and CT0016), not copies here. For a Docker
//! container (a live one, an API request, a compose service) these rules are `not_applicable`:
//! the profiles map the standard to Docker through the container rules each reason names.
//!
//! Their `needs` pointers are all under `/Kubernetes`, also for the generic workload fields they
//! read (ports, sysctls, capabilities): an unknown fact of a Docker container's inspect answer
//! must leave them `not_applicable`, not turn them into errors that would deny a request.

use dockward_model::{Fact, KubernetesFacts, Verdict, Workload};

pub(crate) use crate::facts::ev;
use crate::profile::Profile;
use crate::rule::Context;

pub mod apparmor;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
pub mod host_ports;
pub mod host_probes;
pub mod host_process;
pub mod hostpath_volumes;
pub mod privilege_escalation;
pub mod procmount_baseline;
pub mod procmount_restricted;
pub mod run_as_non_root;
pub mod run_as_user;
pub mod seccomp_baseline;
pub mod seccomp_restricted;
pub mod selinux;
pub mod sysctls;
pub mod volume_types;

/// The Pod Security facts of a Kubernetes container, or, for any other workload, the
/// `not_applicable` verdict naming the container rules that judge the control for Docker.
pub(crate) fn pod_facts<'a>(w: &'a Workload, docker: &str) -> Result<&'a KubernetesFacts, Verdict> {
    w.kubernetes
        .as_deref()
        .ok_or_else(|| Verdict::not_applicable(format!("a Docker container: {docker}")))
}

/// For a Windows pod (`spec.os.name: windows`), the `not_applicable` verdict of a restricted
/// control the standard exempts Windows pods from (v1.25 and later).
pub(crate) fn windows_exemption(k: &KubernetesFacts) -> Option<Verdict> {
    let os = k.os.as_ref().filter(|os| os.value == "windows")?;
    Some(
        Verdict::not_applicable(
            "a Windows pod (spec.os.name is \"windows\"): the restricted standard exempts it from this Linux-only control",
        )
        .with_evidence([ev(os)]),
    )
}

/// The `hostUsers: false` fact of a pod in its own user namespace, which relaxes the
/// user-related controls (v1.35 and later).
pub(crate) fn user_namespace(k: &KubernetesFacts) -> Option<&Fact<bool>> {
    k.host_users.as_ref().filter(|h| !h.value)
}

/// Under the restricted profile, the `not_applicable` verdict of a baseline control the
/// restricted standard replaces with its own version (as the reference implementation's
/// `OverrideCheckIDs` do).
pub(crate) fn replaced_under_restricted(ctx: &Context<'_>, by: &str) -> Option<Verdict> {
    (ctx.settings.profile == Some(Profile::Restricted)).then(|| {
        Verdict::not_applicable(format!(
            "the restricted profile judges this control with {by} instead"
        ))
    })
}

/// `pod` or `container`: the level a value of one of the fields that hold both was written at.
pub(crate) fn level_of<T: PartialEq>(fact: &Fact<T>, pod: Option<&Fact<T>>) -> &'static str {
    if pod == Some(fact) { "pod" } else { "container" }
}

/// `"a", "b"`: a list of values as the reference implementation quotes them.
pub(crate) fn quoted<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| format!("{:?}", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Hand-built workloads for the rules' unit tests.

    use std::collections::BTreeMap;

    use dockward_model::{
        ContainerType, Fact, KubernetesFacts, NamespaceMode, Origin, Provenance, RestartPolicy, Status,
        Verdict, Workload,
    };

    use crate::profile::Profile;
    use crate::rule::{Check, Context, Rule, Settings};

    /// A fact written at `line`:`column` of `pod.yaml`.
    pub fn at<T>(value: T, line: u32, column: u32) -> Fact<T> {
        Fact {
            value,
            at: Provenance::file("pod.yaml", line, column),
        }
    }

    fn placeholder<T: Default>() -> Fact<T> {
        Fact::default()
    }

    /// A Docker container with every setting at its default.
    pub fn docker() -> Workload {
        let ns = || NamespaceMode::at_pointer("", "");
        Workload {
            origin: Origin::Container {
                id: "0123".into(),
                name: "web".into(),
                state: "running".into(),
            },
            image: placeholder(),
            user: placeholder(),
            user_uid: None,
            privileged: placeholder(),
            cap_add: placeholder(),
            cap_drop: placeholder(),
            security_opt: placeholder(),
            apparmor_profile: None,
            process_label: None,
            pid_mode: ns(),
            ipc_mode: ns(),
            uts_mode: ns(),
            network_mode: ns(),
            userns_mode: ns(),
            cgroupns_mode: ns(),
            networks: placeholder(),
            mounts: Vec::new(),
            devices: placeholder(),
            device_cgroup_rules: placeholder(),
            device_requests: placeholder(),
            readonly_rootfs: placeholder(),
            memory: placeholder(),
            cpu_shares: placeholder(),
            nano_cpus: placeholder(),
            cpu_quota: placeholder(),
            cpuset_cpus: placeholder(),
            pids_limit: placeholder(),
            ports: Vec::new(),
            publish_all_ports: placeholder(),
            restart_policy: Fact::at_pointer(
                RestartPolicy {
                    name: String::new(),
                    maximum_retry_count: 0,
                },
                "",
            ),
            healthcheck: placeholder(),
            health_status: None,
            cgroup_parent: placeholder(),
            ulimits: placeholder(),
            sysctls: Fact::at_pointer(BTreeMap::new(), ""),
            masked_paths: placeholder(),
            readonly_paths: placeholder(),
            volumes_from: placeholder(),
            unknown: BTreeMap::new(),
            exec_hooks: Vec::new(),
            labels: Default::default(),
            kubernetes: None,
        }
    }

    /// Container `app` of `Pod/web` with the given Pod Security facts.
    pub fn kubernetes(facts: KubernetesFacts) -> Workload {
        Workload {
            origin: Origin::Kubernetes {
                object_kind: "Pod".into(),
                name: "web".into(),
                namespace: None,
                container: "app".into(),
                container_type: ContainerType::Container,
                display: "Pod/web/app".into(),
                at: Provenance::file("pod.yaml", 7, 5),
            },
            kubernetes: Some(Box::new(facts)),
            ..docker()
        }
    }

    /// The rule's verdict on `w` under `profile` (`None`: the rule turned on with `--enable`).
    pub fn judge_in(rule: &Rule, w: &Workload, profile: Option<Profile>) -> Verdict {
        let settings = Settings {
            profile,
            ..Settings::default()
        };
        let daemon = dockward_model::DaemonFacts::default();
        let ctx = Context {
            daemon: &daemon,
            host: None,
            host_error: None,
            client: None,
            settings: &settings,
        };
        match rule.check {
            Check::Container(check) => check.judge(&ctx, w),
            _ => unreachable!("the Pod Security rules judge containers"),
        }
    }

    /// The rule's verdict on `w` under the baseline profile.
    pub fn judge(rule: &Rule, w: &Workload) -> Verdict {
        judge_in(rule, w, Some(Profile::Baseline))
    }

    /// Asserts status and message.
    pub fn assert_verdict(v: &Verdict, status: Status, message: &str) {
        assert_eq!((v.status, v.message.as_str()), (status, message), "{v:?}");
    }

    /// The `line:column` of each piece of evidence.
    pub fn positions(v: &Verdict) -> Vec<(u32, u32)> {
        v.evidence
            .iter()
            .filter_map(|e| e.location.as_ref().map(|l| (l.line, l.column)))
            .collect()
    }
}
