//! A state-changing route dockward does not know.

use dockward_model::{Action, ApiRequest};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// State-changing requests (anything but `GET` and `HEAD`) on a route dockward does not know:
    /// it fails on every one. The baseline profile does not select this rule: there such requests
    /// are allowed and the decision records `unknown_route: true` for the decision log.
    ///
    /// ## Why it matters
    /// A route dockward does not know is a route it cannot judge: a newer API version's endpoint
    /// may create or change containers in ways no rule looks at. Denying it is the only decision
    /// that cannot be bypassed.
    ///
    /// ## How to fix
    /// Use the documented Engine API routes; if a legitimate route is denied, report it so
    /// dockward learns it, and use the baseline profile meanwhile.
    pub static RULE = Rule {
        id: "RQ0007",
        name: "unknown-route",
        title: "State-changing requests use routes dockward knows",
        severity: Severity::Medium,
        references: &[],
        fix: "use a documented Engine API route, or the baseline profile, which allows and logs unknown routes",
        check: Check::Request(check),
    };
}

fn check(_ctx: &Context<'_>, request: &ApiRequest) -> Option<Verdict> {
    matches!(request.action, Action::Unknown)
        .then(|| Verdict::fail("the request changes state on a route dockward does not know"))
}
