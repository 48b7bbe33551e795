//! Profiles: named starting sets of rules, for enforcement, `lint --profile` and the policy file.
//!
//! A profile is data: a name, a description and the rules it selects. The authorization plugin,
//! the proxy, `lint --profile`, `audit` and the policy file's `profile` all select from this one
//! list, so a profile means the same everywhere. `baseline` and `restricted` follow Kubernetes'
//! Pod Security Standards, mapped to Docker's settings; `cis-level1` and `cis-level2` are the
//! CIS Docker Benchmark 1.6.0 profile levels of the items the rules judge.

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
    /// For a CIS profile, its level: it adds every rule with a reference to a CIS Docker
    /// Benchmark item of this level or below ([`CIS_LEVELS`]).
    pub cis_level: Option<u8>,
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

/// The profile level of each CIS Docker Benchmark 1.6.0 item that has one (`level` of
/// `../shared/reference/cis-docker-1.6.0.tsv`; the appendix items have none), for the
/// cis-level1 and cis-level2 profiles. Generated once from that file; a test compares them.
#[rustfmt::skip]
pub const CIS_LEVELS: &[(&str, u8)] = &[
    ("1.1.1", 1), ("1.1.2", 1), ("1.1.3", 1), ("1.1.4", 1), ("1.1.5", 1), ("1.1.6", 1), ("1.1.7", 2), ("1.1.8", 2),
    ("1.1.9", 2), ("1.1.10", 2), ("1.1.11", 2), ("1.1.12", 2), ("1.1.13", 2), ("1.1.14", 2), ("1.1.15", 2), ("1.1.16", 2),
    ("1.1.17", 2), ("1.1.18", 2), ("1.2.1", 1), ("1.2.2", 1), ("2.1", 1), ("2.2", 1), ("2.3", 1), ("2.4", 1),
    ("2.5", 1), ("2.6", 1), ("2.7", 1), ("2.8", 1), ("2.9", 2), ("2.10", 2), ("2.11", 2), ("2.12", 2),
    ("2.13", 2), ("2.14", 1), ("2.15", 1), ("2.16", 1), ("2.17", 2), ("2.18", 1), ("3.1", 1), ("3.2", 1),
    ("3.3", 1), ("3.4", 1), ("3.5", 1), ("3.6", 1), ("3.7", 1), ("3.8", 1), ("3.9", 1), ("3.10", 1),
    ("3.11", 1), ("3.12", 1), ("3.13", 1), ("3.14", 1), ("3.15", 1), ("3.16", 1), ("3.17", 2), ("3.18", 2),
    ("3.19", 2), ("3.20", 2), ("3.21", 2), ("3.22", 2), ("3.23", 1), ("3.24", 1), ("4.1", 1), ("4.2", 1),
    ("4.3", 1), ("4.4", 1), ("4.5", 2), ("4.6", 1), ("4.7", 1), ("4.8", 2), ("4.9", 1), ("4.10", 1),
    ("4.11", 2), ("4.12", 1), ("5.1", 1), ("5.2", 1), ("5.3", 2), ("5.4", 1), ("5.5", 1), ("5.6", 1),
    ("5.7", 1), ("5.8", 1), ("5.9", 1), ("5.10", 1), ("5.11", 1), ("5.12", 1), ("5.13", 1), ("5.14", 1),
    ("5.15", 1), ("5.16", 1), ("5.17", 1), ("5.18", 1), ("5.19", 1), ("5.20", 1), ("5.21", 1), ("5.22", 1),
    ("5.23", 2), ("5.24", 2), ("5.25", 1), ("5.26", 1), ("5.27", 1), ("5.28", 1), ("5.29", 1), ("5.30", 2),
    ("5.31", 1), ("5.32", 1), ("6.1", 1), ("6.2", 1), ("7.1", 1), ("7.2", 1), ("7.3", 1), ("7.4", 1),
    ("7.5", 1), ("7.6", 1), ("7.7", 1), ("7.8", 1), ("7.9", 1),
];

/// The CIS Docker Benchmark 1.6.0 references are written `cis-docker-1.6.0:<item>`.
const CIS_PREFIX: &str = "cis-docker-1.6.0:";

/// The profile level of a CIS Docker Benchmark 1.6.0 item (`"5.5"`): 1 or 2, `None` for an item
/// without one.
pub fn cis_level(item: &str) -> Option<u8> {
    CIS_LEVELS
        .iter()
        .find(|(i, _)| *i == item)
        .map(|(_, level)| *level)
}

