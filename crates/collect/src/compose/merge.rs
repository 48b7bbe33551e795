//! The compose-spec merge rules (`13-merge.md`, compose-go's `override` package), on trees that
//! keep every node's position.
//!
//! Mappings merge key by key, sequences append, scalars are replaced; `command`, `entrypoint`,
//! `healthcheck.test` and `ulimits.*` are replaced whole; `environment`, `labels`,
//! `annotations` and `sysctls` merge by variable name whether written as a mapping or a list;
//! `networks`, `depends_on` merge as mappings (a list is a mapping of names); `build` as a
//! mapping (a string is its `context`). Lists whose items have a unique key (`volumes` and
//! `devices` by target, `ports` by address, `secrets`/`configs` by target, `cap_add`,
//! `cap_drop`, `dns`, `expose`, `profiles`, …) keep one item per key: the last one written, in
//! the place of the first. `!reset` removes the value it tags, `!override` replaces instead of
//! merging.

use std::collections::HashMap;

use crate::yaml::{Mark, Node, Value};

/// Removes `key` from a mapping node and returns its value.
pub(crate) fn take_key(node: &mut Node, key: &str) -> Option<Node> {
    let Value::Map(entries) = &mut node.value else {
        return None;
    };
    let index = entries.iter().position(|(k, _)| k.as_str() == Some(key))?;
    Some(entries.remove(index).1)
}

/// The value at `key` of a mapping node, mutably.
pub(crate) fn value_mut<'n>(node: &'n mut Node, key: &str) -> Option<&'n mut Node> {
    let Value::Map(entries) = &mut node.value else {
        return None;
    };
    entries
        .iter_mut()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// Marks every node of `node` as pulled in through `site` (an `extends` key).
pub(crate) fn add_via(node: &mut Node, site: &Mark) {
    node.via.push(site.clone());
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|i| add_via(i, site)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            add_via(k, site);
            add_via(v, site);
        }),
        _ => {}
    }
}

/// Merges one file's document onto the model of the files before it.
pub(crate) fn merge_file(base: Option<Node>, over: Node) -> Node {
    match base {
        None => clean(over),
        Some(base) => merge(base, over, &mut Vec::new()),
    }
}

/// Merges a service onto the service it extends.
pub(crate) fn merge_service(base: Node, own: Node) -> Node {
    let mut path = vec!["services".to_string(), "*".to_string()];
    merge(base, own, &mut path)
}

/// Imports an included project's resources into `doc`; what `doc` itself defines wins.
pub(crate) fn import_resources(doc: &mut Node, imported: Node, at: &Mark) {
    let Value::Map(imported) = imported.value else {
        return;
    };
    for (key, from) in imported {
        let Some(kind) = key.as_str() else { continue };
        if !matches!(kind, "services" | "volumes" | "networks" | "secrets" | "configs") {
            continue;
        }
        let Value::Map(from) = from.value else { continue };
        let Value::Map(entries) = &mut doc.value else {
            return;
        };
        let index = match entries.iter().position(|(k, _)| k.as_str() == Some(kind)) {
            Some(i) => i,
            None => {
                entries.push((
                    super::scalar_at(kind, at),
                    Node {
                        value: Value::Map(Vec::new()),
                        at: at.clone(),
                        via: Vec::new(),
                        tag: None,
                    },
                ));
                entries.len() - 1
            }
        };
        let target = &mut entries[index].1;
        if !matches!(target.value, Value::Map(_)) {
            target.value = Value::Map(Vec::new());
        }
        let Value::Map(target) = &mut target.value else {
            continue;
        };
        for (name, resource) in from {
            match target.iter().position(|(k, _)| k.as_str() == name.as_str()) {
                None => target.push((name, resource)),
                Some(i) => {
                    let local = std::mem::replace(&mut target[i].1, null_at(at));
                    let mut path = vec![kind.to_string(), "*".to_string()];
                    target[i].1 = merge(resource, local, &mut path);
                }
            }
        }
    }
}

fn null_at(at: &Mark) -> Node {
    Node {
        value: Value::Null,
        at: at.clone(),
        via: Vec::new(),
        tag: None,
    }
}

/// Removes what `!reset` tags and forgets `!override` tags (there is nothing to reset or
/// override in a value with no base).
fn clean(mut node: Node) -> Node {
    node.tag = None;
    node.value = match node.value {
        Value::Seq(items) => Value::Seq(
            items
                .into_iter()
                .filter(|i| i.tag.as_deref() != Some("!reset"))
                .map(clean)
                .collect(),
        ),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .filter(|(_, v)| v.tag.as_deref() != Some("!reset"))
                .map(|(k, v)| (k, clean(v)))
                .collect(),
        ),
        other => other,
    };
    node
}

fn matches(path: &[String], pattern: &[&str]) -> bool {
    path.len() == pattern.len() && path.iter().zip(pattern).all(|(p, q)| *q == "*" || p == q)
}

