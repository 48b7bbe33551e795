//! Facts about the host the daemon runs on: files, audit rules, accounts, kernel features,
//! mounts and listening sockets.
//!
//! Every fact that could not be read says why ([`Observed::Unknown`]), so rules can report
//! `error` with the reason instead of guessing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fact::{Fact, Provenance};

/// A fact, or the reason it could not be observed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Observed<T> {
    /// Read.
    Known(Fact<T>),
    /// Not read, and why (permission denied, file missing, not available in this mode).
    Unknown {
        /// Why.
        reason: String,
    },
}

impl<T> Observed<T> {
    /// An unknown fact.
    pub fn unknown(reason: impl Into<String>) -> Self {
        Observed::Unknown {
            reason: reason.into(),
        }
    }

    /// The fact, or the reason it is unknown.
    pub fn as_result(&self) -> Result<&Fact<T>, &str> {
        match self {
            Observed::Known(fact) => Ok(fact),
            Observed::Unknown { reason } => Err(reason),
        }
    }
}

/// File roles: the keys of [`HostFacts::files`].
pub mod role {
    /// The `docker.service` unit file.
    pub const DOCKER_SERVICE: &str = "docker.service";
    /// The `docker.socket` unit file.
    pub const DOCKER_SOCKET_UNIT: &str = "docker.socket";
    /// The `/etc/docker` directory.
    pub const ETC_DOCKER: &str = "/etc/docker";
    /// The daemon configuration file in effect.
    pub const DAEMON_JSON: &str = "daemon.json";
    /// The TLS CA certificate (`--tlscacert`).
    pub const TLS_CA_CERT: &str = "tlscacert";
    /// The TLS server certificate (`--tlscert`).
    pub const TLS_CERT: &str = "tlscert";
    /// The TLS server key (`--tlskey`).
    pub const TLS_KEY: &str = "tlskey";
    /// `/etc/default/docker` (Debian family).
    pub const ETC_DEFAULT_DOCKER: &str = "/etc/default/docker";
    /// `/etc/sysconfig/docker` (RHEL family).
    pub const ETC_SYSCONFIG_DOCKER: &str = "/etc/sysconfig/docker";
    /// containerd's API socket.
    pub const CONTAINERD_SOCKET: &str = "containerd.sock";
}

/// Audit target roles: the keys of [`HostFacts::audit_targets`] (CIS 1.1.3–1.1.18).
pub mod audit_target {
    /// The dockerd binary.
    pub const DOCKERD: &str = "dockerd";
    /// `/run/containerd`.
    pub const RUN_CONTAINERD: &str = "/run/containerd";
    /// The daemon's data root (`DockerRootDir`).
    pub const DATA_ROOT: &str = "data-root";
    /// `/etc/docker`.
    pub const ETC_DOCKER: &str = "/etc/docker";
    /// The `docker.service` unit file.
    pub const DOCKER_SERVICE: &str = "docker.service";
    /// containerd's socket.
    pub const CONTAINERD_SOCKET: &str = "containerd.sock";
    /// The `docker.socket` unit file.
    pub const DOCKER_SOCKET_UNIT: &str = "docker.socket";
    /// `/etc/default/docker`.
    pub const ETC_DEFAULT_DOCKER: &str = "/etc/default/docker";
    /// The daemon configuration file.
    pub const DAEMON_JSON: &str = "daemon.json";
    /// `/etc/containerd/config.toml`.
    pub const CONTAINERD_CONFIG: &str = "/etc/containerd/config.toml";
    /// `/etc/sysconfig/docker`.
    pub const ETC_SYSCONFIG_DOCKER: &str = "/etc/sysconfig/docker";
    /// The containerd binary.
    pub const CONTAINERD: &str = "containerd";
    /// The containerd-shim binary.
    pub const CONTAINERD_SHIM: &str = "containerd-shim";
    /// The containerd-shim-runc-v1 binary.
    pub const CONTAINERD_SHIM_RUNC_V1: &str = "containerd-shim-runc-v1";
    /// The containerd-shim-runc-v2 binary.
    pub const CONTAINERD_SHIM_RUNC_V2: &str = "containerd-shim-runc-v2";
    /// The runc binary.
    pub const RUNC: &str = "runc";
}

