//! A build step run without the build sandbox.

use dockward_model::dockerfile::Dockerfile;

use super::{clean, fail_at, run_instructions};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `RUN --security=insecure`, which runs the step like a privileged container (all
    /// capabilities, no seccomp or AppArmor, host devices) when the builder grants the
    /// `security.insecure` entitlement.
    ///
    /// ## Why it matters
    /// A privileged build step can reach the build host: mount its disks, load kernel modules,
    /// read other builds' data. Whoever can change the Dockerfile, or a dependency fetched in
    /// that step, gets that power on the build machine.
    ///
    /// ## How to fix
    /// Drop the flag; grant the single capability or device the step needs some other way, or
    /// move the step out of the image build.
    pub static RULE = Rule {
        id: "DF0015",
        name: "insecure-build-entitlement",
        title: "Build steps keep the build sandbox",
        severity: Severity::High,
        references: &[],
        fix: "remove --security=insecure from RUN",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let findings: Vec<Verdict> = run_instructions(df)
        .flat_map(|run| run.flags.iter())
        .filter(|f| {
            f.name == "security"
                && f.value
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case("insecure"))
        })
        .map(|f| {
            fail_at(
                df,
                f.pos,
                "RUN --security=insecure runs the step without the build sandbox",
            )
        })
        .collect();
    if findings.is_empty() {
        clean("no RUN uses --security=insecure")
    } else {
        findings
    }
}
