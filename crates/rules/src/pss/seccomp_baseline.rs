//! Pod Security Standards, baseline: Seccomp.

use dockward_model::{Fact, KubernetesFacts};

use crate::prelude::*;

use super::{ev, pod_facts, replaced_under_restricted};

declare_rule! {
    /// ## What it checks
    /// The baseline version of the Pod Security Standards' *Seccomp* control: where the pod's or
    /// the container's `securityContext.seccompProfile.type` is set, it must be `RuntimeDefault`
    /// or `Localhost`. Unset passes. A field check, as in the reference implementation: a
    /// pod-level `Unconfined` fails every container, even one that sets its own profile.
    /// Under the restricted profile PS0015 judges the control instead (this rule is then not
    /// applicable).
    ///
    /// A Docker container is not applicable: its seccomp profile is judged by CT0021
    /// seccomp-unconfined.
    ///
    /// ## Why it matters
    /// `Unconfined` removes the syscall filter that blocks the kernel interfaces most container
    /// escapes go through.
    ///
    /// ## How to fix
    /// Set `seccompProfile.type: RuntimeDefault` (or `Localhost` with a profile made for the
    /// workload) instead of `Unconfined`.
    pub static RULE = Rule {
        id: "PS0008",
        name: "forbidden-seccomp-profile",
        title: "Pods do not disable seccomp",
        severity: Severity::High,
        references: &["pss-baseline:seccomp"],
        fix: "set securityContext.seccompProfile.type to RuntimeDefault or Localhost instead of Unconfined",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/SeccompProfile"],
            check,
        }),
    };
}

/// What the Docker reason of both seccomp rules says.
pub(crate) const DOCKER: &str = "its seccomp profile is judged by CT0021 seccomp-unconfined";

/// The seccomp profile types both levels allow.
pub(crate) fn allowed(value: &str) -> bool {
    matches!(value, "RuntimeDefault" | "Localhost")
}

/// The explicitly set profile types that are not allowed, with what to say about each.
pub(crate) fn forbidden(k: &KubernetesFacts) -> Vec<(&Fact<String>, String)> {
    [("pod", &k.seccomp_pod), ("container", &k.seccomp_container)]
        .into_iter()
        .filter_map(|(level, fact)| {
            let fact = fact.as_ref().filter(|f| !allowed(&f.value))?;
            Some((
                fact,
                format!("{level} securityContext.seccompProfile.type is {:?}", fact.value),
            ))
        })
        .collect()
}

/// The failing verdict for explicitly forbidden types.
pub(crate) fn fail(bad: &[(&Fact<String>, String)]) -> Verdict {
    let found: Vec<&str> = bad.iter().map(|(_, m)| m.as_str()).collect();
    Verdict::fail(found.join("; ")).with_evidence(bad.iter().map(|(f, _)| ev(f)))
}

/// Evidence of the profile types that are set.
pub(crate) fn evidence(k: &KubernetesFacts) -> Vec<Evidence> {
    k.seccomp_pod.iter().chain(&k.seccomp_container).map(ev).collect()
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(w, DOCKER) {
        Ok(k) => k,
        Err(v) => return v,
    };
    if let Some(v) = replaced_under_restricted(ctx, "PS0015 seccomp-profile-unset") {
        return v;
    }
    let bad = forbidden(k);
    if !bad.is_empty() {
        return fail(&bad);
    }
    if k.seccomp_pod.is_none() && k.seccomp_container.is_none() {
        return Verdict::pass(
            "neither the pod nor the container sets securityContext.seccompProfile.type (baseline allows that)",
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

    #[test]
    fn unconfined_at_pod_level_fails_even_when_the_container_overrides_it() {
        let w = kubernetes(KubernetesFacts {
            seccomp_pod: Some(at("Unconfined".into(), 15, 13)),
            seccomp_container: Some(at("RuntimeDefault".into(), 10, 15)),
            ..KubernetesFacts::default()
        });
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Fail,
            "pod securityContext.seccompProfile.type is \"Unconfined\"",
        );
        assert_eq!(positions(&v), [(15, 13)]);
        let w = kubernetes(KubernetesFacts {
            seccomp_container: Some(at("Unconfined".into(), 10, 15)),
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge(&RULE, &w),
            Status::Fail,
            "container securityContext.seccompProfile.type is \"Unconfined\"",
        );
    }

    #[test]
    fn unset_and_allowed_pass_restricted_replaces_it_and_docker_is_not_applicable() {
        assert_verdict(
            &judge(&RULE, &kubernetes(KubernetesFacts::default())),
            Status::Pass,
            "neither the pod nor the container sets securityContext.seccompProfile.type (baseline allows that)",
        );
        let w = kubernetes(KubernetesFacts {
            seccomp_pod: Some(at("Localhost".into(), 15, 13)),
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge(&RULE, &w),
            Status::Pass,
            "the seccompProfile.type set is RuntimeDefault or Localhost",
        );
        assert_verdict(
            &judge_in(&RULE, &w, Some(Profile::Restricted)),
            Status::NotApplicable,
            "the restricted profile judges this control with PS0015 seccomp-profile-unset instead",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its seccomp profile is judged by CT0021 seccomp-unconfined",
        );
    }
}
