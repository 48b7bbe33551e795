//! Daemon configuration that dockerd refuses to start with.

use dockward_model::{ConfigFileState, ConfigProblemKind};

use crate::facts::{daemon_config, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The daemon's command line (from the running process) and configuration file together, as dockerd
    /// reads them at start: a setting given both as a flag and in daemon.json, a key dockerd does not
    /// know, a value of the wrong JSON type for its key (`"icc": "no"`, `"hosts": "tcp://…"`), or a
    /// file that is not valid JSON. It fails for any of them, naming the setting and both places.
    /// Linting a daemon.json on its own judges the file's keys and values; a flag on dockerd's
    /// command line that repeats one of them cannot be seen there.
    ///
    /// ## Why it matters
    /// dockerd refuses to start with such a configuration. The daemon running now was started before
    /// the change, so the next restart (an upgrade, a reboot, a crash) leaves the host without Docker,
    /// and whoever rushes to fix it tends to loosen settings.
    ///
    /// ## How to fix
    /// Keep each setting in one place (most are best in daemon.json), delete unknown keys, and check
    /// the result with `dockerd --validate --config-file /etc/docker/daemon.json` before restarting.
    pub static RULE = Rule {
        id: "DA0020",
        name: "config-rejected",
        title: "The daemon's configuration lets it start",
        severity: Severity::High,
        references: &[],
        fix: "set each option either as a flag or in daemon.json, never both, and remove keys dockerd does not know",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let mut found: Vec<String> = Vec::new();
    let mut evidence = Vec::new();
    if let ConfigFileState::Invalid { reason } = &config.config_file.state {
        found.push(format!("{} is not valid JSON: {reason}", config.config_file.path));
        evidence.push(Evidence::new(config.config_file.path.clone(), "invalid JSON"));
    }
    for problem in config.problems.iter().filter(|p| {
        matches!(
            p.kind,
            ConfigProblemKind::FlagAndFile | ConfigProblemKind::UnknownKey | ConfigProblemKind::InvalidValue
        )
    }) {
        found.push(problem.message.clone());
        evidence.extend(
            problem
                .at
                .iter()
                .map(|at| Evidence::at(at, problem.key.as_deref().unwrap_or_default())),
        );
    }
    let verdict = if found.is_empty() && ctx.daemon.file_only {
        Verdict::pass(
            "dockerd would start with this file, unless its command line repeats one of the file's keys",
        )
    } else if found.is_empty() {
        Verdict::pass("dockerd would start with this configuration")
    } else {
        Verdict::fail(format!("dockerd would refuse to start: {}", found.join("; "))).with_evidence(evidence)
    };
    on_daemon(ctx, verdict)
}
