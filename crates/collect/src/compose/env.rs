//! Compose variables: `.env` files read like docker compose reads them, and `${VAR}`
//! interpolation of values.

use std::collections::BTreeMap;

/// The variables interpolation sees, by name.
pub type Variables = BTreeMap<String, String>;

/// Why a template or an env file could not be read. `offset` is the byte offset in the text
/// where the problem starts (templates) or the 1-based line (env files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvError {
    /// 1-based line in an env file (0 for a template, whose position is its node's).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Substitutes `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
/// `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` (defaults, errors and alternatives may nest
/// further templates) and the `$$` escape, as docker compose does. A `$` followed by anything
/// else stays as it is; an unset variable without a default is empty (compose warns).
pub fn interpolate(text: &str, vars: &dyn Fn(&str) -> Option<String>) -> Result<String, EnvError> {
    interpolate_nested(text, vars, 0)
}

/// The longest value interpolation may produce (a `.env` whose values double each other must
/// not exhaust memory).
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// How deep defaults may nest (`${A:-${B:-…}}`).
const MAX_NESTING: usize = 32;

fn too_long() -> EnvError {
    EnvError {
        line: 0,
        message: format!(
            "the interpolated value is longer than {} KiB",
            MAX_VALUE_BYTES >> 10
        ),
    }
}

fn interpolate_nested(
    text: &str,
    vars: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Result<String, EnvError> {
    if depth > MAX_NESTING {
        return Err(EnvError {
            line: 0,
            message: format!("interpolation nested deeper than {MAX_NESTING} levels"),
        });
    }
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            // Copy up to the next `$` (keeps multi-byte characters whole).
            let next = text[i..].find('$').map_or(text.len(), |n| i + n);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                let close = closing_brace(text, i + 1).ok_or_else(|| invalid(text))?;
                let inner = &text[i + 2..close];
                out.push_str(&braced(inner, text, vars, depth)?);
                i = close + 1;
            }
            Some(c) if is_name_start(*c) => {
                let end = name_end(bytes, i + 1);
                out.push_str(&vars(&text[i + 1..end]).unwrap_or_default());
                i = end;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
        if out.len() > MAX_VALUE_BYTES {
            return Err(too_long());
        }
    }
    Ok(out)
}

fn invalid(text: &str) -> EnvError {
    EnvError {
        line: 0,
        message: format!("invalid interpolation format in {text:?}: write a literal $ as $$"),
    }
}

fn is_name_start(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphabetic()
}

fn name_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() && (bytes[end] == b'_' || bytes[end].is_ascii_alphanumeric()) {
        end += 1;
    }
    end
}

