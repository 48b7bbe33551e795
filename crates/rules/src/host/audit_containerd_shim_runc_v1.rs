//! CIS 1.1.16: audit rules for the containerd-shim-runc-v1 binary.

use dockward_model::host::audit_target;

use super::audit_check;

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether Linux audit rules cover the containerd-shim-runc-v1 binary, at the path this host
    /// actually uses. Loaded rules (`auditctl -l`) are judged first; where they cannot be read (no
    /// `auditctl`, not root) the configured ones in `/etc/audit/audit.rules` and
    /// `/etc/audit/rules.d/*.rules` are. A watch (`-w PATH`, recursive for directories) or a syscall
    /// rule with `-F path=PATH` or `-F dir=DIR` covers it; a rule on a parent directory covers it too.
    /// Not applicable when the path does not exist on this host.
    ///
    /// ## Why it matters
    /// It holds the process that supervises each container: changes to it are exactly what an
    /// investigation of a compromised Docker host needs to reconstruct, and without audit rules nothing
    /// records them.
    ///
    /// ## How to fix
    /// Add `-w PATH -p rwxa -k docker` for the path to a file in `/etc/audit/rules.d/`, then load the
    /// rules (`augenrules --load`) and check them with `auditctl -l`.
    pub static RULE = Rule {
        id: "HO0016",
        name: "containerd-shim-runc-v1-not-audited",
        title: "Auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v1",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:1.1.16"],
        fix: "add `-w PATH -p rwxa -k docker` for the path to /etc/audit/rules.d/docker.rules, then load the rules (augenrules --load)",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    audit_check(ctx, audit_target::CONTAINERD_SHIM_RUNC_V1)
}
