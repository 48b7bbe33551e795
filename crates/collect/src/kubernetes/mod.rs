//! Kubernetes manifests → one [`Workload`] per container.
//!
//! A manifest file holds one or more YAML (or JSON) documents; a document that carries
//! `apiVersion` and `kind` is a Kubernetes object. The objects with a pod template — Pod,
//! Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob (its
//! `jobTemplate`), PodTemplate — yield one workload per container of every list (`containers`,
//! `initContainers`, `ephemeralContainers`); a `List` (or any `…List` kind) contributes its
//! `items`. Other kinds (Service, ConfigMap, CRDs …) yield nothing, but the file is still a
//! manifest.
//!
//! The pod's `securityContext` is merged into each container's here, once, with Kubernetes'
//! precedence (see [`pod`]), so every rule judges the effective value.
//!
//! Bad input never panics and is bounded: a file over [`MAX_MANIFEST_BYTES`] is refused before it
//! is parsed; the YAML reader bounds nodes (alias bombs), depth and size; invalid YAML and
//! duplicate keys are a [`SourceError`] at their line. A value of the wrong type in an object
//! (`privileged: "yes"`, which the API server rejects too) is a [`SourceError`] at the value,
//! and that object yields no workloads (its facts were not read); the file's other objects do.
//! Helm or other Go templates (`{{ … }}` outside comments) are not manifests yet: the file is
//! one [`SourceError`], "not a manifest: render it first (helm template …)", at the first `{{`
//! that is a template — any `{{` when the file is not YAML; in YAML, one that YAML reads as a
//! flow mapping used as a key (`{{ .Values.x }}`), or a plain scalar holding `{{` in an object
//! with a pod. A `{{` in a quoted or block scalar, or in a plain scalar of another object (an
//! alert rule's `{{ $labels.pod }}`, a dashboard's legend), is data: rendered monitoring stacks
//! are full of them.

mod pod;
mod quantity;

use dockward_model::{SourceError, Workload};

use crate::yaml::{self, Limits, Node};

pub use quantity::scaled as quantity_scaled;

/// The largest manifest file read: larger files are refused before parsing (a clear error, not
/// an out-of-memory). Rendered charts of a whole platform stay well below it.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;

/// The deepest nesting of mappings and sequences read.
pub const MAX_MANIFEST_DEPTH: usize = 128;

/// How deep `List` items may nest inside each other (`kubectl` output never nests them).
const MAX_LIST_NESTING: usize = 8;

/// What one manifest file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// One workload per container of every pod-bearing object, in file order.
    pub workloads: Vec<Workload>,
    /// Why (part of) the file could not be read: invalid YAML, a template, a wrongly typed field.
    pub errors: Vec<SourceError>,
    /// Whether some document carries `apiVersion` and `kind`. When the file could not be parsed
    /// (invalid YAML, a template, too large), whether its text has top-level-looking
    /// `apiVersion:` and `kind:` keys, so discovery still reports such a file instead of
    /// skipping it silently.
    pub is_manifest: bool,
}

/// Reads one manifest file; `path` names it in positions and errors.
pub fn load_manifest(path: &str, text: &str) -> Manifest {
    let mut manifest = Manifest::default();
    if text.len() > MAX_MANIFEST_BYTES {
        manifest.is_manifest = looks_like_manifest(&text[..floor_char_boundary(text, 64 * 1024)]);
        manifest.errors.push(SourceError {
            path: path.to_string(),
            line: 0,
            column: 0,
            message: format!(
                "the file is {} bytes, over the {} MiB limit for a manifest: not read",
                text.len(),
                MAX_MANIFEST_BYTES / (1024 * 1024)
            ),
        });
        return manifest;
    }
    let template = first_template(text);
    let limits = Limits {
        max_bytes: MAX_MANIFEST_BYTES,
        // A CustomResourceDefinition's schema nests two levels per property level; deeply
        // structured custom resources need more than the default.
        max_depth: MAX_MANIFEST_DEPTH,
        ..Limits::default()
    };
    let parsed = yaml::load_all(path, text, &limits);
    // A `{{` is a template unless the file is YAML in which every `{{` is data: text in a
    // quoted or block scalar, or in a plain scalar of an object without a pod (an alert rule's
    // `{{ $labels.pod }}`, a dashboard's legend format).
    let template = template.and_then(|first| match &parsed {
        // Not YAML: the template is the likely reason, unless YAML failed before it.
        Err(e) => (first.0 <= e.line || e.line == 0).then_some(first),
        Ok(documents) => documents
            .iter()
            .find_map(|d| template_site(&d.root, None))
            .map(|(at, backward)| template_at(text, at.line, at.column, backward).unwrap_or(first)),
    });
    if let Some((line, column)) = template {
        manifest.is_manifest = looks_like_manifest(text);
        manifest.errors.push(SourceError {
            path: path.to_string(),
            line,
            column,
            message: "not a manifest: render it first (helm template …)".into(),
        });
        return manifest;
    }
    let documents = match parsed {
        Ok(documents) => documents,
        Err(e) => {
            manifest.is_manifest = looks_like_manifest(text);
            manifest.errors.push(e.into());
            return manifest;
        }
    };
    for document in &documents {
        if !is_object(&document.root) {
            continue;
        }
        manifest.is_manifest = true;
        object(&document.root, 0, &mut manifest);
    }
    manifest
}