/// What dockward read on the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostFacts {
    /// Where the host's filesystem was read: `/`, or the `--host-root` directory.
    pub root: String,
    /// The host's name.
    pub hostname: String,
    /// dockward's effective user id while collecting (checks needing root report `error` otherwise).
    pub collector_uid: u32,
    /// Files by role (see [`role`]); a role is absent when the configuration names no such file.
    pub files: BTreeMap<String, FileFacts>,
    /// The daemon's unix API sockets.
    pub api_sockets: Vec<FileFacts>,
    /// Every file below `/etc/docker/certs.d`.
    pub registry_certs: Observed<Vec<FileFacts>>,
    /// Audit rules, loaded in the kernel and configured in files.
    pub audit: AuditFacts,
    /// The paths CIS 1.1.3–1.1.18 want audited, by role (see [`audit_target`]).
    pub audit_targets: BTreeMap<String, AuditTarget>,
    /// Who can reach the daemon's unix socket.
    pub socket_access: Observed<SocketAccess>,
    /// Accounts with UID 0 (from `/etc/passwd`).
    pub uid0_accounts: Observed<Vec<Account>>,
    /// Whether the kernel supports seccomp filtering.
    pub kernel_seccomp: Observed<bool>,
    /// Whether AppArmor is enabled in the kernel.
    pub apparmor_enabled: Observed<bool>,
    /// SELinux mode: `enforcing`, `permissive` or `disabled`.
    pub selinux_mode: Observed<String>,
    /// The filesystem holding the daemon's data root.
    pub data_root_mount: Observed<MountPoint>,
    /// TCP sockets the dockerd process listens on.
    pub daemon_listeners: Observed<Vec<Listener>>,
}

/// A file's owner and mode, or why they are unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    /// Path on the audited host.
    pub path: String,
    /// Where the path came from, e.g. `--tlscacert`, `default location`.
    pub origin: String,
    /// What was found.
    pub state: FileState,
}

/// What is at a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FileState {
    /// The file exists.
    Present(FileStat),
    /// Nothing is there.
    Missing,
    /// It could not be examined.
    Unreadable {
        /// Why.
        reason: String,
    },
}

/// Owner, group, type and permission bits of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    /// `file`, `directory`, `socket`, `symlink`, `other`.
    pub kind: String,
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// Owner name, when it resolves on the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Group name, when it resolves on the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Permission bits including setuid, setgid and sticky (`mode & 0o7777`).
    pub mode: u32,
}

/// A path CIS wants covered by audit rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditTarget {
    /// Path on the audited host.
    pub path: String,
    /// Whether it exists there.
    pub exists: bool,
    /// Where the path came from, e.g. `/proc/1234/exe`, `PATH`, `default location`.
    pub origin: String,
}

/// Audit rules from both places they live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFacts {
    /// Rules loaded in the kernel (`auditctl -l`).
    pub loaded: Observed<Vec<AuditRule>>,
    /// Rules configured in `/etc/audit/audit.rules` and `/etc/audit/rules.d/*.rules`.
    pub configured: Observed<Vec<AuditRule>>,
}

/// One audit rule, reduced to what decides which paths it watches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRule {
    /// The rule as written.
    pub text: String,
    /// `-w PATH`: a watch on a file or (recursively) a directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch: Option<String>,
    /// For `-a`/`-A` syscall rules: the action, `always` or `never`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `-F path=PATH`: exactly this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `-F dir=PATH`: this directory tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// `-p` or `-F perm=`: permissions watched (`rwxa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perms: Option<String>,
    /// `-k` or `-F key=`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Where the rule was read.
    pub at: Provenance,
}

/// The daemon socket's owner, group and mode, and who is in that group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketAccess {
    /// The socket path on the host.
    pub socket: String,
    /// Its owner and mode.
    pub stat: FileStat,
    /// Members of the socket's group: listed in `/etc/group`, or having it as primary group in
    /// `/etc/passwd`.
    pub group_members: Vec<Account>,
}

/// A user account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Login name.
    pub name: String,
    /// Where it was read (`/etc/passwd:3:1`).
    pub at: Provenance,
}

/// The mount holding a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountPoint {
    /// The path asked about (the data root; for a userns-remapped daemon, its parent).
    pub path: String,
    /// The mount point that holds it.
    pub mount_point: String,
    /// Filesystem type.
    pub fs_type: String,
    /// Mount source (device).
    pub source: String,
}

/// A listening TCP socket of the daemon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    /// Local address: `0.0.0.0`, `::`, `127.0.0.1` …
    pub address: String,
    /// Local port.
    pub port: u16,
    /// What a plain-HTTP `GET /_ping` over loopback got from it.
    pub probe: ListenerProbe,
}

/// The answer of a listener to a plain-HTTP `GET /_ping` sent over loopback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "probe", rename_all = "snake_case")]
pub enum ListenerProbe {
    /// The Docker API answered without TLS: anyone who reaches the port controls the daemon.
    PlainApi,
    /// The listener wants TLS (the daemon said so, or the connection was refused as non-TLS).
    TlsRequired,
    /// Something else answered.
    Other {
        /// What happened.
        detail: String,
    },
    /// Not probed, and why (bound to an address other than loopback or a wildcard: dockward sends
    /// nothing beyond 127.0.0.0/8).
    NotProbed {
        /// Why.
        reason: String,
    },
}
