//! CIS 5.15: restart policy without a retry bound.

use crate::prelude::*;

use super::ev;

/// The highest `on-failure` retry count CIS accepts.
pub const MAX_RETRIES: i64 = 5;

declare_rule! {
    /// ## What it checks
    /// The restart policy (`HostConfig.RestartPolicy`). It passes for `no` and for `on-failure`
    /// with 1 to 5 retries. It fails for `always` and `unless-stopped`, which restart forever, and
    /// for `on-failure` with 0 (unlimited) or more than 5 retries. Not applicable to a Kubernetes
    /// container: the kubelet restarts it by the pod's `restartPolicy`, with exponential back-off.
    ///
    /// ## Why it matters
    /// A container that crashes on every start and is restarted forever burns host resources and
    /// hides the failure; an exploit that crashes the service gets unlimited attempts.
    ///
    /// ## How to fix
    /// Use `docker run --restart on-failure:5`, or let an orchestrator with backoff manage restarts.
    pub static RULE = Rule {
        id: "CT0014",
        name: "restart-policy-unbounded",
        title: "The on-failure container restart policy is set to at most 5",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.15"],
        fix: "use --restart on-failure:5",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/RestartPolicy"],
            check,
        }),
    };
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    if matches!(w.origin, dockward_model::Origin::Kubernetes { .. }) {
        return Verdict::not_applicable(
            "the kubelet restarts a Kubernetes container by its pod's restartPolicy, with exponential back-off; Docker's restart policy does not apply",
        );
    }
    let policy = &w.restart_policy.value;
    let evidence = [ev(&w.restart_policy)];
    match policy.name.as_str() {
        "" | "no" => Verdict::pass("container is not restarted automatically").with_evidence(evidence),
        "on-failure" if (1..=MAX_RETRIES).contains(&policy.maximum_retry_count) => Verdict::pass(format!(
            "container is restarted on failure at most {} times",
            policy.maximum_retry_count
        ))
        .with_evidence(evidence),
        "on-failure" if policy.maximum_retry_count == 0 => {
            Verdict::fail("container is restarted on failure without limit").with_evidence(evidence)
        }
        "on-failure" => Verdict::fail(format!(
            "container is restarted on failure up to {} times (more than {MAX_RETRIES})",
            policy.maximum_retry_count
        ))
        .with_evidence(evidence),
        name => Verdict::fail(format!(
            "restart policy \"{name}\" restarts the container without limit"
        ))
        .with_evidence(evidence),
    }
}
