//! A JSON decoder that reads request bodies exactly as dockerd does (Go's `encoding/json` of
//! Go 1.19, which dockerd 20.10 is built with), driven by a schema of the Go types dockerd
//! decodes into.
//!
//! A plugin that reads a body differently from the daemon can be fooled: `{"hostconfig":
//! {"privileged": true}}` makes a privileged container, though a case-sensitive reader sees no
//! `HostConfig`. So this decoder copies Go's rules, not JSON's:
//! - only the first JSON value counts; bytes after it are never read (`json.NewDecoder(r).Decode`);
//! - object keys are unescaped, then matched to struct fields exactly, else case-insensitively
//!   with Go's folding (ASCII case, and `ſ` U+017F for `s`, `K` U+212A for `k`); keys of map-typed
//!   fields (`Labels`, `Sysctls`, `PortBindings` ...) are kept exactly;
//! - a repeated key decodes into what the earlier one left: a scalar is replaced, a struct or a
//!   non-nil pointer to one merges field by field, a map merges entry by entry (each entry
//!   replaced), and a slice reuses its old elements (Go keeps the old backing array: the second
//!   `"Mounts": [{..}]` decodes into the element the first one filled, and even elements beyond
//!   the current length but within the capacity come back);
//! - `null` makes a pointer, slice or map nil and leaves every other value as it was;
//! - invalid UTF-8 and lone surrogates in strings become U+FFFD, one per bad byte, as Go does;
//! - a value of the wrong type for its field (a string for a bool, `1.5` or `1e3` for an integer,
//!   an integer out of range) is an error: dockerd refuses the whole request then.
//!
//! The output is a canonical [`Value`]: keys spelled as the Go fields' JSON names, fields of
//! embedded structs at the level of the struct that embeds them (as Go promotes them), a field
//! absent when it holds Go's zero value without ever being written, or a nil pointer/slice/map.
//! Fields the schema marks [`Ty::Ignore`] (parts dockward never judges) are skipped without type
//! checks, like unknown fields: that can only accept a body dockerd refuses, never read one
//! differently. Pure and bounded: nesting deeper than [`MAX_DEPTH`] is an error (the caller
//! bounds the size).

use std::collections::BTreeMap;

use dockward_model::fact::escape_pointer_token;
use serde_json::{Map, Number, Value};

/// Deepest nesting of objects and arrays accepted.
pub const MAX_DEPTH: usize = 128;

