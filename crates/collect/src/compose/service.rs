//! One compose service → one [`Workload`], the way docker compose turns it into a container
//! create request (compose's `create.go`), every fact at the position of the key (or list item)
//! that sets it.
//!
//! A key the service does not set gets Docker's default, at the position of the service's own
//! key (`Origin::Compose.at`). A malformed value (`privileged: maybe`, `mem_limit: lots`) is a
//! [`SourceError`] at its position, and the facts it feeds are recorded in
//! [`Workload::unknown`] under the inspect pointer the rules read, so they are judged `error`
//! rather than guessed. Defaults and conversions worth knowing:
//! - `user` unset: `""`, the image's user (root unless the image says otherwise);
//! - `network_mode` unset: the service's first network (by `priority`, then name), named as
//!   compose names it (`<project>_<network>`, or its `name:`); no `networks`: `<project>_default`;
//! - `restart` / `deploy.restart_policy` (the latter wins): `none` → `no`, `any` → `always`,
//!   `on-failure:N` / `max_attempts` the retry count;
//! - `mem_limit` (byte strings: `512m`, `1g`, `1.5GB`, binary units) and `cpus`, `pids_limit`
//!   are overridden by non-zero `deploy.resources.limits`; `pids_limit: 0` is unlimited;
//! - `healthcheck.disable: true` is the test `["NONE"]`; a string `test` runs in a shell
//!   (`["CMD-SHELL", test]`, so `test: NONE` is the command `NONE`, as in docker compose);
//! - `use_api_socket: true` binds `/var/run/docker.sock` into the container;
//! - a named volume declared with `driver_opts` `o: bind` and `device: PATH` (local driver)
//!   is a `volume` mount whose `bind_device` is that host path;
//! - `volumes_from: [service]` adds that service's mounts (read-only with `:ro`), each with the
//!   `volumes_from` item as the site that pulled it in;
//! - `security_opt: [systempaths=unconfined]` empties the masked and read-only path lists;
//!   `seccomp=FILE` is sent with the file's JSON (`seccomp=<JSON>`), as docker compose sends it;
//! - `service:x` / `container:x` namespace modes are joins: resolved inside the project
//!   (following chains); a `container:` outside the project stays unresolved, with a warning;
//! - `post_start` / `pre_stop` hooks become exec specs (`docker exec` into the service).

use std::collections::{BTreeMap, HashMap};

use dockward_model::workload::{JoinTarget, JoinableNamespace, ResolvedJoin};
use dockward_model::{
    Device, DeviceRequest, ExecSpec, Fact, Healthcheck, Mount, NamespaceMode, Origin, PortBinding,
    Provenance, RestartPolicy, Ulimit, Workload,
};

use super::{Loader, error_at, lexical_clean};
use crate::yaml::{Mark, Node, Value};

/// The position a fact read from `key: value` points at: the key, unless the value was pulled
/// in from elsewhere (an alias) that the key was not — then where the value is written.
fn pos(key: &Node, value: &Node) -> Provenance {
    if value.via.len() > key.via.len() {
        value.provenance()
    } else {
        key.provenance()
    }
}

fn location_text(mark: &Mark) -> String {
    format!("{}:{}:{}", mark.file, mark.line, mark.column)
}

/// Maps every selected service of the merged model.
pub(crate) fn map_project(loader: &mut Loader<'_>, model: &Node, project: &str) -> Vec<Workload> {
    let Some(services) = model.get("services") else {
        return Vec::new();
    };
    match &services.value {
        Value::Map(_) => {}
        Value::Null => return Vec::new(),
        _ => {
            loader.errors.push(error_at(
                &services.at,
                format!("services must be a mapping, not a {}", services.kind_name()),
            ));
            return Vec::new();
        }
    }
    let project_info = Project {
        name: project.to_string(),
        volumes: model.get("volumes"),
        networks: model.get("networks"),
        secrets: model.get("secrets"),
        configs: model.get("configs"),
    };
    let profiles = loader.options.profiles.clone();
    let mut mapped: Vec<Mapped> = Vec::new();
    for (key, service) in services.entries() {
        let Some(name) = key.as_str() else {
            loader.errors.push(error_at(
                &key.at,
                format!("a service name must be a string, not a {}", key.kind_name()),
            ));
            continue;
        };
        if !service.is_map() {
            loader.errors.push(error_at(
                &service.at,
                format!("service {name} must be a mapping, not a {}", service.kind_name()),
            ));
            continue;
        }
        if !super::service_active(service, profiles.as_deref()) {
            continue;
        }
        let mut m = Mapper {
            loader,
            project: &project_info,
            name,
            key,
            service,
            unknown: BTreeMap::new(),
        };
        let workload = m.workload();
        let volumes_from = m.volumes_from_refs();
        let container_name = service
            .get("container_name")
            .and_then(Node::as_str)
            .map(str::to_string);
        mapped.push(Mapped {
            workload,
            volumes_from,
            container_name,
        });
    }
    resolve_volumes_from(loader, &mut mapped);
    resolve_joins(loader, &mut mapped);
    mapped.into_iter().map(|m| m.workload).collect()
}

struct Project<'m> {
    name: String,
    volumes: Option<&'m Node>,
    networks: Option<&'m Node>,
    secrets: Option<&'m Node>,
    configs: Option<&'m Node>,
}

struct Mapped {
    workload: Workload,
    /// `volumes_from` service references: (service, read-only, the item's position).
    volumes_from: Vec<(String, bool, Mark)>,
    container_name: Option<String>,
}

struct Mapper<'l, 'o, 'm> {
    loader: &'l mut Loader<'o>,
    project: &'m Project<'m>,
    name: &'m str,
    key: &'m Node,
    service: &'m Node,
    unknown: BTreeMap<String, String>,
}

/// Go's `strconv.Atoi`-like integer of a scalar.
fn int_of(node: &Node) -> Option<i64> {
    node.as_i64()
}

/// compose's boolean conversion (YAML 1.1 words accepted, any case).
fn bool_of(node: &Node) -> Option<bool> {
    node.as_bool()
}

impl<'m> Mapper<'_, '_, 'm> {
    fn default_at(&self) -> Provenance {
        self.key.provenance()
    }

    /// Records a malformed value: a source error at it, and the facts it feeds unknown.
    fn bad(&mut self, pointers: &[&str], node: &Node, message: String) {
        let message = format!("service {}: {message}", self.name);
        for pointer in pointers {
            self.unknown.insert(
                (*pointer).to_string(),
                format!("{}: {message}", location_text(&node.at)),
            );
        }
        self.loader.errors.push(error_at(&node.at, message));
    }

    fn entry(&self, key: &str) -> Option<(&'m Node, &'m Node)> {
        let service: &'m Node = self.service;
        service.entry(key)
    }

    /// A nested entry (`deploy.resources.limits.memory`), with null intermediate values read
    /// as absent.
    fn nested(&self, path: &[&str]) -> Option<(&'m Node, &'m Node)> {
        let mut node: &'m Node = self.service;
        let (last, parents) = path.split_last()?;
        for p in parents {
            node = node.get(p)?;
        }
        node.entry(last).filter(|(_, v)| !v.is_null())
    }