/// The index of the `}` closing the `{` at `open`, counting nested `${…}`.
fn closing_brace(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn braced(
    inner: &str,
    whole: &str,
    vars: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Result<String, EnvError> {
    let bytes = inner.as_bytes();
    if bytes.first().is_none_or(|c| !is_name_start(*c)) {
        return Err(invalid(whole));
    }
    let end = name_end(bytes, 1);
    let name = &inner[..end];
    let rest = &inner[end..];
    let value = vars(name);
    if rest.is_empty() {
        return Ok(value.unwrap_or_default());
    }
    let (colon, rest) = match rest.strip_prefix(':') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let mut chars = rest.chars();
    let op = chars.next().ok_or_else(|| invalid(whole))?;
    let word = chars.as_str();
    // `:` variants treat an empty value like an unset one.
    let set = match &value {
        Some(v) => !(colon && v.is_empty()),
        None => false,
    };
    match op {
        '-' if set => Ok(value.unwrap_or_default()),
        '-' => interpolate_nested(word, vars, depth + 1),
        '+' if set => interpolate_nested(word, vars, depth + 1),
        '+' => Ok(if colon {
            value.unwrap_or_default()
        } else {
            String::new()
        }),
        '?' if set => Ok(value.unwrap_or_default()),
        '?' => {
            let reason = interpolate_nested(word, vars, depth + 1)?;
            Err(EnvError {
                line: 0,
                message: if reason.is_empty() {
                    format!("required variable {name} is missing a value")
                } else {
                    format!("required variable {name} is missing a value: {reason}")
                },
            })
        }
        _ => Err(invalid(whole)),
    }
}

/// Reads an env file (`--env-file`, the project's `.env`) as docker compose does: `KEY=VALUE`
/// (or `KEY: VALUE`) lines, an optional `export ` prefix, `#` comment lines and ` #` comments
/// after unquoted values, single quotes (literal), double quotes (escapes `\n`, `\t`, `\"`,
/// `\\`, `\$`, and interpolation), values spanning lines inside quotes, and a bare `KEY` line
/// taking its value from the environment. Unquoted and double-quoted values are interpolated as
/// compose-go does: `environment` first (the process environment wins even inside env files),
/// then the values read so far — this file's, then `earlier` (the env files before it).
pub fn parse_dotenv(
    text: &str,
    environment: &dyn Fn(&str) -> Option<String>,
    earlier: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, EnvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out: Vec<(String, String)> = Vec::new();
    let mut line = 1u32;
    let mut rest = text;
    loop {
        // Skip blank space and comment lines.
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace());
        line += count_newlines(&rest[..rest.len() - trimmed.len()]);
        rest = trimmed;
        if rest.is_empty() {
            break;
        }
        if rest.starts_with('#') {
            let end = rest.find('\n').unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        let statement_line = line;
        if let Some(after) = rest.strip_prefix("export")
            && after.starts_with([' ', '\t'])
        {
            rest = after.trim_start_matches([' ', '\t']);
        }
        let key_end = rest.find(['=', ':', '\n']).unwrap_or(rest.len());
        let key = rest[..key_end].trim_end();
        if key.is_empty() {
            return Err(EnvError {
                line: statement_line,
                message: "a line without a variable name".into(),
            });
        }
        if let Some(bad) = key
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']')))
        {
            return Err(EnvError {
                line: statement_line,
                message: format!("unexpected character {bad:?} in variable name {key:?}"),
            });
        }
        let key = key.to_string();
        if key_end == rest.len() || rest.as_bytes()[key_end] == b'\n' {
            // `KEY` alone: inherited from the environment (or an earlier file), when set there.
            if let Some(value) = environment(&key).or_else(|| earlier(&key)) {
                set(&mut out, key, value);
            }
            rest = &rest[key_end..];
            continue;
        }
        rest = rest[key_end + 1..].trim_start_matches([' ', '\t']);
        let known = |name: &str| -> Option<String> {
            environment(name)
                .or_else(|| out.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
                .or_else(|| earlier(name))
        };
        let (value, consumed) = match rest.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let (raw, len) = quoted(&rest[1..], quote).ok_or_else(|| EnvError {
                    line: statement_line,
                    message: format!(
                        "unterminated quoted value {}",
                        rest.lines().next().unwrap_or_default()
                    ),
                })?;
                let value = if quote == '"' {
                    interpolate(&unescape(&raw), &known).map_err(|e| EnvError {
                        line: statement_line,
                        message: e.message,
                    })?
                } else {
                    raw
                };
                (value, 1 + len)
            }
            _ => {
                let end = rest.find('\n').unwrap_or(rest.len());
                let raw = &rest[..end];
                let raw = raw.split(" #").next().unwrap_or_default().trim_end();
                let value = interpolate(raw, &known).map_err(|e| EnvError {
                    line: statement_line,
                    message: e.message,
                })?;
                (value, end)
            }
        };
        line += count_newlines(&rest[..consumed]);
        rest = &rest[consumed..];
        // Whatever follows a closing quote on its line is ignored (a comment).
        if let Some(end) = rest.find('\n') {
            if rest[..end].trim().is_empty() || rest[..end].trim_start().starts_with('#') {
                rest = &rest[end..];
            }
        } else if rest.trim().is_empty() || rest.trim_start().starts_with('#') {
            rest = "";
        }
        set(&mut out, key, value);
    }
    Ok(out)
}

fn set(out: &mut Vec<(String, String)>, key: String, value: String) {
    if let Some(slot) = out.iter_mut().find(|(k, _)| *k == key) {
        slot.1 = value;
    } else {
        out.push((key, value));
    }
}

fn count_newlines(s: &str) -> u32 {
    u32::try_from(s.bytes().filter(|b| *b == b'\n').count()).unwrap_or(u32::MAX)
}

/// The text up to the closing `quote` (a backslash keeps the next character, escaping the
/// quote), and the length consumed including the closing quote.
fn quoted(s: &str, quote: char) -> Option<(String, usize)> {
    let mut raw = String::new();
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            if c != quote {
                raw.push('\\');
            }
            raw.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return Some((raw, i + c.len_utf8()));
        } else {
            raw.push(c);
        }
    }
    None
}

