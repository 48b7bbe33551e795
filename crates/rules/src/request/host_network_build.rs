//! A classic build on the host's network.

use dockward_model::{Action, ApiRequest};

use crate::facts::ev;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// A classic build (`POST /build`, `docker build` with `DOCKER_BUILDKIT=0`): it fails when the
    /// build's containers run on the host's network (`docker build --network host`, query
    /// `networkmode=host`). The Dockerfile itself travels in a tar the authorization plugin never
    /// sees; the query is all dockerd shows it.
    ///
    /// ## Why it matters
    /// On the host network every `RUN` step of any Dockerfile reaches services bound to the host's
    /// loopback interface (a Docker API on 127.0.0.1, metadata proxies, databases) and can listen
    /// on the host's ports: whoever can send a build gets the host's network.
    ///
    /// ## How to fix
    /// Build without `--network host`; the default network is enough for downloads.
    pub static RULE = Rule {
        id: "RQ0003",
        name: "host-network-build",
        title: "Builds do not run on the host network",
        severity: Severity::High,
        references: &[],
        fix: "build without --network host (query networkmode=host)",
        check: Check::Request(check),
    };
}

fn check(_ctx: &Context<'_>, request: &ApiRequest) -> Option<Verdict> {
    let Action::Build(build) = &request.action else {
        return None;
    };
    let mode = build.network_mode.value.as_str();
    // dockerd compares the mode exactly (`NetworkMode.IsHost`).
    Some(if mode == "host" {
        Verdict::fail("build runs on the host's network (networkmode=host)")
            .with_evidence([ev(&build.network_mode)])
    } else if mode.is_empty() {
        Verdict::pass("build uses the default network").with_evidence([ev(&build.network_mode)])
    } else {
        Verdict::pass(format!("build uses network mode \"{mode}\"")).with_evidence([ev(&build.network_mode)])
    })
}