    fn string(&mut self, key: &str, pointer: &str) -> Fact<String> {
        match self.entry(key) {
            None => Fact {
                value: String::new(),
                at: self.default_at(),
            },
            Some((k, v)) => match &v.value {
                Value::Scalar(s) => Fact {
                    value: s.text.clone(),
                    at: pos(k, v),
                },
                Value::Null => Fact {
                    value: String::new(),
                    at: pos(k, v),
                },
                _ => {
                    let at = pos(k, v);
                    let kind = v.kind_name();
                    self.bad(&[pointer], v, format!("{key} must be a string, not a {kind}"));
                    Fact {
                        value: String::new(),
                        at,
                    }
                }
            },
        }
    }

    fn boolean_node(&mut self, k: &Node, v: &Node, what: &str, pointers: &[&str]) -> Fact<bool> {
        match bool_of(v) {
            Some(b) => Fact {
                value: b,
                at: pos(k, v),
            },
            None if v.is_null() => Fact {
                value: false,
                at: pos(k, v),
            },
            None => {
                let shown = v
                    .as_str()
                    .map_or_else(|| v.kind_name().to_string(), |s| format!("{s:?}"));
                self.bad(pointers, v, format!("{what}: {shown} is not a boolean"));
                Fact {
                    value: false,
                    at: pos(k, v),
                }
            }
        }
    }

    fn boolean(&mut self, key: &str, pointer: &str) -> Fact<bool> {
        match self.entry(key) {
            None => Fact {
                value: false,
                at: self.default_at(),
            },
            Some((k, v)) => self.boolean_node(k, v, key, &[pointer]),
        }
    }

