//! CIS 4.1: the container's process runs as root.

use dockward_model::Origin;

use crate::prelude::*;

use super::ev;
use crate::common::is_root_user;

declare_rule! {
    /// ## What it checks
    /// The user the container's main process runs as (`Config.User`, which already includes the
    /// image's `USER`; for a create request the authorization plugin fills in the image's `USER`
    /// when the request sets none). It fails when no user is set (the image default, root), when
    /// the user is `root` or UID `0`, with or without a group (`0:0`, `root:wheel`), and when a
    /// user name is UID 0 in the image's `/etc/passwd`, where that was looked up. A compose
    /// service or Kubernetes container that sets no user runs as the image's user, which a file
    /// does not show: it fails with medium confidence, and the message says so; but a Kubernetes
    /// container under `runAsNonRoot: true` passes, since the kubelet refuses to start it as root.
    ///
    /// ## Why it matters
    /// Root in a container is root on the host kernel. With a capability added, a writable host
    /// mount or a kernel bug, a root process escapes far more easily than an unprivileged one.
    /// Docker recommends a non-root UID for every container.
    ///
    /// ## How to fix
    /// Create a user in the image and switch to it (`RUN useradd -r app` then `USER app`, or
    /// `USER 10001:10001`), or start the container with `docker run --user 10001:10001`.
    pub static RULE = Rule {
        id: "CT0001",
        name: "runs-as-root",
        title: "Container runs as a non-root user",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.1"],
        fix: "set a non-root user: docker run --user UID:GID, or USER in the Dockerfile",
        check: Check::Container(ContainerCheck {
            needs: &["/Config/User"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let user = w.user.value.trim();
    if user.is_empty() {
        if let Some(non_root) = w
            .kubernetes
            .as_ref()
            .and_then(|k| k.run_as_non_root.as_ref())
            .filter(|f| f.value)
        {
            return Verdict::pass(
                "runAsNonRoot is true, so the kubelet starts the container only if the image's user is not root",
            )
            .with_evidence([ev(non_root)]);
        }
        let message = match w.origin {
            Origin::Request { .. } => {
                "neither the request nor the image sets a user, so the container runs as root"
            }
            Origin::Container { .. } => "no user is set, so the container runs as root",
            // The image was not read: its USER may name another user.
            Origin::Compose { .. } | Origin::Kubernetes { .. } => {
                "no user is set, so the container runs as the image's user: root unless the image's Dockerfile sets USER (medium confidence: the image was not read)"
            }
        };
        return Verdict::fail(message).with_evidence([ev(&w.user)]);
    }
    if is_root_user(user) {
        return Verdict::fail(format!("container runs as root (user \"{user}\")"))
            .with_evidence([ev(&w.user)]);
    }
    if let Some(uid) = w.user_uid.as_ref().filter(|uid| uid.value == 0) {
        return Verdict::fail(format!(
            "container runs as root (user \"{user}\" is uid 0 in the image)"
        ))
        .with_evidence([ev(&w.user), ev(uid)]);
    }
    Verdict::pass(format!("container runs as user \"{user}\"")).with_evidence([ev(&w.user)])
}