/// The Go type a value is decoded into.
#[derive(Debug)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// A signed integer of this many bits (`int` is 64 on the platforms dockerd runs on).
    Int(u8),
    /// An unsigned integer of this many bits.
    Uint(u8),
    /// `string` and named string types (`NetworkMode`, `mount.Type` ...).
    String,
    /// `[]byte`: base64 in JSON; output as the decoded text (invalid UTF-8 replaced).
    Bytes,
    /// moby's `strslice.StrSlice`: a list of strings, or one string meaning a list of one.
    StrSlice,
    /// `*T`.
    Ptr(&'static Ty),
    /// `[]T`.
    Slice(&'static Ty),
    /// `[N]T`.
    Array(usize, &'static Ty),
    /// `map[string]T`.
    Map(&'static Ty),
    /// A struct with these fields.
    Struct(&'static [Field]),
    /// A field dockward does not judge: skipped like an unknown field.
    Ignore,
}

/// One field of a struct.
#[derive(Debug)]
pub enum Field {
    /// A field with its JSON name.
    Named(&'static str, Ty),
    /// An embedded struct (or pointer to one) whose fields Go promotes into this one.
    Embed(&'static [Field]),
}

/// The Go type a whole body is decoded into.
#[derive(Debug)]
pub struct Schema {
    /// The Go type's name, for messages, e.g. `ContainerConfigWrapper`.
    pub name: &'static str,
    /// The body's type (a struct).
    pub root: Ty,
}

/// Why a body is not what dockerd would decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at byte {offset}")]
pub struct GoJsonError {
    /// What is wrong; names the field's pointer for type errors.
    pub reason: String,
    /// Byte offset into the body.
    pub offset: usize,
}

/// Decodes the first JSON value in `bytes` into `schema`'s type, as Go's
/// `json.NewDecoder(bytes).Decode(&v)` does, and returns its canonical form.
///
/// # Errors
/// [`GoJsonError`] when the body is empty, is not JSON up to the end of its first value, nests
/// deeper than [`MAX_DEPTH`], or has a value of the wrong type for its field.
pub fn decode(bytes: &[u8], schema: &'static Schema) -> Result<Value, GoJsonError> {
    let mut d = Decoder {
        b: bytes,
        pos: 0,
        depth: 0,
        path: String::new(),
    };
    d.skip_ws();
    if d.pos >= d.b.len() {
        return Err(GoJsonError {
            reason: "the body is empty (no JSON value)".into(),
            offset: d.pos,
        });
    }
    let mut node = Node::Zero;
    d.value(&schema.root, &mut node)?;
    Ok(output(&schema.root, &node))
}

/// A decoded Go value.
#[derive(Debug)]
enum Node {
    /// The zero value of its type, never written (nil for pointers, slices and maps).
    Zero,
    /// A bool, number, string, string slice or byte slice.
    Leaf(Value),
    /// A struct: the fields written, by JSON name, with their types.
    Struct(Vec<(&'static str, &'static Ty, Node)>),
    /// A non-nil pointer.
    Ptr(Box<Node>),
    /// A non-nil slice: `len` elements of a backing array of capacity `items.len()`.
    Slice { len: usize, items: Vec<Node> },
    /// A fixed-size array.
    Array(Vec<Node>),
    /// A non-nil map.
    Map(BTreeMap<String, Node>),
}

struct Decoder<'a> {
    b: &'a [u8],
    pos: usize,
    depth: usize,
    /// Pointer of the value being decoded, for type errors.
    path: String,
}

fn describe(ty: &Ty) -> &'static str {
    match ty {
        Ty::Bool => "a boolean",
        Ty::Int(_) | Ty::Uint(_) => "an integer",
        Ty::String => "a string",
        Ty::Bytes => "base64 text",
        Ty::StrSlice => "a string or a list of strings",
        Ty::Ptr(inner) => describe(inner),
        Ty::Slice(_) | Ty::Array(..) => "a list",
        Ty::Map(_) | Ty::Struct(_) => "an object",
        Ty::Ignore => "anything",
    }
}

/// Go's case-insensitive match of a key against an (ASCII) field name: `encoding/json`'s
/// `equalFoldRight`, which for names without `s` or `k` is plain ASCII case folding.
fn fold_eq(name: &str, key: &str) -> bool {
    if key.len() < name.len() || key.len() > 3 * name.len() {
        return false;
    }
    let mut k = key.chars();
    for nb in name.bytes() {
        let Some(kc) = k.next() else { return false };
        let ok = if kc.is_ascii() {
            nb.eq_ignore_ascii_case(&(kc as u8))
        } else {
            matches!((nb, kc), (b's' | b'S', '\u{17f}') | (b'k' | b'K', '\u{212a}'))
        };
        if !ok {
            return false;
        }
    }
    k.next().is_none()
}

fn find_field(fields: &'static [Field], pred: &impl Fn(&str) -> bool) -> Option<(&'static str, &'static Ty)> {
    for field in fields {
        match field {
            Field::Named(name, ty) if pred(name) => return Some((name, ty)),
            Field::Named(..) => {}
            Field::Embed(inner) => {
                if let Some(found) = find_field(inner, pred) {
                    return Some(found);
                }
            }
        }
    }
    None
}

/// The field a key selects: an exact match first, else the first case-insensitive one in
/// declaration order (Go's `nameIndex`, then its linear `equalFold` search).
pub fn lookup(fields: &'static [Field], key: &str) -> Option<(&'static str, &'static Ty)> {
    let first = key.as_bytes().first();
    // The length and the first byte rule out almost every other field before a full compare.
    let exact = |name: &str| name.len() == key.len() && name.as_bytes().first() == first && name == key;
    find_field(fields, &exact).or_else(|| find_field(fields, &|name| fold_eq(name, key)))
}

/// One UTF-8 sequence at the start of `b`, when it is valid (Go's `utf8.DecodeRune` accepts
/// exactly what Rust does; on anything else it consumes one byte).
fn utf8_char(b: &[u8]) -> Option<(char, usize)> {
    let n = match b.first()? {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(b.get(..n)?).ok()?;
    s.chars().next().map(|c| (c, n))
}

fn hex4(b: &[u8]) -> Option<u32> {
    let digits = b.get(..4)?;
    let mut v = 0u32;
    for &c in digits {
        v = v * 16 + char::from(c).to_digit(16)?;
    }
    Some(v)
}

/// Go's `base64.StdEncoding.Decode`: padded standard alphabet, `\r` and `\n` ignored.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let symbols: Vec<u8> = text.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    if !symbols.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    let quanta = symbols.len() / 4;
    for (index, quantum) in symbols.chunks(4).enumerate() {
        let pad = quantum.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && index + 1 != quanta) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &quantum[..4 - pad] {
            acc = acc << 6 | value(c)?;
        }
        acc <<= 6 * pad as u32;
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

impl<'a> Decoder<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn syntax(&self, context: &str) -> GoJsonError {
        match self.peek() {
            None => GoJsonError {
                reason: "the body ends inside its JSON value".into(),
                offset: self.pos,
            },
            Some(c) => GoJsonError {
                reason: format!("invalid character {} {context}", show_byte(c)),
                offset: self.pos,
            },
        }
    }

    fn type_error(&self, found: &str, ty: &Ty, offset: usize) -> GoJsonError {
        let at = if self.path.is_empty() {
            "the body"
        } else {
            &self.path
        };
        GoJsonError {
            reason: format!("{at} must be {}, not {found}", describe(ty)),
            offset,
        }
    }

    fn enter(&mut self) -> Result<(), GoJsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GoJsonError {
                reason: format!("the JSON value nests deeper than {MAX_DEPTH} levels"),
                offset: self.pos,
            });
        }
        Ok(())
    }

    fn value(&mut self, ty: &'static Ty, node: &mut Node) -> Result<(), GoJsonError> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some(b'{') => self.object(ty, node),
            Some(b'[') => self.array(ty, node),
            Some(b'"') => {
                let s = self.string()?;
                self.store_string(ty, node, s, start)
            }
            Some(b't') => {
                self.literal(b"true")?;
                self.store_bool(ty, node, true, start)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                self.store_bool(ty, node, false, start)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                if matches!(
                    ty,
                    Ty::Ptr(_) | Ty::Slice(_) | Ty::Map(_) | Ty::StrSlice | Ty::Bytes
                ) {
                    *node = Node::Zero;
                }
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let (text, integer) = self.number()?;
                self.store_number(ty, node, text, integer, start)
            }
            _ => Err(self.syntax("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), GoJsonError> {
        for &expected in word {
            if self.peek() != Some(expected) {
                return Err(self.syntax("in literal"));
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// A number token; returns its text and whether it is an integer (no fraction or exponent).
    fn number(&mut self) -> Result<(&'a str, bool), GoJsonError> {
        let start = self.pos;
        let digits = |d: &mut Self| {
            let from = d.pos;
            while let Some(b'0'..=b'9') = d.peek() {
                d.pos += 1;
            }
            d.pos > from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.syntax("in numeric literal")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integer = false;
            if !digits(self) {
                return Err(self.syntax("after decimal point in numeric literal"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.syntax("in exponent of numeric literal"));
            }
        }
        // Only ASCII digits and signs were consumed.
        let bytes: &'a [u8] = self.b;
        let text = std::str::from_utf8(&bytes[start..self.pos]).unwrap_or_default();
        Ok((text, integer))
    }

    /// A string token, unescaped as Go's `unquote` does.
    fn string(&mut self) -> Result<String, GoJsonError> {
        self.pos += 1; // the opening quote
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.syntax(""));
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let Some(first) = hex4(&self.b[self.pos + 1..]) else {
                                self.pos += 1;
                                while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                                    self.pos += 1;
                                }
                                return Err(self.syntax("in \\u hexadecimal character escape"));
                            };
                            self.pos += 5;
                            if (0xD800..0xE000).contains(&first) {
                                // A surrogate: valid only as a high one followed by an escaped
                                // low one; otherwise U+FFFD, and the next escape is read anew.
                                let rest = &self.b[self.pos..];
                                let low = if rest.starts_with(b"\\u") {
                                    hex4(&rest[2..])
                                } else {
                                    None
                                };
                                match low {
                                    Some(low) if first < 0xDC00 && (0xDC00..0xE000).contains(&low) => {
                                        self.pos += 6;
                                        let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                                    }
                                    _ => out.push('\u{fffd}'),
                                }
                            } else {
                                out.push(char::from_u32(first).unwrap_or('\u{fffd}'));
                            }
                            continue;
                        }
                        _ => return Err(self.syntax("in string escape code")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                0..=0x1F => return Err(self.syntax("in string literal")),
                0x20..=0x7F => {
                    // Copy the run of plain ASCII at once.
                    let from = self.pos;
                    while self
                        .peek()
                        .is_some_and(|c| (0x20..0x80).contains(&c) && c != b'"' && c != b'\\')
                    {
                        self.pos += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.b[from..self.pos]).unwrap_or_default());
                }
                _ => match utf8_char(&self.b[self.pos..]) {
                    Some((ch, n)) => {
                        out.push(ch);
                        self.pos += n;
                    }
                    None => {
                        out.push('\u{fffd}');
                        self.pos += 1;
                    }
                },
            }
        }
    }

    /// Skips one value, checking its syntax (an unknown or ignored field).
    fn skip(&mut self) -> Result<(), GoJsonError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(&Ty::Ignore, &mut Node::Zero),
            Some(b'[') => self.array(&Ty::Ignore, &mut Node::Zero),
            _ => self.value(&Ty::Ignore, &mut Node::Zero),
        }
    }

    /// Follows pointers to the value a non-null JSON value is stored in, allocating nil ones
    /// (Go's `indirect`).
    fn deref<'n>(mut ty: &'static Ty, mut node: &'n mut Node) -> (&'static Ty, &'n mut Node) {
        while let Ty::Ptr(inner) = ty {
            if !matches!(node, Node::Ptr(_)) {
                *node = Node::Ptr(Box::new(Node::Zero));
            }
            let Node::Ptr(target) = node else {
                unreachable!("just allocated")
            };
            node = target;
            ty = inner;
        }
        (ty, node)
    }

    fn store_string(
        &self,
        ty: &'static Ty,
        node: &mut Node,
        s: String,
        start: usize,
    ) -> Result<(), GoJsonError> {
        let (ty, node) = Self::deref(ty, node);
        match ty {
            Ty::String => *node = Node::Leaf(Value::String(s)),
            Ty::StrSlice => *node = Node::Leaf(Value::Array(vec![Value::String(s)])),
            Ty::Bytes => match base64_decode(&s) {
                Some(bytes) => {
                    *node = Node::Leaf(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
                }
                None => {
                    let at = if self.path.is_empty() {
                        "the body"
                    } else {
                        &self.path
                    };
                    return Err(GoJsonError {
                        reason: format!("{at} is not valid base64"),
                        offset: start,
                    });
                }
            },
            Ty::Ignore => {}
            _ => return Err(self.type_error("a string", ty, start)),
        }
        Ok(())
    }

    fn store_bool(&self, ty: &'static Ty, node: &mut Node, b: bool, start: usize) -> Result<(), GoJsonError> {
        let (ty, node) = Self::deref(ty, node);
        match ty {
            Ty::Bool => *node = Node::Leaf(Value::Bool(b)),
            Ty::Ignore => {}
            _ => return Err(self.type_error("a boolean", ty, start)),
        }
        Ok(())
    }

    fn store_number(
        &self,
        ty: &'static Ty,
        node: &mut Node,
        text: &str,
        integer: bool,
        start: usize,
    ) -> Result<(), GoJsonError> {
        let (ty, node) = Self::deref(ty, node);
        let out_of_range = || {
            let at = if self.path.is_empty() {
                "the body"
            } else {
                &self.path
            };
            GoJsonError {
                reason: format!("{at} must be {}, not the number {text}", describe(ty)),
                offset: start,
            }
        };
        match ty {
            Ty::Int(bits) => {
                let n: i64 = if integer {
                    text.parse().map_err(|_| out_of_range())?
                } else {
                    return Err(out_of_range());
                };
                let limit = 1i128 << (bits - 1);
                if i128::from(n) < -limit || i128::from(n) >= limit {
                    return Err(out_of_range());
                }
                *node = Node::Leaf(Value::Number(Number::from(n)));
            }
            Ty::Uint(bits) => {
                // Go's ParseUint refuses a sign, even "-0".
                let n: u64 = if integer && !text.starts_with('-') {
                    text.parse().map_err(|_| out_of_range())?
                } else {
                    return Err(out_of_range());
                };
                if u128::from(n) >= 1u128 << bits {
                    return Err(out_of_range());
                }
                *node = Node::Leaf(Value::Number(Number::from(n)));
            }
            Ty::Ignore => {}
            _ => return Err(self.type_error("a number", ty, start)),
        }
        Ok(())
    }

    fn object(&mut self, ty: &'static Ty, node: &mut Node) -> Result<(), GoJsonError> {
        let start = self.pos;
        let (ty, node) = Self::deref(ty, node);
        enum Target {
            Struct(&'static [Field]),
            Map(&'static Ty),
            Skip,
        }
        let target = match ty {
            Ty::Struct(fields) => {
                if !matches!(node, Node::Struct(_)) {
                    *node = Node::Struct(Vec::new());
                }
                Target::Struct(fields)
            }
            Ty::Map(elem) => {
                if !matches!(node, Node::Map(_)) {
                    *node = Node::Map(BTreeMap::new());
                }
                Target::Map(elem)
            }
            Ty::Ignore => Target::Skip,
            _ => return Err(self.type_error("an object", ty, start)),
        };
        self.enter()?;
        self.pos += 1; // '{'
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.syntax("looking for beginning of object key string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.syntax("after object key"));
            }
            self.pos += 1;
            let mark = self.path.len();
            match &target {
                Target::Struct(fields) => match lookup(fields, &key) {
                    Some((name, fty)) => {
                        let Node::Struct(entries) = &mut *node else {
                            unreachable!("made a struct above")
                        };
                        let index = match entries.iter().position(|(n, _, _)| *n == name) {
                            Some(index) => index,
                            None => {
                                entries.push((name, fty, Node::Zero));
                                entries.len() - 1
                            }
                        };
                        self.path.push('/');
                        self.path.push_str(name);
                        self.value(fty, &mut entries[index].2)?;
                    }
                    None => self.skip()?,
                },
                Target::Map(elem) => {
                    // Go decodes each entry into a fresh zero value and stores it, even for null.
                    let mut entry = Node::Zero;
                    self.path.push('/');
                    self.path.push_str(&escape_pointer_token(&key));
                    self.value(elem, &mut entry)?;
                    let Node::Map(map) = &mut *node else {
                        unreachable!("made a map above")
                    };
                    map.insert(key, entry);
                }
                Target::Skip => self.skip()?,
            }
            self.path.truncate(mark);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("after object key:value pair")),
            }
        }
    }

    fn array(&mut self, ty: &'static Ty, node: &mut Node) -> Result<(), GoJsonError> {
        let start = self.pos;
        let (ty, node) = Self::deref(ty, node);
        match ty {
            Ty::Slice(elem) => self.slice(elem, node),
            Ty::Array(n, elem) => {
                if !matches!(node, Node::Array(_)) {
                    *node = Node::Array((0..*n).map(|_| Node::Zero).collect());
                }
                let Node::Array(items) = node else {
                    unreachable!("made an array above")
                };
                let count = self.elements(|d, i| match items.get_mut(i) {
                    Some(item) => d.value(elem, item),
                    None => d.skip(),
                })?;
                // Go zeroes the elements the JSON array did not reach.
                for item in items.iter_mut().skip(count) {
                    *item = Node::Zero;
                }
                Ok(())
            }
            Ty::StrSlice => {
                // StrSlice.UnmarshalJSON decodes into a fresh []string.
                let mut fresh = Node::Zero;
                self.slice(&Ty::String, &mut fresh)?;
                *node = Node::Leaf(output(&Ty::Slice(&Ty::String), &fresh));
                Ok(())
            }
            Ty::Bytes => {
                let mut fresh = Node::Zero;
                self.slice(&Ty::Uint(8), &mut fresh)?;
                let bytes: Vec<u8> = match output(&Ty::Slice(&Ty::Uint(8)), &fresh) {
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
                        .collect(),
                    _ => Vec::new(),
                };
                *node = Node::Leaf(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
                Ok(())
            }
            Ty::Ignore => {
                self.elements(|d, _| d.skip())?;
                Ok(())
            }
            _ => Err(self.type_error("a list", ty, start)),
        }
    }

    /// Go's `array()` into a slice: elements decode into the old backing array, which keeps its
    /// capacity and its contents beyond the length.
    fn slice(&mut self, elem: &'static Ty, node: &mut Node) -> Result<(), GoJsonError> {
        if !matches!(node, Node::Slice { .. }) {
            *node = Node::Slice {
                len: 0,
                items: Vec::new(),
            };
        }
        let Node::Slice { len, items } = node else {
            unreachable!("made a slice above")
        };
        let count = self.elements(|d, i| {
            if i >= items.len() {
                // reflect grows the capacity by half (at least to 4), copying the elements.
                let cap = items.len();
                let new_cap = (cap + cap / 2).max(4);
                items.resize_with(new_cap, || Node::Zero);
            }
            if i >= *len {
                *len = i + 1;
            }
            d.value(elem, &mut items[i])
        })?;
        if count < *len {
            *len = count;
        }
        if count == 0 {
            // An empty JSON array makes a new empty slice: the old elements are gone.
            items.clear();
            *len = 0;
        }
        Ok(())
    }

    /// Reads the elements of an array, handing each to `each` with its index; returns the count.
    fn elements(
        &mut self,
        mut each: impl FnMut(&mut Self, usize) -> Result<(), GoJsonError>,
    ) -> Result<usize, GoJsonError> {
        self.enter()?;
        self.pos += 1; // '['
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(0);
        }
        let mut i = 0;
        loop {
            let mark = self.path.len();
            self.path.push('/');
            self.path.push_str(&i.to_string());
            each(self, i)?;
            self.path.truncate(mark);
            i += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(i);
                }
                _ => return Err(self.syntax("after array element")),
            }
        }
    }
}

