//! Pod Security Standards, baseline: Capabilities.

use crate::prelude::*;

use super::{ev, pod_facts, quoted, replaced_under_restricted};

/// The capabilities the baseline standard lets a container add: the container runtimes'
/// default set without `NET_RAW`. Compared as written (`CAP_CHOWN`, `chown` are not in it).
pub const ALLOWED: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

declare_rule! {
    /// ## What it checks
    /// The baseline version of the Pod Security Standards' *Capabilities* control: every name in
    /// the container's `securityContext.capabilities.add` must be one of `AUDIT_WRITE`, `CHOWN`,
    /// `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`,
    /// `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`, compared as written, as the reference
    /// implementation does (`CAP_SYS_ADMIN`, `sys_admin` and `ALL` are simply not in the list).
    /// Under the restricted profile PS0016 judges the control instead (this rule is then not
    /// applicable).
    ///
    /// A Docker container is not applicable: its capabilities are judged by CT0004
    /// added-capabilities.
    ///
    /// ## Why it matters
    /// Capabilities beyond the default set (`SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `NET_RAW` …)
    /// are what most container escapes and attacks on neighbouring pods need.
    ///
    /// ## How to fix
    /// Remove the capabilities outside the default set from `capabilities.add`; change the
    /// workload so it does not need them.
    pub static RULE = Rule {
        id: "PS0009",
        name: "non-default-capabilities",
        title: "Containers add no capabilities beyond the default set",
        severity: Severity::Medium,
        references: &["pss-baseline:capabilities"],
        fix: "remove the capabilities outside the default set from securityContext.capabilities.add",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/CapAdd"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    if let Err(v) = pod_facts(w, "its capabilities are judged by CT0004 added-capabilities") {
        return v;
    }
    if let Some(v) = replaced_under_restricted(ctx, "PS0016 capabilities-unrestricted") {
        return v;
    }
    let mut bad: Vec<&str> = Vec::new();
    for cap in &w.cap_add.value {
        if !ALLOWED.contains(&cap.as_str()) && !bad.contains(&cap.as_str()) {
            bad.push(cap);
        }
    }
    if bad.is_empty() {
        if w.cap_add.value.is_empty() {
            return Verdict::pass("container adds no capabilities");
        }
        return Verdict::pass("container adds only capabilities of the default set")
            .with_evidence([ev(&w.cap_add)]);
    }
    Verdict::fail(format!(
        "container securityContext.capabilities.add includes {} beyond the default set",
        quoted(bad)
    ))
    .with_evidence([ev(&w.cap_add)])
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, Status};

    use super::RULE;
    use crate::profile::Profile;
    use crate::pss::testing::*;

    fn adding(caps: &[&str]) -> dockward_model::Workload {
        let mut w = kubernetes(KubernetesFacts::default());
        w.cap_add = at(caps.iter().map(|c| c.to_string()).collect(), 11, 9);
        w
    }

    #[test]
    fn capabilities_outside_the_list_fail_as_written() {
        let v = judge(
            &RULE,
            &adding(&["CHOWN", "NET_RAW", "CAP_CHOWN", "chown", "NET_RAW"]),
        );
        assert_verdict(
            &v,
            Status::Fail,
            "container securityContext.capabilities.add includes \"NET_RAW\", \"CAP_CHOWN\", \"chown\" beyond the default set",
        );
        assert_eq!(positions(&v), [(11, 9)]);
    }

    #[test]
    fn default_set_passes_restricted_replaces_it_and_docker_is_not_applicable() {
        let w = adding(&["NET_BIND_SERVICE", "SYS_CHROOT"]);
        assert_verdict(
            &judge(&RULE, &w),
            Status::Pass,
            "container adds only capabilities of the default set",
        );
        assert_verdict(
            &judge(&RULE, &adding(&[])),
            Status::Pass,
            "container adds no capabilities",
        );
        assert_verdict(
            &judge_in(&RULE, &adding(&["SYS_ADMIN"]), Some(Profile::Restricted)),
            Status::NotApplicable,
            "the restricted profile judges this control with PS0016 capabilities-unrestricted instead",
        );
        assert_eq!(
            judge_in(&RULE, &adding(&["SYS_ADMIN"]), None).status,
            Status::Fail
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its capabilities are judged by CT0004 added-capabilities",
        );
    }
}
