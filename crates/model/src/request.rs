//! An Engine API request as the authorization plugin or the proxy sees it, normalized.
//!
//! The request parser (in `dockward-collect`) turns the raw method, URI and body into an
//! [`ApiRequest`]; the plugin looks up what the request refers to (the image's user, a joined
//! container, a named volume) and fills it in; the rules judge the result. A request that would
//! create or change a container carries a [`Workload`], so the container rules judge it exactly
//! as they judge a running container.

use serde::{Deserialize, Serialize};

use crate::fact::Fact;
use crate::workload::Workload;

/// One Engine API request, normalized the way dockerd routes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// The path dockerd routes on: percent-decoded, cleaned, without the `/vX.Y` prefix and the
    /// query, e.g. `/containers/create`.
    pub path: String,
    /// The API version of the URI's `/vX.Y[.Z]` prefix, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Query parameters, decoded, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    /// The authenticated user (TLS client certificate), when the daemon reports one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// What the request does.
    pub action: Action,
}

impl ApiRequest {
    /// `METHOD /path`, e.g. `POST /containers/create`.
    pub fn route(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The last value of a query parameter.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What a request does, by route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// A read (`GET`, `HEAD`): always allowed.
    Read,
    /// Creates a container, or reconfigures one (a legacy `start` with a HostConfig body).
    Container(Box<Workload>),
    /// Creates or updates a swarm service: its task template's container.
    Service(Box<Workload>),
    /// Creates a volume: one volume mount, judged by the mount rules only.
    Volume(Box<Workload>),
    /// Creates an exec instance in a container.
    Exec(ExecSpec),
    /// Changes a container's resources (`POST /containers/{id}/update`).
    Update(ResourceUpdate),
    /// A classic build (`POST /build`): its options are in the query.
    Build(BuildSpec),
    /// A BuildKit session or gRPC stream (`/session`, `/grpc`): what flows inside is not
    /// authorized by dockerd.
    BuildKit,
    /// Changes plugins (`POST /plugins/...`, `DELETE /plugins/...`).
    Plugin(PluginChange),
    /// A known state-changing route that needs no judging (pull, stop, remove, logs, exec start).
    Allowed,
    /// A state-changing route dockward does not know.
    Unknown,
}

/// An exec instance to create (`POST /containers/{id}/exec`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecSpec {
    /// The container, as named in the route.
    pub container: String,
    /// `Privileged`.
    pub privileged: Fact<bool>,
    /// `User`; empty means the container's user.
    pub user: Fact<String>,
    /// The container's effective user (its `Config.User`, which includes the image's `USER`),
    /// when the plugin looked it up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_user: Option<String>,
    /// The uid the effective user *name* maps to in the container's image, when looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_uid: Option<u32>,
}

/// A resource update (`POST /containers/{id}/update`); `None` fields are left unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceUpdate {
    /// The container, as named in the route.
    pub container: String,
    /// `PidsLimit`: 0 or -1 lift the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<Fact<i64>>,
    /// `Memory` in bytes (0 leaves it unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Fact<i64>>,
    /// `MemorySwap` in bytes; -1 is unlimited swap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<Fact<i64>>,
}

/// A classic build's options (`POST /build?...`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildSpec {
    /// `networkmode`: empty, `default`, `host`, `none`, a network name.
    pub network_mode: Fact<String>,
}

/// A change to plugins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginChange {
    /// The plugin named in the route or the query (`name`, `remote`), when there is one.
    pub plugin: String,
    /// What is done: `pull`, `create`, `enable`, `disable`, `remove`, `set`, `upgrade`, `push`.
    pub action: String,
}
