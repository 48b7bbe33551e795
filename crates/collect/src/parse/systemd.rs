//! How systemd would start dockerd, read from its unit file and drop-ins.
//!
//! The auditor compares dockerd's running command line with what its unit starts (a flag may come
//! from the unit, from `Environment=`, or from an `EnvironmentFile=`), and it must cite the line that
//! set it. This is a small reader for the subset of systemd's unit syntax that decides that: the
//! `[Service]` section's `ExecStart=`, `Environment=` and `EnvironmentFile=`, drop-in overrides,
//! quoting, line continuations and `$VAR` expansion. Anything else in a unit is ignored.

use std::collections::BTreeMap;

use dockward_model::Provenance;

/// A unit file's text and its path (for provenance).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitText<'a> {
    /// Where the file lives on the audited host, e.g. `/lib/systemd/system/docker.service`.
    pub path: &'a str,
    /// The file's contents.
    pub text: &'a str,
}

/// What the `[Service]` section says about starting the program.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceExec {
    /// The effective ExecStart= command: words after quote removal and prefix stripping, and where it was set.
    pub exec_start: Option<(Vec<String>, Provenance)>,
    /// Environment= assignments in order (later ones override earlier ones), with where they were set.
    pub environment: Vec<(String, String, Provenance)>,
    /// EnvironmentFile= paths; the bool is true when prefixed with '-' (optional).
    pub environment_files: Vec<(String, bool, Provenance)>,
}

/// Applies the fragment and then the drop-ins, in the order given, like systemd.
///
/// An empty `ExecStart=`, `Environment=` or `EnvironmentFile=` resets what earlier lines (in this
/// file or earlier files) set, which is how drop-ins replace the command. Of several `ExecStart=`
/// after the last reset the last one wins (dockerd's unit is `Type=notify`, which allows only one).
pub fn parse_service(files: &[UnitText<'_>]) -> ServiceExec {
    let mut service = ServiceExec::default();
    for file in files {
        // Every file must open its own [Service] section; sections do not carry over.
        let mut in_service = false;
        for (line, content) in logical_lines(file.text) {
            if let Some(name) = content.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
                in_service = name.trim() == "Service";
                continue;
            }
            if !in_service {
                continue;
            }
            let Some((key, value)) = content.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim());
            let at = Provenance::file(file.path.to_owned(), line, 1);
            match key {
                "ExecStart" => set_exec_start(&mut service, value, at),
                "Environment" => {
                    if value.is_empty() {
                        service.environment.clear();
                        continue;
                    }
                    for word in split_words(value) {
                        if let Some((name, val)) = word.split_once('=')
                            && is_assignable_name(name)
                        {
                            service
                                .environment
                                .push((name.to_owned(), val.to_owned(), at.clone()));
                        }
                    }
                }
                "EnvironmentFile" => {
                    if value.is_empty() {
                        service.environment_files.clear();
                        continue;
                    }
                    let (optional, path) = match value.strip_prefix('-') {
                        Some(rest) => (true, rest.trim_start()),
                        None => (false, value),
                    };
                    if !path.is_empty() {
                        service.environment_files.push((path.to_owned(), optional, at));
                    }
                }
                _ => {}
            }
        }
    }
    service
}

/// Handles one `ExecStart=` line: an empty value resets, otherwise the command replaces any earlier one.
fn set_exec_start(service: &mut ServiceExec, value: &str, at: Provenance) {
    // The prefixes change how systemd runs the command (ignore failure, privileges, argv[0]), not
    // which program runs, so they are dropped.
    let command = value.trim_start_matches(['-', '@', ':', '+', '!']);
    if value.is_empty() {
        service.exec_start = None;
        return;
    }
    let words = split_words(command);
    // A line that is only prefixes is an error for systemd; it leaves the previous command alone.
    if !words.is_empty() {
        service.exec_start = Some((words, at));
    }
}

/// Splits a unit file into logical lines with the 1-based line number where each begins, joining
/// continuation lines and dropping comments and blank lines.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = line_number(index);
        let trimmed = raw.trim();
        // systemd skips comment lines even in the middle of a continuation.
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let (start, mut buffer) = pending.take().unwrap_or((line_no, String::new()));
        if ends_with_unescaped_backslash(trimmed) {
            buffer.push_str(trimmed.strip_suffix('\\').unwrap_or(trimmed));
            buffer.push(' ');
            pending = Some((start, buffer));
            continue;
        }
        buffer.push_str(trimmed);
        let joined = buffer.trim();
        if !joined.is_empty() {
            out.push((start, joined.to_owned()));
        }
    }
    // A continuation on the last line simply ends the text.
    if let Some((start, buffer)) = pending {
        let joined = buffer.trim();
        if !joined.is_empty() {
            out.push((start, joined.to_owned()));
        }
    }
    out
}

