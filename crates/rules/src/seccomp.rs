//! Judging a custom seccomp profile: does it actually confine anything?
//!
//! A profile given with `--security-opt seccomp=profile.json` is stored inline in the container's
//! `SecurityOpt`; a profile file can be linted on its own. Both are read into one
//! [`SeccompProfile`] and judged by one analysis ([`analyze`]) against the facts of Docker's
//! default profile kept here. A profile whose default action allows every syscall, or that lets
//! through the syscalls container escapes rely on, is unconfined in all but name.

use dockward_model::seccomp::GoKeys;
use dockward_model::{Fact, Provenance, SeccompProfile, SyscallRule};

/// Syscalls Docker's default profile never allows an unprivileged container, and which container
/// escapes and host takeovers rely on.
pub const ESCAPE_SYSCALLS: [&str; 22] = [
    "mount",
    "umount2",
    "unshare",
    "setns",
    "pivot_root",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "bpf",
    "keyctl",
    "add_key",
    "request_key",
    "open_by_handle_at",
    "userfaultfd",
    "perf_event_open",
    "reboot",
    "iopl",
    "ioperm",
    "swapon",
    "swapoff",
];

/// A syscall Docker's default profile refuses a container that was not given one of
/// `unlocked_by` (empty: refused whatever the capabilities). Docker's default capability set
/// unlocks none of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockedSyscall {
    /// The syscall.
    pub name: &'static str,
    /// The capabilities for which Docker's profile allows it.
    pub unlocked_by: &'static [&'static str],
}

