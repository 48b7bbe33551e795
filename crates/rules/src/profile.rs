//! Enforcement profiles: which rules decide whether a request is allowed.
//!
//! A profile is data: a name, a description and the ids of the rules it selects. The
//! authorization plugin, the proxy and (later) `lint --profile` and the policy file all select
//! from this one list, so a profile means the same everywhere. Profiles follow Kubernetes' Pod
//! Security Standards, mapped to Docker's settings.

use std::sync::OnceLock;

use crate::registry::RULES;
use crate::rule::{Check, Rule};

/// A profile's definition.
#[derive(Debug)]
pub struct ProfileSpec {
    /// The name users write (`--profile baseline`).
    pub name: &'static str,
    /// One line saying what it is for.
    pub description: &'static str,
    /// The profile it builds on, whose rules it selects too.
    pub extends: Option<Profile>,
    /// The ids of the rules it adds (judged in registry order).
    pub rules: &'static [&'static str],
}

/// Settings that let a container take over the host, and API calls that escape rules:
/// Kubernetes' baseline standard plus the requests dockerd does not authorize.
#[rustfmt::skip]
const BASELINE_RULES: &[&str] = &[
    "CT0002", // apparmor-unconfined
    "CT0003", // selinux-unconfined
    "CT0004", // added-capabilities
    "CT0006", // privileged-container
    "CT0007", // sensitive-host-mount
    "CT0009", // host-network
    "CT0015", // host-pid
    "CT0016", // host-ipc
    "CT0017", // host-devices (also device cgroup rules and device requests)
    "CT0020", // host-uts
    "CT0021", // seccomp-unconfined
    "CT0022", // cgroup-parent-set
    "CT0027", // host-userns
    "CT0028", // docker-socket-mount
    "CT0029", // host-cgroupns
    "CT0030", // unsafe-sysctls
    "CT0031", // systempaths-unconfined
    "RQ0001", // privileged-exec
    "RQ0003", // host-network-build
    "RQ0004", // buildkit-session
    "RQ0005", // plugin-change
    // Kubernetes containers: the baseline Pod Security Standards controls that no container
    // rule above judges the same way (not applicable to Docker containers).
    "PS0001", // windows-host-process
    "PS0002", // hostpath-volume
    "PS0003", // host-port
    "PS0004", // forbidden-apparmor-profile
    "PS0005", // forbidden-selinux-options
    "PS0006", // forbidden-sysctls
    "PS0007", // probe-host
    "PS0008", // forbidden-seccomp-profile (replaced by PS0015 under restricted)
    "PS0009", // non-default-capabilities (replaced by PS0016 under restricted)
    "PS0010", // unmasked-proc-mount (replaced by PS0017 under restricted)
];

/// What Kubernetes' restricted standard asks of every workload on top of baseline.
#[rustfmt::skip]
const RESTRICTED_RULES: &[&str] = &[
    "CT0001", // runs-as-root
    "CT0010", // memory-unlimited
    "CT0023", // new-privileges-allowed
    "CT0025", // pids-unlimited
    "CT0032", // capabilities-not-dropped
    "RQ0002", // exec-as-root
    "RQ0006", // update-lifts-limit
    "RQ0007", // unknown-route
    // Kubernetes containers: the restricted Pod Security Standards controls.
    "PS0011", // restricted-volume-type
    "PS0012", // privilege-escalation-allowed
    "PS0013", // run-as-non-root-unset
    "PS0014", // run-as-user-root
    "PS0015", // seccomp-profile-unset
    "PS0016", // capabilities-unrestricted
    "PS0017", // restricted-unmasked-proc-mount
];

/// Every profile, in the order `Profile` lists them.
pub static PROFILES: &[ProfileSpec] = &[
    ProfileSpec {
        name: "baseline",
        description: "denies what lets a container or an API call take over the host; allows (and logs) unknown routes; for Kubernetes manifests, the baseline Pod Security Standard (v1.37)",
        extends: None,
        rules: BASELINE_RULES,
    },
    ProfileSpec {
        name: "restricted",
        description: "baseline, plus a non-root user, no-new-privileges, all capabilities dropped, PIDs and memory limits; denies unknown routes; for Kubernetes manifests, the restricted Pod Security Standard (v1.37)",
        extends: Some(Profile::Baseline),
        rules: RESTRICTED_RULES,
    },
];

/// An enforcement profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Kubernetes' baseline, for Docker.
    Baseline,
    /// Kubernetes' restricted, for Docker.
    Restricted,
}

/// The rules of one profile, resolved once from ids to the registry's rules.
struct Selection {
    /// Every rule of the profile, in registry order.
    all: Vec<&'static Rule>,
    /// Its container rules.
    containers: Vec<&'static Rule>,
    /// Its container rules that read nothing but mounts: the rules a volume is judged by.
    volumes: Vec<&'static Rule>,
    /// Its request rules.
    requests: Vec<&'static Rule>,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 2] = [Profile::Baseline, Profile::Restricted];

