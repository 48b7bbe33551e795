//! CIS 5.2: no AppArmor profile applied.

use crate::prelude::*;

use super::{daemon_info, ev};

declare_rule! {
    /// ## What it checks
    /// The AppArmor profile the runtime applied to the container (`AppArmorProfile`). It fails when
    /// the profile is `unconfined` or empty. Privileged containers run unconfined.
    /// Not applicable when the daemon reports no AppArmor support (`/info` `SecurityOptions`
    /// has no `name=apparmor`), e.g. on SELinux distributions.
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
            needs: &["/AppArmorProfile"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let info = match daemon_info(ctx, "the daemon's security options are") {
        Ok(info) => info,
        Err(unknown) => return unknown,
    };
    if !info.has_security_option("apparmor") {
        return Verdict::not_applicable("the daemon reports no AppArmor support")
            .with_evidence([ev(&info.security_options)]);
    }
    let Some(profile) = &w.apparmor_profile else {
        return Verdict::error("the applied AppArmor profile is not reported for this workload");
    };
    match profile.value.as_str() {
        "" | "unconfined" => {
            Verdict::fail("container runs without an AppArmor profile").with_evidence([ev(profile)])
        }
        name => Verdict::pass(format!("AppArmor profile \"{name}\" is applied")).with_evidence([ev(profile)]),
    }
}
