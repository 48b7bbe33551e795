//! Request bodies (container, service, exec, update, volume) read as dockerd reads them.
//!
//! Each body is decoded with [`crate::parse::gojson`] into the Go type dockerd 20.10 decodes it
//! into, then turned into the model's types. A create request has documented defaults for every
//! field it leaves out (absent is Go's zero value), so nothing is `unknown` here; every fact
//! points into the body with the canonical field names (`/HostConfig/Privileged`, `/User`,
//! `/HostConfig/Binds/0`), spelled like the inspect document where the same field exists, so
//! evidence reads the same for a request and a running container.

use std::collections::BTreeMap;

use dockward_model::fact::escape_pointer_token;
use dockward_model::{
    Device, DeviceRequest, ExecSpec, Fact, Healthcheck, Mount, NamespaceMode, Origin, PortBinding,
    Provenance, ResourceUpdate, RestartPolicy, Ulimit, Workload,
};
use serde_json::{Map, Value};

use crate::parse::gojson::{self, GoJsonError};

/// Why a body cannot be judged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Not JSON, or not of the types dockerd decodes it into (dockerd refuses it too).
    #[error("the body is not JSON as dockerd reads it: {0}")]
    Json(#[from] GoJsonError),
    /// JSON of the right types whose content dockerd refuses (e.g. a malformed bind).
    #[error("{0}")]
    Invalid(String),
}

type Obj = Map<String, Value>;

fn get<'v>(obj: Option<&'v Obj>, key: &str) -> Option<&'v Value> {
    obj.and_then(|o| o.get(key))
}

fn object<'v>(obj: Option<&'v Obj>, key: &str) -> Option<&'v Obj> {
    get(obj, key).and_then(Value::as_object)
}

fn string(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_string()
}

fn boolean(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool).unwrap_or(false)
}

fn int(v: Option<&Value>) -> i64 {
    v.and_then(Value::as_i64).unwrap_or(0)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|items| items.iter().map(|s| string(Some(s))).collect())
        .unwrap_or_default()
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), string(Some(v)))).collect())
        .unwrap_or_default()
}

fn is_zero(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Number(n)) => n.as_i64() == Some(0) || n.as_u64() == Some(0),
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Bool(b)) => !b,
        Some(_) => false,
    }
}

/// Whether API version `version` is below `min` (dot-separated numbers, like moby's
/// `versions.LessThan`); no version means the daemon's own, which is never below.
fn older_than(version: Option<&str>, min: &str) -> bool {
    let Some(version) = version else { return false };
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    let (a, b) = (parts(version), parts(min));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied().unwrap_or(0), b.get(i).copied().unwrap_or(0));
        if x != y {
            return x < y;
        }
    }
    false
}

/// Fields dockerd's `getHostConfig` copies from the deprecated top-level HostConfig into the
/// inner one where the inner one leaves them zero.
const COPIED_FROM_TOP: &[&str] = &["Memory", "MemorySwap", "CpuShares", "CpusetCpus", "VolumeDriver"];

/// The HostConfig dockerd acts on, with where each field was read.
struct HostConfig<'v> {
    top: &'v Obj,
    inner: Option<&'v Obj>,
}

impl<'v> HostConfig<'v> {
    /// A field's value and its pointer into the body.
    fn field(&self, key: &str) -> (Option<&'v Value>, String) {
        match self.inner {
            Some(inner) => {
                if COPIED_FROM_TOP.contains(&key) && is_zero(inner.get(key)) && !is_zero(self.top.get(key)) {
                    return (self.top.get(key), format!("/{key}"));
                }
                (inner.get(key), format!("/HostConfig/{key}"))
            }
            None => (self.top.get(key), format!("/{key}")),
        }
    }

    fn string(&self, key: &str) -> Fact<String> {
        let (v, at) = self.field(key);
        Fact::at_pointer(string(v), at)
    }

    fn boolean(&self, key: &str) -> Fact<bool> {
        let (v, at) = self.field(key);
        Fact::at_pointer(boolean(v), at)
    }

    fn int(&self, key: &str) -> Fact<i64> {
        let (v, at) = self.field(key);
        Fact::at_pointer(int(v), at)
    }

    fn strings(&self, key: &str) -> Fact<Vec<String>> {
        let (v, at) = self.field(key);
        Fact::at_pointer(strings(v), at)
    }

    fn namespace(&self, key: &str, default: &str) -> NamespaceMode {
        let (v, at) = self.field(key);
        let mode = match string(v) {
            mode if mode.is_empty() => default.to_string(),
            mode => mode,
        };
        NamespaceMode::at_pointer(mode, at)
    }
}

/// Reads a `POST /containers/create` body (`runconfig.ContainerConfigWrapper`) as dockerd 20.10
/// does. `api_version` is the URI's `/vX.Y` (it changes some defaults), `route` and `name` (the
/// `?name=`) go into the workload's origin.
///
/// # Errors
/// [`BodyError`] when dockerd would refuse the body.
pub fn create_workload(
    body: &[u8],
    api_version: Option<&str>,
    route: &str,
    name: &str,
) -> Result<Workload, BodyError> {
    let value = gojson::decode(body, &gojson::CONTAINER_CONFIG_WRAPPER)?;
    let top = value
        .as_object()
        .ok_or_else(|| BodyError::Invalid("the body is not an object".into()))?;
    container_workload(top, api_version, route, name)
}

/// Reads the HostConfig body of a legacy `POST /containers/{id}/start` (API below 1.24). dockerd
/// decodes it exactly like a create body and applies the HostConfig to the container, so it is
/// judged like a create; `id` is the container as the route names it.
///
/// Only the HostConfig is applied: the container keeps its own `Config`, so the image, user and
/// health check the body may carry are not what will run. They are left empty and recorded as
/// unknown (at the inspect pointers the rules need), never taken from the body: a body saying
/// `"User": "1000"` must not make a root container pass.
///
/// # Errors
/// [`BodyError`] when dockerd would refuse the body.
pub fn start_workload(
    body: &[u8],
    api_version: Option<&str>,
    route: &str,
    id: &str,
) -> Result<Workload, BodyError> {
    let mut w = create_workload(body, api_version, route, id)?;
    w.image = Fact::default();
    w.user = Fact::default();
    w.healthcheck = Fact::default();
    // The container keeps its own labels too.
    w.labels = BTreeMap::new();
    for pointer in ["/Config/Image", "/Config/User", "/Config/Healthcheck"] {
        w.unknown.insert(
            pointer.to_string(),
            format!(
                "a legacy start (API below 1.24) keeps container {id}'s own {}; the request does not carry it",
                &pointer["/Config/".len()..]
            ),
        );
    }
    Ok(w)
}

