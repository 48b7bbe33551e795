//! Pod Security Standards, restricted: Seccomp.

use crate::prelude::*;

use super::seccomp_baseline::{DOCKER, allowed, evidence, fail, forbidden};
use super::{pod_facts, windows_exemption};

declare_rule! {
    /// ## What it checks
    /// The restricted version of the Pod Security Standards' *Seccomp* control: the pod's or the
    /// container's `securityContext.seccompProfile.type` must be set to `RuntimeDefault` or
    /// `Localhost`; the container may leave it unset when the pod sets an allowed type. A field
    /// check: a pod-level `Unconfined` fails every container, even one that sets its own
    /// profile. Windows pods (`spec.os.name: windows`) are exempt.
    ///
    /// A Docker container is not applicable: its seccomp profile is judged by CT0021
    /// seccomp-unconfined.
    ///
    /// ## Why it matters
    /// Without a profile the kubelet runs the container `Unconfined` unless the node turns
    /// `--seccomp-default` on: the restricted standard does not leave that to the node.
    ///
    /// ## How to fix
    /// Set `seccompProfile.type: RuntimeDefault` in the pod's `securityContext` (or per
    /// container, or `Localhost` with a profile made for the workload).
    pub static RULE = Rule {
        id: "PS0015",
        name: "seccomp-profile-unset",
        title: "Pods set a RuntimeDefault or Localhost seccomp profile",
        severity: Severity::Medium,
        references: &["pss-restricted:seccomp"],
        fix: "set securityContext.seccompProfile.type: RuntimeDefault in the pod (or the container)",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/SeccompProfile", "/Kubernetes/OS"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(w, DOCKER) {
        Ok(k) => k,
        Err(v) => return v,
    };
    if let Some(v) = windows_exemption(k) {
        return v;
    }
    let bad = forbidden(k);
    if !bad.is_empty() {
        return fail(&bad);
    }
    let pod_set = k.seccomp_pod.as_ref().is_some_and(|f| allowed(&f.value));
    if k.seccomp_container.is_none() && !pod_set {
        return Verdict::fail(
            "neither the pod nor the container sets securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
        );
    }
    Verdict::pass("the seccompProfile.type set is RuntimeDefault or Localhost").with_evidence(evidence(k))
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, Status};

    use super::RULE;
    use crate::profile::Profile;
    use crate::pss::testing::*;

    fn restricted(w: &dockward_model::Workload) -> dockward_model::Verdict {
        judge_in(&RULE, w, Some(Profile::Restricted))
    }

    #[test]
    fn unset_and_unconfined_fail() {
        assert_verdict(
            &restricted(&kubernetes(KubernetesFacts::default())),
            Status::Fail,
            "neither the pod nor the container sets securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
        );
        let w = kubernetes(KubernetesFacts {
            seccomp_pod: Some(at("Unconfined".into(), 15, 13)),
            seccomp_container: Some(at("RuntimeDefault".into(), 10, 15)),
            ..KubernetesFacts::default()
        });
        let v = restricted(&w);
        assert_verdict(
            &v,
            Status::Fail,
            "pod securityContext.seccompProfile.type is \"Unconfined\"",
        );
        assert_eq!(positions(&v), [(15, 13)]);
    }

    #[test]
    fn set_at_either_level_passes_windows_and_docker_are_exempt() {
        for facts in [
            KubernetesFacts {
                seccomp_pod: Some(at("RuntimeDefault".into(), 15, 13)),
                ..KubernetesFacts::default()
            },
            KubernetesFacts {
                seccomp_container: Some(at("Localhost".into(), 10, 15)),
                ..KubernetesFacts::default()
            },
        ] {
            let v = restricted(&kubernetes(facts));
            assert_verdict(
                &v,
                Status::Pass,
                "the seccompProfile.type set is RuntimeDefault or Localhost",
            );
            assert_eq!(positions(&v).len(), 1);
        }
        let w = kubernetes(KubernetesFacts {
            os: Some(at("windows".into(), 12, 11)),
            ..KubernetesFacts::default()
        });
        let v = restricted(&w);
        assert_verdict(
            &v,
            Status::NotApplicable,
            "a Windows pod (spec.os.name is \"windows\"): the restricted standard exempts it from this Linux-only control",
        );
        assert_eq!(positions(&v), [(12, 11)]);
        assert_verdict(
            &restricted(&docker()),
            Status::NotApplicable,
            "a Docker container: its seccomp profile is judged by CT0021 seccomp-unconfined",
        );
    }
}
