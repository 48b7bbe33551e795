//! Normalizes a container inspect document (`GET /containers/{id}/json`) into a [`Workload`].
//!
//! Pure: bytes in, facts out, every value tagged with its JSON pointer. Fields that are absent or
//! `null` take the value dockerd gives them when unset (false, 0, empty).

use std::collections::BTreeMap;

use dockward_model::JoinTarget;
use dockward_model::fact::escape_pointer_token;
use dockward_model::workload::ResolvedJoin;
use dockward_model::{
    Device, DeviceRequest, Fact, Healthcheck, JoinableNamespace, Mount, NamespaceMode, Origin, PortBinding,
    RestartPolicy, Ulimit, Workload,
};
use serde::Deserialize;

use crate::error::CollectError;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inspect {
    id: String,
    name: Option<String>,
    state: Option<State>,
    config: Option<Config>,
    host_config: Option<HostConfig>,
    mounts: Option<Vec<MountJson>>,
    network_settings: Option<NetworkSettings>,
    app_armor_profile: Option<String>,
    process_label: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct State {
    status: Option<String>,
    health: Option<Health>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Health {
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Config {
    user: Option<String>,
    image: Option<String>,
    healthcheck: Option<HealthcheckJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HealthcheckJson {
    test: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct HostConfig {
    privileged: Option<bool>,
    cap_add: Option<Vec<String>>,
    cap_drop: Option<Vec<String>>,
    security_opt: Option<Vec<String>>,
    pid_mode: Option<String>,
    ipc_mode: Option<String>,
    #[serde(rename = "UTSMode")]
    uts_mode: Option<String>,
    network_mode: Option<String>,
    userns_mode: Option<String>,
    cgroupns_mode: Option<String>,
    devices: Option<Vec<DeviceJson>>,
    device_cgroup_rules: Option<Vec<String>>,
    device_requests: Option<Vec<DeviceRequestJson>>,
    readonly_rootfs: Option<bool>,
    memory: Option<i64>,
    cpu_shares: Option<i64>,
    nano_cpus: Option<i64>,
    cpu_quota: Option<i64>,
    cpuset_cpus: Option<String>,
    pids_limit: Option<i64>,
    port_bindings: Option<BTreeMap<String, Option<Vec<PortJson>>>>,
    publish_all_ports: Option<bool>,
    restart_policy: Option<RestartPolicyJson>,
    cgroup_parent: Option<String>,
    ulimits: Option<Vec<UlimitJson>>,
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

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RestartPolicyJson {
    name: Option<String>,
    maximum_retry_count: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UlimitJson {
    name: Option<String>,
    soft: Option<i64>,
    hard: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MountJson {
    #[serde(rename = "Type")]
    kind: Option<String>,
    name: Option<String>,
    source: Option<String>,
    destination: Option<String>,
    #[serde(rename = "RW")]
    rw: Option<bool>,
    propagation: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NetworkSettings {
    networks: Option<BTreeMap<String, serde_json::Value>>,
    ports: Option<BTreeMap<String, Option<Vec<PortJson>>>>,
}

/// Decodes and normalizes one inspect document. `what` names the object in errors
/// (e.g. `container web`).
pub fn workload_from_inspect(bytes: &[u8], what: &str) -> Result<Workload, CollectError> {
    let inspect: Inspect = serde_json::from_slice(bytes).map_err(|source| CollectError::Json {
        what: format!("inspect of {what}"),
        source,
    })?;
    Ok(normalize(inspect))
}

fn normalize(i: Inspect) -> Workload {
    let hc = i.host_config.unwrap_or_default();
    let config = i.config;
    let state = i.state;
    let name = i.name.unwrap_or_default().trim_start_matches('/').to_string();
    let ns = |mode: Option<String>, pointer: &'static str| {
        NamespaceMode::at_pointer(mode.unwrap_or_default(), pointer)
    };

    let (healthcheck, user, image) = match config {
        Some(c) => (
            c.healthcheck.map(|h| Healthcheck {
                test: h.test.unwrap_or_default(),
            }),
            c.user,
            c.image,
        ),
        None => (None, None, None),
    };
    let health_status = state
        .as_ref()
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.status.clone())
        .map(|s| Fact::at_pointer(s, "/State/Health/Status"));

    let mounts = i
        .mounts
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, m)| {
            let kind = m.kind.unwrap_or_default();
            let source = if kind == "volume" {
                m.name.or(m.source)
            } else {
                m.source
            };
            Mount {
                kind,
                source: source.unwrap_or_default(),
                destination: m.destination.unwrap_or_default(),
                read_only: !m.rw.unwrap_or(true),
                propagation: m.propagation.unwrap_or_default(),
                bind_device: None,
                source_realpath: None,
                source_socket: None,
                at: dockward_model::Provenance::pointer(format!("/Mounts/{index}")),
            }
        })
        .collect();

    let networks = i.network_settings.as_ref().and_then(|n| n.networks.as_ref());
    let live_ports = i
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.as_ref())
        .filter(|p| p.values().any(|b| b.as_ref().is_some_and(|b| !b.is_empty())));
    // A started container's NetworkSettings.Ports holds the bindings in effect (random ports
    // resolved); otherwise the configured HostConfig.PortBindings are what will apply.
    let ports = match live_ports {
        Some(ports) => port_bindings(ports, "/NetworkSettings/Ports"),
        None => port_bindings(
            hc.port_bindings.as_ref().unwrap_or(&BTreeMap::new()),
            "/HostConfig/PortBindings",
        ),
    };

    let device_requests = hc
        .device_requests
        .unwrap_or_default()
        .into_iter()
        .map(|r| DeviceRequest {
            driver: r.driver.unwrap_or_default(),
            count: r.count.unwrap_or(0),
            device_ids: r.device_ids.unwrap_or_default(),
            capabilities: r.capabilities.unwrap_or_default(),
        })
        .collect();

    Workload {
        origin: Origin::Container {
            id: i.id,
            name,
            state: state.and_then(|s| s.status).unwrap_or_default(),
        },
        image: Fact::at_pointer(image.unwrap_or_default(), "/Config/Image"),
        user: Fact::at_pointer(user.unwrap_or_default(), "/Config/User"),
        privileged: Fact::at_pointer(hc.privileged.unwrap_or(false), "/HostConfig/Privileged"),
        cap_add: Fact::at_pointer(hc.cap_add.unwrap_or_default(), "/HostConfig/CapAdd"),
        cap_drop: Fact::at_pointer(hc.cap_drop.unwrap_or_default(), "/HostConfig/CapDrop"),
        security_opt: Fact::at_pointer(hc.security_opt.unwrap_or_default(), "/HostConfig/SecurityOpt"),
        apparmor_profile: Some(Fact::at_pointer(
            i.app_armor_profile.unwrap_or_default(),
            "/AppArmorProfile",
        )),
        process_label: Some(Fact::at_pointer(
            i.process_label.unwrap_or_default(),
            "/ProcessLabel",
        )),
        pid_mode: ns(hc.pid_mode, "/HostConfig/PidMode"),
        ipc_mode: ns(hc.ipc_mode, "/HostConfig/IpcMode"),
        uts_mode: ns(hc.uts_mode, "/HostConfig/UTSMode"),
        network_mode: ns(hc.network_mode, "/HostConfig/NetworkMode"),
        userns_mode: ns(hc.userns_mode, "/HostConfig/UsernsMode"),
        cgroupns_mode: ns(hc.cgroupns_mode, "/HostConfig/CgroupnsMode"),
        networks: Fact::at_pointer(
            networks.map(|n| n.keys().cloned().collect()).unwrap_or_default(),
            "/NetworkSettings/Networks",
        ),
        mounts,
        devices: Fact::at_pointer(
            hc.devices
                .unwrap_or_default()
                .into_iter()
                .map(|d| Device {
                    path_on_host: d.path_on_host.unwrap_or_default(),
                    path_in_container: d.path_in_container.unwrap_or_default(),
                    cgroup_permissions: d.cgroup_permissions.unwrap_or_default(),
                })
                .collect(),
            "/HostConfig/Devices",
        ),
        device_cgroup_rules: Fact::at_pointer(
            hc.device_cgroup_rules.unwrap_or_default(),
            "/HostConfig/DeviceCgroupRules",
        ),
        device_requests: Fact::at_pointer(device_requests, "/HostConfig/DeviceRequests"),
        readonly_rootfs: Fact::at_pointer(hc.readonly_rootfs.unwrap_or(false), "/HostConfig/ReadonlyRootfs"),
        memory: Fact::at_pointer(hc.memory.unwrap_or(0), "/HostConfig/Memory"),
        cpu_shares: Fact::at_pointer(hc.cpu_shares.unwrap_or(0), "/HostConfig/CpuShares"),
        nano_cpus: Fact::at_pointer(hc.nano_cpus.unwrap_or(0), "/HostConfig/NanoCpus"),
        cpu_quota: Fact::at_pointer(hc.cpu_quota.unwrap_or(0), "/HostConfig/CpuQuota"),
        cpuset_cpus: Fact::at_pointer(hc.cpuset_cpus.unwrap_or_default(), "/HostConfig/CpusetCpus"),
        pids_limit: Fact::at_pointer(hc.pids_limit, "/HostConfig/PidsLimit"),
        ports,
        publish_all_ports: Fact::at_pointer(
            hc.publish_all_ports.unwrap_or(false),
            "/HostConfig/PublishAllPorts",
        ),
        restart_policy: Fact::at_pointer(
            hc.restart_policy.map_or(
                RestartPolicy {
                    name: String::new(),
                    maximum_retry_count: 0,
                },
                |r| RestartPolicy {
                    name: r.name.unwrap_or_default(),
                    maximum_retry_count: r.maximum_retry_count.unwrap_or(0),
                },
            ),
            "/HostConfig/RestartPolicy",
        ),
        healthcheck: Fact::at_pointer(healthcheck, "/Config/Healthcheck"),
        health_status,
        cgroup_parent: Fact::at_pointer(hc.cgroup_parent.unwrap_or_default(), "/HostConfig/CgroupParent"),
        ulimits: Fact::at_pointer(
            hc.ulimits
                .unwrap_or_default()
                .into_iter()
                .map(|u| Ulimit {
                    name: u.name.unwrap_or_default(),
                    soft: u.soft.unwrap_or(0),
                    hard: u.hard.unwrap_or(0),
                })
                .collect(),
            "/HostConfig/Ulimits",
        ),
    }
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
    fn ports_mounts_and_devices_keep_their_pointers() {
        let doc = serde_json::json!({
            "Id": "abc", "Name": "/web",
            "HostConfig": {
                "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "80"}, {"HostIp": "::", "HostPort": "8080"}]},
                "Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/xvda", "CgroupPermissions": "rwm"}],
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
