//! Pod Security Standards, restricted: Running as Non-root user.

use crate::prelude::*;

use super::{ev, level_of, pod_facts, user_namespace};

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' restricted *Running as Non-root user* control: neither the
    /// pod's nor the container's `securityContext` may set `runAsUser: 0`; unset and other
    /// values pass. A field check, separate from `runAsNonRoot`: a pod-level `runAsUser: 0`
    /// fails every container, even one that sets its own user. A pod with its own user namespace
    /// (`hostUsers: false`) passes whatever it sets (v1.35).
    ///
    /// A Docker container is not applicable: its user is judged by CT0001 runs-as-root.
    ///
    /// ## Why it matters
    /// uid 0 in the container is uid 0 on the node: one escape away from root on the node.
    ///
    /// ## How to fix
    /// Remove `runAsUser: 0`, or set a non-zero uid.
    pub static RULE = Rule {
        id: "PS0014",
        name: "run-as-user-root",
        title: "Pods do not set runAsUser to 0",
        severity: Severity::Medium,
        references: &["pss-restricted:running-as-non-root-user"],
        fix: "remove runAsUser: 0 from the pod's and the container's securityContext, or set a non-zero uid",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/RunAsUser", "/Kubernetes/HostUsers"],
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
            "the pod has its own user namespace (hostUsers is false), where the standard allows runAsUser 0",
        )
        .with_evidence([ev(host_users)]);
    }
    let bad: Vec<_> = k.run_as_user.iter().filter(|u| u.value == 0).collect();
    if bad.is_empty() {
        return Verdict::pass("neither the pod nor the container sets securityContext.runAsUser to 0")
            .with_evidence(k.run_as_user.iter().map(ev));
    }
    let found: Vec<String> = bad
        .iter()
        .map(|u| {
            format!(
                "{} securityContext.runAsUser is 0",
                level_of(u, k.pod_level.run_as_user.as_ref())
            )
        })
        .collect();
    Verdict::fail(found.join("; ")).with_evidence(bad.into_iter().map(ev))
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

    #[test]
    fn uid_0_at_either_level_fails() {
        let pod = at(0, 16, 16);
        let v = restricted(KubernetesFacts {
            run_as_user: vec![pod.clone(), at(1000, 10, 18)],
            pod_level: PodLevel {
                run_as_user: Some(pod),
                ..PodLevel::default()
            },
            ..KubernetesFacts::default()
        });
        assert_verdict(&v, Status::Fail, "pod securityContext.runAsUser is 0");
        assert_eq!(positions(&v), [(16, 16)]);
        assert_verdict(
            &restricted(KubernetesFacts {
                run_as_user: vec![at(0, 10, 18)],
                ..KubernetesFacts::default()
            }),
            Status::Fail,
            "container securityContext.runAsUser is 0",
        );
    }

    #[test]
    fn other_uids_pass_user_namespace_relaxes_docker_is_not_applicable() {
        assert_verdict(
            &restricted(KubernetesFacts {
                run_as_user: vec![at(1000, 10, 18)],
                ..KubernetesFacts::default()
            }),
            Status::Pass,
            "neither the pod nor the container sets securityContext.runAsUser to 0",
        );
        assert_verdict(
            &restricted(KubernetesFacts {
                host_users: Some(at(false, 8, 14)),
                run_as_user: vec![at(0, 10, 18)],
                ..KubernetesFacts::default()
            }),
            Status::Pass,
            "the pod has its own user namespace (hostUsers is false), where the standard allows runAsUser 0",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its user is judged by CT0001 runs-as-root",
        );
    }
}