fn container_workload(
    top: &Obj,
    api_version: Option<&str>,
    route: &str,
    name: &str,
) -> Result<Workload, BodyError> {
    let hc = HostConfig {
        top,
        inner: top.get("HostConfig").and_then(Value::as_object),
    };

    // Cpuset (deprecated) fills CpusetCpus when dockerd has a HostConfig at all.
    let mut cpuset_cpus = hc.string("CpusetCpus");
    let has_host_config = hc.inner.is_some()
        || top
            .keys()
            .any(|k| gojson::lookup(gojson::HOST_CONFIG, k).is_some());
    if has_host_config && cpuset_cpus.value.is_empty() && !is_zero(top.get("Cpuset")) {
        cpuset_cpus = Fact::at_pointer(string(top.get("Cpuset")), "/Cpuset");
    }

    // API < 1.40 clients expect an unset IPC mode to be shareable (dockerd's create handler).
    let ipc_default = if older_than(api_version, "1.40") {
        "shareable"
    } else {
        ""
    };
    let network_mode = hc.namespace("NetworkMode", "default");

    let mut mounts = Vec::new();
    let (binds, binds_at) = hc.field("Binds");
    for (index, bind) in strings(binds).iter().enumerate() {
        mounts.push(parse_bind(bind, format!("{binds_at}/{index}"))?);
    }
    let (list, mounts_at) = hc.field("Mounts");
    mounts.extend(read_mounts(list, &mounts_at));

    let endpoints = object(object(Some(top), "NetworkingConfig"), "EndpointsConfig");
    let networks = match endpoints {
        Some(endpoints) if !endpoints.is_empty() => Fact::at_pointer(
            endpoints
                .keys()
                // On Linux the default network is the bridge.
                .map(|k| {
                    if k == "default" {
                        "bridge".to_string()
                    } else {
                        k.clone()
                    }
                })
                .collect(),
            "/NetworkingConfig/EndpointsConfig",
        ),
        _ => {
            let networks = match network_mode.mode.as_str() {
                // On Linux the default network is the bridge.
                "default" => vec!["bridge".to_string()],
                mode if mode.starts_with("container:") => Vec::new(),
                mode => vec![mode.to_string()],
            };
            Fact::at_pointer(networks, network_mode.at.to_string())
        }
    };

    let (bindings, ports_at) = hc.field("PortBindings");
    let ports = read_ports(bindings, &ports_at);

    let (devices, devices_at) = hc.field("Devices");
    let devices = Fact::at_pointer(
        items(devices)
            .map(|d| Device {
                path_on_host: string(d.get("PathOnHost")),
                path_in_container: string(d.get("PathInContainer")),
                cgroup_permissions: string(d.get("CgroupPermissions")),
            })
            .collect(),
        devices_at,
    );
    let (requests, requests_at) = hc.field("DeviceRequests");
    let device_requests = Fact::at_pointer(
        items(requests)
            .map(|r| DeviceRequest {
                driver: string(r.get("Driver")),
                count: int(r.get("Count")),
                device_ids: strings(r.get("DeviceIDs")),
                capabilities: r
                    .get("Capabilities")
                    .and_then(Value::as_array)
                    .map(|sets| sets.iter().map(|set| strings(Some(set))).collect())
                    .unwrap_or_default(),
            })
            .collect(),
        requests_at,
    );
    let (ulimits, ulimits_at) = hc.field("Ulimits");
    let ulimits = Fact::at_pointer(read_ulimits(ulimits), ulimits_at);
    let (policy, policy_at) = hc.field("RestartPolicy");
    let policy = policy.and_then(Value::as_object);
    let restart_policy = Fact::at_pointer(
        RestartPolicy {
            name: string(get(policy, "Name")),
            maximum_retry_count: int(get(policy, "MaximumRetryCount")),
        },
        policy_at,
    );
    let (pids, pids_at) = hc.field("PidsLimit");
    let (sysctls, sysctls_at) = hc.field("Sysctls");
    let (masked, masked_at) = hc.field("MaskedPaths");
    let (readonly, readonly_at) = hc.field("ReadonlyPaths");
    let optional_list = |v: Option<&Value>| v.filter(|v| v.is_array()).map(|v| strings(Some(v)));

    let healthcheck = top
        .get("Healthcheck")
        .and_then(Value::as_object)
        .map(|h| Healthcheck {
            test: strings(h.get("Test")),
        });
    Ok(Workload {
        origin: Origin::Request {
            route: route.to_string(),
            name: name.to_string(),
        },
        image: Fact::at_pointer(string(top.get("Image")), "/Image"),
        user: Fact::at_pointer(string(top.get("User")), "/User"),
        user_uid: None,
        privileged: hc.boolean("Privileged"),
        cap_add: hc.strings("CapAdd"),
        cap_drop: hc.strings("CapDrop"),
        security_opt: hc.strings("SecurityOpt"),
        apparmor_profile: None,
        process_label: None,
        pid_mode: hc.namespace("PidMode", ""),
        ipc_mode: hc.namespace("IpcMode", ipc_default),
        uts_mode: hc.namespace("UTSMode", ""),
        network_mode,
        userns_mode: hc.namespace("UsernsMode", ""),
        cgroupns_mode: hc.namespace("CgroupnsMode", ""),
        networks,
        mounts,
        devices,
        device_cgroup_rules: hc.strings("DeviceCgroupRules"),
        device_requests,
        readonly_rootfs: hc.boolean("ReadonlyRootfs"),
        memory: hc.int("Memory"),
        cpu_shares: hc.int("CpuShares"),
        nano_cpus: hc.int("NanoCpus"),
        cpu_quota: hc.int("CpuQuota"),
        cpuset_cpus,
        pids_limit: Fact::at_pointer(pids.and_then(Value::as_i64), pids_at),
        ports,
        publish_all_ports: hc.boolean("PublishAllPorts"),
        restart_policy,
        healthcheck: Fact::at_pointer(healthcheck, "/Healthcheck"),
        health_status: None,
        cgroup_parent: hc.string("CgroupParent"),
        ulimits,
        sysctls: Fact::at_pointer(string_map(sysctls), sysctls_at),
        masked_paths: Fact::at_pointer(optional_list(masked), masked_at),
        readonly_paths: Fact::at_pointer(optional_list(readonly), readonly_at),
        volumes_from: hc.strings("VolumesFrom"),
        unknown: BTreeMap::new(),
        exec_hooks: Vec::new(),
        labels: crate::labels::from_json(top.get("Labels")),
        kubernetes: None,
    })
}

fn no_restart() -> RestartPolicy {
    RestartPolicy {
        name: String::new(),
        maximum_retry_count: 0,
    }
}

