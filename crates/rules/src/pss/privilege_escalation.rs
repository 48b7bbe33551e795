//! Pod Security Standards, restricted: Privilege Escalation.

use crate::prelude::*;

use super::{ev, pod_facts, windows_exemption};

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' restricted *Privilege Escalation* control: the container's
    /// `securityContext.allowPrivilegeEscalation` must be set to `false`. Unset fails: Kubernetes'
    /// default allows escalation. Windows pods (`spec.os.name: windows`) are exempt.
    ///
    /// A Docker container is not applicable: `no-new-privileges` is judged by CT0023
    /// new-privileges-allowed.
    ///
    /// ## Why it matters
    /// Without `no_new_privs` a process in the container can gain privileges through set-user-ID
    /// and set-group-ID programs or file capabilities, the usual second step after a foothold.
    ///
    /// ## How to fix
    /// Set `securityContext.allowPrivilegeEscalation: false` on every container.
    pub static RULE = Rule {
        id: "PS0012",
        name: "privilege-escalation-allowed",
        title: "Containers set allowPrivilegeEscalation to false",
        severity: Severity::Medium,
        references: &["pss-restricted:privilege-escalation"],
        fix: "set securityContext.allowPrivilegeEscalation: false on the container",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/AllowPrivilegeEscalation", "/Kubernetes/OS"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(w, "no-new-privileges is judged by CT0023 new-privileges-allowed") {
        Ok(k) => k,
        Err(v) => return v,
    };
    if let Some(v) = windows_exemption(k) {
        return v;
    }
    match &k.allow_privilege_escalation {
        None => Verdict::fail(
            "container does not set securityContext.allowPrivilegeEscalation (Kubernetes' default allows escalation)",
        ),
        Some(f) if f.value => {
            Verdict::fail("container securityContext.allowPrivilegeEscalation is true").with_evidence([ev(f)])
        }
        Some(f) => Verdict::pass("container securityContext.allowPrivilegeEscalation is false")
            .with_evidence([ev(f)]),
    }
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, Status};

    use super::RULE;
    use crate::profile::Profile;
    use crate::pss::testing::*;

    fn restricted(facts: KubernetesFacts) -> dockward_model::Verdict {
        judge_in(&RULE, &kubernetes(facts), Some(Profile::Restricted))
    }

    #[test]
    fn unset_and_true_fail() {
        assert_verdict(
            &restricted(KubernetesFacts::default()),
            Status::Fail,
            "container does not set securityContext.allowPrivilegeEscalation (Kubernetes' default allows escalation)",
        );
        let v = restricted(KubernetesFacts {
            allow_privilege_escalation: Some(at(true, 10, 34)),
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &v,
            Status::Fail,
            "container securityContext.allowPrivilegeEscalation is true",
        );
        assert_eq!(positions(&v), [(10, 34)]);
    }

    #[test]
    fn false_passes_windows_and_docker_are_exempt() {
        assert_verdict(
            &restricted(KubernetesFacts {
                allow_privilege_escalation: Some(at(false, 10, 34)),
                ..KubernetesFacts::default()
            }),
            Status::Pass,
            "container securityContext.allowPrivilegeEscalation is false",
        );
        let windows = restricted(KubernetesFacts {
            os: Some(at("windows".into(), 12, 11)),
            ..KubernetesFacts::default()
        });
        assert_eq!(windows.status, Status::NotApplicable);
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: no-new-privileges is judged by CT0023 new-privileges-allowed",
        );
    }
}
