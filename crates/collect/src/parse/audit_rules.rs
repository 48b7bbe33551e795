//! Audit rules in both of their written forms.
//!
//! CIS Docker 1.1.3–1.1.18 ask for audit rules on Docker's files. Administrators write them either
//! as watches (`-w PATH -p PERMS -k KEY`) or as syscall rules (`-a always,exit -F path=PATH ...`),
//! and `auditctl -l` prints the loaded rules in a normalized mix of both. The auditor only needs to
//! know which paths a rule covers, so each rule is reduced to its action, paths, permissions and key.

use dockward_model::{AuditRule, Provenance};

/// The filter lists a syscall rule may be appended to.
const LISTS: [&str; 6] = ["exit", "task", "user", "exclude", "filesystem", "io_uring"];

/// Parses rules from a rules file or from `auditctl -l` output; `source` is the file path or "auditctl -l" and goes into each rule's provenance.
///
/// Comments, blank lines, control options (`-D`, `-b`, `-e`, ...), `No rules`, watch removals
/// (`-W`), rule deletions (`-d`) and malformed rules (a `-w` or `-a` without its argument, an
/// `-a` without a known action and list) yield nothing.
pub fn parse_audit_rules(text: &str, source: &str) -> Vec<AuditRule> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let line_no = u32::try_from(index).map_or(u32::MAX, |n| n.saturating_add(1));
            parse_line(line.trim(), source, line_no)
        })
        .collect()
}

/// What kind of rule a line turned out to be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Not (yet) a rule: control options, or nothing seen.
    None,
    /// `-w PATH`.
    Watch,
    /// `-a`/`-A action,list`.
    Syscall,
}

/// Parses one trimmed line into a rule, or `None` when it is not an (intact) rule.
fn parse_line(text: &str, source: &str, line: u32) -> Option<AuditRule> {
    if text.is_empty() || text.starts_with('#') {
        return None;
    }
    let tokens = tokenize(text);
    let mut kind = Kind::None;
    let mut rule = AuditRule {
        text: text.to_owned(),
        watch: None,
        action: None,
        path: None,
        dir: None,
        perms: None,
        key: None,
        at: Provenance::file(source.to_owned(), line, 1),
    };
    let mut tokens = tokens.into_iter();
    // Each round consumes at least one token, so this ends.
    while let Some(token) = tokens.next() {
        match token.as_str() {
            "-w" => {
                let path = normalize_path(&tokens.next()?)?;
                rule.watch = Some(path);
                kind = Kind::Watch;
            }
            // Removing a watch or deleting a rule adds no coverage.
            "-W" | "-d" => return None,
            "-p" => set_first(&mut rule.perms, tokens.next()?),
            "-k" => set_first(&mut rule.key, tokens.next()?),
            "-a" | "-A" => {
                rule.action = Some(parse_action_list(&tokens.next()?)?);
                kind = Kind::Syscall;
            }
            "-F" => {
                let field = tokens.next()?;
                apply_field(&mut rule, &field)?;
            }
            // Syscall names and field comparisons do not decide which paths are covered.
            "-S" | "-C" => {
                tokens.next();
            }
            // Control options and their arguments (`-b 8192`, `-e 2`, `No rules`) are ignored; a
            // line with nothing but those is not a rule.
            _ => {}
        }
    }
    match kind {
        Kind::None => None,
        Kind::Watch | Kind::Syscall => Some(rule),
    }
}

/// Sets a field unless an earlier option already did (auditctl keeps several keys; the first is
/// the one people look for).
fn set_first(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// Reads `always,exit` (in either order) and returns the action; `None` unless both an action and a
/// known list are present.
fn parse_action_list(arg: &str) -> Option<String> {
    let mut action = None;
    let mut list = None;
    for part in arg.split(',') {
        let part = part.trim();
        if part == "always" || part == "never" {
            action = Some(part);
        } else if LISTS.contains(&part) {
            list = Some(part);
        } else {
            return None;
        }
    }
    list?;
    action.map(str::to_owned)
}

/// Applies one `-F name OP value` field; `None` when a path field is unusable, which makes the rule malformed.
fn apply_field(rule: &mut AuditRule, field: &str) -> Option<()> {
    let name_end = field
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(field.len());
    let (name, rest) = field.split_at_checked(name_end)?;
    // Only equality says which paths are covered; other operators (auid>=1000, uid!=0) are filters.
    let Some(value) = rest.strip_prefix('=') else {
        return Some(());
    };
    if value.starts_with('=') {
        return Some(());
    }
    match name {
        "path" => set_first(&mut rule.path, normalize_path(value)?),
        "dir" => set_first(&mut rule.dir, normalize_path(value)?),
        "perm" => set_first(&mut rule.perms, value.to_owned()),
        "key" => set_first(&mut rule.key, value.to_owned()),
        _ => {}
    }
    Some(())
}

/// Drops trailing slashes (except for `/` itself); `None` unless the path is absolute, as auditctl
/// requires (this also keeps `-w -p wa` from reading `-p` as the path).
fn normalize_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    Some(if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    })
}

