//! A seccomp profile that leaves some of a machine's ABIs out.

use dockward_model::SeccompProfileFile;

use super::at;
use crate::prelude::*;
use crate::seccomp::{ARCH_MAP, NoAnalysis, analyze};

declare_rule! {
    /// ## What it checks
    /// The architectures a seccomp profile file covers, against the `archMap` of Docker's default
    /// profile, which lists with each machine architecture the ABIs its programs may also use
    /// (`SCMP_ARCH_X86_64` with `SCMP_ARCH_X86` and `SCMP_ARCH_X32`, `SCMP_ARCH_AARCH64` with
    /// `SCMP_ARCH_ARM`, the MIPS and s390x pairs). It fails for an `archMap` entry that lacks some
    /// of its sub-architectures (at the entry), an `archMap` without an entry for `x86_64` or
    /// `aarch64` (dockerd then filters only the host's native ABI there), an `architectures` list
    /// with a machine architecture but not its sub-architectures, a profile that names no
    /// architecture at all, and a profile with both `architectures` and `archMap` (dockerd refuses
    /// it). The host the profile will run on is not known from the file, so every entry is judged.
    ///
    /// ## Why it matters
    /// Calls made through an ABI the filter does not list never meet the profile's rules: the
    /// kernel filter refuses them as a foreign architecture, so 32-bit programs that work under
    /// Docker's profile fail under this one, and the profile says less than it seems to about what
    /// runs.
    ///
    /// ## How to fix
    /// Use Docker's `archMap` (every machine architecture with its sub-architectures), or list the
    /// sub-architectures next to the machine architecture in `architectures`.
    pub static RULE = Rule {
        id: "SC0003",
        name: "seccomp-arch-gaps",
        title: "A seccomp profile covers every ABI of the architectures it names",
        severity: Severity::Low,
        references: &[],
        fix: "list each machine architecture with its sub-architectures, as Docker's archMap does (SCMP_ARCH_X86_64 with SCMP_ARCH_X86 and SCMP_ARCH_X32, SCMP_ARCH_AARCH64 with SCMP_ARCH_ARM)",
        check: Check::Seccomp(check),
    };
}

/// The sub-architectures Docker lists with `arch`, if it is a machine architecture.
fn expected(arch: &str) -> Option<&'static [&'static str]> {
    ARCH_MAP.iter().find(|(a, _)| *a == arch).map(|(_, subs)| *subs)
}

fn check(_ctx: &Context<'_>, file: &SeccompProfileFile) -> Vec<Verdict> {
    let profile = &file.profile;
    if let Err(NoAnalysis::Disabled) = analyze(profile) {
        return vec![at(
            Verdict::not_applicable(
                "the profile applies no filter at all (seccomp-default-allows reports it)",
            ),
            &profile.at,
        )];
    }
    let listed = profile.architectures.as_ref().filter(|a| !a.value.is_empty());
    let mapped = profile.arch_map.as_ref().filter(|m| !m.value.is_empty());
    let mut findings = Vec::new();
    match (listed, mapped) {
        (Some(_), Some(map)) => findings.push(at(
            Verdict::fail(
                "the profile sets both architectures and archMap: dockerd refuses it (use either 'architectures' or 'archMap')",
            ),
            &map.at,
        )),
        (None, None) => findings.push(at(
            Verdict::fail(
                "the profile names no architecture: only the host's native ABI is filtered, and calls through its other ABIs (on x86_64: SCMP_ARCH_X86, SCMP_ARCH_X32) do not meet the profile's rules",
            ),
            &profile.at,
        )),
        (Some(list), None) => {
            for arch in &list.value {
                let Some(subs) = expected(arch) else { continue };
                let missing: Vec<&str> = subs.iter().copied().filter(|s| !list.value.iter().any(|a| a == s)).collect();
                if !missing.is_empty() {
                    findings.push(at(
                        Verdict::fail(format!(
                            "architectures lists {arch} without {}, which Docker's profile covers with it: calls through those ABIs do not meet the profile's rules",
                            missing.join(", ")
                        ))
                        .with_evidence([Evidence::at(&list.at, &list.value)]),
                        &list.at,
                    ));
                }
            }
        }
        (None, Some(map)) => {
            for entry in &map.value {
                let Some(subs) = expected(&entry.architecture) else { continue };
                let missing: Vec<&str> = subs
                    .iter()
                    .copied()
                    .filter(|s| !entry.sub_architectures.iter().any(|a| a == s))
                    .collect();
                if !missing.is_empty() {
                    findings.push(at(
                        Verdict::fail(format!(
                            "the archMap entry for {} lacks {}, which Docker's profile covers with it: calls through those ABIs do not meet the profile's rules",
                            entry.architecture,
                            missing.join(", ")
                        ))
                        .with_evidence([Evidence::at(&entry.at, &entry.sub_architectures)]),
                        &entry.at,
                    ));
                }
            }
            let absent: Vec<&str> = ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"]
                .into_iter()
                .filter(|arch| !map.value.iter().any(|e| e.architecture == *arch))
                .collect();
            if !absent.is_empty() {
                findings.push(at(
                    Verdict::fail(format!(
                        "archMap has no entry for {}: on such a host dockerd filters only the native ABI",
                        absent.join(", ")
                    )),
                    &map.at,
                ));
            }
        }
    }
    if findings.is_empty() {
        let place = listed
            .map(|l| &l.at)
            .or(mapped.map(|m| &m.at))
            .unwrap_or(&profile.at);
        findings.push(at(
            Verdict::pass("every machine architecture the profile names comes with the sub-architectures Docker's profile covers"),
            place,
        ));
    }
    findings
}