/// The requests that would escape enforcement whatever the profile: the CIS profiles select
/// them besides the benchmark's items, so an enforced CIS profile cannot be switched off through
/// the API it guards (disabling the plugin) or side-stepped (BuildKit streams, host-network
/// builds).
#[rustfmt::skip]
const ENFORCEMENT_RULES: &[&str] = &[
    "RQ0003", // host-network-build
    "RQ0004", // buildkit-session
    "RQ0005", // plugin-change
];

/// Every profile, in the order `Profile` lists them.
pub static PROFILES: &[ProfileSpec] = &[
    ProfileSpec {
        name: "baseline",
        description: "denies what lets a container or an API call take over the host; allows (and logs) unknown routes; for Kubernetes manifests, the baseline Pod Security Standard (v1.37)",
        extends: None,
        rules: BASELINE_RULES,
        cis_level: None,
    },
    ProfileSpec {
        name: "restricted",
        description: "baseline, plus a non-root user, no-new-privileges, all capabilities dropped, PIDs and memory limits; denies unknown routes; for Kubernetes manifests, the restricted Pod Security Standard (v1.37)",
        extends: Some(Profile::Baseline),
        rules: RESTRICTED_RULES,
        cis_level: None,
    },
    ProfileSpec {
        name: "cis-level1",
        description: "the CIS Docker Benchmark 1.6.0 Level 1 profile: every rule that judges a Level 1 item (host, daemon, files, images, Dockerfiles, containers, opt-in rules aside) and, for enforcement, the requests that would escape it (host-network builds, BuildKit streams, plugin changes); other rules that judge no CIS item (the Pod Security controls, unknown routes, Docker's platform guidance) are not selected: turn them on with enable",
        extends: None,
        rules: ENFORCEMENT_RULES,
        cis_level: Some(1),
    },
    ProfileSpec {
        name: "cis-level2",
        description: "the CIS Docker Benchmark 1.6.0 Level 2 profile: cis-level1 plus every rule that judges a Level 2 item (the privileged and root exec requests among them), opt-in rules aside; rules that judge no CIS item are not selected: turn them on with enable",
        extends: Some(Profile::CisLevel1),
        rules: &[],
        cis_level: Some(2),
    },
];