fn show_byte(c: u8) -> String {
    if c.is_ascii_graphic() || c == b' ' {
        format!("'{}'", char::from(c))
    } else {
        format!("0x{c:02x}")
    }
}

/// The Go zero value of a type, in canonical form.
fn zero(ty: &Ty) -> Value {
    match ty {
        Ty::Bool => Value::Bool(false),
        Ty::Int(_) | Ty::Uint(_) => Value::Number(Number::from(0)),
        Ty::String => Value::String(String::new()),
        Ty::Struct(_) => Value::Object(Map::new()),
        Ty::Array(n, elem) => Value::Array((0..*n).map(|_| zero(elem)).collect()),
        Ty::Bytes | Ty::StrSlice | Ty::Ptr(_) | Ty::Slice(_) | Ty::Map(_) | Ty::Ignore => Value::Null,
    }
}

fn output(ty: &Ty, node: &Node) -> Value {
    match (ty, node) {
        (_, Node::Zero) => zero(ty),
        (_, Node::Leaf(v)) => v.clone(),
        (Ty::Ptr(inner), Node::Ptr(target)) => output(inner, target),
        (Ty::Struct(_), Node::Struct(entries)) => {
            let mut map = Map::new();
            for (name, fty, value) in entries {
                // A field left at its zero value, or set back to nil, is absent.
                if !matches!(value, Node::Zero) {
                    map.insert((*name).to_string(), output(fty, value));
                }
            }
            Value::Object(map)
        }
        (Ty::Slice(elem), Node::Slice { len, items }) => {
            Value::Array(items.iter().take(*len).map(|item| output(elem, item)).collect())
        }
        (Ty::Array(_, elem), Node::Array(items)) => {
            Value::Array(items.iter().map(|item| output(elem, item)).collect())
        }
        (Ty::Map(elem), Node::Map(map)) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), output(elem, value)))
                .collect(),
        ),
        // Nodes are only ever built to match their type.
        _ => Value::Null,
    }
}

