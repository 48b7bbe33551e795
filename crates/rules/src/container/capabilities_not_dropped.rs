//! Capabilities not dropped (the restricted standard).

use crate::prelude::*;

use super::{capability_evidence, effective_capabilities, normalize_capability};

declare_rule! {
    /// ## What it checks
    /// Whether the container starts from no capabilities: `--cap-drop ALL` (in any spelling:
    /// `all`, `ALL`) with at most `NET_BIND_SERVICE` added back, as Kubernetes' restricted
    /// standard requires. The effective set is computed as dockerd does, so `--cap-add ALL`
    /// beside `--cap-drop ALL` keeps every capability and fails; `--privileged` fails.
    ///
    /// ## Why it matters
    /// Docker's 14 default capabilities include `NET_RAW` (packet spoofing on the container
    /// network), `DAC_OVERRIDE`, `SETUID`/`SETGID` and `MKNOD`: rights most services never use and
    /// every exploit can. Dropping them all makes a compromise of the service worth much less.
    ///
    /// ## How to fix
    /// Run with `--cap-drop ALL`, adding back only `--cap-add NET_BIND_SERVICE` when the service
    /// binds a port below 1024.
    pub static RULE = Rule {
        id: "CT0032",
        name: "capabilities-not-dropped",
        title: "All capabilities are dropped, with at most NET_BIND_SERVICE added back",
        severity: Severity::Low,
        references: &[],
        fix: "run with --cap-drop ALL and add back at most --cap-add NET_BIND_SERVICE",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Privileged", "/HostConfig/CapAdd", "/HostConfig/CapDrop"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let evidence = capability_evidence(w);
    if w.privileged.value {
        return Verdict::fail("container is privileged and has every capability").with_evidence(evidence);
    }
    if !w.cap_drop.value.iter().any(|c| normalize_capability(c) == "ALL") {
        return Verdict::fail("container does not drop all capabilities (--cap-drop ALL)")
            .with_evidence(evidence);
    }
    let effective = effective_capabilities(w);
    let extra: Vec<&str> = effective
        .iter()
        .map(String::as_str)
        .filter(|c| *c != "NET_BIND_SERVICE")
        .collect();
    if !extra.is_empty() {
        return Verdict::fail(format!(
            "container adds back capabilities other than NET_BIND_SERVICE: {}",
            extra.join(", ")
        ))
        .with_evidence(evidence);
    }
    if effective.is_empty() {
        Verdict::pass("container drops all capabilities").with_evidence(evidence)
    } else {
        Verdict::pass("container drops all capabilities and adds back only NET_BIND_SERVICE")
            .with_evidence(evidence)
    }
}
