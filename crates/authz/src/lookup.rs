//! What a request refers to, looked up through the daemon and on the host before the rules
//! judge it: the image's user, containers whose namespaces or volumes it takes, named volumes
//! backed by host directories, the daemon's data root, and where host paths really lead.
//!
//! Every lookup is a GET (which the plugin allows at once, so dockerd's nested authorization of
//! the lookup cannot wait on the decision that made it), bounded by a timeout. A lookup that
//! fails makes the request unjudgeable: it is denied with the reason (fail closed). A target
//! that does not exist (an image not pulled yet, a container already removed) is not a failure:
//! the request is judged with what is known, and the decision says so; dockerd refuses such a
//! request anyway.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dockward_collect::client::Connection;
use dockward_collect::inspect::{resolve_joins, volume_bind_device, workload_from_inspect};
use dockward_collect::platform::config::daemon_config;
use dockward_collect::platform::fs::HostFs;
use dockward_collect::platform::process::find_daemon;
use dockward_collect::{Client, CollectError, Endpoint, Limits};
use dockward_model::{Action, ApiRequest, DaemonFacts, Fact, JoinableNamespace, Mount, Workload};
use serde::Deserialize;

use dockward_rules::profile::Profile;

/// How long the daemon facts (`/info`) are kept.
const INFO_TTL: Duration = Duration::from_secs(30);
/// How long an image's user is kept: tags move, so not long.
const IMAGE_TTL: Duration = Duration::from_secs(10);
/// How long a volume's options are kept.
const VOLUME_TTL: Duration = Duration::from_secs(5);
/// Entries per cache before it is emptied (a crude bound; the caches only save round trips).
const CACHE_ENTRIES: usize = 512;
/// Containers followed through `container:` joins, per request.
const MAX_JOIN_TARGETS: usize = 16;

/// Where and how lookups are made.
#[derive(Clone, Debug)]
pub struct LookupConfig {
    /// The daemon to ask.
    pub endpoint: Endpoint,
    /// How long one lookup may take.
    pub timeout: Duration,
    /// Where the host's `/` is (`--host-root`).
    pub host_root: PathBuf,
}

/// What the lookups found that the decision should mention.
#[derive(Clone, Debug, Default)]
pub struct Resolution {
    /// Facts about the daemon, for the rules' context.
    pub daemon: Arc<DaemonFacts>,
    /// Things that were looked for and do not exist, e.g. "image x is not on the daemon".
    pub notes: Vec<String>,
}

/// User name → uid, from an image's `/etc/passwd`.
type Users = Arc<HashMap<String, u32>>;

#[derive(Default)]
struct Caches {
    info: Option<(Instant, Arc<DaemonFacts>)>,
    /// Image reference → what its inspect says, or `None` when there is no such image.
    images: HashMap<String, (Instant, Option<ImageInfo>)>,
    /// Image id → user name → uid from its `/etc/passwd` (`None`: the image has none). Ids
    /// name immutable contents, so these stay until the cache is full or SIGHUP.
    passwd: HashMap<String, (Instant, Option<Users>)>,
    /// Volume name → the host directory it binds, or `None` (no such volume, or not a bind).
    volumes: HashMap<String, (Instant, Option<String>)>,
}

/// Looks things up for requests; shared by every connection.
pub struct Lookups {
    config: LookupConfig,
    host: Mutex<Arc<HostFs>>,
    caches: Mutex<Caches>,
}

/// Why a lookup failed: the request cannot be judged.
type Failure = String;

/// One decision's connection to the daemon, opened when first needed.
struct Session<'a> {
    lookups: &'a Lookups,
    client: Option<Client>,
    conn: Option<Connection>,
}

enum Got<T> {
    Found(T),
    Missing,
}