/// The objects of a list (null elements, nil pointers in Go, are skipped).
fn items(v: Option<&Value>) -> impl Iterator<Item = &Obj> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn read_ulimits(v: Option<&Value>) -> Vec<Ulimit> {
    items(v)
        .map(|u| Ulimit {
            name: string(u.get("Name")),
            soft: int(u.get("Soft")),
            hard: int(u.get("Hard")),
        })
        .collect()
}

fn read_ports(v: Option<&Value>, at: &str) -> Vec<PortBinding> {
    let mut ports = Vec::new();
    for (port, bindings) in v.and_then(Value::as_object).into_iter().flatten() {
        for (index, binding) in bindings.as_array().into_iter().flatten().enumerate() {
            let binding = binding.as_object();
            ports.push(PortBinding {
                container_port: port.clone(),
                host_ip: string(get(binding, "HostIp")),
                host_port: string(get(binding, "HostPort")),
                at: Provenance::pointer(format!("{at}/{}/{index}", escape_pointer_token(port))),
            });
        }
    }
    ports
}

/// The propagation modes a bind's options may name (moby's `mount.Propagations`).
const PROPAGATIONS: &[&str] = &["private", "rprivate", "shared", "rshared", "slave", "rslave"];

/// One `HostConfig.Binds` entry, as dockerd's Linux parser reads it: `[src:]dst[:opts]`, where a
/// source that is not an absolute path names a volume.
fn parse_bind(spec: &str, at: String) -> Result<Mount, BodyError> {
    let invalid =
        |why: &str| BodyError::Invalid(format!("{at}: invalid bind {spec:?}: {why} (dockerd refuses it)"));
    if spec.matches(':').count() > 2 {
        return Err(invalid("too many colons"));
    }
    let parts: Vec<&str> = spec.splitn(3, ':').collect();
    if parts[0].is_empty() {
        return Err(invalid("empty source"));
    }
    let (source, destination, mode) = match parts.as_slice() {
        [dst] => ("", *dst, ""),
        [src, dst] => {
            if valid_mode(dst) {
                return Err(invalid("a mode without a destination"));
            }
            (*src, *dst, "")
        }
        [src, dst, mode] => (*src, *dst, *mode),
        _ => return Err(invalid("too many colons")),
    };
    if !valid_mode(mode) {
        return Err(invalid("invalid mode"));
    }
    let opts: Vec<&str> = mode.split(',').filter(|o| !o.is_empty()).collect();
    let kind = if source.starts_with('/') { "bind" } else { "volume" };
    Ok(Mount {
        kind: kind.into(),
        source: source.into(),
        destination: destination.into(),
        read_only: opts.contains(&"ro"),
        propagation: opts
            .iter()
            .find(|o| PROPAGATIONS.contains(o))
            .map(|p| (*p).to_string())
            .unwrap_or_default(),
        bind_device: None,
        source_realpath: None,
        source_socket: None,
        at: Provenance::pointer(at),
    })
}

/// moby's Linux `ValidMountMode`: comma-separated options, at most one each of rw/ro, z/Z,
/// a propagation mode, nocopy, and a consistency mode.
fn valid_mode(mode: &str) -> bool {
    if mode.is_empty() {
        return true;
    }
    let (mut rw, mut label, mut propagation, mut copy, mut consistency) = (0, 0, 0, 0, 0);
    for opt in mode.split(',') {
        match opt {
            "rw" | "ro" => rw += 1,
            "z" | "Z" => label += 1,
            "nocopy" => copy += 1,
            "consistent" | "cached" | "delegated" => consistency += 1,
            o if PROPAGATIONS.contains(&o) => propagation += 1,
            _ => return false,
        }
    }
    rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1 && consistency <= 1
}

/// The host path a `local` volume's driver options bind (see
/// [`volume_bind_device`](crate::inspect::volume_bind_device)); other drivers bind nothing here.
fn bind_device(driver: &str, options: &BTreeMap<String, String>) -> Option<String> {
    if !driver.is_empty() && driver != "local" {
        return None;
    }
    crate::inspect::volume_bind_device(options)
        .filter(|device| !device.is_empty())
        .cloned()
}

/// `HostConfig.Mounts` (or a service's `ContainerSpec.Mounts`).
fn read_mounts(v: Option<&Value>, at: &str) -> Vec<Mount> {
    let mut mounts = Vec::new();
    for (index, m) in v.and_then(Value::as_array).into_iter().flatten().enumerate() {
        let m = m.as_object();
        let kind = string(get(m, "Type"));
        let volume = object(m, "VolumeOptions");
        let driver = object(volume, "DriverConfig");
        let device = if kind == "volume" {
            bind_device(&string(get(driver, "Name")), &string_map(get(driver, "Options")))
        } else {
            None
        };
        mounts.push(Mount {
            source: string(get(m, "Source")),
            destination: string(get(m, "Target")),
            read_only: boolean(get(m, "ReadOnly")),
            propagation: string(get(object(m, "BindOptions"), "Propagation")),
            kind,
            bind_device: device,
            source_realpath: None,
            source_socket: None,
            at: Provenance::pointer(format!("{at}/{index}")),
        });
    }
    mounts
}