/// Double-quote escapes: `\n`, `\t`, `\r`, `\\`, `\"`; `\$` stays a literal dollar.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('$') => out.push_str("$$"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn every_template_form_substitutes_like_compose() {
        let v = vars(&[("SET", "x"), ("EMPTY", "")]);
        let cases = [
            ("$SET-$SET", "x-x"),
            ("${SET}y", "xy"),
            ("${UNSET}", ""),
            ("${UNSET:-d}", "d"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${UNSET-d}", "d"),
            ("${SET:+alt}", "alt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("${UNSET:-${SET}}", "x"),
            ("${UNSET:-${ALSO:-deep}}", "deep"),
            ("$$SET $$ $", "$SET $ $"),
            ("a$1b", "a$1b"),
            ("${EMPTY?e}", ""),
        ];
        for (template, expected) in cases {
            assert_eq!(interpolate(template, &v).unwrap(), expected, "{template}");
        }
    }

    #[test]
    fn required_variables_fail_with_their_name_and_message() {
        let v = vars(&[("EMPTY", "")]);
        assert_eq!(
            interpolate("${DB?set it in .env}", &v).unwrap_err().message,
            "required variable DB is missing a value: set it in .env"
        );
        assert_eq!(
            interpolate("${EMPTY:?}", &v).unwrap_err().message,
            "required variable EMPTY is missing a value"
        );
        assert_eq!(
            interpolate("x ${", &v).unwrap_err().message,
            "invalid interpolation format in \"x ${\": write a literal $ as $$"
        );
        assert!(interpolate("${1}", &v).is_err());
        let deep = format!("{}x{}", "${A:-".repeat(40), "}".repeat(40));
        assert_eq!(
            interpolate(&deep, &v).unwrap_err().message,
            "interpolation nested deeper than 32 levels"
        );
        let long = "x".repeat(600 << 10);
        let pairs = [("BIG", long.as_str())];
        let big = vars(&pairs);
        assert_eq!(
            interpolate("$BIG$BIG", &big).unwrap_err().message,
            "the interpolated value is longer than 1024 KiB"
        );
        assert!(interpolate("${A!b}", &v).is_err());
    }

    #[test]
    fn env_files_parse_like_compose() {
        let text = "# comment\n\nexport A=1\nB = two words # comment\nC='single $A'\nD=\"dq $A\\n\\$A\"\nE: yaml\nF=\"multi\nline\"\nINHERIT\nMISSING\nG=${A}-$B\n";
        let lookup = vars(&[("INHERIT", "from env")]);
        let none = |_: &str| None;
        let parsed = parse_dotenv(text, &lookup, &none).unwrap();
        let expected: Vec<(String, String)> = [
            ("A", "1"),
            ("B", "two words"),
            ("C", "single $A"),
            ("D", "dq 1\n$A"),
            ("E", "yaml"),
            ("F", "multi\nline"),
            ("INHERIT", "from env"),
            ("G", "1-two words"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(parsed, expected);
    }

    #[test]
    fn the_environment_wins_inside_env_files_then_the_latest_value() {
        let environment = vars(&[("A", "from env")]);
        let earlier = vars(&[("B", "earlier file"), ("C", "earlier file")]);
        let parsed = parse_dotenv("A=own\nX=$A\nB=own\nY=$B\nZ=$C\nC\n", &environment, &earlier).unwrap();
        let get = |k: &str| parsed.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("own"));
        assert_eq!(get("X"), Some("from env"));
        assert_eq!(get("Y"), Some("own"));
        assert_eq!(get("Z"), Some("earlier file"));
        assert_eq!(get("C"), Some("earlier file"));
    }

    #[test]
    fn env_file_errors_name_the_line() {
        let lookup = vars(&[]);
        let err = parse_dotenv("A=1\n\nB C=2\n", &lookup, &lookup).unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(err.message, "unexpected character ' ' in variable name \"B C\"");
        let err = parse_dotenv("A=1\nB=\"open\n", &lookup, &lookup).unwrap_err();
        assert_eq!(
            (err.line, err.message.as_str()),
            (2, "unterminated quoted value \"open")
        );
    }
}
