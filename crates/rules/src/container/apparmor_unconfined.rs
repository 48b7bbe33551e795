//! CIS 5.2: no AppArmor profile applied.

use dockward_model::security_opt::SecurityOpts;

use dockward_model::Status;

use crate::prelude::*;

use crate::facts::item_ev;

use super::{daemon_info, ev};

declare_rule! {
    /// ## What it checks
    /// The AppArmor profile the runtime applied to the container (`AppArmorProfile`). It fails when
    /// the profile is `unconfined` or empty. Privileged containers run unconfined. A container
    /// that does not exist yet (a create request) is judged on the profile it asks for, computed
    /// as dockerd does: the last `apparmor=` (or legacy `apparmor:`) security option, else
    /// `unconfined` when privileged, else the daemon's `docker-default`.
    /// Not applicable when the daemon reports no AppArmor support (`/info` `SecurityOptions`
    /// has no `name=apparmor`), e.g. on SELinux distributions.
    ///
    /// A compose service or a Kubernetes container is judged on what it asks for, since the host
    /// it will run on is not known: `apparmor=unconfined` (compose), an `Unconfined` profile or
    /// `unconfined` annotation (Kubernetes) and privileged mode fail; otherwise the runtime's
    /// default profile applies on hosts with AppArmor, and the message says so.
    ///
    /// ## Why it matters
    /// AppArmor's `docker-default` profile denies writes to sensitive `/proc` and `/sys` files and
    /// mounting, which blocks several container escapes even for root in the container.
    ///
    /// ## How to fix
    /// Remove `--security-opt apparmor=unconfined` (and `--privileged`); Docker then applies
    /// `docker-default`. For stricter confinement load a custom profile and use
    /// `--security-opt apparmor=PROFILE`.
    pub static RULE = Rule {
        id: "CT0002",
        name: "apparmor-unconfined",
        title: "An AppArmor profile is applied",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.2"],
        fix: "remove --security-opt apparmor=unconfined and --privileged, or set --security-opt apparmor=PROFILE",
        check: Check::Container(ContainerCheck {
            needs: &["/AppArmorProfile", "/HostConfig/SecurityOpt", "/HostConfig/Privileged"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    if w.origin.is_file() {
        return asked(w);
    }
    let info = match daemon_info(ctx, "the daemon's security options are") {
        Ok(info) => info,
        Err(unknown) => return unknown,
    };
    if !info.has_security_option("apparmor") {
        return Verdict::not_applicable("the daemon reports no AppArmor support")
            .with_evidence([ev(&info.security_options)]);
    }
    let Some(profile) = &w.apparmor_profile else {
        return requested(w);
    };
    match profile.value.as_str() {
        "" | "unconfined" => {
            Verdict::fail("container runs without an AppArmor profile").with_evidence([ev(profile)])
        }
        name => Verdict::pass(format!("AppArmor profile \"{name}\" is applied")).with_evidence([ev(profile)]),
    }
}

/// The profile a create request asks for, as dockerd picks it (`WithApparmor`): an explicit
/// profile, else `unconfined` for a privileged container, else the default.
fn requested(w: &Workload) -> Verdict {
    let opts = SecurityOpts::parse(&w.security_opt.value);
    match opts.apparmor {
        Some(entry) if !entry.value.is_empty() => {
            let evidence = item_ev(
                &w.security_opt.at,
                entry.index,
                &w.security_opt.value[entry.index],
            );
            if entry.value == "unconfined" {
                Verdict::fail("AppArmor is disabled for the container (apparmor=unconfined)")
                    .with_evidence([evidence])
            } else {
                Verdict::pass(format!("AppArmor profile \"{}\" is applied", entry.value))
                    .with_evidence([evidence])
            }
        }
        _ if w.privileged.value => {
            Verdict::fail("container is privileged, so it runs without an AppArmor profile")
                .with_evidence([ev(&w.privileged)])
        }
        _ => Verdict::pass("the daemon applies its default AppArmor profile"),
    }
}

/// What a compose service or a Kubernetes container asks for; the host's AppArmor support is
/// not known from a file.
fn asked(w: &Workload) -> Verdict {
    let written = w.kubernetes.as_deref().map_or(&[][..], |k| k.apparmor.as_slice());
    // The collector spells the effective profile (the container's field, else its annotation,
    // else the pod's field) as `apparmor=…`: a pod's `Unconfined` that the container overrides
    // does not apply to it.
    let verdict = requested(w);
    if verdict.status != Status::Pass {
        return verdict;
    }
    match written.first() {
        Some(profile) => Verdict::pass(format!(
            "AppArmor profile {} is applied where the node has AppArmor",
            profile.value
        ))
        .with_evidence([ev(profile)]),
        None if verdict.evidence.is_empty() => Verdict::pass(
            "no AppArmor profile is asked for, so the runtime's default profile applies where the host has AppArmor",
        ),
        None => verdict,
    }
}