impl Session<'_> {
    /// The decision's client (its deadline bounds every lookup of the decision).
    fn client(&mut self) -> Result<Client, CollectError> {
        if let Some(client) = &self.client {
            return Ok(client.clone());
        }
        let timeout = self.lookups.config.timeout;
        let client = Client::with_limits(
            self.lookups.config.endpoint.clone(),
            Limits {
                timeout,
                deadline: timeout.saturating_mul(2),
                ..Limits::default()
            },
        )?;
        self.client = Some(client.clone());
        Ok(client)
    }

    async fn get(&mut self, path: &str) -> Result<Got<bytes::Bytes>, Failure> {
        if self.conn.is_none() {
            let client = self.client().map_err(|e| describe(&e))?;
            self.conn = Some(client.connect().await.map_err(|e| describe(&e))?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err("no connection to the daemon".into());
        };
        match conn.get(path).await {
            Ok(body) => Ok(Got::Found(body)),
            Err(CollectError::Api { status: 404, .. }) => Ok(Got::Missing),
            Err(e) => {
                // The connection may be unusable after an error; open a new one next time.
                self.conn = None;
                Err(describe(&e))
            }
        }
    }
}

fn describe(e: &CollectError) -> String {
    format!("a lookup through the daemon failed: {e}")
}

/// Docker's container and volume name syntax, which ids also satisfy; nothing else may reach a
/// lookup's path.
fn is_object_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// An image reference that can be put in a path as it is (`name[:tag][@digest]`, an id).
fn is_image_reference(reference: &str) -> bool {
    !reference.is_empty()
        && !reference.contains("..")
        && !reference.starts_with('/')
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | ':' | '@'))
}

#[derive(Deserialize)]
struct ImageJson {
    #[serde(rename = "Id")]
    id: String,
    #[serde(rename = "Size", default)]
    size: u64,
    #[serde(rename = "Config")]
    config: Option<ImageConfigJson>,
}

/// The parts of an image's inspect the lookups use.
#[derive(Clone, Debug)]
struct ImageInfo {
    id: String,
    size: u64,
    user: String,
}

/// The longest an image export for its `/etc/passwd` may take.
pub const MAX_EXPORT_TIME: Duration = Duration::from_secs(120);

/// How long an image's user table is kept.
const PASSWD_TTL: Duration = Duration::from_secs(24 * 3600);

/// The user name of `user` (`name[:group]`) when it is a name other than `root`: only such a
/// name needs the image's `/etc/passwd` to tell whether it is uid 0.
fn name_needing_uid(user: &str) -> Option<&str> {
    let name = user.trim().split(':').next().unwrap_or("");
    (!name.is_empty() && name != "root" && name.parse::<u64>().is_err()).then_some(name)
}

#[derive(Deserialize)]
struct ImageConfigJson {
    #[serde(rename = "User")]
    user: Option<String>,
}

#[derive(Deserialize)]
struct VolumeJson {
    #[serde(rename = "Options")]
    options: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct ContainerJson {
    #[serde(rename = "Image", default)]
    image: String,
    #[serde(rename = "Config")]
    config: Option<ImageConfigJson>,
}

fn fresh<T: Clone>(entry: Option<&(Instant, T)>, ttl: Duration) -> Option<T> {
    entry.filter(|(at, _)| at.elapsed() < ttl).map(|(_, v)| v.clone())
}

fn remember<T>(map: &mut HashMap<String, (Instant, T)>, key: &str, value: T) {
    if map.len() >= CACHE_ENTRIES {
        map.clear();
    }
    map.insert(key.to_string(), (Instant::now(), value));
}

impl Lookups {
    /// Lookups through `config.endpoint`, with the host at `config.host_root`.
    pub fn new(config: LookupConfig) -> Self {
        let host = Arc::new(HostFs::new(&config.host_root));
        Lookups {
            config,
            host: Mutex::new(host),
            caches: Mutex::new(Caches::default()),
        }
    }

    /// The daemon lookups go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.config.endpoint
    }

    /// Forgets every cached answer and reads the host's user tables again (SIGHUP).
    pub fn clear(&self) {
        if let Ok(mut caches) = self.caches.lock() {
            *caches = Caches::default();
        }
        if let Ok(mut host) = self.host.lock() {
            *host = Arc::new(HostFs::new(&self.config.host_root));
        }
    }

