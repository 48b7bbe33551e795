//! `SCMP_ACT_LOG` / `SCMP_ACT_TRACE` where a seccomp profile should refuse.

use dockward_model::SeccompProfileFile;

use super::{at, without_analysis};
use crate::prelude::*;
use crate::seccomp::{DEFAULT_BLOCKED, NoAnalysis, analyze};

declare_rule! {
    /// ## What it checks
    /// Actions that look like a decision but refuse nothing: `SCMP_ACT_LOG` (the syscall runs and
    /// is logged) and `SCMP_ACT_TRACE` (the syscall goes to a ptrace tracer, which may let it run;
    /// with none attached it fails with `ENOSYS`). It fails when one is the profile's
    /// `defaultAction`, and at each entry of `syscalls` that gives one to a syscall Docker's
    /// default profile blocks (`mount`, `bpf`, `keyctl`, …), listing them.
    ///
    /// ## Why it matters
    /// Both are made for writing a profile (audit mode, then tighten), not for running one: left
    /// in place, a dangerous syscall the author meant to deny stays available to the container,
    /// and the logs only say afterwards that it was used.
    ///
    /// ## How to fix
    /// Use `SCMP_ACT_ERRNO` (or `SCMP_ACT_KILL_PROCESS`) for the syscalls to refuse and as the
    /// default action, once the log shows what the workload needs.
    pub static RULE = Rule {
        id: "SC0004",
        name: "seccomp-log-or-trace-action",
        title: "A seccomp profile refuses what it means to refuse, not only logs or traces it",
        severity: Severity::Medium,
        references: &[],
        fix: "replace SCMP_ACT_LOG / SCMP_ACT_TRACE with SCMP_ACT_ERRNO (or SCMP_ACT_KILL_PROCESS)",
        check: Check::Seccomp(check),
    };
}

fn is_log_or_trace(action: &str) -> bool {
    matches!(action, "SCMP_ACT_LOG" | "SCMP_ACT_TRACE")
}

fn check(_ctx: &Context<'_>, file: &SeccompProfileFile) -> Vec<Verdict> {
    let analysis = match analyze(&file.profile) {
        Ok(analysis) => analysis,
        Err(NoAnalysis::Disabled) => {
            return vec![at(
                Verdict::not_applicable(
                    "the profile applies no filter at all (seccomp-default-allows reports it)",
                ),
                &file.profile.at,
            )];
        }
        Err(why) => return vec![without_analysis(file, &why)],
    };
    let mut findings = Vec::new();
    let default = analysis.default_action;
    if is_log_or_trace(&default.value) {
        findings.push(at(
            Verdict::fail(format!(
                "the default action is {}, which refuses no syscall the profile does not list",
                default.value
            ))
            .with_evidence([Evidence::at(&default.at, &default.value)]),
            &default.at,
        ));
    }
    for (index, rule) in file.profile.syscalls.iter().enumerate() {
        if !is_log_or_trace(&rule.action) {
            continue;
        }
        let dangerous: Vec<&str> = rule
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| DEFAULT_BLOCKED.iter().any(|b| b.name == *n))
            .collect();
        if !dangerous.is_empty() {
            findings.push(at(
                Verdict::fail(format!(
                    "syscalls[{index}] gives {} to syscalls Docker's default profile blocks, which it does not refuse: {}",
                    rule.action,
                    dangerous.join(", ")
                ))
                .with_evidence([Evidence::at(&rule.at, &dangerous)]),
                &rule.at,
            ));
        }
    }
    if findings.is_empty() {
        findings.push(at(
            Verdict::pass("no dangerous syscall, nor the default, is only logged or traced"),
            &file.profile.at,
        ));
    }
    findings
}
