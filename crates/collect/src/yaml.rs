//! YAML (and JSON) with a position on every node, for compose files, Kubernetes manifests and
//! configuration files whose findings must point at the offending key.
//!
//! Built on `saphyr-parser`'s event stream rather than a serde deserializer: compose needs the
//! tags (`!reset`, `!override`), every key's position, and for a value pulled in through an alias
//! or a `<<` merge key both where it is written and where it was pulled in. Aliases are expanded
//! here, against a node budget, so an alias bomb is an error instead of an exhausted machine.

use std::collections::HashMap;
use std::sync::Arc;

use dockward_model::{Location, Provenance, SourceError};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Bounds on what one file may cost.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest text accepted, in bytes.
    pub max_bytes: usize,
    /// Most nodes the file may expand to, aliases expanded: an alias bomb stops here.
    pub max_nodes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 16 << 20,
            max_nodes: 1_000_000,
            max_depth: 64,
        }
    }
}

/// A position in a file (1-based line and column, columns counted in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The file, as given.
    pub file: Arc<str>,
    /// Line, starting at 1.
    pub line: u32,
    /// Column, starting at 1.
    pub column: u32,
}

impl Mark {
    /// The position as a report location.
    pub fn location(&self) -> Location {
        Location::new(self.file.as_ref(), self.line, self.column)
    }
}

/// One node of a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the node is written.
    pub at: Mark,
    /// For a node pulled in through an alias (`*a`) or a `<<` merge key, the sites that pulled it
    /// in, innermost first.
    pub via: Vec<Mark>,
    /// A tag other than the core schema's, as written (`!reset`, `!override`); core tags
    /// (`!!str`, `!!int` …) are applied, not kept.
    pub tag: Option<String>,
}

/// The value of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An empty node or a plain `null`, `~`.
    Null,
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in the order written (merge keys resolved).
    Map(Vec<(Node, Node)>),
}

/// A scalar's text and whether it was quoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The text, escapes resolved.
    pub text: String,
    /// Written single- or double-quoted, literal (`|`) or folded (`>`), or tagged `!!str`: a
    /// string whatever it looks like.
    pub quoted: bool,
}

/// One document of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Its root node.
    pub root: Node,
    /// Where the document starts.
    pub at: Mark,
}

/// Why a file is not YAML dockward can read, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct YamlError {
    /// The file.
    pub file: String,
    /// Line, starting at 1 (0 when the whole file is refused, e.g. too large).
    pub line: u32,
    /// Column, starting at 1 (0 with line 0).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl From<YamlError> for SourceError {
    fn from(e: YamlError) -> Self {
        SourceError {
            path: e.file,
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }
}

/// Parses every document of `text`, the file `file`.
pub fn load_all(file: &str, text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    if text.len() > limits.max_bytes {
        return Err(YamlError {
            file: file.to_string(),
            line: 0,
            column: 0,
            message: format!(
                "the file is {} bytes, more than the {} bytes dockward reads",
                text.len(),
                limits.max_bytes
            ),
        });
    }
    // Lines as the scanner counts them; it places the empty node of a document that ends the
    // input without a newline, and some errors, one line past the last.
    let lines = u32::try_from(text.split(['\n', '\r']).count()).unwrap_or(u32::MAX);
    let mut loader = Loader {
        file: Arc::from(file),
        lines,
        parser: Parser::new_from_str(text),
        limits: *limits,
        anchors: HashMap::new(),
        nodes: 0,
        last: None,
    };
    loader.stream().map_err(|mut e| {
        if e.line > lines {
            e.line = lines;
            e.column = 1;
        }
        e
    })
}

struct Loader<'a> {
    file: Arc<str>,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    limits: Limits,
    /// Anchored nodes of the current document, with their size in nodes.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes created so far, aliases expanded.
    nodes: usize,
    /// Where the last event was, for errors at the end of input.
    last: Option<Mark>,
    /// Lines in the text: no position lies past the last.
    lines: u32,
}

impl<'a> Loader<'a> {
    fn mark(&self, span: &Span) -> Mark {
        let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
        if line > self.lines {
            return Mark {
                file: self.file.clone(),
                line: self.lines,
                column: 1,
            };
        }
        Mark {
            file: self.file.clone(),
            line,
            column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        }
    }

    fn error(&self, at: &Mark, message: impl Into<String>) -> YamlError {
        YamlError {
            file: self.file.to_string(),
            line: at.line,
            column: at.column,
            message: message.into(),
        }
    }

