//! A seccomp profile in Docker's format (`defaultAction`, `architectures` / `archMap`,
//! `syscalls`), read the way dockerd reads it.
//!
//! dockerd decodes a profile with Go's encoding/json into a struct: keys match in any case, an
//! unknown key is ignored, `null` leaves a field empty. One reading ([`SeccompProfile::from_value`])
//! serves the profile inlined in a container's `SecurityOpt` and a profile file linted on its own;
//! only where the positions come from differs.

use serde::Deserialize;
use serde_json::Value;

use crate::fact::{Fact, Provenance};

/// A seccomp profile file linted on its own.
#[derive(Clone, Debug, PartialEq)]
pub struct SeccompProfileFile {
    /// The file, as given.
    pub path: String,
    /// What it says, each part at its position in the file.
    pub profile: SeccompProfile,
}

/// What a seccomp profile says.
#[derive(Clone, Debug, PartialEq)]
pub struct SeccompProfile {
    /// Where the profile (its top-level object) is.
    pub at: Provenance,
    /// `defaultAction`, at its key; `None` when absent or `null`.
    pub default_action: Option<Fact<String>>,
    /// `architectures`, at its key; `None` when absent or `null`.
    pub architectures: Option<Fact<Vec<String>>>,
    /// `archMap`, at its key; `None` when absent or `null`.
    pub arch_map: Option<Fact<Vec<ArchMapEntry>>>,
    /// `syscalls`, in order.
    pub syscalls: Vec<SyscallRule>,
    /// Where `syscalls` is, when given.
    pub syscalls_at: Option<Provenance>,
}

/// One `archMap` entry: a machine architecture and the sub-architectures (ABIs) its programs may
/// also use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchMapEntry {
    /// `architecture`, e.g. `SCMP_ARCH_X86_64`.
    pub architecture: String,
    /// `subArchitectures`, e.g. `SCMP_ARCH_X86`, `SCMP_ARCH_X32`.
    pub sub_architectures: Vec<String>,
    /// Where the entry is.
    pub at: Provenance,
}

/// One entry of `syscalls`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyscallRule {
    /// The syscalls it names (`names`, or the pre-1.12 `name`).
    pub names: Vec<String>,
    /// `action`, e.g. `SCMP_ACT_ALLOW`.
    pub action: String,
    /// What it is conditional on, when anything: `args`, `includes.caps`, `excludes.arches`,
    /// `includes.minKernel` …; empty when it applies whatever the arguments, capabilities,
    /// architecture and kernel.
    pub conditions: Vec<String>,
    /// Where the entry is.
    pub at: Provenance,
}

impl SyscallRule {
    /// Whether the rule applies whatever the arguments, capabilities, architecture and kernel.
    pub fn is_unconditional(&self) -> bool {
        self.conditions.is_empty()
    }
}

/// A key folded the way Go's encoding/json matches struct fields: ASCII case-insensitively, with
/// the two non-ASCII letters Go folds onto ASCII (`ſ` onto `s`, the Kelvin sign onto `k`).
pub fn fold_key(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '\u{17f}' => 's',
            '\u{212a}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A JSON value read the way Go's encoding/json reads it into a struct, for a profile whose
/// objects are all structs: keys are folded ([`fold_key`]), and of keys that fold alike the last
/// wins when both values are plain scalars. Any other repetition (objects, which Go merges;
/// arrays, whose elements Go reuses; `null`, which Go ignores for strings) is refused, so no
/// profile is judged otherwise than dockerd reads it.
pub struct GoKeys(pub Value);

impl<'de> Deserialize<'de> for GoKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(GoKeysVisitor).map(GoKeys)
    }
}

struct GoKeysVisitor;

