//! Pod Security Standards, restricted: /proc Mount Type.

use crate::prelude::*;

use super::pod_facts;
use super::procmount_baseline::{DOCKER, judge_proc_mount};

declare_rule! {
    /// ## What it checks
    /// The restricted version of the Pod Security Standards' */proc Mount Type* control (v1.35):
    /// the container's `securityContext.procMount` must be unset or `Default`, also in a pod with
    /// its own user namespace (`hostUsers: false`), which relaxes only the baseline version.
    ///
    /// A Docker container is not applicable: its masked `/proc` paths are judged by CT0031
    /// systempaths-unconfined.
    ///
    /// ## Why it matters
    /// `Unmasked` exposes `/proc` files the runtime masks; a user namespace limits what root in
    /// the pod can do with them, but the restricted standard keeps the masks anyway, as defence
    /// in depth against kernel bugs behind those files.
    ///
    /// ## How to fix
    /// Remove `procMount: Unmasked`.
    pub static RULE = Rule {
        id: "PS0017",
        name: "restricted-unmasked-proc-mount",
        title: "Containers keep the default /proc masks",
        severity: Severity::Medium,
        references: &["pss-restricted:procmount"],
        fix: "remove securityContext.procMount: Unmasked",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/ProcMount"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    match pod_facts(w, DOCKER) {
        Ok(k) => judge_proc_mount(k),
        Err(v) => v,
    }
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, Status};

    use super::RULE;
    use crate::profile::Profile;
    use crate::pss::testing::*;

    #[test]
    fn unmasked_fails_even_in_a_user_namespace() {
        let w = kubernetes(KubernetesFacts {
            host_users: Some(at(false, 8, 14)),
            proc_mount: Some(at("Unmasked".into(), 12, 18)),
            ..KubernetesFacts::default()
        });
        let v = judge_in(&RULE, &w, Some(Profile::Restricted));
        assert_verdict(
            &v,
            Status::Fail,
            "container securityContext.procMount is \"Unmasked\"",
        );
        assert_eq!(positions(&v), [(12, 18)]);
    }

    #[test]
    fn default_passes_and_docker_is_not_applicable() {
        let w = kubernetes(KubernetesFacts {
            proc_mount: Some(at("Default".into(), 12, 18)),
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge_in(&RULE, &w, Some(Profile::Restricted)),
            Status::Pass,
            "container securityContext.procMount is \"Default\"",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its masked /proc paths are judged by CT0031 systempaths-unconfined",
        );
    }
}
