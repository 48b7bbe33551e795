//! A BuildKit session or gRPC stream, which dockerd does not authorize.

use dockward_model::{Action, ApiRequest};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Requests that open a BuildKit session or gRPC stream (`POST /session`, `POST /grpc`, used by
    /// `docker build` with BuildKit and `docker buildx`): it fails on every one.
    ///
    /// ## Why it matters
    /// dockerd authorizes only the request that opens the stream; the build definitions, the
    /// entitlements (`network.host`, `device`, on by default) and the files that flow inside it
    /// reach BuildKit without any authorization plugin seeing them. Allowing the stream would
    /// allow any build.
    ///
    /// ## How to fix
    /// Use the classic builder through the plugin (`DOCKER_BUILDKIT=0 docker build`), or build
    /// on a separate daemon that runs no production containers.
    pub static RULE = Rule {
        id: "RQ0004",
        name: "buildkit-session",
        title: "BuildKit sessions, which dockerd does not authorize, are not opened",
        severity: Severity::High,
        references: &[],
        fix: "build with the classic builder (DOCKER_BUILDKIT=0) or on a separate build daemon",
        check: Check::Request(check),
    };
}

fn check(_ctx: &Context<'_>, request: &ApiRequest) -> Option<Verdict> {
    matches!(request.action, Action::BuildKit).then(|| {
        Verdict::fail("the request opens a BuildKit stream whose contents dockerd does not authorize")
    })
}