    fn strings_node(&mut self, k: &Node, v: &Node, what: &str, pointer: &str) -> Fact<Vec<String>> {
        let at = pos(k, v);
        match &v.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_str() {
                        Some(s) => out.push(s.to_string()),
                        None => {
                            let kind = item.kind_name();
                            self.bad(
                                &[pointer],
                                item,
                                format!("{what} items must be strings, not a {kind}"),
                            );
                        }
                    }
                }
                Fact { value: out, at }
            }
            Value::Null => Fact {
                value: Vec::new(),
                at,
            },
            // compose's schema accepts a single string for `tmpfs`.
            Value::Scalar(s) if what == "tmpfs" => Fact {
                value: vec![s.text.clone()],
                at,
            },
            _ => {
                let kind = v.kind_name();
                self.bad(&[pointer], v, format!("{what} must be a list, not a {kind}"));
                Fact {
                    value: Vec::new(),
                    at,
                }
            }
        }
    }

    fn strings(&mut self, key: &str, pointer: &str) -> Fact<Vec<String>> {
        match self.entry(key) {
            None => Fact {
                value: Vec::new(),
                at: self.default_at(),
            },
            Some((k, v)) => self.strings_node(k, v, key, pointer),
        }
    }

    fn namespace(&mut self, key: &str) -> NamespaceMode {
        let fact = self.string(key, namespace_pointer(key));
        NamespaceMode {
            mode: fact.value,
            at: fact.at,
            join: None,
        }
    }

    fn workload(&mut self) -> Workload {
        let image = self.string("image", "/Config/Image");
        let user = self.string("user", "/Config/User");
        let privileged = self.boolean("privileged", "/HostConfig/Privileged");
        let cap_add = self.strings("cap_add", "/HostConfig/CapAdd");
        let cap_drop = self.strings("cap_drop", "/HostConfig/CapDrop");
        let mut security_opt = self.strings("security_opt", "/HostConfig/SecurityOpt");
        self.inline_seccomp_profiles(&mut security_opt.value);
        let unconfined_paths = security_opt.value.iter().any(|o| o == "systempaths=unconfined");
        let system_paths = |at: &Provenance| Fact {
            value: unconfined_paths.then(Vec::new),
            at: if unconfined_paths {
                security_opt.at.clone()
            } else {
                at.clone()
            },
        };
        let pid_mode = self.namespace("pid");
        let ipc_mode = self.namespace("ipc");
        let uts_mode = self.namespace("uts");
        let userns_mode = self.namespace("userns_mode");
        let cgroupns_mode = self.namespace("cgroup");
        let (network_mode, networks) = self.network();
        let readonly_rootfs = self.boolean("read_only", "/HostConfig/ReadonlyRootfs");
        let cgroup_parent = self.string("cgroup_parent", "/HostConfig/CgroupParent");
        let cpuset_cpus = self.string("cpuset", "/HostConfig/CpusetCpus");
        let memory = self.memory();
        let cpu_shares = self.integer("cpu_shares", "/HostConfig/CpuShares");
        let cpu_quota = self.integer("cpu_quota", "/HostConfig/CpuQuota");
        let nano_cpus = self.nano_cpus();
        let pids_limit = self.pids_limit();
        let mut mounts = self.mounts();
        mounts.extend(self.api_socket());
        mounts.extend(self.tmpfs());
        mounts.extend(self.file_mounts("secrets", "/run/secrets/"));
        mounts.extend(self.file_mounts("configs", "/"));
        let (devices, mut device_requests) = self.devices();
        let gpus = self.gpus();
        if device_requests.value.is_empty()
            && let Some((k, v)) = self
                .entry("gpus")
                .or_else(|| self.nested(&["deploy", "resources", "reservations", "devices"]))
        {
            device_requests.at = pos(k, v);
        }
        device_requests.value.extend(gpus);
        let device_cgroup_rules = self.strings("device_cgroup_rules", "/HostConfig/DeviceCgroupRules");
        let ports = self.ports();
        let restart_policy = self.restart();
        let healthcheck = self.healthcheck();
        let ulimits = self.ulimits();
        let sysctls = self.sysctls();
        let volumes_from = self.strings("volumes_from", "/HostConfig/VolumesFrom");
        let exec_hooks = self.hooks(&user);
        let default_at = self.default_at();
        Workload {
            origin: Origin::Compose {
                project: self.project.name.clone(),
                service: self.name.to_string(),
                at: default_at.clone(),
            },
            image,
            user,
            user_uid: None,
            privileged,
            cap_add,
            cap_drop,
            masked_paths: system_paths(&default_at),
            readonly_paths: system_paths(&default_at),
            security_opt,
            apparmor_profile: None,
            process_label: None,
            pid_mode,
            ipc_mode,
            uts_mode,
            network_mode,
            userns_mode,
            cgroupns_mode,
            networks,
            mounts,
            devices,
            device_cgroup_rules,
            device_requests,
            readonly_rootfs,
            memory,
            cpu_shares,
            nano_cpus,
            cpu_quota,
            cpuset_cpus,
            pids_limit,
            ports,
            publish_all_ports: Fact {
                value: false,
                at: default_at.clone(),
            },
            restart_policy,
            healthcheck,
            health_status: None,
            cgroup_parent,
            ulimits,
            sysctls,
            volumes_from,
            unknown: std::mem::take(&mut self.unknown),
            exec_hooks,
            labels: self.labels(),
            kubernetes: None,
        }
    }

    /// `seccomp=FILE` (or `seccomp:FILE`): docker compose reads the profile (relative to the
    /// project) and sends its JSON, as `docker run --security-opt seccomp=FILE` does.
    fn inline_seccomp_profiles(&mut self, options: &mut [String]) {
        let Some(items) = self.service.get("security_opt").map(Node::items) else {
            return;
        };
        for (option, item) in options.iter_mut().zip(items) {
            let Some(path) = option
                .strip_prefix("seccomp=")
                .or_else(|| option.strip_prefix("seccomp:"))
            else {
                continue;
            };
            if matches!(path, "unconfined" | "builtin") || path.trim_start().starts_with('{') {
                continue;
            }
            let file = self.host_path(path, item);
            match read_profile(std::path::Path::new(&file)) {
                Ok(json) => *option = format!("seccomp={json}"),
                Err(why) => self.bad(
                    &["/HostConfig/SecurityOpt"],
                    item,
                    format!("cannot read the seccomp profile {file}: {why}"),
                ),
            }
        }
    }

    fn integer(&mut self, key: &str, pointer: &str) -> Fact<i64> {
        match self.entry(key) {
            None => Fact {
                value: 0,
                at: self.default_at(),
            },
            Some((k, v)) if v.is_null() => Fact {
                value: 0,
                at: pos(k, v),
            },
            Some((k, v)) => match int_of(v) {
                Some(i) => Fact {
                    value: i,
                    at: pos(k, v),
                },
                None => {
                    let shown = v
                        .as_str()
                        .map_or_else(|| v.kind_name().to_string(), |s| format!("{s:?}"));
                    self.bad(&[pointer], v, format!("{key}: {shown} is not an integer"));
                    Fact {
                        value: 0,
                        at: pos(k, v),
                    }
                }
            },
        }
    }

    /// `network_mode`, and the networks the container is attached to.
    fn network(&mut self) -> (NamespaceMode, Fact<Vec<String>>) {
        if let Some((k, v)) = self.entry("network_mode") {
            let mode = self.namespace("network_mode");
            let networks = match mode.mode.as_str() {
                m if m.starts_with("service:") || m.starts_with("container:") => Vec::new(),
                "" => Vec::new(),
                m => vec![m.to_string()],
            };
            let at = pos(k, v);
            return (mode, Fact { value: networks, at });
        }
        let (names, at) = match self.entry("networks") {
            Some((k, v)) => {
                let at = pos(k, v);
                let mut listed: Vec<(i64, String)> = match &v.value {
                    Value::Seq(items) => items
                        .iter()
                        .filter_map(Node::as_str)
                        .map(|n| (0, n.to_string()))
                        .collect(),
                    Value::Map(entries) => entries
                        .iter()
                        .filter_map(|(name, config)| {
                            let priority = config.get("priority").and_then(Node::as_i64).unwrap_or(0);
                            Some((priority, name.as_str()?.to_string()))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                listed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                (listed.into_iter().map(|(_, n)| n).collect::<Vec<_>>(), at)
            }
            None => (vec!["default".to_string()], self.default_at()),
        };
        let names: Vec<String> = names.iter().map(|n| self.network_name(n)).collect();
        let mode = NamespaceMode {
            mode: names.first().cloned().unwrap_or_default(),
            at: at.clone(),
            join: None,
        };
        (mode, Fact { value: names, at })
    }

    /// The name docker compose gives a project network.
    fn network_name(&self, network: &str) -> String {
        resource_name(self.project.networks, &self.project.name, network)
    }

    fn memory(&mut self) -> Fact<i64> {
        let own = match self.entry("mem_limit") {
            None => None,
            Some((k, v)) => self.bytes(k, v, "mem_limit", "/HostConfig/Memory"),
        };
        let deploy = match self.nested(&["deploy", "resources", "limits", "memory"]) {
            None => None,
            Some((k, v)) => self.bytes(k, v, "deploy.resources.limits.memory", "/HostConfig/Memory"),
        };
        match (deploy, own) {
            (Some(d), _) if d.value != 0 => d,
            (_, Some(o)) => o,
            (Some(d), None) => d,
            (None, None) => Fact {
                value: 0,
                at: self.default_at(),
            },
        }
    }

    fn bytes(&mut self, k: &Node, v: &Node, what: &str, pointer: &str) -> Option<Fact<i64>> {
        let text = v.as_str().unwrap_or_default();
        match parse_bytes(text) {
            Some(b) => Some(Fact {
                value: b,
                at: pos(k, v),
            }),
            None => {
                self.bad(
                    &[pointer],
                    v,
                    format!("{what}: {text:?} is not a byte size (e.g. 512m, 1g)"),
                );
                Some(Fact {
                    value: 0,
                    at: pos(k, v),
                })
            }
        }
    }

    fn nano_cpus(&mut self) -> Fact<i64> {
        let read = |m: &mut Self, path: &[&str], what: &str| -> Option<Fact<i64>> {
            let (k, v) = m.nested(path)?;
            let parsed = v
                .as_str()
                .and_then(|t| t.trim().parse::<f32>().ok())
                .filter(|f| f.is_finite() && *f >= 0.0);
            match parsed {
                // compose multiplies a float32 by 1e9.
                Some(cpus) => Some(Fact {
                    value: (cpus * 1e9_f32) as i64,
                    at: pos(k, v),
                }),
                None => {
                    let shown = v.as_str().unwrap_or_default().to_string();
                    m.bad(
                        &["/HostConfig/NanoCpus"],
                        v,
                        format!("{what}: {shown:?} is not a number of CPUs"),
                    );
                    Some(Fact {
                        value: 0,
                        at: pos(k, v),
                    })
                }
            }
        };
        let own = read(self, &["cpus"], "cpus");
        let deploy = read(
            self,
            &["deploy", "resources", "limits", "cpus"],
            "deploy.resources.limits.cpus",
        );
        match (deploy, own) {
            (Some(d), _) if d.value != 0 => d,
            (_, Some(o)) => o,
            (Some(d), None) => d,
            (None, None) => Fact {
                value: 0,
                at: self.default_at(),
            },
        }
    }

    fn pids_limit(&mut self) -> Fact<Option<i64>> {
        let own = self.entry("pids_limit").map(|(k, v)| (k.clone(), v.clone()));
        let own = match own {
            None => None,
            Some((k, v)) => match int_of(&v) {
                Some(i) => Some(Fact {
                    value: (i != 0).then_some(i),
                    at: pos(&k, &v),
                }),
                None => {
                    let shown = v.as_str().unwrap_or_default().to_string();
                    self.bad(
                        &["/HostConfig/PidsLimit"],
                        &v,
                        format!("pids_limit: {shown:?} is not an integer"),
                    );
                    Some(Fact {
                        value: None,
                        at: pos(&k, &v),
                    })
                }
            },
        };
        let deploy = self
            .nested(&["deploy", "resources", "limits", "pids"])
            .map(|(k, v)| (k.clone(), v.clone()));
        let deploy = match deploy {
            None => None,
            Some((k, v)) => match int_of(&v) {
                Some(i) => Some(Fact {
                    value: Some(i),
                    at: pos(&k, &v),
                }),
                None => {
                    let shown = v.as_str().unwrap_or_default().to_string();
                    self.bad(
                        &["/HostConfig/PidsLimit"],
                        &v,
                        format!("deploy.resources.limits.pids: {shown:?} is not an integer"),
                    );
                    None
                }
            },
        };
        match (deploy, own) {
            // Only a positive deploy limit applies (compose's setLimits).
            (Some(d), _) if d.value.is_some_and(|p| p > 0) => d,
            (_, Some(o)) => o,
            _ => Fact {
                value: None,
                at: self.default_at(),
            },
        }
    }

    fn base_dir(&self, node: &Node) -> std::path::PathBuf {
        self.loader
            .dirs
            .get(node.at.file.as_ref())
            .cloned()
            .unwrap_or_else(|| std::path::PathBuf::from("."))
    }

    /// A bind source as docker compose makes it absolute: `~` is `HOME`, a relative path is
    /// relative to the directory of the file that writes it (see [`Loader::dirs`]).
    fn host_path(&self, source: &str, node: &Node) -> String {
        if let Some(rest) = source.strip_prefix('~')
            && (rest.is_empty() || rest.starts_with('/'))
            && let Some(home) = &self.loader.home
        {
            return lexical_clean(std::path::Path::new(&format!("{home}{rest}")))
                .to_string_lossy()
                .into_owned();
        }
        if source.starts_with('/') {
            return source.to_string();
        }
        let dir = self.base_dir(node);
        let joined = std::path::absolute(dir.join(source)).unwrap_or_else(|_| dir.join(source));
        lexical_clean(&joined).to_string_lossy().into_owned()
    }

    /// The named volume `name` of the project: its real name and the host path it binds.
    fn named_volume(&mut self, name: &str, item: &Node) -> (String, Option<String>) {
        let declared = self.project.volumes.and_then(|v| v.get(name));
        let Some(declared) = declared else {
            self.bad(
                &["/Mounts"],
                item,
                format!("refers to undefined volume {name} (docker compose refuses the project)"),
            );
            return (name.to_string(), None);
        };
        let real = resource_name(self.project.volumes, &self.project.name, name);
        let driver = declared.get("driver").and_then(Node::as_str).unwrap_or("local");
        let options: BTreeMap<String, String> = declared
            .get("driver_opts")
            .map(|o| {
                o.entries()
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let device = if driver.is_empty() || driver == "local" {
            crate::inspect::volume_bind_device(&options)
                .filter(|d| !d.is_empty())
                .cloned()
        } else {
            None
        };
        (real, device)
    }

    fn mounts(&mut self) -> Vec<Mount> {
        let Some(v) = self.service.get("volumes") else {
            return Vec::new();
        };
        let items: Vec<Node> = match &v.value {
            Value::Seq(items) => items.clone(),
            Value::Null => return Vec::new(),
            _ => {
                let kind = v.kind_name();
                let v = v.clone();
                self.bad(&["/Mounts"], &v, format!("volumes must be a list, not a {kind}"));
                return Vec::new();
            }
        };
        let mut mounts = Vec::new();
        for item in &items {
            let mount = match &item.value {
                Value::Scalar(s) => self.short_volume(&s.text, item),
                Value::Map(_) => self.long_volume(item),
                _ => {
                    let kind = item.kind_name();
                    self.bad(
                        &["/Mounts"],
                        item,
                        format!("a volume must be a string or a mapping, not a {kind}"),
                    );
                    None
                }
            };
            mounts.extend(mount);
        }
        mounts
    }

    fn short_volume(&mut self, spec: &str, item: &Node) -> Option<Mount> {
        let parsed = match parse_short_volume(spec) {
            Ok(p) => p,
            Err(why) => {
                self.bad(&["/Mounts"], item, format!("invalid volume {spec:?}: {why}"));
                return None;
            }
        };
        let mut mount = Mount {
            kind: String::new(),
            source: String::new(),
            destination: parsed.target,
            read_only: parsed.options.iter().any(|o| o == "ro"),
            propagation: parsed
                .options
                .iter()
                .find(|o| PROPAGATIONS.contains(&o.as_str()))
                .cloned()
                .unwrap_or_default(),
            bind_device: None,
            source_realpath: None,
            source_socket: None,
            at: item.provenance(),
        };
        if parsed.source.is_empty() {
            mount.kind = "volume".into();
        } else if is_path(&parsed.source) {
            mount.kind = "bind".into();
            mount.source = self.host_path(&parsed.source, item);
        } else {
            mount.kind = "volume".into();
            let (name, device) = self.named_volume(&parsed.source, item);
            mount.source = name;
            mount.bind_device = device;
        }
        Some(mount)
    }

    fn long_volume(&mut self, item: &Node) -> Option<Mount> {
        let text = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_string);
        let Some(kind) = text("type") else {
            self.bad(&["/Mounts"], item, "a long-syntax volume needs `type`".into());
            return None;
        };
        if !matches!(
            kind.as_str(),
            "bind" | "volume" | "tmpfs" | "npipe" | "image" | "cluster"
        ) {
            let node = item.get("type").unwrap_or(item).clone();
            self.bad(&["/Mounts"], &node, format!("unknown volume type {kind:?}"));
            return None;
        }
        let Some(target) = text("target") else {
            self.bad(&["/Mounts"], item, "a volume needs `target`".into());
            return None;
        };
        let read_only = match item.entry("read_only") {
            None => false,
            Some((k, v)) => self.boolean_node(k, v, "read_only", &["/Mounts"]).value,
        };
        let propagation = item
            .get("bind")
            .and_then(|b| b.get("propagation"))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string();
        let source = text("source").unwrap_or_default();
        let source_node = item.get("source").unwrap_or(item);
        let mut mount = Mount {
            kind: kind.clone(),
            source: source.clone(),
            destination: target,
            read_only,
            propagation,
            bind_device: None,
            source_realpath: None,
            source_socket: None,
            at: item.provenance(),
        };
        match kind.as_str() {
            "bind" => mount.source = self.host_path(&source, source_node),
            "volume" if !source.is_empty() => {
                let (name, device) = self.named_volume(&source, item);
                mount.source = name;
                mount.bind_device = device;
            }
            _ => {}
        }
        Some(mount)
    }

    /// `use_api_socket: true`: compose binds the engine's socket into the container.
    fn api_socket(&mut self) -> Option<Mount> {
        let (k, v) = self.entry("use_api_socket")?;
        let (k, v) = (k.clone(), v.clone());
        let on = self.boolean_node(&k, &v, "use_api_socket", &["/Mounts"]);
        on.value.then(|| Mount {
            kind: "bind".into(),
            source: "/var/run/docker.sock".into(),
            destination: "/var/run/docker.sock".into(),
            read_only: false,
            propagation: String::new(),
            bind_device: None,
            source_realpath: None,
            source_socket: None,
            at: on.at,
        })
    }

    fn tmpfs(&mut self) -> Vec<Mount> {
        let Some((k, v)) = self.entry("tmpfs") else {
            return Vec::new();
        };
        let (k, v) = (k.clone(), v.clone());
        let paths = self.strings_node(&k, &v, "tmpfs", "/Mounts");
        let items = v.items();
        paths
            .value
            .iter()
            .enumerate()
            .map(|(i, p)| Mount {
                kind: "tmpfs".into(),
                source: String::new(),
                destination: p.split(':').next().unwrap_or_default().to_string(),
                read_only: false,
                propagation: String::new(),
                bind_device: None,
                source_realpath: None,
                source_socket: None,
                at: items.get(i).map_or_else(|| pos(&k, &v), Node::provenance),
            })
            .collect()
    }

    /// File-backed `secrets` / `configs`: compose bind-mounts the file read-only.
    fn file_mounts(&mut self, key: &str, dir: &str) -> Vec<Mount> {
        let Some(v) = self.service.get(key) else {
            return Vec::new();
        };
        let top = if key == "secrets" {
            self.project.secrets
        } else {
            self.project.configs
        };
        let mut mounts = Vec::new();
        for item in v.items() {
            let (source, target) = match &item.value {
                Value::Scalar(s) => (s.text.clone(), None),
                Value::Map(_) => (
                    item.get("source")
                        .and_then(Node::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    item.get("target").and_then(Node::as_str).map(str::to_string),
                ),
                _ => continue,
            };
            let Some(file_node) = top.and_then(|t| t.get(&source)).and_then(|d| d.get("file")) else {
                continue;
            };
            let Some(file) = file_node.as_str() else { continue };
            let destination = match target {
                Some(t) if t.starts_with('/') => t,
                Some(t) => format!("{dir}{t}"),
                None => format!("{dir}{source}"),
            };
            mounts.push(Mount {
                kind: "bind".into(),
                source: self.host_path(file, file_node),
                destination,
                read_only: true,
                propagation: String::new(),
                bind_device: None,
                source_realpath: None,
                source_socket: None,
                at: item.provenance(),
            });
        }
        mounts
    }

    fn devices(&mut self) -> (Fact<Vec<Device>>, Fact<Vec<DeviceRequest>>) {
        let Some((k, v)) = self.entry("devices").map(|(k, v)| (k.clone(), v.clone())) else {
            let at = self.default_at();
            return (
                Fact {
                    value: Vec::new(),
                    at: at.clone(),
                },
                Fact {
                    value: Vec::new(),
                    at,
                },
            );
        };
        let at = pos(&k, &v);
        let mut devices = Vec::new();
        let mut requests = Vec::new();
        for item in v.items() {
            match &item.value {
                Value::Scalar(s) => {
                    let text = s.text.as_str();
                    // A CDI name (`vendor.com/class=name`) is a device request, not a path.
                    if !text.starts_with('/') && text.contains('=') {
                        requests.push(DeviceRequest {
                            driver: "cdi".into(),
                            count: 0,
                            device_ids: vec![text.to_string()],
                            capabilities: Vec::new(),
                        });
                        continue;
                    }
                    let parts: Vec<&str> = text.split(':').collect();
                    if parts.len() > 3 || parts[0].is_empty() {
                        self.bad(&["/HostConfig/Devices"], item, format!("invalid device {text:?}"));
                        continue;
                    }
                    let host = parts[0];
                    let container = parts.get(1).filter(|c| !c.is_empty()).copied().unwrap_or(host);
                    devices.push(Device {
                        path_on_host: host.to_string(),
                        path_in_container: container.to_string(),
                        cgroup_permissions: parts.get(2).copied().unwrap_or("rwm").to_string(),
                    });
                }
                Value::Map(_) => {
                    let field = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_string);
                    let Some(source) = field("source") else {
                        self.bad(&["/HostConfig/Devices"], item, "a device needs `source`".into());
                        continue;
                    };
                    devices.push(Device {
                        path_in_container: field("target").unwrap_or_else(|| source.clone()),
                        path_on_host: source,
                        cgroup_permissions: field("permissions").unwrap_or_else(|| "rwm".into()),
                    });
                }
                _ => {
                    let kind = item.kind_name();
                    self.bad(
                        &["/HostConfig/Devices"],
                        item,
                        format!("a device must be a string, not a {kind}"),
                    );
                }
            }
        }
        (
            Fact {
                value: devices,
                at: at.clone(),
            },
            Fact { value: requests, at },
        )
    }

    /// `gpus` and `deploy.resources.reservations.devices`: device requests.
    fn gpus(&mut self) -> Vec<DeviceRequest> {
        let mut requests = Vec::new();
        let request = |item: &Node, implicit_gpu: bool| -> DeviceRequest {
            let strings = |key: &str| -> Vec<String> {
                match item.get(key) {
                    Some(n) if n.is_seq() => n
                        .items()
                        .iter()
                        .filter_map(Node::as_str)
                        .map(str::to_string)
                        .collect(),
                    Some(n) => n.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
                    None => Vec::new(),
                }
            };
            let device_ids = strings("device_ids");
            let count = match item.get("count") {
                Some(c) if c.as_str() == Some("all") => -1,
                Some(c) => c.as_i64().unwrap_or(0),
                None if device_ids.is_empty() => -1,
                None => 0,
            };
            let mut capabilities = strings("capabilities");
            if implicit_gpu && !capabilities.iter().any(|c| c == "gpu") {
                capabilities.push("gpu".into());
            }
            DeviceRequest {
                driver: item
                    .get("driver")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                count,
                device_ids,
                capabilities: vec![capabilities],
            }
        };
        if let Some(gpus) = self.service.get("gpus") {
            match &gpus.value {
                Value::Scalar(_) => requests.push(DeviceRequest {
                    driver: String::new(),
                    count: -1,
                    device_ids: Vec::new(),
                    capabilities: vec![vec!["gpu".into()]],
                }),
                Value::Seq(items) => requests.extend(items.iter().map(|i| request(i, true))),
                _ => {}
            }
        }
        if let Some((_, reserved)) = self.nested(&["deploy", "resources", "reservations", "devices"]) {
            requests.extend(reserved.items().iter().map(|i| request(i, false)));
        }
        requests
    }

    fn ports(&mut self) -> Vec<PortBinding> {
        let Some(v) = self.service.get("ports") else {
            return Vec::new();
        };
        let items = v.items().to_vec();
        let mut ports = Vec::new();
        for item in &items {
            if ports.len() > MAX_PORTS {
                ports.truncate(MAX_PORTS);
                self.bad(
                    &["/HostConfig/PortBindings"],
                    item,
                    format!("more than {MAX_PORTS} published ports"),
                );
                break;
            }
            match &item.value {
                Value::Scalar(s) => match parse_short_port(&s.text) {
                    Ok(bindings) => {
                        ports.extend(bindings.into_iter().map(|(host_ip, host_port, container_port)| {
                            PortBinding {
                                container_port,
                                host_ip,
                                host_port,
                                at: item.provenance(),
                            }
                        }))
                    }
                    Err(why) => {
                        let text = s.text.clone();
                        self.bad(
                            &["/HostConfig/PortBindings"],
                            item,
                            format!("invalid port {text:?}: {why}"),
                        );
                    }
                },
                Value::Map(_) => {
                    let field = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_string);
                    let Some(target) = field("target").filter(|t| t.parse::<u16>().is_ok()) else {
                        self.bad(
                            &["/HostConfig/PortBindings"],
                            item,
                            "a port needs a numeric `target`".into(),
                        );
                        continue;
                    };
                    let protocol = field("protocol").unwrap_or_else(|| "tcp".into());
                    ports.push(PortBinding {
                        container_port: format!("{target}/{protocol}"),
                        host_ip: field("host_ip").unwrap_or_default(),
                        host_port: field("published").unwrap_or_default(),
                        at: item.provenance(),
                    });
                }
                _ => {
                    let kind = item.kind_name();
                    self.bad(
                        &["/HostConfig/PortBindings"],
                        item,
                        format!("a port must be a string or a mapping, not a {kind}"),
                    );
                }
            }
        }
        if ports.len() > MAX_PORTS {
            ports.truncate(MAX_PORTS);
            if let Some(last) = items.last() {
                self.bad(
                    &["/HostConfig/PortBindings"],
                    last,
                    format!("more than {MAX_PORTS} published ports"),
                );
            }
        }
        ports
    }

    fn restart(&mut self) -> Fact<RestartPolicy> {
        let mut policy = Fact {
            value: RestartPolicy {
                name: String::new(),
                maximum_retry_count: 0,
            },
            at: self.default_at(),
        };
        if let Some((k, v)) = self.entry("restart").filter(|(_, v)| !v.is_null()) {
            let text = v.as_str().unwrap_or_default();
            let (name, count) = text.split_once(':').unwrap_or((text, ""));
            policy = Fact {
                value: RestartPolicy {
                    name: restart_condition(name),
                    maximum_retry_count: count.parse().unwrap_or(0),
                },
                at: pos(k, v),
            };
        }
        if let Some((k, v)) = self.nested(&["deploy", "restart_policy"]) {
            let condition = v.get("condition").and_then(Node::as_str).unwrap_or_default();
            policy = Fact {
                value: RestartPolicy {
                    name: restart_condition(condition),
                    maximum_retry_count: v.get("max_attempts").and_then(Node::as_i64).unwrap_or(0),
                },
                at: pos(k, v),
            };
        }
        policy
    }

    fn healthcheck(&mut self) -> Fact<Option<Healthcheck>> {
        let Some((k, v)) = self.entry("healthcheck").map(|(k, v)| (k.clone(), v.clone())) else {
            return Fact {
                value: None,
                at: self.default_at(),
            };
        };
        if let Some((dk, dv)) = v.entry("disable") {
            let disabled = self.boolean_node(dk, dv, "healthcheck.disable", &["/Config/Healthcheck"]);
            if disabled.value {
                return Fact {
                    value: Some(Healthcheck {
                        test: vec!["NONE".into()],
                    }),
                    at: disabled.at,
                };
            }
        }
        match v.entry("test") {
            Some((tk, tv)) => {
                if tv.as_str() == Some("NONE") {
                    self.loader.warnings.push(format!(
                        "{}: service {}: healthcheck test NONE as a string is the shell command `NONE` for docker compose; write [\"NONE\"] or disable: true to turn the check off",
                        location_text(&tv.at),
                        self.name
                    ));
                }
                let test = match &tv.value {
                    Value::Scalar(s) => vec!["CMD-SHELL".to_string(), s.text.clone()],
                    Value::Seq(items) => items
                        .iter()
                        .filter_map(Node::as_str)
                        .map(str::to_string)
                        .collect(),
                    _ => Vec::new(),
                };
                Fact {
                    value: Some(Healthcheck { test }),
                    at: pos(tk, tv),
                }
            }
            // Intervals without a test: the image's test runs with them.
            None => Fact {
                value: None,
                at: pos(&k, &v),
            },
        }
    }

    fn ulimits(&mut self) -> Fact<Vec<Ulimit>> {
        let Some((k, v)) = self.entry("ulimits").map(|(k, v)| (k.clone(), v.clone())) else {
            return Fact {
                value: Vec::new(),
                at: self.default_at(),
            };
        };
        let mut ulimits = Vec::new();
        for (name, limit) in v.entries() {
            let Some(name) = name.as_str() else { continue };
            let (soft, hard) = match &limit.value {
                Value::Map(_) => (
                    limit.get("soft").and_then(Node::as_i64),
                    limit.get("hard").and_then(Node::as_i64),
                ),
                _ => {
                    let single = limit.as_i64();
                    (single, single)
                }
            };
            match (soft, hard) {
                (Some(soft), Some(hard)) => ulimits.push(Ulimit {
                    name: name.to_string(),
                    soft,
                    hard,
                }),
                _ => self.bad(
                    &["/HostConfig/Ulimits"],
                    limit,
                    format!("ulimits.{name} must be an integer or soft and hard integers"),
                ),
            }
        }
        Fact {
            value: ulimits,
            at: pos(&k, &v),
        }
    }

    fn sysctls(&mut self) -> Fact<BTreeMap<String, String>> {
        let Some((k, v)) = self.entry("sysctls") else {
            return Fact {
                value: BTreeMap::new(),
                at: self.default_at(),
            };
        };
        let value = super::merge::key_values(v)
            .into_iter()
            .filter_map(|(name, value)| {
                Some((
                    name.as_str()?.to_string(),
                    value.as_str().unwrap_or_default().to_string(),
                ))
            })
            .collect();
        Fact { value, at: pos(k, v) }
    }

    /// `labels:` as a list of `key=value` (a bare `key` is an empty value) or a mapping, after
    /// interpolation; entries that are not strings are left out (labels judge nothing).
    fn labels(&self) -> BTreeMap<String, String> {
        let Some(labels) = self.service.get("labels") else {
            return BTreeMap::new();
        };
        let pairs = super::merge::key_values(labels);
        crate::labels::bounded(pairs.iter().filter_map(|(key, value)| {
            let value = match &value.value {
                Value::Null => "",
                Value::Scalar(scalar) => scalar.text.as_str(),
                _ => return None,
            };
            Some((key.as_str()?, value))
        }))
    }

    fn hooks(&mut self, user: &Fact<String>) -> Vec<ExecSpec> {
        let mut hooks = Vec::new();
        for key in ["post_start", "pre_stop"] {
            let Some(list) = self.service.get(key) else {
                continue;
            };
            for hook in list.items() {
                if !hook.is_map() {
                    let kind = hook.kind_name();
                    self.bad(&[], hook, format!("{key} items must be mappings, not a {kind}"));
                    continue;
                }
                let privileged = match hook.entry("privileged") {
                    Some((k, v)) => self.boolean_node(k, v, &format!("{key}.privileged"), &[]),
                    None => Fact {
                        value: false,
                        at: hook.provenance(),
                    },
                };
                let hook_user = match hook.entry("user") {
                    Some((k, v)) => Fact {
                        value: v.as_str().unwrap_or_default().to_string(),
                        at: pos(k, v),
                    },
                    None => Fact {
                        value: String::new(),
                        at: hook.provenance(),
                    },
                };
                hooks.push(ExecSpec {
                    container: self.name.to_string(),
                    privileged,
                    user: hook_user,
                    container_user: (!user.value.is_empty()).then(|| user.value.clone()),
                    user_uid: None,
                });
            }
        }
        hooks
    }

    /// `volumes_from` entries naming services of the project.
    fn volumes_from_refs(&mut self) -> Vec<(String, bool, Mark)> {
        let Some(list) = self.service.get("volumes_from") else {
            return Vec::new();
        };
        let mut refs = Vec::new();
        for item in list.items() {
            let Some(text) = item.as_str() else { continue };
            if let Some(container) = text.strip_prefix("container:") {
                self.loader.warnings.push(format!(
                    "{}: service {} takes the volumes of container {}, which is not part of the project: its mounts are not judged",
                    location_text(&item.at),
                    self.name,
                    container.split(':').next().unwrap_or_default()
                ));
                continue;
            }
            let (service, mode) = text.split_once(':').unwrap_or((text, ""));
            refs.push((service.to_string(), mode == "ro", item.at.clone()));
        }
        refs
    }
}

/// The largest seccomp profile read (Docker's default profile is about 20 KiB).
const MAX_PROFILE_BYTES: u64 = 1 << 20;

fn read_profile(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_PROFILE_BYTES {
        return Err(format!(
            "{} bytes, above the {} KiB limit",
            meta.len(),
            MAX_PROFILE_BYTES >> 10
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(|e| e.to_string())?
        .take(MAX_PROFILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    Ok(text)
}

/// The most port bindings one service may expand to (every port of a range is one).
const MAX_PORTS: usize = 1 << 17;

fn restart_condition(condition: &str) -> String {
    match condition {
        "none" | "no" => "no",
        "any" | "always" => "always",
        other => other,
    }
    .to_string()
}

fn namespace_pointer(key: &str) -> &'static str {
    match key {
        "pid" => "/HostConfig/PidMode",
        "ipc" => "/HostConfig/IpcMode",
        "uts" => "/HostConfig/UTSMode",
        "userns_mode" => "/HostConfig/UsernsMode",
        "cgroup" => "/HostConfig/CgroupnsMode",
        _ => "/HostConfig/NetworkMode",
    }
}

/// The name docker compose gives a project resource (volume, network): its `name:`, its own
/// name when `external`, else `<project>_<name>`.
fn resource_name(declared: Option<&Node>, project: &str, name: &str) -> String {
    let config = declared.and_then(|d| d.get(name));
    if let Some(explicit) = config.and_then(|c| c.get("name")).and_then(Node::as_str) {
        return explicit.to_string();
    }
    if config.and_then(|c| c.get("external")).and_then(Node::as_bool) == Some(true) {
        return name.to_string();
    }
    format!("{project}_{name}")
}

/// The propagation modes a bind may name.
const PROPAGATIONS: &[&str] = &["private", "rprivate", "shared", "rshared", "slave", "rslave"];

struct ShortVolume {
    source: String,
    target: String,
    options: Vec<String>,
}

/// Whether a short-syntax source is a host path rather than a volume name.
fn is_path(source: &str) -> bool {
    source.starts_with(['.', '/', '~'])
        || (source.len() >= 2 && source.as_bytes()[1] == b':' && source.as_bytes()[0].is_ascii_alphabetic())
}

/// `[SOURCE:]TARGET[:OPTIONS]`, as compose-go's `ParseVolume` reads it (a Windows drive letter
/// `C:` is part of the path).
fn parse_short_volume(spec: &str) -> Result<ShortVolume, String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = spec.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == ':' {
            // `C:\…` or `C:/…` at the start of a part is a drive letter.
            let drive = current.len() == 1
                && current.chars().all(|d| d.is_ascii_alphabetic())
                && matches!(chars.get(i + 1), Some('\\' | '/'));
            if drive {
                current.push(*c);
                continue;
            }
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(*c);
        }
    }
    parts.push(current);
    let (source, target, options) = match parts.as_slice() {
        [target] => (String::new(), target.clone(), String::new()),
        [source, target] => (source.clone(), target.clone(), String::new()),
        [source, target, options] => (source.clone(), target.clone(), options.clone()),
        _ => return Err("too many colons".into()),
    };
    if target.is_empty() {
        return Err("no target".into());
    }
    let options: Vec<String> = options
        .split(',')
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    for option in &options {
        let known = matches!(
            option.as_str(),
            "ro" | "rw" | "z" | "Z" | "nocopy" | "cached" | "delegated" | "consistent"
        ) || PROPAGATIONS.contains(&option.as_str());
        if !known {
            return Err(format!("unknown option {option:?}"));
        }
    }
    Ok(ShortVolume {
        source,
        target,
        options,
    })
}

/// The target of a short-syntax volume (the merge key of `volumes`).
pub(crate) fn short_volume_target(spec: &str) -> String {
    parse_short_volume(spec)
        .map(|v| v.target)
        .unwrap_or_else(|_| spec.to_string())
}

/// A byte size as docker's `RAMInBytes` reads it: a number (fractions allowed), an optional
/// space, and an optional binary unit `b`, `k`, `m`, `g`, `t`, `p` (any case, `i` and `b`
/// suffixes allowed: `1.5GB`, `512m`, `1gib`).
pub(crate) fn parse_bytes(text: &str) -> Option<i64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let multiplier: f64 = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0_f64.powi(4),
        "p" => 1024.0_f64.powi(5),
        _ => return None,
    };
    let bytes = value * multiplier;
    (bytes.is_finite() && bytes < i64::MAX as f64).then_some(bytes as i64)
}

fn parse_port_range(text: &str) -> Result<(u32, u32), String> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let a: u32 = a.parse().map_err(|_| format!("{text:?} is not a port"))?;
    let b: u32 = b.parse().map_err(|_| format!("{text:?} is not a port"))?;
    if a == 0 && text != "0" || a > 65535 || b > 65535 || b < a {
        return Err(format!("{text:?} is not a port or port range"));
    }
    Ok((a, b))
}