/// True when the line ends in an odd number of backslashes, i.e. the last one is not itself escaped.
fn ends_with_unescaped_backslash(line: &str) -> bool {
    line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Converts a 0-based line index into a 1-based line number, saturating on absurdly long files.
fn line_number(index: usize) -> u32 {
    u32::try_from(index).map_or(u32::MAX, |n| n.saturating_add(1))
}

/// Splits a value into words the way systemd does for `ExecStart=` and `Environment=`: whitespace
/// separates, double and single quotes group (also in the middle of a word), and a backslash outside
/// single quotes keeps the next character literally. An unterminated quote runs to the end of the value.
fn split_words(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next().unwrap_or('\\'));
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => word.push(chars.next().unwrap_or('\\')),
                        other => word.push(other),
                    }
                }
            }
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            other => {
                in_word = true;
                word.push(other);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// A variable name that may be assigned: not empty and free of whitespace and control characters.
fn is_assignable_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A variable name that `$NAME` and `${NAME}` may refer to: letters, digits and `_`, not starting with a digit.
fn is_reference_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Expands $VAR (value split on whitespace into several words) and ${VAR} (one word) in ExecStart words, as systemd does; unknown variables expand to nothing.
///
/// `$VAR` is only special as a whole word (elsewhere it stays literal, as in systemd); `${VAR}` is
/// replaced anywhere in a word, and a word that was only an unknown `${VAR}` stays as one empty word,
/// since systemd passes it as an empty argument. `$$` gives a literal `$`.
pub fn expand(words: &[String], env: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        if let Some(name) = word.strip_prefix('$')
            && is_reference_name(name)
        {
            if let Some(value) = env.get(name) {
                out.extend(value.split_whitespace().map(str::to_owned));
            }
            continue;
        }
        out.push(expand_braced(word, env));
    }
    out
}