impl<'de> serde::de::Visitor<'de> for GoKeysVisitor {
    type Value = Value;

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
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(GoKeys(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let GoKeys(value) = map.next_value()?;
            let folded = fold_key(&key);
            let scalar = |v: &Value| !(v.is_null() || v.is_object() || v.is_array());
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
        Ok(Value::Object(out))
    }
}

/// Where the parts of a profile are, by JSON pointer over folded keys: `""` (the profile),
/// `/defaultaction`, `/architectures`, `/archmap`, `/archmap/0`, `/syscalls`, `/syscalls/3`.
pub type Locate<'a> = &'a dyn Fn(&str) -> Provenance;

impl SeccompProfile {
    /// Reads a profile from its key-folded JSON ([`GoKeys`]) as dockerd does, placing each part
    /// with `locate`. Errors are what dockerd refuses: a value of the wrong type, a `null`
    /// syscall entry, an entry with both `name` and `names` or without an action.
    pub fn from_value(value: &Value, locate: Locate<'_>) -> Result<SeccompProfile, String> {
        let Value::Object(top) = value else {
            return Err(format!("the profile is {}, not a JSON object", kind(value)));
        };
        let default_action = string(top.get("defaultaction"), "defaultAction")?.map(|value| Fact {
            value,
            at: locate("/defaultaction"),
        });
        let architectures = strings(top.get("architectures"), "architectures")?.map(|value| Fact {
            value,
            at: locate("/architectures"),
        });
        let arch_map = match top.get("archmap") {
            None | Some(Value::Null) => None,
            Some(Value::Array(entries)) => {
                let mut out = Vec::with_capacity(entries.len());
                for (i, entry) in entries.iter().enumerate() {
                    let what = format!("archMap[{i}]");
                    let fields = object(entry, &what)?;
                    out.push(ArchMapEntry {
                        architecture: string(fields.get("architecture"), &format!("{what}.architecture"))?
                            .unwrap_or_default(),
                        sub_architectures: strings(
                            fields.get("subarchitectures"),
                            &format!("{what}.subArchitectures"),
                        )?
                        .unwrap_or_default(),
                        at: locate(&format!("/archmap/{i}")),
                    });
                }
                Some(Fact {
                    value: out,
                    at: locate("/archmap"),
                })
            }
            Some(other) => return Err(format!("archMap is {}, not a list", kind(other))),
        };
        let (syscalls, syscalls_at) = match top.get("syscalls") {
            None | Some(Value::Null) => (Vec::new(), None),
            Some(Value::Array(entries)) => {
                let mut out = Vec::with_capacity(entries.len());
                for (i, entry) in entries.iter().enumerate() {
                    out.push(syscall_rule(entry, i, locate(&format!("/syscalls/{i}")))?);
                }
                (out, Some(locate("/syscalls")))
            }
            Some(other) => return Err(format!("syscalls is {}, not a list", kind(other))),
        };
        Ok(SeccompProfile {
            at: locate(""),
            default_action,
            architectures,
            arch_map,
            syscalls,
            syscalls_at,
        })
    }
}

fn syscall_rule(entry: &Value, i: usize, at: Provenance) -> Result<SyscallRule, String> {
    let what = format!("syscalls[{i}]");
    if entry.is_null() {
        return Err(format!(
            "{what} is null: dockerd refuses a profile with a null syscall entry"
        ));
    }
    let fields = object(entry, &what)?;
    let name = string(fields.get("name"), &format!("{what}.name"))?.filter(|n| !n.is_empty());
    let mut names = strings(fields.get("names"), &format!("{what}.names"))?.unwrap_or_default();
    if let Some(name) = name {
        if !names.is_empty() {
            return Err(format!(
                "{what} has both 'name' and 'names': dockerd refuses it (use either 'name' or 'names')"
            ));
        }
        names.push(name);
    }
    let action = string(fields.get("action"), &format!("{what}.action"))?
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("{what} has no action: dockerd refuses it"))?;
    let mut conditions = Vec::new();
    if fields.get("args").is_some_and(|a| !is_empty(a)) {
        conditions.push("args".to_string());
    }
    for side in ["includes", "excludes"] {
        match fields.get(side) {
            None | Some(Value::Null) => {}
            Some(Value::Object(filter)) => {
                for (key, value) in filter {
                    if !is_empty(value) {
                        let key = match key.as_str() {
                            "minkernel" => "minKernel",
                            other => other,
                        };
                        conditions.push(format!("{side}.{key}"));
                    }
                }
            }
            Some(other) => return Err(format!("{what}.{side} is {}, not an object", kind(other))),
        }
    }
    Ok(SyscallRule {
        names,
        action,
        conditions,
        at,
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a serde_json::Map<String, Value>, String> {
    match value {
        Value::Object(fields) => Ok(fields),
        other => Err(format!("{what} is {}, not an object", kind(other))),
    }
}

fn string(value: Option<&Value>, what: &str) -> Result<Option<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{what} is {}, not a string", kind(other))),
    }
}

fn strings(value: Option<&Value>, what: &str) -> Result<Option<Vec<String>>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                // Go leaves a null element of a []string empty.
                Value::Null => Ok(String::new()),
                other => Err(format!("{what} holds {}, not only strings", kind(other))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(format!("{what} is {}, not a list", kind(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<SeccompProfile, String> {
        let GoKeys(value) = serde_json::from_str(json).map_err(|e| e.to_string())?;
        SeccompProfile::from_value(&value, &|pointer| Provenance::pointer(pointer.to_string()))
    }

    #[test]
    fn parts_are_placed_by_folded_pointer_and_conditions_named() {
        let p = read(
            r#"{"DefaultAction": "SCMP_ACT_ERRNO", "ARCHMAP": [{"Architecture": "SCMP_ARCH_X86_64", "subArchitectures": null}],
                "syscalls": [{"name": "bpf", "action": "SCMP_ACT_ALLOW", "args": [], "includes": {"caps": ["CAP_BPF"], "minKernel": "4.8"}, "excludes": {"arches": []}},
                             {"names": ["read", null], "action": "SCMP_ACT_ALLOW", "comment": "ignored"}]}"#,
        )
        .unwrap();
        assert_eq!(
            p.default_action.unwrap().at,
            Provenance::pointer("/defaultaction")
        );
        let map = p.arch_map.unwrap();
        assert_eq!(map.value[0].architecture, "SCMP_ARCH_X86_64");
        assert_eq!(map.value[0].at, Provenance::pointer("/archmap/0"));
        assert!(map.value[0].sub_architectures.is_empty());
        assert_eq!(p.syscalls[0].names, ["bpf"]);
        assert_eq!(p.syscalls[0].conditions, ["includes.caps", "includes.minKernel"]);
        assert_eq!(p.syscalls[1].names, ["read", ""]);
        assert!(p.syscalls[1].is_unconditional());
        assert_eq!(p.syscalls[1].at, Provenance::pointer("/syscalls/1"));
        assert_eq!(p.syscalls_at, Some(Provenance::pointer("/syscalls")));
    }

    #[test]
    fn what_dockerd_refuses_is_an_error() {
        assert_eq!(
            read("[]").unwrap_err(),
            "the profile is a list, not a JSON object"
        );
        assert_eq!(
            read(r#"{"syscalls": {}}"#).unwrap_err(),
            "syscalls is an object, not a list"
        );
        assert_eq!(
            read(r#"{"syscalls": [{"names": ["a"], "action": 1}]}"#).unwrap_err(),
            "syscalls[0].action is a number, not a string"
        );
        assert_eq!(
            read(r#"{"architectures": ["SCMP_ARCH_X86", 2]}"#).unwrap_err(),
            "architectures holds a number, not only strings"
        );
        assert_eq!(
            read(r#"{"archMap": [{"architecture": "x", "subArchitectures": "y"}]}"#).unwrap_err(),
            "archMap[0].subArchitectures is a string, not a list"
        );
    }
}
