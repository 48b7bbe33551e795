//! Facts about the Docker daemon the workloads run on.

use serde::{Deserialize, Serialize};

use crate::config::DaemonConfig;
use crate::fact::{Fact, Provenance};
use crate::host::Observed;

/// What dockward knows about the daemon.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonFacts {
    /// The endpoint dockward talked to, e.g. `unix:///var/run/docker.sock`.
    pub endpoint: String,
    /// Facts from `GET /info`; `None` when it could not be read.
    pub info: Option<InfoFacts>,
    /// Why `/info` could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info_error: Option<String>,
    /// The daemon's configuration (command line, configuration file, systemd unit); `None` when it
    /// could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<DaemonConfig>,
    /// Why the configuration could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_error: Option<String>,
    /// The daemon's API sockets on the host.
    #[serde(default)]
    pub sockets: Vec<HostSocket>,
    /// Swarm facts, when the node is part of an active swarm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm: Option<SwarmFacts>,
    /// Image and container counts for the sprawl checks (CIS section 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sprawl: Option<Observed<Sprawl>>,
    /// Set when these facts are one daemon.json linted on its own (`dockward lint`): `config`
    /// holds only that file, `endpoint` its path, and there is no running daemon, process or host
    /// behind them. Rules that need those say `not_applicable` instead of `error`, rules that
    /// read a running daemon's report (`/info`) judge the file's key instead, and findings are
    /// on a `daemon-json` target. A flag on dockerd's command line cannot be seen here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub file_only: bool,
}

impl DaemonFacts {
    /// Whether the daemon applies `no-new-privileges` to every container by default, where that
    /// was read.
    pub fn no_new_privileges(&self) -> Option<Fact<bool>> {
        let config = self.config.as_ref()?;
        Some(match config.bool("no-new-privileges") {
            Some((value, setting)) => Fact {
                value,
                at: setting.at.clone(),
            },
            None => Fact {
                value: false,
                at: Provenance::pointer("default (not set)"),
            },
        })
    }
}

/// The parts of `GET /info` the rules use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoFacts {
    /// `ServerVersion`.
    pub server_version: String,
    /// `SecurityOptions`, e.g. `name=seccomp,profile=default`, `name=apparmor`, `name=userns`.
    pub security_options: Fact<Vec<String>>,
    /// `Driver`: the storage driver.
    #[serde(default = "unknown_string")]
    pub driver: Fact<String>,
    /// `DockerRootDir`.
    #[serde(default = "unknown_string")]
    pub docker_root_dir: Fact<String>,
    /// `LoggingDriver`: the default log driver.
    #[serde(default = "unknown_string")]
    pub logging_driver: Fact<String>,
    /// `LiveRestoreEnabled`.
    #[serde(default = "unknown_bool")]
    pub live_restore: Fact<bool>,
    /// `Plugins.Authorization`: active authorization plugins.
    #[serde(default = "unknown_strings")]
    pub authorization_plugins: Fact<Vec<String>>,
    /// `RegistryConfig.InsecureRegistryCIDRs`.
    #[serde(default = "unknown_strings")]
    pub insecure_registry_cidrs: Fact<Vec<String>>,
    /// `RegistryConfig.IndexConfigs` entries with `Secure: false`.
    #[serde(default = "unknown_strings")]
    pub insecure_registries: Fact<Vec<String>>,
    /// `ExperimentalBuild`.
    #[serde(default = "unknown_bool")]
    pub experimental: Fact<bool>,
    /// `Swarm.LocalNodeState`: `inactive`, `pending`, `active`, `error`, `locked`.
    #[serde(default = "unknown_string")]
    pub swarm_state: Fact<String>,
    /// `CgroupVersion`: `1` or `2`; empty when the daemon does not report it (before 20.10) or
    /// the snapshot predates it. Decides whether an unset cgroup namespace mode is the host's.
    #[serde(default = "unknown_string")]
    pub cgroup_version: Fact<String>,
}

fn unknown_string() -> Fact<String> {
    Fact::at_pointer(String::new(), "/info")
}

fn unknown_bool() -> Fact<bool> {
    Fact::at_pointer(false, "/info")
}

fn unknown_strings() -> Fact<Vec<String>> {
    Fact::at_pointer(Vec::new(), "/info")
}

/// Swarm facts from a manager (`/info` `Swarm`, `GET /networks`, `GET /secrets`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwarmFacts {
    /// Whether this node is a manager (`Swarm.ControlAvailable`).
    pub manager: Fact<bool>,
    /// The address other nodes reach this one at (`Swarm.NodeAddr`).
    pub node_addr: Fact<String>,
    /// Number of managers (`Swarm.Managers`).
    pub managers: Fact<u64>,
    /// Number of nodes (`Swarm.Nodes`).
    pub nodes: Fact<u64>,
    /// `Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers` (managers only).
    pub autolock: Observed<bool>,
    /// `Swarm.Cluster.Spec.CAConfig.NodeCertExpiry` in nanoseconds (managers only).
    pub node_cert_expiry_ns: Observed<i64>,
    /// Overlay networks and whether their traffic is encrypted (managers only).
    pub overlay_networks: Observed<Vec<OverlayNetwork>>,
    /// Number of swarm secrets (managers only).
    pub secrets: Observed<u64>,
}

/// An overlay network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlayNetwork {
    /// Name.
    pub name: String,
    /// Whether it is the routing-mesh ingress network.
    pub ingress: bool,
    /// Whether `Options.encrypted` is set.
    pub encrypted: bool,
}

/// Image and container counts (CIS 6.1, 6.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sprawl {
    /// All images.
    pub images: u64,
    /// Images no container (in any state) uses, by first tag or short id.
    pub unused_images: Vec<String>,
    /// All containers.
    pub containers: u64,
    /// Containers not running.
    pub stopped_containers: u64,
}

impl InfoFacts {
    /// Whether `SecurityOptions` lists `name=<name>`.
    pub fn has_security_option(&self, name: &str) -> bool {
        self.security_option(name).is_some()
    }

    /// The `key=value` pairs of the `name=<name>` security option.
    pub fn security_option(&self, name: &str) -> Option<Vec<(&str, &str)>> {
        self.security_options.value.iter().find_map(|opt| {
            let pairs: Vec<(&str, &str)> = opt.split(',').filter_map(|kv| kv.split_once('=')).collect();
            pairs
                .iter()
                .any(|&(k, v)| k == "name" && v == name)
                .then_some(pairs)
        })
    }

    /// The daemon's default seccomp profile name (`default`, `unconfined`, or a path), when seccomp
    /// is supported.
    pub fn seccomp_profile(&self) -> Option<&str> {
        self.security_option("seccomp").map(|pairs| {
            pairs
                .iter()
                .find(|(k, _)| *k == "profile")
                .map_or("default", |&(_, v)| v)
        })
    }
}

/// A Docker API socket on the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostSocket {
    /// Path on the host.
    pub path: String,
    /// File identity, when the socket could be stat'ed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FileId>,
}

/// Device and inode of a host file: equal identities mean the same file, whatever its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileId {
    /// Device number.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
}