/// `[[IP:](HOST|RANGE):](PORT|RANGE)[/PROTO]` → (host ip, host port, container port/proto)
/// bindings, as docker's `nat.ParsePortSpec` expands them. An IPv6 address is written in
/// brackets (`[::1]:8080:80`); a bare container port gets a random host port on every interface.
fn parse_short_port(spec: &str) -> Result<Vec<(String, String, String)>, String> {
    let (spec, protocol) = spec.rsplit_once('/').unwrap_or((spec, "tcp"));
    if !matches!(protocol, "tcp" | "udp" | "sctp") {
        return Err(format!("unknown protocol {protocol:?}"));
    }
    let (ip, rest) = if let Some(after) = spec.strip_prefix('[') {
        let (ip, rest) = after.split_once("]:").ok_or("an unclosed [ in the address")?;
        (ip.to_string(), rest.to_string())
    } else {
        let parts: Vec<&str> = spec.split(':').collect();
        if parts.len() > 2 {
            (
                parts[..parts.len() - 2].join(":"),
                parts[parts.len() - 2..].join(":"),
            )
        } else {
            (String::new(), spec.to_string())
        }
    };
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (h.to_string(), c.to_string()),
        None => (String::new(), rest),
    };
    let (c_start, c_end) = parse_port_range(&container)?;
    let host_range = if host.is_empty() {
        None
    } else {
        Some(parse_port_range(&host)?)
    };
    let mut out = Vec::new();
    let count = c_end - c_start;
    for offset in 0..=count {
        let host_port = match host_range {
            None => String::new(),
            Some((h_start, h_end)) if count == 0 => {
                if h_start == h_end {
                    h_start.to_string()
                } else {
                    format!("{h_start}-{h_end}")
                }
            }
            Some((h_start, h_end)) if h_end - h_start == count => (h_start + offset).to_string(),
            Some(_) => return Err("the host and container port ranges differ in size".into()),
        };
        out.push((ip.clone(), host_port, format!("{}/{protocol}", c_start + offset)));
    }
    Ok(out)
}