    fn next(&mut self) -> Result<(Event<'a>, Mark), YamlError> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => {
                let mark = self.mark(&span);
                self.last = Some(mark.clone());
                Ok((event, mark))
            }
            Some(Err(e)) => Err(YamlError {
                file: self.file.to_string(),
                line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
                column: u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
                message: format!("invalid YAML: {}", e.info()),
            }),
            None => {
                let at = self.last.clone().unwrap_or(Mark {
                    file: self.file.clone(),
                    line: 1,
                    column: 1,
                });
                Err(self.error(&at, "invalid YAML: unexpected end of input"))
            }
        }
    }

    fn stream(&mut self) -> Result<Vec<Document>, YamlError> {
        let mut documents = Vec::new();
        loop {
            let (event, at) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => return Ok(documents),
                Event::DocumentStart(_) => {
                    self.anchors.clear();
                    let (event, node_at) = self.next()?;
                    let root = self.node(event, node_at, 0)?;
                    documents.push(Document { root, at });
                }
                _ => return Err(self.error(&at, "invalid YAML: content outside a document")),
            }
        }
    }

    fn count(&mut self, n: usize, at: &Mark) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(self.error(
                at,
                format!(
                    "the document expands to more than {} nodes (an alias bomb?)",
                    self.limits.max_nodes
                ),
            ));
        }
        Ok(())
    }

    /// Builds the node that starts with `event`.
    fn node(&mut self, event: Event<'a>, at: Mark, depth: usize) -> Result<Node, YamlError> {
        if depth > self.limits.max_depth {
            return Err(self.error(
                &at,
                format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        self.count(1, &at)?;
        let start = self.nodes;
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let (tag, force_string) = own_tag(tag.as_deref());
                let quoted = force_string || !matches!(style, ScalarStyle::Plain);
                let value = if !quoted && is_null(&text) {
                    Value::Null
                } else {
                    Value::Scalar(Scalar {
                        text: text.into_owned(),
                        quoted,
                    })
                };
                (
                    Node {
                        value,
                        at,
                        via: Vec::new(),
                        tag,
                    },
                    anchor,
                )
            }
            Event::SequenceStart(anchor, tag) => {
                let (tag, _) = own_tag(tag.as_deref());
                let mut items = Vec::new();
                loop {
                    let (event, item_at) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(event, item_at, depth + 1)?);
                }
                (
                    Node {
                        value: Value::Seq(items),
                        at,
                        via: Vec::new(),
                        tag,
                    },
                    anchor,
                )
            }
            Event::MappingStart(anchor, tag) => {
                let (tag, _) = own_tag(tag.as_deref());
                let entries = self.mapping(depth)?;
                // A block mapping starts at its first key: point there rather than at the
                // indentation the parser reports.
                let at = entries.first().map_or(at, |(k, _)| k.at.clone());
                (
                    Node {
                        value: Value::Map(entries),
                        at,
                        via: Vec::new(),
                        tag,
                    },
                    anchor,
                )
            }
            Event::Alias(id) => {
                let Some((target, size)) = self.anchors.get(&id).cloned() else {
                    return Err(self.error(&at, "alias to an undefined anchor"));
                };
                self.count(size, &at)?;
                let mut node = target;
                pulled_in(&mut node, &at);
                return Ok(node);
            }
            _ => return Err(self.error(&at, "invalid YAML: unexpected event")),
        };
        if anchor != 0 {
            let size = self.nodes - start + 1;
            self.anchors.insert(anchor, (node.clone(), size));
        }
        Ok(node)
    }

    fn mapping(&mut self, depth: usize) -> Result<Vec<(Node, Node)>, YamlError> {
        let mut entries: Vec<(Node, Node)> = Vec::new();
        // (index in `entries` where merged keys go, the `<<` key, its value)
        let mut merge: Option<(usize, Node, Node)> = None;
        loop {
            let (event, key_at) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let key = self.node(event, key_at, depth + 1)?;
            let (event, value_at) = self.next()?;
            let value = self.node(event, value_at, depth + 1)?;
            let is_merge = matches!(&key.value, Value::Scalar(s) if !s.quoted && s.text == "<<");
            if is_merge {
                if let Some((_, first, _)) = &merge {
                    return Err(self.error(
                        &key.at,
                        format!(
                            "a second `<<` merge key in one mapping (the first is at line {}); merge several with `<<: [*a, *b]`",
                            first.at.line
                        ),
                    ));
                }
                merge = Some((entries.len(), key, value));
                continue;
            }
            if let Some(text) = key.as_str()
                && let Some((first, _)) = entries.iter().find(|(k, _)| k.as_str() == Some(text))
            {
                return Err(self.error(
                    &key.at,
                    format!(
                        "duplicate key \"{text}\" (first at line {} column {})",
                        first.at.line, first.at.column
                    ),
                ));
            }
            entries.push((key, value));
        }
        if let Some((index, key, value)) = merge {
            let sources: Vec<Node> = match value.value {
                Value::Map(_) => vec![value],
                Value::Seq(items) => items,
                _ => {
                    return Err(self.error(
                        &value.at,
                        format!(
                            "`<<` merges a mapping or a list of mappings, not a {}",
                            value.kind_name()
                        ),
                    ));
                }
            };
            let mut merged: Vec<(Node, Node)> = Vec::new();
            for source in sources {
                let Value::Map(source_entries) = source.value else {
                    return Err(self.error(
                        &source.at,
                        format!("`<<` merges mappings, not a {}", source.kind_name()),
                    ));
                };
                for (mut k, mut v) in source_entries {
                    let text = k.as_str().map(str::to_owned);
                    let present = |list: &[(Node, Node)]| {
                        text.is_some() && list.iter().any(|(e, _)| e.as_str() == text.as_deref())
                    };
                    // Keys written in the mapping win, then earlier merged mappings.
                    if present(&entries) || present(&merged) {
                        continue;
                    }
                    pulled_in(&mut k, &key.at);
                    pulled_in(&mut v, &key.at);
                    merged.push((k, v));
                }
            }
            entries.splice(index..index, merged);
        }
        Ok(entries)
    }
}

