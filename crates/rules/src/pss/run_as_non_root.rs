//! Pod Security Standards, restricted: Running as Non-root.

use crate::prelude::*;

use super::{ev, pod_facts, user_namespace};

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' restricted *Running as Non-root* control: `runAsNonRoot` must
    /// be `true`, set by the container's `securityContext` or, where the container leaves it
    /// unset, by the pod's. A field check: a pod-level `false` fails every container, even one
    /// that sets `true` itself; a container-level `false` fails under a pod-level `true`. A pod
    /// with its own user namespace (`hostUsers: false`) passes whatever it sets (v1.35).
    ///
    /// A Docker container is not applicable: its user is judged by CT0001 runs-as-root.
    ///
    /// ## Why it matters
    /// `runAsNonRoot: true` makes the kubelet refuse to start a container whose user would be
    /// uid 0, whatever the image says; root in a container shares uid 0 with the node.
    ///
    /// ## How to fix
    /// Set `securityContext.runAsNonRoot: true` in the pod and give the image (or `runAsUser`) a
    /// non-zero user.
    pub static RULE = Rule {
        id: "PS0013",
        name: "run-as-non-root-unset",
        title: "Pods require a non-root user (runAsNonRoot: true)",
        severity: Severity::Medium,
        references: &["pss-restricted:running-as-non-root"],
        fix: "set securityContext.runAsNonRoot: true on the pod and remove any runAsNonRoot: false",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/RunAsNonRoot", "/Kubernetes/HostUsers"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(w, "its user is judged by CT0001 runs-as-root") {
        Ok(k) => k,
        Err(v) => return v,
    };
    if let Some(host_users) = user_namespace(k) {
        return Verdict::pass(
            "the pod has its own user namespace (hostUsers is false), where the standard does not require runAsNonRoot",
        )
        .with_evidence([ev(host_users)]);
    }
    let pod = k.pod_level.run_as_non_root.as_ref();
    // The effective value is the container's own unless it is the pod's.
    let container = k.run_as_non_root.as_ref().filter(|f| Some(*f) != pod);
    let mut found = Vec::new();
    let mut evidence = Vec::new();
    if let Some(p) = pod.filter(|p| !p.value) {
        found.push("pod securityContext.runAsNonRoot is false");
        evidence.push(ev(p));
    }
    if let Some(c) = container.filter(|c| !c.value) {
        found.push("container securityContext.runAsNonRoot is false");
        evidence.push(ev(c));
    }
    if !found.is_empty() {
        return Verdict::fail(found.join("; ")).with_evidence(evidence);
    }
    match (container, pod) {
        (Some(c), _) => {
            Verdict::pass("container securityContext.runAsNonRoot is true").with_evidence([ev(c)])
        }
        (None, Some(p)) => {
            Verdict::pass("pod securityContext.runAsNonRoot is true, and the container leaves it unset")
                .with_evidence([ev(p)])
        }
        (None, None) => {
            Verdict::fail("neither the pod nor the container sets securityContext.runAsNonRoot to true")
        }
    }
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, PodLevel, Status};

    use super::RULE;
    use crate::profile::Profile;
    use crate::pss::testing::*;

    fn restricted(facts: KubernetesFacts) -> dockward_model::Verdict {
        judge_in(&RULE, &kubernetes(facts), Some(Profile::Restricted))
    }

    /// Facts with the pod's and the container's `runAsNonRoot` as written.
    fn levels(pod: Option<bool>, container: Option<bool>) -> KubernetesFacts {
        let pod = pod.map(|v| at(v, 16, 19));
        let container = container.map(|v| at(v, 10, 21));
        KubernetesFacts {
            run_as_non_root: container.or_else(|| pod.clone()),
            pod_level: PodLevel {
                run_as_non_root: pod,
                ..PodLevel::default()
            },
            ..KubernetesFacts::default()
        }
    }

    #[test]
    fn false_at_either_level_or_unset_fails() {
        let v = restricted(levels(Some(false), Some(true)));
        assert_verdict(&v, Status::Fail, "pod securityContext.runAsNonRoot is false");
        assert_eq!(positions(&v), [(16, 19)]);
        assert_verdict(
            &restricted(levels(Some(true), Some(false))),
            Status::Fail,
            "container securityContext.runAsNonRoot is false",
        );
        assert_verdict(
            &restricted(levels(Some(false), None)),
            Status::Fail,
            "pod securityContext.runAsNonRoot is false",
        );
        assert_verdict(
            &restricted(levels(None, None)),
            Status::Fail,
            "neither the pod nor the container sets securityContext.runAsNonRoot to true",
        );
    }

    #[test]
    fn true_passes_user_namespace_relaxes_docker_is_not_applicable() {
        assert_verdict(
            &restricted(levels(Some(true), None)),
            Status::Pass,
            "pod securityContext.runAsNonRoot is true, and the container leaves it unset",
        );
        let v = restricted(levels(None, Some(true)));
        assert_verdict(&v, Status::Pass, "container securityContext.runAsNonRoot is true");
        assert_eq!(positions(&v), [(10, 21)]);
        let userns = KubernetesFacts {
            host_users: Some(at(false, 8, 14)),
            ..levels(Some(false), None)
        };
        assert_verdict(
            &restricted(userns),
            Status::Pass,
            "the pod has its own user namespace (hostUsers is false), where the standard does not require runAsNonRoot",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its user is judged by CT0001 runs-as-root",
        );
    }
}
