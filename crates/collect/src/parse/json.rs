//! A strict JSON parser that keeps the position of every value and key.
//!
//! daemon.json and seccomp profile findings must cite file:line:column, and dockerd's config loader
//! lets a duplicate key silently win, so the auditor needs every occurrence of each key. serde_json
//! gives neither, hence this small RFC 8259 parser: [`parse_tree`] gives every node with its
//! position, [`parse`] the plain value with the top-level keys' positions. It is as strict as Go's encoding/json (which dockerd uses): no
//! comments, trailing commas, NaN, leading '+' or leading zeros, and a byte order mark is refused.

use serde_json::{Map, Number, Value};

/// Deepest nesting of arrays and objects accepted; bounds the parser's recursion.
const MAX_DEPTH: usize = 128;

/// A parsed JSON document with the positions of its top-level object's keys.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDocument {
    /// The whole value (for duplicate keys, the last occurrence wins, as in Go).
    pub value: Value,
    /// Every key of the top-level object in document order, duplicates included; empty when the top
    /// level is not an object.
    pub entries: Vec<JsonEntry>,
}

/// One key of the top-level object, where it was written and the value it was given there.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonEntry {
    /// The key, unescaped.
    pub key: String,
    /// 1-based line of the key's opening quote.
    pub line: u32,
    /// 1-based column of the key's opening quote, counted in characters (not bytes).
    pub column: u32,
    /// The value given to the key at this occurrence.
    pub value: Value,
}

/// A JSON value with the position where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonNode {
    /// 1-based line of the value's first character.
    pub line: u32,
    /// 1-based column of the value's first character, counted in characters.
    pub column: u32,
    /// The value.
    pub kind: JsonKind,
}

/// What a [`JsonNode`] holds.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<JsonNode>),
    /// An object's members in document order, duplicates included.
    Object(Vec<JsonMember>),
}

/// One member of an object: its key, where the key is written, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonMember {
    /// The key, unescaped.
    pub key: String,
    /// 1-based line of the key's opening quote.
    pub line: u32,
    /// 1-based column of the key's opening quote, counted in characters.
    pub column: u32,
    /// The value.
    pub value: JsonNode,
}

