//! CIS 5.23: a privileged exec.

use dockward_model::{Action, ApiRequest};

use crate::facts::ev;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// An exec instance created in a container (`POST /containers/{id}/exec`, `docker exec`):
    /// it fails when the exec is privileged (`docker exec --privileged`, `"Privileged": true`).
    /// Judged on each request by the authorization plugin and the proxy; an audit of running
    /// containers cannot see execs.
    ///
    /// ## Why it matters
    /// A privileged exec runs with every capability and without the seccomp, AppArmor and SELinux
    /// confinement of its container, whatever the container was started with: a hardened
    /// container becomes a doorway to the host.
    ///
    /// ## How to fix
    /// Run `docker exec` without `--privileged`. When a task needs more rights, start a dedicated
    /// container that was reviewed for them.
    pub static RULE = Rule {
        id: "RQ0001",
        name: "privileged-exec",
        title: "docker exec commands are not used with the privileged option",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.23"],
        fix: "run docker exec without --privileged",
        check: Check::Request(check),
    };
}

fn check(_ctx: &Context<'_>, request: &ApiRequest) -> Option<Verdict> {
    let Action::Exec(exec) = &request.action else {
        return None;
    };
    Some(if exec.privileged.value {
        Verdict::fail("exec is privileged").with_evidence([ev(&exec.privileged)])
    } else {
        Verdict::pass("exec is not privileged").with_evidence([ev(&exec.privileged)])
    })
}
