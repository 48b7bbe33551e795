//! `Workload`: the security-relevant spec of one container, whatever its source.
//!
//! A running container's inspect document, a create request seen by the authorization plugin, a
//! compose service and a Kubernetes pod spec all normalize into this one type, so one rule judges
//! the same setting identically everywhere.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fact::{Fact, Provenance};

/// Where a workload came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A container known to a Docker daemon (`GET /containers/{id}/json`).
    Container {
        /// Full container id.
        id: String,
        /// Name without the leading slash.
        name: String,
        /// `State.Status`: created, running, paused, restarting, removing, exited, dead.
        state: String,
    },
    /// A container an Engine API request would create or change (`POST /containers/create`, a
    /// legacy start with a HostConfig, a swarm service's task template, a volume create), as the
    /// authorization plugin or the proxy sees it before the daemon acts.
    Request {
        /// The normalized route, e.g. `POST /containers/create`.
        route: String,
        /// The container, service or volume name the request gives (`?name=`, `Spec.Name`, `Name`),
        /// or the id of the container it changes; empty when it gives none.
        name: String,
    },
    /// A service of a compose project, after interpolation, `extends`, `include` and the merge of
    /// every compose file of the project.
    Compose {
        /// The project name (`name:`, else the project directory's name).
        project: String,
        /// The service name: the target's name in reports.
        service: String,
        /// Where the service's key is written (`services: {web: …}` → the `web` key): where a
        /// finding about a key the service does not set points.
        at: Provenance,
    },
    /// One container (regular, init or ephemeral) of a Kubernetes object's pod spec.
    Kubernetes {
        /// The object's `kind` as written: `Pod`, `Deployment`, `CronJob`, `PodTemplate` …
        object_kind: String,
        /// `metadata.name`; empty when the object has none.
        name: String,
        /// `metadata.namespace`, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
        /// The container's name.
        container: String,
        /// Which list of the pod spec the container is in.
        container_type: ContainerType,
        /// `Kind/name/container` (e.g. `CronJob/db-backup/dump`): the target's name in reports.
        display: String,
        /// Where the container's entry is written (its `- name:` item): where a finding about a key
        /// the container does not set points.
        at: Provenance,
    },
}

/// The list of a pod spec a container is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerType {
    /// `spec.containers`.
    Container,
    /// `spec.initContainers`.
    Init,
    /// `spec.ephemeralContainers`.
    Ephemeral,
}

impl Origin {
    /// The display name of the workload.
    pub fn name(&self) -> &str {
        match self {
            Origin::Container { name, .. } | Origin::Request { name, .. } => name,
            Origin::Compose { service, .. } => service,
            Origin::Kubernetes { display, .. } => display,
        }
    }

    /// The id of the workload, where it has one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Origin::Container { id, .. } => Some(id),
            Origin::Request { .. } | Origin::Compose { .. } | Origin::Kubernetes { .. } => None,
        }
    }

    /// Whether the workload is described in a file (a compose service, a Kubernetes container)
    /// rather than known to a daemon: its facts are positions in files, and what only a running
    /// container shows (health status, the daemon's defaults) is not known.
    pub fn is_file(&self) -> bool {
        matches!(self, Origin::Compose { .. } | Origin::Kubernetes { .. })
    }

    /// Where the workload itself is declared in its file, for file workloads.
    pub fn declared_at(&self) -> Option<&Provenance> {
        match self {
            Origin::Compose { at, .. } | Origin::Kubernetes { at, .. } => Some(at),
            Origin::Container { .. } | Origin::Request { .. } => None,
        }
    }
}

