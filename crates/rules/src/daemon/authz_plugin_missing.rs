//! CIS 2.12: an authorization plugin for client commands.

use crate::facts::{daemon_info, ev, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the running daemon has an authorization plugin in its chain (`/info`
    /// `Plugins.Authorization`, configured with `--authorization-plugin` or `"authorization-plugins"`).
    ///
    /// ## Why it matters
    /// Without an authorization plugin every client that reaches the socket may do everything,
    /// including starting privileged containers with the host's filesystem mounted.
    ///
    /// ## How to fix
    /// Run an authorization plugin that enforces a policy (such as `dockward authz serve`) and add it
    /// with `"authorization-plugins": ["NAME"]`; make sure it denies by default and cannot be disabled
    /// through the API.
    pub static RULE = Rule {
        id: "DA0012",
        name: "authz-plugin-missing",
        title: "Authorization for Docker client commands is enabled",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.12"],
        fix: "run an authorization plugin (e.g. dockward authz) and start dockerd with --authorization-plugin",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let info = match daemon_info(ctx, "the daemon's plugins are") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let plugins = &info.authorization_plugins.value;
    let verdict = if plugins.is_empty() {
        Verdict::fail("no authorization plugin checks client requests")
    } else {
        Verdict::pass(format!(
            "authorization plugins check client requests: {}",
            plugins.join(", ")
        ))
    };
    on_daemon(ctx, verdict.with_evidence([ev(&info.authorization_plugins)]))
}
