//! CIS 5.17: host IPC namespace shared.

use crate::prelude::*;

use super::host_namespace_verdict;

declare_rule! {
    /// ## What it checks
    /// The container's IPC namespace mode (`HostConfig.IpcMode`). It fails for `host`, and for
    /// `container:NAME` when NAME (following further joins) uses the host's IPC namespace.
    ///
    /// ## Why it matters
    /// The host's IPC namespace exposes its shared memory segments, semaphores and message queues:
    /// the container can read or corrupt data of host processes that use them.
    ///
    /// ## How to fix
    /// Remove `--ipc host`; use `--ipc shareable` and `container:` joins between containers that
    /// must share memory.
    pub static RULE = Rule {
        id: "CT0016",
        name: "host-ipc",
        title: "The host's IPC namespace is not shared",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.17", "pss:host-namespaces"],
        fix: "remove --ipc host",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/IpcMode"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    host_namespace_verdict(w, &w.ipc_mode, "IPC", "--ipc")
}
