//! Daemon configuration files and seccomp profiles read on their own, for `dockward lint`: the
//! same reading the audit gives the running daemon's daemon.json, with the position of every key.

use std::collections::BTreeMap;

use crate::parse::json::{self, JsonError, JsonKind};
use std::collections::HashMap;

use dockward_model::seccomp::{GoKeys, fold_key};
use dockward_model::{
    ConfigFile, ConfigFileState, ConfigProblem, ConfigProblemKind, DaemonConfig, DaemonFacts, DaemonProcess,
    Provenance, SeccompProfile, SeccompProfileFile, Setting, SourceError,
};

/// Largest configuration file read: far beyond any real daemon.json or seccomp profile (Docker's
/// own profile is under 20 KiB), small enough to parse in well under a second.
pub const MAX_CONFIG_BYTES: usize = 4 << 20;

/// Why a daemon.json cannot be read as dockerd reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DaemonJsonError {
    /// Not valid JSON.
    Syntax(JsonError),
    /// Valid JSON, but the top level is a `kind_name` at `line`:`column`.
    NotAnObject {
        kind: &'static str,
        line: u32,
        column: u32,
    },
}

impl DaemonJsonError {
    /// The reason as the audit states it in `ConfigFileState::Invalid`.
    pub(crate) fn reason(&self) -> String {
        match self {
            DaemonJsonError::Syntax(e) => e.to_string(),
            DaemonJsonError::NotAnObject { .. } => "the top level is not a JSON object".into(),
        }
    }

    fn into_source_error(self, path: &str) -> SourceError {
        match self {
            DaemonJsonError::Syntax(e) => SourceError {
                path: path.into(),
                line: e.line,
                column: e.column,
                message: format!("not valid JSON: {}", e.message),
            },
            DaemonJsonError::NotAnObject { kind, line, column } => SourceError {
                path: path.into(),
                line,
                column,
                message: format!(
                    "the top level is a JSON {kind}, not an object: dockerd refuses to start with it"
                ),
            },
        }
    }
}

/// The settings of a daemon.json text, each at its key's position, and the problems dockerd would
/// have with them (a key set twice, a value of the wrong type). The audit reads the running
/// daemon's file with this too, so lint and audit cannot disagree about a file.
pub(crate) fn read_daemon_json(
    path: &str,
    text: &str,
) -> Result<(BTreeMap<String, Setting>, Vec<ConfigProblem>), DaemonJsonError> {
    let tree = json::parse_tree(text).map_err(DaemonJsonError::Syntax)?;
    let JsonKind::Object(members) = &tree.kind else {
        return Err(DaemonJsonError::NotAnObject {
            kind: tree.kind_name(),
            line: tree.line,
            column: tree.column,
        });
    };
    let mut settings: BTreeMap<String, Setting> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, Provenance> = BTreeMap::new();
    for member in members {
        let at = Provenance::file(path, member.line, member.column);
        if let Some(first) = seen.insert(&member.key, at.clone()) {
            problems.push(ConfigProblem {
                kind: ConfigProblemKind::DuplicateKey,
                key: Some(member.key.clone()),
                message: format!(
                    "{} is set twice in {path} ({first} and {at}); the last one wins",
                    member.key
                ),
                at: vec![first, at.clone()],
            });
        }
        settings.insert(
            member.key.clone(),
            Setting {
                value: member.value.to_value(),
                at,
            },
        );
    }
    // Judged on the value that wins, as dockerd would read it.
    for (key, setting) in &settings {
        if let Some(problem) = invalid_value(key, setting) {
            problems.push(problem);
        }
    }
    Ok((settings, problems))
}

/// The JSON type dockerd's configuration struct gives the keys the rules read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expected {
    Bool,
    String,
    Strings,
    Object,
}

fn expected_type(key: &str) -> Option<Expected> {
    Some(match key {
        "icc" | "iptables" | "ip6tables" | "ip-forward" | "ip-masq" | "tls" | "tlsverify"
        | "userland-proxy" | "no-new-privileges" | "live-restore" | "experimental" | "debug"
        | "selinux-enabled" => Expected::Bool,
        "log-level" | "cgroup-parent" | "userns-remap" | "log-driver" | "seccomp-profile"
        | "storage-driver" | "tlscacert" | "tlscert" | "tlskey" => Expected::String,
        "hosts" | "insecure-registries" | "authorization-plugins" | "storage-opts" | "registry-mirrors" => {
            Expected::Strings
        }
        "default-ulimits" | "log-opts" => Expected::Object,
        _ => return None,
    })
}

