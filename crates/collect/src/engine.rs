//! Collects a [`Snapshot`] from a live daemon: one list call, `/info`, and a bounded pool of
//! connections inspecting containers concurrently.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use dockward_model::snapshot::SNAPSHOT_SCHEMA_VERSION;
use dockward_model::{
    ClientFacts, CollectionError, DaemonFacts, Fact, HostFacts, InfoFacts, JoinableNamespace, Observed,
    OverlayNetwork, Snapshot, Sprawl, SwarmFacts, Target, TargetKind, Workload,
};
use serde::Deserialize;

use crate::client::{Client, Connection};
use crate::endpoint::Endpoint;
use crate::error::CollectError;
use crate::host::{daemon_sockets, inspect_mount_sources};
use crate::images::{ImageSelection, SKIPPED_FOR_TIME, collect_images, images_failed};
use crate::inspect::{resolve_joins, workload_from_inspect};
use crate::platform::fs::HostFs;
use crate::platform::{PlatformFacts, collect_platform};

/// What to collect.
#[derive(Clone, Debug)]
pub struct Options {
    /// Include containers in every state, not only running ones.
    pub all: bool,
    /// Only these containers (names or ids); empty means all listed.
    pub containers: Vec<String>,
    /// Maximum number of concurrent inspect connections.
    pub concurrency: usize,
    /// Read the daemon's configuration and host files (only meaningful for a local daemon).
    pub inspect_host: bool,
    /// Where the host's filesystem is mounted (`--host-root`); `None` for `/`.
    pub host_root: Option<std::path::PathBuf>,
    /// Skip inspecting containers (an image-only audit); they are still listed to tell which
    /// images they use.
    pub skip_containers: bool,
    /// Which images to collect.
    pub images: ImageSelection,
    /// Read each collected image's filesystem (`docker save`, streamed).
    pub image_files: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            all: false,
            containers: Vec::new(),
            concurrency: 16,
            inspect_host: true,
            host_root: None,
            skip_containers: false,
            images: ImageSelection::All,
            image_files: true,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedContainer {
    id: String,
    #[serde(default)]
    names: Option<Vec<String>>,
    #[serde(rename = "ImageID", default)]
    image_id: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct ListedImage {
    id: String,
    repo_tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NetworkJson {
    name: String,
    #[serde(default)]
    ingress: bool,
    options: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InfoJson {
    server_version: Option<String>,
    security_options: Option<Vec<String>>,
    driver: Option<String>,
    docker_root_dir: Option<String>,
    logging_driver: Option<String>,
    live_restore_enabled: Option<bool>,
    plugins: Option<InfoPlugins>,
    registry_config: Option<RegistryConfig>,
    experimental_build: Option<bool>,
    swarm: Option<InfoSwarm>,
    cgroup_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InfoPlugins {
    authorization: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RegistryConfig {
    #[serde(rename = "InsecureRegistryCIDRs")]
    insecure_registry_cidrs: Option<Vec<String>>,
    index_configs: Option<BTreeMap<String, IndexConfig>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IndexConfig {
    secure: Option<bool>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct InfoSwarm {
    local_node_state: Option<String>,
    control_available: Option<bool>,
    node_addr: Option<String>,
    managers: Option<u64>,
    nodes: Option<u64>,
    cluster: Option<SwarmCluster>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct SwarmCluster {
    spec: Option<SwarmSpec>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct SwarmSpec {
    encryption_config: Option<EncryptionConfig>,
    #[serde(rename = "CAConfig")]
    ca_config: Option<CaConfig>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct EncryptionConfig {
    auto_lock_managers: Option<bool>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
struct CaConfig {
    node_cert_expiry: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VolumeList {
    volumes: Option<Vec<VolumeJson>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VolumeJson {
    name: String,
    options: Option<BTreeMap<String, String>>,
}

/// A task stopped when its handle is dropped, so an early error return does not leave image
/// archives streaming in the background.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One container to inspect: how to address it and how to name it in errors.
struct Wanted {
    reference: String,
    display: String,
    listed: bool,
}

/// Collects a snapshot. Fails only when the daemon cannot be reached or the container list
/// cannot be read; everything narrower becomes an error entry or a warning in the snapshot.
pub async fn collect_snapshot(client: &Client, options: &Options) -> Result<Snapshot, CollectError> {
    let mut conn = client.connect().await?;
    // A ping first tells "no Docker API here" (e.g. plain HTTP to a TLS port) apart from
    // per-container problems.
    conn.get("/_ping").await?;
    let info_client = client.clone();
    let info_task = tokio::spawn(async move { read_info(&info_client).await });
    // Images (whose archives take longest) are collected beside the containers, on their own
    // connections; one image list serves the image audit and the sprawl counts.
    let mut image_task = {
        let client = client.clone();
        let (selection, files, concurrency) =
            (options.images.clone(), options.image_files, options.concurrency);
        AbortOnDrop(tokio::spawn(async move {
            let mut conn = client.connect().await.map_err(|e| e.to_string())?;
            let listed: Result<Vec<ListedImage>, String> = conn
                .get_json("/images/json")
                .await
                .map_err(|e: CollectError| e.to_string());
            let ids = listed.clone().map(|l| l.into_iter().map(|i| i.id).collect());
            let collected = collect_images(&client, &mut conn, ids, &selection, files, concurrency).await;
            Ok::<_, String>((listed, collected))
        }))
    };

    let all_path = "/containers/json?all=1";
    let path = if options.all { all_path } else { "/containers/json" };
    let listed: Option<Vec<ListedContainer>> = if options.containers.is_empty() {
        Some(list_containers(&mut conn, path).await?)
    } else {
        None
    };
    let wanted: Vec<Wanted> = match &listed {
        _ if options.skip_containers => Vec::new(),
        Some(listed) => listed
            .iter()
            .map(|c| {
                let name = c
                    .names
                    .as_ref()
                    .and_then(|n| n.first())
                    .map(|n| n.trim_start_matches('/').to_string())
                    .unwrap_or_else(|| c.id.chars().take(12).collect());
                Wanted {
                    reference: c.id.clone(),
                    display: name,
                    listed: true,
                }
            })
            .collect(),
        None => options
            .containers
            .iter()
            .map(|c| Wanted {
                reference: c.clone(),
                display: c.clone(),
                listed: false,
            })
            .collect(),
    };

    let (info, info_error) = match info_task.await {
        Ok(Ok(info)) => (Some(info), None),
        Ok(Err(e)) => (None, Some(e.to_string())),
        Err(e) => (None, Some(format!("reading /info failed: {e}"))),
    };
    let host_fs = HostFs::new(options.host_root.clone().unwrap_or_else(|| "/".into()));
    // Host facts are blocking file reads: they run beside the inspections.
    let platform_task = options.inspect_host.then(|| {
        let fs = host_fs.clone();
        let endpoint = client.endpoint().clone();
        let info_facts = info.as_ref().map(|i| i.facts.clone());
        let explicit = options.host_root.is_some();
        tokio::task::spawn_blocking(move || collect_platform(&fs, &endpoint, info_facts.as_ref(), explicit))
    });

    let inspected = inspect_all(client, conn, &wanted, options.concurrency).await;
    let mut containers = Vec::with_capacity(wanted.len());
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (want, result) in wanted.iter().zip(inspected) {
        match result {
            Ok(workload) => {
                // Two selectors can name the same container; audit it once.
                if seen.insert(workload.origin.id().unwrap_or_default().to_string()) {
                    containers.push(workload);
                }
            }
            Err(e) => errors.push(CollectionError {
                target: Target {
                    kind: TargetKind::Container,
                    name: want.display.clone(),
                    id: want.listed.then(|| want.reference.clone()),
                },
                reason: describe_inspect_error(&e, want.listed),
                // A selector the daemon does not know, or that cannot name a container at all.
                named_nothing: !want.listed
                    && (e.status() == Some(404)
                        || !is_container_reference(want.reference.trim_start_matches('/'))),
            }),
        }
    }

    // What was collected so far stays, whatever happens to the daemon now: each later step
    // that cannot reach it says so instead of failing the collection.
    let mut warnings = Vec::new();
    let mut late = client.connect().await.map_err(|e| e.to_string());
    let has_joins = containers.iter().any(|w| {
        JoinableNamespace::ALL
            .iter()
            .any(|ns| w.namespace(*ns).container_reference().is_some())
    });
    if has_joins {
        match &mut late {
            Ok(conn) => {
                let extra = fetch_join_targets(conn, &containers).await;
                resolve_joins(&mut containers, &extra);
            }
            Err(e) => warnings.push(format!(
                "containers that others join (container:NAME) could not be inspected: {e}"
            )),
        }
    }
    if containers
        .iter()
        .any(|w| w.mounts.iter().any(|m| m.kind == "volume"))
    {
        let attached = match &mut late {
            Ok(conn) => attach_volume_devices(conn, &mut containers)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        if let Err(e) = attached {
            warnings.push(format!(
                "volume options could not be read, so host directories behind bind-backed volumes are unknown: {e}"
            ));
        }
    }
    let every_container = match (listed.filter(|_| options.all), &mut late) {
        (Some(listed), _) => Ok(listed),
        (None, Ok(conn)) => list_containers(conn, all_path).await.map_err(|e| e.to_string()),
        (None, Err(e)) => Err(e.clone()),
    };
    // Swarm facts come before waiting for the image archives, which may run to the deadline.
    let swarm_info = info.as_ref().and_then(|i| i.swarm.clone());
    let swarm = match swarm_info {
        Some(s) if s.local_node_state.as_deref() == Some("active") => {
            Some(swarm_facts(late.as_mut().map_err(|e| e.clone()), s).await)
        }
        _ => None,
    };
    let (listed_images, (mut images, image_errors)) = match (&mut image_task.0).await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => (
            Err(e.clone()),
            (
                Vec::new(),
                vec![images_failed(format!("could not list images: {e}"))],
            ),
        ),
        Err(e) => {
            let e = format!("collecting images failed: {e}");
            (Err(e.clone()), (Vec::new(), vec![images_failed(e)]))
        }
    };
    errors.extend(image_errors);
    warnings.extend(skipped_for_time(&images, client.limits().deadline.as_secs()));
    let sprawl = Some(match &every_container {
        Ok(every) => {
            for image in &mut images {
                image.used_by = every
                    .iter()
                    .filter(|c| c.image_id.as_deref() == Some(image.id.as_str()))
                    .filter_map(|c| c.names.as_ref().and_then(|n| n.first()))
                    .map(|name| name.trim_start_matches('/').to_string())
                    .collect();
            }
            sprawl(every, &listed_images)
        }
        Err(e) => Observed::unknown(e.clone()),
    });

    let mut daemon = DaemonFacts {
        endpoint: client.endpoint().to_string(),
        info: info.map(|i| i.facts),
        info_error,
        swarm,
        sprawl,
        ..DaemonFacts::default()
    };
    let (mut host, mut host_error) = (None, None);
    match platform_task {
        Some(task) => {
            let platform = task.await.unwrap_or_else(|e| PlatformFacts {
                config: Err(format!("reading the host failed: {e}")),
                host: Err(format!("reading the host failed: {e}")),
            });
            match platform.config {
                Ok(config) => daemon.config = Some(config),
                Err(e) => daemon.config_error = Some(e),
            }
            match platform.host {
                Ok(facts) => {
                    daemon.sockets = daemon_sockets(&host_fs, client.endpoint(), daemon.config.as_ref());
                    for workload in &mut containers {
                        inspect_mount_sources(&host_fs, workload);
                    }
                    host = Some(facts);
                }
                Err(e) => host_error = Some(e),
            }
        }
        None => {
            let why = "host inspection was turned off".to_string();
            daemon.config_error = Some(why.clone());
            host_error = Some(why);
        }
    }

    Ok(Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        collected_by: concat!("dockward ", env!("CARGO_PKG_VERSION")).to_string(),
        collected_at: now_rfc3339(),
        all_containers: options.all,
        containers_listed: every_container.as_ref().ok().map(|every| every.len() as u64),
        daemon,
        host,
        host_error,
        client: Some(client_facts()),
        containers,
        images,
        errors,
        warnings,
        unreachable: None,
    })
}

/// The warning naming the images whose archives the run had no time for.
fn skipped_for_time(images: &[dockward_model::ImageFacts], deadline: u64) -> Option<String> {
    let skipped: Vec<String> = images
        .iter()
        .filter(|i| {
            matches!(&i.filesystem, Some(Observed::Unknown { reason }) if reason.starts_with(SKIPPED_FOR_TIME))
        })
        .map(|i| i.tags.first().cloned().unwrap_or_else(|| i.display_name()))
        .collect();
    match skipped.len() {
        0 => None,
        n => Some(format!(
            "{n} image archive{} not read, skipped for time (the run's deadline of {deadline} s passed; \
             raise --deadline): {}",
            if n == 1 { "" } else { "s" },
            skipped.join(", ")
        )),
    }
}

/// The client-side settings of the environment dockward runs in.
pub fn client_facts() -> ClientFacts {
    ClientFacts {
        content_trust: std::env::var("DOCKER_CONTENT_TRUST").ok(),
    }
}

/// The facts dockward can still gather when the daemon's API cannot be reached: its
/// configuration and its host, read from files.
pub fn platform_without_api(
    endpoint: &Endpoint,
    options: &Options,
) -> (DaemonFacts, Option<HostFacts>, Option<String>) {
    let mut daemon = DaemonFacts {
        endpoint: endpoint.to_string(),
        ..DaemonFacts::default()
    };
    if !options.inspect_host {
        return (daemon, None, Some("host inspection was turned off".into()));
    }
    let fs = HostFs::new(options.host_root.clone().unwrap_or_else(|| "/".into()));
    let platform = collect_platform(&fs, endpoint, None, options.host_root.is_some());
    match platform.config {
        Ok(config) => daemon.config = Some(config),
        Err(e) => daemon.config_error = Some(e),
    }
    match platform.host {
        Ok(host) => (daemon, Some(host), None),
        Err(e) => (daemon, None, Some(e)),
    }
}

async fn list_containers(conn: &mut Connection, path: &str) -> Result<Vec<ListedContainer>, CollectError> {
    conn.get_json(path).await
}

/// Image and container counts for CIS 6.1 and 6.2.
fn sprawl(every: &[ListedContainer], images: &Result<Vec<ListedImage>, String>) -> Observed<Sprawl> {
    let images = match images {
        Ok(images) => images,
        Err(e) => return Observed::unknown(e.clone()),
    };
    let used: HashSet<&str> = every.iter().filter_map(|c| c.image_id.as_deref()).collect();
    let unused_images = images
        .iter()
        .filter(|i| !used.contains(i.id.as_str()))
        .map(|i| {
            i.repo_tags
                .as_ref()
                .and_then(|tags| tags.iter().find(|t| *t != "<none>:<none>"))
                .cloned()
                .unwrap_or_else(|| i.id.trim_start_matches("sha256:").chars().take(12).collect())
        })
        .collect();
    let stopped = every
        .iter()
        .filter(|c| c.state.as_deref() != Some("running"))
        .count();
    Observed::Known(Fact {
        value: Sprawl {
            images: images.len() as u64,
            unused_images,
            containers: every.len() as u64,
            stopped_containers: stopped as u64,
        },
        at: dockward_model::Provenance::pointer("GET /images/json, GET /containers/json?all=1"),
    })
}

/// Swarm facts of an active node; manager-only facts are unknown on workers.
async fn swarm_facts(conn: Result<&mut Connection, String>, swarm: InfoSwarm) -> SwarmFacts {
    let manager = swarm.control_available.unwrap_or(false);
    let spec = swarm.cluster.and_then(|c| c.spec);
    let not_manager = || "this node is not a swarm manager".to_string();
    let autolock = match spec.as_ref().and_then(|s| s.encryption_config.as_ref()) {
        Some(e) => Observed::Known(Fact::at_pointer(
            e.auto_lock_managers.unwrap_or(false),
            "/info/Swarm/Cluster/Spec/EncryptionConfig/AutoLockManagers",
        )),
        None => Observed::unknown(if manager {
            "the swarm spec has no encryption configuration".into()
        } else {
            not_manager()
        }),
    };
    let node_cert_expiry_ns = match spec
        .as_ref()
        .and_then(|s| s.ca_config.as_ref())
        .and_then(|c| c.node_cert_expiry)
    {
        Some(ns) => Observed::Known(Fact::at_pointer(
            ns,
            "/info/Swarm/Cluster/Spec/CAConfig/NodeCertExpiry",
        )),
        None => Observed::unknown(if manager {
            "the swarm spec has no certificate expiry".into()
        } else {
            not_manager()
        }),
    };
    let (overlay_networks, secrets) = if manager {
        match conn {
            Ok(conn) => (overlay_networks(conn).await, secret_count(conn).await),
            Err(e) => (Observed::unknown(e.clone()), Observed::unknown(e)),
        }
    } else {
        (Observed::unknown(not_manager()), Observed::unknown(not_manager()))
    };
    SwarmFacts {
        manager: Fact::at_pointer(manager, "/info/Swarm/ControlAvailable"),
        node_addr: Fact::at_pointer(swarm.node_addr.unwrap_or_default(), "/info/Swarm/NodeAddr"),
        managers: Fact::at_pointer(swarm.managers.unwrap_or(0), "/info/Swarm/Managers"),
        nodes: Fact::at_pointer(swarm.nodes.unwrap_or(0), "/info/Swarm/Nodes"),
        autolock,
        node_cert_expiry_ns,
        overlay_networks,
        secrets,
    }
}

async fn overlay_networks(conn: &mut Connection) -> Observed<Vec<OverlayNetwork>> {
    // filters={"driver":{"overlay":true}}, percent-encoded.
    let path = "/networks?filters=%7B%22driver%22%3A%7B%22overlay%22%3Atrue%7D%7D";
    let networks: Vec<NetworkJson> = match conn.get_json(path).await {
        Ok(networks) => networks,
        Err(e) => return Observed::unknown(e.to_string()),
    };
    let mut value: Vec<OverlayNetwork> = networks
        .into_iter()
        .map(|n| OverlayNetwork {
            encrypted: n.options.as_ref().is_some_and(|o| o.contains_key("encrypted")),
            name: n.name,
            ingress: n.ingress,
        })
        .collect();
    value.sort_by(|a, b| a.name.cmp(&b.name));
    Observed::Known(Fact::at_pointer(value, "GET /networks (driver overlay)"))
}

async fn secret_count(conn: &mut Connection) -> Observed<u64> {
    match conn.get_json::<Vec<serde_json::Value>>("/secrets").await {
        Ok(secrets) => Observed::Known(Fact::at_pointer(secrets.len() as u64, "GET /secrets")),
        Err(e) => Observed::unknown(e.to_string()),
    }
}

/// The current time as RFC 3339 (UTC, seconds), as snapshots record it.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

fn describe_inspect_error(e: &CollectError, listed: bool) -> String {
    match e.status() {
        Some(404) if listed => "no such container: it was removed after it was listed".into(),
        Some(404) => "no such container".into(),
        _ => e.to_string(),
    }
}

/// `/info` normalized, with its swarm section kept for the swarm collector.
struct InfoRead {
    facts: InfoFacts,
    swarm: Option<InfoSwarm>,
}

async fn read_info(client: &Client) -> Result<InfoRead, CollectError> {
    let mut conn = client.connect().await?;
    let body = conn.get("/info").await?;
    parse_info(&body)
}

/// Normalizes a `GET /info` answer.
pub fn info_from_json(bytes: &[u8]) -> Result<InfoFacts, CollectError> {
    parse_info(bytes).map(|read| read.facts)
}

fn parse_info(bytes: &[u8]) -> Result<InfoRead, CollectError> {
    let info: InfoJson = serde_json::from_slice(bytes).map_err(|source| CollectError::Json {
        what: "GET /info".into(),
        source,
    })?;
    let swarm = info.swarm.clone();
    Ok(InfoRead {
        facts: info_facts(info),
        swarm,
    })
}

fn info_facts(info: InfoJson) -> InfoFacts {
    let registry = info.registry_config;
    let insecure_registries = registry
        .as_ref()
        .and_then(|r| r.index_configs.as_ref())
        .map(|configs| {
            configs
                .iter()
                .filter(|(_, c)| c.secure == Some(false))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    InfoFacts {
        server_version: info.server_version.unwrap_or_default(),
        security_options: Fact::at_pointer(
            info.security_options.unwrap_or_default(),
            "/info/SecurityOptions",
        ),
        driver: Fact::at_pointer(info.driver.unwrap_or_default(), "/info/Driver"),
        docker_root_dir: Fact::at_pointer(info.docker_root_dir.unwrap_or_default(), "/info/DockerRootDir"),
        logging_driver: Fact::at_pointer(info.logging_driver.unwrap_or_default(), "/info/LoggingDriver"),
        live_restore: Fact::at_pointer(
            info.live_restore_enabled.unwrap_or(false),
            "/info/LiveRestoreEnabled",
        ),
        authorization_plugins: Fact::at_pointer(
            info.plugins.and_then(|p| p.authorization).unwrap_or_default(),
            "/info/Plugins/Authorization",
        ),
        insecure_registry_cidrs: Fact::at_pointer(
            registry
                .and_then(|r| r.insecure_registry_cidrs)
                .unwrap_or_default(),
            "/info/RegistryConfig/InsecureRegistryCIDRs",
        ),
        insecure_registries: Fact::at_pointer(insecure_registries, "/info/RegistryConfig/IndexConfigs"),
        experimental: Fact::at_pointer(
            info.experimental_build.unwrap_or(false),
            "/info/ExperimentalBuild",
        ),
        swarm_state: Fact::at_pointer(
            info.swarm.and_then(|s| s.local_node_state).unwrap_or_default(),
            "/info/Swarm/LocalNodeState",
        ),
        cgroup_version: Fact::at_pointer(info.cgroup_version.unwrap_or_default(), "/info/CgroupVersion"),
    }
}

/// Inspects every wanted container over up to `concurrency` connections; results keep the
/// order of `wanted`.
async fn inspect_all(
    client: &Client,
    first: Connection,
    wanted: &[Wanted],
    concurrency: usize,
) -> Vec<Result<Workload, CollectError>> {
    let jobs: Arc<Vec<(String, String)>> = Arc::new(
        wanted
            .iter()
            .map(|w| (w.reference.clone(), format!("container {}", w.display)))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    // Why a worker gave up, for the jobs nobody got to.
    let lost: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let workers = concurrency.clamp(1, jobs.len().max(1));
    let mut tasks = tokio::task::JoinSet::new();
    let mut first = Some(first);
    for _ in 0..workers {
        let jobs = Arc::clone(&jobs);
        let next = Arc::clone(&next);
        let lost = Arc::clone(&lost);
        let client = client.clone();
        let conn = first.take();
        tasks.spawn(async move {
            let mut done = Vec::new();
            let give_up = |e: CollectError| {
                if let Ok(mut lost) = lost.lock() {
                    lost.get_or_insert(e.to_string());
                }
            };
            // A worker that cannot connect leaves its share to the others.
            let mut conn = match conn {
                Some(conn) => conn,
                None => match client.connect().await {
                    Ok(conn) => conn,
                    Err(e) => {
                        give_up(e);
                        return done;
                    }
                },
            };
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((reference, what)) = jobs.get(index) else {
                    break;
                };
                let result = inspect_one(&mut conn, reference, what).await;
                // A request cut off leaves its connection unusable.
                let broken = matches!(
                    result,
                    Err(CollectError::Http { .. }
                        | CollectError::Timeout { .. }
                        | CollectError::Stalled { .. }
                        | CollectError::Deadline { .. }
                        | CollectError::TooLarge { .. })
                );
                done.push((index, result));
                // Past the deadline every further request fails before it is sent.
                if broken && !client.past_deadline() {
                    match client.connect().await {
                        Ok(fresh) => conn = fresh,
                        Err(e) => {
                            give_up(e);
                            break;
                        }
                    }
                }
            }
            done
        });
    }
    let mut results: Vec<Option<Result<Workload, CollectError>>> = (0..jobs.len()).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        // A worker that panicked loses its jobs; they are reported below as errors.
        if let Ok(done) = joined {
            for (index, result) in done {
                results[index] = Some(result);
            }
        }
    }
    let lost = lost
        .lock()
        .ok()
        .and_then(|l| l.clone())
        .unwrap_or_else(|| "an inspecting task failed".into());
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(CollectError::Endpoint(format!(
                    "not inspected: the connection to the daemon was lost: {lost}"
                )))
            })
        })
        .collect()
}

async fn inspect_one(conn: &mut Connection, reference: &str, what: &str) -> Result<Workload, CollectError> {
    let reference = reference.trim_start_matches('/');
    if !is_container_reference(reference) {
        return Err(CollectError::Endpoint(format!(
            "\"{reference}\" is not a valid container name or id"
        )));
    }
    let body = conn.get(&format!("/containers/{reference}/json")).await?;
    workload_from_inspect(&body, what)
}

/// Docker's container name syntax (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`), which ids also satisfy; anything
/// else could not name a container and must not reach the request path.
fn is_container_reference(reference: &str) -> bool {
    let mut chars = reference.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Inspects containers that others join (`container:<name>`) but that were not collected, e.g.
/// stopped ones or ones outside `--container`.
async fn fetch_join_targets(conn: &mut Connection, containers: &[Workload]) -> Vec<Workload> {
    let known: HashSet<&str> = containers
        .iter()
        .flat_map(|w| [w.origin.name(), w.origin.id().unwrap_or_default()])
        .collect();
    let mut wanted: Vec<String> = containers
        .iter()
        .flat_map(|w| JoinableNamespace::ALL.map(|ns| w.namespace(ns)))
        .filter_map(|ns| ns.container_reference())
        .filter(|r| !known.contains(r) && !known.iter().any(|k| k.len() == 64 && k.starts_with(r)))
        .map(str::to_string)
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut extra = Vec::new();
    let mut index = 0;
    // Targets can themselves join further containers; follow them, bounded.
    while index < wanted.len() && index < 64 {
        let reference = wanted[index].clone();
        index += 1;
        if let Ok(workload) = inspect_one(conn, &reference, &format!("container {reference}")).await {
            for further in JoinableNamespace::ALL
                .map(|ns| workload.namespace(ns))
                .into_iter()
                .filter_map(|ns| ns.container_reference())
            {
                if !wanted.iter().any(|w| w == further) && !known.contains(further) {
                    wanted.push(further.to_string());
                }
            }
            extra.push(workload);
        }
    }
    extra
}

/// Fills `bind_device` for local volumes created with `o=bind,device=PATH`.
async fn attach_volume_devices(
    conn: &mut Connection,
    containers: &mut [Workload],
) -> Result<(), CollectError> {
    let list: VolumeList = conn.get_json("/volumes").await?;
    let devices: BTreeMap<String, String> = list
        .volumes
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| {
            let device = crate::inspect::volume_bind_device(v.options.as_ref()?)?.clone();
            Some((v.name, device))
        })
        .collect();
    for mount in containers.iter_mut().flat_map(|w| w.mounts.iter_mut()) {
        if mount.kind == "volume" {
            mount.bind_device = devices.get(&mount.source).cloned();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{info_from_json, is_container_reference};

    #[test]
    fn info_reads_the_cgroup_version() {
        let info = info_from_json(br#"{"ServerVersion":"20.10.24","CgroupVersion":"1"}"#).unwrap();
        assert_eq!(info.cgroup_version.value, "1");
        assert_eq!(info.cgroup_version.at.to_string(), "/info/CgroupVersion");
        // Daemons before 20.10 do not report it: empty, which rules read as unknown.
        let old = info_from_json(br#"{"ServerVersion":"19.03.15"}"#).unwrap();
        assert_eq!(old.cgroup_version.value, "");
    }

    #[test]
    fn only_docker_names_and_ids_are_references() {
        assert!(is_container_reference("web-1.a_b"));
        assert!(is_container_reference("aee7af0743fb"));
        assert!(!is_container_reference("../x"));
        assert!(!is_container_reference(".hidden"));
        assert!(!is_container_reference("a b"));
        assert!(!is_container_reference(""));
    }
}
