//! Access to facts for rules: each accessor returns the fact, or the `error` verdict that says
//! why it is unknown, so no rule can mistake a missing fact for a passing one.

use dockward_model::{
    ConfigProblemKind, DaemonConfig, Evidence, Fact, HostFacts, InfoFacts, Observed, Provenance, Setting,
    Target, TargetKind, Verdict,
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
    if ctx.daemon.file_only {
        return Err(Verdict::not_applicable(NEEDS_RUNNING_DAEMON));
    }
    ctx.daemon.info.as_ref().ok_or_else(|| {
        let reason = ctx.daemon.info_error.as_deref().unwrap_or("/info was not read");
        Verdict::error(format!("{subject} unknown: {reason}"))
    })
}

/// Why a rule that needs the running daemon, its process or its host has no verdict on a lone
/// daemon.json.
pub(crate) const NEEDS_RUNNING_DAEMON: &str = "needs the running daemon: run dockward audit";

/// The configuration when the facts are one daemon.json linted on its own: rules that read the
/// running daemon's report (`/info`) in an audit judge the file's key instead.
pub(crate) fn linted_file<'a>(ctx: &Context<'a>) -> Option<&'a DaemonConfig> {
    ctx.daemon.config.as_ref().filter(|_| ctx.daemon.file_only)
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
    if ctx.daemon.file_only {
        return Err(Verdict::not_applicable(NEEDS_RUNNING_DAEMON));
    }
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

/// Evidence for a configuration setting: where it was set (a file position is kept, so a lint
/// finding points at the key), and `{key: value}`.
pub(crate) fn setting_ev(key: &str, setting: &Setting) -> Evidence {
    Evidence::at(&setting.at, serde_json::json!({ key: setting.value }))
}

/// Where [`default_ev`] says a value comes from.
pub(crate) const DEFAULT_AT: &str = "dockerd default (set neither as a flag nor in daemon.json)";

/// Evidence for a setting left at dockerd's default.
pub(crate) fn default_ev(key: &str, value: impl Serialize) -> Evidence {
    Evidence::new(DEFAULT_AT, serde_json::json!({ key: value }))
}

/// A setting of a linted file with its evidence, or `default` (dockerd's) when the file does not
/// set it (or sets it to `null`, which leaves Go's default); the `error` verdict when its value
/// has the wrong type, which dockerd refuses (and `config-rejected` reports).
pub(crate) fn file_setting(
    config: &DaemonConfig,
    key: &str,
    default: serde_json::Value,
) -> Result<(serde_json::Value, Evidence), Verdict> {
    if let Some(verdict) = invalid_value(config, key) {
        return Err(verdict);
    }
    Ok(match config.get(key).filter(|s| !s.value.is_null()) {
        Some(setting) => (setting.value.clone(), setting_ev(key, setting)),
        None => {
            let evidence = default_ev(key, &default);
            (default, evidence)
        }
    })
}

/// A boolean setting's effective value (its default when unset) with evidence; the `error`
/// verdict when the configuration file gives it a value of another type, which dockerd refuses
/// (never a verdict on the default in its place).
pub(crate) fn effective_bool(
    config: &DaemonConfig,
    key: &str,
    default: bool,
) -> Result<(bool, Evidence), Verdict> {
    if let Some(verdict) = invalid_value(config, key) {
        return Err(verdict);
    }
    Ok(match config.bool(key) {
        Some((value, setting)) => (value, setting_ev(key, setting)),
        None => (default, default_ev(key, default)),
    })
}

/// The `error` verdict for a key whose value in the configuration file has the wrong type.
fn invalid_value(config: &DaemonConfig, key: &str) -> Option<Verdict> {
    let problem = config
        .problems
        .iter()
        .find(|p| p.kind == ConfigProblemKind::InvalidValue && p.key.as_deref() == Some(key))?;
    let verdict = Verdict::error(format!("{}: dockerd refuses to start with it", problem.message));
    Some(match problem.at.first() {
        Some(at) => verdict.with_evidence([Evidence::at(
            at,
            serde_json::json!({ key: config.get(key).map(|s| &s.value) }),
        )]),
        None => verdict,
    })
}

/// The daemon as a target (a lone daemon.json is a `daemon-json` target named by its path).
pub fn daemon_target(ctx: &Context<'_>) -> Target {
    Target {
        kind: if ctx.daemon.file_only {
            TargetKind::DaemonJson
        } else {
            TargetKind::Daemon
        },
        name: ctx.daemon.endpoint.clone(),
        id: None,
    }
}

/// The host as a target: its name, or the daemon's endpoint when the host was not read.
pub fn host_target(ctx: &Context<'_>) -> Target {
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