/// Replaces every `${NAME}` in a word and turns `$$` into `$`; any other `$` stays as written.
fn expand_braced(word: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    // Each round consumes at least the '$' it found, so this ends.
    while let Some((before, after)) = rest.split_once('$') {
        out.push_str(before);
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some((name, tail)) = after.strip_prefix('{').and_then(|inner| inner.split_once('}'))
            && is_reference_name(name)
        {
            if let Some(value) = env.get(name) {
                out.push_str(value);
            }
            rest = tail;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Parses an EnvironmentFile (KEY=VALUE lines, # and ; comments, optional quotes, `export ` prefix tolerated).
///
/// Like systemd: comments only at the start of a line; unquoted values lose surrounding whitespace
/// and a backslash keeps the next character (a backslash at the end of a line continues the value on
/// the next line); single quotes are literal; in double quotes `\"`, `\\`, `` \` `` and `\$` are
/// escapes and a quoted value may span lines. Lines without `=` or with a bad name are skipped.
pub fn parse_environment_file(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    // Every iteration of either loop consumes at least one character, so both end.
    while chars.peek().is_some() {
        while chars.next_if(|&c| c == ' ' || c == '\t' || c == '\r').is_some() {}
        match chars.peek() {
            None => break,
            Some('\n') => {
                chars.next();
                continue;
            }
            Some('#' | ';') => {
                skip_line(&mut chars);
                continue;
            }
            Some(_) => {}
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|&c| c != '=' && c != '\n') {
            key.push(c);
        }
        if chars.next_if_eq(&'=').is_none() {
            // No '=' on this line: not an assignment.
            continue;
        }
        let key = key.trim();
        let key = match key.strip_prefix("export") {
            Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
            _ => key,
        };
        let value = read_env_value(&mut chars);
        if is_assignable_name(key) {
            out.push((key.to_owned(), value));
        }
    }
    out
}

/// Skips to just after the next newline (or the end of the text).
fn skip_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if c == '\n' {
            break;
        }
    }
}

/// Reads one environment file value, from just after the `=` up to the end of its (logical) line.
fn read_env_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut value = String::new();
    // Unquoted whitespace is held back so that trailing whitespace can be dropped.
    let mut held = String::new();
    while chars.next_if(|&c| c == ' ' || c == '\t').is_some() {}
    while let Some(c) = chars.next() {
        match c {
            '\n' => break,
            ' ' | '\t' | '\r' => held.push(c),
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(escaped) => {
                    value.push_str(&std::mem::take(&mut held));
                    value.push(escaped);
                }
            },
            '\'' => {
                value.push_str(&std::mem::take(&mut held));
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    value.push(q);
                }
            }
            '"' => {
                value.push_str(&std::mem::take(&mut held));
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\\' | '`' | '$')) => value.push(e),
                            Some('\n') => {}
                            Some(other) => {
                                value.push('\\');
                                value.push(other);
                            }
                            None => value.push('\\'),
                        },
                        other => value.push(other),
                    }
                }
            }
            other => {
                value.push_str(&std::mem::take(&mut held));
                value.push(other);
            }
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, line: u32) -> Provenance {
        Provenance::file(path.to_owned(), line, 1)
    }

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    const DEBIAN_UNIT: &str = "\
[Unit]
Description=Docker Application Container Engine
Documentation=https://docs.docker.com
After=network-online.target docker.socket firewalld.service containerd.service time-set.target
Wants=network-online.target containerd.service
Requires=docker.socket

[Service]
Type=notify
# the default is not to use systemd for cgroups because the delegate issues still
# exists and systemd currently does not support the cgroup feature set required
# for containers run by docker
EnvironmentFile=-/etc/default/docker
ExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS --containerd=/run/containerd/containerd.sock
ExecReload=/bin/kill -s HUP $MAINPID
TimeoutStartSec=0
RestartSec=2
Restart=always

[Install]
WantedBy=multi-user.target
";

    #[test]
    fn debian_unit() {
        let path = "/lib/systemd/system/docker.service";
        let service = parse_service(&[UnitText {
            path,
            text: DEBIAN_UNIT,
        }]);
        assert_eq!(
            service.exec_start,
            Some((
                strings(&[
                    "/usr/sbin/dockerd",
                    "-H",
                    "fd://",
                    "$DOCKER_OPTS",
                    "--containerd=/run/containerd/containerd.sock"
                ]),
                at(path, 14)
            ))
        );
        assert_eq!(service.environment, vec![]);
        assert_eq!(
            service.environment_files,
            vec![("/etc/default/docker".to_owned(), true, at(path, 13))]
        );
    }

    #[test]
    fn drop_in_resets_and_replaces_with_continuation() {
        let fragment = UnitText {
            path: "/lib/systemd/system/docker.service",
            text: DEBIAN_UNIT,
        };
        let drop_in = UnitText {
            path: "/etc/systemd/system/docker.service.d/override.conf",
            text: "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \\\n    --icc=false \\\n  --userns-remap=default\n",
        };
        let service = parse_service(&[fragment, drop_in]);
        assert_eq!(
            service.exec_start,
            Some((
                strings(&["/usr/bin/dockerd", "--icc=false", "--userns-remap=default"]),
                at("/etc/systemd/system/docker.service.d/override.conf", 3)
            ))
        );
        // The fragment's EnvironmentFile= is not touched by the drop-in.
        assert_eq!(service.environment_files.len(), 1);
    }

    #[test]
    fn reset_without_replacement_leaves_no_command() {
        let fragment = UnitText {
            path: "a",
            text: "[Service]\nExecStart=/usr/bin/dockerd\n",
        };
        let drop_in = UnitText {
            path: "b",
            text: "[Service]\nExecStart=\n",
        };
        assert_eq!(parse_service(&[fragment, drop_in]).exec_start, None);
    }

    #[test]
    fn last_exec_start_wins_and_prefixes_are_stripped() {
        let text = "[Service]\nExecStart=/bin/first\nExecStart=-!!/usr/bin/dockerd -D\nExecStart=@:\n";
        let service = parse_service(&[UnitText { path: "u", text }]);
        assert_eq!(
            service.exec_start,
            Some((strings(&["/usr/bin/dockerd", "-D"]), at("u", 3)))
        );
        let plus = parse_service(&[UnitText {
            path: "u",
            text: "[Service]\nExecStart=+@/usr/bin/dockerd dockerd -D",
        }]);
        assert_eq!(
            plus.exec_start,
            Some((strings(&["/usr/bin/dockerd", "dockerd", "-D"]), at("u", 2)))
        );
    }

    #[test]
    fn quoted_arguments() {
        let text = r#"[Service]
ExecStart=/usr/bin/dockerd --label "env=prod west" --log-opt='tag={{.Name}} x' a\ b "q\"uote" --x="mid"dle
"#;
        let service = parse_service(&[UnitText { path: "u", text }]);
        assert_eq!(
            service.exec_start.map(|(words, _)| words),
            Some(strings(&[
                "/usr/bin/dockerd",
                "--label",
                "env=prod west",
                "--log-opt=tag={{.Name}} x",
                "a b",
                "q\"uote",
                "--x=middle"
            ]))
        );
    }

    #[test]
    fn unterminated_quote_takes_rest_of_line() {
        let text = "[Service]\nExecStart=/usr/bin/dockerd \"--label a b\n";
        let service = parse_service(&[UnitText { path: "u", text }]);
        assert_eq!(
            service.exec_start.map(|(w, _)| w),
            Some(strings(&["/usr/bin/dockerd", "--label a b"]))
        );
        assert_eq!(split_words("x 'open"), strings(&["x", "open"]));
        assert_eq!(split_words("trailing\\"), strings(&["trailing\\"]));
    }

    #[test]
    fn environment_assignments() {
        let text = "[Service]\nEnvironment=\"A=1\" B=2 \"C=x y\"\nEnvironment=NOEQUALS D=\n; comment\nEnvironment=A=3\n";
        let service = parse_service(&[UnitText { path: "u", text }]);
        assert_eq!(
            service.environment,
            vec![
                ("A".to_owned(), "1".to_owned(), at("u", 2)),
                ("B".to_owned(), "2".to_owned(), at("u", 2)),
                ("C".to_owned(), "x y".to_owned(), at("u", 2)),
                ("D".to_owned(), String::new(), at("u", 3)),
                ("A".to_owned(), "3".to_owned(), at("u", 5)),
            ]
        );
    }

    #[test]
    fn empty_environment_resets() {
        let fragment = UnitText {
            path: "a",
            text: "[Service]\nEnvironment=A=1\nEnvironmentFile=/etc/x\n",
        };
        let drop_in = UnitText {
            path: "b",
            text: "[Service]\nEnvironment=\nEnvironment=B=2\nEnvironmentFile=\n",
        };
        let service = parse_service(&[fragment, drop_in]);
        assert_eq!(
            service.environment,
            vec![("B".to_owned(), "2".to_owned(), at("b", 3))]
        );
        assert_eq!(service.environment_files, vec![]);
    }

    #[test]
    fn other_sections_and_comments_ignored() {
        let text = "\
[Unit]
ExecStart=/bin/unit-section
[Install]
Environment=X=1
[Service]
#ExecStart=/bin/commented
;ExecStart=/bin/commented
  # indented comment
ExecStart=/usr/bin/dockerd
[Service.d]
ExecStart=/bin/not-service
";
        let service = parse_service(&[UnitText { path: "u", text }]);
        assert_eq!(
            service.exec_start,
            Some((strings(&["/usr/bin/dockerd"]), at("u", 9)))
        );
        assert_eq!(service.environment, vec![]);
    }

    #[test]
    fn section_does_not_carry_into_next_file() {
        let fragment = UnitText {
            path: "a",
            text: "[Service]\nExecStart=/usr/bin/dockerd\n",
        };
        let drop_in = UnitText {
            path: "b",
            text: "ExecStart=\nExecStart=/bin/ignored\n",
        };
        let service = parse_service(&[fragment, drop_in]);
        assert_eq!(
            service.exec_start,
            Some((strings(&["/usr/bin/dockerd"]), at("a", 2)))
        );
    }

    #[test]
    fn continuation_details() {
        // A comment inside a continuation is skipped; an escaped backslash does not continue; a
        // continuation on the last line ends the text.
        let text =
            "[Service]\nExecStart=/usr/bin/dockerd \\\n# note\n  -D\nEnvironment=P=a\\\\\nEnvironment=Q=1 \\";
        let service = parse_service(&[UnitText { path: "u", text }]);
        assert_eq!(
            service.exec_start,
            Some((strings(&["/usr/bin/dockerd", "-D"]), at("u", 2)))
        );
        assert_eq!(
            service.environment,
            vec![
                ("P".to_owned(), "a\\".to_owned(), at("u", 5)),
                ("Q".to_owned(), "1".to_owned(), at("u", 6))
            ]
        );
    }

    #[test]
    fn crlf_and_garbage_do_not_panic() {
        let text = "[Service\r\n]\r\n=\r\nExecStart\r\n[Service]\r\nExecStart=/usr/bin/dockerd -D\r\n\\\n\"";
        let service = parse_service(&[UnitText { path: "u", text }]);
        assert_eq!(
            service.exec_start,
            Some((strings(&["/usr/bin/dockerd", "-D"]), at("u", 6)))
        );
        assert_eq!(parse_service(&[]), ServiceExec::default());
    }

    #[test]
    fn expansion() {
        let env: BTreeMap<String, String> = [
            ("DOCKER_OPTS", "  --icc=false   --label a=b "),
            ("ONE", "x y"),
            ("EMPTY", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let words = strings(&[
            "/usr/sbin/dockerd",
            "$DOCKER_OPTS",
            "${ONE}",
            "--opt=${ONE}!",
            "$UNKNOWN",
            "${UNKNOWN}",
            "$EMPTY",
            "--embedded=$ONE",
            "$$ONE",
            "${unclosed",
            "${bad-name}",
            "$",
        ]);
        assert_eq!(
            expand(&words, &env),
            strings(&[
                "/usr/sbin/dockerd",
                "--icc=false",
                "--label",
                "a=b",
                "x y",
                "--opt=x y!",
                "",
                "--embedded=$ONE",
                "$ONE",
                "${unclosed",
                "${bad-name}",
                "$",
            ])
        );
    }

    #[test]
    fn environment_file() {
        let text = "\
# Docker Upstart and SysVinit configuration file
; another comment
DOCKER_OPTS=\"--dns 8.8.8.8 --dns 8.8.4.4\"
export http_proxy=http://127.0.0.1:3128/
  SPACED  =  value with spaces   
SINGLE='a \"b\" $c'
ESCAPED=\"x\\\"y\\\\z\\n\"
CONT=one\\
two
MULTI=\"line1
line2\"
no equals here
bad name=1
EMPTY=
MIXED=a\"b c\"d # not a comment
";
        assert_eq!(
            parse_environment_file(text),
            vec![
                ("DOCKER_OPTS".to_owned(), "--dns 8.8.8.8 --dns 8.8.4.4".to_owned()),
                ("http_proxy".to_owned(), "http://127.0.0.1:3128/".to_owned()),
                ("SPACED".to_owned(), "value with spaces".to_owned()),
                ("SINGLE".to_owned(), "a \"b\" $c".to_owned()),
                ("ESCAPED".to_owned(), "x\"y\\z\\n".to_owned()),
                ("CONT".to_owned(), "onetwo".to_owned()),
                ("MULTI".to_owned(), "line1\nline2".to_owned()),
                ("EMPTY".to_owned(), String::new()),
                ("MIXED".to_owned(), "ab cd # not a comment".to_owned()),
            ]
        );
    }

    #[test]
    fn environment_file_edge_cases() {
        assert_eq!(parse_environment_file(""), vec![]);
        assert_eq!(
            parse_environment_file("A=\"unterminated"),
            vec![("A".to_owned(), "unterminated".to_owned())]
        );
        assert_eq!(
            parse_environment_file("A=x\\"),
            vec![("A".to_owned(), "x".to_owned())]
        );
        assert_eq!(
            parse_environment_file("=1\nexport=2\r\nB=3\r\n"),
            vec![
                ("export".to_owned(), "2".to_owned()),
                ("B".to_owned(), "3".to_owned())
            ]
        );
    }

    #[test]
    fn every_prefix_parses_without_panic() {
        let text =
            format!("{DEBIAN_UNIT}[Service]\nEnvironment=\"A=1\\\" 'B=x y' \\\nExecStart=-\"/a b\" \\");
        for (end, _) in text.char_indices() {
            let prefix = text.get(..end).unwrap_or_default();
            let service = parse_service(&[UnitText {
                path: "u",
                text: prefix,
            }]);
            let words = service.exec_start.map(|(w, _)| w).unwrap_or_default();
            let _ = expand(&words, &BTreeMap::new());
            let _ = parse_environment_file(prefix);
        }
    }
}
