//! Pod Security Standards, baseline: Sysctls.

use crate::container::unsafe_sysctls::SAFE_SYSCTLS;
use crate::prelude::*;

use super::{ev, pod_facts};

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' *Sysctls* control: every name in the pod's
    /// `securityContext.sysctls` must be one of the safe set of v1.37: `kernel.shm_rmid_forced`
    /// and `net.ipv4.` `ip_local_port_range`, `ip_local_reserved_ports` (1.27), `tcp_syncookies`,
    /// `ping_group_range`, `ip_unprivileged_port_start`, `tcp_keepalive_time`, `tcp_fin_timeout`,
    /// `tcp_keepalive_intvl`, `tcp_keepalive_probes` (1.29), `tcp_rmem`, `tcp_wmem` (1.32),
    /// `tcp_slow_start_after_idle`, `tcp_notsent_lowat` (1.37). Names are compared as written
    /// (`net/ipv4/tcp_syncookies` is not in the set), unlike CT0030, which reads `/` as `.` the way
    /// Docker's runtime does.
    ///
    /// A Docker container is not applicable: its kernel parameters are judged by CT0030
    /// unsafe-sysctls.
    ///
    /// ## Why it matters
    /// The other parameters are not isolated between pods: they change the node's kernel for every
    /// workload on it, or reach past the pod's network namespace.
    ///
    /// ## How to fix
    /// Remove the sysctls outside the safe set; tune the nodes instead (and keep the workloads
    /// that need it on those nodes).
    pub static RULE = Rule {
        id: "PS0006",
        name: "forbidden-sysctls",
        title: "Pods set only safe sysctls",
        severity: Severity::Medium,
        references: &["pss:sysctls"],
        fix: "remove the sysctls outside the Pod Security Standards' safe set from the pod's securityContext",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/Sysctls"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if let Err(v) = pod_facts(w, "its kernel parameters are judged by CT0030 unsafe-sysctls") {
        return v;
    }
    let sysctls = &w.sysctls.value;
    if sysctls.is_empty() {
        return Verdict::pass("the pod sets no sysctls");
    }
    let forbidden: Vec<&str> = sysctls
        .keys()
        .map(String::as_str)
        .filter(|name| !SAFE_SYSCTLS.contains(name))
        .collect();
    if forbidden.is_empty() {
        let names: Vec<&str> = sysctls.keys().map(String::as_str).collect();
        return Verdict::pass(format!("the pod sets only safe sysctls: {}", names.join(", ")))
            .with_evidence([ev(&w.sysctls)]);
    }
    Verdict::fail(format!(
        "pod securityContext.sysctls sets {} outside the safe set",
        forbidden.join(", ")
    ))
    .with_evidence([ev(&w.sysctls)])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use dockward_model::{KubernetesFacts, Status};

    use super::RULE;
    use crate::pss::testing::*;

    fn with(names: &[&str]) -> dockward_model::Workload {
        let mut w = kubernetes(KubernetesFacts::default());
        let map: BTreeMap<String, String> = names.iter().map(|n| (n.to_string(), "1".into())).collect();
        w.sysctls = at(map, 14, 5);
        w
    }

    #[test]
    fn names_outside_the_set_fail_as_written() {
        let v = judge(
            &RULE,
            &with(&[
                "net.ipv4.tcp_syncookies",
                "net/ipv4/tcp_syncookies",
                "othersysctl",
            ]),
        );
        assert_verdict(
            &v,
            Status::Fail,
            "pod securityContext.sysctls sets net/ipv4/tcp_syncookies, othersysctl outside the safe set",
        );
        assert_eq!(positions(&v), [(14, 5)]);
        assert_eq!(
            judge(&RULE, &with(&["kernel.msgmax"])).message,
            "pod securityContext.sysctls sets kernel.msgmax outside the safe set"
        );
    }

    #[test]
    fn the_v1_37_names_pass_and_docker_is_not_applicable() {
        assert_verdict(
            &judge(
                &RULE,
                &with(&["net.ipv4.tcp_notsent_lowat", "net.ipv4.tcp_slow_start_after_idle"]),
            ),
            Status::Pass,
            "the pod sets only safe sysctls: net.ipv4.tcp_notsent_lowat, net.ipv4.tcp_slow_start_after_idle",
        );
        assert_verdict(&judge(&RULE, &with(&[])), Status::Pass, "the pod sets no sysctls");
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: its kernel parameters are judged by CT0030 unsafe-sysctls",
        );
    }
}
