//! `dockward authz serve|package` and `dockward proxy`: the enforcement commands. The work is in
//! `dockward-authz`; this module parses flags and maps startup failures to exit code 2.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use dockward_authz::proxy::{Upstream, parse_listen};
use dockward_authz::run::{DEFAULT_PLUGIN_SOCKET, PluginOptions, ProxyOptions};
use dockward_authz::settings::{LogTarget, Mode, Overrides, SettingsSource};
use dockward_collect::Environment;
use dockward_rules::profile::Profile;

const SETTINGS_HELP: &str =
    "Settings: --profile, --mode, --decision-log and --policy may also be set in a --config file
of `key = value` lines (profile, mode, decision-log, policy); a flag given on the command line
wins over the file. The profile: baseline by default, else the policy file's `profile`, else
the settings file's, else --profile. No policy file is looked for in the working directory:
only --policy or `policy =` name one. SIGHUP re-reads the settings and the policy, reopens the
decision log (log rotation) and forgets cached lookups; a change of the policy file or its Rego
modules is picked up within about a second. A broken settings file or policy keeps what is in force.
SIGTERM stops accepting, lets requests in flight finish (at most 10 s) and removes the socket.

Decision log: one JSON line per decision with \"verdict\": \"allow\", \"deny\" or \"would-deny\"
(audit mode). See docs/authz.md.

Exit codes:
  0    stopped by SIGTERM or SIGINT
  2    could not start: bad flags, settings file or policy, socket in use, log not writable";

/// `dockward authz`.
#[derive(Args)]
pub struct AuthzArgs {
    #[command(subcommand)]
    pub command: AuthzCommand,
}

/// `dockward authz ...`.
#[derive(Subcommand)]
pub enum AuthzCommand {
    /// Serve dockerd's authorization plugin protocol on a unix socket (a legacy plugin:
    /// `dockerd --authorization-plugin=dockward`).
    #[command(after_help = SETTINGS_HELP)]
    Serve(ServeArgs),
    /// Write a managed plugin (config.json and rootfs with this binary) for
    /// `docker plugin create NAME DIR`.
    Package(PackageArgs),
}

/// Flags both enforcement servers share.
#[derive(Args, Clone)]
pub struct DecisionArgs {
    /// Which rules decide [default: the policy file's profile, else baseline].
    #[arg(long, env = "DOCKWARD_PROFILE", value_parser = ["baseline", "restricted", "cis-level1", "cis-level2"])]
    profile: Option<String>,
    /// `enforce` denies; `audit` allows everything and logs what enforce would deny
    /// [default: enforce].
    #[arg(long, env = "DOCKWARD_MODE", value_parser = ["enforce", "audit"])]
    mode: Option<String>,
    /// Log one JSON line per decision to this file (appended, mode 0600), or `-` for standard
    /// output.
    #[arg(long, env = "DOCKWARD_DECISION_LOG", value_name = "PATH|-")]
    decision_log: Option<String>,
    /// A settings file (`key = value` lines: profile, mode, decision-log, policy), read again on
    /// SIGHUP.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The policy file (dockward.toml: profile, rules, waivers, Rego rules), read again on SIGHUP
    /// and when it changes. Never looked for in the working directory.
    // An OsString, not a PathBuf: clap refuses an empty path, and the managed plugin's
    // DOCKWARD_POLICY is empty until the user sets it.
    #[arg(long, env = "DOCKWARD_POLICY", value_name = "FILE", value_parser = clap::builder::OsStringValueParser::new())]
    policy: Option<std::ffi::OsString>,
    /// Where the host's `/` is mounted (symbolic links of bind sources are resolved inside it).
    #[arg(long, value_name = "DIR", default_value = "/")]
    host_root: PathBuf,
    /// Seconds one lookup through the daemon may take (the image's user, joined containers,
    /// volumes); a lookup that fails denies the request.
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
    lookup_timeout: u64,
}

impl DecisionArgs {
    fn source(&self) -> anyhow::Result<SettingsSource> {
        let profile = self
            .profile
            .as_deref()
            .map(|p| {
                p.parse::<Profile>()
                    .map_err(|e| anyhow::anyhow!("--profile: {e}"))
            })
            .transpose()?;
        let mode = self
            .mode
            .as_deref()
            .map(|m| m.parse::<Mode>().map_err(|e| anyhow::anyhow!("--mode: {e}")))
            .transpose()?;
        Ok(SettingsSource {
            config: self.config.clone(),
            overrides: Overrides {
                profile,
                mode,
                decision_log: self.decision_log.as_deref().map(LogTarget::parse),
                // An empty DOCKWARD_POLICY (the managed plugin's default) names no policy.
                policy: self.policy.clone().filter(|p| !p.is_empty()).map(PathBuf::from),
            },
        })
    }
}