// ---------------------------------------------------------------------------------------------
// Schemas: the Go types dockerd 20.10 decodes request bodies into (moby v20.10.24 api/types).

use Field::{Embed, Named as F};
use Ty::{Bool, Int, Map as M, Ptr, Slice, StrSlice, String as S, Struct, Uint};

const EMPTY: &[Field] = &[];
const STRINGS: Ty = Slice(&S);
const STRING_MAP: Ty = M(&S);

/// `container.HealthConfig`.
pub const HEALTH_CONFIG: &[Field] = &[
    F("Test", STRINGS),
    F("Interval", Int(64)),
    F("Timeout", Int(64)),
    F("StartPeriod", Int(64)),
    F("Retries", Int(64)),
];

/// `container.Config`.
pub const CONFIG: &[Field] = &[
    F("Hostname", S),
    F("Domainname", S),
    F("User", S),
    F("AttachStdin", Bool),
    F("AttachStdout", Bool),
    F("AttachStderr", Bool),
    F("ExposedPorts", M(&Struct(EMPTY))),
    F("Tty", Bool),
    F("OpenStdin", Bool),
    F("StdinOnce", Bool),
    F("Env", STRINGS),
    F("Cmd", StrSlice),
    F("Healthcheck", Ptr(&Struct(HEALTH_CONFIG))),
    F("ArgsEscaped", Bool),
    F("Image", S),
    F("Volumes", M(&Struct(EMPTY))),
    F("WorkingDir", S),
    F("Entrypoint", StrSlice),
    F("NetworkDisabled", Bool),
    F("MacAddress", S),
    F("OnBuild", STRINGS),
    F("Labels", STRING_MAP),
    F("StopSignal", S),
    F("StopTimeout", Ptr(&Int(64))),
    F("Shell", StrSlice),
];

