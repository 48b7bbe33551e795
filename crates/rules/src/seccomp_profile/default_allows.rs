//! A seccomp profile whose default action lets unlisted syscalls run.

use dockward_model::SeccompProfileFile;

use super::{at, without_analysis};
use crate::prelude::*;
use crate::seccomp::{ACTIONS, analyze};

declare_rule! {
    /// ## What it checks
    /// The `defaultAction` of a seccomp profile file: what happens to every syscall no entry of
    /// `syscalls` names. It fails for `SCMP_ACT_ALLOW` (an allow-all profile that only lists what
    /// it refuses), `SCMP_ACT_LOG` (allows everything and logs it) and `SCMP_ACT_TRACE` (hands every
    /// unlisted syscall to a ptrace tracer, which may let it run), and for a profile with neither
    /// a `defaultAction` nor `syscalls`, which dockerd treats as no seccomp at all. It passes for
    /// the actions that refuse (`SCMP_ACT_ERRNO`, as Docker's default profile, `SCMP_ACT_KILL…`,
    /// `SCMP_ACT_TRAP`). An action runc does not know, a default action runc refuses
    /// (`SCMP_ACT_NOTIFY`) and syscalls without a default action are errors: no container starts
    /// with such a profile. Keys match in any case, as dockerd reads them.
    ///
    /// ## Why it matters
    /// A deny-list profile only blocks what its author thought of; every syscall added to the
    /// kernel since, and every one forgotten, is open. Docker's own profile refuses by default and
    /// lists what containers need.
    ///
    /// ## How to fix
    /// Start from Docker's default profile (`"defaultAction": "SCMP_ACT_ERRNO"`) and allow the
    /// syscalls the workload needs on top of it.
    pub static RULE = Rule {
        id: "SC0001",
        name: "seccomp-default-allows",
        title: "A seccomp profile refuses the syscalls it does not list",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.22"],
        fix: "set \"defaultAction\": \"SCMP_ACT_ERRNO\" and allow only the syscalls the workload needs (start from Docker's default profile)",
        check: Check::Seccomp(check),
    };
}

fn check(_ctx: &Context<'_>, file: &SeccompProfileFile) -> Vec<Verdict> {
    let analysis = match analyze(&file.profile) {
        Ok(analysis) => analysis,
        Err(why) => return vec![without_analysis(file, &why)],
    };
    let action = analysis.default_action;
    let name = action.value.as_str();
    let verdict = match name {
        "SCMP_ACT_ALLOW" => Verdict::fail(
            "the default action SCMP_ACT_ALLOW lets every syscall the profile does not list run",
        ),
        "SCMP_ACT_LOG" => Verdict::fail(
            "the default action SCMP_ACT_LOG lets every syscall the profile does not list run (it only logs them)",
        ),
        "SCMP_ACT_TRACE" => Verdict::fail(
            "the default action SCMP_ACT_TRACE hands every syscall the profile does not list to a ptrace tracer, which may let it run",
        ),
        "SCMP_ACT_NOTIFY" => Verdict::error(
            "the default action SCMP_ACT_NOTIFY is refused by runc (it cannot be a default action), so no container starts with this profile",
        ),
        other if !ACTIONS.contains(&other) => Verdict::error(format!(
            "the default action {other} is not one runc knows, so no container starts with this profile"
        )),
        other => Verdict::pass(format!(
            "the default action {other} refuses every syscall the profile does not list"
        )),
    };
    vec![at(
        verdict.with_evidence([Evidence::at(&action.at, name)]),
        &action.at,
    )]
}