/// An enforcement profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Kubernetes' baseline, for Docker.
    Baseline,
    /// Kubernetes' restricted, for Docker.
    Restricted,
    /// The CIS Docker Benchmark's Level 1 items.
    CisLevel1,
    /// The CIS Docker Benchmark's Level 1 and Level 2 items.
    CisLevel2,
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
    pub const ALL: [Profile; 4] = [
        Profile::Baseline,
        Profile::Restricted,
        Profile::CisLevel1,
        Profile::CisLevel2,
    ];

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
        spec.rules.contains(&rule_id)
            || spec.cis_level.is_some_and(|level| {
                crate::registry::RULES
                    .iter()
                    .find(|r| r.id == rule_id)
                    .is_some_and(|rule| judges_cis_level(rule, level))
            })
            || spec.extends.is_some_and(|base| base.selects(rule_id))
    }

    /// [`selects`](Self::selects) for a rule at hand: a CIS profile reads its references instead
    /// of looking the id up.
    pub fn selects_rule(self, rule: &Rule) -> bool {
        let spec = self.spec();
        spec.rules.contains(&rule.id)
            || spec.cis_level.is_some_and(|level| judges_cis_level(rule, level))
            || spec.extends.is_some_and(|base| base.selects_rule(rule))
    }

    /// Whether the profile is one of Kubernetes' Pod Security Standards mapped to Docker
    /// (baseline, restricted), which judges Kubernetes containers by the standard's controls.
    pub fn follows_pod_security(self) -> bool {
        matches!(self, Profile::Baseline | Profile::Restricted)
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
        static SELECTIONS: [OnceLock<Selection>; Profile::ALL.len()] =
            [const { OnceLock::new() }; Profile::ALL.len()];
        SELECTIONS[self as usize].get_or_init(|| {
            let all: Vec<&'static Rule> = RULES.iter().copied().filter(|r| self.selects_rule(r)).collect();
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

/// Whether a CIS profile of `level` selects the rule: it judges a CIS Docker Benchmark 1.6.0
/// item of that level or below, and is not opt-in (an opt-in rule is a stricter reading of an
/// item another rule judges; `enable` still turns it on).
fn judges_cis_level(rule: &Rule, level: u8) -> bool {
    !rule.opt_in()
        && rule.references.iter().any(|r| {
            r.strip_prefix(CIS_PREFIX)
                .and_then(cis_level)
                .is_some_and(|l| l <= level)
        })
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

    /// The CIS reference table: `DOCKWARD_CIS_TSV`, else `../shared/reference/cis-docker-1.6.0.tsv`
    /// beside the repository.
    fn cis_tsv() -> std::path::PathBuf {
        match std::env::var_os("DOCKWARD_CIS_TSV") {
            Some(path) => path.into(),
            None => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/reference/cis-docker-1.6.0.tsv"),
        }
    }

    #[test]
    fn the_cis_levels_are_the_reference_tables() {
        let path = cis_tsv();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
                eprintln!("skipped: {}: {e} (set DOCKWARD_CIS_TSV)", path.display());
                return;
            }
            Err(e) => panic!("the CIS reference table is missing: {}: {e}", path.display()),
        };
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let item = header.iter().position(|c| *c == "cis_id").unwrap();
        let level = header.iter().position(|c| *c == "level").unwrap();
        let mut expected = Vec::new();
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let columns: Vec<&str> = line.split('\t').collect();
            match columns[level] {
                "-" => {}
                l => expected.push((columns[item], l.parse::<u8>().unwrap())),
            }
        }
        assert_eq!(CIS_LEVELS, expected.as_slice());
    }

    #[test]
    fn cis_profiles_select_the_rules_that_judge_an_item_of_their_level() {
        let level_of = |rule: &Rule| -> Option<u8> {
            rule.references
                .iter()
                .filter_map(|r| r.strip_prefix("cis-docker-1.6.0:").and_then(cis_level))
                .min()
        };
        for rule in crate::RULES {
            for profile in Profile::ALL {
                assert_eq!(
                    profile.selects_rule(rule),
                    profile.selects(rule.id),
                    "{}",
                    rule.id
                );
            }
            let level = level_of(rule).filter(|_| !rule.opt_in());
            let escape = ENFORCEMENT_RULES.contains(&rule.id);
            assert_eq!(
                Profile::CisLevel1.selects(rule.id),
                level == Some(1) || escape,
                "{}",
                rule.id
            );
            assert_eq!(
                Profile::CisLevel2.selects(rule.id),
                level.is_some() || escape,
                "{}",
                rule.id
            );
        }
        // Spot checks: a level 1 container rule, level 2 request rules, rules without a CIS item.
        let selected = |profile: Profile, ids: &[&'static str]| -> Vec<&'static str> {
            ids.iter().copied().filter(|id| profile.selects(id)).collect()
        };
        let ids = [
            "HO0001", "CT0006", "RQ0001", "RQ0002", "RQ0005", "RQ0007", "PS0001", "DF0008",
        ];
        assert_eq!(selected(Profile::CisLevel1, &ids), ["HO0001", "CT0006", "RQ0005"]);
        assert_eq!(
            selected(Profile::CisLevel2, &ids),
            ["HO0001", "CT0006", "RQ0001", "RQ0002", "RQ0005"]
        );
        assert_eq!(Profile::CisLevel2.spec().extends, Some(Profile::CisLevel1));
        for rule in Profile::CisLevel1.rules() {
            assert!(Profile::CisLevel2.selects(rule.id), "{}", rule.id);
        }
        let ids = |rules: &[&Rule]| rules.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(
            ids(Profile::CisLevel1.request_rules()),
            ["RQ0003", "RQ0004", "RQ0005"]
        );
        assert_eq!(
            ids(Profile::CisLevel2.request_rules()),
            ["RQ0001", "RQ0002", "RQ0003", "RQ0004", "RQ0005"]
        );
        assert!(!Profile::CisLevel1.follows_pod_security());
        assert!(Profile::Restricted.follows_pod_security());
    }

    #[test]
    fn names_round_trip() {
        for profile in Profile::ALL {
            assert_eq!(profile.name().parse::<Profile>(), Ok(profile));
            assert_eq!(profile.to_string(), profile.name());
        }
        assert_eq!("cis-level2".parse::<Profile>(), Ok(Profile::CisLevel2));
        assert_eq!(Profile::ALL.len(), PROFILES.len());
        assert_eq!(
            "Baseline".parse::<Profile>().unwrap_err().to_string(),
            "unknown profile \"Baseline\": expected one of baseline, restricted, cis-level1, cis-level2"
        );
    }
}
