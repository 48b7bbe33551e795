//! One object with a pod template → one [`Workload`] per container.
//!
//! Pod-level and container-level `securityContext` are merged here, once, as the kubelet merges
//! them (`DetermineEffectiveSecurityContext`): for the fields both levels have (`runAsUser`,
//! `runAsGroup`, `runAsNonRoot`, `seLinuxOptions`, `seccompProfile`, `appArmorProfile`,
//! `windowsOptions.hostProcess`) the container's value wins and the pod's applies where the
//! container leaves the field unset; a structured field (`seLinuxOptions`, `seccompProfile`,
//! `appArmorProfile`) is taken whole from one level. The generic fields then read like Docker's:
//!
//! | Kubernetes | `Workload` |
//! |---|---|
//! | `runAsUser[:runAsGroup]` | `user` (`""`, the image's user, when `runAsUser` is unset) |
//! | `privileged`, `capabilities.add/drop` (as written), `readOnlyRootFilesystem` | `privileged`, `cap_add`/`cap_drop`, `readonly_rootfs` |
//! | `hostPID`, `hostIPC`, `hostNetwork` | `pid_mode`, `ipc_mode`, `network_mode` = `host` (`hostNetwork` also shares the host's UTS namespace: `uts_mode`) |
//! | `hostUsers` false / true | `userns_mode` `private` / `host` (`""` when unset) |
//! | `allowPrivilegeEscalation: false` | `security_opt` `no-new-privileges=true` |
//! | effective `seccompProfile.type` Unconfined | `seccomp=unconfined` (unset is Unconfined too unless the kubelet runs with `--seccomp-default`: the rules read that from [`KubernetesFacts`]) |
//! | effective AppArmor Unconfined (container field, else the container's annotation, else the pod field) / Localhost | `apparmor=unconfined` / `apparmor=<localhostProfile>` |
//! | effective `seLinuxOptions` | `label=user:…`, `label=role:…`, `label=type:…`, `label=level:…`; type `spc_t` (the unconfined type Docker's `label=disable` runs as) → `label=disable` |
//! | `procMount: Unmasked` | `masked_paths` and `readonly_paths` `Some([])` (Docker's `systempaths=unconfined`) |
//! | `volumeMounts` of `hostPath` volumes | mounts of kind `bind`: source = the path as written (`/subPath` appended), propagation Bidirectional → `rshared`, HostToContainer → `rslave` |
//! | other `volumeMounts` | kind `tmpfs` (`emptyDir.medium: Memory`) or `volume` (source = the volume's name) |
//! | `ports` with `hostPort` (every port under `hostNetwork`, where the host port defaults to the container port) | `ports` |
//! | `resources.limits.memory` / `limits.cpu`, `requests.cpu` | `memory` (bytes), `nano_cpus`, `cpu_shares` (the kubelet's `milliCPU × 1024 / 1000`) |
//! | pod `securityContext.sysctls` | `sysctls` |
//! | `livenessProbe`, else `readinessProbe` | `healthcheck`: `["CMD", command…]` for `exec`, `["HTTP-GET", "scheme://host:port/path"]`, `["TCP-SOCKET", "host:port"]`, `["GRPC", "port"]` (host empty: the pod's IP) |
//! | `restartPolicy` (pod; an init container's own `restartPolicy: Always` makes it a sidecar) | `restart_policy` `always` / `on-failure` / `no`; init containers are only restarted on failure, ephemeral containers never |
//!
//! A key that is missing holds Kubernetes' default, with the container's list item as its
//! position. What Docker cannot express is in [`KubernetesFacts`], as written per level where the
//! Pod Security Standards judge the field rather than the effective value.

use std::collections::BTreeMap;

use dockward_model::{
    ContainerType, Fact, Healthcheck, KubernetesFacts, Mount, NamespaceMode, Origin, PodLevel, PodVolume,
    PortBinding, Provenance, RestartPolicy, SeLinuxOptions, SourceError, Workload,
};
use serde_json::Value;

use super::quantity;
use crate::yaml::Node;

/// A [`SourceError`] at a node.
pub(super) fn error(node: &Node, message: impl Into<String>) -> SourceError {
    SourceError {
        path: node.at.file.to_string(),
        line: node.at.line,
        column: node.at.column,
        message: message.into(),
    }
}

type Result<T> = std::result::Result<T, SourceError>;

/// A field's value, when present and not null (Kubernetes treats `null` as unset).
fn get<'a>(map: &'a Node, key: &str) -> Option<&'a Node> {
    map.get(key).filter(|n| !n.is_null())
}

/// The `labels` of a metadata mapping. Labels judge nothing, so a malformed entry (a value that
/// is not a scalar) or a `labels` that is not a mapping is left out, not an error.
fn labels(metadata: &Node) -> BTreeMap<String, String> {
    let Some(labels) = get(metadata, "labels") else {
        return BTreeMap::new();
    };
    crate::labels::bounded(labels.entries().iter().filter_map(|(key, value)| {
        let value = if value.is_null() { "" } else { value.as_str()? };
        Some((key.as_str()?, value))
    }))
}

/// A field's key and value, when present and not null: a scalar fact is located at its key, as
/// compose's are, so a finding points at the offending key.
fn get_entry<'a>(map: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    map.entry(key).filter(|(_, n)| !n.is_null())
}

