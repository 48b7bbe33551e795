//! Facts about an image: its configuration and history from the API, and what its filesystem
//! holds (read from `docker save` output, layers applied in order with whiteouts).

use serde::{Deserialize, Serialize};

use crate::fact::Fact;
use crate::host::Observed;
use crate::workload::Healthcheck;

/// One image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFacts {
    /// Image id (`sha256:…`).
    pub id: String,
    /// Repository tags (`name:tag`), possibly none.
    pub tags: Vec<String>,
    /// Names of the containers (in any state) created from it.
    pub used_by: Vec<String>,
    /// `Config.User`.
    pub user: Fact<String>,
    /// `Config.Healthcheck`.
    pub healthcheck: Fact<Option<Healthcheck>>,
    /// `Config.Env` (`NAME=value`).
    pub env: Fact<Vec<String>>,
    /// `Config.ExposedPorts` keys (`22/tcp`).
    pub exposed_ports: Fact<Vec<String>>,
    /// `GET /images/{id}/history`, oldest first.
    pub history: Observed<Vec<HistoryEntry>>,
    /// How many of the oldest history entries come from a base image that is also on the
    /// daemon (its history is a prefix of this one): those steps are the base's, not this
    /// image's build. 0 when no base image is known.
    #[serde(default)]
    pub base_history: usize,
    /// The tag of that base image, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image: Option<String>,
    /// What the filesystem holds; `None` when it was not read (`--no-image-files`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filesystem: Option<Observed<ImageFilesystem>>,
}

impl ImageFacts {
    /// A name for people: the first tag, else the short id.
    pub fn display_name(&self) -> String {
        self.tags
            .first()
            .cloned()
            .unwrap_or_else(|| self.id.trim_start_matches("sha256:").chars().take(12).collect())
    }
}

/// One history entry: the instruction that made a layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// `CreatedBy`, e.g. `/bin/sh -c #(nop) ADD file:… in /` or `RUN /bin/sh -c apt-get update # buildkit`.
    pub created_by: String,
    /// Whether the step made no filesystem layer (`ENV`, `USER` …).
    pub empty_layer: bool,
}

/// What dockward found in the image's merged filesystem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFilesystem {
    /// Number of layers read.
    pub layers: usize,
    /// Files in the merged filesystem.
    pub files: u64,
    /// Regular files with the setuid or setgid bit.
    pub setuid_files: Vec<ImageFile>,
    /// Private keys and credential files.
    pub secret_files: Vec<SecretFile>,
}

/// A file in the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFile {
    /// Absolute path in the image.
    pub path: String,
    /// Permission bits including setuid, setgid and sticky.
    pub mode: u32,
    /// Index of the layer that added it (0 is the bottom layer).
    pub layer: usize,
}

/// A file that holds, or looks like it holds, a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFile {
    /// Absolute path in the image.
    pub path: String,
    /// What it is: `private key`, `AWS credentials`, `Docker registry credentials` …
    pub kind: String,
    /// Index of the layer that added it.
    pub layer: usize,
}