/// Reads a `POST /services/create` or `/services/{id}/update` body (`swarm.ServiceSpec`): the
/// task template's container, as the swarm executor of dockerd 20.10 creates it.
///
/// Swarm has no privileged mode. `Privileges` become security options the way the executor
/// writes them (`label=disable`, `label=type:T` ...; and, from API 1.44 daemons,
/// `seccomp=unconfined`, `seccomp=<profile>`, `apparmor=unconfined`). `NoNewPrivileges` counts
/// only when the URI's API version is 1.44 or later: older daemons ignore it, so it must not
/// satisfy a rule. Fields dockerd clears for old API versions (Sysctls below 1.40; capabilities,
/// ulimits and the PIDs limit below 1.41) are cleared here too.
///
/// # Errors
/// [`BodyError`] when dockerd would refuse the body.
pub fn service_workload(body: &[u8], api_version: Option<&str>, route: &str) -> Result<Workload, BodyError> {
    let value = gojson::decode(body, &gojson::SERVICE_SPEC)?;
    let top = value.as_object();
    let task = object(top, "TaskTemplate");
    let spec = object(task, "ContainerSpec");
    const CS: &str = "/TaskTemplate/ContainerSpec";
    let at = |key: &str| format!("{CS}/{key}");
    let before_1_40 = older_than(api_version, "1.40");
    let before_1_41 = older_than(api_version, "1.41");

    let privileges = object(spec, "Privileges");
    let mut security_opt = Vec::new();
    if let Some(selinux) = object(privileges, "SELinuxContext") {
        if boolean(selinux.get("Disable")) {
            security_opt.push("label=disable".to_string());
        } else {
            for (key, label) in [
                ("User", "user"),
                ("Role", "role"),
                ("Type", "type"),
                ("Level", "level"),
            ] {
                let value = string(selinux.get(key));
                if !value.is_empty() {
                    security_opt.push(format!("label={label}:{value}"));
                }
            }
        }
    }
    if let Some(seccomp) = object(privileges, "Seccomp") {
        match string(seccomp.get("Mode")).as_str() {
            "unconfined" => security_opt.push("seccomp=unconfined".into()),
            "custom" => security_opt.push(format!("seccomp={}", string(seccomp.get("Profile")))),
            _ => {}
        }
    }
    if string(get(object(privileges, "AppArmor"), "Mode")) == "disabled" {
        security_opt.push("apparmor=unconfined".into());
    }
    if boolean(get(privileges, "NoNewPrivileges")) && !older_than(api_version.or(Some("0")), "1.44") {
        security_opt.push("no-new-privileges".into());
    }

    // Networks: the task template's, and the deprecated ones of the spec itself.
    let mut networks = Vec::new();
    let mut host_network: Option<String> = None;
    for (list, base) in [
        (get(task, "Networks"), "/TaskTemplate/Networks"),
        (get(top, "Networks"), "/Networks"),
    ] {
        for (index, n) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
            let target = string(n.get("Target"));
            if target == "host" && host_network.is_none() {
                host_network = Some(format!("{base}/{index}/Target"));
            }
            networks.push(target);
        }
    }
    let network_mode = match &host_network {
        Some(pointer) => NamespaceMode::at_pointer("host", pointer.clone()),
        None => NamespaceMode::at_pointer("", "/TaskTemplate/Networks"),
    };

    let limits = object(object(task, "Resources"), "Limits");
    const LIMITS: &str = "/TaskTemplate/Resources/Limits";
    let pids = if before_1_41 {
        None
    } else {
        get(limits, "Pids").and_then(Value::as_i64)
    };

    let mut ports = Vec::new();
    let endpoint_ports = get(object(top, "EndpointSpec"), "Ports");
    for (index, p) in endpoint_ports
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let p = p.as_object();
        if string(get(p, "PublishMode")) != "host" {
            continue;
        }
        let protocol = match string(get(p, "Protocol")) {
            proto if proto.is_empty() => "tcp".to_string(),
            proto => proto,
        };
        let published = int(get(p, "PublishedPort"));
        ports.push(PortBinding {
            container_port: format!("{}/{protocol}", int(get(p, "TargetPort"))),
            host_ip: String::new(),
            host_port: if published == 0 {
                String::new()
            } else {
                published.to_string()
            },
            at: Provenance::pointer(format!("/EndpointSpec/Ports/{index}")),
        });
    }

    let cleared = |clear: bool, key: &str| if clear { None } else { get(spec, key) };
    let ns = |pointer: &str| NamespaceMode::at_pointer("", pointer.to_string());
    Ok(Workload {
        origin: Origin::Request {
            route: route.to_string(),
            name: string(get(top, "Name")),
        },
        image: Fact::at_pointer(string(get(spec, "Image")), at("Image")),
        user: Fact::at_pointer(string(get(spec, "User")), at("User")),
        user_uid: None,
        privileged: Fact::default(),
        cap_add: Fact::at_pointer(
            strings(cleared(before_1_41, "CapabilityAdd")),
            at("CapabilityAdd"),
        ),
        cap_drop: Fact::at_pointer(
            strings(cleared(before_1_41, "CapabilityDrop")),
            at("CapabilityDrop"),
        ),
        security_opt: Fact::at_pointer(security_opt, at("Privileges")),
        apparmor_profile: None,
        process_label: None,
        pid_mode: ns(""),
        ipc_mode: ns(""),
        uts_mode: ns(""),
        network_mode,
        userns_mode: ns(""),
        cgroupns_mode: ns(""),
        networks: Fact::at_pointer(networks, "/TaskTemplate/Networks"),
        mounts: read_mounts(get(spec, "Mounts"), &at("Mounts")),
        devices: Fact::default(),
        device_cgroup_rules: Fact::default(),
        device_requests: Fact::default(),
        readonly_rootfs: Fact::at_pointer(boolean(get(spec, "ReadOnly")), at("ReadOnly")),
        memory: Fact::at_pointer(int(get(limits, "MemoryBytes")), format!("{LIMITS}/MemoryBytes")),
        cpu_shares: Fact::default(),
        nano_cpus: Fact::at_pointer(int(get(limits, "NanoCPUs")), format!("{LIMITS}/NanoCPUs")),
        cpu_quota: Fact::default(),
        cpuset_cpus: Fact::default(),
        pids_limit: Fact::at_pointer(pids, format!("{LIMITS}/Pids")),
        ports,
        publish_all_ports: Fact::default(),
        restart_policy: Fact::at_pointer(no_restart(), ""),
        healthcheck: Fact::at_pointer(
            object(spec, "Healthcheck").map(|h| Healthcheck {
                test: strings(h.get("Test")),
            }),
            at("Healthcheck"),
        ),
        health_status: None,
        cgroup_parent: Fact::default(),
        ulimits: Fact::at_pointer(read_ulimits(cleared(before_1_41, "Ulimits")), at("Ulimits")),
        sysctls: Fact::at_pointer(string_map(cleared(before_1_40, "Sysctls")), at("Sysctls")),
        masked_paths: Fact::default(),
        readonly_paths: Fact::default(),
        volumes_from: Fact::default(),
        unknown: BTreeMap::new(),
        exec_hooks: Vec::new(),
        labels: crate::labels::from_json(get(spec, "Labels")),
        kubernetes: None,
    })
}

