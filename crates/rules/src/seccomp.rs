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

/// The part of Docker's seccomp profile format that decides what is allowed. Field names are
/// folded (see [`GoKeys`]), as Go's encoding/json matches them in any case.
#[derive(Debug, Deserialize)]
struct Profile {
    #[serde(rename = "defaultaction")]
    default_action: Option<String>,
    #[serde(default)]
    syscalls: Option<Vec<SyscallRule>>,
}

#[derive(Debug, Deserialize)]
struct SyscallRule {
    #[serde(default)]
    names: Option<Vec<String>>,
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
        self.names
            .iter()
            .flatten()
            .map(String::as_str)
            .chain(self.name.as_deref())
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

/// A JSON value read the way Go's encoding/json reads it into a struct, for a profile whose
/// objects are all structs: keys are case-folded (with the two non-ASCII letters Go folds onto
/// ASCII, `ſ` and the Kelvin sign), and of keys that fold alike the last wins when both values
/// are plain scalars. Any other repetition (objects, which Go merges; arrays, whose elements Go
/// reuses; `null`, which Go ignores for strings) is refused, so no profile is judged otherwise
/// than dockerd reads it.
struct GoKeys(serde_json::Value);

fn fold_key(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '\u{17f}' => 's',
            '\u{212a}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

impl<'de> Deserialize<'de> for GoKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(GoKeysVisitor).map(GoKeys)
    }
}

struct GoKeysVisitor;

impl<'de> serde::de::Visitor<'de> for GoKeysVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(GoKeys(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(serde_json::Value::Array(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let GoKeys(value) = map.next_value()?;
            let folded = fold_key(&key);
            let scalar = |v: &serde_json::Value| !(v.is_null() || v.is_object() || v.is_array());
            match out.get(&folded) {
                Some(earlier) if !(scalar(earlier) && scalar(&value)) => {
                    return Err(serde::de::Error::custom(format!(
                        "the key \"{key}\" repeats an earlier one (keys match in any case), and dockerd would merge the two"
                    )));
                }
                _ => {
                    out.insert(folded, value);
                }
            }
        }
        Ok(serde_json::Value::Object(out))
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
    let GoKeys(folded) = serde_json::from_str(profile_json)
        .map_err(|e| format!("the seccomp profile is not valid JSON: {e}"))?;
    let profile: Profile = serde_json::from_value(folded)
        .map_err(|e| format!("the seccomp profile is not a profile dockerd reads: {e}"))?;
    let syscalls = profile.syscalls.unwrap_or_default();
    let default_action = profile
        .default_action
        .ok_or_else(|| "the seccomp profile has no defaultAction".to_string())?;
    let default_permits = permits(&default_action);
    let permitted: Vec<&'static str> = ESCAPE_SYSCALLS
        .iter()
        .copied()
        .filter(|syscall| {
            let rules: Vec<&SyscallRule> = syscalls
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
            assess("{}").unwrap_err(),
            "the seccomp profile has no defaultAction"
        );
    }
}