/// The most mounts `volumes_from` chains may give one service.
const MAX_MOUNTS: usize = 1_000;

/// Adds the mounts of the services named in `volumes_from` (after their own `volumes_from`),
/// each marked as pulled in at the `volumes_from` item. Each service's mounts are computed once;
/// a cycle stops where it closes.
fn resolve_volumes_from(loader: &mut Loader<'_>, mapped: &mut [Mapped]) {
    let index: HashMap<String, usize> = mapped
        .iter()
        .enumerate()
        .map(|(i, m)| (m.workload.origin.name().to_string(), i))
        .collect();
    let refs: Vec<Vec<(String, bool, Mark)>> = mapped.iter().map(|m| m.volumes_from.clone()).collect();
    if refs.iter().all(Vec::is_empty) {
        return;
    }
    struct Resolver<'a> {
        index: &'a HashMap<String, usize>,
        refs: &'a [Vec<(String, bool, Mark)>],
        own: Vec<Vec<Mount>>,
        done: Vec<Option<Vec<Mount>>>,
        active: Vec<bool>,
        problems: Vec<(usize, Mark, String)>,
    }
    impl Resolver<'_> {
        /// Computes `done[i]` (left empty inside a cycle: the service's own mounts count).
        fn fill(&mut self, i: usize) {
            if self.done[i].is_some() || self.active[i] {
                return;
            }
            let mut mounts = self.own[i].clone();
            self.active[i] = true;
            for (service, read_only, at) in self.refs[i].clone() {
                let Some(&target) = self.index.get(&service) else {
                    self.problems.push((
                        i,
                        at,
                        format!("takes the volumes of service {service}, which is not in the project"),
                    ));
                    continue;
                };
                self.fill(target);
                let theirs = self.done[target].as_deref().unwrap_or(&self.own[target]);
                let room = MAX_MOUNTS.saturating_sub(mounts.len());
                if theirs.len() > room {
                    self.problems.push((
                        i,
                        at.clone(),
                        format!("volumes_from gives more than {MAX_MOUNTS} mounts"),
                    ));
                }
                for m in theirs.iter().take(room) {
                    let mut m = m.clone();
                    m.read_only |= read_only;
                    if let Provenance::File { via, .. } = &mut m.at {
                        via.push(at.location());
                    }
                    mounts.push(m);
                }
            }
            self.active[i] = false;
            self.done[i] = Some(mounts);
        }
    }
    let mut resolver = Resolver {
        index: &index,
        refs: &refs,
        own: mapped.iter().map(|m| m.workload.mounts.clone()).collect(),
        done: vec![None; mapped.len()],
        active: vec![false; mapped.len()],
        problems: Vec::new(),
    };
    for (i, m) in mapped.iter_mut().enumerate() {
        if !refs[i].is_empty() {
            resolver.fill(i);
            if let Some(mounts) = resolver.done[i].take() {
                m.workload.mounts = mounts.clone();
                resolver.done[i] = Some(mounts);
            }
        }
    }
    let mut problems = resolver.problems;
    problems.sort_by_key(|(i, at, _)| (*i, at.line, at.column));
    problems.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    for (i, at, problem) in problems {
        let name = mapped[i].workload.origin.name().to_string();
        loader
            .errors
            .push(error_at(&at, format!("service {name} {problem}")));
        mapped[i].workload.unknown.insert(
            "/Mounts".into(),
            format!("{}: service {name} {problem}", location_text(&at)),
        );
    }
}

