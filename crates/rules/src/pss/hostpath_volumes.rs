//! Pod Security Standards, baseline: HostPath Volumes.

use dockward_model::PodVolume;

use crate::prelude::*;

use super::pod_facts;

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' *HostPath Volumes* control: whether any volume of the pod
    /// (`spec.volumes[*].hostPath`) is a hostPath volume, whatever its path and whether or not this
    /// container mounts it. Every container of such a pod fails.
    ///
    /// A Docker container is not applicable: its host mounts are judged by CT0007
    /// sensitive-host-mount and CT0028 docker-socket-mount.
    ///
    /// ## Why it matters
    /// A hostPath volume puts a directory of the node into the pod: the node's credentials,
    /// the container runtime's socket, other pods' data, or a path to write into that the node
    /// later executes.
    ///
    /// ## How to fix
    /// Replace the hostPath volume with an `emptyDir`, a `configMap`/`secret`, or a persistent
    /// volume claim; node agents that really need the host belong in a privileged namespace that
    /// is exempt from the policy.
    pub static RULE = Rule {
        id: "PS0002",
        name: "hostpath-volume",
        title: "Pods have no hostPath volumes",
        severity: Severity::High,
        references: &["pss:hostpath-volumes"],
        fix: "replace the hostPath volume with an emptyDir, configMap, secret or persistentVolumeClaim",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/Volumes"],
            check,
        }),
    };
}

/// Evidence for a pod volume: its name and source key, where the key is written.
pub(crate) fn volume_evidence(v: &PodVolume) -> Evidence {
    let mut value = serde_json::json!({"name": v.name, "source": v.source});
    if let Some(path) = &v.host_path {
        value["path"] = path.as_str().into();
    }
    Evidence::at(&v.at, value)
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(
        w,
        "host mounts are judged by CT0007 sensitive-host-mount and CT0028 docker-socket-mount",
    ) {
        Ok(k) => k,
        Err(v) => return v,
    };
    let bad: Vec<&PodVolume> = k.volumes.iter().filter(|v| v.source == "hostPath").collect();
    if bad.is_empty() {
        return Verdict::pass("the pod has no hostPath volumes");
    }
    let found: Vec<String> = bad
        .iter()
        .map(|v| match &v.host_path {
            Some(path) => format!("pod volume {:?} is a hostPath volume ({path})", v.name),
            None => format!("pod volume {:?} is a hostPath volume", v.name),
        })
        .collect();
    Verdict::fail(found.join("; ")).with_evidence(bad.into_iter().map(volume_evidence))
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, PodVolume, Provenance, Status};

    use super::RULE;
    use crate::pss::testing::*;

    pub(crate) fn volume(name: &str, source: &str, line: u32) -> PodVolume {
        PodVolume {
            name: name.into(),
            source: source.into(),
            host_path: (source == "hostPath").then(|| "/var/run".to_string()),
            at: Provenance::file("pod.yaml", line, 7),
        }
    }

    #[test]
    fn a_hostpath_volume_fails_every_container() {
        let w = kubernetes(KubernetesFacts {
            volumes: vec![volume("cache", "emptyDir", 20), volume("run", "hostPath", 22)],
            ..KubernetesFacts::default()
        });
        let v = judge(&RULE, &w);
        assert_verdict(
            &v,
            Status::Fail,
            "pod volume \"run\" is a hostPath volume (/var/run)",
        );
        assert_eq!(positions(&v), [(22, 7)]);
    }

    #[test]
    fn other_volumes_pass_and_docker_is_not_applicable() {
        let w = kubernetes(KubernetesFacts {
            volumes: vec![volume("cache", "emptyDir", 20)],
            ..KubernetesFacts::default()
        });
        assert_verdict(&judge(&RULE, &w), Status::Pass, "the pod has no hostPath volumes");
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: host mounts are judged by CT0007 sensitive-host-mount and CT0028 docker-socket-mount",
        );
    }
}