/// `dockward authz serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The socket to serve; dockerd looks for `/run/docker/plugins/NAME.sock`.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_PLUGIN_SOCKET)]
    socket: PathBuf,
    /// The daemon to look things up in (unix:///path or tcp://host:port); defaults to
    /// DOCKER_HOST, then unix:///var/run/docker.sock.
    #[arg(long, value_name = "URL")]
    docker_host: Option<String>,
    #[command(flatten)]
    decision: DecisionArgs,
}

/// `dockward authz package`.
#[derive(Args)]
pub struct PackageArgs {
    /// The directory to write (created; must be empty or absent).
    dir: PathBuf,
    /// The socket name inside the plugin (`/run/docker/plugins/NAME`).
    #[arg(long, value_name = "NAME", default_value = "dockward.sock")]
    socket_name: String,
    /// The daemon socket on the host, mounted into the plugin for lookups.
    #[arg(long, value_name = "PATH", default_value = "/var/run/docker.sock")]
    docker_socket: PathBuf,
    /// The profile the plugin starts with.
    #[arg(long, value_parser = ["baseline", "restricted", "cis-level1", "cis-level2"], default_value = "baseline")]
    profile: String,
    /// The mode the plugin starts with.
    #[arg(long, value_parser = ["enforce", "audit"], default_value = "enforce")]
    mode: String,
}

/// `dockward proxy`.
#[derive(Args)]
#[command(after_help = SETTINGS_HELP)]
pub struct ProxyArgs {
    /// The socket to serve the Engine API on: unix:///PATH.
    #[arg(long, value_name = "unix:///PATH")]
    listen: String,
    /// The daemon: unix:///PATH or tcp://127.0.0.1:PORT (loopback only: the proxy speaks plain
    /// HTTP).
    #[arg(long, value_name = "URL")]
    upstream: String,
    /// The group that may use the proxy's socket (mode 0660), like dockerd's `--group`;
    /// defaults to `docker` when that group exists.
    #[arg(long, value_name = "GROUP")]
    group: Option<String>,
    #[command(flatten)]
    decision: DecisionArgs,
}

/// The plugin's runtime: one thread. Each decision is a fraction of a millisecond of CPU and its
/// lookups are asynchronous, so one thread keeps up, and it answers faster than a pool whose idle
/// workers are woken for every request (measured: bench/authz.sh, README "Speed").
fn plugin_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// The proxy's runtime: a pool, since it also streams image pulls, logs and attached sessions.
fn proxy_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs `dockward authz ...`.
pub fn authz(args: AuthzArgs) -> anyhow::Result<u8> {
    match args.command {
        AuthzCommand::Serve(args) => serve(args),
        AuthzCommand::Package(args) => package(args),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<u8> {
    let docker =
        dockward_collect::endpoint::resolve(args.docker_host.as_deref(), &Environment::from_process())?;
    let options = PluginOptions {
        socket: args.socket,
        settings: args.decision.source()?,
        docker,
        host_root: args.decision.host_root.clone(),
        lookup_timeout: Duration::from_secs(args.decision.lookup_timeout),
    };
    plugin_runtime()?.block_on(dockward_authz::run::serve_plugin(options))?;
    Ok(0)
}

/// Runs `dockward proxy`.
pub fn proxy(args: ProxyArgs) -> anyhow::Result<u8> {
    let listen = parse_listen(&args.listen).map_err(|e| anyhow::anyhow!("--listen {e}"))?;
    let upstream = Upstream::parse(&args.upstream).map_err(|e| anyhow::anyhow!("--upstream {e}"))?;
    let group = match &args.group {
        Some(name) => Some(
            dockward_authz::socket::group_id(name)
                .ok_or_else(|| anyhow::anyhow!("--group {name}: no such group in /etc/group"))?,
        ),
        None => dockward_authz::socket::group_id("docker"),
    };
    let options = ProxyOptions {
        listen,
        upstream,
        settings: args.decision.source()?,
        host_root: args.decision.host_root.clone(),
        lookup_timeout: Duration::from_secs(args.decision.lookup_timeout),
        group,
    };
    proxy_runtime()?.block_on(dockward_authz::run::serve_proxy(options))?;
    Ok(0)
}

fn package(args: PackageArgs) -> anyhow::Result<u8> {
    let options = dockward_authz::package::PackageOptions {
        dir: args.dir.clone(),
        socket_name: args.socket_name,
        docker_socket: args.docker_socket,
        profile: args.profile,
        mode: args.mode,
    };
    let written = dockward_authz::package::package(&options)?;
    eprintln!(
        "dockward: wrote {} files to {}; install with `docker plugin create dockward {}` and `docker plugin enable dockward`",
        written.len(),
        args.dir.display(),
        args.dir.display()
    );
    Ok(0)
}
