//! Starting the plugin and the proxy: settings, log, socket, then the accept loop.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use dockward_collect::Endpoint;

use crate::engine::{Engine, EngineError};
use crate::lookup::{LookupConfig, Lookups};
use crate::proxy::Upstream;
use crate::settings::SettingsSource;
use crate::socket::SocketError;

/// The default socket of the legacy plugin: dockerd finds `NAME.sock` here.
pub const DEFAULT_PLUGIN_SOCKET: &str = "/run/docker/plugins/dockward.sock";

/// Why the plugin or the proxy did not start (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Settings or decision log.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The socket.
    #[error(transparent)]
    Socket(#[from] SocketError),
    /// Signal handlers.
    #[error("cannot install signal handlers: {0}")]
    Signals(#[source] std::io::Error),
}

/// `dockward authz serve`.
#[derive(Clone, Debug)]
pub struct PluginOptions {
    /// `--socket`.
    pub socket: PathBuf,
    /// `--config` and the flags.
    pub settings: SettingsSource,
    /// The daemon lookups go to (`--docker-host`, `DOCKER_HOST`).
    pub docker: Endpoint,
    /// `--host-root`.
    pub host_root: PathBuf,
    /// How long one lookup may take.
    pub lookup_timeout: Duration,
}

/// `dockward proxy`.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    /// `--listen`.
    pub listen: PathBuf,
    /// `--upstream`.
    pub upstream: Upstream,
    /// `--config` and the flags.
    pub settings: SettingsSource,
    /// `--host-root`.
    pub host_root: PathBuf,
    /// How long one lookup may take.
    pub lookup_timeout: Duration,
    /// The gid the listening socket belongs to (`--group`), as dockerd's own socket belongs to
    /// the `docker` group.
    pub group: Option<u32>,
}

/// Serves the plugin until SIGTERM.
///
/// # Errors
/// A startup failure.
pub async fn serve_plugin(options: PluginOptions) -> Result<(), StartError> {
    let lookups = Lookups::new(LookupConfig {
        endpoint: options.docker.clone(),
        timeout: options.lookup_timeout,
        host_root: options.host_root.clone(),
    });
    let engine = Arc::new(Engine::new(
        options.settings,
        lookups,
        "plugin",
        options.lookup_timeout,
    )?);
    let socket = crate::socket::bind(&options.socket)?;
    announce(
        "authz serve",
        &options.socket.display().to_string(),
        &engine,
        &options.docker.to_string(),
    );
    crate::server::run(socket, Arc::clone(&engine), move |stream, stopping| {
        crate::plugin::serve_connection(Arc::clone(&engine), stream, stopping)
    })
    .await
    .map_err(StartError::Signals)
}

/// Serves the proxy until SIGTERM.
///
/// # Errors
/// A startup failure.
pub async fn serve_proxy(options: ProxyOptions) -> Result<(), StartError> {
    let endpoint = match &options.upstream {
        Upstream::Unix(path) => Endpoint::Unix { path: path.clone() },
        Upstream::Tcp(addr) => Endpoint::Tcp {
            host: addr.ip().to_string(),
            port: addr.port(),
            tls: None,
        },
    };
    let lookups = Lookups::new(LookupConfig {
        endpoint,
        timeout: options.lookup_timeout,
        host_root: options.host_root.clone(),
    });
    let engine = Arc::new(Engine::new(
        options.settings,
        lookups,
        "proxy",
        options.lookup_timeout,
    )?);
    // Like dockerd's socket: owner and group may use it.
    let socket = crate::socket::bind_with(&options.listen, 0o660, options.group)?;
    let upstream = Arc::new(options.upstream);
    announce(
        "proxy",
        &format!("unix://{}", options.listen.display()),
        &engine,
        &upstream.to_string(),
    );
    crate::server::run(socket, Arc::clone(&engine), move |stream, stopping| {
        crate::proxy::serve_connection(Arc::clone(&engine), Arc::clone(&upstream), stream, stopping)
    })
    .await
    .map_err(StartError::Signals)
}

fn announce(what: &str, socket: &str, engine: &Engine, daemon: &str) {
    let state = engine.state();
    eprintln!(
        "dockward {what}: listening on {socket}, daemon {daemon}, {}",
        crate::engine::describe(&state),
    );
}