/// Resolves `service:x` and `container:x` namespace modes inside the project, following
/// chains; `container:` names match a service's `container_name`.
fn resolve_joins(loader: &mut Loader<'_>, mapped: &mut [Mapped]) {
    let by_service: HashMap<&str, usize> = mapped
        .iter()
        .enumerate()
        .map(|(i, m)| (m.workload.origin.name(), i))
        .collect();
    let by_container: HashMap<&str, usize> = mapped
        .iter()
        .enumerate()
        .filter_map(|(i, m)| Some((m.container_name.as_deref()?, i)))
        .collect();
    let find = |reference: &str, service_ref: bool| -> Option<usize> {
        if service_ref {
            by_service.get(reference).copied()
        } else {
            by_container.get(reference).copied()
        }
    };
    let split = |mode: &str| -> Option<(String, bool)> {
        if let Some(r) = mode.strip_prefix("service:") {
            Some((r.to_string(), true))
        } else {
            mode.strip_prefix("container:").map(|r| (r.to_string(), false))
        }
    };
    let mut resolutions = Vec::new();
    for (index, m) in mapped.iter().enumerate() {
        for ns in JoinableNamespace::ALL {
            let mode = m.workload.namespace(ns);
            let Some((reference, service_ref)) = split(&mode.mode) else {
                continue;
            };
            let mut resolved = None;
            let mut next = (reference.clone(), service_ref);
            let mut first: Option<String> = None;
            // A chain longer than this is a cycle (or not worth following).
            for _ in 0..64 {
                let Some(target) = find(&next.0, next.1) else {
                    break;
                };
                let target = &mapped[target].workload;
                let name = first
                    .get_or_insert_with(|| target.origin.name().to_string())
                    .clone();
                let target_mode = target.namespace(ns);
                match split(&target_mode.mode) {
                    Some(further) => next = further,
                    None => {
                        resolved = Some(ResolvedJoin {
                            name,
                            owner: target.origin.name().to_string(),
                            mode: target_mode.mode.clone(),
                        });
                        break;
                    }
                }
            }
            if resolved.is_none() {
                let what = if service_ref { "service" } else { "container" };
                let at = mode.at.to_string();
                loader.warnings.push(format!(
                    "{at}: service {} joins the {} namespace of {what} {reference}, which is not part of the project (or the joins form a cycle): the namespace it ends in is not known",
                    m.workload.origin.name(),
                    ns_name(ns),
                ));
            }
            resolutions.push((index, ns, JoinTarget { reference, resolved }));
        }
    }
    for (index, ns, join) in resolutions {
        mapped[index].workload.namespace_mut(ns).join = Some(join);
    }
}