/// Whether a node is a Kubernetes object: a mapping with scalar `apiVersion` and `kind`.
fn is_object(node: &Node) -> bool {
    let scalar = |key| {
        node.get(key)
            .and_then(Node::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    node.is_map() && scalar("apiVersion") && scalar("kind")
}

/// One object: its workloads, or its items for a list.
fn object(node: &Node, nesting: usize, manifest: &mut Manifest) {
    let kind = node.get("kind").and_then(Node::as_str).unwrap_or_default();
    if kind.ends_with("List") {
        let Some(items) = node.get("items").filter(|i| !i.is_null()) else {
            return;
        };
        if !items.is_seq() {
            manifest.errors.push(pod::error(
                items,
                format!("{kind} items: expected a sequence, found a {}", items.kind_name()),
            ));
            return;
        }
        if nesting >= MAX_LIST_NESTING {
            manifest.errors.push(pod::error(
                items,
                format!("{kind} items: lists nested more than {MAX_LIST_NESTING} deep are not read"),
            ));
            return;
        }
        for item in items.items() {
            // kubectl requires a kind on every item; an item without one is not an object.
            if item.is_map() && item.get("kind").and_then(Node::as_str).is_some() {
                object(item, nesting + 1, manifest);
            }
        }
        return;
    }
    match pod::workloads(node, kind) {
        Ok(workloads) => manifest.workloads.extend(workloads),
        Err(e) => manifest.errors.push(e),
    }
}

/// The first node that only a template explains: a mapping key that is not a scalar (YAML reads
/// `{{ .Values.x }}` as a flow mapping inside a flow mapping), or a plain scalar holding `{{` in
/// an object with a pod. `pod` says whether the node is inside such an object (`None` at a
/// document's root). The flag returned says the `{{` is before the node's position (a key's
/// flow mapping starts before the key).
fn template_site(node: &Node, pod: Option<bool>) -> Option<(&yaml::Mark, bool)> {
    let pod = pod.unwrap_or_else(|| is_object(node) && pod::template_path(node).is_some());
    match &node.value {
        yaml::Value::Scalar(s) if pod && !s.quoted && s.text.contains("{{") => Some((&node.at, false)),
        yaml::Value::Scalar(_) | yaml::Value::Null => None,
        yaml::Value::Seq(items) => items.iter().find_map(|i| template_site(i, Some(pod))),
        yaml::Value::Map(entries) => entries.iter().find_map(|(k, v)| {
            if k.is_map() || k.is_seq() {
                return Some((&k.at, true));
            }
            template_site(k, Some(pod)).or_else(|| {
                if is_list_items(node, k) {
                    // A list's items are objects of their own.
                    v.items().iter().find_map(|i| template_site(i, None))
                } else {
                    template_site(v, Some(pod))
                }
            })
        }),
    }
}

/// Whether `key` is the `items` key of a `…List` object, whose items are judged one by one.
fn is_list_items(node: &Node, key: &Node) -> bool {
    key.as_str() == Some("items")
        && is_object(node)
        && node
            .get("kind")
            .and_then(Node::as_str)
            .is_some_and(|k| k.ends_with("List"))
}

/// The `{{` nearest a node's position: the last one at or before it on its line when
/// `backward`, else the first one at or after it.
fn template_at(text: &str, line: u32, column: u32, backward: bool) -> Option<(u32, u32)> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let column = usize::try_from(column).ok()?.saturating_sub(1);
    let lines = yaml_lines(text).skip(index);
    for (offset, text_line) in lines.enumerate() {
        let chars: Vec<char> = text_line.chars().collect();
        let mut starts =
            (0..chars.len().saturating_sub(1)).filter(|&i| chars[i] == '{' && chars[i + 1] == '{');
        let found = if offset > 0 {
            starts.next()
        } else if backward {
            starts.rfind(|&i| i <= column)
        } else {
            starts.find(|&i| i >= column)
        };
        if let Some(i) = found {
            let line = u32::try_from(index + offset + 1).ok()?;
            return Some((line, u32::try_from(i + 1).ok()?));
        }
        if backward {
            return None;
        }
    }
    None
}

/// Whether the text has `apiVersion` and `kind` keys (YAML at a line start, or JSON keys).
fn looks_like_manifest(text: &str) -> bool {
    let has = |key: &str| {
        text.contains(&format!("\"{key}\""))
            || yaml_lines(text).any(|line| {
                let line = line.trim_start_matches([' ', '\t', '-']);
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
    };
    has("apiVersion") && has("kind")
}

/// The line and column (1-based, in characters) of the first `{{` outside a YAML comment.
/// A `#` starts a comment at a line's start or after whitespace, outside quotes.
fn first_template(text: &str) -> Option<(u32, u32)> {
    for (index, line) in yaml_lines(text).enumerate() {
        if !line.contains("{{") {
            continue;
        }
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        let mut chars = line.chars().enumerate().peekable();
        while let Some((column, c)) = chars.next() {
            match (quote, c) {
                (None, '#') if previous.is_whitespace() => break,
                (None, '"' | '\'')
                    if previous.is_whitespace() || matches!(previous, ':' | '[' | '{' | ',' | '-') =>
                {
                    quote = Some(c)
                }
                (Some('"'), '\\') => {
                    chars.next();
                }
                (Some(q), c) if q == c => quote = None,
                (_, '{') if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                    let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
                    let column = u32::try_from(column + 1).unwrap_or(u32::MAX);
                    return Some((line, column));
                }
                _ => {}
            }
            previous = c;
        }
    }
    None
}

/// The lines of a text as YAML counts them: a line ends at `\n`, `\r\n` or a lone `\r`.
pub fn yaml_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\n', '\r']) {
            Some(end) => {
                let skip = if current[end..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&current[end + skip..]).filter(|r| !r.is_empty());
                Some(&current[..end])
            }
            None => {
                rest = None;
                (!current.is_empty()).then_some(current)
            }
        }
    })
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    if index >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_found_outside_comments_only() {
        assert_eq!(first_template("a: 1\n# {{ x }}\nb: c # {{ y }}\n"), None);
        assert_eq!(first_template("a: 1\nimage: {{ .Values.image }}\n"), Some((2, 8)));
        assert_eq!(first_template("x: \"{{ .Values.a }}\"\n"), Some((1, 5)));
        assert_eq!(first_template("{{- if .Values.enabled }}\n"), Some((1, 1)));
        // A `#` inside a word or quotes does not start a comment.
        assert_eq!(first_template("a: b#{{ c }}\n"), Some((1, 6)));
        assert_eq!(first_template("a: '# {{ c }}'\n"), Some((1, 7)));
        assert_eq!(first_template("a: é{{x}}\n"), Some((1, 5)));
    }

    #[test]
    fn lines_end_as_yaml_ends_them() {
        let lines = |t| yaml_lines(t).collect::<Vec<_>>();
        assert_eq!(lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\n\nb\n"), ["a", "", "b"]);
        assert_eq!(lines("\r\r"), ["", ""]);
        assert!(lines("").is_empty());
        assert_eq!(first_template("a: 1\rb: {{ x }}\n"), Some((2, 4)));
    }

    #[test]
    fn manifest_looking_text() {
        assert!(looks_like_manifest("apiVersion: v1\nkind: Pod\n"));
        assert!(looks_like_manifest("{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}"));
        assert!(looks_like_manifest("- apiVersion: v1\n  kind: Pod\n"));
        assert!(!looks_like_manifest("services:\n  web:\n    image: nginx\n"));
        assert!(!looks_like_manifest("apiVersion: v1\n"));
    }
}