/// The security-relevant spec of one container.
///
/// Every field holds a value, but a value is only a fact when its source gave it: where the
/// source always sends a part (an inspect answer always has `HostConfig`) and did not, or sent it
/// malformed, the field holds a placeholder and [`Workload::unknown`] names its pointer. Sources
/// whose absent fields have documented defaults (a create request) leave `unknown` empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    /// Where the spec came from.
    pub origin: Origin,
    /// Image reference as configured.
    pub image: Fact<String>,
    /// Effective user (`Config.User`); empty means the image default, which is root unless the
    /// image says otherwise. For a container this already includes the image's `USER`; for a
    /// request the plugin fills in the image's `USER` when the request leaves it empty.
    pub user: Fact<String>,
    /// The uid a user *name* maps to in the image's `/etc/passwd`, when it was looked up (a name
    /// other than `root` can be uid 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_uid: Option<Fact<u32>>,
    /// Privileged mode.
    pub privileged: Fact<bool>,
    /// Capabilities added, as written.
    pub cap_add: Fact<Vec<String>>,
    /// Capabilities dropped, as written.
    pub cap_drop: Fact<Vec<String>>,
    /// Security options as written (`--security-opt`).
    pub security_opt: Fact<Vec<String>>,
    /// The AppArmor profile the runtime applied, where the source reports it.
    pub apparmor_profile: Option<Fact<String>>,
    /// The SELinux process label the runtime applied, where the source reports it.
    pub process_label: Option<Fact<String>>,
    /// PID namespace mode.
    pub pid_mode: NamespaceMode,
    /// IPC namespace mode.
    pub ipc_mode: NamespaceMode,
    /// UTS namespace mode.
    pub uts_mode: NamespaceMode,
    /// Network mode (`host`, `none`, `bridge`, `default`, a network name, `container:<id>`).
    pub network_mode: NamespaceMode,
    /// User namespace mode.
    pub userns_mode: NamespaceMode,
    /// Cgroup namespace mode.
    pub cgroupns_mode: NamespaceMode,
    /// Networks the container is attached to.
    pub networks: Fact<Vec<String>>,
    /// Filesystem mounts.
    pub mounts: Vec<Mount>,
    /// Host devices mapped into the container.
    pub devices: Fact<Vec<Device>>,
    /// Device cgroup rules (`--device-cgroup-rule`).
    pub device_cgroup_rules: Fact<Vec<String>>,
    /// Device requests (`--gpus` and CDI devices).
    pub device_requests: Fact<Vec<DeviceRequest>>,
    /// Read-only root filesystem.
    pub readonly_rootfs: Fact<bool>,
    /// Memory limit in bytes; 0 means unlimited.
    pub memory: Fact<i64>,
    /// Relative CPU weight; 0 means the default.
    pub cpu_shares: Fact<i64>,
    /// CPU limit in units of 10^-9 CPUs; 0 means unlimited.
    pub nano_cpus: Fact<i64>,
    /// CFS quota in microseconds; 0 means unlimited.
    pub cpu_quota: Fact<i64>,
    /// CPUs the container may run on; empty means all.
    pub cpuset_cpus: Fact<String>,
    /// PIDs limit; `None`, 0 or -1 mean unlimited.
    pub pids_limit: Fact<Option<i64>>,
    /// Published ports.
    pub ports: Vec<PortBinding>,
    /// `PublishAllPorts` (`-P`): every exposed port published on a random host port.
    pub publish_all_ports: Fact<bool>,
    /// Restart policy.
    pub restart_policy: Fact<RestartPolicy>,
    /// Health check as configured (image default merged in).
    pub healthcheck: Fact<Option<Healthcheck>>,
    /// Health status reported at runtime, when the container has a health check and has started.
    pub health_status: Option<Fact<String>>,
    /// Cgroup parent.
    pub cgroup_parent: Fact<String>,
    /// Ulimit overrides.
    pub ulimits: Fact<Vec<Ulimit>>,
    /// Namespaced kernel parameters set for the container (`--sysctl`), as written.
    #[serde(default)]
    pub sysctls: Fact<BTreeMap<String, String>>,
    /// `MaskedPaths`: `None` means the daemon's default list; an empty list unmasks every path
    /// (`--security-opt systempaths=unconfined`).
    #[serde(default)]
    pub masked_paths: Fact<Option<Vec<String>>>,
    /// `ReadonlyPaths`: `None` means the daemon's default list; an empty list makes every one
    /// writable (`systempaths=unconfined`).
    #[serde(default)]
    pub readonly_paths: Fact<Option<Vec<String>>>,
    /// `VolumesFrom`: containers (`name[:ro|rw]`, as written) whose mounts this one inherits;
    /// their mounts are not in [`Workload::mounts`] until someone looks the containers up.
    #[serde(default)]
    pub volumes_from: Fact<Vec<String>>,
    /// Facts the source should have given and did not, or gave malformed: JSON pointer (a part
    /// such as `/HostConfig`, or one field such as `/HostConfig/Privileged`) → why, e.g. "the
    /// daemon's answer lacks /HostConfig". The fields they cover hold placeholders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unknown: BTreeMap<String, String>,
    /// Commands the source runs inside the container through `exec` (compose `post_start` and
    /// `pre_stop` hooks): judged by the exec request rules, like `docker exec`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exec_hooks: Vec<crate::request::ExecSpec>,
    /// The container's labels (`Config.Labels`, a request's `Labels`, compose `labels:`, the pod
    /// template's `metadata.labels`): what policy waivers select by (`labels = ["k=v"]`). Not a
    /// security fact, so no provenance.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Pod security facts that only a Kubernetes source has, pod and container level merged
    /// once (see [`KubernetesFacts`]); `None` for every other source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<Box<KubernetesFacts>>,
}

