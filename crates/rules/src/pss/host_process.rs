//! Pod Security Standards, baseline: HostProcess.

use crate::prelude::*;

use super::{ev, level_of, pod_facts};

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' *HostProcess* control: whether the pod
    /// (`spec.securityContext.windowsOptions.hostProcess`) or the container (the same field of its
    /// own `securityContext`; init and ephemeral containers too) sets `hostProcess: true`. Unset
    /// and `false` pass. A pod-level `true` fails every container of the pod.
    ///
    /// A Docker container (live, in an API request, a compose service) is not applicable: Docker
    /// has no host-process containers; privileged mode, the nearest escape, is CT0006's.
    ///
    /// ## Why it matters
    /// A Windows HostProcess container runs as a process on the node itself: the node's network,
    /// file system and accounts are its own, so it is as good as administrator access to the node.
    ///
    /// ## How to fix
    /// Remove `windowsOptions.hostProcess: true`; run node agents that need the host through the
    /// node's own service manager instead of a pod.
    pub static RULE = Rule {
        id: "PS0001",
        name: "windows-host-process",
        title: "Pods do not run Windows host-process containers",
        severity: Severity::Critical,
        references: &["pss:host-process"],
        fix: "remove securityContext.windowsOptions.hostProcess: true from the pod and its containers",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/HostProcess"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(
        w,
        "Docker has no host-process containers; privileged mode, the nearest escape, is judged by CT0006 privileged-container",
    ) {
        Ok(k) => k,
        Err(v) => return v,
    };
    let bad: Vec<_> = k.host_process.iter().filter(|f| f.value).collect();
    if bad.is_empty() {
        return Verdict::pass(
            "neither the pod nor the container sets securityContext.windowsOptions.hostProcess to true",
        )
        .with_evidence(k.host_process.iter().map(ev));
    }
    let found: Vec<String> = bad
        .iter()
        .map(|f| {
            format!(
                "{} securityContext.windowsOptions.hostProcess is true",
                level_of(f, k.pod_level.host_process.as_ref())
            )
        })
        .collect();
    Verdict::fail(found.join("; ")).with_evidence(bad.into_iter().map(ev))
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, PodLevel, Status};

    use super::RULE;
    use crate::pss::testing::*;

    #[test]
    fn host_process_at_either_level_fails() {
        let pod = at(true, 14, 20);
        let w = kubernetes(KubernetesFacts {
            host_process: vec![pod.clone(), at(true, 9, 22)],
            pod_level: PodLevel {
                host_process: Some(pod),
                ..PodLevel::default()
            },
            ..KubernetesFacts::default()
        });
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Fail,
            "pod securityContext.windowsOptions.hostProcess is true; container securityContext.windowsOptions.hostProcess is true",
        );
        assert_eq!(positions(&v), [(14, 20), (9, 22)]);
    }

    #[test]
    fn false_or_unset_passes_and_docker_is_not_applicable() {
        let w = kubernetes(KubernetesFacts {
            host_process: vec![at(false, 9, 22)],
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge(&RULE, &w),
            Status::Pass,
            "neither the pod nor the container sets securityContext.windowsOptions.hostProcess to true",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: Docker has no host-process containers; privileged mode, the nearest escape, is judged by CT0006 privileged-container",
        );
    }
}
