//! Normalizes a container inspect document (`GET /containers/{id}/json`) into a [`Workload`].
//!
//! Pure: bytes in, facts out, every value tagged with its JSON pointer. The Engine API always
//! sends the top-level parts (`HostConfig`, `Config`, `State`, `Mounts`, `NetworkSettings`,
//! `AppArmorProfile`, `ProcessLabel`) and the scalar settings inside them; one that is absent,
//! `null` or of the wrong type is recorded in [`Workload::unknown`], never replaced by a guess,
//! and spoils only the rules that need it. Defaults apply only where the API documents one: a
//! `null` or absent list (`CapAdd`, `Devices`, ...) is empty, an absent `Healthcheck` or
//! `State.Health` means none, a `null` `PidsLimit` means unlimited.

use std::collections::BTreeMap;

use dockward_model::JoinTarget;
use dockward_model::fact::escape_pointer_token;
use dockward_model::workload::ResolvedJoin;
use dockward_model::{
    Device, DeviceRequest, Fact, Healthcheck, JoinableNamespace, Mount, NamespaceMode, Origin, PortBinding,
    RestartPolicy, Ulimit, Workload,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::CollectError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HealthcheckJson {
    test: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeviceJson {
    path_on_host: Option<String>,
    path_in_container: Option<String>,
    cgroup_permissions: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeviceRequestJson {
    driver: Option<String>,
    count: Option<i64>,
    #[serde(rename = "DeviceIDs")]
    device_ids: Option<Vec<String>>,
    capabilities: Option<Vec<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PortJson {
    host_ip: Option<String>,
    host_port: Option<String>,
}

type PortMap = BTreeMap<String, Option<Vec<PortJson>>>;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RestartPolicyJson {
    name: String,
    maximum_retry_count: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UlimitJson {
    name: Option<String>,
    soft: Option<i64>,
    hard: Option<i64>,
}

/// How the Engine API sends a field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// Always, never `null`: absent or `null` is unknown.
    Always,
    /// Always, `null` meaning unset: absent is unknown.
    Nullable,
    /// Possibly absent; absent or `null` has a documented meaning.
    Optional,
}

/// Reads fields of the inspect document, recording every fact it could not read.
#[derive(Default)]
struct Reader {
    unknown: BTreeMap<String, String>,
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl Reader {
    /// A field of `parent` (the object at `parent_pointer`; `None` when that was unknown, which
    /// is already recorded), decoded as `T` (described as `what` in messages).
    fn field<T: DeserializeOwned>(
        &mut self,
        parent: Option<&Map<String, Value>>,
        parent_pointer: &str,
        key: &str,
        sent: Sent,
        what: &str,
    ) -> Option<T> {
        let parent = parent?;
        let pointer = format!("{parent_pointer}/{key}");
        let value = match (parent.get(key), sent) {
            (None, Sent::Optional) | (Some(Value::Null), Sent::Optional | Sent::Nullable) => return None,
            (None, _) => {
                self.unknown
                    .insert(pointer.clone(), format!("the daemon's answer lacks {pointer}"));
                return None;
            }
            (Some(Value::Null), Sent::Always) => {
                self.unknown.insert(
                    pointer.clone(),
                    format!("{pointer} is null in the daemon's answer"),
                );
                return None;
            }
            (Some(value), _) => value,
        };
        match T::deserialize(value) {
            Ok(decoded) => Some(decoded),
            Err(error) => {
                let reason = format!("{pointer} is not {what} in the daemon's answer ({error})");
                self.unknown.insert(pointer, reason);
                None
            }
        }
    }

    /// A part that must be an object (`/HostConfig`, `/HostConfig/RestartPolicy` ...).
    fn object<'a>(
        &mut self,
        parent: Option<&'a Map<String, Value>>,
        parent_pointer: &str,
        key: &str,
        sent: Sent,
    ) -> Option<&'a Map<String, Value>> {
        let pointer = format!("{parent_pointer}/{key}");
        match (parent?.get(key), sent) {
            (None, Sent::Optional) | (Some(Value::Null), Sent::Optional | Sent::Nullable) => None,
            (Some(Value::Object(map)), _) => Some(map),
            (None, _) => {
                self.unknown
                    .insert(pointer.clone(), format!("the daemon's answer lacks {pointer}"));
                None
            }
            (Some(Value::Null), Sent::Always) => {
                self.unknown.insert(
                    pointer.clone(),
                    format!("{pointer} is null in the daemon's answer"),
                );
                None
            }
            (Some(other), _) => {
                self.unknown.insert(
                    pointer.clone(),
                    format!(
                        "{pointer} is not an object in the daemon's answer (it is {})",
                        json_kind(other)
                    ),
                );
                None
            }
        }
    }
}

/// Decodes and normalizes one inspect document. `what` names the object in errors
/// (e.g. `container web`). Only a document that is not a JSON object, or has no string `Id`, is
/// an error; every other flaw makes the facts it touches unknown.
pub fn workload_from_inspect(bytes: &[u8], what: &str) -> Result<Workload, CollectError> {
    let json_error = |source| CollectError::Json {
        what: format!("inspect of {what}"),
        source,
    };
    let doc: Map<String, Value> = serde_json::from_slice(bytes).map_err(json_error)?;
    let id = match doc.get("Id") {
        Some(Value::String(id)) => id.clone(),
        Some(other) => {
            return Err(json_error(serde::de::Error::custom(format!(
                "invalid type: `Id` is {}, expected a string",
                json_kind(other)
            ))));
        }
        None => return Err(json_error(serde::de::Error::custom("missing field `Id`"))),
    };
    Ok(normalize(id, &doc))
}

fn normalize(id: String, doc: &Map<String, Value>) -> Workload {
    let mut r = Reader::default();
    let root = Some(doc);
    let hc = r.object(root, "", "HostConfig", Sent::Always);
    let config = r.object(root, "", "Config", Sent::Always);
    let state = r.object(root, "", "State", Sent::Always);
    let network_settings = r.object(root, "", "NetworkSettings", Sent::Always);
    // Only a display name: a malformed one judges nothing.
    let name = doc
        .get("Name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_string();

    const HC: &str = "/HostConfig";
    let string = |r: &mut Reader, key: &str| -> String {
        r.field(hc, HC, key, Sent::Always, "a string").unwrap_or_default()
    };
    let pid_mode = string(&mut r, "PidMode");
    let ipc_mode = string(&mut r, "IpcMode");
    let uts_mode = string(&mut r, "UTSMode");
    let network_mode = string(&mut r, "NetworkMode");
    let userns_mode = string(&mut r, "UsernsMode");
    let cpuset_cpus = string(&mut r, "CpusetCpus");
    let cgroup_parent = string(&mut r, "CgroupParent");
    // Older API versions do not send it, and no rule judges it.
    let cgroupns_mode: String = r
        .field(hc, HC, "CgroupnsMode", Sent::Optional, "a string")
        .unwrap_or_default();
    let flag = |r: &mut Reader, key: &str| -> bool {
        r.field(hc, HC, key, Sent::Always, "a boolean").unwrap_or(false)
    };
    let privileged = flag(&mut r, "Privileged");
    let readonly_rootfs = flag(&mut r, "ReadonlyRootfs");
    let publish_all_ports = flag(&mut r, "PublishAllPorts");
    let number =
        |r: &mut Reader, key: &str| -> i64 { r.field(hc, HC, key, Sent::Always, "an integer").unwrap_or(0) };
    let memory = number(&mut r, "Memory");
    let cpu_shares = number(&mut r, "CpuShares");
    let nano_cpus = number(&mut r, "NanoCpus");
    let cpu_quota = number(&mut r, "CpuQuota");
    let pids_limit: Option<i64> = r.field(hc, HC, "PidsLimit", Sent::Nullable, "an integer");
    let list = |r: &mut Reader, key: &str| -> Vec<String> {
        r.field(hc, HC, key, Sent::Optional, "a list of strings")
            .unwrap_or_default()
    };
    let cap_add = list(&mut r, "CapAdd");
    let cap_drop = list(&mut r, "CapDrop");
    let security_opt = list(&mut r, "SecurityOpt");
    let volumes_from = list(&mut r, "VolumesFrom");
    let device_cgroup_rules = list(&mut r, "DeviceCgroupRules");
    let devices: Vec<DeviceJson> = r
        .field(hc, HC, "Devices", Sent::Optional, "a list of devices")
        .unwrap_or_default();
    let device_requests: Vec<DeviceRequestJson> = r
        .field(
            hc,
            HC,
            "DeviceRequests",
            Sent::Optional,
            "a list of device requests",
        )
        .unwrap_or_default();
    let sysctls: BTreeMap<String, String> = r
        .field(hc, HC, "Sysctls", Sent::Optional, "an object of strings")
        .unwrap_or_default();
    let masked_paths: Option<Vec<String>> =
        r.field(hc, HC, "MaskedPaths", Sent::Optional, "a list of strings");
    let readonly_paths: Option<Vec<String>> =
        r.field(hc, HC, "ReadonlyPaths", Sent::Optional, "a list of strings");
    let ulimits: Vec<UlimitJson> = r
        .field(hc, HC, "Ulimits", Sent::Optional, "a list of ulimits")
        .unwrap_or_default();
    let port_config: PortMap = r
        .field(
            hc,
            HC,
            "PortBindings",
            Sent::Optional,
            "an object of port bindings",
        )
        .unwrap_or_default();
    let restart_policy = r
        .field::<RestartPolicyJson>(
            hc,
            HC,
            "RestartPolicy",
            Sent::Always,
            "an object with Name and MaximumRetryCount",
        )
        .map_or(
            RestartPolicy {
                name: String::new(),
                maximum_retry_count: 0,
            },
            |p| RestartPolicy {
                name: p.name,
                maximum_retry_count: p.maximum_retry_count,
            },
        );

    let user: String = r
        .field(config, "/Config", "User", Sent::Always, "a string")
        .unwrap_or_default();
    let image: String = r
        .field(config, "/Config", "Image", Sent::Always, "a string")
        .unwrap_or_default();
    let healthcheck = r
        .field::<HealthcheckJson>(
            config,
            "/Config",
            "Healthcheck",
            Sent::Optional,
            "an object with Test",
        )
        .map(|h| Healthcheck {
            test: h.test.unwrap_or_default(),
        });

    let status: String = r
        .field(state, "/State", "Status", Sent::Always, "a string")
        .unwrap_or_default();
    let health = r.object(state, "/State", "Health", Sent::Optional);
    let health_status = r
        .field::<String>(health, "/State/Health", "Status", Sent::Always, "a string")
        .map(|s| Fact::at_pointer(s, "/State/Health/Status"));

    let apparmor_profile: Option<String> = r.field(root, "", "AppArmorProfile", Sent::Always, "a string");
    let process_label: Option<String> = r.field(root, "", "ProcessLabel", Sent::Always, "a string");

    let mounts = read_mounts(&mut r, doc);

    let networks: Vec<String> = r
        .field::<Map<String, Value>>(
            network_settings,
            "/NetworkSettings",
            "Networks",
            Sent::Always,
            "an object of networks",
        )
        .map(|n| n.keys().cloned().collect())
        .unwrap_or_default();
    let live_ports: Option<PortMap> = r
        .field::<PortMap>(
            network_settings,
            "/NetworkSettings",
            "Ports",
            Sent::Optional,
            "an object of port bindings",
        )
        .filter(|p| p.values().any(|b| b.as_ref().is_some_and(|b| !b.is_empty())));
    // A started container's NetworkSettings.Ports holds the bindings in effect (random ports
    // resolved); otherwise the configured HostConfig.PortBindings are what will apply.
    let ports = match &live_ports {
        Some(ports) => port_bindings(ports, "/NetworkSettings/Ports"),
        None => port_bindings(&port_config, "/HostConfig/PortBindings"),
    };

    let ns = |mode: String, pointer: &'static str| NamespaceMode::at_pointer(mode, pointer);
    Workload {
        origin: Origin::Container {
            id,
            name,
            state: status,
        },
        image: Fact::at_pointer(image, "/Config/Image"),
        user: Fact::at_pointer(user, "/Config/User"),
        user_uid: None,
        privileged: Fact::at_pointer(privileged, "/HostConfig/Privileged"),
        cap_add: Fact::at_pointer(cap_add, "/HostConfig/CapAdd"),
        cap_drop: Fact::at_pointer(cap_drop, "/HostConfig/CapDrop"),
        security_opt: Fact::at_pointer(security_opt, "/HostConfig/SecurityOpt"),
        apparmor_profile: Some(Fact::at_pointer(
            apparmor_profile.unwrap_or_default(),
            "/AppArmorProfile",
        )),
        process_label: Some(Fact::at_pointer(
            process_label.unwrap_or_default(),
            "/ProcessLabel",
        )),
        pid_mode: ns(pid_mode, "/HostConfig/PidMode"),
        ipc_mode: ns(ipc_mode, "/HostConfig/IpcMode"),
        uts_mode: ns(uts_mode, "/HostConfig/UTSMode"),
        network_mode: ns(network_mode, "/HostConfig/NetworkMode"),
        userns_mode: ns(userns_mode, "/HostConfig/UsernsMode"),
        cgroupns_mode: ns(cgroupns_mode, "/HostConfig/CgroupnsMode"),
        networks: Fact::at_pointer(networks, "/NetworkSettings/Networks"),
        mounts,
        devices: Fact::at_pointer(
            devices
                .into_iter()
                .map(|d| Device {
                    path_on_host: d.path_on_host.unwrap_or_default(),
                    path_in_container: d.path_in_container.unwrap_or_default(),
                    cgroup_permissions: d.cgroup_permissions.unwrap_or_default(),
                })
                .collect(),
            "/HostConfig/Devices",
        ),
        device_cgroup_rules: Fact::at_pointer(device_cgroup_rules, "/HostConfig/DeviceCgroupRules"),
        device_requests: Fact::at_pointer(
            device_requests
                .into_iter()
                .map(|r| DeviceRequest {
                    driver: r.driver.unwrap_or_default(),
                    count: r.count.unwrap_or(0),
                    device_ids: r.device_ids.unwrap_or_default(),
                    capabilities: r.capabilities.unwrap_or_default(),
                })
                .collect(),
            "/HostConfig/DeviceRequests",
        ),
        readonly_rootfs: Fact::at_pointer(readonly_rootfs, "/HostConfig/ReadonlyRootfs"),
        memory: Fact::at_pointer(memory, "/HostConfig/Memory"),
        cpu_shares: Fact::at_pointer(cpu_shares, "/HostConfig/CpuShares"),
        nano_cpus: Fact::at_pointer(nano_cpus, "/HostConfig/NanoCpus"),
        cpu_quota: Fact::at_pointer(cpu_quota, "/HostConfig/CpuQuota"),
        cpuset_cpus: Fact::at_pointer(cpuset_cpus, "/HostConfig/CpusetCpus"),
        pids_limit: Fact::at_pointer(pids_limit, "/HostConfig/PidsLimit"),
        ports,
        publish_all_ports: Fact::at_pointer(publish_all_ports, "/HostConfig/PublishAllPorts"),
        restart_policy: Fact::at_pointer(restart_policy, "/HostConfig/RestartPolicy"),
        healthcheck: Fact::at_pointer(healthcheck, "/Config/Healthcheck"),
        health_status,
        cgroup_parent: Fact::at_pointer(cgroup_parent, "/HostConfig/CgroupParent"),
        ulimits: Fact::at_pointer(
            ulimits
                .into_iter()
                .map(|u| Ulimit {
                    name: u.name.unwrap_or_default(),
                    soft: u.soft.unwrap_or(0),
                    hard: u.hard.unwrap_or(0),
                })
                .collect(),
            "/HostConfig/Ulimits",
        ),
        sysctls: Fact::at_pointer(sysctls, "/HostConfig/Sysctls"),
        masked_paths: Fact::at_pointer(masked_paths, "/HostConfig/MaskedPaths"),
        readonly_paths: Fact::at_pointer(readonly_paths, "/HostConfig/ReadonlyPaths"),
        volumes_from: Fact::at_pointer(volumes_from, "/HostConfig/VolumesFrom"),
        unknown: r.unknown,
        exec_hooks: Vec::new(),
        labels: crate::labels::from_json(config.and_then(|c| c.get("Labels"))),
        kubernetes: None,
    }
}

/// The host directory a local volume's driver options bind (`o=bind` or `o=rbind` among its
/// comma-separated options, with `device=PATH`): such a volume is a host mount. Whatever the
/// `type` option says, the kernel ignores it for a bind.
pub fn volume_bind_device(options: &BTreeMap<String, String>) -> Option<&String> {
    let binds = options
        .get("o")
        .is_some_and(|o| o.split(',').any(|opt| opt == "bind" || opt == "rbind"));
    options.get("device").filter(|_| binds)
}

/// `Mounts`: always a list (dockerd sends `[]`, never `null`), each entry with its type,
/// destination and `RW`; an entry that lacks one makes that entry's field unknown.
fn read_mounts(r: &mut Reader, doc: &Map<String, Value>) -> Vec<Mount> {
    let entries = match doc.get("Mounts") {
        Some(Value::Array(entries)) => entries,
        None => {
            r.unknown
                .insert("/Mounts".into(), "the daemon's answer lacks /Mounts".into());
            return Vec::new();
        }
        Some(Value::Null) => {
            r.unknown
                .insert("/Mounts".into(), "/Mounts is null in the daemon's answer".into());
            return Vec::new();
        }
        Some(other) => {
            r.unknown.insert(
                "/Mounts".into(),
                format!(
                    "/Mounts is not a list in the daemon's answer (it is {})",
                    json_kind(other)
                ),
            );
            return Vec::new();
        }
    };
    let mut mounts = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let at = format!("/Mounts/{index}");
        let Value::Object(m) = entry else {
            r.unknown.insert(
                at.clone(),
                format!(
                    "{at} is not an object in the daemon's answer (it is {})",
                    json_kind(entry)
                ),
            );
            continue;
        };
        let m = Some(m);
        let kind: String = r
            .field(m, &at, "Type", Sent::Always, "a string")
            .unwrap_or_default();
        let name: Option<String> = r.field(m, &at, "Name", Sent::Optional, "a string");
        let source: String = r
            .field(m, &at, "Source", Sent::Always, "a string")
            .unwrap_or_default();
        let source = match name {
            Some(name) if kind == "volume" => name,
            _ => source,
        };
        mounts.push(Mount {
            source,
            destination: r
                .field(m, &at, "Destination", Sent::Always, "a string")
                .unwrap_or_default(),
            read_only: !r.field(m, &at, "RW", Sent::Always, "a boolean").unwrap_or(true),
            propagation: r
                .field(m, &at, "Propagation", Sent::Optional, "a string")
                .unwrap_or_default(),
            kind,
            bind_device: None,
            source_realpath: None,
            source_socket: None,
            at: dockward_model::Provenance::pointer(at),
        });
    }
    mounts
}

fn port_bindings(map: &BTreeMap<String, Option<Vec<PortJson>>>, base: &str) -> Vec<PortBinding> {
    let mut out = Vec::new();
    for (container_port, bindings) in map {
        for (index, binding) in bindings.iter().flatten().enumerate() {
            out.push(PortBinding {
                container_port: container_port.clone(),
                host_ip: binding.host_ip.clone().unwrap_or_default(),
                host_port: binding.host_port.clone().unwrap_or_default(),
                at: dockward_model::Provenance::pointer(format!(
                    "{base}/{}/{index}",
                    escape_pointer_token(container_port)
                )),
            });
        }
    }
    out
}

/// Resolves `container:<name>` namespace modes against the workloads themselves and `extra`
/// (join targets collected only for this purpose), following chains (a joins b joins the host).
/// Unknown targets stay unresolved.
pub fn resolve_joins(workloads: &mut [Workload], extra: &[Workload]) {
    let resolutions: Vec<(usize, JoinableNamespace, JoinTarget)> = {
        let known: Vec<&Workload> = workloads.iter().chain(extra).collect();
        let find = |reference: &str| -> Option<&Workload> {
            let exact = known
                .iter()
                .find(|w| w.origin.name() == reference || w.origin.id() == Some(reference));
            exact.copied().or_else(|| {
                let mut by_prefix = known
                    .iter()
                    .filter(|w| w.origin.id().is_some_and(|id| id.starts_with(reference)));
                match (by_prefix.next(), by_prefix.next()) {
                    (Some(w), None) => Some(*w),
                    _ => None,
                }
            })
        };
        let mut resolutions = Vec::new();
        for (index, workload) in workloads.iter().enumerate() {
            for ns in JoinableNamespace::ALL {
                let Some(reference) = workload.namespace(ns).container_reference() else {
                    continue;
                };
                let mut resolved = None;
                let mut next = reference;
                let mut first_name = None;
                // Follow joins; a cycle or a chain longer than the workload count stays unresolved.
                for _ in 0..=known.len() {
                    let Some(target) = find(next) else { break };
                    let name = first_name.get_or_insert_with(|| target.origin.name().to_string());
                    let mode = target.namespace(ns);
                    // A target whose mode was not read cannot tell whose namespace it is.
                    if !target.unknown_reasons(&[&mode.at.to_string()]).is_empty() {
                        break;
                    }
                    match mode.container_reference() {
                        Some(further) => next = further,
                        None => {
                            resolved = Some(ResolvedJoin {
                                name: name.clone(),
                                owner: target.origin.name().to_string(),
                                mode: mode.mode.clone(),
                            });
                            break;
                        }
                    }
                }
                resolutions.push((
                    index,
                    ns,
                    JoinTarget {
                        reference: reference.to_string(),
                        resolved,
                    },
                ));
            }
        }
        resolutions
    };
    for (index, ns, join) in resolutions {
        workloads[index].namespace_mut(ns).join = Some(join);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNNING: &str = include_str!("../../rules/tests/fixtures/base.inspect.json");

    #[test]
    fn real_inspect_document_normalizes_with_pointers() {
        let w = workload_from_inspect(RUNNING.as_bytes(), "container t1").unwrap();
        assert_eq!(
            w.origin,
            Origin::Container {
                id: "aee7af0743fbd50e08f4e85a0cf622e34e05c3c4a676633354e8d5c9dc53d5d1".into(),
                name: "t1".into(),
                state: "running".into()
            }
        );
        assert_eq!(
            w.network_mode,
            NamespaceMode::at_pointer("none", "/HostConfig/NetworkMode")
        );
        assert_eq!(w.ipc_mode.mode, "private");
        assert_eq!(w.pids_limit, Fact::at_pointer(None, "/HostConfig/PidsLimit"));
        assert_eq!(w.networks.value, vec!["none".to_string()]);
        assert!(w.mounts.is_empty());
        assert_eq!(w.user.value, "");
    }

    #[test]
    fn labels_are_read_from_config_and_malformed_ones_left_out() {
        let doc = serde_json::json!({
            "Id": "abc", "Name": "/web",
            "Config": {"Labels": {"team": "web", "com.example.tier": "", "bad": 1}},
        });
        let w = workload_from_inspect(doc.to_string().as_bytes(), "container web").unwrap();
        assert_eq!(
            w.labels,
            BTreeMap::from([
                ("com.example.tier".to_string(), String::new()),
                ("team".to_string(), "web".to_string()),
            ])
        );
        // Not an object: no labels, and no error (labels are not security facts).
        let doc = serde_json::json!({"Id": "abc", "Config": {"Labels": ["team=web"]}});
        let w = workload_from_inspect(doc.to_string().as_bytes(), "container web").unwrap();
        assert!(w.labels.is_empty());
        assert!(w.unknown.keys().all(|k| !k.contains("Labels")));
        let w = workload_from_inspect(RUNNING.as_bytes(), "container t1").unwrap();
        assert!(w.labels.is_empty());
    }

    #[test]
    fn ports_mounts_and_devices_keep_their_pointers() {
        let doc = serde_json::json!({
            "Id": "abc", "Name": "/web",
            "HostConfig": {
                "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "80"}, {"HostIp": "::", "HostPort": "8080"}]},
                "Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/xvda", "CgroupPermissions": "rwm"}],
                "VolumesFrom": ["db:ro"],
                "DeviceRequests": [{"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]}]
            },
            "Mounts": [{"Type": "bind", "Source": "/etc", "Destination": "/host-etc", "RW": false, "Propagation": "rprivate"},
                       {"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data/_data", "Destination": "/data", "RW": true}],
            "NetworkSettings": {"Ports": {"80/tcp": null}}
        });
        let w = workload_from_inspect(doc.to_string().as_bytes(), "container web").unwrap();
        assert_eq!(w.origin.name(), "web");
        assert_eq!(w.ports.len(), 2);
        assert_eq!(w.ports[1].host_ip, "::");
        assert_eq!(w.ports[1].at.to_string(), "/HostConfig/PortBindings/80~1tcp/1");
        assert_eq!(w.mounts[0].at.to_string(), "/Mounts/0");
        assert!(w.mounts[0].read_only);
        assert_eq!(w.mounts[1].source, "data");
        assert_eq!(
            w.volumes_from,
            Fact::at_pointer(vec!["db:ro".to_string()], "/HostConfig/VolumesFrom")
        );
        assert_eq!(w.devices.value[0].path_on_host, "/dev/sda");
        assert_eq!(
            w.device_requests.value[0].describe(),
            "driver nvidia, all devices, capabilities gpu"
        );
    }

    #[test]
    fn live_ports_win_over_configured_ones() {
        let doc = serde_json::json!({
            "Id": "abc", "Name": "/web",
            "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": ""}]}},
            "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}]}}
        });
        let w = workload_from_inspect(doc.to_string().as_bytes(), "container web").unwrap();
        assert_eq!(w.ports.len(), 1);
        assert_eq!(w.ports[0].host_port, "32768");
        assert_eq!(w.ports[0].at.to_string(), "/NetworkSettings/Ports/80~1tcp/0");
    }

    #[test]
    fn malformed_documents_are_errors_naming_the_object() {
        let err = workload_from_inspect(b"{\"Id\": 5}", "container x")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cannot decode inspect of container x: invalid type"),
            "{err}"
        );
        let err = workload_from_inspect(b"{}", "container y")
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `Id`"), "{err}");
    }

    #[test]
    fn parts_the_daemon_always_sends_are_unknown_when_absent_not_defaulted() {
        let w = workload_from_inspect(br#"{"Id": "abc", "Name": "/bare"}"#, "container bare").unwrap();
        let unknown: Vec<(&str, &str)> = w.unknown.iter().map(|(p, r)| (p.as_str(), r.as_str())).collect();
        assert_eq!(
            unknown,
            [
                ("/AppArmorProfile", "the daemon's answer lacks /AppArmorProfile"),
                ("/Config", "the daemon's answer lacks /Config"),
                ("/HostConfig", "the daemon's answer lacks /HostConfig"),
                ("/Mounts", "the daemon's answer lacks /Mounts"),
                ("/NetworkSettings", "the daemon's answer lacks /NetworkSettings"),
                ("/ProcessLabel", "the daemon's answer lacks /ProcessLabel"),
                ("/State", "the daemon's answer lacks /State"),
            ]
        );
        assert_eq!(
            w.unknown_reasons(&["/HostConfig/Privileged"]),
            ["the daemon's answer lacks /HostConfig"]
        );
    }

    #[test]
    fn inside_a_present_part_only_the_bad_field_is_unknown_and_documented_defaults_apply() {
        let mut doc: serde_json::Value = serde_json::from_str(RUNNING).unwrap();
        doc["HostConfig"]["Memory"] = serde_json::json!("lots");
        doc["HostConfig"]["PidsLimit"] = serde_json::Value::Null;
        doc["HostConfig"]["CapAdd"] = serde_json::Value::Null;
        doc["HostConfig"].as_object_mut().unwrap().remove("SecurityOpt");
        doc["HostConfig"]
            .as_object_mut()
            .unwrap()
            .remove("ReadonlyRootfs");
        let w = workload_from_inspect(doc.to_string().as_bytes(), "container t1").unwrap();
        let unknown: Vec<&str> = w.unknown.keys().map(String::as_str).collect();
        assert_eq!(unknown, ["/HostConfig/Memory", "/HostConfig/ReadonlyRootfs"]);
        assert_eq!(
            w.unknown["/HostConfig/Memory"],
            "/HostConfig/Memory is not an integer in the daemon's answer (invalid type: string \"lots\", expected i64)"
        );
        assert_eq!(w.pids_limit.value, None);
        assert!(w.cap_add.value.is_empty() && w.security_opt.value.is_empty());
        assert!(
            w.unknown_reasons(&["/HostConfig/Privileged", "/Mounts"])
                .is_empty()
        );
    }

    #[test]
    fn a_join_target_whose_mode_was_not_read_stays_unresolved() {
        let known = workload_from_inspect(br#"{"Id": "aaaa", "Name": "/bare"}"#, "container bare").unwrap();
        let mut targets = vec![with_modes("bbbb", "joiner", "container:bare", "")];
        resolve_joins(&mut targets, &[known]);
        assert_eq!(targets[0].network_mode.is_host(), None);
    }

    fn with_modes(id: &str, name: &str, net: &str, pid: &str) -> Workload {
        let doc = serde_json::json!({"Id": id, "Name": format!("/{name}"), "HostConfig": {"NetworkMode": net, "PidMode": pid}});
        workload_from_inspect(doc.to_string().as_bytes(), name).unwrap()
    }

    #[test]
    fn joins_follow_chains_names_and_id_prefixes() {
        let known = vec![
            with_modes("aaaa1111", "hostnet", "host", "host"),
            with_modes("bbbb2222", "middle", "container:hostnet", "container:aaaa"),
            with_modes("cccc3333", "plain", "none", ""),
        ];
        let mut targets = vec![
            with_modes("dddd4444", "a", "container:middle", "container:plain"),
            with_modes("eeee5555", "b", "container:ghost", ""),
        ];
        resolve_joins(&mut targets, &known);
        assert_eq!(targets[0].network_mode.is_host(), Some(true));
        assert_eq!(
            targets[0].network_mode.join.as_ref().unwrap().resolved,
            Some(ResolvedJoin {
                name: "middle".into(),
                owner: "hostnet".into(),
                mode: "host".into()
            })
        );
        assert_eq!(targets[0].pid_mode.is_host(), Some(false));
        assert_eq!(targets[1].network_mode.is_host(), None);
        assert_eq!(targets[1].pid_mode.join, None);
    }

    #[test]
    fn join_cycles_stay_unresolved() {
        let mut targets = vec![
            with_modes("a1", "a", "container:b", ""),
            with_modes("b1", "b", "container:a", ""),
        ];
        resolve_joins(&mut targets, &[]);
        assert_eq!(targets[0].network_mode.is_host(), None);
        assert_eq!(targets[1].network_mode.is_host(), None);
    }
}
