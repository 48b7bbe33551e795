//! Pod Security Standards, baseline: SELinux.

use dockward_model::{Fact, SeLinuxOptions};

use crate::prelude::*;

use super::{ev, level_of, pod_facts};

/// The SELinux types the baseline standard allows (v1.31 added `container_engine_t`); empty is
/// the runtime's default.
pub const ALLOWED_TYPES: [&str; 5] = [
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' *SELinux* control, for the `seLinuxOptions` of the pod's and of
    /// the container's `securityContext`: `type` must be unset, empty, `container_t`,
    /// `container_init_t`, `container_kvm_t` or `container_engine_t`, and `user` and `role` must
    /// be unset or empty (`level` is free). A pod-level violation fails every container.
    ///
    /// A Docker container is not applicable: its SELinux label is judged by CT0003
    /// selinux-unconfined.
    ///
    /// ## Why it matters
    /// Another type (`spc_t`, `unconfined_t`) or a custom user or role takes the container out of
    /// the confinement that keeps it off the node's files and processes.
    ///
    /// ## How to fix
    /// Remove `seLinuxOptions.user`, `seLinuxOptions.role` and any type outside the allowed list;
    /// set only `level` where pods must be kept apart.
    pub static RULE = Rule {
        id: "PS0005",
        name: "forbidden-selinux-options",
        title: "Pods keep their SELinux confinement",
        severity: Severity::Medium,
        references: &["pss:selinux"],
        fix: "remove seLinuxOptions.user, seLinuxOptions.role and any type but container_t, container_init_t, container_kvm_t, container_engine_t",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/SeLinuxOptions"],
            check,
        }),
    };
}

/// What is wrong with one `seLinuxOptions`.
fn problems(opts: &SeLinuxOptions, level: &str) -> Vec<String> {
    let mut out = Vec::new();
    let field =
        |name: &str, value: &str| format!("{level} securityContext.seLinuxOptions.{name} is {value:?}");
    if let Some(t) = &opts.r#type
        && !ALLOWED_TYPES.contains(&t.as_str())
    {
        out.push(field("type", t));
    }
    if let Some(user) = opts.user.as_deref().filter(|u| !u.is_empty()) {
        out.push(field("user", user));
    }
    if let Some(role) = opts.role.as_deref().filter(|r| !r.is_empty()) {
        out.push(field("role", role));
    }
    out
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(w, "its SELinux label is judged by CT0003 selinux-unconfined") {
        Ok(k) => k,
        Err(v) => return v,
    };
    let mut found = Vec::new();
    let mut evidence: Vec<&Fact<SeLinuxOptions>> = Vec::new();
    for fact in &k.selinux {
        let p = problems(&fact.value, level_of(fact, k.pod_level.selinux.as_ref()));
        if !p.is_empty() {
            found.extend(p);
            evidence.push(fact);
        }
    }
    if found.is_empty() {
        return Verdict::pass(
            "the pod's and the container's seLinuxOptions set no forbidden type, user or role",
        )
        .with_evidence(k.selinux.iter().map(ev));
    }
    Verdict::fail(found.join("; ")).with_evidence(evidence.into_iter().map(ev))
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, PodLevel, SeLinuxOptions, Status};

    use super::RULE;
    use crate::pss::testing::*;

    fn opts(t: Option<&str>, user: Option<&str>, role: Option<&str>) -> SeLinuxOptions {
        SeLinuxOptions {
            r#type: t.map(Into::into),
            user: user.map(Into::into),
            role: role.map(Into::into),
            level: Some("s0:c1,c2".into()),
        }
    }

    #[test]
    fn forbidden_type_user_and_role_fail_at_their_level() {
        let pod = at(opts(None, None, Some("somevalue")), 16, 7);
        let w = kubernetes(KubernetesFacts {
            selinux: vec![
                pod.clone(),
                at(opts(Some("spc_t"), Some("sysadm_u"), None), 10, 9),
            ],
            pod_level: PodLevel {
                selinux: Some(pod),
                ..PodLevel::default()
            },
            ..KubernetesFacts::default()
        });
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Fail,
            "pod securityContext.seLinuxOptions.role is \"somevalue\"; container securityContext.seLinuxOptions.type is \"spc_t\"; container securityContext.seLinuxOptions.user is \"sysadm_u\"",
        );
        assert_eq!(positions(&v), [(16, 7), (10, 9)]);
    }

    #[test]
    fn allowed_types_and_empty_values_pass_and_docker_is_not_applicable() {
        let w = kubernetes(KubernetesFacts {
            selinux: vec![
                at(opts(Some("container_engine_t"), Some(""), Some("")), 10, 9),
                at(opts(Some(""), None, None), 16, 7),
            ],
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge(&RULE, &w),
            Status::Pass,
            "the pod's and the container's seLinuxOptions set no forbidden type, user or role",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its SELinux label is judged by CT0003 selinux-unconfined",
        );
    }
}