/// Keys whose value is replaced, never merged.
const REPLACED: &[&[&str]] = &[
    &["services", "*", "command"],
    &["services", "*", "entrypoint"],
    &["services", "*", "healthcheck", "test"],
    &["services", "*", "ulimits", "*"],
];

/// Keys holding `NAME=value` items or a `NAME: value` mapping, merged by name.
const KEY_VALUE: &[&[&str]] = &[
    &["services", "*", "environment"],
    &["services", "*", "labels"],
    &["services", "*", "annotations"],
    &["services", "*", "sysctls"],
    &["services", "*", "build", "args"],
    &["services", "*", "deploy", "labels"],
];

/// Keys whose list form is a mapping of names.
const NAME_MAPPINGS: &[&[&str]] = &[&["services", "*", "networks"], &["services", "*", "depends_on"]];

fn merge(base: Node, over: Node, path: &mut Vec<String>) -> Node {
    if over.tag.as_deref() == Some("!override") || REPLACED.iter().any(|p| matches(path, p)) {
        return clean(over);
    }
    // An empty value in a later file changes nothing (compose-go's MergeYaml).
    if over.is_null() && over.tag.is_none() {
        return base;
    }
    if KEY_VALUE.iter().any(|p| matches(path, p)) {
        return merge_key_values(base, over);
    }
    let (base, over) = if NAME_MAPPINGS.iter().any(|p| matches(path, p)) {
        (names_to_map(base), names_to_map(over))
    } else if matches(path, &["services", "*", "build"]) {
        (build_to_map(base), build_to_map(over))
    } else {
        (base, over)
    };
    if matches(path, &["services", "*", "logging"]) {
        let driver = |n: &Node| n.get("driver").and_then(Node::as_str).map(str::to_string);
        if let (Some(a), Some(b)) = (driver(&base), driver(&over))
            && a != b
        {
            return clean(over);
        }
    }
    match (base.value, over.value) {
        (Value::Map(entries), Value::Map(others)) => {
            // Entries by key, for merges of large mappings in linear time; `None` once reset.
            let mut entries: Vec<Option<(Node, Node)>> = entries.into_iter().map(Some).collect();
            let mut index: HashMap<String, usize> = entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| Some((e.as_ref()?.0.as_str()?.to_string(), i)))
                .collect();
            for (key, value) in others {
                let name = key.as_str().unwrap_or_default().to_string();
                let existing = index.get(&name).copied();
                if value.tag.as_deref() == Some("!reset") {
                    if let Some(i) = existing {
                        entries[i] = None;
                        index.remove(&name);
                    }
                    continue;
                }
                match existing {
                    Some(i) => {
                        let Some(entry) = entries[i].as_mut() else {
                            continue;
                        };
                        let old = std::mem::replace(&mut entry.1, null_at(&value.at));
                        // Two mappings merge under the key written first (a service keeps the
                        // position of its definition), and an empty later value changes nothing;
                        // any other value is the later file's, and a finding about it points at
                        // the later key.
                        let keep_key =
                            (old.is_map() && value.is_map()) || (value.is_null() && value.tag.is_none());
                        path.push(name);
                        let merged = merge(old, value, path);
                        path.pop();
                        match &mut entries[i] {
                            Some(entry) if keep_key => entry.1 = merged,
                            slot => *slot = Some((key, merged)),
                        }
                    }
                    None => {
                        index.insert(name, entries.len());
                        entries.push(Some((key, clean(value))));
                    }
                }
            }
            Node {
                value: Value::Map(entries.into_iter().flatten().collect()),
                at: over.at,
                via: over.via,
                tag: None,
            }
        }
        (Value::Seq(mut items), Value::Seq(others)) => {
            items.extend(
                others
                    .into_iter()
                    .filter(|i| i.tag.as_deref() != Some("!reset"))
                    .map(clean),
            );
            Node {
                value: Value::Seq(items),
                at: over.at,
                via: over.via,
                tag: None,
            }
        }
        (_, value) => clean(Node {
            value,
            at: over.at,
            via: over.via,
            tag: over.tag,
        }),
    }
}

/// `[a, b]` → `{a: null, b: null}`.
fn names_to_map(node: Node) -> Node {
    match node.value {
        Value::Seq(items) => Node {
            value: Value::Map(
                items
                    .into_iter()
                    .map(|i| {
                        let null = null_at(&i.at);
                        (i, null)
                    })
                    .collect(),
            ),
            ..node
        },
        _ => node,
    }
}

/// `build: ./dir` → `build: {context: ./dir}`.
fn build_to_map(node: Node) -> Node {
    match node.value {
        Value::Scalar(_) => {
            let key = super::scalar_at("context", &node.at);
            let at = node.at.clone();
            let via = node.via.clone();
            Node {
                value: Value::Map(vec![(key, node)]),
                at,
                via,
                tag: None,
            }
        }
        _ => node,
    }
}

