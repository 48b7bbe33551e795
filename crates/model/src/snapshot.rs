//! `Snapshot`: everything collected from one Docker host, serializable for offline audits.

use serde::{Deserialize, Serialize};

use crate::daemon::DaemonFacts;
use crate::host::HostFacts;
use crate::result::Target;
use crate::workload::Workload;

/// The version of the snapshot format. Bumped only when a change is not an addition.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// The facts of one host, as `dockward collect` writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version, [`SNAPSHOT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// dockward version that collected the facts.
    pub collected_by: String,
    /// When the facts were collected (RFC 3339, UTC).
    pub collected_at: String,
    /// Whether containers in every state were collected (the default) or only running ones
    /// (`--running`).
    pub all_containers: bool,
    /// How many containers the daemon listed, in every state; `None` when unknown (the list
    /// could not be read, or an older snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers_listed: Option<u64>,
    /// Daemon facts.
    pub daemon: DaemonFacts,
    /// Facts about the host the daemon runs on; `None` when the host could not be read (e.g. a
    /// remote daemon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<HostFacts>,
    /// Why the host could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_error: Option<String>,
    /// The environment of the Docker client side (dockward's own process).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientFacts>,
    /// Containers, in list order.
    pub containers: Vec<Workload>,
    /// Images: those the containers use and the others on the daemon (or only the one asked for
    /// with `--image`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<crate::image::ImageFacts>,
    /// Objects that could not be collected, with the reason.
    #[serde(default)]
    pub errors: Vec<CollectionError>,
    /// Gaps in collection that did not stop it, e.g. volume options that could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Set when the daemon could not be reached at all: the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
}

/// Client-side settings, read from the environment dockward runs in (which, like the `docker`
/// CLI's, decides how images are pulled).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientFacts {
    /// `DOCKER_CONTENT_TRUST`, `None` when unset.
    pub content_trust: Option<String>,
}

/// An object that could not be collected: every rule on it is reported as `error`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionError {
    /// The object.
    pub target: Target,
    /// Why it could not be collected.
    pub reason: String,
    /// The person named the object (`-c NAME`, `--image REF`) and there is no such object: a
    /// bad argument rather than a fault of the daemon.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub named_nothing: bool,
}