const WEIGHT_DEVICE: &[Field] = &[F("Path", S), F("Weight", Uint(16))];
const THROTTLE_DEVICE: &[Field] = &[F("Path", S), F("Rate", Uint(64))];
const DEVICE_MAPPING: &[Field] = &[
    F("PathOnHost", S),
    F("PathInContainer", S),
    F("CgroupPermissions", S),
];
const DEVICE_REQUEST: &[Field] = &[
    F("Driver", S),
    F("Count", Int(64)),
    F("DeviceIDs", STRINGS),
    F("Capabilities", Slice(&STRINGS)),
    F("Options", STRING_MAP),
];
const ULIMIT: &[Field] = &[F("Name", S), F("Hard", Int(64)), F("Soft", Int(64))];

/// `container.Resources` (embedded in `HostConfig` and `UpdateConfig`).
pub const RESOURCES: &[Field] = &[
    F("CpuShares", Int(64)),
    F("Memory", Int(64)),
    F("NanoCpus", Int(64)),
    F("CgroupParent", S),
    F("BlkioWeight", Uint(16)),
    F("BlkioWeightDevice", Slice(&Ptr(&Struct(WEIGHT_DEVICE)))),
    F("BlkioDeviceReadBps", Slice(&Ptr(&Struct(THROTTLE_DEVICE)))),
    F("BlkioDeviceWriteBps", Slice(&Ptr(&Struct(THROTTLE_DEVICE)))),
    F("BlkioDeviceReadIOps", Slice(&Ptr(&Struct(THROTTLE_DEVICE)))),
    F("BlkioDeviceWriteIOps", Slice(&Ptr(&Struct(THROTTLE_DEVICE)))),
    F("CpuPeriod", Int(64)),
    F("CpuQuota", Int(64)),
    F("CpuRealtimePeriod", Int(64)),
    F("CpuRealtimeRuntime", Int(64)),
    F("CpusetCpus", S),
    F("CpusetMems", S),
    F("Devices", Slice(&Struct(DEVICE_MAPPING))),
    F("DeviceCgroupRules", STRINGS),
    F("DeviceRequests", Slice(&Struct(DEVICE_REQUEST))),
    F("KernelMemory", Int(64)),
    F("KernelMemoryTCP", Int(64)),
    F("MemoryReservation", Int(64)),
    F("MemorySwap", Int(64)),
    F("MemorySwappiness", Ptr(&Int(64))),
    F("OomKillDisable", Ptr(&Bool)),
    F("PidsLimit", Ptr(&Int(64))),
    F("Ulimits", Slice(&Ptr(&Struct(ULIMIT)))),
    F("CpuCount", Int(64)),
    F("CpuPercent", Int(64)),
    F("IOMaximumIOps", Uint(64)),
    F("IOMaximumBandwidth", Uint(64)),
];

const BIND_OPTIONS: &[Field] = &[F("Propagation", S), F("NonRecursive", Bool)];
const DRIVER: &[Field] = &[F("Name", S), F("Options", STRING_MAP)];
const VOLUME_OPTIONS: &[Field] = &[
    F("NoCopy", Bool),
    F("Labels", STRING_MAP),
    F("DriverConfig", Ptr(&Struct(DRIVER))),
];
const TMPFS_OPTIONS: &[Field] = &[F("SizeBytes", Int(64)), F("Mode", Uint(32))];

/// `mount.Mount`.
pub const MOUNT: &[Field] = &[
    F("Type", S),
    F("Source", S),
    F("Target", S),
    F("ReadOnly", Bool),
    F("Consistency", S),
    F("BindOptions", Ptr(&Struct(BIND_OPTIONS))),
    F("VolumeOptions", Ptr(&Struct(VOLUME_OPTIONS))),
    F("TmpfsOptions", Ptr(&Struct(TMPFS_OPTIONS))),
];

const LOG_CONFIG: &[Field] = &[F("Type", S), F("Config", STRING_MAP)];
const RESTART_POLICY: &[Field] = &[F("Name", S), F("MaximumRetryCount", Int(64))];
const PORT_BINDING: &[Field] = &[F("HostIp", S), F("HostPort", S)];

/// `container.HostConfig`.
pub const HOST_CONFIG: &[Field] = &[
    F("Binds", STRINGS),
    F("ContainerIDFile", S),
    F("LogConfig", Struct(LOG_CONFIG)),
    F("NetworkMode", S),
    F("PortBindings", M(&Slice(&Struct(PORT_BINDING)))),
    F("RestartPolicy", Struct(RESTART_POLICY)),
    F("AutoRemove", Bool),
    F("VolumeDriver", S),
    F("VolumesFrom", STRINGS),
    F("CapAdd", StrSlice),
    F("CapDrop", StrSlice),
    F("CgroupnsMode", S),
    F("Dns", STRINGS),
    F("DnsOptions", STRINGS),
    F("DnsSearch", STRINGS),
    F("ExtraHosts", STRINGS),
    F("GroupAdd", STRINGS),
    F("IpcMode", S),
    F("Cgroup", S),
    F("Links", STRINGS),
    F("OomScoreAdj", Int(64)),
    F("PidMode", S),
    F("Privileged", Bool),
    F("PublishAllPorts", Bool),
    F("ReadonlyRootfs", Bool),
    F("SecurityOpt", STRINGS),
    F("StorageOpt", STRING_MAP),
    F("Tmpfs", STRING_MAP),
    F("UTSMode", S),
    F("UsernsMode", S),
    F("ShmSize", Int(64)),
    F("Sysctls", STRING_MAP),
    F("Runtime", S),
    F("ConsoleSize", Ty::Array(2, &Uint(64))),
    F("Isolation", S),
    Embed(RESOURCES),
    F("Mounts", Slice(&Struct(MOUNT))),
    F("MaskedPaths", STRINGS),
    F("ReadonlyPaths", STRINGS),
    F("Init", Ptr(&Bool)),
];

const IPAM_CONFIG: &[Field] = &[
    F("IPv4Address", S),
    F("IPv6Address", S),
    F("LinkLocalIPs", STRINGS),
];
const ENDPOINT_SETTINGS: &[Field] = &[
    F("IPAMConfig", Ptr(&Struct(IPAM_CONFIG))),
    F("Links", STRINGS),
    F("Aliases", STRINGS),
    F("NetworkID", S),
    F("EndpointID", S),
    F("Gateway", S),
    F("IPAddress", S),
    F("IPPrefixLen", Int(64)),
    F("IPv6Gateway", S),
    F("GlobalIPv6Address", S),
    F("GlobalIPv6PrefixLen", Int(64)),
    F("MacAddress", S),
    F("DriverOpts", STRING_MAP),
];
const NETWORKING_CONFIG: &[Field] = &[F("EndpointsConfig", M(&Ptr(&Struct(ENDPOINT_SETTINGS))))];