/// `NAME=value` items or `NAME: value` entries as (name key node, value node) pairs.
pub(crate) fn key_values(node: &Node) -> Vec<(Node, Node)> {
    match &node.value {
        Value::Map(entries) => entries.clone(),
        Value::Seq(items) => items
            .iter()
            .filter_map(|item| {
                let text = item.as_str()?;
                let (name, value) = match text.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (text, None),
                };
                let key = Node {
                    value: Value::Scalar(crate::yaml::Scalar {
                        text: name.to_string(),
                        quoted: true,
                    }),
                    ..item.clone()
                };
                let value = match value {
                    Some(v) => Node {
                        value: Value::Scalar(crate::yaml::Scalar {
                            text: v.to_string(),
                            quoted: true,
                        }),
                        ..item.clone()
                    },
                    None => Node {
                        value: Value::Null,
                        ..item.clone()
                    },
                };
                Some((key, value))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn merge_key_values(base: Node, over: Node) -> Node {
    let mut entries: Vec<Option<(Node, Node)>> = key_values(&base).into_iter().map(Some).collect();
    let mut index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((e.as_ref()?.0.as_str()?.to_string(), i)))
        .collect();
    for (key, value) in key_values(&over) {
        let name = key.as_str().unwrap_or_default().to_string();
        let existing = index.get(&name).copied();
        if value.tag.as_deref() == Some("!reset") {
            if let Some(i) = existing {
                entries[i] = None;
                index.remove(&name);
            }
            continue;
        }
        match existing {
            Some(i) => entries[i] = Some((key, clean(value))),
            None => {
                index.insert(name, entries.len());
                entries.push(Some((key, clean(value))));
            }
        }
    }
    Node {
        value: Value::Map(entries.into_iter().flatten().collect()),
        at: over.at,
        via: over.via,
        tag: None,
    }
}

/// After every file is merged: one item per unique key in the lists that have one.
pub(crate) fn finish(mut model: Node) -> Node {
    if let Some(services) = value_mut(&mut model, "services")
        && let Value::Map(services) = &mut services.value
    {
        for (_, service) in services.iter_mut() {
            let Value::Map(fields) = &mut service.value else {
                continue;
            };
            for (key, value) in fields.iter_mut() {
                let Some(name) = key.as_str() else { continue };
                let Some(indexer) = unique_key(name) else { continue };
                if let Value::Seq(items) = &mut value.value {
                    let mut kept: Vec<Node> = Vec::with_capacity(items.len());
                    let mut keys: HashMap<String, usize> = HashMap::new();
                    for item in std::mem::take(items) {
                        match keys.entry(indexer(&item)) {
                            std::collections::hash_map::Entry::Occupied(i) => kept[*i.get()] = item,
                            std::collections::hash_map::Entry::Vacant(slot) => {
                                slot.insert(kept.len());
                                kept.push(item);
                            }
                        }
                    }
                    *items = kept;
                }
            }
        }
    }
    model
}

type Indexer = fn(&Node) -> String;

fn unique_key(field: &str) -> Option<Indexer> {
    Some(match field {
        "volumes" => volume_key,
        "devices" => device_key,
        "ports" => port_key,
        "secrets" => |n| mount_key(n, "/run/secrets/"),
        "configs" => |n| mount_key(n, "/"),
        "cap_add" | "cap_drop" | "dns" | "dns_opt" | "dns_search" | "expose" | "links" | "profiles"
        | "tmpfs" | "external_links" => key_value_key,
        "env_file" => |n| {
            n.get("path")
                .unwrap_or(n)
                .as_str()
                .unwrap_or_default()
                .to_string()
        },
        _ => return None,
    })
}

fn key_value_key(node: &Node) -> String {
    let text = node.as_str().unwrap_or_default();
    text.split_once('=').map_or(text, |(k, _)| k).to_string()
}

fn volume_key(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => node
            .get("target")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => super::service::short_volume_target(node.as_str().unwrap_or_default()),
    }
}

fn device_key(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => node
            .get("target")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => {
            let text = node.as_str().unwrap_or_default();
            let mut parts = text.split(':');
            let first = parts.next().unwrap_or_default();
            parts.next().unwrap_or(first).to_string()
        }
    }
}

fn port_key(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => {
            let field = |k: &str| node.get(k).and_then(Node::as_str).map(str::to_string);
            format!(
                "{}:{}:{}/{}",
                field("host_ip").unwrap_or_else(|| "0.0.0.0".into()),
                field("published").unwrap_or_default(),
                field("target").unwrap_or_default(),
                field("protocol").unwrap_or_else(|| "tcp".into())
            )
        }
        _ => node.as_str().unwrap_or_default().to_string(),
    }
}

fn mount_key(node: &Node, dir: &str) -> String {
    match &node.value {
        Value::Map(_) => match node.get("target").and_then(Node::as_str) {
            Some(target) => target.to_string(),
            None => format!(
                "{dir}{}",
                node.get("source").and_then(Node::as_str).unwrap_or_default()
            ),
        },
        _ => format!("{dir}{}", node.as_str().unwrap_or_default()),
    }
}