fn found(node: &Node) -> String {
    match node.as_str() {
        Some(text) if !node.is_map() && !node.is_seq() => format!("{} \"{text}\"", node.kind_name()),
        _ => format!("a {}", node.kind_name()),
    }
}

fn map<'a>(parent: &'a Node, key: &str, what: &str) -> Result<Option<&'a Node>> {
    match get(parent, key) {
        None => Ok(None),
        Some(n) if n.is_map() => Ok(Some(n)),
        Some(n) => Err(error(
            n,
            format!("{what}{key}: expected a mapping, found {}", found(n)),
        )),
    }
}

fn seq<'a>(parent: &'a Node, key: &str, what: &str) -> Result<&'a [Node]> {
    match get(parent, key) {
        None => Ok(&[]),
        Some(n) if n.is_seq() => Ok(n.items()),
        Some(n) => Err(error(
            n,
            format!("{what}{key}: expected a sequence, found {}", found(n)),
        )),
    }
}

fn boolean<'a>(parent: &'a Node, key: &str, what: &str) -> Result<Option<(bool, &'a Node)>> {
    let Some((k, n)) = get_entry(parent, key) else {
        return Ok(None);
    };
    match n.to_json() {
        Value::Bool(b) => Ok(Some((b, k))),
        _ => Err(error(
            n,
            format!("{what}{key}: expected a boolean, found {}", found(n)),
        )),
    }
}

fn integer<'a>(parent: &'a Node, key: &str, what: &str) -> Result<Option<(i64, &'a Node)>> {
    let Some((k, n)) = get_entry(parent, key) else {
        return Ok(None);
    };
    match n.to_json().as_i64() {
        Some(i) => Ok(Some((i, k))),
        None => Err(error(
            n,
            format!("{what}{key}: expected an integer, found {}", found(n)),
        )),
    }
}

fn string<'a>(parent: &'a Node, key: &str, what: &str) -> Result<Option<(String, &'a Node)>> {
    let Some((k, n)) = get_entry(parent, key) else {
        return Ok(None);
    };
    match n.as_str() {
        Some(s) if !n.is_map() && !n.is_seq() => Ok(Some((s.to_string(), k))),
        _ => Err(error(
            n,
            format!("{what}{key}: expected a string, found {}", found(n)),
        )),
    }
}

fn strings<'a>(parent: &'a Node, key: &str, what: &str) -> Result<Option<(Vec<String>, &'a Node)>> {
    let Some((key_node, _)) = parent.entry(key) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for item in seq(parent, key, what)? {
        match item.as_str() {
            Some(s) if !item.is_map() && !item.is_seq() => out.push(s.to_string()),
            _ => {
                return Err(error(
                    item,
                    format!("{what}{key}: expected strings, found {}", found(item)),
                ));
            }
        }
    }
    Ok(Some((out, key_node)))
}

/// The name and namespace of an object, and where its pod template is.
struct Object<'a> {
    kind: &'a str,
    name: String,
    namespace: Option<String>,
}

/// Where an object's pod template is (keys from the object), for the kinds that have one.
pub(super) fn template_path(node: &Node) -> Option<&'static [&'static str]> {
    let kind = node.get("kind").and_then(Node::as_str).unwrap_or_default();
    let api_version = node.get("apiVersion").and_then(Node::as_str).unwrap_or_default();
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    // A custom resource may reuse a kind's name (a `Job` of another API group is not a batch
    // Job): only the built-in groups' objects have the pod template layout read here.
    Some(match (kind, group) {
        ("Pod", "") => &[],
        ("PodTemplate", "") => &["template"],
        ("ReplicationController", "") => &["spec", "template"],
        ("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet", "apps" | "extensions") => {
            &["spec", "template"]
        }
        ("Job", "batch") => &["spec", "template"],
        ("CronJob", "batch") => &["spec", "jobTemplate", "spec", "template"],
        _ => return None,
    })
}

/// The workloads of one object; empty for kinds without a pod template.
pub(super) fn workloads(node: &Node, kind: &str) -> Result<Vec<Workload>> {
    let Some(template_path) = template_path(node) else {
        return Ok(Vec::new());
    };
    let metadata = map(node, "metadata", "")?;
    let text = |key| -> Result<Option<String>> {
        Ok(match metadata {
            Some(m) => string(m, key, "metadata.")?.map(|(s, _)| s),
            None => None,
        })
    };
    let object = Object {
        kind,
        // A name the API server generates is known only by its prefix.
        name: match text("name")? {
            Some(name) => name,
            None => text("generateName")?.unwrap_or_default(),
        },
        namespace: text("namespace")?,
    };
    let mut template = node;
    let mut what = String::new();
    for key in template_path {
        template = match map(template, key, &what)? {
            Some(t) => t,
            None => {
                return Err(error(
                    template,
                    format!(
                        "{kind} {}: {what}{key} is missing, so there is no pod to judge",
                        object.name
                    ),
                ));
            }
        };
        what.push_str(key);
        what.push('.');
    }
    let pod_metadata = map(template, "metadata", &what)?;
    let Some(spec) = map(template, "spec", &what)? else {
        return Err(error(
            template,
            format!(
                "{kind} {}: {what}spec is missing, so there is no pod to judge",
                object.name
            ),
        ));
    };
    what.push_str("spec.");
    let mut pod = Pod::read(&object, pod_metadata, spec, &what)?;
    if kind == "StatefulSet" {
        pod.add_claim_templates(node)?;
    }
    let mut out = Vec::new();
    for (key, container_type) in [
        ("initContainers", ContainerType::Init),
        ("containers", ContainerType::Container),
        ("ephemeralContainers", ContainerType::Ephemeral),
    ] {
        for (index, item) in seq(spec, key, &what)?.iter().enumerate() {
            if !item.is_map() {
                return Err(error(
                    item,
                    format!("{what}{key}[{index}]: expected a mapping, found {}", found(item)),
                ));
            }
            let what = format!("{what}{key}[{index}].");
            out.push(pod.container(item, container_type, &what)?);
        }
    }
    Ok(out)
}