/// The Pod Security Standards facts of one Kubernetes container that Docker's settings cannot
/// express. The collector fills the generic [`Workload`] fields too (privileged, capabilities as
/// written, host namespaces, hostPath mounts, host ports, sysctls, user, limits …), with the
/// pod's `securityContext` merged into the container's by Kubernetes' precedence: the
/// container's value wins, the pod's applies where the container leaves it unset.
///
/// Several Pod Security controls are field checks, not checks of the effective value (a pod-level
/// `seccompProfile: Unconfined` fails even when every container overrides it), so the pod-level
/// values are kept beside the effective ones where a control reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubernetesFacts {
    /// `spec.os.name`, when given (`linux`, `windows`): the restricted profile exempts Windows
    /// pods from its Linux-only controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Fact<String>>,
    /// `spec.hostUsers`, when given (`false`: the pod gets its own user namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_users: Option<Fact<bool>>,
    /// `windowsOptions.hostProcess` as written at pod level and at container level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_process: Vec<Fact<bool>>,
    /// `runAsNonRoot`, effective (container wins over pod); `None` when neither sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<Fact<bool>>,
    /// `runAsUser` as written at pod level and at container level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub run_as_user: Vec<Fact<i64>>,
    /// `securityContext.seccompProfile.type` at pod level, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_pod: Option<Fact<String>>,
    /// `seccompProfile.type` at container level, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_container: Option<Fact<String>>,
    /// Every AppArmor setting that applies to the container, as written: the
    /// `container.apparmor.security.beta.kubernetes.io/<name>` annotation's value and the
    /// `appArmorProfile.type` of the pod and of the container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apparmor: Vec<Fact<String>>,
    /// `seLinuxOptions` at pod level and at container level, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selinux: Vec<Fact<SeLinuxOptions>>,
    /// `allowPrivilegeEscalation` at container level, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_privilege_escalation: Option<Fact<bool>>,
    /// `procMount` at container level, when given (`Default`, `Unmasked`). The collector also
    /// maps `Unmasked` onto the generic `masked_paths`/`readonly_paths` (empty lists), as
    /// Docker's `systempaths=unconfined`. `capabilities.add`/`drop` are the generic `cap_add` /
    /// `cap_drop`, as written (the standards compare names literally).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proc_mount: Option<Fact<String>>,
    /// Every volume of the pod (the Pod Security Standards judge volumes whether or not this
    /// container mounts them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<PodVolume>,
    /// The `host` field of the container's probes and lifecycle handlers (`httpGet.host`,
    /// `tcpSocket.host`), where given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probe_hosts: Vec<Fact<String>>,
    /// The values among the fields above that were written at pod level (the pod's
    /// `securityContext` and annotations), each also kept in its field above: the standards
    /// name the level that fails, and a pod-level `runAsNonRoot: false` fails the pod even where
    /// every container sets `true`.
    #[serde(default, skip_serializing_if = "PodLevel::is_empty")]
    pub pod_level: PodLevel,
}

/// The pod-level values of a container's [`KubernetesFacts`], as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodLevel {
    /// `spec.securityContext.windowsOptions.hostProcess`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_process: Option<Fact<bool>>,
    /// `spec.securityContext.runAsNonRoot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<Fact<bool>>,
    /// `spec.securityContext.runAsUser`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<Fact<i64>>,
    /// `spec.securityContext.seLinuxOptions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selinux: Option<Fact<SeLinuxOptions>>,
    /// `spec.securityContext.appArmorProfile.type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apparmor: Option<Fact<String>>,
    /// The `container.apparmor.security.beta.kubernetes.io/<container>` annotation's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apparmor_annotation: Option<Fact<String>>,
}