fn ns_name(ns: JoinableNamespace) -> &'static str {
    match ns {
        JoinableNamespace::Pid => "pid",
        JoinableNamespace::Ipc => "ipc",
        JoinableNamespace::Network => "network",
        JoinableNamespace::Uts => "uts",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_read_like_docker() {
        assert_eq!(parse_bytes("512m"), Some(512 << 20));
        assert_eq!(parse_bytes("1g"), Some(1 << 30));
        assert_eq!(parse_bytes("1.5GB"), Some(1_610_612_736));
        assert_eq!(parse_bytes("1 gib"), Some(1 << 30));
        assert_eq!(parse_bytes("1024"), Some(1024));
        assert_eq!(parse_bytes("100kb"), Some(102_400));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("1x"), None);
        assert_eq!(parse_bytes(""), None);
        assert_eq!(parse_bytes("99999999999p"), None);
    }

    fn ports(spec: &str) -> Vec<(String, String, String)> {
        parse_short_port(spec).unwrap()
    }

    fn b(ip: &str, host: &str, container: &str) -> (String, String, String) {
        (ip.into(), host.into(), container.into())
    }

    #[test]
    fn short_ports_expand_like_docker() {
        assert_eq!(ports("3000"), [b("", "", "3000/tcp")]);
        assert_eq!(ports("8080:80"), [b("", "8080", "80/tcp")]);
        assert_eq!(ports("127.0.0.1:8080:80/udp"), [b("127.0.0.1", "8080", "80/udp")]);
        assert_eq!(ports("[::1]:8080:80"), [b("::1", "8080", "80/tcp")]);
        assert_eq!(ports("127.0.0.1::80"), [b("127.0.0.1", "", "80/tcp")]);
        assert_eq!(
            ports("9000-9001:3000-3001"),
            [b("", "9000", "3000/tcp"), b("", "9001", "3001/tcp")]
        );
        assert_eq!(ports("8000-8010:80"), [b("", "8000-8010", "80/tcp")]);
        assert_eq!(ports("3000-3001"), [b("", "", "3000/tcp"), b("", "", "3001/tcp")]);
        assert!(parse_short_port("80:http").is_err());
        assert!(parse_short_port("9000-9002:3000-3001").is_err());
        assert!(parse_short_port("80/icmp").is_err());
        assert!(parse_short_port("[::1:80:80").is_err());
    }

    #[test]
    fn short_volumes_split_like_compose() {
        let v = parse_short_volume("./data:/data:ro,rshared").unwrap();
        assert_eq!((v.source.as_str(), v.target.as_str()), ("./data", "/data"));
        assert_eq!(v.options, ["ro", "rshared"]);
        let v = parse_short_volume("/anon").unwrap();
        assert_eq!((v.source.as_str(), v.target.as_str()), ("", "/anon"));
        let v = parse_short_volume("C:\\x:/x").unwrap();
        assert_eq!(v.source, "C:\\x");
        assert!(parse_short_volume("/a:/b:bogus").is_err());
        assert!(parse_short_volume("/a:/b:ro:x").is_err());
        assert_eq!(short_volume_target("db:/var/lib"), "/var/lib");
    }
}