/// Splits a line into words like a shell would for these simple cases: whitespace separates, double
/// and single quotes group, a backslash outside single quotes escapes the next character (inside
/// double quotes only `"` and `\`). An unterminated quote runs to the end of the line.
fn tokenize(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut token = String::new();
    let mut in_token = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_token {
                    tokens.push(std::mem::take(&mut token));
                    in_token = false;
                }
            }
            '\\' => {
                in_token = true;
                token.push(chars.next().unwrap_or('\\'));
            }
            '\'' => {
                in_token = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    token.push(q);
                }
            }
            '"' => {
                in_token = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => match chars.next_if(|&e| e == '"' || e == '\\') {
                            Some(escaped) => token.push(escaped),
                            None => token.push('\\'),
                        },
                        other => token.push(other),
                    }
                }
            }
            other => {
                in_token = true;
                token.push(other);
            }
        }
    }
    if in_token {
        tokens.push(token);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str, source: &str, line: u32) -> AuditRule {
        AuditRule {
            text: text.to_owned(),
            watch: None,
            action: None,
            path: None,
            dir: None,
            perms: None,
            key: None,
            at: Provenance::file(source.to_owned(), line, 1),
        }
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn rules_file_with_both_syntaxes() {
        let source = "/etc/audit/rules.d/docker.rules";
        let text = "\
## First rule - delete all
-D

## Increase the buffers to survive stress events.
-b 8192
--backlog_wait_time 60000
-f 1

-w /usr/bin/dockerd -p rwxa -k docker
-a always,exit -F path=/usr/bin/containerd -F perm=wa -k docker
-a exit,always -F arch=b64 -F dir=/var/lib/docker/ -F perm=war -F key=docker-data
   -w /etc/docker/   -k docker
-e 2
";
        let rules = parse_audit_rules(text, source);
        assert_eq!(
            rules,
            vec![
                AuditRule {
                    watch: some("/usr/bin/dockerd"),
                    perms: some("rwxa"),
                    key: some("docker"),
                    ..rule("-w /usr/bin/dockerd -p rwxa -k docker", source, 9)
                },
                AuditRule {
                    action: some("always"),
                    path: some("/usr/bin/containerd"),
                    perms: some("wa"),
                    key: some("docker"),
                    ..rule(
                        "-a always,exit -F path=/usr/bin/containerd -F perm=wa -k docker",
                        source,
                        10
                    )
                },
                AuditRule {
                    action: some("always"),
                    dir: some("/var/lib/docker"),
                    perms: some("war"),
                    key: some("docker-data"),
                    ..rule(
                        "-a exit,always -F arch=b64 -F dir=/var/lib/docker/ -F perm=war -F key=docker-data",
                        source,
                        11
                    )
                },
                AuditRule {
                    watch: some("/etc/docker"),
                    key: some("docker"),
                    ..rule("-w /etc/docker/   -k docker", source, 12)
                },
            ]
        );
    }

    #[test]
    fn auditctl_list_output() {
        let text = "\
-w /usr/bin/dockerd -p rwxa -k docker
-a always,exit -F arch=b64 -S all -F path=/usr/bin/dockerd -F perm=rwxa -F key=docker
-a always,exit -F arch=b64 -S open,openat -F exit=-EACCES -F auid>=1000 -F auid!=-1 -F key=access
-a never,task
";
        let rules = parse_audit_rules(text, "auditctl -l");
        assert_eq!(rules.len(), 4);
        assert_eq!(
            rules[1],
            AuditRule {
                action: some("always"),
                path: some("/usr/bin/dockerd"),
                perms: some("rwxa"),
                key: some("docker"),
                ..rule(
                    "-a always,exit -F arch=b64 -S all -F path=/usr/bin/dockerd -F perm=rwxa -F key=docker",
                    "auditctl -l",
                    2
                )
            }
        );
        assert_eq!(
            (rules[2].action.as_deref(), rules[2].key.as_deref()),
            (Some("always"), Some("access"))
        );
        assert_eq!(rules[2].path, None);
        assert_eq!(
            rules[3],
            AuditRule {
                action: some("never"),
                ..rule("-a never,task", "auditctl -l", 4)
            }
        );
        assert_eq!(parse_audit_rules("No rules\n", "auditctl -l"), vec![]);
    }

    #[test]
    fn never_rules_and_first_key_wins() {
        let text = "-A never,exit -F dir=/var/lib/docker/tmp -F key=one -F key=two -k three\n";
        let rules = parse_audit_rules(text, "f");
        assert_eq!(
            rules,
            vec![AuditRule {
                action: some("never"),
                dir: some("/var/lib/docker/tmp"),
                key: some("one"),
                ..rule(text.trim(), "f", 1)
            }]
        );
    }

    #[test]
    fn non_rules_yield_nothing() {
        let text = "\
# comment -w /usr/bin/dockerd
#-w /usr/bin/dockerd -p rwxa

-D
-b 8192
-f 1
-e 2
-r 100
--backlog_wait_time 60000
--loginuid-immutable
No rules
-W /usr/bin/dockerd -p rwxa -k docker
-d always,exit -F path=/usr/bin/dockerd
-w
-w -p wa
-a
-a sometimes,exit -F path=/usr/bin/dockerd
-a always -F path=/usr/bin/dockerd
-a always,exit,bogus -F path=/x
-a always,exit -F
-w ''
-w relative/path -k x
-a always,exit -F path=relative
";
        assert_eq!(parse_audit_rules(text, "f"), vec![]);
    }

    #[test]
    fn watch_missing_path_is_skipped_but_next_line_counts() {
        let rules = parse_audit_rules("-w\n-w / -p wa\n", "f");
        assert_eq!(
            rules,
            vec![AuditRule {
                watch: some("/"),
                perms: some("wa"),
                ..rule("-w / -p wa", "f", 2)
            }]
        );
        let rules = parse_audit_rules("-w ///", "f");
        assert_eq!(rules.first().and_then(|r| r.watch.as_deref()), Some("/"));
    }

    #[test]
    fn quoting() {
        let text = "-w \"/srv/docker data/\" -p 'wa' -k \"a \\\"b\\\"\"\n-a always,exit -F 'path=/opt/my dir/dockerd' -k it\\ x\n";
        let rules = parse_audit_rules(text, "f");
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].watch.as_deref(), Some("/srv/docker data"));
        assert_eq!(rules[0].perms.as_deref(), Some("wa"));
        assert_eq!(rules[0].key.as_deref(), Some("a \"b\""));
        assert_eq!(
            rules[0].text,
            "-w \"/srv/docker data/\" -p 'wa' -k \"a \\\"b\\\"\""
        );
        assert_eq!(rules[1].path.as_deref(), Some("/opt/my dir/dockerd"));
        assert_eq!(rules[1].key.as_deref(), Some("it x"));
        assert_eq!(rules[1].at, Provenance::file("f".to_owned(), 2, 1));
        // An unterminated quote runs to the end of the line rather than failing.
        assert_eq!(tokenize("-w \"/a b"), vec!["-w".to_owned(), "/a b".to_owned()]);
    }

    #[test]
    fn exact_provenance_lines_with_crlf() {
        let text = "# header\r\n\r\n-w /etc/default/docker -k docker\r\n-e 2\r\n-w /etc/docker/daemon.json -k docker\r\n";
        let lines: Vec<Provenance> = parse_audit_rules(text, "/etc/audit/audit.rules")
            .into_iter()
            .map(|r| r.at)
            .collect();
        assert_eq!(
            lines,
            vec![
                Provenance::file("/etc/audit/audit.rules".to_owned(), 3, 1),
                Provenance::file("/etc/audit/audit.rules".to_owned(), 5, 1),
            ]
        );
    }

    #[test]
    fn field_operators_other_than_equality_are_filters() {
        let rules = parse_audit_rules(
            "-a always,exit -F path!=/tmp -F dir==/x -F perm=x -F =y -F path=/usr/bin/runc",
            "f",
        );
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].path.as_deref(), Some("/usr/bin/runc"));
        assert_eq!(rules[0].dir, None);
        assert_eq!(rules[0].perms.as_deref(), Some("x"));
    }

    #[test]
    fn every_prefix_parses_without_panic() {
        let text =
            "-w /usr/bin/dockerd -p rwxa -k docker\n-a always,exit -F \"path=/a b\" -F perm=wa -F key='k'\n";
        for (end, _) in text.char_indices() {
            let rules = parse_audit_rules(text.get(..end).unwrap_or_default(), "f");
            assert!(rules.len() <= 2);
        }
    }
}