const fn blocked(name: &'static str, unlocked_by: &'static [&'static str]) -> BlockedSyscall {
    BlockedSyscall { name, unlocked_by }
}

const NEVER: &[&str] = &[];
const SYS_ADMIN: &[&str] = &["CAP_SYS_ADMIN"];

/// The syscalls Docker's default profile blocks for a container with Docker's default
/// capabilities (its allow-list leaves them out, or allows them only with a capability
/// Docker does not grant by default). `clone` and `personality` are left out: Docker allows
/// them with argument filters, which this analysis does not weigh.
pub const DEFAULT_BLOCKED: &[BlockedSyscall] = &[
    blocked("acct", &["CAP_SYS_PACCT"]),
    blocked("add_key", NEVER),
    blocked("bpf", &["CAP_SYS_ADMIN", "CAP_BPF"]),
    blocked("clock_settime", &["CAP_SYS_TIME"]),
    blocked("clock_settime64", &["CAP_SYS_TIME"]),
    blocked("clone3", SYS_ADMIN),
    blocked("create_module", NEVER),
    blocked("delete_module", &["CAP_SYS_MODULE"]),
    blocked("fanotify_init", SYS_ADMIN),
    blocked("finit_module", &["CAP_SYS_MODULE"]),
    blocked("fsconfig", SYS_ADMIN),
    blocked("fsmount", SYS_ADMIN),
    blocked("fsopen", SYS_ADMIN),
    blocked("fspick", SYS_ADMIN),
    blocked("get_kernel_syms", NEVER),
    blocked("get_mempolicy", &["CAP_SYS_NICE"]),
    blocked("init_module", &["CAP_SYS_MODULE"]),
    blocked("ioperm", &["CAP_SYS_RAWIO"]),
    blocked("iopl", &["CAP_SYS_RAWIO"]),
    blocked("kcmp", &["CAP_SYS_PTRACE"]),
    blocked("kexec_file_load", NEVER),
    blocked("kexec_load", NEVER),
    blocked("keyctl", NEVER),
    blocked("lookup_dcookie", SYS_ADMIN),
    blocked("mbind", &["CAP_SYS_NICE"]),
    blocked("mount", SYS_ADMIN),
    blocked("mount_setattr", SYS_ADMIN),
    blocked("move_mount", SYS_ADMIN),
    blocked("nfsservctl", NEVER),
    blocked("open_by_handle_at", &["CAP_DAC_READ_SEARCH"]),
    blocked("open_tree", SYS_ADMIN),
    blocked("perf_event_open", &["CAP_SYS_ADMIN", "CAP_PERFMON"]),
    blocked("pidfd_getfd", &["CAP_SYS_PTRACE"]),
    blocked("pivot_root", NEVER),
    blocked("process_madvise", &["CAP_SYS_PTRACE"]),
    blocked("query_module", NEVER),
    blocked("quotactl", SYS_ADMIN),
    blocked("quotactl_fd", SYS_ADMIN),
    blocked("reboot", &["CAP_SYS_BOOT"]),
    blocked("request_key", NEVER),
    blocked("set_mempolicy", &["CAP_SYS_NICE"]),
    blocked("set_mempolicy_home_node", &["CAP_SYS_NICE"]),
    blocked("setdomainname", SYS_ADMIN),
    blocked("sethostname", SYS_ADMIN),
    blocked("setns", SYS_ADMIN),
    blocked("settimeofday", &["CAP_SYS_TIME"]),
    blocked("stime", &["CAP_SYS_TIME"]),
    blocked("swapoff", NEVER),
    blocked("swapon", NEVER),
    blocked("_sysctl", NEVER),
    blocked("sysfs", NEVER),
    blocked("syslog", &["CAP_SYS_ADMIN", "CAP_SYSLOG"]),
    blocked("umount", SYS_ADMIN),
    blocked("umount2", SYS_ADMIN),
    blocked("unshare", SYS_ADMIN),
    blocked("uselib", NEVER),
    blocked("userfaultfd", NEVER),
    blocked("ustat", NEVER),
    blocked("vhangup", &["CAP_SYS_TTY_CONFIG"]),
    blocked("vm86", NEVER),
    blocked("vm86old", NEVER),
];

/// The sub-architectures Docker's default profile maps to each machine architecture
/// (`archMap`): programs of the machine may use those ABIs too.
pub const ARCH_MAP: &[(&str, &[&str])] = &[
    ("SCMP_ARCH_X86_64", &["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
    ("SCMP_ARCH_AARCH64", &["SCMP_ARCH_ARM"]),
    ("SCMP_ARCH_MIPS64", &["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"]),
    ("SCMP_ARCH_MIPS64N32", &["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"]),
    (
        "SCMP_ARCH_MIPSEL64",
        &["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"],
    ),
    (
        "SCMP_ARCH_MIPSEL64N32",
        &["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"],
    ),
    ("SCMP_ARCH_S390X", &["SCMP_ARCH_S390"]),
    ("SCMP_ARCH_RISCV64", &[]),
];

/// The actions runc accepts.
pub const ACTIONS: [&str; 9] = [
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",
];

/// Whether an action lets the syscall run.
pub fn permits(action: &str) -> bool {
    matches!(action, "SCMP_ACT_ALLOW" | "SCMP_ACT_LOG")
}

/// What lets a syscall through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermittedBy<'a> {
    /// The default action (no rule names the syscall).
    Default(&'a Fact<String>),
    /// The `index`th `syscalls` entry, which allows it unconditionally.
    Rule(usize, &'a SyscallRule),
}

impl PermittedBy<'_> {
    /// Where the permission is written.
    pub fn at(&self) -> &Provenance {
        match self {
            PermittedBy::Default(action) => &action.at,
            PermittedBy::Rule(_, rule) => &rule.at,
        }
    }
}

/// What a profile lets through, compared with Docker's default profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis<'a> {
    /// The default action.
    pub default_action: &'a Fact<String>,
    /// Whether the default action lets unlisted syscalls run.
    pub default_permits: bool,
    /// The syscalls of [`DEFAULT_BLOCKED`] this profile lets run unconditionally, in that order,
    /// with what lets each through.
    pub permitted: Vec<(&'static BlockedSyscall, PermittedBy<'a>)>,
}

/// Why a profile has no analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAnalysis {
    /// Neither a default action nor syscalls: dockerd then applies no seccomp filter at all.
    Disabled,
    /// Syscalls without a default action: runc refuses the profile.
    NoDefaultAction,
}

/// Analyses a profile. A syscall is let through when an entry naming it allows it
/// unconditionally, or when no entry names it and the default action allows it; an entry that
/// refuses it or allows it only conditionally (arguments, capabilities, architecture, kernel)
/// keeps it out.
pub fn analyze(profile: &SeccompProfile) -> Result<Analysis<'_>, NoAnalysis> {
    let default_action = match &profile.default_action {
        Some(action) if !action.value.is_empty() => action,
        _ if profile.syscalls.is_empty() => return Err(NoAnalysis::Disabled),
        _ => return Err(NoAnalysis::NoDefaultAction),
    };
    let default_permits = permits(&default_action.value);
    let permitted = DEFAULT_BLOCKED
        .iter()
        .filter_map(|syscall| {
            let mut naming = profile
                .syscalls
                .iter()
                .enumerate()
                .filter(|(_, r)| r.names.iter().any(|n| n == syscall.name))
                .peekable();
            if naming.peek().is_none() {
                return default_permits.then_some((syscall, PermittedBy::Default(default_action)));
            }
            naming
                .find(|(_, r)| permits(&r.action) && r.is_unconditional())
                .map(|(i, r)| (syscall, PermittedBy::Rule(i, r)))
        })
        .collect();
    Ok(Analysis {
        default_action,
        default_permits,
        permitted,
    })
}