/// A security context, pod or container level, as written.
#[derive(Default)]
struct Context<'a> {
    run_as_user: Option<(i64, &'a Node)>,
    run_as_group: Option<(i64, &'a Node)>,
    run_as_non_root: Option<(bool, &'a Node)>,
    selinux: Option<(SeLinuxOptions, &'a Node)>,
    seccomp: Option<Profile<'a>>,
    apparmor: Option<Profile<'a>>,
    host_process: Option<(bool, &'a Node)>,
}

/// A `seccompProfile` or `appArmorProfile`.
#[derive(Clone)]
struct Profile<'a> {
    r#type: String,
    /// The `type` value, else the profile's own node.
    at: &'a Node,
    localhost: Option<String>,
}

impl<'a> Context<'a> {
    fn read(sc: Option<&'a Node>, what: &str) -> Result<Self> {
        let Some(sc) = sc else { return Ok(Self::default()) };
        let profile = |key: &str| -> Result<Option<Profile<'a>>> {
            let Some(p) = map(sc, key, what)? else {
                return Ok(None);
            };
            let inner = format!("{what}{key}.");
            let r#type = string(p, "type", &inner)?;
            Ok(Some(Profile {
                at: r#type.as_ref().map_or(p, |(_, n)| n),
                r#type: r#type.map(|(t, _)| t).unwrap_or_default(),
                localhost: string(p, "localhostProfile", &inner)?.map(|(s, _)| s),
            }))
        };
        let selinux = match map(sc, "seLinuxOptions", what)? {
            None => None,
            Some(o) => {
                let inner = format!("{what}seLinuxOptions.");
                let field = |key| -> Result<Option<String>> { Ok(string(o, key, &inner)?.map(|(s, _)| s)) };
                Some((
                    SeLinuxOptions {
                        r#type: field("type")?,
                        user: field("user")?,
                        role: field("role")?,
                        level: field("level")?,
                    },
                    o,
                ))
            }
        };
        let host_process = match map(sc, "windowsOptions", what)? {
            Some(w) => boolean(w, "hostProcess", &format!("{what}windowsOptions."))?,
            None => None,
        };
        Ok(Self {
            run_as_user: integer(sc, "runAsUser", what)?,
            run_as_group: integer(sc, "runAsGroup", what)?,
            run_as_non_root: boolean(sc, "runAsNonRoot", what)?,
            selinux,
            seccomp: profile("seccompProfile")?,
            apparmor: profile("appArmorProfile")?,
            host_process,
        })
    }
}

/// One volume of the pod, for its mounts.
struct Volume<'a> {
    name: String,
    source: String,
    /// The source's mapping (`hostPath: {path: …}`).
    body: Option<&'a Node>,
    host_path: Option<(String, &'a Node)>,
}

/// The pod-level facts every container of the pod shares.
struct Pod<'a> {
    object: &'a Object<'a>,
    annotations: BTreeMap<String, (String, &'a Node)>,
    /// The pod's `metadata.labels` (a Pod's own, else its template's).
    labels: BTreeMap<String, String>,
    context: Context<'a>,
    host_network: Option<(bool, &'a Node)>,
    host_pid: Option<(bool, &'a Node)>,
    host_ipc: Option<(bool, &'a Node)>,
    host_users: Option<(bool, &'a Node)>,
    os: Option<(String, &'a Node)>,
    restart_policy: Option<(String, &'a Node)>,
    sysctls: Option<(BTreeMap<String, String>, &'a Node)>,
    volumes: Vec<Volume<'a>>,
    pod_volumes: Vec<PodVolume>,
}

impl<'a> Pod<'a> {
    /// A StatefulSet's `volumeClaimTemplates`: each is a persistent volume claim the pod's
    /// containers mount by the template's name, as if the pod spec listed it.
    fn add_claim_templates(&mut self, statefulset: &'a Node) -> Result<()> {
        let Some(spec) = map(statefulset, "spec", "")? else {
            return Ok(());
        };
        for (i, item) in seq(spec, "volumeClaimTemplates", "spec.")?.iter().enumerate() {
            let inner = format!("spec.volumeClaimTemplates[{i}].");
            let name = match map(item, "metadata", &inner)? {
                Some(m) => string(m, "name", &format!("{inner}metadata."))?.map(|(s, _)| s),
                None => None,
            }
            .unwrap_or_default();
            self.pod_volumes.push(PodVolume {
                name: name.clone(),
                source: "persistentVolumeClaim".into(),
                host_path: None,
                at: item.provenance(),
            });
            self.volumes.push(Volume {
                name,
                source: "persistentVolumeClaim".into(),
                body: None,
                host_path: None,
            });
        }
        Ok(())
    }

    fn read(object: &'a Object<'a>, metadata: Option<&'a Node>, spec: &'a Node, what: &str) -> Result<Self> {
        let mut annotations = BTreeMap::new();
        if let Some(m) = metadata
            && let Some(a) = map(m, "annotations", "metadata.")?
        {
            for (key, value) in a.entries() {
                // `null` decodes to the empty string.
                let v = if value.is_null() { Some("") } else { value.as_str() };
                let (Some(k), Some(v)) = (key.as_str(), v) else {
                    return Err(error(value, "metadata.annotations: expected string values"));
                };
                annotations.insert(k.to_string(), (v.to_string(), key));
            }
        }
        let sc = map(spec, "securityContext", what)?;
        let sc_what = format!("{what}securityContext.");
        let sysctls = match sc.and_then(|sc| sc.entry("sysctls")) {
            Some((key, _)) => {
                let mut out = BTreeMap::new();
                for (i, item) in seq(sc.unwrap_or(spec), "sysctls", &sc_what)?.iter().enumerate() {
                    let inner = format!("{sc_what}sysctls[{i}].");
                    let name = string(item, "name", &inner)?.map(|(s, _)| s).unwrap_or_default();
                    let value = string(item, "value", &inner)?.map(|(s, _)| s).unwrap_or_default();
                    out.insert(name, value);
                }
                Some((out, key))
            }
            None => None,
        };
        let mut volumes = Vec::new();
        let mut pod_volumes = Vec::new();
        for (i, item) in seq(spec, "volumes", what)?.iter().enumerate() {
            let inner = format!("{what}volumes[{i}].");
            if !item.is_map() {
                return Err(error(
                    item,
                    format!(
                        "{}: expected a mapping, found {}",
                        inner.trim_end_matches('.'),
                        found(item)
                    ),
                ));
            }
            let name = string(item, "name", &inner)?.map(|(s, _)| s).unwrap_or_default();
            // The volume source is the one key besides `name`.
            let source = item.entries().iter().find(|(k, _)| k.as_str() != Some("name"));
            let (source_name, at, body) = match source {
                Some((k, v)) if !v.is_map() && !v.is_null() => {
                    let key = k.as_str().unwrap_or_default();
                    return Err(error(
                        v,
                        format!("{inner}{key}: expected a mapping, found {}", found(v)),
                    ));
                }
                Some((k, v)) => (
                    k.as_str().unwrap_or_default().to_string(),
                    k,
                    v.is_map().then_some(v),
                ),
                None => (String::new(), item, None),
            };
            let host_path = match (source_name.as_str(), body) {
                ("hostPath", Some(b)) => string(b, "path", &format!("{inner}hostPath."))?,
                _ => None,
            };
            pod_volumes.push(PodVolume {
                name: name.clone(),
                source: source_name.clone(),
                host_path: host_path.as_ref().map(|(p, _)| p.clone()),
                at: at.provenance(),
            });
            volumes.push(Volume {
                name,
                source: source_name,
                body,
                host_path,
            });
        }
        let os = match map(spec, "os", what)? {
            Some(o) => string(o, "name", &format!("{what}os."))?,
            None => None,
        };
        Ok(Self {
            object,
            annotations,
            labels: metadata.map(labels).unwrap_or_default(),
            context: Context::read(sc, &sc_what)?,
            host_network: boolean(spec, "hostNetwork", what)?,
            host_pid: boolean(spec, "hostPID", what)?,
            host_ipc: boolean(spec, "hostIPC", what)?,
            host_users: boolean(spec, "hostUsers", what)?,
            os,
            restart_policy: string(spec, "restartPolicy", what)?,
            sysctls,
            volumes,
            pod_volumes,
        })
    }

    fn container(&self, c: &Node, container_type: ContainerType, what: &str) -> Result<Workload> {
        let item = c.provenance();
        let at = |n: Option<&Node>| n.map_or_else(|| item.clone(), Node::provenance);
        // A fact read at a node, or the container's default at its list item.
        macro_rules! fact {
            ($value:expr, $node:expr) => {
                Fact {
                    value: $value,
                    at: at($node),
                }
            };
        }
        let name = string(c, "name", what)?.map(|(s, _)| s).unwrap_or_default();
        let image = string(c, "image", what)?;
        let sc = map(c, "securityContext", what)?;
        let sc_what = format!("{what}securityContext.");
        let own = Context::read(sc, &sc_what)?;
        let pod = &self.context;

        // Container-only securityContext fields.
        let field_bool = |key| -> Result<Option<(bool, &Node)>> {
            match sc {
                Some(sc) => boolean(sc, key, &sc_what),
                None => Ok(None),
            }
        };
        let privileged = field_bool("privileged")?;
        let read_only_root = field_bool("readOnlyRootFilesystem")?;
        let allow_escalation = field_bool("allowPrivilegeEscalation")?;
        let proc_mount = match sc {
            Some(sc) => string(sc, "procMount", &sc_what)?,
            None => None,
        };
        let capabilities = match sc {
            Some(sc) => map(sc, "capabilities", &sc_what)?,
            None => None,
        };
        let caps_what = format!("{sc_what}capabilities.");
        let (cap_add, cap_drop) = match capabilities {
            Some(caps) => (
                strings(caps, "add", &caps_what)?,
                strings(caps, "drop", &caps_what)?,
            ),
            None => (None, None),
        };
        let caps_at = capabilities.map(|_| sc.and_then(|sc| sc.entry("capabilities")).map(|(k, _)| k));
        let cap_fact = |list: Option<(Vec<String>, &Node)>| match list {
            Some((v, n)) => fact!(v, Some(n)),
            None => fact!(Vec::new(), caps_at.flatten()),
        };

        // Effective values: the container's, else the pod's.
        let run_as_user = own.run_as_user.or(pod.run_as_user);
        let run_as_group = own.run_as_group.or(pod.run_as_group);
        let run_as_non_root = own.run_as_non_root.or(pod.run_as_non_root);
        let selinux = own.selinux.as_ref().or(pod.selinux.as_ref());
        let seccomp = own.seccomp.as_ref().or(pod.seccomp.as_ref());
        let annotation = self
            .annotations
            .get(&format!("container.apparmor.security.beta.kubernetes.io/{name}"));

        let user = match (run_as_user, run_as_group) {
            (Some((u, n)), Some((g, _))) => fact!(format!("{u}:{g}"), Some(n)),
            (Some((u, n)), None) => fact!(u.to_string(), Some(n)),
            (None, _) => fact!(String::new(), None),
        };

        // Security options as Docker spells the effective settings; the fact's position is the
        // setting a rule is most likely to fail on (the list has one position).
        let mut security_opt: Vec<(u8, String, Provenance)> = Vec::new();
        // Unset is not spelled out: the rules know Kubernetes' default for it (Unconfined, unless
        // the kubelet runs with --seccomp-default) from `KubernetesFacts` and say so.
        if let Some(p) = seccomp.filter(|p| p.r#type == "Unconfined") {
            security_opt.push((0, "seccomp=unconfined".into(), p.at.provenance()));
        }
        // The AppArmor field wins over the deprecated annotation, the container over the pod.
        let apparmor = match (&own.apparmor, annotation, &pod.apparmor) {
            (Some(p), _, _) => Some((p.r#type.as_str(), p.localhost.clone(), p.at)),
            (None, Some((value, n)), _) => Some(match value.as_str() {
                "unconfined" => ("Unconfined", None, *n),
                "runtime/default" | "" => ("RuntimeDefault", None, *n),
                other => match other.strip_prefix("localhost/") {
                    Some(profile) => ("Localhost", Some(profile.to_string()), *n),
                    None => ("", None, *n),
                },
            }),
            (None, None, Some(p)) => Some((p.r#type.as_str(), p.localhost.clone(), p.at)),
            (None, None, None) => None,
        };
        match apparmor {
            Some(("Unconfined", _, n)) => {
                security_opt.push((1, "apparmor=unconfined".into(), n.provenance()))
            }
            Some(("Localhost", Some(profile), n)) => {
                security_opt.push((1, format!("apparmor={profile}"), n.provenance()))
            }
            _ => {}
        }
        if let Some((o, n)) = selinux {
            let labels = [
                ("user", &o.user),
                ("role", &o.role),
                ("type", &o.r#type),
                ("level", &o.level),
            ];
            for (key, value) in labels {
                match value.as_deref() {
                    None | Some("") => {}
                    Some("spc_t") if key == "type" => {
                        security_opt.push((2, "label=disable".into(), n.provenance()))
                    }
                    Some(v) => security_opt.push((2, format!("label={key}:{v}"), n.provenance())),
                }
            }
        }
        if let Some((false, n)) = allow_escalation {
            security_opt.push((3, "no-new-privileges=true".into(), n.provenance()));
        }
        let security_opt_at = security_opt
            .iter()
            .min_by_key(|(rank, _, _)| *rank)
            .map_or_else(|| item.clone(), |(_, _, at)| at.clone());
        security_opt.sort_by_key(|(rank, _, _)| *rank);

        let ns = |flag: Option<(bool, &Node)>, host: &str| NamespaceMode {
            mode: if flag.is_some_and(|(b, _)| b) {
                host.to_string()
            } else {
                String::new()
            },
            at: at(flag.map(|(_, n)| n)),
            join: None,
        };
        let userns_mode = NamespaceMode {
            mode: match self.host_users {
                Some((false, _)) => "private".into(),
                Some((true, _)) => "host".into(),
                None => String::new(),
            },
            at: at(self.host_users.map(|(_, n)| n)),
            join: None,
        };

        let mounts = self.mounts(c, what)?;
        let ports = self.ports(c, what)?;
        let (memory, nano_cpus, cpu_shares) = resources(c, what, &item)?;
        let unmasked = proc_mount.as_ref().filter(|(m, _)| m == "Unmasked");
        let paths = || fact!(unmasked.map(|_| Vec::new()), unmasked.map(|(_, n)| *n));

        let (healthcheck, probe_hosts) = probes(c, what)?;
        let restart_policy = self.restart_policy(c, container_type, what)?;

        let mut run_as_users = Vec::new();
        let mut host_process = Vec::new();
        let mut apparmor_settings = Vec::new();
        let mut selinux_settings = Vec::new();
        for level in [pod, &own] {
            if let Some((u, n)) = level.run_as_user {
                run_as_users.push(fact!(u, Some(n)));
            }
            if let Some((h, n)) = level.host_process {
                host_process.push(fact!(h, Some(n)));
            }
            if let Some(p) = &level.apparmor {
                apparmor_settings.push(fact!(p.r#type.clone(), Some(p.at)));
            }
            if let Some((o, n)) = &level.selinux {
                selinux_settings.push(fact!(o.clone(), Some(n)));
            }
        }
        if let Some((value, n)) = annotation {
            apparmor_settings.insert(0, fact!(value.clone(), Some(n)));
        }
        let kubernetes = KubernetesFacts {
            os: self.os.as_ref().map(|(o, n)| fact!(o.clone(), Some(n))),
            host_users: self.host_users.map(|(b, n)| fact!(b, Some(n))),
            host_process,
            run_as_non_root: run_as_non_root.map(|(b, n)| fact!(b, Some(n))),
            run_as_user: run_as_users,
            seccomp_pod: pod.seccomp.as_ref().map(|p| fact!(p.r#type.clone(), Some(p.at))),
            seccomp_container: own.seccomp.as_ref().map(|p| fact!(p.r#type.clone(), Some(p.at))),
            apparmor: apparmor_settings,
            selinux: selinux_settings,
            allow_privilege_escalation: allow_escalation.map(|(b, n)| fact!(b, Some(n))),
            proc_mount: proc_mount.as_ref().map(|(m, n)| fact!(m.clone(), Some(n))),
            volumes: self.pod_volumes.clone(),
            probe_hosts,
            pod_level: PodLevel {
                host_process: pod.host_process.map(|(h, n)| fact!(h, Some(n))),
                run_as_non_root: pod.run_as_non_root.map(|(b, n)| fact!(b, Some(n))),
                run_as_user: pod.run_as_user.map(|(u, n)| fact!(u, Some(n))),
                selinux: pod.selinux.as_ref().map(|(o, n)| fact!(o.clone(), Some(n))),
                apparmor: pod.apparmor.as_ref().map(|p| fact!(p.r#type.clone(), Some(p.at))),
                apparmor_annotation: annotation.map(|(v, n)| fact!(v.clone(), Some(n))),
            },
        };

        let kind = self.object.kind;
        let object_name = &self.object.name;
        Ok(Workload {
            origin: Origin::Kubernetes {
                object_kind: kind.to_string(),
                name: object_name.clone(),
                namespace: self.object.namespace.clone(),
                container: name.clone(),
                container_type,
                display: format!("{kind}/{object_name}/{name}"),
                at: item.clone(),
            },
            image: match image {
                Some((i, n)) => fact!(i, Some(n)),
                None => fact!(String::new(), None),
            },
            user,
            user_uid: None,
            privileged: fact!(privileged.is_some_and(|(b, _)| b), privileged.map(|(_, n)| n)),
            cap_add: cap_fact(cap_add),
            cap_drop: cap_fact(cap_drop),
            security_opt: Fact {
                value: security_opt.into_iter().map(|(_, o, _)| o).collect(),
                at: security_opt_at,
            },
            apparmor_profile: None,
            process_label: None,
            pid_mode: ns(self.host_pid, "host"),
            ipc_mode: ns(self.host_ipc, "host"),
            // A pod on the host's network also gets the host's UTS namespace (hostname).
            uts_mode: ns(self.host_network, "host"),
            network_mode: ns(self.host_network, "host"),
            userns_mode,
            cgroupns_mode: ns(None, ""),
            networks: fact!(Vec::new(), None),
            mounts,
            devices: fact!(Vec::new(), None),
            device_cgroup_rules: fact!(Vec::new(), None),
            device_requests: fact!(Vec::new(), None),
            readonly_rootfs: fact!(
                read_only_root.is_some_and(|(b, _)| b),
                read_only_root.map(|(_, n)| n)
            ),
            memory,
            cpu_shares,
            nano_cpus,
            cpu_quota: fact!(0, None),
            cpuset_cpus: fact!(String::new(), None),
            pids_limit: fact!(None, None),
            ports,
            publish_all_ports: fact!(false, None),
            restart_policy,
            healthcheck,
            health_status: None,
            cgroup_parent: fact!(String::new(), None),
            ulimits: fact!(Vec::new(), None),
            sysctls: match &self.sysctls {
                Some((s, n)) => fact!(s.clone(), Some(n)),
                None => fact!(BTreeMap::new(), None),
            },
            masked_paths: paths(),
            readonly_paths: paths(),
            volumes_from: fact!(Vec::new(), None),
            unknown: BTreeMap::new(),
            exec_hooks: Vec::new(),
            labels: self.labels.clone(),
            kubernetes: Some(Box::new(kubernetes)),
        })
    }

    fn mounts(&self, c: &Node, what: &str) -> Result<Vec<Mount>> {
        let mut mounts = Vec::new();
        for (i, m) in seq(c, "volumeMounts", what)?.iter().enumerate() {
            let inner = format!("{what}volumeMounts[{i}].");
            let name = string(m, "name", &inner)?.map(|(s, _)| s).unwrap_or_default();
            let destination = string(m, "mountPath", &inner)?
                .map(|(s, _)| s)
                .unwrap_or_default();
            let read_only = boolean(m, "readOnly", &inner)?.is_some_and(|(b, _)| b);
            let sub_path = string(m, "subPath", &inner)?.map(|(s, _)| s).unwrap_or_default();
            let propagation = match string(m, "mountPropagation", &inner)? {
                Some((p, _)) if p == "Bidirectional" => "rshared",
                Some((p, _)) if p == "HostToContainer" => "rslave",
                Some((p, _)) if p == "None" => "rprivate",
                _ => "",
            };
            // A mount of a volume the pod does not define is rejected by the API server.
            let Some(volume) = self.volumes.iter().find(|v| v.name == name) else {
                return Err(error(
                    m,
                    format!("{inner}name: the pod defines no volume \"{name}\""),
                ));
            };
            let mut mount = Mount {
                kind: "volume".into(),
                source: name.clone(),
                destination,
                read_only,
                propagation: propagation.to_string(),
                bind_device: None,
                source_realpath: None,
                source_socket: None,
                at: m.provenance(),
            };
            match (&volume.host_path, volume.source.as_str()) {
                (Some((path, n)), _) => {
                    mount.kind = "bind".into();
                    mount.source = if sub_path.is_empty() {
                        path.clone()
                    } else {
                        format!("{}/{sub_path}", path.trim_end_matches('/'))
                    };
                    // The host path is written in the volume; the mount pulls it in.
                    mount.at = n.provenance();
                    if let Provenance::File { via, .. } = &mut mount.at {
                        via.insert(0, m.location());
                    }
                }
                (None, "emptyDir")
                    if volume.body.and_then(|b| b.get("medium")).and_then(Node::as_str) == Some("Memory") =>
                {
                    mount.kind = "tmpfs".into();
                    mount.source = String::new();
                }
                // The kubelet always mounts these read-only.
                (None, "configMap" | "secret" | "downwardAPI" | "projected") => mount.read_only = true,
                _ => {}
            }
            mounts.push(mount);
        }
        Ok(mounts)
    }

    fn ports(&self, c: &Node, what: &str) -> Result<Vec<PortBinding>> {
        let host_network = self.host_network.is_some_and(|(b, _)| b);
        let mut out = Vec::new();
        for (i, p) in seq(c, "ports", what)?.iter().enumerate() {
            let inner = format!("{what}ports[{i}].");
            let container_port = integer(p, "containerPort", &inner)?.map_or(0, |(n, _)| n);
            // Under hostNetwork the API server defaults the host port to the container port.
            let host_port = match integer(p, "hostPort", &inner)? {
                Some((n, _)) if n != 0 => n,
                _ if host_network => container_port,
                _ => 0,
            };
            if host_port == 0 {
                continue;
            }
            let protocol =
                string(p, "protocol", &inner)?.map_or_else(|| "tcp".into(), |(s, _)| s.to_lowercase());
            out.push(PortBinding {
                container_port: format!("{container_port}/{protocol}"),
                host_ip: string(p, "hostIP", &inner)?.map(|(s, _)| s).unwrap_or_default(),
                host_port: host_port.to_string(),
                at: p.provenance(),
            });
        }
        Ok(out)
    }

    fn restart_policy(
        &self,
        c: &Node,
        container_type: ContainerType,
        what: &str,
    ) -> Result<Fact<RestartPolicy>> {
        let policy = |name: &str| RestartPolicy {
            name: name.into(),
            maximum_retry_count: 0,
        };
        let own = string(c, "restartPolicy", what)?;
        let pod = self.restart_policy.as_ref().map(|(p, n)| (p.as_str(), *n));
        let (name, at) = match (container_type, &own) {
            (ContainerType::Ephemeral, _) => ("no", None),
            (ContainerType::Init, Some((p, n))) if p == "Always" => ("always", Some(*n)),
            // An init container that fails is retried unless the pod never restarts.
            (ContainerType::Init, _) => match pod {
                Some(("Never", n)) => ("no", Some(n)),
                Some((_, n)) => ("on-failure", Some(n)),
                None => ("on-failure", None),
            },
            (ContainerType::Container, _) => match pod {
                Some(("OnFailure", n)) => ("on-failure", Some(n)),
                Some(("Never", n)) => ("no", Some(n)),
                Some((_, n)) => ("always", Some(n)),
                None => ("always", None),
            },
        };
        Ok(Fact {
            value: policy(name),
            at: at.map_or_else(|| c.provenance(), Node::provenance),
        })
    }
}

/// `resources`: the memory limit in bytes, the CPU limit in nano CPUs and the CPU shares.
fn resources(c: &Node, what: &str, item: &Provenance) -> Result<(Fact<i64>, Fact<i64>, Fact<i64>)> {
    let mut memory = Fact {
        value: 0,
        at: item.clone(),
    };
    let mut nano_cpus = Fact {
        value: 0,
        at: item.clone(),
    };
    let mut cpu_shares = Fact {
        value: 0,
        at: item.clone(),
    };
    let Some(r) = map(c, "resources", what)? else {
        return Ok((memory, nano_cpus, cpu_shares));
    };
    let inner = format!("{what}resources.");
    let quantity = |section: &Node, key: &str, scale: u32, sub: &str| -> Result<Option<(i64, Provenance)>> {
        let Some(n) = get(section, key) else {
            return Ok(None);
        };
        let text = n.as_str().filter(|_| !n.is_map() && !n.is_seq());
        match text.and_then(|t| quantity::scaled(t, scale)) {
            Some(v) => Ok(Some((v, n.provenance()))),
            None => Err(error(
                n,
                format!(
                    "{inner}{sub}{key}: expected a quantity (128Mi, 0.5, 500m …), found {}",
                    found(n)
                ),
            )),
        }
    };
    let limits = map(r, "limits", &inner)?;
    let requests = map(r, "requests", &inner)?;
    if let Some(l) = limits {
        if let Some((v, at)) = quantity(l, "memory", 0, "limits.")? {
            memory = Fact { value: v, at };
        }
        if let Some((v, at)) = quantity(l, "cpu", 9, "limits.")? {
            nano_cpus = Fact { value: v, at };
        }
    }
    // The kubelet's shares are milliCPU × 1024 / 1000 (at least 2) of the request, which
    // defaults to the limit.
    let request = match requests {
        Some(q) => quantity(q, "cpu", 3, "requests.")?,
        None => None,
    };
    let request = match request {
        Some(r) => Some(r),
        None => match limits {
            Some(l) => quantity(l, "cpu", 3, "limits.")?,
            None => None,
        },
    };
    if let Some((milli, at)) = request {
        cpu_shares = Fact {
            value: (milli.saturating_mul(1024) / 1000).max(2),
            at,
        };
    }
    Ok((memory, nano_cpus, cpu_shares))
}

/// A health check and the probe and handler hosts.
type Probes = (Fact<Option<Healthcheck>>, Vec<Fact<String>>);

/// The health check (liveness, else readiness probe) and the `host` of every probe and
/// lifecycle handler.
fn probes(c: &Node, what: &str) -> Result<Probes> {
    let mut hosts = Vec::new();
    let mut handler_hosts = |handler: &Node, inner: &str| -> Result<()> {
        for kind in ["httpGet", "tcpSocket"] {
            if let Some(h) = map(handler, kind, inner)?
                && let Some((host, n)) = string(h, "host", &format!("{inner}{kind}."))?
                && !host.is_empty()
            {
                hosts.push(Fact {
                    value: host,
                    at: n.provenance(),
                });
            }
        }
        Ok(())
    };
    let mut check: Option<(Healthcheck, Provenance)> = None;
    for key in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(probe) = map(c, key, what)? else { continue };
        let inner = format!("{what}{key}.");
        handler_hosts(probe, &inner)?;
        if check.is_some() || key == "startupProbe" {
            continue;
        }
        let key_at = c
            .entry(key)
            .map_or_else(|| probe.provenance(), |(k, _)| k.provenance());
        check = Some((probe_test(probe, &inner)?, key_at));
    }
    if let Some(lifecycle) = map(c, "lifecycle", what)? {
        for key in ["postStart", "preStop"] {
            if let Some(handler) = map(lifecycle, key, &format!("{what}lifecycle."))? {
                handler_hosts(handler, &format!("{what}lifecycle.{key}."))?;
            }
        }
    }
    let healthcheck = match check {
        Some((h, at)) => Fact { value: Some(h), at },
        None => Fact {
            value: None,
            at: c.provenance(),
        },
    };
    Ok((healthcheck, hosts))
}

/// A probe as a Docker-style health check test.
fn probe_test(probe: &Node, what: &str) -> Result<Healthcheck> {
    let port = |h: &Node, inner: &str| -> Result<String> {
        Ok(match get(h, "port") {
            None => String::new(),
            Some(_) => match integer(h, "port", inner) {
                Ok(Some((p, _))) => p.to_string(),
                _ => string(h, "port", inner)?.map(|(s, _)| s).unwrap_or_default(),
            },
        })
    };
    let test = if let Some(e) = map(probe, "exec", what)? {
        let command = strings(e, "command", &format!("{what}exec."))?
            .map(|(c, _)| c)
            .unwrap_or_default();
        std::iter::once("CMD".to_string()).chain(command).collect()
    } else if let Some(h) = map(probe, "httpGet", what)? {
        let inner = format!("{what}httpGet.");
        let scheme = string(h, "scheme", &inner)?.map_or_else(|| "http".into(), |(s, _)| s.to_lowercase());
        let host = string(h, "host", &inner)?.map(|(s, _)| s).unwrap_or_default();
        let path = string(h, "path", &inner)?.map(|(s, _)| s).unwrap_or_default();
        vec![
            "HTTP-GET".into(),
            format!("{scheme}://{host}:{}{path}", port(h, &inner)?),
        ]
    } else if let Some(t) = map(probe, "tcpSocket", what)? {
        let inner = format!("{what}tcpSocket.");
        let host = string(t, "host", &inner)?.map(|(s, _)| s).unwrap_or_default();
        vec!["TCP-SOCKET".into(), format!("{host}:{}", port(t, &inner)?)]
    } else if let Some(g) = map(probe, "grpc", what)? {
        vec!["GRPC".into(), port(g, &format!("{what}grpc."))?]
    } else {
        return Err(error(
            probe,
            format!(
                "{}: the probe has no exec, httpGet, tcpSocket or grpc handler",
                what.trim_end_matches('.')
            ),
        ));
    };
    Ok(Healthcheck { test })
}
