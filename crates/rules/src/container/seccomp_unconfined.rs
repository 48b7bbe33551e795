//! CIS 5.22: seccomp disabled.

use dockward_model::security_opt::SecurityOpts;

use crate::prelude::*;
use crate::seccomp::{Assessment, assess};

use dockward_model::Origin;

use crate::facts::item_ev;

use super::{daemon_info, ev};

declare_rule! {
    /// ## What it checks
    /// Which seccomp filter the container runs under. It fails when seccomp is disabled
    /// (`--security-opt seccomp=unconfined`, also the legacy `seccomp:unconfined`); when the
    /// container is privileged without an explicit profile (Docker then applies none); when the
    /// daemon's default profile is `unconfined` or the daemon reports no seccomp support; and when
    /// a custom profile is effectively unconfined: it allows unlisted syscalls by default and lets
    /// through any of the syscalls escapes rely on (`mount`, `unshare`, `setns`, `bpf`, `keyctl`,
    /// `init_module`, `open_by_handle_at`, …), or it allows every one of them explicitly; a
    /// profile with neither a `defaultAction` nor `syscalls` fails too (dockerd then applies no
    /// filter at all). The same analysis judges a profile file linted on its own (the `seccomp`
    /// rules, `SC…`). An
    /// inline profile (`seccomp=<JSON>`) is read as dockerd reads it, with Go's encoding/json:
    /// keys match in any case and a repeated scalar key's last value wins; a profile whose
    /// repeated keys Go would merge is an error, never a pass.
    ///
    /// A compose service that sets no profile gets Docker's default profile, unless its daemon
    /// runs with another `--seccomp-profile` (a file does not say; the message does). A Kubernetes
    /// container is judged on its `seccompProfile` (the container's, else the pod's): `Unconfined`
    /// fails, `RuntimeDefault` and `Localhost` pass, and none fails, since Kubernetes then runs
    /// the container unconfined unless the kubelet runs with `--seccomp-default`.
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
        return default_profile(ctx, w);
    };
    let item = |value: &str| item_ev(&w.security_opt.at, entry.index, value);
    let raw = w.security_opt.value[entry.index].as_str();
    match entry.value.as_str() {
        "unconfined" => Verdict::fail("seccomp is disabled for the container").with_evidence([item(raw)]),
        "builtin" => default_profile(ctx, w).with_evidence([item(raw)]),
        profile if profile.trim_start().starts_with('{') => match assess(profile) {
            Err(reason) => Verdict::error(reason).with_evidence([item(raw)]),
            Ok(Assessment::Disabled) => Verdict::fail(
                "the custom seccomp profile has neither a defaultAction nor syscalls, so dockerd applies no seccomp filter",
            )
            .with_evidence([item("custom profile")]),
            Ok(Assessment::EffectivelyUnconfined { default_action, permitted }) => Verdict::fail(format!(
                "the custom seccomp profile is effectively unconfined: default action {default_action}, allows {}",
                permitted.join(", ")
            ))
            .with_evidence([item("custom profile")]),
            Ok(Assessment::Confining { default_action, permitted }) if permitted.is_empty() => {
                Verdict::pass(format!("a custom seccomp profile is applied (default action {default_action})"))
                    .with_evidence([item("custom profile")])
            }
            Ok(Assessment::Confining { default_action, permitted }) => Verdict::pass(format!(
                "a custom seccomp profile is applied (default action {default_action}); it allows {}",
                permitted.join(", ")
            ))
            .with_evidence([item("custom profile")]),
        },
        other => Verdict::error(format!("unrecognised seccomp option \"{other}\"")).with_evidence([item(raw)]),
    }
}

/// The verdict for a workload that asks for no particular profile.
fn default_profile(ctx: &Context<'_>, w: &Workload) -> Verdict {
    match w.origin {
        Origin::Kubernetes { .. } => kubernetes(w),
        Origin::Compose { .. } => Verdict::pass(
            "Docker's default seccomp profile applies: the service sets none (a daemon started with another --seccomp-profile would apply that one; the daemon was not read)",
        ),
        Origin::Container { .. } | Origin::Request { .. } => daemon_default(ctx),
    }
}

/// A Kubernetes container's `seccompProfile`: its own, else its pod's; none means unconfined.
fn kubernetes(w: &Workload) -> Verdict {
    let facts = w.kubernetes.as_deref();
    let set = facts.and_then(|k| k.seccomp_container.as_ref().or(k.seccomp_pod.as_ref()));
    let Some(profile) = set else {
        return Verdict::fail(
            "no seccompProfile is set, so Kubernetes runs the container unconfined (unless the kubelet runs with --seccomp-default)",
        )
        .fix("set securityContext.seccompProfile.type: RuntimeDefault (pod or container)");
    };
    match profile.value.as_str() {
        "RuntimeDefault" => {
            Verdict::pass("the container runtime's default seccomp profile is applied (RuntimeDefault)")
                .with_evidence([ev(profile)])
        }
        "Localhost" => Verdict::pass("a seccomp profile from the node is applied (Localhost)")
            .with_evidence([ev(profile)]),
        "Unconfined" => Verdict::fail("seccomp is disabled for the container (seccompProfile Unconfined)")
            .with_evidence([ev(profile)])
            .fix("set securityContext.seccompProfile.type: RuntimeDefault"),
        other => Verdict::error(format!("unrecognised seccompProfile type \"{other}\""))
            .with_evidence([ev(profile)]),
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
