//! CIS 5.22: seccomp disabled.

use dockward_model::security_opt::SecurityOpts;

use crate::prelude::*;
use crate::seccomp::{Assessment, assess};

use super::{daemon_info, ev};

declare_rule! {
    /// ## What it checks
    /// Which seccomp filter the container runs under. It fails when seccomp is disabled
    /// (`--security-opt seccomp=unconfined`, also the legacy `seccomp:unconfined`); when the
    /// container is privileged without an explicit profile (Docker then applies none); when the
    /// daemon's default profile is `unconfined` or the daemon reports no seccomp support; and when
    /// a custom profile is effectively unconfined: it allows unlisted syscalls by default and lets
    /// through any of the syscalls escapes rely on (`mount`, `unshare`, `setns`, `bpf`, `keyctl`,
    /// `init_module`, `open_by_handle_at`, …), or it allows every one of them explicitly. An
    /// inline profile (`seccomp=<JSON>`) is read as dockerd reads it, with Go's encoding/json:
    /// keys match in any case and a repeated scalar key's last value wins; a profile whose
    /// repeated keys Go would merge is an error, never a pass.
    ///
    /// ## Why it matters
    /// Docker's default profile blocks about 50 syscalls that are rarely needed and often used to
    /// attack the kernel; without it every kernel bug reachable by a syscall is reachable from the
    /// container.
    ///
    /// ## How to fix
    /// Remove `--security-opt seccomp=unconfined` and `--privileged`. If the workload needs one
    /// more syscall, start from Docker's default profile and allow just that one.
    pub static RULE = Rule {
        id: "CT0021",
        name: "seccomp-unconfined",
        title: "The default seccomp profile is not disabled",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.22"],
        fix: "remove --security-opt seccomp=unconfined (and --privileged); extend the default profile instead of disabling it",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Privileged", "/HostConfig/SecurityOpt"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let opts = SecurityOpts::parse(&w.security_opt.value);
    let Some(entry) = opts.seccomp else {
        if w.privileged.value {
            return Verdict::fail("container is privileged, so no seccomp profile is applied")
                .with_evidence([ev(&w.privileged)]);
        }
        return daemon_default(ctx);
    };
    let pointer = format!("{}/{}", w.security_opt.at, entry.index);
    let raw = &w.security_opt.value[entry.index];
    match entry.value.as_str() {
        "unconfined" => Verdict::fail("seccomp is disabled for the container").with(pointer, raw),
        "builtin" => daemon_default(ctx).with(pointer, raw),
        profile if profile.trim_start().starts_with('{') => match assess(profile) {
            Err(reason) => Verdict::error(reason).with(pointer, raw),
            Ok(Assessment::EffectivelyUnconfined { default_action, permitted }) => Verdict::fail(format!(
                "the custom seccomp profile is effectively unconfined: default action {default_action}, allows {}",
                permitted.join(", ")
            ))
            .with(pointer, "custom profile"),
            Ok(Assessment::Confining { default_action, permitted }) if permitted.is_empty() => {
                Verdict::pass(format!("a custom seccomp profile is applied (default action {default_action})"))
                    .with(pointer, "custom profile")
            }
            Ok(Assessment::Confining { default_action, permitted }) => Verdict::pass(format!(
                "a custom seccomp profile is applied (default action {default_action}); it allows {}",
                permitted.join(", ")
            ))
            .with(pointer, "custom profile"),
        },
        other => Verdict::error(format!("unrecognised seccomp option \"{other}\"")).with(pointer, raw),
    }
}

/// The verdict for a container that uses the daemon's default profile.
fn daemon_default(ctx: &Context<'_>) -> Verdict {
    let info = match daemon_info(ctx, "the daemon's default seccomp profile is") {
        Ok(info) => info,
        Err(unknown) => return unknown,
    };
    let evidence = ev(&info.security_options);
    match info.seccomp_profile() {
        None => Verdict::fail("the daemon reports no seccomp support, so no profile is applied")
            .with_evidence([evidence])
            .fix("run Docker on a kernel with seccomp support (CONFIG_SECCOMP_FILTER)"),
        Some("unconfined") => Verdict::fail("the daemon's default seccomp profile is unconfined")
            .with_evidence([evidence])
            .fix("remove --seccomp-profile=unconfined (\"seccomp-profile\" in daemon.json) from the daemon"),
        Some("default" | "builtin") => {
            Verdict::pass("Docker's default seccomp profile is applied").with_evidence([evidence])
        }
        Some(path) => {
            Verdict::pass(format!("the daemon's seccomp profile {path} is applied")).with_evidence([evidence])
        }
    }
}
