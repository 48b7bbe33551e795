//! CIS 5.24: an exec as root.

use dockward_model::{Action, ApiRequest};

use crate::common::is_root_user;
use crate::facts::ev;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The user an exec instance runs as (`docker exec --user`, `"User"` of
    /// `POST /containers/{id}/exec`). An empty user means the container's own user (its
    /// `Config.User`, which includes the image's `USER`), which the authorization plugin looks up.
    /// It fails when the user is root: `root`, uid `0` with or without a group (`0:0`), an empty
    /// user in a container that runs as root, or a name that is uid 0 in the container's image.
    /// It is an error when the exec inherits the container's user and that user could not be
    /// looked up.
    ///
    /// ## Why it matters
    /// An exec as root gets root's rights inside the container even when the container's service
    /// runs unprivileged, and with them every way root has to reach the host.
    ///
    /// ## How to fix
    /// Run `docker exec --user UID:GID` with the service's unprivileged user, and run the
    /// container itself as a non-root user.
    pub static RULE = Rule {
        id: "RQ0002",
        name: "exec-as-root",
        title: "docker exec commands are not used with the user=root option",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.24"],
        fix: "run docker exec --user UID:GID with a non-root user",
        check: Check::Request(check),
    };
}

fn check(_ctx: &Context<'_>, request: &ApiRequest) -> Option<Verdict> {
    let Action::Exec(exec) = &request.action else {
        return None;
    };
    let written = exec.user.value.trim();
    let verdict = if !written.is_empty() {
        if is_root_user(written) {
            Verdict::fail(format!("exec runs as root (user \"{written}\")"))
        } else if exec.user_uid == Some(0) {
            Verdict::fail(format!(
                "exec runs as root (user \"{written}\" is uid 0 in the image)"
            ))
        } else {
            Verdict::pass(format!("exec runs as user \"{written}\""))
        }
    } else {
        match exec.container_user.as_deref().map(str::trim) {
            None => Verdict::error("exec runs as the container's user, which could not be looked up"),
            Some("") => Verdict::fail("exec runs as the container's user, which is root (no user is set)"),
            Some(user) if is_root_user(user) => Verdict::fail(format!(
                "exec runs as the container's user, which is root (user \"{user}\")"
            )),
            Some(user) if exec.user_uid == Some(0) => Verdict::fail(format!(
                "exec runs as the container's user \"{user}\", which is uid 0 in the image"
            )),
            Some(user) => Verdict::pass(format!("exec runs as the container's user \"{user}\"")),
        }
    };
    Some(verdict.with_evidence([ev(&exec.user)]))
}
