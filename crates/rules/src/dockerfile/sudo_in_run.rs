//! `sudo` used in a build step.

use dockward_model::dockerfile::Dockerfile;

use super::{clean, fail_at, run_commands};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `RUN` commands (shell text, heredoc scripts, `sh -c` strings, `ONBUILD RUN`) that call
    /// `sudo`.
    ///
    /// ## Why it matters
    /// Build steps already run as the current `USER`; switching with `sudo` means the image ships
    /// `sudo` and a sudoers rule that lets its non-root user become root again at run time,
    /// undoing the point of `USER`. `sudo` also behaves unpredictably without a TTY.
    ///
    /// ## How to fix
    /// Run the privileged steps before `USER app`, or switch with `USER root` … `USER app` around
    /// them; use `gosu` or `setpriv` in an entrypoint that must drop privileges.
    pub static RULE = Rule {
        id: "DF0009",
        name: "sudo-in-run",
        title: "Build steps do not use sudo",
        severity: Severity::Medium,
        references: &[],
        fix: "drop sudo: run privileged steps before USER, or switch with USER root / USER app",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let findings: Vec<Verdict> = run_commands(df)
        .filter(|(_, c)| c.program() == Some("sudo"))
        .map(|(_, c)| fail_at(df, c.pos, "RUN uses sudo"))
        .collect();
    if findings.is_empty() {
        clean("no RUN uses sudo")
    } else {
        findings
    }
}
