//! Kernel support for seccomp filters.

use crate::facts::{ev, host_facts, observed, on_host};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether the host kernel supports seccomp filtering: the `Seccomp` field of `/proc/self/status`,
    /// or `CONFIG_SECCOMP_FILTER` in the kernel configuration (`/proc/config.gz`, `/boot/config-
    /// RELEASE`).
    ///
    /// ## Why it matters
    /// Without seccomp, Docker's default profile cannot be applied: every container can call every
    /// syscall, including the ones most kernel exploits use.
    ///
    /// ## How to fix
    /// Use a distribution kernel (they all enable seccomp) or rebuild yours with `CONFIG_SECCOMP=y` and
    /// `CONFIG_SECCOMP_FILTER=y`.
    pub static RULE = Rule {
        id: "HO0021",
        name: "kernel-seccomp-missing",
        title: "The kernel supports seccomp filtering",
        severity: Severity::High,
        references: &[],
        fix: "run Docker on a kernel built with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let seccomp =
        match host_facts(ctx).and_then(|h| observed(&h.kernel_seccomp, "the kernel's seccomp support is")) {
            Ok(seccomp) => seccomp,
            Err(unknown) => return on_host(ctx, unknown),
        };
    let verdict = if seccomp.value {
        Verdict::pass("the kernel supports seccomp filtering")
    } else {
        Verdict::fail("the kernel does not support seccomp filtering")
    };
    on_host(ctx, verdict.with_evidence([ev(seccomp)]))
}
