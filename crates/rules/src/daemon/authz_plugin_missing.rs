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
    /// Install an authorization plugin that enforces a policy and denies what the policy does not
    /// allow (dockward does not ship one yet; e.g. OPA's `openpolicyagent/opa-docker-authz-v2` with a
    /// policy of your own), then add it with `--authorization-plugin=NAME` or
    /// `"authorization-plugins": ["NAME"]` in daemon.json; make sure it cannot be disabled through the
    /// API (`docker plugin disable`). Until then, limit who can reach the socket (CIS 1.1.2) and run
    /// `dockward audit` to find insecure containers after the fact.
    pub static RULE = Rule {
        id: "DA0012",
        name: "authz-plugin-missing",
        title: "Authorization for Docker client commands is enabled",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.12"],
        fix: "install an authorization plugin that denies by default (e.g. OPA's opa-docker-authz-v2 with a policy) and add it with --authorization-plugin=NAME or \"authorization-plugins\" in daemon.json",
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
