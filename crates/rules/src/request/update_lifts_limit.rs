//! A resource update that lifts a required limit.

use dockward_model::{Action, ApiRequest};

use crate::facts::ev;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Resource updates of a container (`POST /containers/{id}/update`, `docker update`): it fails
    /// when the update lifts the PIDs limit (`--pids-limit 0` or `-1`; any value of 0 or below
    /// means unlimited). An update that leaves a field out keeps the limit, and `Memory: 0`
    /// leaves the memory limit unchanged, as dockerd does. `MemorySwap: -1` allows unlimited swap
    /// but keeps the memory limit, so it passes: the memory rule (CT0010) judges `Memory` only.
    ///
    /// ## Why it matters
    /// The restricted profile requires a PIDs and a memory limit at creation; an update that
    /// removes them afterwards would undo that check without creating anything.
    ///
    /// ## How to fix
    /// Keep a positive limit: `docker update --pids-limit 200`.
    pub static RULE = Rule {
        id: "RQ0006",
        name: "update-lifts-limit",
        title: "Updates do not lift a container's required limits",
        severity: Severity::Medium,
        references: &[],
        fix: "keep a positive limit, e.g. docker update --pids-limit 200",
        check: Check::Request(check),
    };
}

fn check(_ctx: &Context<'_>, request: &ApiRequest) -> Option<Verdict> {
    let Action::Update(update) = &request.action else {
        return None;
    };
    Some(match &update.pids_limit {
        Some(limit) if limit.value <= 0 => {
            Verdict::fail(format!("update lifts the PIDs limit (PidsLimit {})", limit.value))
                .with_evidence([ev(limit)])
        }
        Some(limit) => Verdict::pass(format!("update keeps the PIDs limit (PidsLimit {})", limit.value))
            .with_evidence([ev(limit)]),
        None => Verdict::pass("update leaves the PIDs limit unchanged"),
    })
}