/// The problem with a value Go's encoding/json would refuse to put into dockerd's configuration
/// (`null` leaves a setting at its default, as in Go).
fn invalid_value(key: &str, setting: &Setting) -> Option<ConfigProblem> {
    let expected = expected_type(key)?;
    let value = &setting.value;
    let fits = match expected {
        _ if value.is_null() => true,
        Expected::Bool => value.is_boolean(),
        Expected::String => value.is_string(),
        Expected::Strings => value
            .as_array()
            .is_some_and(|items| items.iter().all(|v| v.is_string() || v.is_null())),
        Expected::Object => value.is_object(),
    };
    if fits {
        return None;
    }
    let wanted = match expected {
        Expected::Bool => "a boolean (true or false)",
        Expected::String => "a string",
        Expected::Strings => "a list of strings",
        Expected::Object => "an object",
    };
    Some(ConfigProblem {
        kind: ConfigProblemKind::InvalidValue,
        key: Some(key.to_string()),
        message: format!("{key} must be {wanted}, not {value} ({})", setting.at),
        at: vec![setting.at.clone()],
    })
}

/// The facts of one daemon.json linted on its own: its settings at their keys' positions and its
/// problems, with no running daemon behind them ([`DaemonFacts::file_only`]). Invalid JSON, a
/// top level that is not an object, or a file over [`MAX_CONFIG_BYTES`] is an error at its
/// line (line 0 for the size).
pub fn daemon_json_facts(path: &str, text: &str) -> Result<DaemonFacts, SourceError> {
    check_size(path, text)?;
    let (settings, problems) = read_daemon_json(path, text).map_err(|e| e.into_source_error(path))?;
    Ok(DaemonFacts {
        endpoint: path.to_string(),
        info: None,
        info_error: Some(NO_RUNNING_DAEMON.into()),
        config: Some(DaemonConfig {
            // No process runs this file; the rules that would read one are not applicable.
            process: DaemonProcess {
                pid: 0,
                exe: None,
                uid: 0,
                argv: Vec::new(),
                found_by: NO_RUNNING_DAEMON.into(),
                systemd_unit: None,
            },
            config_file: ConfigFile {
                path: path.to_string(),
                explicit: true,
                state: ConfigFileState::Read,
            },
            settings,
            unit: None,
            problems,
        }),
        file_only: true,
        ..DaemonFacts::default()
    })
}

const NO_RUNNING_DAEMON: &str = "a daemon.json linted on its own: no running daemon was examined";

fn check_size(path: &str, text: &str) -> Result<(), SourceError> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(SourceError {
            path: path.into(),
            line: 0,
            column: 0,
            message: format!(
                "the file is {} bytes, over the {MAX_CONFIG_BYTES}-byte limit for a configuration file",
                text.len()
            ),
        });
    }
    Ok(())
}

/// Whether `text` is a seccomp profile: a JSON object with a `defaultAction` or a `syscalls` key
/// (in any case, as dockerd matches them). For discovery: anything else, or a file too big to
/// read, is not one.
pub fn looks_like_seccomp_profile(text: &str) -> bool {
    if text.len() > MAX_CONFIG_BYTES {
        return false;
    }
    match json::parse_tree(text) {
        Ok(tree) => match &tree.kind {
            JsonKind::Object(members) => members.iter().any(|m| {
                let key = fold_key(&m.key);
                key == "defaultaction" || key == "syscalls"
            }),
            _ => false,
        },
        Err(_) => false,
    }
}

