//! CIS 5.19: default ulimits overridden.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Per-container ulimit overrides (`--ulimit`, `HostConfig.Ulimits`), not counting the daemon's
    /// `default-ulimits`, which dockerd copies into every container. Informational: an override is
    /// reported so someone can confirm it is needed.
    ///
    /// ## Why it matters
    /// The daemon's default ulimits are the host administrator's resource policy; a container that
    /// raises them (`nofile`, `nproc`, `memlock`) can consume more of the host than intended.
    ///
    /// ## How to fix
    /// Remove `--ulimit` unless the workload needs it; set defaults for all containers with
    /// dockerd's `--default-ulimit`.
    pub static RULE = Rule {
        id: "CT0018",
        name: "ulimit-override",
        title: "The default ulimit is overwritten only if needed",
        severity: Severity::Info,
        references: &["cis-docker-1.6.0:5.19"],
        fix: "remove --ulimit unless needed; set host-wide defaults with dockerd --default-ulimit",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Ulimits"],
            check,
        }),
    };
}

/// The daemon's `default-ulimits`, which dockerd copies into every container's `Ulimits`: a
/// container carrying exactly these has overridden nothing.
fn daemon_defaults(ctx: &Context<'_>) -> Vec<(String, i64, i64)> {
    let Some(setting) = ctx.daemon.config.as_ref().and_then(|c| c.get("default-ulimits")) else {
        return Vec::new();
    };
    let Some(map) = setting.value.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(name, limit)| {
            Some((
                name.clone(),
                limit.get("Soft")?.as_i64()?,
                limit.get("Hard")?.as_i64()?,
            ))
        })
        .collect()
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let defaults = daemon_defaults(ctx);
    let overrides: Vec<String> = w
        .ulimits
        .value
        .iter()
        .filter(|u| !defaults.contains(&(u.name.clone(), u.soft, u.hard)))
        .map(|u| format!("{}={}:{}", u.name, u.soft, u.hard))
        .collect();
    if overrides.is_empty() {
        return Verdict::pass("container uses the daemon's default ulimits");
    }
    Verdict::fail(format!("container overrides ulimits: {}", overrides.join(", ")))
        .with_evidence([ev(&w.ulimits)])
}
