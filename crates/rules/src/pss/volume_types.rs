//! Pod Security Standards, restricted: Volume Types.

use dockward_model::PodVolume;

use crate::prelude::*;

use super::hostpath_volumes::volume_evidence;
use super::pod_facts;

/// The volume sources the restricted standard allows.
pub const ALLOWED: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

declare_rule! {
    /// ## What it checks
    /// The Pod Security Standards' restricted *Volume Types* control: every volume of the pod must
    /// be a `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`,
    /// `persistentVolumeClaim`, `projected` or `secret` volume. Any other source (`hostPath`,
    /// `nfs`, `iscsi`, `gitRepo`, `cephfs`, or a key Kubernetes does not know) fails, and every
    /// container of such a pod fails. A volume that names no source is an `emptyDir`: the API
    /// server defaults it so before admission.
    ///
    /// A Docker container is not applicable: its host mounts are judged by CT0007
    /// sensitive-host-mount and CT0028 docker-socket-mount.
    ///
    /// ## Why it matters
    /// The other volume types mount storage straight from the node or the network with the pod
    /// author's parameters, outside the cluster's storage classes and their access control;
    /// `gitRepo` even runs `git` on the node.
    ///
    /// ## How to fix
    /// Use a `persistentVolumeClaim` (through a storage class or a CSI driver) for storage, and
    /// `configMap`, `secret`, `projected` or `emptyDir` for the rest.
    pub static RULE = Rule {
        id: "PS0011",
        name: "restricted-volume-type",
        title: "Pods use only the restricted standard's volume types",
        severity: Severity::Medium,
        references: &["pss-restricted:volume-types"],
        fix: "replace the volume with a persistentVolumeClaim, or a configMap, secret, projected or emptyDir volume",
        check: Check::Container(ContainerCheck {
            needs: &["/Kubernetes/Volumes"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let k = match pod_facts(
        w,
        "host mounts are judged by CT0007 sensitive-host-mount and CT0028 docker-socket-mount",
    ) {
        Ok(k) => k,
        Err(v) => return v,
    };
    let bad: Vec<&PodVolume> = k
        .volumes
        .iter()
        // No source: Kubernetes' default, `emptyDir`.
        .filter(|v| !v.source.is_empty() && !ALLOWED.contains(&v.source.as_str()))
        .collect();
    if bad.is_empty() {
        return Verdict::pass("every volume of the pod is of an allowed type");
    }
    let found: Vec<String> = bad
        .iter()
        .map(|v| format!("pod volume {:?} has the restricted type {:?}", v.name, v.source))
        .collect();
    Verdict::fail(found.join("; ")).with_evidence(bad.into_iter().map(volume_evidence))
}

#[cfg(test)]
mod tests {
    use dockward_model::{KubernetesFacts, PodVolume, Provenance, Status};

    use super::RULE;
    use crate::profile::Profile;
    use crate::pss::testing::*;

    fn volume(name: &str, source: &str, line: u32) -> PodVolume {
        PodVolume {
            name: name.into(),
            source: source.into(),
            host_path: None,
            at: Provenance::file("pod.yaml", line, 7),
        }
    }

    #[test]
    fn other_and_unknown_volume_types_fail() {
        let w = kubernetes(KubernetesFacts {
            volumes: vec![
                volume("a", "secret", 20),
                volume("b", "nfs", 22),
                volume("c", "foo", 24),
            ],
            ..KubernetesFacts::default()
        });
        let v = judge_in(&RULE, &w, Some(Profile::Restricted));
        assert_verdict(
            &v,
            Status::Fail,
            "pod volume \"b\" has the restricted type \"nfs\"; pod volume \"c\" has the restricted type \"foo\"",
        );
        assert_eq!(positions(&v), [(22, 7), (24, 7)]);
    }

    #[test]
    fn allowed_types_and_the_default_pass_and_docker_is_not_applicable() {
        let mut volumes: Vec<PodVolume> = super::ALLOWED.iter().map(|s| volume(s, s, 20)).collect();
        // A volume without a source is an emptyDir.
        volumes.push(volume("scratch", "", 30));
        let w = kubernetes(KubernetesFacts {
            volumes,
            ..KubernetesFacts::default()
        });
        assert_verdict(
            &judge_in(&RULE, &w, Some(Profile::Restricted)),
            Status::Pass,
            "every volume of the pod is of an allowed type",
        );
        assert_verdict(
            &judge(&RULE, &docker()),
            Status::NotApplicable,
            "a Docker container: host mounts are judged by CT0007 sensitive-host-mount and CT0028 docker-socket-mount",
        );
    }
}
