//! CIS 2.3: the daemon log level.

use crate::facts::{daemon_config, default_ev, on_daemon, setting_ev};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The daemon's log level: `-l/--log-level` or `"log-level"`, and `-D/--debug` or `"debug"`. It
    /// passes when the level is unset (dockerd's default is `info`) or `info`, and fails for `debug`
    /// (or debug mode) and for the quieter levels `warn`, `error`, `fatal` and `panic`.
    ///
    /// ## Why it matters
    /// `info` records what an investigation needs without the volume (and the leaked request details)
    /// of debug logging; quieter levels drop events you will later want.
    ///
    /// ## How to fix
    /// Remove `--debug` and `--log-level` from the command line and `debug`/`log-level` from
    /// daemon.json, or set `"log-level": "info"`.
    pub static RULE = Rule {
        id: "DA0003",
        name: "log-level",
        title: "The logging level is set to info",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.3"],
        fix: "remove --debug and --log-level (or set \"log-level\": \"info\")",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    if let Some((true, setting)) = config.bool("debug") {
        return on_daemon(
            ctx,
            Verdict::fail("the daemon runs in debug mode").with_evidence([setting_ev("debug", setting)]),
        );
    }
    let verdict = match config.str("log-level") {
        None => Verdict::pass("the log level is info (the default)")
            .with_evidence([default_ev("log-level", "info")]),
        Some(("info", setting)) => {
            Verdict::pass("the log level is info").with_evidence([setting_ev("log-level", setting)])
        }
        Some((level, setting)) => {
            let why = if level == "debug" {
                "logs far more than needed"
            } else {
                "drops events an investigation needs"
            };
            Verdict::fail(format!("the log level is {level}, which {why}"))
                .with_evidence([setting_ev("log-level", setting)])
        }
    };
    on_daemon(ctx, verdict)
}
