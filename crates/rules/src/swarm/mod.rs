//! Rules judging the swarm this node belongs to (CIS Docker Benchmark 1.6.0 section 7, and 5.1).
//! With swarm mode off, every section 7 rule is not applicable.

use dockward_model::{Fact, Observed, SwarmFacts, Verdict};

use crate::facts::{daemon_info, ev, observed, on_daemon};
use crate::rule::{Context, Judged};

pub mod overlay_unencrypted;
pub mod swarm_autolock_disabled;
pub mod swarm_cert_expiry;
pub mod swarm_enabled;
pub mod swarm_manager_count;
pub mod swarm_port_all_interfaces;
pub mod swarm_secrets_unused;

/// Verdicts on the swarm are verdicts on this node's daemon.
pub(crate) fn on_swarm(ctx: &Context<'_>, verdict: Verdict) -> Vec<Judged> {
    on_daemon(ctx, verdict)
}

/// The swarm facts of an active node, or the verdicts for an inactive or unknown one.
pub(crate) fn active_swarm<'a>(ctx: &Context<'a>) -> Result<&'a SwarmFacts, Vec<Judged>> {
    let info = daemon_info(ctx, "the node's swarm state is").map_err(|unknown| on_daemon(ctx, unknown))?;
    if info.swarm_state.value != "active" {
        let state = if info.swarm_state.value.is_empty() {
            "unknown"
        } else {
            info.swarm_state.value.as_str()
        };
        return Err(on_daemon(
            ctx,
            Verdict::not_applicable(format!("swarm mode is not active (node state {state})"))
                .with_evidence([ev(&info.swarm_state)]),
        ));
    }
    ctx.daemon.swarm.as_ref().ok_or_else(|| {
        on_daemon(
            ctx,
            Verdict::error("the swarm is active but its facts were not collected"),
        )
    })
}

/// A fact only managers know, of an active swarm: or the verdicts for an inactive swarm, a worker
/// node (not applicable) or an unknown fact (`error`, saying `subject` is unknown).
pub(crate) fn manager_fact<'a, T>(
    ctx: &Context<'a>,
    subject: &str,
    select: fn(&SwarmFacts) -> &Observed<T>,
) -> Result<&'a Fact<T>, Vec<Judged>> {
    let swarm = active_swarm(ctx)?;
    if !swarm.manager.value {
        return Err(on_swarm(
            ctx,
            Verdict::not_applicable("this node is not a swarm manager").with_evidence([ev(&swarm.manager)]),
        ));
    }
    observed(select(swarm), subject).map_err(|unknown| on_swarm(ctx, unknown))
}
