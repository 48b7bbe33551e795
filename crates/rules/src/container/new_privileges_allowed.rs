//! CIS 5.26: processes may gain privileges.

use dockward_model::security_opt::SecurityOpts;

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Whether the container's processes run with the kernel's `no_new_privs` flag. The effective
    /// value is the container's last `no-new-privileges[=bool]` security option (any of Go's
    /// boolean spellings, `:` or `=`), else the daemon's `--no-new-privileges` default. It fails
    /// when the effective value is false, including a container that sets
    /// `no-new-privileges=false` under a daemon-wide default.
    ///
    /// ## Why it matters
    /// Without `no_new_privs` a process can gain privileges through setuid/setgid binaries or file
    /// capabilities in the image, turning a compromised unprivileged service into root.
    ///
    /// ## How to fix
    /// Run with `--security-opt no-new-privileges`, or set it for every container with dockerd's
    /// `--no-new-privileges` (`"no-new-privileges": true` in daemon.json).
    pub static RULE = Rule {
        id: "CT0023",
        name: "new-privileges-allowed",
        title: "The container is restricted from acquiring additional privileges",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.26"],
        fix: "run with --security-opt no-new-privileges (or dockerd --no-new-privileges)",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/SecurityOpt"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let opts = SecurityOpts::parse(&w.security_opt.value);
    if let Some(entry) = opts.no_new_privileges {
        let pointer = format!("{}/{}", w.security_opt.at, entry.index);
        let raw = &w.security_opt.value[entry.index];
        return if entry.value {
            Verdict::pass("container sets no-new-privileges").with(pointer, raw)
        } else {
            Verdict::fail("container turns no-new-privileges off").with(pointer, raw)
        };
    }
    match &ctx.daemon.no_new_privileges() {
        Some(default) if default.value => {
            Verdict::pass("the daemon sets no-new-privileges for every container")
                .with_evidence([ev(default)])
        }
        Some(default) => Verdict::fail("neither the container nor the daemon sets no-new-privileges")
            .with_evidence([ev(&w.security_opt), ev(default)]),
        None => {
            Verdict::fail("container does not set no-new-privileges (the daemon-wide default was not read)")
                .with_evidence([ev(&w.security_opt)])
        }
    }
}
