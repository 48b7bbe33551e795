//! Differential test of [`super::gojson`] against Go's own `encoding/json` (Go 1.19, as dockerd
//! 20.10 is built with): random create bodies full of the shapes that matter (case variants,
//! `ſ`/`K` folds, escaped keys, duplicates, nulls, wrong types, invalid UTF-8, lone surrogates,
//! trailing bytes) are decoded by both, and the results must agree exactly.
//!
//! The oracle is `fuzz/go-oracle` (mirrors of the types dockerd decodes each body into); it needs
//! the Go toolchain, so the tests are ignored by default: `scripts/gojson-oracle.sh` builds the
//! oracle and runs them. Fields the schemas mark [`Ty::Ignore`] are a `Skip` type in the mirror
//! that takes anything, as the decoder does.

use serde_json::{Map, Value};

use super::gojson::{
    CONTAINER_CONFIG_WRAPPER, EXEC_CONFIG, Field, SERVICE_SPEC, Schema, Ty, UPDATE_CONFIG,
    VOLUME_CREATE_BODY, decode,
};

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
        out.push_str(&"=".repeat(3 - chunk.len()));
    }
    out
}

/// The value Go's `json.Marshal` writes for a decoded value of type `ty` (every field, nil as
/// `null`), from the canonical form `value` (absent fields are Go's zero value).
fn full(ty: &Ty, value: Option<&Value>) -> Value {
    let value = value.filter(|v| !v.is_null());
    match ty {
        Ty::Bool | Ty::Int(_) | Ty::Uint(_) | Ty::String => match value {
            Some(v) => v.clone(),
            None => match ty {
                Ty::Bool => Value::Bool(false),
                Ty::String => Value::String(String::new()),
                _ => Value::from(0),
            },
        },
        Ty::StrSlice | Ty::Slice(_) => match (ty, value) {
            (Ty::Slice(elem), Some(Value::Array(items))) => {
                Value::Array(items.iter().map(|v| full(elem, Some(v))).collect())
            }
            (_, Some(v)) => v.clone(),
            (_, None) => Value::Null,
        },
        Ty::Ptr(inner) => match value {
            Some(v) => full(inner, Some(v)),
            None => Value::Null,
        },
        Ty::Array(n, elem) => {
            let items = value.and_then(Value::as_array);
            Value::Array(
                (0..*n)
                    .map(|i| full(elem, items.and_then(|a| a.get(i))))
                    .collect(),
            )
        }
        Ty::Map(elem) => match value.and_then(Value::as_object) {
            // A map entry is always present in Go's output, even when its value is zero.
            Some(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = if v.is_null() && matches!(elem, Ty::Struct(_)) {
                            None
                        } else {
                            Some(v)
                        };
                        (k.clone(), full(elem, v))
                    })
                    .collect(),
            ),
            None => Value::Null,
        },
        Ty::Struct(fields) => {
            let mut out = Map::new();
            fill_fields(fields, value.and_then(Value::as_object), &mut out);
            Value::Object(out)
        }
        // Go writes a []byte as base64.
        Ty::Bytes => match value.and_then(Value::as_str) {
            Some(text) => Value::String(base64(text.as_bytes())),
            None => Value::Null,
        },
        Ty::Ignore => Value::Null,
    }
}

fn fill_fields(fields: &[Field], value: Option<&Map<String, Value>>, out: &mut Map<String, Value>) {
    for field in fields {
        match field {
            Field::Named(name, ty) => {
                out.insert((*name).to_string(), full(ty, value.and_then(|v| v.get(*name))));
            }
            Field::Embed(inner) => fill_fields(inner, value, out),
        }
    }
}

/// A small deterministic PRNG (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn names(fields: &'static [Field], out: &mut Vec<(&'static str, &'static Ty)>) {
    for field in fields {
        match field {
            Field::Named(name, ty) => out.push((name, ty)),
            Field::Embed(inner) => names(inner, out),
        }
    }
}

