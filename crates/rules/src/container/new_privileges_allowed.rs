//! CIS 5.26: processes may gain privileges.

use dockward_model::security_opt::SecurityOpts;

use dockward_model::Origin;

use crate::facts::item_ev;
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
    /// A compose service that sets no option fails with Docker's default (new privileges allowed;
    /// the message says a daemon-wide `--no-new-privileges` would change that). A Kubernetes
    /// container passes only with `allowPrivilegeEscalation: false`: Kubernetes allows escalation
    /// when it is not set.
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
        let evidence = item_ev(
            &w.security_opt.at,
            entry.index,
            &w.security_opt.value[entry.index],
        );
        return if entry.value {
            Verdict::pass("container sets no-new-privileges").with_evidence([evidence])
        } else {
            Verdict::fail("container turns no-new-privileges off").with_evidence([evidence])
        };
    }
    match w.origin {
        Origin::Kubernetes { .. } => return kubernetes(w),
        Origin::Compose { .. } => {
            return Verdict::fail(
                "the service does not set no-new-privileges, and Docker's default allows new privileges (unless the daemon runs with --no-new-privileges, which a file does not show)",
            )
            .fix("add security_opt: [\"no-new-privileges:true\"] to the service");
        }
        Origin::Container { .. } | Origin::Request { .. } => {}
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

/// `allowPrivilegeEscalation`, which Kubernetes takes as true when it is not set.
fn kubernetes(w: &Workload) -> Verdict {
    match w
        .kubernetes
        .as_ref()
        .and_then(|k| k.allow_privilege_escalation.as_ref())
    {
        Some(allowed) if !allowed.value => {
            Verdict::pass("the container sets allowPrivilegeEscalation: false").with_evidence([ev(allowed)])
        }
        Some(allowed) => {
            Verdict::fail("the container allows privilege escalation (allowPrivilegeEscalation: true)")
                .with_evidence([ev(allowed)])
                .fix("set securityContext.allowPrivilegeEscalation: false")
        }
        None => Verdict::fail(
            "allowPrivilegeEscalation is not set, and Kubernetes allows privilege escalation by default",
        )
        .fix("set securityContext.allowPrivilegeEscalation: false"),
    }
}