impl JsonNode {
    /// The plain value (for duplicate keys, the last occurrence wins, as in Go).
    pub fn to_value(&self) -> Value {
        match &self.kind {
            JsonKind::Null => Value::Null,
            JsonKind::Bool(b) => Value::Bool(*b),
            JsonKind::Number(n) => Value::Number(n.clone()),
            JsonKind::String(s) => Value::String(s.clone()),
            JsonKind::Array(items) => Value::Array(items.iter().map(JsonNode::to_value).collect()),
            JsonKind::Object(members) => {
                let mut map = Map::new();
                for member in members {
                    map.insert(member.key.clone(), member.value.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// The kind of value, for messages: `object`, `array`, `string`, `number`, `boolean`, `null`.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "boolean",
            JsonKind::Number(_) => "number",
            JsonKind::String(_) => "string",
            JsonKind::Array(_) => "array",
            JsonKind::Object(_) => "object",
        }
    }
}

/// Why a document is not valid JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line} column {column}")]
pub struct JsonError {
    /// What is wrong, in lower case, e.g. "expected value".
    pub message: String,
    /// 1-based line of the offending character (or just past the end of input).
    pub line: u32,
    /// 1-based column of the offending character, counted in characters.
    pub column: u32,
}

/// Parses `text` as one JSON value, recording the top-level object's keys with their positions.
pub fn parse(text: &str) -> Result<JsonDocument, JsonError> {
    let tree = parse_tree(text)?;
    let entries = match &tree.kind {
        JsonKind::Object(members) => members
            .iter()
            .map(|m| JsonEntry {
                key: m.key.clone(),
                line: m.line,
                column: m.column,
                value: m.value.to_value(),
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(JsonDocument {
        value: tree.to_value(),
        entries,
    })
}

/// Parses `text` as one JSON value, keeping the position of every value and key.
pub fn parse_tree(text: &str) -> Result<JsonNode, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        cursor: Cursor::START,
    };
    if text.starts_with('\u{feff}') {
        return Err(parser.error_at("unexpected byte order mark", 0));
    }
    parser.skip_whitespace();
    let value = parser.parse_value(0)?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

/// A line/column position at a byte offset, so positions can be computed by walking forward only.
#[derive(Clone, Copy)]
struct Cursor {
    byte: usize,
    line: u32,
    column: u32,
}

impl Cursor {
    const START: Cursor = Cursor {
        byte: 0,
        line: 1,
        column: 1,
    };

    /// Moves the cursor forward to byte offset `to` of `text`, counting lines and characters.
    fn advance(mut self, text: &str, to: usize) -> Cursor {
        let Some(span) = text.get(self.byte..to) else {
            return self;
        };
        for (offset, c) in span.char_indices() {
            match c {
                '\n' => {
                    self.line = self.line.saturating_add(1);
                    self.column = 1;
                }
                // "\r\n" is one line break, counted at its '\n'; a lone '\r' is one by itself.
                '\r' => {
                    if text.as_bytes().get(self.byte + offset + 1) != Some(&b'\n') {
                        self.line = self.line.saturating_add(1);
                        self.column = 1;
                    }
                }
                _ => self.column = self.column.saturating_add(1),
            }
        }
        self.byte = to;
        self
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Last computed position; values and keys come in order, so each walk starts here.
    cursor: Cursor,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn error(&self, message: &str) -> JsonError {
        self.error_at(message, self.pos)
    }

    fn error_at(&self, message: &str, pos: usize) -> JsonError {
        // Every caller passes a character boundary; flooring keeps a slip from losing the position.
        let mut pos = pos.min(self.text.len());
        while !self.text.is_char_boundary(pos) {
            pos -= 1;
        }
        let at = Cursor::START.advance(self.text, pos);
        JsonError {
            message: message.to_owned(),
            line: at.line,
            column: at.column,
        }
    }

    /// The error for a missing token: end of input if that is what was found, `message` otherwise.
    fn expected(&self, message: &str) -> JsonError {
        if self.pos >= self.bytes.len() {
            self.error("unexpected end of input")
        } else {
            self.error(message)
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The line and column of byte offset `pos`, which is at or after every position asked before.
    fn position(&mut self, pos: usize) -> (u32, u32) {
        self.cursor = self.cursor.advance(self.text, pos);
        (self.cursor.line, self.cursor.column)
    }

    /// Parses the value at the current position (whitespace already skipped).
    fn parse_value(&mut self, depth: usize) -> Result<JsonNode, JsonError> {
        let (line, column) = self.position(self.pos);
        let kind = match self.peek() {
            None => return Err(self.error("unexpected end of input")),
            Some(b'{') => self.parse_object(depth + 1)?,
            Some(b'[') => self.parse_array(depth + 1)?,
            Some(b'"') => JsonKind::String(self.parse_string()?),
            Some(b't') => self.parse_literal("true", JsonKind::Bool(true))?,
            Some(b'f') => self.parse_literal("false", JsonKind::Bool(false))?,
            Some(b'n') => self.parse_literal("null", JsonKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.parse_number()?,
            Some(_) => return Err(self.error("expected value")),
        };
        Ok(JsonNode { line, column, kind })
    }

    fn parse_literal(&mut self, word: &str, value: JsonKind) -> Result<JsonKind, JsonError> {
        for expected in word.bytes() {
            match self.peek() {
                Some(b) if b == expected => self.pos += 1,
                _ => return Err(self.expected("invalid literal")),
            }
        }
        Ok(value)
    }

    fn parse_object(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.pos += 1; // '{'
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonKind::Object(members));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.expected("expected string"));
            }
            let (line, column) = self.position(self.pos);
            let key = self.parse_string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.expected("expected ':'"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.parse_value(depth)?;
            members.push(JsonMember {
                key,
                line,
                column,
                value,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonKind::Object(members));
                }
                _ => return Err(self.expected("expected ',' or '}'")),
            }
        }
    }

    fn parse_array(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonKind::Array(items));
        }
        loop {
            items.push(self.parse_value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonKind::Array(items));
                }
                _ => return Err(self.expected("expected ',' or ']'")),
            }
        }
    }

    /// Parses a string starting at its opening quote.
    fn parse_string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            // Copy runs of plain characters at once; a run stops only at ASCII bytes (or the end),
            // so the slice boundaries are always character boundaries.
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.text.get(start..self.pos).unwrap_or_default());
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.parse_escape()?),
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }

    /// Parses one escape sequence starting at its backslash; errors point at the backslash.
    fn parse_escape(&mut self) -> Result<char, JsonError> {
        let start = self.pos;
        let c = match self.bytes.get(start + 1) {
            None => return Err(self.error_at("unterminated string", self.bytes.len())),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.parse_unicode_escape(),
            Some(_) => return Err(self.error("invalid escape")),
        };
        self.pos += 2;
        Ok(c)
    }

    /// Parses `\uXXXX`, and its low surrogate partner when it is a high surrogate.
    fn parse_unicode_escape(&mut self) -> Result<char, JsonError> {
        let start = self.pos;
        let high = self.read_hex4(start)?;
        self.pos = start + 6;
        let code = match high {
            0xD800..=0xDBFF => {
                let low_start = self.pos;
                let low = match (self.bytes.get(low_start), self.bytes.get(low_start + 1)) {
                    (Some(b'\\'), Some(b'u')) => self.read_hex4(low_start)?,
                    (None, _) | (Some(b'\\'), None) => {
                        return Err(self.error_at("unterminated string", self.bytes.len()));
                    }
                    _ => return Err(self.error_at("lone surrogate", start)),
                };
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error_at("lone surrogate", start));
                }
                self.pos = low_start + 6;
                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error_at("lone surrogate", start)),
            _ => high,
        };
        char::from_u32(code).ok_or_else(|| self.error_at("invalid unicode escape", start))
    }

    /// Reads the four hex digits of the `\u` escape whose backslash is at `start`.
    fn read_hex4(&self, start: usize) -> Result<u32, JsonError> {
        let mut code = 0u32;
        for offset in 2..6 {
            let digit = match self.bytes.get(start + offset) {
                None => return Err(self.error_at("unterminated string", self.bytes.len())),
                Some(&b) => char::from(b).to_digit(16),
            };
            let Some(digit) = digit else {
                return Err(self.error_at("invalid unicode escape", start));
            };
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// Validates the number grammar, then converts; errors point at the offending character.
    fn parse_number(&mut self) -> Result<JsonKind, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.error("invalid number"));
                }
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return Err(self.expected("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.require_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.require_digits()?;
        }
        let literal = self.text.get(start..self.pos).unwrap_or_default();
        match literal.parse::<Number>() {
            Ok(number) => Ok(JsonKind::Number(number)),
            // The grammar was checked above, so the only failure left is a value beyond f64.
            Err(_) => Err(self.error_at("number out of range", start)),
        }
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn require_digits(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.skip_digits();
                Ok(())
            }
            _ => Err(self.expected("invalid number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn err(text: &str) -> (String, u32, u32) {
        let e = parse(text).unwrap_err();
        (e.message, e.line, e.column)
    }

    fn entry_summary(doc: &JsonDocument) -> Vec<(&str, u32, u32)> {
        doc.entries
            .iter()
            .map(|e| (e.key.as_str(), e.line, e.column))
            .collect()
    }

    #[test]
    fn nested_values_parse_to_the_same_value_as_serde_json() {
        let text = r#"{"a": [1, -2, 3.5, 1e2, -0.25E-1, true, false, null, "s"],
            "b": {"c": {"d": []}, "e": {}}, "big": 18446744073709551615, "neg": -9223372036854775808,
            "huge": 123456789012345678901234567890}"#;
        let doc = parse(text).unwrap();
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(doc.value, expected);
        assert_eq!(doc.value["big"].as_u64(), Some(u64::MAX));
        assert_eq!(doc.value["neg"].as_i64(), Some(i64::MIN));
        assert_eq!(doc.value["huge"].as_f64(), Some(1.2345678901234568e29));
        assert_eq!(doc.value["b"]["c"], json!({"d": []}));
        assert_eq!(
            entry_summary(&doc),
            vec![
                ("a", 1, 2),
                ("b", 2, 13),
                ("big", 2, 45),
                ("neg", 2, 74),
                ("huge", 3, 13)
            ]
        );
        assert_eq!(doc.entries[1].value, json!({"c": {"d": []}, "e": {}}));
    }

    #[test]
    fn scalars_and_arrays_at_top_level_have_no_entries() {
        assert_eq!(
            parse(" 42 ").unwrap(),
            JsonDocument {
                value: json!(42),
                entries: vec![]
            }
        );
        assert_eq!(
            parse("[{\"a\":1}]").unwrap(),
            JsonDocument {
                value: json!([{"a": 1}]),
                entries: vec![]
            }
        );
        assert_eq!(parse("\"x\"").unwrap().value, json!("x"));
        assert_eq!(parse("null").unwrap().value, Value::Null);
        assert_eq!(
            parse("{}").unwrap(),
            JsonDocument {
                value: json!({}),
                entries: vec![]
            }
        );
    }

    #[test]
    fn duplicate_keys_are_all_listed_and_the_last_wins() {
        let doc = parse("{\n  \"icc\": true,\n  \"debug\": false,\n  \"icc\": false\n}").unwrap();
        assert_eq!(doc.value, json!({"icc": false, "debug": false}));
        assert_eq!(
            doc.entries,
            vec![
                JsonEntry {
                    key: "icc".into(),
                    line: 2,
                    column: 3,
                    value: json!(true)
                },
                JsonEntry {
                    key: "debug".into(),
                    line: 3,
                    column: 3,
                    value: json!(false)
                },
                JsonEntry {
                    key: "icc".into(),
                    line: 4,
                    column: 3,
                    value: json!(false)
                },
            ]
        );
    }

    #[test]
    fn nested_keys_are_not_entries() {
        let doc = parse(r#"{"log-opts": {"max-size": "10m", "max-size": "20m"}}"#).unwrap();
        assert_eq!(entry_summary(&doc), vec![("log-opts", 1, 2)]);
        assert_eq!(doc.value, json!({"log-opts": {"max-size": "20m"}}));
    }

    #[test]
    fn columns_count_characters_and_tabs_count_one() {
        // "é" is two bytes, "日本" six, "😀" four: columns must count them as one each.
        let doc = parse("{\"é\": 1,\t\"日本\": \"😀\", \"k\": 2,\n\t\t\"x\": 3}").unwrap();
        assert_eq!(
            entry_summary(&doc),
            vec![("é", 1, 2), ("日本", 1, 10), ("k", 1, 21), ("x", 2, 3)]
        );
        assert_eq!(doc.value["日本"], json!("😀"));
    }

    #[test]
    fn crlf_is_one_line_break_and_lone_cr_is_one_too() {
        let doc = parse("{\r\n\"a\": 1,\r\n\r\n  \"b\": 2}").unwrap();
        assert_eq!(entry_summary(&doc), vec![("a", 2, 1), ("b", 4, 3)]);
        let doc = parse("{\r\"a\": 1}").unwrap();
        assert_eq!(entry_summary(&doc), vec![("a", 2, 1)]);
        assert_eq!(err("{\r\n\"a\": 1,\r\n x}"), ("expected string".into(), 3, 2));
    }

    #[test]
    fn string_escapes_decode() {
        let doc = parse(r#"["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u65E5", "\ud83d\ude00", "a\u0000b"]"#).unwrap();
        assert_eq!(
            doc.value,
            json!(["\"\\/\u{8}\u{c}\n\r\t", "Aé日", "😀", "a\u{0}b"])
        );
    }

    #[test]
    fn string_errors_have_exact_positions() {
        assert_eq!(err(r#"{"a": "x\qy"}"#), ("invalid escape".into(), 1, 9));
        assert_eq!(err(r#"["\u12G4"]"#), ("invalid unicode escape".into(), 1, 3));
        assert_eq!(err(r#"["ab\ud83d"]"#), ("lone surrogate".into(), 1, 5));
        assert_eq!(err(r#"["\ud83d\u0041"]"#), ("lone surrogate".into(), 1, 3));
        assert_eq!(err(r#"["\ude00"]"#), ("lone surrogate".into(), 1, 3));
        assert_eq!(err("[\"a\tb\"]"), ("control character in string".into(), 1, 4));
        assert_eq!(
            err("{\"a\": \"x\ny\"}"),
            ("control character in string".into(), 1, 9)
        );
        assert_eq!(err("\"abc"), ("unterminated string".into(), 1, 5));
        assert_eq!(err("\"é\\"), ("unterminated string".into(), 1, 4));
        assert_eq!(err("\"\\u00"), ("unterminated string".into(), 1, 6));
        assert_eq!(err("\"\\ud83d"), ("unterminated string".into(), 1, 8));
    }

    #[test]
    fn number_grammar_is_strict() {
        assert_eq!(err("01"), ("invalid number".into(), 1, 2));
        assert_eq!(err("[-01]"), ("invalid number".into(), 1, 4));
        assert_eq!(err("+1"), ("expected value".into(), 1, 1));
        assert_eq!(err("-"), ("unexpected end of input".into(), 1, 2));
        assert_eq!(err("[-x]"), ("invalid number".into(), 1, 3));
        assert_eq!(err("[1.]"), ("invalid number".into(), 1, 4));
        assert_eq!(err("[.5]"), ("expected value".into(), 1, 2));
        assert_eq!(err("[1e]"), ("invalid number".into(), 1, 4));
        assert_eq!(err("[1e+]"), ("invalid number".into(), 1, 5));
        assert_eq!(err("{\"a\":\n  1e400}"), ("number out of range".into(), 2, 3));
        assert_eq!(err("NaN"), ("expected value".into(), 1, 1));
        assert_eq!(err("[Infinity]"), ("expected value".into(), 1, 2));
        assert_eq!(
            parse("-0").unwrap().value,
            serde_json::from_str::<Value>("-0").unwrap()
        );
        assert_eq!(
            parse("[0, 0.0, 1E+2, 2e-2]").unwrap().value,
            json!([0, 0.0, 100.0, 0.02])
        );
    }

    #[test]
    fn structural_errors_have_exact_positions() {
        assert_eq!(err(""), ("unexpected end of input".into(), 1, 1));
        assert_eq!(err("  \n "), ("unexpected end of input".into(), 2, 2));
        assert_eq!(err("{\"a\": 1,}"), ("expected string".into(), 1, 9));
        assert_eq!(err("[1, 2,]"), ("expected value".into(), 1, 7));
        assert_eq!(err("{\"a\" 1}"), ("expected ':'".into(), 1, 6));
        assert_eq!(err("{\"a\": 1 \"b\": 2}"), ("expected ',' or '}'".into(), 1, 9));
        assert_eq!(err("[1 2]"), ("expected ',' or ']'".into(), 1, 4));
        assert_eq!(err("{a: 1}"), ("expected string".into(), 1, 2));
        assert_eq!(err("{'a': 1}"), ("expected string".into(), 1, 2));
        assert_eq!(err("{\"a\": 1"), ("unexpected end of input".into(), 1, 8));
        assert_eq!(err("{\"a\":"), ("unexpected end of input".into(), 1, 6));
        assert_eq!(err("[1,\n"), ("unexpected end of input".into(), 2, 1));
        assert_eq!(err("{\"a\": 1} x"), ("trailing characters".into(), 1, 10));
        assert_eq!(err("{} {}"), ("trailing characters".into(), 1, 4));
        assert_eq!(err("// c\n{}"), ("expected value".into(), 1, 1));
        assert_eq!(err("{\"a\": 1 /* c */}"), ("expected ',' or '}'".into(), 1, 9));
        assert_eq!(err("[tru]"), ("invalid literal".into(), 1, 5));
        assert_eq!(err("nul"), ("unexpected end of input".into(), 1, 4));
        assert_eq!(err("[True]"), ("expected value".into(), 1, 2));
        assert_eq!(err("\u{feff}{}"), ("unexpected byte order mark".into(), 1, 1));
        assert_eq!(err("{\"é\": ü}"), ("expected value".into(), 1, 7));
        assert_eq!(err("[\u{a0}1]"), ("expected value".into(), 1, 2));
    }

    #[test]
    fn error_displays_message_and_position() {
        let e = parse("{\n  \"a\": ,\n}").unwrap_err();
        assert_eq!(
            e,
            JsonError {
                message: "expected value".into(),
                line: 2,
                column: 8
            }
        );
        assert_eq!(e.to_string(), "expected value at line 2 column 8");
    }

    #[test]
    fn nesting_is_limited_to_128_levels() {
        let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(parse(&ok).is_ok());
        let ok = format!("{}{}{}", "{\"a\":".repeat(127), "[]", "}".repeat(127));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert_eq!(err(&deep), ("nesting too deep".into(), 1, 129));
        let deep = format!("{}{}{}", "{\"a\":".repeat(128), "{}", "}".repeat(128));
        assert_eq!(err(&deep), ("nesting too deep".into(), 1, 641));
        // Far deeper input stops at the limit instead of exhausting the stack.
        assert_eq!(err(&"[".repeat(1_000_000)), ("nesting too deep".into(), 1, 129));
    }

    #[test]
    fn a_one_megabyte_document_parses() {
        let mut text = String::from("{");
        let mut i = 0;
        while text.len() < 1_000_000 {
            if i > 0 {
                text.push_str(",\n");
            }
            text.push_str(&format!(
                "\"key{i}\": {{\"list\": [1, 2.5, \"été\", null], \"on\": true}}"
            ));
            i += 1;
        }
        text.push('}');
        let doc = parse(&text).unwrap();
        assert_eq!(doc.entries.len(), i);
        let last = doc.entries.last().unwrap();
        assert_eq!(
            (last.key.clone(), last.line, last.column),
            (format!("key{}", i - 1), i as u32, 1)
        );
        assert_eq!(doc.value, serde_json::from_str::<Value>(&text).unwrap());
        // One long line with a long string: positions still count characters.
        let long = format!("{{\"a\": \"{}\", \"b\": 1}}", "é".repeat(500_000));
        let doc = parse(&long).unwrap();
        assert_eq!(entry_summary(&doc), vec![("a", 1, 2), ("b", 1, 500_011)]);
    }
}

#[cfg(test)]
mod tree_tests {
    use super::*;

    #[test]
    fn every_value_and_key_has_its_position() {
        let tree = parse_tree("{\n  \"a\": [1,\n    {\"é\": null}],\n\t\"b\": \"x\"\n}").unwrap();
        assert_eq!((tree.line, tree.column, tree.kind_name()), (1, 1, "object"));
        let JsonKind::Object(members) = &tree.kind else {
            panic!("not an object")
        };
        let at: Vec<(&str, u32, u32, u32, u32)> = members
            .iter()
            .map(|m| (m.key.as_str(), m.line, m.column, m.value.line, m.value.column))
            .collect();
        assert_eq!(at, vec![("a", 2, 3, 2, 8), ("b", 4, 2, 4, 7)]);
        let JsonKind::Array(items) = &members[0].value.kind else {
            panic!("not an array")
        };
        assert_eq!((items[0].line, items[0].column), (2, 9));
        assert_eq!((items[1].line, items[1].column), (3, 5));
        let JsonKind::Object(inner) = &items[1].kind else {
            panic!("not an object")
        };
        assert_eq!(
            (
                inner[0].key.as_str(),
                inner[0].line,
                inner[0].column,
                inner[0].value.column
            ),
            ("é", 3, 6, 11)
        );
        assert_eq!(inner[0].value.kind, JsonKind::Null);
    }
}
