//! CIS 2.12: an authorization plugin for client commands.

use dockward_model::DaemonConfig;

use crate::facts::{daemon_info, ev, file_setting, linted_file, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the running daemon has an authorization plugin in its chain (`/info`
    /// `Plugins.Authorization`, configured with `--authorization-plugin` or `"authorization-plugins"`).
    ///
    /// A daemon.json linted on its own is judged by its `"authorization-plugins"` (none when unset,
    /// Docker's default).
    ///
    /// ## Why it matters
    /// Without an authorization plugin every client that reaches the socket may do everything,
    /// including starting privileged containers with the host's filesystem mounted.
    ///
    /// ## How to fix
    /// Run dockward's own plugin, which judges every request with the same rules as `dockward
    /// audit` and denies its own disabling: `dockward authz serve` (a systemd unit ships in
    /// `contrib/systemd/`), first with `--mode audit` to read what it would deny, then add it with
    /// `--authorization-plugin=dockward` or `"authorization-plugins": ["dockward"]` in daemon.json
    /// (README: Enforcement). Any other plugin must deny by default and refuse its own
    /// `docker plugin disable`. Until then, limit who can reach the socket (CIS 1.1.2) and run
    /// `dockward audit` to find insecure containers after the fact.
    pub static RULE = Rule {
        id: "DA0012",
        name: "authz-plugin-missing",
        title: "Authorization for Docker client commands is enabled",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.12"],
        fix: "run dockward's plugin (dockward authz serve) and add it with --authorization-plugin=dockward or \"authorization-plugins\": [\"dockward\"] in daemon.json",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    if let Some(config) = linted_file(ctx) {
        return on_daemon(ctx, from_file(config));
    }
    let info = match daemon_info(ctx, "the daemon's plugins are") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let plugins = &info.authorization_plugins.value;
    let verdict = if plugins.is_empty() {
        Verdict::fail("no authorization plugin checks client requests")
    } else if plugins.iter().any(|name| is_dockward(name)) {
        Verdict::pass(format!(
            "dockward's authorization plugin checks client requests: {}",
            plugins.join(", ")
        ))
    } else {
        Verdict::pass(format!(
            "authorization plugins check client requests: {}",
            plugins.join(", ")
        ))
    };
    on_daemon(ctx, verdict.with_evidence([ev(&info.authorization_plugins)]))
}

/// dockward's plugin as dockerd names it: the socket plugin `dockward` (or `dockward-…`, e.g.
/// an audit-mode instance) and a managed plugin installed under such a name (`NAME:TAG`).
fn is_dockward(name: &str) -> bool {
    let name = name.split_once(':').map_or(name, |(name, _tag)| name);
    name == "dockward" || name.starts_with("dockward-")
}

/// The verdict on a lone daemon.json's `authorization-plugins`.
fn from_file(config: &DaemonConfig) -> Verdict {
    let (value, evidence) = match file_setting(config, "authorization-plugins", serde_json::json!([])) {
        Ok(found) => found,
        Err(unknown) => return unknown,
    };
    let plugins: Vec<&str> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .filter(|p| !p.is_empty())
        .collect();
    let verdict = if plugins.is_empty() {
        Verdict::fail("no authorization plugin checks client requests")
    } else if plugins.iter().any(|name| is_dockward(name)) {
        Verdict::pass(format!(
            "dockward's authorization plugin checks client requests: {}",
            plugins.join(", ")
        ))
    } else {
        Verdict::pass(format!(
            "authorization plugins check client requests: {}",
            plugins.join(", ")
        ))
    };
    verdict.with_evidence([evidence])
}