/// Reads a seccomp profile file as dockerd reads it (Go's encoding/json: keys match in any case;
/// see [`SeccompProfile::from_value`]), each part at its position: `defaultAction`,
/// `architectures`, `archMap` and `syscalls` at their keys, each `archMap` and `syscalls` entry
/// where it starts. Invalid JSON, a top level that is not an object, a profile dockerd refuses or
/// a file over [`MAX_CONFIG_BYTES`] is an error at its line (line 0 for the size).
pub fn seccomp_profile(path: &str, text: &str) -> Result<SeccompProfileFile, SourceError> {
    check_size(path, text)?;
    let at = |line: u32, column: u32, message: String| SourceError {
        path: path.into(),
        line,
        column,
        message,
    };
    let tree =
        json::parse_tree(text).map_err(|e| at(e.line, e.column, format!("not valid JSON: {}", e.message)))?;
    let JsonKind::Object(members) = &tree.kind else {
        return Err(at(
            tree.line,
            tree.column,
            format!(
                "the top level is a JSON {}, not an object: not a seccomp profile",
                tree.kind_name()
            ),
        ));
    };
    // The same key folding (and refusal of repeated lists and objects) as a container's inline
    // profile gets.
    let GoKeys(folded) = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        // serde_json stops after the repeated value; the key that repeats is where to look.
        let (line, column) = repeated_key(&tree).unwrap_or((
            u32::try_from(e.line()).unwrap_or(u32::MAX),
            u32::try_from(e.column()).unwrap_or(u32::MAX),
        ));
        at(line, column, format!("not a profile dockerd reads: {message}"))
    })?;
    // Positions of the parts the profile's reading asks for, by folded pointer; of repeated keys
    // the last wins, as its value does.
    let mut index: HashMap<String, (u32, u32)> = HashMap::new();
    index.insert(String::new(), (tree.line, tree.column));
    for member in members {
        let key = fold_key(&member.key);
        index.insert(format!("/{key}"), (member.line, member.column));
        if let JsonKind::Array(items) = &member.value.kind
            && (key == "syscalls" || key == "archmap")
        {
            for (i, item) in items.iter().enumerate() {
                index.insert(format!("/{key}/{i}"), (item.line, item.column));
            }
        }
    }
    let locate = |pointer: &str| {
        let (line, column) = index.get(pointer).copied().unwrap_or((tree.line, tree.column));
        Provenance::file(path, line, column)
    };
    let profile = SeccompProfile::from_value(&folded, &locate).map_err(|message| {
        // The reading names the entry it refuses; point at it when it is one.
        let (line, column) = message
            .split_once('[')
            .and_then(|(field, rest)| {
                let i = rest.split(']').next()?;
                index.get(&format!("/{}/{i}", fold_key(field))).copied()
            })
            .or_else(|| {
                let key = message.split([' ', '.']).next()?;
                index.get(&format!("/{}", fold_key(key))).copied()
            })
            .unwrap_or((tree.line, tree.column));
        at(line, column, format!("not a profile dockerd reads: {message}"))
    })?;
    Ok(SeccompProfileFile {
        path: path.to_string(),
        profile,
    })
}

/// The first key that folds like an earlier one of its object where Go would merge the two
/// values (either is a list, an object or `null`), as [`GoKeys`] refuses it.
fn repeated_key(node: &json::JsonNode) -> Option<(u32, u32)> {
    let composite =
        |n: &json::JsonNode| matches!(n.kind, JsonKind::Null | JsonKind::Array(_) | JsonKind::Object(_));
    match &node.kind {
        JsonKind::Object(members) => {
            let mut seen: HashMap<String, &json::JsonNode> = HashMap::new();
            for member in members {
                if let Some(earlier) = seen.insert(fold_key(&member.key), &member.value)
                    && (composite(earlier) || composite(&member.value))
                {
                    return Some((member.line, member.column));
                }
                if let Some(found) = repeated_key(&member.value) {
                    return Some(found);
                }
            }
            None
        }
        JsonKind::Array(items) => items.iter().find_map(repeated_key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_the_wrong_type_are_problems_at_their_key() {
        let (settings, problems) = read_daemon_json(
            "d.json",
            "{\"icc\": \"no\",\n \"hosts\": \"tcp://0.0.0.0:2375\", \"debug\": null, \"custom\": 1}",
        )
        .unwrap();
        assert_eq!(settings.len(), 4);
        let found: Vec<(ConfigProblemKind, &str, &str)> = problems
            .iter()
            .map(|p| (p.kind, p.key.as_deref().unwrap_or_default(), p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    ConfigProblemKind::InvalidValue,
                    "hosts",
                    "hosts must be a list of strings, not \"tcp://0.0.0.0:2375\" (d.json:2:2)"
                ),
                (
                    ConfigProblemKind::InvalidValue,
                    "icc",
                    "icc must be a boolean (true or false), not \"no\" (d.json:1:2)"
                ),
            ]
        );
    }
}