/// A key spelled the ways Go still matches (or almost matches) a field name.
fn spell(rng: &mut Rng, name: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let variant = rng.below(8);
    for c in name.chars() {
        let c = match variant {
            1 => c.to_ascii_lowercase(),
            2 => c.to_ascii_uppercase(),
            3 if rng.chance(50) => c.to_ascii_lowercase(),
            _ => c,
        };
        match (variant, c) {
            (4, 's' | 'S') => out.extend_from_slice("ſ".as_bytes()),
            (4, 'k' | 'K') => out.extend_from_slice("\u{212a}".as_bytes()),
            (5, _) if rng.chance(20) => out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes()),
            // Near misses: a look-alike that Go does not fold, or a stray byte.
            (6, 'i') if rng.chance(50) => out.extend_from_slice("\u{131}".as_bytes()),
            (7, _) if rng.chance(5) => out.push(0xff),
            _ => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

const STRINGS: &[&[u8]] = &[
    b"\"\"",
    b"\"a\"",
    b"\"/etc\"",
    b"\"host\"",
    b"\"\\u0041\\n\\\"\"",
    b"\"\\ud800\"",
    b"\"\\ud83d\\ude00\"",
    b"\"\\udc00\\ud800x\"",
    b"\"\xff\xe2\x82\"",
    b"\"\xed\xa0\x80\"",
    b"\"\xc5\xbf\"",
];

const NUMBERS: &[&[u8]] = &[
    b"0",
    b"-0",
    b"1",
    b"-1",
    b"65535",
    b"65536",
    b"1.5",
    b"1e3",
    b"-1E-2",
    b"4294967296",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775808",
    b"18446744073709551616",
];

fn scalar(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(4) {
        0 => out.extend_from_slice(STRINGS[rng.below(STRINGS.len())]),
        1 => out.extend_from_slice(NUMBERS[rng.below(NUMBERS.len())]),
        2 => out.extend_from_slice(if rng.chance(50) { b"true" } else { b"false" }),
        _ => out.extend_from_slice(b"null"),
    }
}

fn ws(rng: &mut Rng, out: &mut Vec<u8>) {
    if rng.chance(10) {
        out.extend_from_slice([b" ".as_slice(), b"\n", b"\t", b"\r\n "][rng.below(4)]);
    }
}

/// A JSON value for a field of type `ty`: usually of the right type, sometimes not.
fn value(rng: &mut Rng, ty: &'static Ty, depth: usize, out: &mut Vec<u8>) {
    if rng.chance(8) || depth > 6 {
        return scalar(rng, out);
    }
    match ty {
        Ty::Bool => out.extend_from_slice(if rng.chance(50) { b"true" } else { b"false" }),
        Ty::Int(_) | Ty::Uint(_) => out.extend_from_slice(NUMBERS[rng.below(NUMBERS.len())]),
        Ty::Bytes => {
            let pool: [&[u8]; 6] = [
                b"\"eyJhIjoxfQ==\"",
                b"\"e30=\"",
                b"\"YQ\\r\\n==\"",
                b"\"YQ\"",
                b"\"Y=Q=\"",
                b"\"\"",
            ];
            out.extend_from_slice(pool[rng.below(pool.len())]);
        }
        Ty::Ignore if rng.chance(50) => array(rng, &Ty::Ignore, depth, out),
        Ty::String | Ty::Ignore => out.extend_from_slice(STRINGS[rng.below(STRINGS.len())]),
        Ty::StrSlice if rng.chance(30) => out.extend_from_slice(STRINGS[rng.below(STRINGS.len())]),
        Ty::StrSlice => array(rng, &Ty::String, depth, out),
        Ty::Ptr(inner) => value(rng, inner, depth, out),
        Ty::Slice(elem) | Ty::Array(_, elem) => array(rng, elem, depth, out),
        Ty::Map(elem) => {
            out.push(b'{');
            let n = rng.below(4);
            for i in 0..n {
                if i > 0 {
                    out.push(b',');
                }
                ws(rng, out);
                let keys: [&[u8]; 4] = [b"\"a\"", b"\"A\"", b"\"80/tcp\"", b"\"\xff\""];
                out.extend_from_slice(keys[rng.below(keys.len())]);
                out.push(b':');
                value(rng, elem, depth + 1, out);
            }
            out.push(b'}');
        }
        Ty::Struct(fields) => object(rng, fields, depth, out),
    }
}

fn array(rng: &mut Rng, elem: &'static Ty, depth: usize, out: &mut Vec<u8>) {
    out.push(b'[');
    let n = rng.below(5);
    for i in 0..n {
        if i > 0 {
            out.push(b',');
        }
        ws(rng, out);
        value(rng, elem, depth + 1, out);
    }
    out.push(b']');
}

fn object(rng: &mut Rng, fields: &'static [Field], depth: usize, out: &mut Vec<u8>) {
    let mut all = Vec::new();
    names(fields, &mut all);
    // A few fields, so repeats are common.
    let pool: Vec<(&str, &'static Ty)> = (0..3)
        .filter_map(|_| all.get(rng.below(all.len().max(1))).copied())
        .collect();
    out.push(b'{');
    let n = rng.below(6);
    for i in 0..n {
        if i > 0 {
            out.push(b',');
        }
        ws(rng, out);
        if pool.is_empty() || rng.chance(5) {
            out.extend_from_slice(b"\"Unknown\"");
            out.push(b':');
            value(rng, &Ty::Map(&Ty::Ignore), depth + 1, out);
            continue;
        }
        let (name, ty) = pool[rng.below(pool.len())];
        spell(rng, name, out);
        ws(rng, out);
        out.push(b':');
        value(rng, ty, depth + 1, out);
    }
    out.push(b'}');
}

/// Decodes `count` random bodies of `schema` with both decoders; returns how many both accepted.
fn agree_with_go(schema: &'static Schema, go_name: &str, count: usize, seed: u64) -> usize {
    use std::io::Write;
    let oracle = std::env::var("GOJSON_ORACLE").expect("GOJSON_ORACLE names the oracle binary");
    let dir = std::env::temp_dir().join(format!("gojson-oracle-{}-{go_name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(seed);
    let Ty::Struct(root) = &schema.root else {
        unreachable!("schemas are structs")
    };
    let mut paths = Vec::new();
    let mut bodies = Vec::new();
    for i in 0..count {
        let mut body = Vec::new();
        ws(&mut rng, &mut body);
        object(&mut rng, root, 0, &mut body);
        if rng.chance(10) {
            body.extend_from_slice(b" {\"HostConfig\":{\"Privileged\":true}} trailing \xff");
        }
        let path = dir.join(format!("{i}.json"));
        std::fs::write(&path, &body).unwrap();
        paths.push(path.display().to_string());
        bodies.push(body);
    }
    let mut child = std::process::Command::new(&oracle)
        .arg(go_name)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let list = paths.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<&str> = std::str::from_utf8(&output.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), count, "the oracle answered every body");
    let (mut accepted, mut failures) = (0, Vec::new());
    for (i, line) in lines.iter().enumerate() {
        let go: Value = serde_json::from_str(line).unwrap();
        let ours = decode(&bodies[i], schema);
        let agree = match (&ours, go["ok"].as_bool().unwrap()) {
            (Ok(v), true) => {
                accepted += 1;
                full(&schema.root, Some(v)) == go["value"]
            }
            (Err(_), false) => true,
            _ => false,
        };
        if !agree && failures.len() < 5 {
            failures.push(format!(
                "{}: ours {:?}\n go {}",
                String::from_utf8_lossy(&bodies[i]),
                ours.map(|v| full(&schema.root, Some(&v))),
                go
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!("{go_name}: {count} bodies, {accepted} accepted by both, all alike");
    accepted
}

fn cases() -> usize {
    std::env::var("GOJSON_ORACLE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000)
}

#[test]
#[ignore = "needs the Go oracle: scripts/gojson-oracle.sh"]
fn create_bodies_decode_as_go_decodes_them() {
    let accepted = agree_with_go(
        &CONTAINER_CONFIG_WRAPPER,
        "create",
        cases(),
        0x9E37_79B9_7F4A_7C15,
    );
    assert!(
        accepted > cases() / 4,
        "the generator makes mostly acceptable bodies"
    );
}

#[test]
#[ignore = "needs the Go oracle: scripts/gojson-oracle.sh"]
fn exec_update_volume_and_service_bodies_decode_as_go_decodes_them() {
    for (schema, name, seed) in [
        (&EXEC_CONFIG, "exec", 1),
        (&UPDATE_CONFIG, "update", 2),
        (&VOLUME_CREATE_BODY, "volume", 3),
        (&SERVICE_SPEC, "service", 4),
    ] {
        let accepted = agree_with_go(schema, name, cases() / 4, 0x9E37_79B9_7F4A_7C15 ^ seed);
        assert!(
            accepted > cases() / 32,
            "{name}: the generator makes acceptable bodies"
        );
    }
}
