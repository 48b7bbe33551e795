//! CIS 2.13: centralized and remote logging.

use dockward_model::DaemonConfig;

use crate::facts::{daemon_info, ev, file_setting, linted_file, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The default log driver of the running daemon (`/info` `LoggingDriver`, set with `--log-driver`
    /// or `"log-driver"`). It passes for drivers that ship logs to another system (`syslog`, `gelf`,
    /// `fluentd`, `awslogs`, `splunk`, `gcplogs`, `logentries`) and for logging plugins, and fails for
    /// drivers that keep logs on the host (`json-file`, `local`, `journald`) or drop them (`none`).
    ///
    /// A daemon.json linted on its own is judged by its `"log-driver"` (`json-file` when unset,
    /// Docker's default).
    ///
    /// ## Why it matters
    /// Logs kept only on the host are lost with it and can be altered by whoever takes it over; a
    /// central log store keeps the record of an intrusion out of the intruder's reach.
    ///
    /// ## How to fix
    /// Set `"log-driver"` to a remote driver with its `"log-opts"` (for example `syslog` with `syslog-
    /// address`), or forward the journal or json-file logs with a collector.
    pub static RULE = Rule {
        id: "DA0013",
        name: "remote-logging-missing",
        title: "Centralized and remote logging is configured",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.13"],
        fix: "ship container logs off the host: \"log-driver\": \"syslog\" (or gelf, fluentd, awslogs, splunk, gcplogs) with its log-opts",
        check: Check::Platform(check),
    };
}

/// Built-in drivers that send logs to another system.
const REMOTE: [&str; 7] = [
    "syslog",
    "gelf",
    "fluentd",
    "awslogs",
    "splunk",
    "gcplogs",
    "logentries",
];
/// Built-in drivers that keep logs on the host or drop them.
const LOCAL: [&str; 5] = ["json-file", "local", "journald", "none", "etwlogs"];

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    if let Some(config) = linted_file(ctx) {
        return on_daemon(ctx, from_file(config));
    }
    let info = match daemon_info(ctx, "the daemon's log driver is") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = judge_driver(info.logging_driver.value.as_str());
    on_daemon(ctx, verdict.with_evidence([ev(&info.logging_driver)]))
}

/// The verdict on a default log driver.
fn judge_driver(driver: &str) -> Verdict {
    if REMOTE.contains(&driver) {
        Verdict::pass(format!("container logs go to another system ({driver})"))
    } else if LOCAL.contains(&driver) || driver.is_empty() {
        Verdict::fail(format!(
            "container logs stay on the host ({})",
            if driver.is_empty() { "no driver" } else { driver }
        ))
    } else {
        Verdict::pass(format!("container logs go to the logging plugin {driver}"))
    }
}

/// The verdict on a lone daemon.json's `log-driver`.
fn from_file(config: &DaemonConfig) -> Verdict {
    let (value, evidence) = match file_setting(config, "log-driver", serde_json::json!("json-file")) {
        Ok(found) => found,
        Err(unknown) => return unknown,
    };
    judge_driver(value.as_str().unwrap_or_default()).with_evidence([evidence])
}
