//! Pod Security Standards, baseline: AppArmor.

use dockward_model::{Fact, Origin};

use crate::prelude::*;

use super::{ev, pod_facts};

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' *AppArmor* control, for every AppArmor setting that applies to
    /// the container: the `appArmorProfile.type` of the pod's and of the container's
    /// `securityContext` must be `RuntimeDefault` or `Localhost` (or unset), and the older
    /// `container.apparmor.security.beta.kubernetes.io/<container>` annotation must be
    /// `runtime/default`, `localhost/<profile>`, empty or unset. Values are compared as written:
    /// `Unconfined`, `unconfined` and anything else fail.
    ///
    /// A Docker container is not applicable: its AppArmor profile is judged by CT0002
    /// apparmor-unconfined.
    ///
    /// ## Why it matters
    /// The runtime's default AppArmor profile denies writes to `/proc` and `/sys` files and
    /// mounts that container escapes use; `Unconfined` removes that layer.
    ///
    /// ## How to fix
    /// Remove the `Unconfined` profile (and the annotation); where the default profile is too
    /// strict, load a `Localhost` profile made for the workload.
    pub static RULE = Rule {
        id: "PS0004",
        name: "forbidden-apparmor-profile",
        title: "Pods keep an AppArmor profile",
        severity: Severity::Medium,
        references: &["pss:apparmor"],
        fix: "set appArmorProfile.type to RuntimeDefault or Localhost, or remove the setting",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/AppArmor"],
            check,
        }),
    };
}

/// The older annotation's allowed values.
fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

/// The `appArmorProfile.type` field's allowed values.
fn allowed_type(value: &str) -> bool {
    matches!(value, "RuntimeDefault" | "Localhost")
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(w, "its AppArmor profile is judged by CT0002 apparmor-unconfined") {
        Ok(k) => k,
        Err(v) => return v,
    };
    let container = match &w.origin {
        Origin::Kubernetes { container, .. } => container.as_str(),
        _ => "",
    };
    let mut bad: Vec<(&Fact<String>, String)> = Vec::new();
    for fact in &k.apparmor {
        let value = &fact.value;
        if Some(fact) == k.pod_level.apparmor_annotation.as_ref() {
            if !allowed_annotation(value) {
                bad.push((
                    fact,
                    format!(
                        "annotation container.apparmor.security.beta.kubernetes.io/{container} is {value:?}"
                    ),
                ));
            }
        } else if !allowed_type(value) {
            let level = if Some(fact) == k.pod_level.apparmor.as_ref() {
                "pod"
            } else {
                "container"
            };
            bad.push((
                fact,
                format!("{level} securityContext.appArmorProfile.type is {value:?}"),
            ));
        }
    }
    if bad.is_empty() {
        let message = if k.apparmor.is_empty() {
            "no AppArmor profile is set for the container (the runtime's default applies)"
        } else {
            "the container's AppArmor settings are RuntimeDefault or Localhost"
        };
        return Verdict::pass(message).with_evidence(k.apparmor.iter().map(ev));
    }
    let found: Vec<&str> = bad.iter().map(|(_, m)| m.as_str()).collect();
    Verdict::fail(found.join("; ")).with_evidence(bad.iter().map(|(f, _)| ev(f)))
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, PodLevel, Status};

    use super::RULE;
    use crate::pss::testing::*;

    #[test]
    fn unconfined_annotation_and_fields_fail() {
        let annotation = at("unconfined".to_string(), 5, 56);
        let pod = at("Unconfined".to_string(), 16, 13);
        let w = kubernetes(KubernetesFacts {
            apparmor: vec![annotation.clone(), pod.clone(), at("Unconfined".into(), 10, 15)],
            pod_level: PodLevel {
                apparmor_annotation: Some(annotation),
                apparmor: Some(pod),
                ..PodLevel::default()
            },
            ..KubernetesFacts::default()
        });
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Fail,
            "annotation container.apparmor.security.beta.kubernetes.io/app is \"unconfined\"; pod securityContext.appArmorProfile.type is \"Unconfined\"; container securityContext.appArmorProfile.type is \"Unconfined\"",
        );
        assert_eq!(positions(&v), [(5, 56), (16, 13), (10, 15)]);
    }

    #[test]
    fn each_spelling_is_judged_by_its_own_list() {
        // `runtime/default` is an annotation value, not a field type; `RuntimeDefault` the reverse.
        let annotation = at("RuntimeDefault".to_string(), 5, 56);
        let w = kubernetes(KubernetesFacts {
            apparmor: vec![annotation.clone(), at("runtime/default".into(), 10, 15)],
            pod_level: PodLevel {
                apparmor_annotation: Some(annotation),
                ..PodLevel::default()
            },
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge(&RULE, &w),
            Status::Fail,
            "annotation container.apparmor.security.beta.kubernetes.io/app is \"RuntimeDefault\"; container securityContext.appArmorProfile.type is \"runtime/default\"",
        );
    }

    #[test]
    fn allowed_profiles_pass_and_docker_is_not_applicable() {
        let annotation = at("localhost/foo".to_string(), 5, 56);
        let w = kubernetes(KubernetesFacts {
            apparmor: vec![annotation.clone(), at("Localhost".into(), 10, 15)],
            pod_level: PodLevel {
                apparmor_annotation: Some(annotation),
                ..PodLevel::default()
            },
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge(&RULE, &w),
            Status::Pass,
            "the container's AppArmor settings are RuntimeDefault or Localhost",
        );
        assert_verdict(
            &judge(&RULE, &kubernetes(KubernetesFacts::default())),
            Status::Pass,
            "no AppArmor profile is set for the container (the runtime's default applies)",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its AppArmor profile is judged by CT0002 apparmor-unconfined",
        );
    }
}
