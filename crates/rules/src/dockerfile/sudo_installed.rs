//! `sudo` installed in the image that ships.

use dockward_model::dockerfile::Dockerfile;

use super::{clean, fail_at, installed_packages, package_name, shipping_stage, stage_chain};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Package installs (`apt-get install`, `apk add`, `yum`/`dnf`/`microdnf install`,
    /// `zypper install` …) of `sudo` in the `RUN` instructions of the stage that ships (the
    /// last stage, or `--target`) and the stages it is built `FROM`. Build stages that do not ship
    /// do not count. Sudoers rules without a password are judged by `passwordless-sudo`.
    ///
    /// ## Why it matters
    /// `sudo` in a running container is a way back to root for its non-root user: one sudoers
    /// rule, a group membership or a setuid bug (such as CVE-2021-3156) and the `USER` that CIS
    /// 4.1 and Docker's "run as non-root" guidance ask for no longer limits anything. Images
    /// rarely need it at run time; build steps already run as root before `USER`.
    ///
    /// ## How to fix
    /// Drop `sudo` from the shipped image: run privileged build steps before `USER`, install
    /// build-only tools in a builder stage, and use `gosu` or `setpriv` in an entrypoint that must
    /// drop privileges.
    pub static RULE = Rule {
        id: "DF0018",
        name: "sudo-installed",
        title: "The shipped image does not install sudo",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:4.1"],
        fix: "do not install sudo in the shipped stage; run privileged steps before USER",
        check: Check::Dockerfile(check),
    };
}

fn check(ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let Some(stage) = shipping_stage(ctx, df) else {
        return vec![Verdict::not_applicable(
            "the shipped stage is not in the Dockerfile",
        )];
    };
    let mut findings = Vec::new();
    let runs = stage_chain(df, stage)
        .into_iter()
        .flat_map(|s| &s.instructions)
        .filter(|i| i.keyword == "RUN");
    for command in runs.flat_map(|i| &i.commands).flat_map(|p| &p.commands) {
        for package in installed_packages(command).unwrap_or_default() {
            let name = package_name(&package.text);
            if name == "sudo" {
                findings.push(fail_at(df, package.pos, "RUN installs sudo in the shipped image"));
            }
        }
    }
    if findings.is_empty() {
        clean("the shipped stage does not install sudo")
    } else {
        findings
    }
}