/// What a custom profile amounts to.
#[derive(Debug, PartialEq, Eq)]
pub enum Assessment {
    /// The profile confines the container. `permitted` lists escape syscalls it still allows.
    Confining {
        /// The profile's default action.
        default_action: String,
        /// Escape syscalls it allows unconditionally.
        permitted: Vec<&'static str>,
    },
    /// The profile confines nothing that matters.
    EffectivelyUnconfined {
        /// The profile's default action.
        default_action: String,
        /// Escape syscalls it allows unconditionally.
        permitted: Vec<&'static str>,
    },
    /// Neither a default action nor syscalls: dockerd applies no filter.
    Disabled,
}

impl Analysis<'_> {
    /// The [`ESCAPE_SYSCALLS`] let through, in that order.
    pub fn escapes(&self) -> Vec<&'static str> {
        ESCAPE_SYSCALLS
            .iter()
            .copied()
            .filter(|e| self.permitted.iter().any(|(s, _)| s.name == *e))
            .collect()
    }

    /// The verdict on the escape syscalls: effectively unconfined when the profile allows unlisted
    /// syscalls by default and lets through any escape syscall, or allows every one of them.
    pub fn assessment(&self) -> Assessment {
        let permitted = self.escapes();
        let unconfined = if self.default_permits {
            !permitted.is_empty()
        } else {
            permitted.len() == ESCAPE_SYSCALLS.len()
        };
        let default_action = self.default_action.value.clone();
        if unconfined {
            Assessment::EffectivelyUnconfined {
                default_action,
                permitted,
            }
        } else {
            Assessment::Confining {
                default_action,
                permitted,
            }
        }
    }
}

/// Reads an inline JSON profile as dockerd does (Go's encoding/json: keys match in any case).
pub fn read_inline(profile_json: &str) -> Result<SeccompProfile, String> {
    let GoKeys(folded) = serde_json::from_str(profile_json)
        .map_err(|e| format!("the seccomp profile is not valid JSON: {e}"))?;
    SeccompProfile::from_value(&folded, &|_| Provenance::default())
        .map_err(|e| format!("the seccomp profile is not a profile dockerd reads: {e}"))
}

