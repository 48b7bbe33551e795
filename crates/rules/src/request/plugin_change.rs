//! A change to the daemon's plugins.

use dockward_model::{Action, ApiRequest};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Requests that change plugins: install (`pull`, `create`), `enable`, `disable`, `remove`,
    /// `set`, `upgrade` and `push` under `/plugins`. It fails on every one; reading the plugin list
    /// is allowed.
    ///
    /// ## Why it matters
    /// A plugin runs with the privileges it asks for (host network, mounts, devices,
    /// capabilities), so installing one is as powerful as a privileged container. Disabling a
    /// managed authorization plugin drops it from dockerd's chain until the daemon restarts:
    /// one request would switch enforcement off.
    ///
    /// ## How to fix
    /// Manage plugins outside the enforced API: stop enforcement on a maintenance window (see the
    /// README's recovery section) or use the daemon's socket directly as root on the host.
    pub static RULE = Rule {
        id: "RQ0005",
        name: "plugin-change",
        title: "Plugins are not changed through the API",
        severity: Severity::Critical,
        references: &[],
        fix: "change plugins only in a maintenance window, outside the enforced API",
        check: Check::Request(check),
    };
}

fn check(_ctx: &Context<'_>, request: &ApiRequest) -> Option<Verdict> {
    let Action::Plugin(change) = &request.action else {
        return None;
    };
    let action = if change.action.is_empty() {
        "change"
    } else {
        change.action.as_str()
    };
    Some(if change.plugin.is_empty() {
        Verdict::fail(format!("the request would {action} a plugin"))
    } else {
        Verdict::fail(format!("the request would {action} plugin {}", change.plugin))
    })
}
