//! Pod Security Standards, restricted: Capabilities.

use crate::prelude::*;

use super::{ev, pod_facts, quoted, windows_exemption};

declare_rule! {
    /// ## What it checks
    /// The restricted version of the Pod Security Standards' *Capabilities* control: the
    /// container's `securityContext.capabilities.drop` must include `ALL`, and `add` may name
    /// only `NET_BIND_SERVICE`; names are compared as written (`all` or `CAP_NET_BIND_SERVICE`
    /// do not count). Windows pods (`spec.os.name: windows`) are exempt.
    ///
    /// A Docker container is not applicable: its capabilities are judged by CT0032
    /// capabilities-not-dropped and CT0004 added-capabilities.
    ///
    /// ## Why it matters
    /// The runtimes' default set still includes capabilities few workloads use (`CHOWN`,
    /// `DAC_OVERRIDE`, `FOWNER`, `SETUID`, `MKNOD` …) and that help an attacker who got into the
    /// container; dropping all of them leaves nothing to misuse.
    ///
    /// ## How to fix
    /// Set `capabilities: {drop: [ALL]}` and add back at most `NET_BIND_SERVICE`.
    pub static RULE = Rule {
        id: "PS0016",
        name: "capabilities-unrestricted",
        title: "Containers drop all capabilities and add at most NET_BIND_SERVICE",
        severity: Severity::Low,
        references: &["pss-restricted:capabilities"],
        fix: "set securityContext.capabilities.drop: [ALL] and add back at most NET_BIND_SERVICE",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/CapAdd", "/Kubernetes/CapDrop", "/Kubernetes/OS"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(
        w,
        "its capabilities are judged by CT0032 capabilities-not-dropped and CT0004 added-capabilities",
    ) {
        Ok(k) => k,
        Err(v) => return v,
    };
    if let Some(v) = windows_exemption(k) {
        return v;
    }
    let mut found = Vec::new();
    let mut evidence = Vec::new();
    if !w.cap_drop.value.iter().any(|c| c == "ALL") {
        found.push("container securityContext.capabilities.drop does not include \"ALL\"".to_string());
        if !w.cap_drop.value.is_empty() {
            evidence.push(ev(&w.cap_drop));
        }
    }
    let mut added: Vec<&str> = Vec::new();
    for cap in &w.cap_add.value {
        if cap != "NET_BIND_SERVICE" && !added.contains(&cap.as_str()) {
            added.push(cap);
        }
    }
    if !added.is_empty() {
        found.push(format!(
            "container securityContext.capabilities.add includes {}",
            quoted(added)
        ));
        evidence.push(ev(&w.cap_add));
    }
    if found.is_empty() {
        let mut ok = vec![ev(&w.cap_drop)];
        if !w.cap_add.value.is_empty() {
            ok.push(ev(&w.cap_add));
        }
        return Verdict::pass("container drops ALL capabilities and adds at most NET_BIND_SERVICE")
            .with_evidence(ok);
    }
    Verdict::fail(found.join("; ")).with_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, Status};

    use super::RULE;
    use crate::profile::Profile;
    use crate::pss::testing::*;

    fn caps(facts: KubernetesFacts, add: &[&str], drop: &[&str]) -> dockward_model::Workload {
        let mut w = kubernetes(facts);
        w.cap_add = at(add.iter().map(|c| c.to_string()).collect(), 11, 9);
        w.cap_drop = at(drop.iter().map(|c| c.to_string()).collect(), 13, 9);
        w
    }

    fn restricted(w: &dockward_model::Workload) -> dockward_model::Verdict {
        judge_in(&RULE, w, Some(Profile::Restricted))
    }

    #[test]
    fn missing_drop_all_and_extra_adds_fail() {
        let v = restricted(&caps(
            KubernetesFacts::default(),
            &["NET_BIND_SERVICE", "CHOWN"],
            &["all"],
        ));
        assert_verdict(
            &v,
            Status::Fail,
            "container securityContext.capabilities.drop does not include \"ALL\"; container securityContext.capabilities.add includes \"CHOWN\"",
        );
        assert_eq!(positions(&v), [(13, 9), (11, 9)]);
        assert_verdict(
            &restricted(&caps(KubernetesFacts::default(), &[], &[])),
            Status::Fail,
            "container securityContext.capabilities.drop does not include \"ALL\"",
        );
    }

    #[test]
    fn drop_all_passes_windows_and_docker_are_exempt() {
        assert_verdict(
            &restricted(&caps(KubernetesFacts::default(), &["NET_BIND_SERVICE"], &["ALL"])),
            Status::Pass,
            "container drops ALL capabilities and adds at most NET_BIND_SERVICE",
        );
        let windows = KubernetesFacts {
            os: Some(at("windows".into(), 12, 11)),
            ..KubernetesFacts::default()
        };
        assert_eq!(
            restricted(&caps(windows, &["SYS_ADMIN"], &[])).status,
            Status::NotApplicable
        );
        assert_verdict(
            &restricted(&docker()),
            Status::NotApplicable,
            "a Docker container: its capabilities are judged by CT0032 capabilities-not-dropped and CT0004 added-capabilities",
        );
    }
}