/// Reads a `POST /volumes/create` body (`volume.VolumeCreateBody`): a workload with one volume
/// mount, whose `bind_device` is the host path when the `local` driver's options bind one.
///
/// # Errors
/// [`BodyError`] when dockerd would refuse the body.
pub fn volume_workload(body: &[u8], route: &str) -> Result<Workload, BodyError> {
    let value = gojson::decode(body, &gojson::VOLUME_CREATE_BODY)?;
    let top = value.as_object();
    let name = string(get(top, "Name"));
    let device = bind_device(&string(get(top, "Driver")), &string_map(get(top, "DriverOpts")));
    let at = if device.is_some() {
        "/DriverOpts/device"
    } else {
        "/Name"
    };
    let mount = Mount {
        kind: "volume".into(),
        source: name.clone(),
        destination: String::new(),
        read_only: false,
        propagation: String::new(),
        bind_device: device,
        source_realpath: None,
        source_socket: None,
        at: Provenance::pointer(at),
    };
    let ns = || NamespaceMode::at_pointer("", "");
    Ok(Workload {
        origin: Origin::Request {
            route: route.to_string(),
            name,
        },
        image: Fact::default(),
        user: Fact::default(),
        user_uid: None,
        privileged: Fact::default(),
        cap_add: Fact::default(),
        cap_drop: Fact::default(),
        security_opt: Fact::default(),
        apparmor_profile: None,
        process_label: None,
        pid_mode: ns(),
        ipc_mode: ns(),
        uts_mode: ns(),
        network_mode: ns(),
        userns_mode: ns(),
        cgroupns_mode: ns(),
        networks: Fact::default(),
        mounts: vec![mount],
        devices: Fact::default(),
        device_cgroup_rules: Fact::default(),
        device_requests: Fact::default(),
        readonly_rootfs: Fact::default(),
        memory: Fact::default(),
        cpu_shares: Fact::default(),
        nano_cpus: Fact::default(),
        cpu_quota: Fact::default(),
        cpuset_cpus: Fact::default(),
        pids_limit: Fact::default(),
        ports: Vec::new(),
        publish_all_ports: Fact::default(),
        restart_policy: Fact::at_pointer(no_restart(), ""),
        healthcheck: Fact::default(),
        health_status: None,
        cgroup_parent: Fact::default(),
        ulimits: Fact::default(),
        sysctls: Fact::default(),
        masked_paths: Fact::default(),
        readonly_paths: Fact::default(),
        volumes_from: Fact::default(),
        unknown: BTreeMap::new(),
        exec_hooks: Vec::new(),
        labels: crate::labels::from_json(get(top, "Labels")),
        kubernetes: None,
    })
}

/// Reads a `POST /containers/{id}/exec` body (`types.ExecConfig`); `container` is the container
/// as the route names it.
///
/// # Errors
/// [`BodyError`] when dockerd would refuse the body.
pub fn exec_spec(body: &[u8], container: &str) -> Result<ExecSpec, BodyError> {
    let value = gojson::decode(body, &gojson::EXEC_CONFIG)?;
    let top = value.as_object();
    Ok(ExecSpec {
        container: container.to_string(),
        privileged: Fact::at_pointer(boolean(get(top, "Privileged")), "/Privileged"),
        user: Fact::at_pointer(string(get(top, "User")), "/User"),
        container_user: None,
        user_uid: None,
    })
}

