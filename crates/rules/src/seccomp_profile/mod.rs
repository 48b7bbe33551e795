//! Rules judging a seccomp profile file linted on its own (`SC…`), with the analysis the
//! container rule applies to a profile attached to a container ([`crate::seccomp`]).

use dockward_model::{Provenance, SeccompProfileFile, Verdict};

use crate::seccomp::NoAnalysis;

pub mod allows_blocked;
pub mod arch_gaps;
pub mod default_allows;
pub mod log_or_trace;

/// The verdict placed at `at` (a file position).
pub(crate) fn at(verdict: Verdict, at: &Provenance) -> Verdict {
    match at.location() {
        Some(location) => Verdict {
            location: Some(Box::new(location)),
            ..verdict
        },
        None => verdict,
    }
}

/// The verdict of a rule that needs the profile's default action, when it has none.
pub(crate) fn without_analysis(file: &SeccompProfileFile, why: &NoAnalysis) -> Verdict {
    let profile = &file.profile;
    match why {
        NoAnalysis::Disabled => at(
            Verdict::fail(
                "the profile has neither a defaultAction nor syscalls, so dockerd applies no seccomp filter at all",
            ),
            &profile.at,
        ),
        NoAnalysis::NoDefaultAction => at(
            Verdict::error(
                "the profile lists syscalls but has no defaultAction: runc refuses it, so no container starts with it",
            ),
            profile.syscalls_at.as_ref().unwrap_or(&profile.at),
        ),
    }
}
