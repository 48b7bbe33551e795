//! The daemon's effective configuration, merged from every place it comes from.
//!
//! dockerd takes its settings from its command line and from one JSON file (`--config-file`, else
//! `/etc/docker/daemon.json`, rootless `~/.config/docker/daemon.json`); systemd decides the command
//! line. Each setting keeps where it was set, so a finding can point at the flag or the line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fact::{Fact, Provenance};

/// The running daemon's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonConfig {
    /// The dockerd process serving the audited endpoint.
    pub process: DaemonProcess,
    /// The configuration file dockerd reads.
    pub config_file: ConfigFile,
    /// Effective settings by daemon.json key (`icc`, `hosts`, `log-level` …): set on the command
    /// line or in the file. Keys not set anywhere are absent and take dockerd's default.
    pub settings: BTreeMap<String, Setting>,
    /// The systemd unit that starts dockerd, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<SystemdUnit>,
    /// Inconsistencies between the sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ConfigProblem>,
}

impl DaemonConfig {
    /// A setting by its daemon.json key.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.get(key)
    }

    /// A boolean setting; `None` when unset or not a boolean.
    pub fn bool(&self, key: &str) -> Option<(bool, &Setting)> {
        let setting = self.get(key)?;
        setting.value.as_bool().map(|b| (b, setting))
    }

    /// A string setting; `None` when unset or not a string.
    pub fn str(&self, key: &str) -> Option<(&str, &Setting)> {
        let setting = self.get(key)?;
        setting.value.as_str().map(|s| (s, setting))
    }

    /// A list setting (`hosts`, `insecure-registries` …) as strings; empty when unset.
    pub fn strings(&self, key: &str) -> Vec<&str> {
        match self.get(key).map(|s| &s.value) {
            Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str()).collect(),
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            _ => Vec::new(),
        }
    }
}

/// A setting's value and where it was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The value, typed as in daemon.json (flags are converted: `--icc=false` → `false`,
    /// repeated `-H` → a list).
    pub value: serde_json::Value,
    /// Where it was set: a daemon argument or a daemon.json position.
    pub at: Provenance,
}

/// The dockerd process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonProcess {
    /// Process id (in the audited host's PID namespace).
    pub pid: u32,
    /// Executable path (`/proc/PID/exe`), when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exe: Option<String>,
    /// Effective user id of the process.
    pub uid: u32,
    /// Command line.
    pub argv: Vec<String>,
    /// How the process was identified, e.g. `listens on /run/docker.sock (socket inode 4711)`.
    pub found_by: String,
    /// The systemd unit whose cgroup holds the process (`docker.service`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub systemd_unit: Option<String>,
}

/// The daemon configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFile {
    /// Path on the audited host.
    pub path: String,
    /// Whether `--config-file` named it (otherwise it is the default location).
    pub explicit: bool,
    /// What was found there.
    pub state: ConfigFileState,
}

/// The outcome of reading the configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConfigFileState {
    /// Read and parsed.
    Read,
    /// Not there (dockerd then uses its flags and defaults only).
    Missing,
    /// There but not readable.
    Unreadable {
        /// Why.
        reason: String,
    },
    /// Not valid JSON (dockerd refuses to start with it).
    Invalid {
        /// The parser's message, with line and column.
        reason: String,
    },
}

/// The systemd service unit that starts dockerd.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemdUnit {
    /// Unit name, e.g. `docker.service`.
    pub name: String,
    /// The unit file (`FragmentPath`).
    pub fragment: String,
    /// Drop-in files, in the order systemd applies them.
    #[serde(default)]
    pub drop_ins: Vec<String>,
    /// The effective `ExecStart=` command line, split into words, where it was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_start: Option<Fact<Vec<String>>>,
}

/// An inconsistency between configuration sources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigProblem {
    /// What kind.
    pub kind: ConfigProblemKind,
    /// Which setting (daemon.json key), when one is concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// What is wrong, for people.
    pub message: String,
    /// Where the conflicting values were set.
    #[serde(default)]
    pub at: Vec<Provenance>,
}

/// Kinds of configuration inconsistency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigProblemKind {
    /// Set both as a flag and in the file: dockerd refuses to start (or restart) with this.
    FlagAndFile,
    /// The same key twice in the file: the last one silently wins.
    DuplicateKey,
    /// A key dockerd does not know: dockerd refuses to start with this.
    UnknownKey,
    /// A value of the wrong JSON type for its key (`"icc": "no"`): dockerd refuses to start.
    InvalidValue,
    /// The systemd unit would start dockerd differently from how it runs now.
    UnitDiffers,
    /// The running daemon reports a value the configuration does not set (changed since start).
    LiveDiffers,
}