impl PodLevel {
    /// Whether the pod sets none of them.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `seLinuxOptions`, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeLinuxOptions {
    /// `type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// `user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `level`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// One volume of a pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodVolume {
    /// The volume's name.
    pub name: String,
    /// Its source type as the key is written: `hostPath`, `configMap`, `emptyDir`, `nfs` …
    /// (empty when the volume names none).
    pub source: String,
    /// For `hostPath`, the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<String>,
    /// Where the volume's source key is written.
    pub at: Provenance,
}

/// The namespaces a container can join from another container (`container:<name>` modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinableNamespace {
    /// `PidMode`.
    Pid,
    /// `IpcMode`.
    Ipc,
    /// `NetworkMode`.
    Network,
    /// `UTSMode`.
    Uts,
}

impl JoinableNamespace {
    /// All of them.
    pub const ALL: [JoinableNamespace; 4] = [Self::Pid, Self::Ipc, Self::Network, Self::Uts];
}

impl Workload {
    /// Why facts at the pointers in `needs` are unknown, one reason per unknown pointer, in
    /// pointer order; empty when all of them were read. A need is unknown when an unknown pointer
    /// contains it (`/HostConfig` covers `/HostConfig/Privileged`) or lies within it (a malformed
    /// `/Mounts/2/RW` makes `/Mounts` unknown).
    pub fn unknown_reasons(&self, needs: &[&str]) -> Vec<&str> {
        let within = |inner: &str, outer: &str| {
            inner == outer
                || inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        self.unknown
            .iter()
            .filter(|(pointer, _)| {
                needs
                    .iter()
                    .any(|need| within(need, pointer) || within(pointer, need))
            })
            .map(|(_, reason)| reason.as_str())
            .collect()
    }

    /// The mode of a joinable namespace.
    pub fn namespace(&self, ns: JoinableNamespace) -> &NamespaceMode {
        match ns {
            JoinableNamespace::Pid => &self.pid_mode,
            JoinableNamespace::Ipc => &self.ipc_mode,
            JoinableNamespace::Network => &self.network_mode,
            JoinableNamespace::Uts => &self.uts_mode,
        }
    }

    /// The mode of a joinable namespace, mutably.
    pub fn namespace_mut(&mut self, ns: JoinableNamespace) -> &mut NamespaceMode {
        match ns {
            JoinableNamespace::Pid => &mut self.pid_mode,
            JoinableNamespace::Ipc => &mut self.ipc_mode,
            JoinableNamespace::Network => &mut self.network_mode,
            JoinableNamespace::Uts => &mut self.uts_mode,
        }
    }
}

/// A namespace mode and, for `container:<name>` joins, what the joined container uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceMode {
    /// The mode as written: `""`, `host`, `private`, `container:<id>` …
    pub mode: String,
    /// Where it was read.
    pub at: Provenance,
    /// For `container:<name>` modes, the resolved target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<JoinTarget>,
}

/// The container whose namespace a `container:<name>` mode joins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinTarget {
    /// The reference as written after `container:`.
    pub reference: String,
    /// Resolution result; `None` when the target could not be inspected.
    pub resolved: Option<ResolvedJoin>,
}

/// A resolved namespace join.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedJoin {
    /// Name of the container joined (dockerd stores the reference as an id).
    pub name: String,
    /// Name of the container that finally owns the namespace, after following chains.
    pub owner: String,
    /// Its mode for this namespace (`host` when the join ends in the host's namespace).
    pub mode: String,
}

impl NamespaceMode {
    /// A mode read at `pointer` without a join.
    pub fn at_pointer(mode: impl Into<String>, pointer: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self {
            mode: mode.into(),
            at: Provenance::pointer(pointer),
            join: None,
        }
    }

    /// The container reference of a `container:<name>` mode.
    pub fn container_reference(&self) -> Option<&str> {
        self.mode.strip_prefix("container:")
    }

