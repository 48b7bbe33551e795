//! Pod Security Standards, baseline: /proc Mount Type.

use dockward_model::KubernetesFacts;

use crate::prelude::*;

use super::{ev, pod_facts, replaced_under_restricted, user_namespace};

declare_rule! {
    /// ## What it checks
    /// The baseline version of the Pod Security Standards' */proc Mount Type* control: the
    /// container's `securityContext.procMount` must be unset or `Default`, unless the pod has its
    /// own user namespace (`hostUsers: false`), where the baseline standard allows any value
    /// (v1.35). Since Kubernetes 1.30 the API itself rejects `Unmasked` without
    /// `hostUsers: false`. Under the restricted profile PS0017 judges the control instead (this
    /// rule is then not applicable).
    ///
    /// A Docker container is not applicable: its masked `/proc` paths are judged by CT0031
    /// systempaths-unconfined.
    ///
    /// ## Why it matters
    /// `Unmasked` removes the masks and read-only mounts over `/proc/kcore`, `/proc/sys`,
    /// `/proc/sysrq-trigger` and the like, the host's kernel interfaces a container must not
    /// reach.
    ///
    /// ## How to fix
    /// Remove `procMount: Unmasked`, or run the pod in its own user namespace
    /// (`hostUsers: false`) where it needs an unmasked `/proc` (nested containers).
    pub static RULE = Rule {
        id: "PS0010",
        name: "unmasked-proc-mount",
        title: "Containers keep the default /proc masks outside a user namespace",
        severity: Severity::High,
        references: &["pss-baseline:procmount"],
        fix: "remove securityContext.procMount: Unmasked, or set hostUsers: false on the pod",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/ProcMount", "/Kubernetes/HostUsers"],
            check,
        }),
    };
}

/// What the Docker reason of both procMount rules says.
pub(crate) const DOCKER: &str = "its masked /proc paths are judged by CT0031 systempaths-unconfined";

/// The verdict of the field check itself, shared with the restricted version.
pub(crate) fn judge_proc_mount(k: &KubernetesFacts) -> Verdict {
    match &k.proc_mount {
        None => Verdict::pass("container does not set securityContext.procMount (Default)"),
        Some(pm) if pm.value == "Default" => {
            Verdict::pass("container securityContext.procMount is \"Default\"").with_evidence([ev(pm)])
        }
        Some(pm) => Verdict::fail(format!("container securityContext.procMount is {:?}", pm.value))
            .with_evidence([ev(pm)]),
    }
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(w, DOCKER) {
        Ok(k) => k,
        Err(v) => return v,
    };
    if let Some(v) = replaced_under_restricted(ctx, "PS0017 restricted-unmasked-proc-mount") {
        return v;
    }
    if let Some(host_users) = user_namespace(k) {
        let mut evidence = vec![ev(host_users)];
        evidence.extend(k.proc_mount.iter().map(ev));
        return Verdict::pass(
            "the pod has its own user namespace (hostUsers is false), where baseline allows any procMount",
        )
        .with_evidence(evidence);
    }
    judge_proc_mount(k)
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, Status};

    use super::RULE;
    use crate::profile::Profile;
    use crate::pss::testing::*;

    #[test]
    fn unmasked_fails_outside_a_user_namespace() {
        let w = kubernetes(KubernetesFacts {
            host_users: Some(at(true, 8, 14)),
            proc_mount: Some(at("Unmasked".into(), 12, 18)),
            ..KubernetesFacts::default()
        });
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Fail,
            "container securityContext.procMount is \"Unmasked\"",
        );
        assert_eq!(positions(&v), [(12, 18)]);
        assert_eq!(
            judge_in(&RULE, &w, Some(Profile::Restricted)).message,
            "the restricted profile judges this control with PS0017 restricted-unmasked-proc-mount instead"
        );
    }

    #[test]
    fn user_namespace_and_default_pass_and_docker_is_not_applicable() {
        let w = kubernetes(KubernetesFacts {
            host_users: Some(at(false, 8, 14)),
            proc_mount: Some(at("Unmasked".into(), 12, 18)),
            ..KubernetesFacts::default()
        });
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Pass,
            "the pod has its own user namespace (hostUsers is false), where baseline allows any procMount",
        );
        assert_eq!(positions(&v), [(8, 14), (12, 18)]);
        assert_verdict(
            &judge(&RULE, &kubernetes(KubernetesFacts::default())),
            Status::Pass,
            "container does not set securityContext.procMount (Default)",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its masked /proc paths are judged by CT0031 systempaths-unconfined",
        );
    }
}
