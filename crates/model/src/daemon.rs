//! Facts about the Docker daemon the workloads run on.

use serde::{Deserialize, Serialize};

use crate::fact::Fact;

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
    /// Whether the daemon applies `no-new-privileges` to every container by default;
    /// `None` when its configuration was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_new_privileges: Option<Fact<bool>>,
    /// The daemon's API sockets on the host.
    #[serde(default)]
    pub sockets: Vec<HostSocket>,
}

/// The parts of `GET /info` the rules use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoFacts {
    /// `ServerVersion`.
    pub server_version: String,
    /// `SecurityOptions`, e.g. `name=seccomp,profile=default`, `name=apparmor`, `name=userns`.
    pub security_options: Fact<Vec<String>>,
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
