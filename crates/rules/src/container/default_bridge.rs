//! CIS 5.30: the default bridge network.

use crate::prelude::*;

use super::ev;

declare_rule! {
    /// ## What it checks
    /// Whether the container is attached to Docker's default bridge network (`docker0`): network
    /// mode `default` or `bridge`, a `bridge` entry in its networks, or a `container:` join of a
    /// container that uses it.
    ///
    /// ## Why it matters
    /// On the default bridge every container can reach every other one (unless the daemon runs
    /// with `--icc=false`), and legacy links expose environment variables. User-defined networks
    /// isolate groups of containers from each other and provide DNS.
    ///
    /// ## How to fix
    /// Create a network per application (`docker network create app`) and run with
    /// `--network app`.
    pub static RULE = Rule {
        id: "CT0026",
        name: "default-bridge",
        title: "The default bridge docker0 is not used",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.30"],
        fix: "attach the container to a user-defined network: docker network create app; docker run --network app",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/NetworkMode", "/NetworkSettings/Networks"],
            check,
        }),
    };
}

fn uses_bridge(mode: &str) -> bool {
    matches!(mode, "default" | "bridge")
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let mode = &w.network_mode;
    let mode_evidence = dockward_model::Evidence::at(&mode.at, &mode.mode);
    if uses_bridge(&mode.mode) {
        return Verdict::fail("container uses the default bridge network").with_evidence([mode_evidence]);
    }
    if w.networks.value.iter().any(|n| n == "bridge") {
        return Verdict::fail("container is attached to the default bridge network")
            .with_evidence([ev(&w.networks)]);
    }
    if let Some(join) = &mode.join {
        return match &join.resolved {
            Some(target) if uses_bridge(&target.mode) => Verdict::fail(format!(
                "container joins the network of container {}, which uses the default bridge",
                target.name
            ))
            .with_evidence([mode_evidence]),
            Some(target) => Verdict::pass(format!(
                "container joins the network of container {}, which does not use the default bridge",
                target.name
            ))
            .with_evidence([mode_evidence]),
            None => Verdict::error(format!(
                "container joins the network of container {}, {}",
                join.reference,
                super::unknown_join(w)
            ))
            .with_evidence([mode_evidence]),
        };
    }
    Verdict::pass(format!("container uses network mode \"{}\"", mode.mode)).with_evidence([mode_evidence])
}
