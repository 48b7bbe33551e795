//! Judging a custom seccomp profile: does it actually confine anything?
//!
//! A profile given with `--security-opt seccomp=profile.json` is stored inline in the container's
//! `SecurityOpt`. A profile whose default action allows every syscall, or that lets through the
//! syscalls container escapes rely on, is unconfined in all but name.

use serde::Deserialize;

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

/// The part of Docker's seccomp profile format that decides what is allowed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    default_action: Option<String>,
    #[serde(default)]
    syscalls: Vec<SyscallRule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyscallRule {
    #[serde(default)]
    names: Vec<String>,
    /// Pre-1.12 single-name form.
    #[serde(default)]
    name: Option<String>,
    action: String,
    #[serde(default)]
    args: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    includes: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    excludes: Option<serde_json::Map<String, serde_json::Value>>,
}

impl SyscallRule {
    fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str).chain(self.name.as_deref())
    }

    /// Applies whatever the arguments, capabilities, architecture and kernel.
    fn is_unconditional(&self) -> bool {
        let empty_map = |m: &Option<serde_json::Map<String, serde_json::Value>>| {
            m.as_ref().is_none_or(|m| m.values().all(value_is_empty))
        };
        self.args.as_ref().is_none_or(Vec::is_empty) && empty_map(&self.includes) && empty_map(&self.excludes)
    }
}

fn value_is_empty(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::String(s) => s.is_empty(),
        serde_json::Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Whether an action lets the syscall run.
fn permits(action: &str) -> bool {
    matches!(action, "SCMP_ACT_ALLOW" | "SCMP_ACT_LOG")
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
}

/// Assesses an inline JSON profile. A profile is effectively unconfined when it allows unlisted
/// syscalls by default and lets through any escape syscall, or when it allows every escape
/// syscall explicitly.
pub fn assess(profile_json: &str) -> Result<Assessment, String> {
    let profile: Profile = serde_json::from_str(profile_json)
        .map_err(|e| format!("the seccomp profile is not valid JSON: {e}"))?;
    let default_action = profile
        .default_action
        .ok_or_else(|| "the seccomp profile has no defaultAction".to_string())?;
    let default_permits = permits(&default_action);
    let permitted: Vec<&'static str> = ESCAPE_SYSCALLS
        .iter()
        .copied()
        .filter(|syscall| {
            let rules: Vec<&SyscallRule> = profile
                .syscalls
                .iter()
                .filter(|r| r.names().any(|n| n == *syscall))
                .collect();
            if rules.iter().any(|r| permits(&r.action) && r.is_unconditional()) {
                return true;
            }
            if rules.iter().any(|r| !permits(&r.action) || !r.is_unconditional()) {
                return false;
            }
            default_permits
        })
        .collect();
    let unconfined = if default_permits {
        !permitted.is_empty()
    } else {
        permitted.len() == ESCAPE_SYSCALLS.len()
    };
    Ok(if unconfined {
        Assessment::EffectivelyUnconfined {
            default_action,
            permitted,
        }
    } else {
        Assessment::Confining {
            default_action,
            permitted,
        }
    })
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
    fn broken_profiles_are_errors() {
        assert!(assess("{").unwrap_err().contains("not valid JSON"));
        assert_eq!(
            assess("{}").unwrap_err(),
            "the seccomp profile has no defaultAction"
        );
    }
}