    /// Its definition.
    pub fn spec(self) -> &'static ProfileSpec {
        &PROFILES[self as usize]
    }

    /// The name users write.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Whether the profile selects the rule with this id (itself or through the profile it
    /// extends).
    pub fn selects(self, rule_id: &str) -> bool {
        let spec = self.spec();
        spec.rules.contains(&rule_id) || spec.extends.is_some_and(|base| base.selects(rule_id))
    }

    /// The profile's rules, in registry order.
    pub fn rules(self) -> &'static [&'static Rule] {
        &self.selection().all
    }

    /// The profile's container rules, in registry order.
    pub fn container_rules(self) -> &'static [&'static Rule] {
        &self.selection().containers
    }

    /// The profile's container rules whose facts are all under `/Mounts`: what a volume
    /// (`POST /volumes/create`) is judged by.
    pub fn volume_rules(self) -> &'static [&'static Rule] {
        &self.selection().volumes
    }

    /// The profile's request rules, in registry order.
    pub fn request_rules(self) -> &'static [&'static Rule] {
        &self.selection().requests
    }

    fn selection(self) -> &'static Selection {
        static SELECTIONS: [OnceLock<Selection>; 2] = [OnceLock::new(), OnceLock::new()];
        SELECTIONS[self as usize].get_or_init(|| {
            let all: Vec<&'static Rule> = RULES.iter().copied().filter(|r| self.selects(r.id)).collect();
            let containers: Vec<&'static Rule> = all
                .iter()
                .copied()
                .filter(|r| matches!(r.check, Check::Container(_)))
                .collect();
            let volumes = containers.iter().copied().filter(|r| judges_volumes(r)).collect();
            let requests = all
                .iter()
                .copied()
                .filter(|r| matches!(r.check, Check::Request(_)))
                .collect();
            Selection {
                all,
                containers,
                volumes,
                requests,
            }
        })
    }
}

/// Whether a rule is one of the Pod Security Standards controls: a PS rule, or a container rule
/// that judges a control as the standard does (it carries a `pss` reference).
///
/// Under a profile a Kubernetes container is judged by exactly these, so a pod the Pod Security
/// Admission admits at a level passes dockward's profile of that name; the profile's other
/// container rules are its mapping of the standard to Docker's settings (the socket, sensitive
/// host paths, Docker's seccomp default, limits), which the PS rules replace for Kubernetes, as
/// those container rules replace the PS rules for Docker containers.
pub fn is_pod_security_control(rule: &Rule) -> bool {
    crate::rule::Scope::of(rule.id) == Some(crate::rule::Scope::Pss)
        || rule.references.iter().any(|r| r.starts_with("pss"))
}

/// Whether a rule judges volumes (`POST /volumes/create`): a container rule whose facts are all
/// under `/Mounts`.
pub fn judges_volumes(rule: &Rule) -> bool {
    match rule.check {
        Check::Container(c) => c.needs.iter().all(|n| under_mounts(n)),
        _ => false,
    }
}

fn under_mounts(pointer: &str) -> bool {
    pointer == "/Mounts" || pointer.starts_with("/Mounts/")
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A profile name that is not one of [`PROFILES`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownProfile(pub String);

impl std::fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
        write!(
            f,
            "unknown profile \"{}\": expected one of {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownProfile {}

impl std::str::FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownProfile(s.to_string()))
    }
}

impl serde::Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_id_is_a_rule_and_restricted_extends_baseline() {
        for spec in PROFILES {
            for id in spec.rules {
                assert!(
                    crate::find(id).is_some_and(|r| r.id == *id),
                    "{}: {id}",
                    spec.name
                );
            }
        }
        for rule in Profile::Baseline.rules() {
            assert!(Profile::Restricted.selects(rule.id), "{}", rule.id);
        }
        assert_eq!(
            Profile::Restricted.rules().len(),
            BASELINE_RULES.len() + RESTRICTED_RULES.len()
        );
    }

    #[test]
    fn each_profile_selects_its_pod_security_controls() {
        let pss = |profile: Profile| -> Vec<&str> {
            profile
                .rules()
                .iter()
                .filter(|r| r.references.iter().any(|x| x.starts_with("pss")))
                .map(|r| r.id)
                .collect()
        };
        assert_eq!(
            pss(Profile::Baseline),
            [
                "CT0006", "CT0009", "CT0015", "CT0016", "PS0001", "PS0002", "PS0003", "PS0004", "PS0005",
                "PS0006", "PS0007", "PS0008", "PS0009", "PS0010"
            ]
        );
        let restricted = pss(Profile::Restricted);
        assert_eq!(
            restricted[restricted.len() - 7..],
            [
                "PS0011", "PS0012", "PS0013", "PS0014", "PS0015", "PS0016", "PS0017"
            ]
        );
        // Every rule with a Pod Security reference is in the profile of its level.
        for rule in crate::RULES {
            for reference in rule.references {
                if reference.starts_with("pss:") || reference.starts_with("pss-baseline:") {
                    assert!(Profile::Baseline.selects(rule.id), "{}", rule.id);
                } else if reference.starts_with("pss-restricted:") {
                    assert!(
                        Profile::Restricted.selects(rule.id) && !Profile::Baseline.selects(rule.id),
                        "{}",
                        rule.id
                    );
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for profile in Profile::ALL {
            assert_eq!(profile.name().parse::<Profile>(), Ok(profile));
            assert_eq!(profile.to_string(), profile.name());
        }
        assert_eq!(
            "Baseline".parse::<Profile>().unwrap_err().to_string(),
            "unknown profile \"Baseline\": expected one of baseline, restricted"
        );
    }
}