/// `runconfig.ContainerConfigWrapper`: the body of `POST /containers/create`, and of a legacy
/// `POST /containers/{id}/start` (dockerd decodes both into it). `*container.Config` and the
/// deprecated `*container.HostConfig` are embedded, so their fields sit at the top level.
pub const CONTAINER_CONFIG_WRAPPER: Schema = Schema {
    name: "ContainerConfigWrapper",
    root: Struct(&[
        Embed(CONFIG),
        F("HostConfig", Ptr(&Struct(HOST_CONFIG))),
        F("Cpuset", S),
        F("NetworkingConfig", Ptr(&Struct(NETWORKING_CONFIG))),
        Embed(HOST_CONFIG),
    ]),
};

/// `types.ExecConfig`: the body of `POST /containers/{id}/exec`.
pub const EXEC_CONFIG: Schema = Schema {
    name: "ExecConfig",
    root: Struct(&[
        F("User", S),
        F("Privileged", Bool),
        F("Tty", Bool),
        F("AttachStdin", Bool),
        F("AttachStderr", Bool),
        F("AttachStdout", Bool),
        F("Detach", Bool),
        F("DetachKeys", S),
        F("Env", STRINGS),
        F("WorkingDir", S),
        F("Cmd", STRINGS),
    ]),
};

/// `container.UpdateConfig`: the body of `POST /containers/{id}/update`.
pub const UPDATE_CONFIG: Schema = Schema {
    name: "UpdateConfig",
    root: Struct(&[Embed(RESOURCES), F("RestartPolicy", Struct(RESTART_POLICY))]),
};

/// `volume.VolumeCreateBody`: the body of `POST /volumes/create`.
pub const VOLUME_CREATE_BODY: Schema = Schema {
    name: "VolumeCreateBody",
    root: Struct(&[
        F("Driver", S),
        F("DriverOpts", STRING_MAP),
        F("Labels", STRING_MAP),
        F("Name", S),
    ]),
};

const SELINUX_CONTEXT: &[Field] = &[
    F("Disable", Bool),
    F("User", S),
    F("Role", S),
    F("Type", S),
    F("Level", S),
];
// Seccomp, AppArmor and NoNewPrivileges arrived with API 1.44 (moby 25); dockerd 20.10 ignores
// them. They are decoded so a newer daemon's reading is judged too; `body` uses NoNewPrivileges
// only where the URI's API version proves the daemon honours it.
const SECCOMP_OPTS: &[Field] = &[F("Mode", S), F("Profile", Ty::Bytes)];
const APPARMOR_OPTS: &[Field] = &[F("Mode", S)];
const PRIVILEGES: &[Field] = &[
    F("CredentialSpec", Ty::Ignore),
    F("SELinuxContext", Ptr(&Struct(SELINUX_CONTEXT))),
    F("Seccomp", Ptr(&Struct(SECCOMP_OPTS))),
    F("AppArmor", Ptr(&Struct(APPARMOR_OPTS))),
    F("NoNewPrivileges", Bool),
];

/// `swarm.ContainerSpec`.
pub const CONTAINER_SPEC: &[Field] = &[
    F("Image", S),
    F("Labels", STRING_MAP),
    F("Command", STRINGS),
    F("Args", STRINGS),
    F("Hostname", S),
    F("Env", STRINGS),
    F("Dir", S),
    F("User", S),
    F("Groups", STRINGS),
    F("Privileges", Ptr(&Struct(PRIVILEGES))),
    F("Init", Ptr(&Bool)),
    F("StopSignal", S),
    F("TTY", Bool),
    F("OpenStdin", Bool),
    F("ReadOnly", Bool),
    F("Mounts", Slice(&Struct(MOUNT))),
    F("StopGracePeriod", Ptr(&Int(64))),
    F("Healthcheck", Ptr(&Struct(HEALTH_CONFIG))),
    F("Hosts", STRINGS),
    F("DNSConfig", Ty::Ignore),
    F("Secrets", Ty::Ignore),
    F("Configs", Ty::Ignore),
    F("Isolation", S),
    F("Sysctls", STRING_MAP),
    F("CapabilityAdd", STRINGS),
    F("CapabilityDrop", STRINGS),
    F("Ulimits", Slice(&Ptr(&Struct(ULIMIT)))),
];

const LIMIT: &[Field] = &[
    F("NanoCPUs", Int(64)),
    F("MemoryBytes", Int(64)),
    F("Pids", Int(64)),
];
const RESOURCE_REQUIREMENTS: &[Field] = &[F("Limits", Ptr(&Struct(LIMIT))), F("Reservations", Ty::Ignore)];
const NETWORK_ATTACHMENT: &[Field] = &[F("Target", S), F("Aliases", STRINGS), F("DriverOpts", STRING_MAP)];
const TASK_SPEC: &[Field] = &[
    F("ContainerSpec", Ptr(&Struct(CONTAINER_SPEC))),
    F("PluginSpec", Ty::Ignore),
    F("NetworkAttachmentSpec", Ty::Ignore),
    F("Resources", Ptr(&Struct(RESOURCE_REQUIREMENTS))),
    F("RestartPolicy", Ty::Ignore),
    F("Placement", Ty::Ignore),
    F("Networks", Slice(&Struct(NETWORK_ATTACHMENT))),
    F("LogDriver", Ty::Ignore),
    F("ForceUpdate", Uint(64)),
    F("Runtime", S),
];
const PORT_CONFIG: &[Field] = &[
    F("Name", S),
    F("Protocol", S),
    F("TargetPort", Uint(32)),
    F("PublishedPort", Uint(32)),
    F("PublishMode", S),
];
const ENDPOINT_SPEC: &[Field] = &[F("Mode", S), F("Ports", Slice(&Struct(PORT_CONFIG)))];