    fn host(&self) -> Arc<HostFs> {
        match self.host.lock() {
            Ok(host) => Arc::clone(&host),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn caches(&self) -> std::sync::MutexGuard<'_, Caches> {
        match self.caches.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Fills in what `request` refers to. `Err` is the reason the request cannot be judged.
    /// `rules` are the settings the decision is judged with (`rules.profile` the profile in
    /// force): lookups that only some rules need happen when those rules are selected.
    pub async fn resolve(
        &self,
        request: &mut ApiRequest,
        rules: &dockward_rules::Settings,
    ) -> Result<Resolution, String> {
        let profile = rules.profile.unwrap_or(Profile::Baseline);
        let selects =
            |id: &str| dockward_rules::find(id).is_some_and(|rule| rules.selects_under(Some(profile), rule));
        let (needs_image_user, needs_exec_user) = (selects("CT0001"), selects("RQ0002"));
        let mut session = Session {
            lookups: self,
            client: None,
            conn: None,
        };
        let mut notes = Vec::new();
        let needs_daemon = matches!(
            request.action,
            Action::Container(_) | Action::Service(_) | Action::Volume(_)
        );
        match &mut request.action {
            Action::Container(workload) | Action::Service(workload) => {
                self.workload(&mut session, workload, needs_image_user, &mut notes)
                    .await?;
            }
            Action::Volume(workload) => {
                self.host_paths(workload);
            }
            // The exec user matters to exec-as-root only.
            Action::Exec(exec) if needs_exec_user => {
                self.exec_user(&mut session, exec, &mut notes).await?;
            }
            _ => {}
        }
        let daemon = if needs_daemon {
            self.daemon_facts(&mut session).await?
        } else {
            Arc::new(DaemonFacts {
                endpoint: self.config.endpoint.to_string(),
                info_error: Some("not looked up: this request does not need the daemon's facts".into()),
                ..DaemonFacts::default()
            })
        };
        Ok(Resolution { daemon, notes })
    }

    /// The daemon's facts (`/info`: data root, cgroup version, security options; its sockets on
    /// the host), cached for [`INFO_TTL`].
    async fn daemon_facts(&self, session: &mut Session<'_>) -> Result<Arc<DaemonFacts>, Failure> {
        if let Some(facts) = fresh(self.caches().info.as_ref(), INFO_TTL) {
            return Ok(facts);
        }
        let body = match session.get("/info").await? {
            Got::Found(body) => body,
            Got::Missing => return Err("the daemon has no /info endpoint".into()),
        };
        let info = dockward_collect::info_from_json(&body)
            .map_err(|e| format!("the daemon's /info is not understood: {e}"))?;
        // The daemon's own configuration (command line, daemon.json) decides its defaults
        // (no-new-privileges, the cgroup namespace mode ...): read as the audit reads it, so
        // both judge a container alike. File reads, off the async threads.
        let host = self.host();
        let endpoint = self.config.endpoint.clone();
        let seen = info.clone();
        let (config, sockets) = tokio::task::spawn_blocking(move || {
            let config =
                find_daemon(&host, &endpoint).and_then(|found| daemon_config(&host, &found, Some(&seen)));
            let sockets = dockward_collect::daemon_sockets(&host, &endpoint, config.as_ref().ok());
            (config, sockets)
        })
        .await
        .map_err(|e| format!("reading the daemon's configuration failed: {e}"))?;
        let (config, config_error) = match config {
            Ok(config) => (Some(config), None),
            Err(why) => (None, Some(why)),
        };
        let facts = Arc::new(DaemonFacts {
            endpoint: self.config.endpoint.to_string(),
            info: Some(info),
            sockets,
            config,
            config_error,
            ..DaemonFacts::default()
        });
        self.caches().info = Some((Instant::now(), Arc::clone(&facts)));
        Ok(facts)
    }

    async fn workload(
        &self,
        session: &mut Session<'_>,
        workload: &mut Workload,
        needs_image_user: bool,
        notes: &mut Vec<String>,
    ) -> Result<(), Failure> {
        // A started container's user already includes its image's USER.
        let started = self.started_container(session, workload, notes).await?;
        self.joins(session, workload, notes).await?;
        self.volumes_from(session, workload, notes).await?;
        self.named_volumes(session, workload).await?;
        self.host_paths(workload);
        // The image's user matters to runs-as-root only.
        if needs_image_user {
            self.image_user(session, workload, !started, notes).await?;
        }
        Ok(())
    }

    /// A legacy start (API < 1.24) applies its HostConfig to an existing container, which keeps
    /// its own image, user and health check: the request leaves them unknown, and they are
    /// read from the container.
    async fn started_container(
        &self,
        session: &mut Session<'_>,
        workload: &mut Workload,
        notes: &mut Vec<String>,
    ) -> Result<bool, Failure> {
        const KEPT: [&str; 3] = ["/Config/Image", "/Config/User", "/Config/Healthcheck"];
        if !KEPT.iter().any(|p| workload.unknown.contains_key(*p)) {
            return Ok(false);
        }
        let id = workload.origin.name().to_string();
        if !is_object_name(&id) {
            return Ok(false);
        }
        match session.get(&format!("/containers/{id}/json")).await? {
            Got::Missing => {
                notes.push(format!("container {id} does not exist"));
                return Ok(false);
            }
            Got::Found(body) => {
                let existing = workload_from_inspect(&body, &format!("container {id}"))
                    .map_err(|e| format!("the daemon's inspect of container {id} is not understood: {e}"))?;
                let at = |pointer: &str| format!("container {id}: {pointer}");
                workload.image = Fact::at_pointer(existing.image.value, at("/Config/Image"));
                workload.user = Fact::at_pointer(existing.user.value, at("/Config/User"));
                workload.healthcheck =
                    Fact::at_pointer(existing.healthcheck.value, at("/Config/Healthcheck"));
                for pointer in KEPT {
                    if !existing.unknown.contains_key(pointer) {
                        workload.unknown.remove(pointer);
                    }
                }
            }
        }
        Ok(true)
    }

    /// Resolves `container:<name>` namespace modes to the container that owns the namespace,
    /// following chains, as the audit does for running containers.
    async fn joins(
        &self,
        session: &mut Session<'_>,
        workload: &mut Workload,
        notes: &mut Vec<String>,
    ) -> Result<(), Failure> {
        let mut wanted: Vec<String> = JoinableNamespace::ALL
            .iter()
            .filter_map(|ns| workload.namespace(*ns).container_reference())
            .map(str::to_string)
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        wanted.dedup();
        let mut targets: Vec<Workload> = Vec::new();
        let mut index = 0;
        while index < wanted.len() && index < MAX_JOIN_TARGETS {
            let reference = wanted[index].clone();
            index += 1;
            if !is_object_name(&reference) {
                notes.push(format!("\"{reference}\" cannot name a container"));
                continue;
            }
            match session.get(&format!("/containers/{reference}/json")).await? {
                Got::Missing => notes.push(format!("container {reference} to join does not exist")),
                Got::Found(body) => {
                    let target =
                        workload_from_inspect(&body, &format!("container {reference}")).map_err(|e| {
                            format!("the daemon's inspect of container {reference} is not understood: {e}")
                        })?;
                    for ns in JoinableNamespace::ALL {
                        if let Some(further) = target.namespace(ns).container_reference()
                            && !wanted.iter().any(|w| w == further)
                        {
                            wanted.push(further.to_string());
                        }
                    }
                    targets.push(target);
                }
            }
        }
        resolve_joins(std::slice::from_mut(workload), &targets);
        Ok(())
    }

    /// Adds the mounts of the containers named in `VolumesFrom`: the new container gets them.
    async fn volumes_from(
        &self,
        session: &mut Session<'_>,
        workload: &mut Workload,
        notes: &mut Vec<String>,
    ) -> Result<(), Failure> {
        let entries = workload.volumes_from.value.clone();
        for (index, entry) in entries.iter().enumerate() {
            // `name[:ro|rw]`
            let (reference, mode) = entry.split_once(':').unwrap_or((entry.as_str(), ""));
            if !is_object_name(reference) {
                notes.push(format!("VolumesFrom \"{entry}\" cannot name a container"));
                continue;
            }
            match session.get(&format!("/containers/{reference}/json")).await? {
                Got::Missing => notes.push(format!("container {reference} in VolumesFrom does not exist")),
                Got::Found(body) => {
                    let other =
                        workload_from_inspect(&body, &format!("container {reference}")).map_err(|e| {
                            format!("the daemon's inspect of container {reference} is not understood: {e}")
                        })?;
                    let at = format!("/HostConfig/VolumesFrom/{index}");
                    for mount in other.mounts {
                        workload.mounts.push(Mount {
                            read_only: mount.read_only || mode == "ro",
                            at: dockward_model::Provenance::pointer(at.clone()),
                            ..mount
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Fills `bind_device` for named volumes that already exist and bind a host directory
    /// (`local` driver, `o=bind`, `device=PATH`): mounting one mounts that directory.
    async fn named_volumes(&self, session: &mut Session<'_>, workload: &mut Workload) -> Result<(), Failure> {
        let mut extra = Vec::new();
        for mount in &mut workload.mounts {
            if mount.kind != "volume" || !is_object_name(&mount.source) {
                continue;
            }
            let device = self.volume_device(session, &mount.source).await?;
            match (&mount.bind_device, device) {
                (None, device) => mount.bind_device = device,
                // The request's own driver options and an existing volume both bind: judge both.
                (Some(inline), Some(device)) if *inline != device => {
                    extra.push(Mount {
                        bind_device: Some(device),
                        ..mount.clone()
                    });
                }
                _ => {}
            }
        }
        workload.mounts.extend(extra);
        Ok(())
    }

    async fn volume_device(&self, session: &mut Session<'_>, name: &str) -> Result<Option<String>, Failure> {
        if let Some(device) = fresh(self.caches().volumes.get(name), VOLUME_TTL) {
            return Ok(device);
        }
        let device = match session.get(&format!("/volumes/{name}")).await? {
            Got::Missing => None,
            Got::Found(body) => {
                let volume: VolumeJson = serde_json::from_slice(&body)
                    .map_err(|e| format!("the daemon's answer about volume {name} is not understood: {e}"))?;
                volume.options.as_ref().and_then(volume_bind_device).cloned()
            }
        };
        remember(&mut self.caches().volumes, name, device.clone());
        Ok(device)
    }

    /// Resolves every host path on the host (symbolic links, `..`) and notes sockets.
    fn host_paths(&self, workload: &mut Workload) {
        dockward_collect::inspect_mount_sources(&self.host(), workload);
    }

    /// What the image's inspect says, cached for [`IMAGE_TTL`]; `None` when there is no such
    /// image.
    async fn image_info(
        &self,
        session: &mut Session<'_>,
        reference: &str,
    ) -> Result<Option<ImageInfo>, Failure> {
        if let Some(info) = fresh(self.caches().images.get(reference), IMAGE_TTL) {
            return Ok(info);
        }
        let info = match session.get(&format!("/images/{reference}/json")).await? {
            Got::Missing => None,
            Got::Found(body) => {
                let image: ImageJson = serde_json::from_slice(&body).map_err(|e| {
                    format!("the daemon's inspect of image {reference} is not understood: {e}")
                })?;
                Some(ImageInfo {
                    id: image.id,
                    size: image.size,
                    user: image.config.and_then(|c| c.user).unwrap_or_default(),
                })
            }
        };
        remember(&mut self.caches().images, reference, info.clone());
        Ok(info)
    }

    /// The uid of each user name in the image's `/etc/passwd`, read from the image's archive
    /// (`GET /images/{id}/get`, streamed through the archive scanner), cached by image id.
    async fn image_users(&self, image: &ImageInfo) -> Result<Option<Arc<HashMap<String, u32>>>, Failure> {
        if let Some(users) = fresh(self.caches().passwd.get(&image.id), PASSWD_TTL) {
            return Ok(users);
        }
        // Its own client: exporting an image takes as long as the daemon needs to write it
        // (Engine 20.10 writes the whole archive before the first byte), bounded.
        let timeout = self.config.timeout;
        let limits = Limits {
            timeout,
            ..Limits::default()
        };
        let deadline = limits
            .archive_first_byte(image.size)
            .saturating_add(timeout)
            .min(MAX_EXPORT_TIME);
        let client = Client::with_limits(self.config.endpoint.clone(), Limits { deadline, ..limits })
            .map_err(|e| describe(&e))?;
        let passwd = dockward_collect::image_passwd(&client, &image.id, image.size)
            .await
            .map_err(|e| format!("the image's /etc/passwd could not be read: {e}"))?;
        let users = passwd.map(|bytes| {
            let text = String::from_utf8_lossy(&bytes);
            Arc::new(
                dockward_collect::parse::procfs::parse_passwd(&text)
                    .into_iter()
                    .map(|entry| (entry.name, entry.uid))
                    .collect::<HashMap<_, _>>(),
            )
        });
        remember(&mut self.caches().passwd, &image.id, users.clone());
        Ok(users)
    }

    /// The uid a user name stands for in an image; `None` (with a note) when the image does
    /// not list it.
    async fn uid_of(
        &self,
        image: &ImageInfo,
        image_name: &str,
        name: &str,
        notes: &mut Vec<String>,
    ) -> Result<Option<u32>, Failure> {
        match self.image_users(image).await? {
            None => {
                notes.push(format!(
                    "image {image_name} has no /etc/passwd, so user {name} cannot be resolved"
                ));
                Ok(None)
            }
            Some(users) => match users.get(name) {
                Some(uid) => Ok(Some(*uid)),
                None => {
                    notes.push(format!(
                        "user {name} is not in the /etc/passwd of image {image_name}"
                    ));
                    Ok(None)
                }
            },
        }
    }

    /// The image's `USER` when the request leaves `User` empty (and `fill_user`), and the uid of
    /// a user name.
    async fn image_user(
        &self,
        session: &mut Session<'_>,
        workload: &mut Workload,
        fill_user: bool,
        notes: &mut Vec<String>,
    ) -> Result<(), Failure> {
        let needs_user = fill_user && workload.user.value.is_empty();
        let needs_uid = name_needing_uid(&workload.user.value).is_some();
        if !needs_user && !needs_uid {
            return Ok(());
        }
        let reference = workload.image.value.clone();
        if !is_image_reference(&reference) {
            notes.push(format!(
                "image \"{reference}\" is not a reference dockward can look up"
            ));
            return Ok(());
        }
        let Some(image) = self.image_info(session, &reference).await? else {
            notes.push(format!(
                "image {reference} is not on the daemon, so the user it runs as is unknown"
            ));
            return Ok(());
        };
        if needs_user {
            workload.user = Fact::at_pointer(image.user.clone(), format!("image {reference}: /Config/User"));
        }
        if let Some(name) = name_needing_uid(&workload.user.value).map(str::to_string)
            && let Some(uid) = self.uid_of(&image, &reference, &name, notes).await?
        {
            workload.user_uid = Some(Fact::at_pointer(uid, format!("image {reference}: /etc/passwd")));
        }
        Ok(())
    }

    /// For `exec` under restricted: the user an exec without `User` inherits (the container's
    /// `Config.User`), and the uid of a user name in the container's image.
    async fn exec_user(
        &self,
        session: &mut Session<'_>,
        exec: &mut dockward_model::ExecSpec,
        notes: &mut Vec<String>,
    ) -> Result<(), Failure> {
        let needs_user = exec.user.value.is_empty();
        if !needs_user && name_needing_uid(&exec.user.value).is_none() {
            return Ok(());
        }
        if !is_object_name(&exec.container) {
            return Ok(());
        }
        let doc: ContainerJson = match session
            .get(&format!("/containers/{}/json", exec.container))
            .await?
        {
            Got::Missing => {
                notes.push(format!("container {} does not exist", exec.container));
                return Ok(());
            }
            Got::Found(body) => serde_json::from_slice(&body).map_err(|e| {
                format!(
                    "the daemon's inspect of container {} is not understood: {e}",
                    exec.container
                )
            })?,
        };
        let container_user = doc.config.and_then(|c| c.user).unwrap_or_default();
        let effective = if needs_user {
            container_user.clone()
        } else {
            exec.user.value.clone()
        };
        if needs_user {
            exec.container_user = Some(container_user);
        }
        if let Some(name) = name_needing_uid(&effective).map(str::to_string)
            && is_image_reference(&doc.image)
            && let Some(image) = self.image_info(session, &doc.image).await?
        {
            exec.user_uid = self.uid_of(&image, &doc.image, &name, notes).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_reach_lookup_paths() {
        assert!(is_object_name("web-1.a_b"));
        assert!(!is_object_name("../x"));
        assert!(!is_object_name("a?b"));
        assert!(is_image_reference("registry:5000/team/app:1.2@sha256:ab"));
        assert!(!is_image_reference("a/../../containers/x"));
        assert!(!is_image_reference("a?b"));
        assert!(!is_image_reference(""));
    }
}