/// Reads a `POST /containers/{id}/update` body (`container.UpdateConfig`): the limits it sets.
/// A negative `PidsLimit` is stored as -1: dockerd treats every value of 0 or below as
/// "unlimited".
///
/// # Errors
/// [`BodyError`] when dockerd would refuse the body.
pub fn resource_update(body: &[u8], container: &str) -> Result<ResourceUpdate, BodyError> {
    let value = gojson::decode(body, &gojson::UPDATE_CONFIG)?;
    let top = value.as_object();
    let field = |key: &str| -> Option<Fact<i64>> {
        get(top, key)
            .and_then(Value::as_i64)
            .map(|v| Fact::at_pointer(v, format!("/{key}")))
    };
    Ok(ResourceUpdate {
        container: container.to_string(),
        pids_limit: field("PidsLimit").map(|mut f| {
            if f.value < 0 {
                f.value = -1;
            }
            f
        }),
        memory: field("Memory"),
        memory_swap: field("MemorySwap"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLI_CREATE: &str = include_str!("../../tests/data/requests/create-cli.json");
    const ROUTE: &str = "POST /containers/create";

    fn create(body: &str) -> Workload {
        create_workload(body.as_bytes(), Some("1.41"), ROUTE, "t").unwrap()
    }

    fn mount(kind: &str, source: &str, destination: &str, read_only: bool, at: &str) -> Mount {
        Mount {
            kind: kind.into(),
            source: source.into(),
            destination: destination.into(),
            read_only,
            propagation: String::new(),
            bind_device: None,
            source_realpath: None,
            source_socket: None,
            at: Provenance::pointer(at.to_string()),
        }
    }

    /// The body docker 28.2 sends (API 1.41) for
    /// `docker create --name web -u 1000:1000 --cap-drop ALL --cap-add NET_BIND_SERVICE
    /// --security-opt no-new-privileges -p 127.0.0.1:8080:80 -v /srv/data:/data:ro -v cache:/cache
    /// --mount type=volume,src=hostetc,dst=/he,volume-driver=local,volume-opt=type=none,
    /// volume-opt=o=bind,volume-opt=device=/etc --pids-limit 100 -m 256m --read-only
    /// --sysctl net.core.somaxconn=1024 --device /dev/fuse --health-cmd 'curl -f http://localhost/'
    /// nginx:1.25`, captured from the CLI.
    #[test]
    fn a_docker_cli_create_body_reads_exactly() {
        let w = create_workload(CLI_CREATE.as_bytes(), Some("1.41"), ROUTE, "web").unwrap();
        let ns = |mode: &str, at: &'static str| NamespaceMode::at_pointer(mode, at);
        let mut bind_volume = mount("volume", "hostetc", "/he", false, "/HostConfig/Mounts/0");
        bind_volume.bind_device = Some("/etc".into());
        let expected = Workload {
            origin: Origin::Request {
                route: ROUTE.into(),
                name: "web".into(),
            },
            image: Fact::at_pointer("nginx:1.25".into(), "/Image"),
            user: Fact::at_pointer("1000:1000".into(), "/User"),
            user_uid: None,
            privileged: Fact::at_pointer(false, "/HostConfig/Privileged"),
            cap_add: Fact::at_pointer(vec!["CAP_NET_BIND_SERVICE".into()], "/HostConfig/CapAdd"),
            cap_drop: Fact::at_pointer(vec!["ALL".into()], "/HostConfig/CapDrop"),
            security_opt: Fact::at_pointer(vec!["no-new-privileges".into()], "/HostConfig/SecurityOpt"),
            apparmor_profile: None,
            process_label: None,
            pid_mode: ns("", "/HostConfig/PidMode"),
            ipc_mode: ns("", "/HostConfig/IpcMode"),
            uts_mode: ns("", "/HostConfig/UTSMode"),
            network_mode: ns("default", "/HostConfig/NetworkMode"),
            userns_mode: ns("", "/HostConfig/UsernsMode"),
            cgroupns_mode: ns("", "/HostConfig/CgroupnsMode"),
            networks: Fact::at_pointer(vec!["bridge".into()], "/NetworkingConfig/EndpointsConfig"),
            mounts: vec![
                mount("bind", "/srv/data", "/data", true, "/HostConfig/Binds/0"),
                mount("volume", "cache", "/cache", false, "/HostConfig/Binds/1"),
                bind_volume,
            ],
            devices: Fact::at_pointer(
                vec![Device {
                    path_on_host: "/dev/fuse".into(),
                    path_in_container: "/dev/fuse".into(),
                    cgroup_permissions: "rwm".into(),
                }],
                "/HostConfig/Devices",
            ),
            device_cgroup_rules: Fact::at_pointer(vec![], "/HostConfig/DeviceCgroupRules"),
            device_requests: Fact::at_pointer(vec![], "/HostConfig/DeviceRequests"),
            readonly_rootfs: Fact::at_pointer(true, "/HostConfig/ReadonlyRootfs"),
            memory: Fact::at_pointer(268_435_456, "/HostConfig/Memory"),
            cpu_shares: Fact::at_pointer(0, "/HostConfig/CpuShares"),
            nano_cpus: Fact::at_pointer(0, "/HostConfig/NanoCpus"),
            cpu_quota: Fact::at_pointer(0, "/HostConfig/CpuQuota"),
            cpuset_cpus: Fact::at_pointer(String::new(), "/HostConfig/CpusetCpus"),
            pids_limit: Fact::at_pointer(Some(100), "/HostConfig/PidsLimit"),
            ports: vec![PortBinding {
                container_port: "80/tcp".into(),
                host_ip: "127.0.0.1".into(),
                host_port: "8080".into(),
                at: Provenance::pointer("/HostConfig/PortBindings/80~1tcp/0"),
            }],
            publish_all_ports: Fact::at_pointer(false, "/HostConfig/PublishAllPorts"),
            restart_policy: Fact::at_pointer(
                RestartPolicy {
                    name: "no".into(),
                    maximum_retry_count: 0,
                },
                "/HostConfig/RestartPolicy",
            ),
            healthcheck: Fact::at_pointer(
                Some(Healthcheck {
                    test: vec!["CMD-SHELL".into(), "curl -f http://localhost/".into()],
                }),
                "/Healthcheck",
            ),
            health_status: None,
            cgroup_parent: Fact::at_pointer(String::new(), "/HostConfig/CgroupParent"),
            ulimits: Fact::at_pointer(vec![], "/HostConfig/Ulimits"),
            sysctls: Fact::at_pointer(
                BTreeMap::from([("net.core.somaxconn".to_string(), "1024".to_string())]),
                "/HostConfig/Sysctls",
            ),
            masked_paths: Fact::at_pointer(None, "/HostConfig/MaskedPaths"),
            readonly_paths: Fact::at_pointer(None, "/HostConfig/ReadonlyPaths"),
            volumes_from: Fact::at_pointer(vec![], "/HostConfig/VolumesFrom"),
            unknown: BTreeMap::new(),
            exec_hooks: Vec::new(),
            labels: Default::default(),
            kubernetes: None,
        };
        assert_eq!(w, expected);
    }

    #[test]
    fn case_variants_and_duplicates_are_read_as_dockerd_reads_them() {
        let w = create(r#"{"hostconfig":{"privileged":true}}"#);
        assert_eq!(w.privileged, Fact::at_pointer(true, "/HostConfig/Privileged"));
        let w = create(r#"{"HostConfig":{"Privileged":true},"hostConfig":{"ReadonlyRootfs":true}}"#);
        assert!(w.privileged.value && w.readonly_rootfs.value);
        let w = create(r#"{"HostConfig":{"Privil\u0065ged":true}}"#);
        assert!(w.privileged.value);
        let w = create(r#"{"HostConfig":{"Privileged":false}} {"HostConfig":{"Privileged":true}}"#);
        assert!(!w.privileged.value);
        let w =
            create(r#"{"HostConfig":{"Mounts":[{"Type":"bind","Source":"/"}],"Mounts":[{"Target":"/x"}]}}"#);
        assert_eq!(
            w.mounts,
            vec![mount("bind", "/", "/x", false, "/HostConfig/Mounts/0")]
        );
    }

    #[test]
    fn the_top_level_host_config_counts_when_there_is_no_inner_one() {
        let w = create(r#"{"Image":"a","Privileged":true,"Binds":["/:/host"],"PidMode":"host"}"#);
        assert_eq!(w.privileged, Fact::at_pointer(true, "/Privileged"));
        assert_eq!(w.pid_mode, NamespaceMode::at_pointer("host", "/PidMode"));
        assert_eq!(w.mounts, vec![mount("bind", "/", "/host", false, "/Binds/0")]);
        // With an inner one, only Memory, MemorySwap, CpuShares, CpusetCpus and VolumeDriver
        // come from the top level, and only where the inner one leaves them zero.
        let w = create(
            r#"{"Privileged":true,"Memory":5,"CpuShares":7,"Cpuset":"0-1",
                "HostConfig":{"CpuShares":9,"ReadonlyRootfs":true}}"#,
        );
        assert_eq!(w.privileged, Fact::at_pointer(false, "/HostConfig/Privileged"));
        assert_eq!(w.memory, Fact::at_pointer(5, "/Memory"));
        assert_eq!(w.cpu_shares, Fact::at_pointer(9, "/HostConfig/CpuShares"));
        assert_eq!(w.cpuset_cpus, Fact::at_pointer("0-1".into(), "/Cpuset"));
        // No HostConfig at all: Cpuset is not applied, defaults hold.
        let w = create(r#"{"Image":"a","Cpuset":"0"}"#);
        assert_eq!(w.cpuset_cpus, Fact::at_pointer(String::new(), "/CpusetCpus"));
        assert_eq!(
            w.network_mode,
            NamespaceMode::at_pointer("default", "/NetworkMode")
        );
        assert_eq!(w.networks.value, ["bridge"]);
    }

    #[test]
    fn binds_parse_like_dockerd() {
        let w = create(
            r#"{"HostConfig":{"Binds":["/etc:/e:ro,rshared,Z,cached","data:/d:nocopy","/anon","//etc//:/y"]}}"#,
        );
        let mut etc = mount("bind", "/etc", "/e", true, "/HostConfig/Binds/0");
        etc.propagation = "rshared".into();
        assert_eq!(
            w.mounts,
            vec![
                etc,
                mount("volume", "data", "/d", false, "/HostConfig/Binds/1"),
                mount("volume", "", "/anon", false, "/HostConfig/Binds/2"),
                mount("bind", "//etc//", "/y", false, "/HostConfig/Binds/3"),
            ]
        );
        let err =
            create_workload(br#"{"HostConfig":{"Binds":["/a:/b:rw:x"]}}"#, None, ROUTE, "t").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"/HostConfig/Binds/0: invalid bind "/a:/b:rw:x": too many colons (dockerd refuses it)"#
        );
        let err = create_workload(br#"{"HostConfig":{"Binds":["/a:ro"]}}"#, None, ROUTE, "t").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"/HostConfig/Binds/0: invalid bind "/a:ro": a mode without a destination (dockerd refuses it)"#
        );
        let err =
            create_workload(br#"{"HostConfig":{"Binds":["/a:/b:ro,rw"]}}"#, None, ROUTE, "t").unwrap_err();
        assert!(err.to_string().contains("invalid mode"), "{err}");
        let err =
            create_workload(br#"{"HostConfig":{"Binds":["/a:/b:bogus"]}}"#, None, ROUTE, "t").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"/HostConfig/Binds/0: invalid bind "/a:/b:bogus": invalid mode (dockerd refuses it)"#
        );
    }

    #[test]
    fn volume_mounts_that_bind_a_host_path_carry_it() {
        let w = create(
            r#"{"HostConfig":{"Mounts":[
                {"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"DriverConfig":{"Options":{"o":"ro,rbind","device":"/"}}}},
                {"Type":"volume","Source":"w","Target":"/w","VolumeOptions":{"DriverConfig":{"Name":"other","Options":{"o":"bind","device":"/"}}}},
                {"Type":"tmpfs","Target":"/t"},
                {"Type":"bind","Source":"/run","Target":"/r","ReadOnly":true,"BindOptions":{"Propagation":"rslave"}}]}}"#,
        );
        let kinds: Vec<(&str, Option<&str>, &str)> = w
            .mounts
            .iter()
            .map(|m| (m.kind.as_str(), m.bind_device.as_deref(), m.propagation.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("volume", Some("/"), ""),
                ("volume", None, ""),
                ("tmpfs", None, ""),
                ("bind", None, "rslave")
            ]
        );
        assert!(w.mounts[3].read_only);
    }

    #[test]
    fn systempaths_nil_and_empty_differ() {
        let w = create(r#"{"HostConfig":{"MaskedPaths":[],"ReadonlyPaths":null}}"#);
        assert_eq!(
            w.masked_paths,
            Fact::at_pointer(Some(vec![]), "/HostConfig/MaskedPaths")
        );
        assert_eq!(
            w.readonly_paths,
            Fact::at_pointer(None, "/HostConfig/ReadonlyPaths")
        );
        let w = create(r#"{"HostConfig":{"MaskedPaths":[]},"HostConfig":{"MaskedPaths":null}}"#);
        assert_eq!(w.masked_paths.value, None);
    }

    #[test]
    fn api_versions_below_1_40_make_an_unset_ipc_mode_shareable() {
        let w = create_workload(br#"{"HostConfig":{}}"#, Some("1.39"), ROUTE, "t").unwrap();
        assert_eq!(w.ipc_mode.mode, "shareable");
        let w = create_workload(br#"{"HostConfig":{}}"#, None, ROUTE, "t").unwrap();
        assert_eq!(w.ipc_mode.mode, "");
    }

    #[test]
    fn wrong_types_are_refused_with_the_field() {
        let err = create_workload(br#"{"HostConfig":{"Privileged":"yes"}}"#, None, ROUTE, "t").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the body is not JSON as dockerd reads it: /HostConfig/Privileged must be a boolean, not a string at byte 28"
        );
    }

    #[test]
    fn legacy_start_bodies_read_like_create() {
        let w = start_workload(
            br#"{"Privileged":true,"Binds":["/:/h"]}"#,
            Some("1.23"),
            "POST /containers/{id}/start",
            "abc",
        )
        .unwrap();
        assert_eq!(w.privileged, Fact::at_pointer(true, "/Privileged"));
        assert_eq!(w.origin.name(), "abc");
        assert_eq!(w.mounts[0].source, "/");
        // The container's own Config applies: a user in the body is not believed.
        let w = start_workload(
            br#"{"User":"1000","Image":"x","HostConfig":{"CapDrop":["ALL"]}}"#,
            Some("1.23"),
            "POST /containers/{id}/start",
            "abc",
        )
        .unwrap();
        assert_eq!(w.user, Fact::default());
        assert_eq!(w.image, Fact::default());
        assert_eq!(w.cap_drop.value, ["ALL"]);
        assert_eq!(
            w.unknown_reasons(&["/Config/User"]),
            ["a legacy start (API below 1.24) keeps container abc's own User; the request does not carry it"]
        );
        assert_eq!(w.unknown.len(), 3);
    }

    const SERVICE: &str = r#"{"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"nginx","User":"0",
        "CapabilityAdd":["SYS_ADMIN"],"CapabilityDrop":["ALL"],"Sysctls":{"kernel.shm_rmid_forced":"1"},
        "ReadOnly":true,"Ulimits":[{"Name":"nofile","Soft":1,"Hard":2}],
        "Mounts":[{"Type":"bind","Source":"/var/run/docker.sock","Target":"/s"}],
        "Privileges":{"SELinuxContext":{"Type":"spc_t","Level":"s0"},"Seccomp":{"Mode":"custom","Profile":"eyJkZWZhdWx0QWN0aW9uIjoiU0NNUF9BQ1RfQUxMT1cifQ=="},
                      "AppArmor":{"Mode":"disabled"},"NoNewPrivileges":true}},
        "Resources":{"Limits":{"NanoCPUs":500000000,"MemoryBytes":1048576,"Pids":50}},
        "Networks":[{"Target":"overlay1"},{"Target":"host"}]},
        "EndpointSpec":{"Ports":[{"TargetPort":80,"PublishedPort":8080,"PublishMode":"host"},{"TargetPort":443,"PublishedPort":443}]}}"#;

    #[test]
    fn a_service_spec_becomes_its_task_container() {
        let w = service_workload(SERVICE.as_bytes(), Some("1.44"), "POST /services/create").unwrap();
        assert_eq!(w.origin.name(), "web");
        assert_eq!(
            w.image,
            Fact::at_pointer("nginx".into(), "/TaskTemplate/ContainerSpec/Image")
        );
        assert_eq!(
            w.user,
            Fact::at_pointer("0".into(), "/TaskTemplate/ContainerSpec/User")
        );
        assert!(!w.privileged.value);
        assert_eq!(w.cap_add.value, ["SYS_ADMIN"]);
        assert_eq!(w.cap_drop.value, ["ALL"]);
        assert_eq!(
            w.security_opt,
            Fact::at_pointer(
                vec![
                    "label=type:spc_t".to_string(),
                    "label=level:s0".into(),
                    r#"seccomp={"defaultAction":"SCMP_ACT_ALLOW"}"#.into(),
                    "apparmor=unconfined".into(),
                    "no-new-privileges".into(),
                ],
                "/TaskTemplate/ContainerSpec/Privileges"
            )
        );
        assert_eq!(
            w.network_mode,
            NamespaceMode::at_pointer("host", "/TaskTemplate/Networks/1/Target")
        );
        assert_eq!(w.networks.value, ["overlay1", "host"]);
        assert_eq!(
            w.mounts,
            vec![mount(
                "bind",
                "/var/run/docker.sock",
                "/s",
                false,
                "/TaskTemplate/ContainerSpec/Mounts/0"
            )]
        );
        assert!(w.readonly_rootfs.value);
        assert_eq!(
            w.memory,
            Fact::at_pointer(1_048_576, "/TaskTemplate/Resources/Limits/MemoryBytes")
        );
        assert_eq!(w.nano_cpus.value, 500_000_000);
        assert_eq!(
            w.pids_limit,
            Fact::at_pointer(Some(50), "/TaskTemplate/Resources/Limits/Pids")
        );
        assert_eq!(
            w.ports,
            vec![PortBinding {
                container_port: "80/tcp".into(),
                host_ip: String::new(),
                host_port: "8080".into(),
                at: Provenance::pointer("/EndpointSpec/Ports/0"),
            }]
        );
        assert_eq!(w.sysctls.value.len(), 1);
        assert_eq!(
            w.ulimits.value,
            [Ulimit {
                name: "nofile".into(),
                soft: 1,
                hard: 2
            }]
        );
    }

    #[test]
    fn a_service_spec_for_an_older_api_loses_what_dockerd_clears() {
        // API 1.39: no sysctls; below 1.41 no capabilities, ulimits or PIDs limit; without 1.44
        // NoNewPrivileges is ignored by the daemon and must not count.
        let w = service_workload(SERVICE.as_bytes(), Some("1.39"), "POST /services/create").unwrap();
        assert!(w.cap_add.value.is_empty() && w.cap_drop.value.is_empty() && w.ulimits.value.is_empty());
        assert!(w.sysctls.value.is_empty());
        assert_eq!(w.pids_limit.value, None);
        assert!(!w.security_opt.value.iter().any(|o| o == "no-new-privileges"));
        let w = service_workload(SERVICE.as_bytes(), None, "POST /services/create").unwrap();
        assert!(!w.security_opt.value.iter().any(|o| o == "no-new-privileges"));
        assert!(w.security_opt.value.iter().any(|o| o == "apparmor=unconfined"));
        let w = service_workload(
            br#"{"TaskTemplate":{"ContainerSpec":{"Privileges":{"SELinuxContext":{"Disable":true,"Type":"x"}}}}}"#,
            None,
            "POST /services/create",
        )
        .unwrap();
        assert_eq!(w.security_opt.value, ["label=disable"]);
    }

    #[test]
    fn a_local_volume_that_binds_a_host_path_is_that_bind() {
        let w = volume_workload(
            br#"{"Name":"v","driver":"local","DriverOpts":{"type":"none","o":"bind","device":"/etc"}}"#,
            "POST /volumes/create",
        )
        .unwrap();
        let mut expected = mount("volume", "v", "", false, "/DriverOpts/device");
        expected.bind_device = Some("/etc".into());
        assert_eq!(w.mounts, vec![expected]);
        assert_eq!(w.origin.name(), "v");
        // Option keys are map keys: matched exactly, as the local driver does.
        let w = volume_workload(
            br#"{"Name":"v","DriverOpts":{"O":"bind","device":"/etc"}}"#,
            "POST /volumes/create",
        )
        .unwrap();
        assert_eq!(w.mounts[0].bind_device, None);
        let w = volume_workload(
            br#"{"Name":"v","Driver":"nfs","DriverOpts":{"o":"bind","device":"/"}}"#,
            "POST /volumes/create",
        )
        .unwrap();
        assert_eq!(w.mounts[0].bind_device, None);
    }

    #[test]
    fn exec_bodies_give_privileged_and_user() {
        let e = exec_spec(br#"{"privileged":true,"USER":"root","Cmd":["sh"]}"#, "web").unwrap();
        assert_eq!(e.container, "web");
        assert_eq!(e.privileged, Fact::at_pointer(true, "/Privileged"));
        assert_eq!(e.user, Fact::at_pointer("root".into(), "/User"));
        let err = exec_spec(br#"{"Privileged":1}"#, "web").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the body is not JSON as dockerd reads it: /Privileged must be a boolean, not a number at byte 14"
        );
    }

    #[test]
    fn updates_give_the_limits_they_set() {
        let u = resource_update(br#"{"pidslimit":-5,"MemorySwap":-1}"#, "web").unwrap();
        assert_eq!(u.pids_limit, Some(Fact::at_pointer(-1, "/PidsLimit")));
        assert_eq!(u.memory, None);
        assert_eq!(u.memory_swap, Some(Fact::at_pointer(-1, "/MemorySwap")));
        let u = resource_update(br#"{"PidsLimit":null,"Memory":0}"#, "web").unwrap();
        assert_eq!(u.pids_limit, None);
        assert_eq!(u.memory, Some(Fact::at_pointer(0, "/Memory")));
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_come_from_each_body_and_malformed_ones_are_left_out() {
        let w = create(r#"{"Image":"busybox","Labels":{"team":"web","tier":"","none":null}}"#);
        assert_eq!(w.labels, labels(&[("none", ""), ("team", "web"), ("tier", "")]));
        // Go decodes field names in any case.
        let w = create(r#"{"Image":"busybox","labels":{"team":"web"}}"#);
        assert_eq!(w.labels, labels(&[("team", "web")]));
        assert!(create(r#"{"Image":"busybox"}"#).labels.is_empty());
        // A service's labels are its task container's; the service's own are not.
        let service = br#"{"Name":"web","Labels":{"svc":"1"},"TaskTemplate":{"ContainerSpec":{"Image":"nginx","Labels":{"team":"web"}}}}"#;
        let w = service_workload(service, Some("1.41"), "POST /services/create").unwrap();
        assert_eq!(w.labels, labels(&[("team", "web")]));
        let w = volume_workload(
            br#"{"Name":"data","Labels":{"backup":"daily"}}"#,
            "POST /volumes/create",
        )
        .unwrap();
        assert_eq!(w.labels, labels(&[("backup", "daily")]));
        // A legacy start keeps the container's labels, which the body does not carry.
        let w = start_workload(
            br#"{"Labels":{"team":"web"}}"#,
            Some("1.23"),
            "POST /containers/abc/start",
            "abc",
        )
        .unwrap();
        assert!(w.labels.is_empty());
    }
}
