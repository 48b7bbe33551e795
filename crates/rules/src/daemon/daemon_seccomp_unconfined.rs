//! CIS 2.17: the daemon-wide seccomp profile.

use dockward_model::DaemonConfig;

use crate::facts::{daemon_info, ev, file_setting, linted_file, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The seccomp profile the running daemon applies to containers by default (`/info`
    /// `SecurityOptions` `name=seccomp,profile=…`; `--seccomp-profile`, `"seccomp-profile"`). It passes
    /// for Docker's default profile and for a custom one, and fails when the default is `unconfined` or
    /// the daemon has no seccomp support.
    ///
    /// A daemon.json linted on its own is judged by its `"seccomp-profile"` (Docker's default profile
    /// when unset); a custom profile it names can be linted too (`dockward lint PROFILE`).
    ///
    /// ## Why it matters
    /// The default profile blocks the syscalls most kernel exploits need; without it, every container
    /// runs with the whole kernel interface exposed.
    ///
    /// ## How to fix
    /// Remove `"seccomp-profile": "unconfined"`; to allow one more syscall, extend Docker's default
    /// profile instead of disabling it.
    pub static RULE = Rule {
        id: "DA0017",
        name: "daemon-seccomp-unconfined",
        title: "A daemon-wide seccomp profile is applied",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.17"],
        fix: "remove --seccomp-profile=unconfined (\"seccomp-profile\": \"unconfined\"); keep Docker's default or a stricter custom profile",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    if let Some(config) = linted_file(ctx) {
        return on_daemon(ctx, from_file(config));
    }
    let info = match daemon_info(ctx, "the daemon's seccomp profile is") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let verdict = match info.seccomp_profile() {
        None => Verdict::fail("the daemon reports no seccomp support"),
        Some("unconfined") => Verdict::fail("the daemon's default seccomp profile is unconfined"),
        Some("default" | "builtin") => {
            Verdict::pass("Docker's default seccomp profile applies to containers")
        }
        Some(profile) => Verdict::pass(format!(
            "the custom seccomp profile {profile} applies to containers"
        )),
    };
    on_daemon(ctx, verdict.with_evidence([ev(&info.security_options)]))
}

/// The verdict on a lone daemon.json's `seccomp-profile`.
fn from_file(config: &DaemonConfig) -> Verdict {
    let (value, evidence) = match file_setting(config, "seccomp-profile", serde_json::json!("builtin")) {
        Ok(found) => found,
        Err(unknown) => return unknown,
    };
    let verdict = match value.as_str().unwrap_or_default() {
        "unconfined" => Verdict::fail("the daemon's default seccomp profile is unconfined"),
        "" | "builtin" => Verdict::pass("Docker's default seccomp profile applies to containers"),
        profile => Verdict::pass(format!(
            "the custom seccomp profile {profile} applies to containers (lint it too: dockward lint {profile})"
        )),
    };
    verdict.with_evidence([evidence])
}
