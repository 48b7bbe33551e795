//! CIS 5.4: capabilities beyond Docker's defaults.

use crate::prelude::*;

use super::{DEFAULT_CAPABILITIES, capability_evidence, effective_capabilities, normalize_capability};

declare_rule! {
    /// ## What it checks
    /// The capability set the container effectively gets, computed the way dockerd computes it:
    /// `--privileged` grants all; `--cap-add ALL` grants all but the dropped; `--cap-drop ALL`
    /// leaves exactly the added; otherwise Docker's 14 defaults minus the dropped plus the added.
    /// Names are matched in any spelling (`sys_admin`, `CAP_SYS_ADMIN`). It fails when the set
    /// holds any capability outside Docker's defaults.
    ///
    /// The policy option `allowed-capabilities` (`[options]` in the policy file) lists
    /// capabilities a container may add on top of Docker's defaults (in any spelling): added
    /// capabilities in the list pass, and the message names them as allowed by the policy. A
    /// privileged container fails whatever the list holds.
    ///
    /// ## Why it matters
    /// Every added capability widens what root in the container may do to the host kernel;
    /// Docker's defaults are already more than most services need.
    ///
    /// ## How to fix
    /// Add only what the workload needs, best on top of `--cap-drop ALL`
    /// (e.g. `--cap-drop ALL --cap-add NET_BIND_SERVICE`), and never use `--privileged`.
    pub static RULE = Rule {
        id: "CT0004",
        name: "added-capabilities",
        title: "Linux kernel capabilities are restricted",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.4"],
        fix: "remove --cap-add entries the workload does not need; start from --cap-drop ALL",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/Privileged", "/HostConfig/CapAdd", "/HostConfig/CapDrop"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let effective = effective_capabilities(w);
    let allowed: Vec<String> = ctx
        .settings
        .options
        .allowed_capabilities
        .iter()
        .flatten()
        .map(|c| normalize_capability(c))
        .collect();
    let (by_policy, extra): (Vec<&String>, Vec<&String>) = effective
        .iter()
        .filter(|c| !DEFAULT_CAPABILITIES.contains(&c.as_str()))
        .partition(|c| allowed.contains(c));
    let evidence = capability_evidence(w);
    if w.privileged.value {
        return Verdict::fail("container is privileged and has every capability").with_evidence(evidence);
    }
    let allowed_note = match by_policy.as_slice() {
        [] => String::new(),
        names => format!(
            "; {} allowed by policy (allowed-capabilities)",
            names.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    if extra.is_empty() {
        let message = match effective.len() {
            0 => "container has no capabilities".to_string(),
            _ if !by_policy.is_empty() => {
                "container has no capabilities beyond Docker's defaults and the policy's".to_string()
            }
            n if n == DEFAULT_CAPABILITIES.len() => {
                "container has only Docker's default capabilities".to_string()
            }
            n => format!("container has {n} of Docker's default capabilities"),
        };
        return Verdict::pass(message + &allowed_note).with_evidence(evidence);
    }
    let names: Vec<&str> = extra.iter().map(|c| c.as_str()).collect();
    Verdict::fail(format!(
        "container has capabilities beyond Docker's defaults: {}{allowed_note}",
        names.join(", ")
    ))
    .with_evidence(evidence)
}