/// Assesses an inline JSON profile (see [`analyze`] and [`Analysis::assessment`]).
pub fn assess(profile_json: &str) -> Result<Assessment, String> {
    let profile = read_inline(profile_json)?;
    match analyze(&profile) {
        Ok(analysis) => Ok(analysis.assessment()),
        Err(NoAnalysis::Disabled) => Ok(Assessment::Disabled),
        Err(NoAnalysis::NoDefaultAction) => Err("the seccomp profile has no defaultAction".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_all_profile_is_unconfined() {
        let a = assess(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}"#).unwrap();
        assert!(
            matches!(a, Assessment::EffectivelyUnconfined { ref permitted, .. } if permitted.len() == 22)
        );
    }

    #[test]
    fn deny_list_with_a_hole_is_unconfined() {
        let names: Vec<&str> = ESCAPE_SYSCALLS.iter().copied().filter(|s| *s != "bpf").collect();
        let json = serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": names, "action": "SCMP_ACT_ERRNO"}]});
        let a = assess(&json.to_string()).unwrap();
        assert_eq!(
            a,
            Assessment::EffectivelyUnconfined {
                default_action: "SCMP_ACT_ALLOW".into(),
                permitted: vec!["bpf"]
            }
        );
    }

    #[test]
    fn deny_list_blocking_every_escape_confines() {
        let json = serde_json::json!({"defaultAction": "SCMP_ACT_LOG",
            "syscalls": [{"names": ESCAPE_SYSCALLS, "action": "SCMP_ACT_ERRNO"}]});
        assert!(
            matches!(assess(&json.to_string()).unwrap(), Assessment::Confining { ref permitted, .. } if permitted.is_empty())
        );
    }

    #[test]
    fn allow_list_with_some_escapes_confines_but_lists_them() {
        let json = serde_json::json!({"defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [{"names": ["read", "write", "keyctl"], "action": "SCMP_ACT_ALLOW"},
                         {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]});
        assert_eq!(
            assess(&json.to_string()).unwrap(),
            Assessment::Confining {
                default_action: "SCMP_ACT_ERRNO".into(),
                permitted: vec!["keyctl"]
            }
        );
    }

    #[test]
    fn allow_list_allowing_every_escape_is_unconfined() {
        let json = serde_json::json!({"defaultAction": "SCMP_ACT_KILL",
            "syscalls": [{"names": ESCAPE_SYSCALLS, "action": "SCMP_ACT_ALLOW", "args": []}]});
        assert!(matches!(
            assess(&json.to_string()).unwrap(),
            Assessment::EffectivelyUnconfined { .. }
        ));
    }

    #[test]
    fn keys_are_read_as_go_reads_them() {
        let unconfined = |json: &str| matches!(assess(json), Ok(Assessment::EffectivelyUnconfined { .. }));
        assert!(unconfined(r#"{"DEFAULTACTION":"SCMP_ACT_ALLOW"}"#));
        assert!(unconfined(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","DefaultAction":"SCMP_ACT_ALLOW"}"#
        ));
        // Go folds the long s (and the Kelvin sign) onto ASCII letters.
        assert_eq!(
            assess(
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"\u{17f}y\u{17f}call\u{17f}\":[{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"
            ),
            Ok(Assessment::Confining {
                default_action: "SCMP_ACT_ERRNO".into(),
                permitted: vec!["bpf"]
            })
        );
        let folded = assess(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","SYSCALLS":[{"NAMES":["keyctl"],"Action":"SCMP_ACT_ALLOW"}]}"#,
        )
        .unwrap();
        assert_eq!(
            folded,
            Assessment::Confining {
                default_action: "SCMP_ACT_ERRNO".into(),
                permitted: vec!["keyctl"]
            }
        );
        // Repeated arrays or objects are merged by Go in ways not worth guessing: refused.
        let repeated =
            assess(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[],"Syscalls":[]}"#).unwrap_err();
        assert!(
            repeated.contains("the key \"Syscalls\" repeats an earlier one"),
            "{repeated}"
        );
        // Bytes after the profile: Go's Unmarshal refuses them, so does dockerd.
        assert!(assess(r#"{"defaultAction":"SCMP_ACT_ERRNO"} x"#).is_err());
    }

    #[test]
    fn broken_profiles_are_errors() {
        assert!(assess("{").unwrap_err().contains("not valid JSON"));
        assert_eq!(
            assess(r#"{"syscalls": [{"names": ["bpf"], "action": "SCMP_ACT_ERRNO"}]}"#).unwrap_err(),
            "the seccomp profile has no defaultAction"
        );
        // What dockerd then does: no filter at all.
        assert_eq!(assess("{}"), Ok(Assessment::Disabled));
        assert_eq!(assess(r#"{"defaultAction": ""}"#), Ok(Assessment::Disabled));
        assert_eq!(
            assess(r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["bpf"], "name": "bpf", "action": "SCMP_ACT_ALLOW"}]}"#).unwrap_err(),
            "the seccomp profile is not a profile dockerd reads: syscalls[0] has both 'name' and 'names': dockerd refuses it (use either 'name' or 'names')"
        );
        assert_eq!(
            assess(r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [null]}"#).unwrap_err(),
            "the seccomp profile is not a profile dockerd reads: syscalls[0] is null: dockerd refuses a profile with a null syscall entry"
        );
    }

    #[test]
    fn every_escape_syscall_is_one_dockers_profile_blocks() {
        for escape in ESCAPE_SYSCALLS {
            assert!(DEFAULT_BLOCKED.iter().any(|b| b.name == escape), "{escape}");
        }
        let mut names: Vec<&str> = DEFAULT_BLOCKED.iter().map(|b| b.name).collect();
        names.dedup();
        assert_eq!(names.len(), DEFAULT_BLOCKED.len());
    }
}
