//! Access to facts for rules: each accessor returns the fact, or the `error` verdict that says
//! why it is unknown, so no rule can mistake a missing fact for a passing one.

use dockward_model::{
    DaemonConfig, Evidence, Fact, HostFacts, InfoFacts, Observed, Provenance, Setting, Target, TargetKind,
    Verdict,
};
use serde::Serialize;

use crate::rule::{Context, Judged};

/// Evidence for a fact: where it was read and its value.
pub(crate) fn ev<T: Serialize>(fact: &Fact<T>) -> Evidence {
    Evidence::at(&fact.at, &fact.value)
}

/// Evidence for entry `index` of a list read at `at`: a pointer names the entry
/// (`/HostConfig/SecurityOpt/2`); a file position, which is the list's, keeps its location.
pub(crate) fn item_ev<T: Serialize>(at: &Provenance, index: usize, value: T) -> Evidence {
    match at {
        Provenance::Pointer { pointer } => Evidence::new(format!("{pointer}/{index}"), value),
        other => Evidence::at(other, value),
    }
}

/// The daemon's `/info` facts, or the `error` verdict saying that `subject` (e.g. "the daemon's
/// security options are") is unknown and why.
pub(crate) fn daemon_info<'a>(ctx: &Context<'a>, subject: &str) -> Result<&'a InfoFacts, Verdict> {
    ctx.daemon.info.as_ref().ok_or_else(|| {
        let reason = ctx.daemon.info_error.as_deref().unwrap_or("/info was not read");
        Verdict::error(format!("{subject} unknown: {reason}"))
    })
}

/// The daemon's configuration, or the `error` verdict saying why it is unknown.
pub(crate) fn daemon_config<'a>(ctx: &Context<'a>) -> Result<&'a DaemonConfig, Verdict> {
    ctx.daemon.config.as_ref().ok_or_else(|| {
        let reason = ctx.daemon.config_error.as_deref().unwrap_or("it was not read");
        Verdict::error(format!("the daemon's configuration could not be read: {reason}"))
    })
}

/// The host facts, or the `error` verdict saying why the host could not be read.
pub(crate) fn host_facts<'a>(ctx: &Context<'a>) -> Result<&'a HostFacts, Verdict> {
    ctx.host.ok_or_else(|| {
        let reason = ctx.host_error.unwrap_or("it was not read");
        Verdict::error(format!("the host could not be examined: {reason}"))
    })
}

/// An observed fact, or the `error` verdict saying that `subject` is unknown and why.
pub(crate) fn observed<'a, T>(fact: &'a Observed<T>, subject: &str) -> Result<&'a Fact<T>, Verdict> {
    fact.as_result()
        .map_err(|reason| Verdict::error(format!("{subject} unknown: {reason}")))
}

/// Evidence for a configuration setting: where it was set, and `{key: value}`.
pub(crate) fn setting_ev(key: &str, setting: &Setting) -> Evidence {
    Evidence::new(setting.at.to_string(), serde_json::json!({ key: setting.value }))
}

/// Evidence for a setting left at dockerd's default.
pub(crate) fn default_ev(key: &str, value: impl Serialize) -> Evidence {
    Evidence::new(
        "dockerd default (set neither as a flag nor in daemon.json)",
        serde_json::json!({ key: value }),
    )
}

/// A boolean setting's effective value (its default when unset) with evidence.
pub(crate) fn effective_bool(config: &DaemonConfig, key: &str, default: bool) -> (bool, Evidence) {
    match config.bool(key) {
        Some((value, setting)) => (value, setting_ev(key, setting)),
        None => (default, default_ev(key, default)),
    }
}

/// The daemon as a target.
pub(crate) fn daemon_target(ctx: &Context<'_>) -> Target {
    Target {
        kind: TargetKind::Daemon,
        name: ctx.daemon.endpoint.clone(),
        id: None,
    }
}

/// The host as a target: its name, or the daemon's endpoint when the host was not read.
pub(crate) fn host_target(ctx: &Context<'_>) -> Target {
    let name = ctx
        .host
        .map_or_else(|| ctx.daemon.endpoint.clone(), |h| h.hostname.clone());
    Target {
        kind: TargetKind::Host,
        name,
        id: None,
    }
}

/// One verdict on the daemon.
pub(crate) fn on_daemon(ctx: &Context<'_>, verdict: Verdict) -> Vec<Judged> {
    vec![Judged {
        target: daemon_target(ctx),
        verdict,
    }]
}

/// One verdict on the host.
pub(crate) fn on_host(ctx: &Context<'_>, verdict: Verdict) -> Vec<Judged> {
    vec![Judged {
        target: host_target(ctx),
        verdict,
    }]
}