/// Records on `node` and everything under it that it was pulled in at `site`.
fn pulled_in(node: &mut Node, site: &Mark) {
    // `<<: *base` names one site twice (the key and the alias on one line): keep one.
    if node
        .via
        .last()
        .is_none_or(|last| last.line != site.line || last.file != site.file)
    {
        node.via.push(site.clone());
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| pulled_in(n, site)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            pulled_in(k, site);
            pulled_in(v, site);
        }),
        Value::Null | Value::Scalar(_) => {}
    }
}

/// The tag to keep, and whether the tag makes the node a string (`!!str`).
fn own_tag(tag: Option<&saphyr_parser::Tag>) -> (Option<String>, bool) {
    match tag {
        None => (None, false),
        Some(tag) if tag.is_yaml_core_schema() => (None, tag.suffix == "str"),
        Some(tag) => (Some(format!("{}{}", tag.handle, tag.suffix)), false),
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

impl Node {
    /// The value at `key`, for a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node (for its position) and the value at `key`, for a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// A mapping's entries; empty for other nodes.
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// A sequence's items; empty for other nodes.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// A scalar's text.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// A boolean: `true`/`false` in any case, and `yes`/`no`/`on`/`off`/`y`/`n` as YAML 1.1 and
    /// compose's conversion of interpolated strings read them; quoted or not.
    pub fn as_bool(&self) -> Option<bool> {
        let text = self.as_str()?.to_ascii_lowercase();
        match text.as_str() {
            "true" | "yes" | "on" | "y" => Some(true),
            "false" | "no" | "off" | "n" => Some(false),
            _ => None,
        }
    }

    /// An integer (decimal, `0x`, `0o`, an optional sign, `_` separators).
    pub fn as_i64(&self) -> Option<i64> {
        parse_int(self.as_str()?.trim())
    }

    /// A number.
    pub fn as_f64(&self) -> Option<f64> {
        let text = self.as_str()?.trim();
        parse_int(text).map(|i| i as f64).or_else(|| parse_float(text))
    }

    /// Whether the node is null (empty, `~`, `null`).
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Whether the node is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// Whether the node is a sequence.
    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// The node's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Scalar(_) => "string",
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// Where the node is written, with the sites that pulled it in.
    pub fn provenance(&self) -> Provenance {
        Provenance::File {
            path: self.at.file.to_string(),
            line: self.at.line,
            column: self.at.column,
            via: self.via.iter().map(Mark::location).collect(),
        }
    }

    /// Where the node is written, with the sites that pulled it in, as a report location.
    pub fn location(&self) -> Location {
        Location {
            via: self.via.iter().map(Mark::location).collect(),
            ..self.at.location()
        }
    }

    /// The node as JSON: plain scalars typed as YAML 1.1 reads them (Kubernetes' YAML), quoted
    /// scalars as strings, mapping keys as their text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Scalar(s) if s.quoted => J::String(s.text.clone()),
            Value::Scalar(s) => plain_json(&s.text),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn plain_json(text: &str) -> serde_json::Value {
    use serde_json::Value as J;
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return J::Bool(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return J::Bool(false),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return J::from(i);
    }
    if let Some(f) = parse_float(text).and_then(serde_json::Number::from_f64) {
        return J::Number(f);
    }
    J::String(text.to_string())
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || digits.starts_with('_') {
        return None;
    }
    let cleaned: String = digits.chars().filter(|c| *c != '_').collect();
    let magnitude = if let Some(hex) = cleaned.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = cleaned.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if cleaned.bytes().all(|b| b.is_ascii_digit()) {
        cleaned.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_float(text: &str) -> Option<f64> {
    // Rust also reads "inf", "NaN" and "infinity", which YAML spells differently.
    let looks_numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric {
        return text.parse().ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Vec<Document> {
        load_all("f.yaml", text, &Limits::default()).unwrap()
    }

    fn err(text: &str) -> String {
        load_all("f.yaml", text, &Limits::default())
            .unwrap_err()
            .to_string()
    }

    fn pos(n: &Node) -> (u32, u32) {
        (n.at.line, n.at.column)
    }

    #[test]
    fn every_key_and_value_has_its_position() {
        let docs = load("services:\n  web:\n    image: nginx\n    privileged: true\n");
        let root = &docs[0].root;
        let (key, web) = root.get("services").unwrap().entry("web").unwrap();
        assert_eq!(pos(key), (2, 3));
        assert_eq!(pos(web), (3, 5));
        let (k, v) = web.entry("privileged").unwrap();
        assert_eq!((pos(k), pos(v)), ((4, 5), (4, 17)));
        assert_eq!(v.as_bool(), Some(true));
        assert_eq!(
            v.provenance(),
            Provenance::file("f.yaml", 4, 17),
            "no via for a value written in place"
        );
    }

    #[test]
    fn sequence_items_and_flow_collections_have_positions() {
        let docs = load("a:\n  - x\n  - {b: 1, c: [2, 3]}\n");
        let a = docs[0].root.get("a").unwrap();
        assert_eq!(pos(&a.items()[0]), (2, 5));
        let flow = &a.items()[1];
        assert_eq!(pos(flow.get("b").unwrap()), (3, 9));
        assert_eq!(pos(&flow.get("c").unwrap().items()[1]), (3, 19));
    }

    #[test]
    fn a_merged_value_points_where_it_is_written_and_where_it_was_pulled_in() {
        let text = "x-base: &base\n  privileged: true\n  user: root\nservices:\n  web:\n    <<: *base\n    user: app\n";
        let docs = load(text);
        let web = docs[0].root.get("services").unwrap().get("web").unwrap();
        let privileged = web.get("privileged").unwrap();
        assert_eq!(pos(privileged), (2, 15));
        assert_eq!(
            privileged
                .via
                .iter()
                .map(|m| (m.line, m.column))
                .collect::<Vec<_>>(),
            [(6, 9)]
        );
        let user = web.get("user").unwrap();
        assert_eq!(
            (user.as_str(), pos(user), user.via.len()),
            (Some("app"), (7, 11), 0)
        );
        let keys: Vec<&str> = web.entries().iter().filter_map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["privileged", "user"]);
        match privileged.provenance() {
            Provenance::File {
                line, column, via, ..
            } => {
                assert_eq!((line, column), (2, 15));
                assert_eq!(via, vec![Location::new("f.yaml", 6, 9)]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_list_of_merges_lets_the_earlier_mapping_win() {
        let docs = load("a: &a {k: 1}\nb: &b {k: 2, j: 3}\nc:\n  <<: [*b, *a]\n");
        let c = docs[0].root.get("c").unwrap();
        assert_eq!(c.get("k").unwrap().as_i64(), Some(2));
        assert_eq!(c.get("j").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn an_alias_is_pulled_in_with_its_site() {
        let docs = load("a: &v [1, 2]\nb: *v\n");
        let b = docs[0].root.get("b").unwrap();
        assert_eq!(pos(b), (1, 4), "where the anchored node is written");
        assert_eq!(b.via[0].line, 2);
        assert_eq!(b.items()[1].via[0].line, 2, "descendants carry the site too");
    }

    #[test]
    fn tags_are_kept_except_the_core_ones() {
        let docs = load("a: !reset []\nb: !override {x: 1}\nc: !!str 12\nd: !!int 3\n");
        let root = &docs[0].root;
        assert_eq!(root.get("a").unwrap().tag.as_deref(), Some("!reset"));
        assert_eq!(root.get("b").unwrap().tag.as_deref(), Some("!override"));
        let c = root.get("c").unwrap();
        assert_eq!((c.tag.as_deref(), c.to_json()), (None, serde_json::json!("12")));
        assert_eq!(root.get("d").unwrap().tag, None);
    }

    #[test]
    fn plain_scalars_are_typed_as_kubernetes_reads_them() {
        let docs = load("a: yes\nb: '1'\nc: 0x1f\nd: 1.5\ne: ~\nf:\ng: 1e3\nh: .inf\n");
        assert_eq!(
            docs[0].root.to_json(),
            serde_json::json!({"a": true, "b": "1", "c": 31, "d": 1.5, "e": null, "f": null, "g": 1000.0, "h": ".inf"})
        );
    }

    #[test]
    fn several_documents_and_json() {
        let docs = load("a: 1\n---\nb: 2\n---\n");
        assert_eq!(docs.len(), 3);
        assert_eq!(pos(docs[1].root.get("b").unwrap()), (3, 4));
        let json = load("{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"syscalls\": []\n}\n");
        let (key, value) = json[0].root.entry("defaultAction").unwrap();
        assert_eq!((pos(key), value.as_str()), ((2, 2), Some("SCMP_ACT_ERRNO")));
    }

    #[test]
    fn bad_input_is_an_error_at_its_line() {
        assert_eq!(
            err("a: 1\na: 2\n"),
            "f.yaml:2:1: duplicate key \"a\" (first at line 1 column 1)"
        );
        assert!(
            err("a: [1, 2\nb: 3\n").starts_with("f.yaml:"),
            "{}",
            err("a: [1, 2\n")
        );
        assert_eq!(
            err("a: *nope\n"),
            "f.yaml:1:4: invalid YAML: while parsing node, found unknown anchor"
        );
        assert_eq!(
            err("x: &a {k: 1}\ny:\n  <<: *a\n  <<: *a\n"),
            "f.yaml:4:3: a second `<<` merge key in one mapping (the first is at line 3); merge several with `<<: [*a, *b]`"
        );
        assert!(err("a:\n  <<: 3\n").contains("`<<` merges a mapping"));
    }

    #[test]
    fn an_error_at_the_end_of_input_points_into_the_file() {
        // Found by the fuzzer: the scanner put this error on line 3 of a two-line file.
        let e = load_all("f.json", "{\n  \"a\": {\"b\": \"c\"", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e}");
    }

    #[test]
    fn the_empty_last_document_lies_inside_the_file() {
        // Found by the fuzzer: `--- ` at the end of input without a newline put the document's
        // empty node on line 3 of a two-line file.
        let docs = load("a: 1\n--- ");
        assert_eq!(docs.len(), 2);
        assert!(docs[1].root.is_null());
        assert_eq!((docs[1].root.at.line, docs[1].root.at.column), (2, 1));
    }

    #[test]
    fn an_alias_bomb_stops_at_the_node_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = load_all("bomb.yaml", &text, &Limits::default()).unwrap_err();
        assert!(e.message.contains("more than 1000000 nodes"), "{e}");
        assert_eq!(e.line, 6, "stops at the alias that crosses the budget: {e}");
    }

    #[test]
    fn depth_and_size_are_bounded() {
        let deep = "[".repeat(500) + &"]".repeat(500);
        // The parser's own bound on flow nesting comes first; block nesting meets ours.
        assert_eq!(err(&deep), "f.yaml:1:256: invalid YAML: recursion limit exceeded");
        let block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(
            err(&block).ends_with("nesting deeper than 64 levels"),
            "{}",
            err(&block)
        );
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        let e = load_all("big.yaml", "a: 123456789\n", &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "big.yaml:0:0: the file is 13 bytes, more than the 10 bytes dockward reads"
        );
    }
}
