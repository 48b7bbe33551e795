//! A seccomp profile that allows syscalls Docker's default profile blocks.

use dockward_model::SeccompProfileFile;

use super::{at, without_analysis};
use crate::prelude::*;
use crate::seccomp::{DEFAULT_BLOCKED, PermittedBy, analyze};

declare_rule! {
    /// ## What it checks
    /// Which of the syscalls Docker's default profile blocks for a container with Docker's default
    /// capabilities a seccomp profile file lets run unconditionally: `mount`, `umount2`,
    /// `unshare`, `setns`, `pivot_root`, `bpf`, `keyctl`, `add_key`, `request_key`,
    /// `init_module`, `finit_module`, `kexec_load`, `open_by_handle_at`, `perf_event_open`,
    /// `userfaultfd`, `reboot`, `iopl`, `ioperm`, `swapon`, `clock_settime`, … (Docker's profile
    /// allows some of them only to a container given a capability, such as `CAP_SYS_ADMIN`, and
    /// others never). An entry of `syscalls` that allows one of them (`SCMP_ACT_ALLOW` or
    /// `SCMP_ACT_LOG`) with no condition is a finding at that entry, listing them; the ones no
    /// entry names and the default action allows are a finding at `defaultAction`. An entry that
    /// refuses a syscall, or allows it only with arguments, capabilities, an architecture or a
    /// kernel version, keeps it out, as in the analysis `seccomp-unconfined` applies to a
    /// container's custom profile.
    ///
    /// ## Why it matters
    /// These are the syscalls container escapes and kernel exploits use: mounting filesystems,
    /// entering other namespaces, loading kernel modules or BPF programs, reaching the kernel
    /// keyring. Each one a profile reopens is attack surface Docker's profile had closed.
    ///
    /// ## How to fix
    /// Remove the syscalls from the entry that allows them (or add them to an `SCMP_ACT_ERRNO`
    /// entry); allow one only for the container that needs it, the way Docker's profile does, with
    /// `"includes": {"caps": ["CAP_SYS_ADMIN"]}`.
    pub static RULE = Rule {
        id: "SC0002",
        name: "seccomp-allows-blocked-syscalls",
        title: "A seccomp profile blocks what Docker's default profile blocks",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.22"],
        fix: "remove these syscalls from the entries that allow them; allow one only with the capability Docker's profile requires (\"includes\": {\"caps\": […]})",
        check: Check::Seccomp(check),
    };
}

fn check(_ctx: &Context<'_>, file: &SeccompProfileFile) -> Vec<Verdict> {
    let analysis = match analyze(&file.profile) {
        Ok(analysis) => analysis,
        Err(why) => return vec![without_analysis(file, &why)],
    };
    if analysis.permitted.is_empty() {
        let verdict = Verdict::pass(format!(
            "the profile allows none of the {} syscalls Docker's default profile blocks",
            DEFAULT_BLOCKED.len()
        ));
        return vec![at(verdict, &file.profile.at)];
    }
    // One finding per place that lets them through, in the order they are written.
    let mut groups: Vec<(PermittedBy<'_>, Vec<&str>)> = Vec::new();
    for (syscall, by) in &analysis.permitted {
        match groups.iter_mut().find(|(b, _)| b == by) {
            Some((_, names)) => names.push(syscall.name),
            None => groups.push((*by, vec![syscall.name])),
        }
    }
    groups
        .into_iter()
        .map(|(by, names)| {
            let listed = names.join(", ");
            let verdict = match by {
                PermittedBy::Default(action) => Verdict::fail(format!(
                    "the default action {} lets through syscalls Docker's default profile blocks, as no entry names them: {listed}",
                    action.value
                )),
                PermittedBy::Rule(index, rule) => Verdict::fail(format!(
                    "syscalls[{index}] ({}) allows syscalls Docker's default profile blocks: {listed}",
                    rule.action
                )),
            };
            at(verdict.with_evidence([Evidence::at(by.at(), &names)]), by.at())
        })
        .collect()
}
