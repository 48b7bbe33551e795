//! A build step on the build host's network.

use dockward_model::dockerfile::Dockerfile;

use super::{clean, fail_at, run_instructions};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `RUN --network=host`, which gives the build step the build host's network stack instead
    /// of an isolated one.
    ///
    /// ## Why it matters
    /// On the host network a build step reaches services bound to the build machine's loopback
    /// interface (a Docker API on 127.0.0.1, cloud metadata proxies, databases), and it can
    /// listen on the host's ports. A malicious dependency run during the build gets all of that.
    ///
    /// ## How to fix
    /// Remove the flag (the default network is enough for downloads), or use
    /// `--network=none` for steps that need no network at all.
    pub static RULE = Rule {
        id: "DF0016",
        name: "build-host-network",
        title: "Build steps do not use the host network",
        severity: Severity::Medium,
        references: &[],
        fix: "remove --network=host from RUN",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let findings: Vec<Verdict> = run_instructions(df)
        .flat_map(|run| run.flags.iter())
        .filter(|f| f.name == "network" && f.value.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("host")))
        .map(|f| {
            fail_at(
                df,
                f.pos,
                "RUN --network=host gives the step the build host's network",
            )
        })
        .collect();
    if findings.is_empty() {
        clean("no RUN uses --network=host")
    } else {
        findings
    }
}
