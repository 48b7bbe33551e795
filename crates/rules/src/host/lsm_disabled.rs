//! AppArmor or SELinux on the host, and in use by Docker.

use crate::facts::{daemon_info, ev, host_facts, observed, on_host};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether a mandatory access control system protects the host from containers: AppArmor enabled in
    /// the kernel (`/sys/module/apparmor/parameters/enabled`) or SELinux enforcing
    /// (`/sys/fs/selinux/enforce`), and the daemon using it (`/info` `SecurityOptions` lists
    /// `name=apparmor` or `name=selinux`). It fails when neither is active, when SELinux is only
    /// permissive, and when the host has one the daemon does not use.
    ///
    /// ## Why it matters
    /// Docker's guidance is to use AppArmor or SELinux: they confine a container's processes even when
    /// they run as root or escape the namespaces, and are the layer that stopped several container
    /// breakouts.
    ///
    /// ## How to fix
    /// Enable AppArmor (boot with `apparmor=1 security=apparmor`) or put SELinux in enforcing mode and
    /// start dockerd with `--selinux-enabled`; then restart the containers so they get their profiles.
    pub static RULE = Rule {
        id: "HO0022",
        name: "lsm-disabled",
        title: "AppArmor or SELinux confines containers",
        severity: Severity::Medium,
        references: &[],
        fix: "enable AppArmor (Debian, Ubuntu, SUSE) or SELinux in enforcing mode (RHEL family, with dockerd --selinux-enabled)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let host = match host_facts(ctx) {
        Ok(host) => host,
        Err(unknown) => return on_host(ctx, unknown),
    };
    let apparmor = observed(&host.apparmor_enabled, "whether AppArmor is enabled is");
    let selinux = observed(&host.selinux_mode, "the SELinux mode is");
    let (apparmor, selinux) = match (apparmor, selinux) {
        (Err(unknown), Err(_)) => return on_host(ctx, unknown),
        (a, s) => (a.ok(), s.ok()),
    };
    let mut evidence = Vec::new();
    evidence.extend(apparmor.map(ev));
    evidence.extend(selinux.map(ev));
    let apparmor_on = apparmor.is_some_and(|a| a.value);
    let selinux_mode = selinux.map_or("disabled", |s| s.value.as_str());
    let uses = |name: &str| daemon_info(ctx, "").is_ok_and(|info| info.has_security_option(name));
    if let Ok(info) = daemon_info(ctx, "") {
        evidence.push(ev(&info.security_options));
    }
    let verdict = if selinux_mode == "enforcing" {
        if uses("selinux") {
            Verdict::pass("SELinux is enforcing and the daemon labels containers")
        } else {
            Verdict::fail(
                "SELinux is enforcing but the daemon does not use it (start dockerd with --selinux-enabled)",
            )
        }
    } else if apparmor_on {
        if uses("apparmor") {
            Verdict::pass("AppArmor is enabled and the daemon applies profiles to containers")
        } else {
            Verdict::fail("AppArmor is enabled but the daemon does not use it")
        }
    } else if selinux_mode == "permissive" {
        Verdict::fail("SELinux is only permissive and AppArmor is not enabled")
    } else {
        Verdict::fail("neither AppArmor nor SELinux is active on the host")
    };
    on_host(ctx, verdict.with_evidence(evidence))
}