/// `swarm.ServiceSpec`: the body of `POST /services/create` and `/services/{id}/update`.
pub const SERVICE_SPEC: Schema = Schema {
    name: "ServiceSpec",
    root: Struct(&[
        Embed(&[F("Name", S), F("Labels", STRING_MAP)]),
        F("TaskTemplate", Struct(TASK_SPEC)),
        F("Mode", Ty::Ignore),
        F("UpdateConfig", Ty::Ignore),
        F("RollbackConfig", Ty::Ignore),
        F("Networks", Slice(&Struct(NETWORK_ATTACHMENT))),
        F("EndpointSpec", Ptr(&Struct(ENDPOINT_SPEC))),
    ]),
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(body: &str) -> Value {
        decode(body.as_bytes(), &CONTAINER_CONFIG_WRAPPER).unwrap()
    }

    fn create_err(body: &[u8]) -> String {
        decode(body, &CONTAINER_CONFIG_WRAPPER).unwrap_err().to_string()
    }

    #[test]
    fn keys_match_fields_case_insensitively_and_come_out_canonical() {
        assert_eq!(
            create(r#"{"hostconfig":{"privileged":true,"CAPADD":["SYS_ADMIN"]},"image":"alpine"}"#),
            json!({"HostConfig": {"Privileged": true, "CapAdd": ["SYS_ADMIN"]}, "Image": "alpine"})
        );
    }

    #[test]
    fn escaped_key_names_match() {
        assert_eq!(
            create(r#"{"HostConfig":{"Privil\u0065ged":true}}"#),
            json!({"HostConfig": {"Privileged": true}})
        );
    }

    #[test]
    fn go_folds_long_s_and_kelvin_sign_but_nothing_else() {
        // ſ (U+017F) folds to s, K (U+212A) to k, as in Go 1.19's equalFoldRight.
        assert_eq!(
            create("{\"HostConfig\":{\"Privileged\":true, \"MaſkedPaths\":[], \"\u{212a}ernelMemory\":5}}"),
            json!({"HostConfig": {"Privileged": true, "MaskedPaths": [], "KernelMemory": 5}})
        );
        // Other Unicode look-alikes do not match: İ (U+0130) is not i.
        assert_eq!(
            create("{\"HostConfig\":{\"Pr\u{130}vileged\":true}}"),
            json!({"HostConfig": {}})
        );
    }

    #[test]
    fn map_keys_are_kept_exactly() {
        assert_eq!(
            create(r#"{"HostConfig":{"Sysctls":{"A":"1","a":"2","\u0061":"3"},"sysctls":{"ſ":"4"}}}"#),
            json!({"HostConfig": {"Sysctls": {"A": "1", "a": "3", "ſ": "4"}}})
        );
    }

    #[test]
    fn the_last_duplicate_scalar_wins() {
        assert_eq!(
            create(r#"{"User":"root","user":"1000","Image":"a","Image":"b"}"#),
            json!({"User": "1000", "Image": "b"})
        );
    }

    #[test]
    fn duplicate_objects_merge_field_by_field_also_across_case() {
        assert_eq!(
            create(r#"{"hostconfig":{"Privileged":true},"HostConfig":{"ReadonlyRootfs":true}}"#),
            json!({"HostConfig": {"Privileged": true, "ReadonlyRootfs": true}})
        );
        // Maps merge entries; each entry is replaced, not merged.
        assert_eq!(
            create(
                r#"{"HostConfig":{"Sysctls":{"a":"1","b":"2"},"PortBindings":{"80/tcp":[{"HostPort":"1"}]}},
                    "HostConfig":{"Sysctls":{"b":"3"},"PortBindings":{"80/tcp":[{"HostIp":"::"}]}}}"#
            ),
            json!({"HostConfig": {"Sysctls": {"a": "1", "b": "3"}, "PortBindings": {"80/tcp": [{"HostIp": "::"}]}}})
        );
    }

    #[test]
    fn a_repeated_slice_reuses_its_elements_and_capacity() {
        // The second Mounts decodes into the element the first one filled.
        assert_eq!(
            create(
                r#"{"HostConfig":{"Mounts":[{"Type":"bind","Source":"/","Target":"/a"}],
                                   "Mounts":[{"Target":"/b"}]}}"#
            ),
            json!({"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/", "Target": "/b"}]}})
        );
        // Shortened to one element, then lengthened again: the second element comes back from
        // the backing array (capacity 4).
        assert_eq!(
            create(
                r#"{"HostConfig":{"Mounts":[{"Target":"/a"},{"Type":"bind","Source":"/etc"}],
                                   "Mounts":[{}],
                                   "Mounts":[{},{"Target":"/x"}]}}"#
            ),
            json!({"HostConfig": {"Mounts": [{"Target": "/a"}, {"Type": "bind", "Source": "/etc", "Target": "/x"}]}})
        );
        // An empty array makes a new slice: nothing comes back.
        assert_eq!(
            create(r#"{"Binds":["/:/h","/etc:/e"],"Binds":[],"Binds":[null, null]}"#),
            json!({"Binds": ["", ""]})
        );
        // A null element leaves a struct element as it was.
        assert_eq!(
            create(r#"{"Mounts":[{"Source":"/"}],"Mounts":[null]}"#),
            json!({"Mounts": [{"Source": "/"}]})
        );
    }

    #[test]
    fn null_clears_pointers_slices_and_maps_and_leaves_the_rest() {
        assert_eq!(
            create(
                r#"{"HostConfig":{"Privileged":true,"MaskedPaths":[],"Sysctls":{"a":"b"},"Init":true,"CapAdd":["X"]},
                    "HostConfig":{"Privileged":null,"MaskedPaths":null,"Sysctls":null,"Init":null,"CapAdd":null,
                                  "RestartPolicy":null}}"#
            ),
            json!({"HostConfig": {"Privileged": true}})
        );
        assert_eq!(
            create(r#"{"HostConfig":{"Privileged":true},"HostConfig":null}"#),
            json!({})
        );
        // A null map entry stores the zero value.
        assert_eq!(
            create(r#"{"Labels":{"a":null},"HostConfig":{"PortBindings":{"80/tcp":null}}}"#),
            json!({"Labels": {"a": ""}, "HostConfig": {"PortBindings": {"80/tcp": null}}})
        );
        assert_eq!(create("null"), json!({}));
    }

    #[test]
    fn embedded_host_config_fields_sit_at_the_top_level() {
        assert_eq!(
            create(r#"{"Image":"a","privileged":true,"Binds":["/:/host"],"Memory":5}"#),
            json!({"Image": "a", "Privileged": true, "Binds": ["/:/host"], "Memory": 5})
        );
    }

    #[test]
    fn only_the_first_value_counts() {
        assert_eq!(
            create(r#" {"Image":"a"} {"HostConfig":{"Privileged":true}} garbage"#),
            json!({"Image": "a"})
        );
        assert_eq!(create("null{"), json!({}));
    }

    #[test]
    fn strings_replace_invalid_utf8_and_lone_surrogates_like_go() {
        // Each bad byte becomes one U+FFFD (Go's DecodeRune), even a truncated sequence.
        let v = decode(b"{\"Image\":\"a\xe2\x82b\xffc\"}", &CONTAINER_CONFIG_WRAPPER).unwrap();
        assert_eq!(v, json!({"Image": "a\u{fffd}\u{fffd}b\u{fffd}c"}));
        assert_eq!(
            create(r#"{"Image":"\ud800x\udc00\ud83d\ude00\ud800\u0041"}"#),
            json!({"Image": "\u{fffd}x\u{fffd}\u{1f600}\u{fffd}A"})
        );
        // A UTF-8 encoded surrogate is three bad bytes.
        let v = decode(b"{\"Image\":\"\xed\xa0\x80\"}", &CONTAINER_CONFIG_WRAPPER).unwrap();
        assert_eq!(v, json!({"Image": "\u{fffd}\u{fffd}\u{fffd}"}));
    }

    #[test]
    fn strslice_takes_one_string_or_a_list() {
        assert_eq!(
            create(r#"{"Cmd":"sh","HostConfig":{"CapAdd":"ALL","CapDrop":["a",null]}}"#),
            json!({"Cmd": ["sh"], "HostConfig": {"CapAdd": ["ALL"], "CapDrop": ["a", ""]}})
        );
        assert_eq!(
            create_err(br#"{"HostConfig":{"CapAdd":5}}"#),
            "/HostConfig/CapAdd must be a string or a list of strings, not a number at byte 24"
        );
    }

    #[test]
    fn wrong_types_are_errors_naming_the_field() {
        assert_eq!(
            create_err(br#"{"HostConfig":{"Privileged":"true"}}"#),
            "/HostConfig/Privileged must be a boolean, not a string at byte 28"
        );
        assert_eq!(
            create_err(br#"{"HostConfig":{"Memory":1.5}}"#),
            "/HostConfig/Memory must be an integer, not the number 1.5 at byte 24"
        );
        assert_eq!(
            create_err(br#"{"HostConfig":{"Memory":1e3}}"#),
            "/HostConfig/Memory must be an integer, not the number 1e3 at byte 24"
        );
        assert_eq!(
            create_err(br#"{"HostConfig":{"Memory":9223372036854775808}}"#),
            "/HostConfig/Memory must be an integer, not the number 9223372036854775808 at byte 24"
        );
        assert_eq!(
            create_err(br#"{"HostConfig":{"BlkioWeight":65536}}"#),
            "/HostConfig/BlkioWeight must be an integer, not the number 65536 at byte 29"
        );
        assert_eq!(
            create_err(br#"{"HostConfig":{"Mounts":[{"ReadOnly":1}]}}"#),
            "/HostConfig/Mounts/0/ReadOnly must be a boolean, not a number at byte 37"
        );
        assert_eq!(
            create_err(br#"{"Labels":{"a~/b":5}}"#),
            "/Labels/a~0~1b must be a string, not a number at byte 18"
        );
        assert_eq!(
            create_err(b"[]"),
            "the body must be an object, not a list at byte 0"
        );
        // Unknown fields are ignored whatever their type.
        assert_eq!(
            create(r#"{"Unknown":[1,{"a":true}],"Image":"x"}"#),
            json!({"Image": "x"})
        );
    }

    #[test]
    fn syntax_errors_and_empty_bodies_give_the_offset() {
        assert_eq!(create_err(b""), "the body is empty (no JSON value) at byte 0");
        assert_eq!(create_err(b"  \n"), "the body is empty (no JSON value) at byte 3");
        assert_eq!(
            create_err(b"{\"Image\":\"a\",}"),
            "invalid character '}' looking for beginning of object key string at byte 13"
        );
        assert_eq!(
            create_err(b"{\"Image\" \"a\"}"),
            "invalid character '\"' after object key at byte 9"
        );
        assert_eq!(
            create_err(b"{\"Image\":\"a\x01\"}"),
            "invalid character 0x01 in string literal at byte 11"
        );
        assert_eq!(
            create_err(b"{\"Image\":\"a"),
            "the body ends inside its JSON value at byte 11"
        );
        assert_eq!(
            create_err(b"{\"Memory\":01}"),
            "invalid character '1' after object key:value pair at byte 11"
        );
        assert_eq!(
            create_err(b"\xef\xbb\xbf{}"),
            "invalid character 0xef looking for beginning of value at byte 0"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{{\"Unknown\":{}{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert_eq!(
            create_err(deep.as_bytes()),
            format!(
                "the JSON value nests deeper than {MAX_DEPTH} levels at byte {}",
                11 + MAX_DEPTH - 1
            )
        );
        let ok = format!(
            "{{\"Unknown\":{}{}}}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(create(&ok), json!({}));
        // Far deeper than the stack could recurse: still an error, no overflow.
        let huge = "[".repeat(1_000_000);
        assert!(create_err(huge.as_bytes()).starts_with("the body must be an object"));
        let huge = format!("{{\"x\":{}", "[".repeat(1_000_000));
        assert!(create_err(huge.as_bytes()).starts_with("the JSON value nests deeper"));
    }

    #[test]
    fn fixed_arrays_and_bytes() {
        assert_eq!(
            create(r#"{"ConsoleSize":[1,2,3]}"#),
            json!({"ConsoleSize": [1, 2]})
        );
        assert_eq!(
            create(r#"{"ConsoleSize":[1,2],"ConsoleSize":[7]}"#),
            json!({"ConsoleSize": [7, 0]})
        );
        let v = decode(
            br#"{"TaskTemplate":{"ContainerSpec":{"Privileges":{"Seccomp":{"Mode":"custom","Profile":"eyJhIjoxfQ=="}}}}}"#,
            &SERVICE_SPEC,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"TaskTemplate": {"ContainerSpec": {"Privileges": {"Seccomp": {"Mode": "custom", "Profile": "{\"a\":1}"}}}}})
        );
        let err = decode(
            br#"{"TaskTemplate":{"ContainerSpec":{"Privileges":{"Seccomp":{"Profile":"e"}}}}}"#,
            &SERVICE_SPEC,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "/TaskTemplate/ContainerSpec/Privileges/Seccomp/Profile is not valid base64 at byte 69"
        );
    }

    #[test]
    fn no_struct_has_two_fields_that_fold_alike() {
        // Go would then pick by declaration order; the schemas never need that.
        fn names(fields: &'static [Field], out: &mut Vec<&'static str>) {
            for f in fields {
                match f {
                    Field::Named(n, _) => out.push(n),
                    Field::Embed(inner) => names(inner, out),
                }
            }
        }
        fn check(ty: &'static Ty) {
            match ty {
                Ty::Struct(fields) => {
                    let mut all = Vec::new();
                    names(fields, &mut all);
                    for (i, a) in all.iter().enumerate() {
                        for b in &all[i + 1..] {
                            assert!(!fold_eq(a, b), "{a} and {b}");
                        }
                    }
                    fn each(fields: &'static [Field]) {
                        for f in fields {
                            match f {
                                Field::Named(_, ty) => check(ty),
                                Field::Embed(inner) => each(inner),
                            }
                        }
                    }
                    each(fields);
                }
                Ty::Ptr(t) | Ty::Slice(t) | Ty::Array(_, t) | Ty::Map(t) => check(t),
                _ => {}
            }
        }
        for schema in [
            &CONTAINER_CONFIG_WRAPPER,
            &EXEC_CONFIG,
            &UPDATE_CONFIG,
            &VOLUME_CREATE_BODY,
            &SERVICE_SPEC,
        ] {
            check(&schema.root);
        }
    }
}