    /// Whether the namespace is the host's: directly, or through a resolved join.
    /// `None` when a join could not be resolved.
    pub fn is_host(&self) -> Option<bool> {
        if self.mode == "host" {
            return Some(true);
        }
        match &self.join {
            None => Some(false),
            Some(JoinTarget { resolved: None, .. }) => None,
            Some(JoinTarget {
                resolved: Some(r), ..
            }) => Some(r.mode == "host"),
        }
    }
}

/// One filesystem mount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    /// `bind`, `volume`, `tmpfs`, `npipe`, `image`, `cluster`.
    pub kind: String,
    /// Host path for binds, volume name or path for volumes.
    pub source: String,
    /// Path inside the container.
    pub destination: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Propagation mode (`rprivate`, `shared`, `rshared`, `slave` …); empty when not applicable.
    pub propagation: String,
    /// For a local volume backed by a host directory (`o=bind,device=PATH`), that path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_device: Option<String>,
    /// The host path with symbolic links resolved, when it differs from the path as written and
    /// the host filesystem was readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_realpath: Option<String>,
    /// Identity of the host file behind the source, when the host filesystem was readable and
    /// the source is a socket; lets rules recognise a renamed Docker socket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_socket: Option<crate::daemon::FileId>,
    /// Where it was read.
    pub at: Provenance,
}

impl Mount {
    /// The host path this mount exposes, if any: a bind source, or the device behind a
    /// bind-backed volume.
    pub fn host_path(&self) -> Option<&str> {
        match self.kind.as_str() {
            "bind" => Some(self.source.as_str()),
            _ => self.bind_device.as_deref(),
        }
    }
}

/// A host device mapping. Serialized with the Engine API's field names, so evidence reads like
/// the inspect document it points into.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Device {
    /// Device path on the host.
    pub path_on_host: String,
    /// Device path in the container.
    pub path_in_container: String,
    /// Cgroup permissions (`rwm`).
    pub cgroup_permissions: String,
}

/// A device request (`--gpus`, CDI devices), with the Engine API's field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceRequest {
    /// Device driver, e.g. `nvidia`; empty for the default.
    pub driver: String,
    /// Number of devices; -1 means all.
    pub count: i64,
    /// Specific device ids.
    #[serde(rename = "DeviceIDs")]
    pub device_ids: Vec<String>,
    /// Capability sets, any of which the device must provide (e.g. `[["gpu"]]`).
    pub capabilities: Vec<Vec<String>>,
}

impl DeviceRequest {
    /// A short description: `driver nvidia, all devices, capabilities gpu`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.driver.is_empty() {
            parts.push(format!("driver {}", self.driver));
        }
        match self.count {
            -1 => parts.push("all devices".into()),
            n if n > 0 => parts.push(format!("{n} devices")),
            _ => {}
        }
        if !self.device_ids.is_empty() {
            parts.push(format!("devices {}", self.device_ids.join(",")));
        }
        let caps: Vec<String> = self.capabilities.iter().map(|c| c.join("+")).collect();
        if !caps.is_empty() {
            parts.push(format!("capabilities {}", caps.join(" or ")));
        }
        if parts.is_empty() {
            "unspecified device".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One published port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortBinding {
    /// Container port and protocol, e.g. `80/tcp`.
    pub container_port: String,
    /// Host address; empty means all interfaces.
    pub host_ip: String,
    /// Host port or range; empty means a random port.
    pub host_port: String,
    /// Where it was read.
    pub at: Provenance,
}

/// Restart policy, with the Engine API's field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RestartPolicy {
    /// `no`, `always`, `unless-stopped`, `on-failure`, or empty.
    pub name: String,
    /// Retry limit for `on-failure`; 0 means unlimited.
    pub maximum_retry_count: i64,
}

/// A configured health check, with the Engine API's field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// The test, e.g. `["CMD-SHELL", "curl -f http://localhost/"]` or `["NONE"]`.
    pub test: Vec<String>,
}

impl Healthcheck {
    /// Whether the check is explicitly disabled (`NONE`).
    pub fn is_disabled(&self) -> bool {
        self.test.first().is_some_and(|t| t == "NONE")
    }
}

/// A ulimit override, with the Engine API's field names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ulimit {
    /// Resource name, e.g. `nofile`.
    pub name: String,
    /// Soft limit.
    pub soft: i64,
    /// Hard limit.
    pub hard: i64,
}
