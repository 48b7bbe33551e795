//! A Dockerfile parser that keeps the line and column of every part.
//!
//! Dockerfile rules cite `file:line:column` and must see what BuildKit sees, so this follows the
//! BuildKit frontend's reading of the file: parser directives at the top, the escape character, line
//! continuations with comment and blank lines skipped inside them, flags, JSON (exec) and shell
//! forms, `ENV`/`LABEL`/`ARG` pairs, heredocs, `ONBUILD` triggers and build stages. The shell
//! commands a `RUN` executes are split out with [`super::shell`]. Bad input gives an error with its
//! position, never a panic.

use std::collections::HashMap;

use dockward_model::dockerfile::{
    Args, Command, Directive, Dockerfile, Flag, Heredoc, Instruction, Pair, Pipeline, Pos, Pragma, Stage,
    Word,
};

use super::shell;

/// A Dockerfile that cannot be parsed, with where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line} column {column}")]
pub struct DockerfileError {
    /// What is wrong, e.g. "unknown instruction: FOO".
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl DockerfileError {
    fn at(message: impl Into<String>, pos: Pos) -> Self {
        DockerfileError {
            message: message.into(),
            line: pos.line,
            column: pos.column,
        }
    }
}

/// The instructions BuildKit knows.
const KEYWORDS: [&str; 18] = [
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// How a flag takes its value, as BuildKit declares it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagKind {
    /// `--link`, `--link=true|false`.
    Bool,
    /// `--from=x`, once.
    Text,
    /// `--mount=x`, any number of times.
    Repeated,
}

/// The flags each instruction accepts (BuildKit's Dockerfile frontend); any other is an error.
fn known_flags(keyword: &str, labs: bool) -> &'static [(&'static str, FlagKind)] {
    use FlagKind::{Bool, Repeated, Text};
    match keyword {
        "FROM" => &[("platform", Text)],
        "COPY" => &[
            ("from", Text),
            ("chown", Text),
            ("chmod", Text),
            ("link", Bool),
            ("parents", Bool),
            ("exclude", Repeated),
        ],
        "ADD" => &[
            ("chown", Text),
            ("chmod", Text),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", Text),
            ("exclude", Repeated),
            ("unpack", Bool),
        ],
        // `RUN --device` exists only in the labs syntax.
        "RUN" if labs => &[
            ("mount", Repeated),
            ("network", Text),
            ("security", Text),
            ("device", Repeated),
        ],
        "RUN" => &[("mount", Repeated), ("network", Text), ("security", Text)],
        "HEALTHCHECK" => &[
            ("interval", Text),
            ("timeout", Text),
            ("start-period", Text),
            ("start-interval", Text),
            ("retries", Text),
        ],
        _ => &[],
    }
}

/// Checks an instruction's flags as BuildKit does: each known to the instruction, with a value
/// where one is needed, a boolean where one is expected, and only repeatable ones repeated.
fn check_flags(flags: &[Flag], known: &[(&str, FlagKind)]) -> Result<(), DockerfileError> {
    for (k, flag) in flags.iter().enumerate() {
        let name = flag.name.as_str();
        let Some(&(_, kind)) = known.iter().find(|(n, _)| *n == name) else {
            return Err(DockerfileError::at(format!("unknown flag: {name}"), flag.pos));
        };
        if kind != FlagKind::Repeated
            && flags
                .get(..k)
                .is_some_and(|before| before.iter().any(|f| f.name == name))
        {
            return Err(DockerfileError::at(
                format!("duplicate flag specified: {name}"),
                flag.pos,
            ));
        }
        match (kind, flag.value.as_deref()) {
            (FlagKind::Bool, Some("")) | (FlagKind::Text | FlagKind::Repeated, None) => {
                return Err(DockerfileError::at(
                    format!("missing a value on flag: {name}"),
                    flag.pos,
                ));
            }
            (FlagKind::Bool, Some(v))
                if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") =>
            {
                return Err(DockerfileError::at(
                    format!("expecting boolean value for flag {name}, not: {v}"),
                    flag.pos,
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Parses a Dockerfile; `path` is recorded in the result.
pub fn parse_dockerfile(path: &str, text: &str) -> Result<Dockerfile, DockerfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut parser = Parser {
        lines,
        next: 0,
        escape: '\\',
        pragmas: Vec::new(),
        posix: true,
        labs: false,
    };
    let directives = parser.directives()?;
    parser.labs = directives
        .iter()
        .any(|d| d.name == "syntax" && d.value.contains("labs"));

    let mut global_args = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    // Whether each named stage's shell is POSIX-like, for stages built on earlier ones (the last
    // stage of a name wins); a map, so that many stages cost linear time.
    let mut named_posix: HashMap<String, bool> = HashMap::new();
    let mut starts: Vec<u32> = Vec::new();
    while let Some(&line) = parser.lines.get(parser.next) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            parser.next += 1;
            continue;
        }
        if trimmed.starts_with('#') {
            parser.comment(parser.next);
            parser.next += 1;
            continue;
        }
        let Some(logical) = parser.gather() else {
            continue;
        };
        let start = logical.text.len() - logical.text.trim_start().len();
        let keyword = keyword_at(&logical.text, start).0.to_uppercase();
        let keyword_pos = logical.pos(start);
        if !KEYWORDS.contains(&keyword.as_str()) {
            return Err(DockerfileError::at(
                format!("unknown instruction: {keyword}"),
                keyword_pos,
            ));
        }
        if stages.is_empty() && keyword != "ARG" && keyword != "FROM" {
            return Err(DockerfileError::at(
                format!("instruction {keyword} before the first FROM"),
                keyword_pos,
            ));
        }
        if keyword == "FROM" {
            // A stage built on an earlier stage keeps its SHELL; any other starts with /bin/sh.
            let base = logical.text.get(start..).unwrap_or("");
            parser.posix = from_base_posix(base, &named_posix);
        }
        let instruction = parser.instruction(&logical, start, false)?;
        starts.push(instruction.pos.line);
        if instruction.keyword == "SHELL"
            && let Args::Exec { words } = &instruction.args
        {
            parser.posix = words.first().is_some_and(|w| shell::is_shell(&w.text));
            if let Some(name) = stages.last().and_then(|s| s.name.clone()) {
                named_posix.insert(name, parser.posix);
            }
        }
        if instruction.keyword == "FROM" {
            let name = match &instruction.args {
                Args::Words { words } => match words.as_slice() {
                    [_, as_word, name, ..] if as_word.text.eq_ignore_ascii_case("as") => {
                        Some(name.text.to_lowercase())
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(name) = &name {
                named_posix.insert(name.clone(), parser.posix);
            }
            stages.push(Stage {
                index: stages.len(),
                name,
                from: instruction,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push(instruction);
        } else {
            global_args.push(instruction);
        }
    }
    if stages.is_empty() {
        return Err(DockerfileError::at(
            "no FROM instruction",
            Pos { line: 1, column: 1 },
        ));
    }
    let mut pragmas = parser.pragmas;
    for pragma in &mut pragmas {
        let k = starts.partition_point(|&line| line <= pragma.pos.line);
        pragma.applies_to_line = starts.get(k).copied().unwrap_or(0);
    }
    Ok(Dockerfile {
        path: path.to_string(),
        directives,
        escape: parser.escape,
        global_args,
        stages,
        pragmas,
    })
}

/// Checks `ENV`/`LABEL` pairs as BuildKit does: at least one, and every one with a value (`ENV A=`
/// has an empty value; `ENV A` has none).
fn check_pairs(keyword: &str, pairs: &[Pair], pos: Pos) -> Result<(), DockerfileError> {
    let Some(first) = pairs.first() else {
        return Err(DockerfileError::at(
            format!("{keyword} requires at least one argument"),
            pos,
        ));
    };
    if pairs.len() == 1 && first.value.is_none() {
        return Err(DockerfileError::at(
            format!("{keyword} must have two arguments"),
            first.pos,
        ));
    }
    if let Some(bare) = pairs.iter().find(|p| p.value.is_none()) {
        return Err(DockerfileError::at(
            format!(
                "Syntax error - can't find = in \"{}\". Must be of the form: name=value",
                bare.key
            ),
            bare.pos,
        ));
    }
    Ok(())
}

/// Whether the stage a `FROM` line starts runs shell text in a POSIX-like shell: inherited when it
/// builds on an earlier stage by name.
fn from_base_posix(from_line: &str, named_posix: &HashMap<String, bool>) -> bool {
    let base = from_line
        .split_whitespace()
        .skip(1)
        .find(|w| !w.starts_with("--"))
        .map(str::to_lowercase);
    base.and_then(|b| named_posix.get(&b).copied()).unwrap_or(true)
}

/// 1-based line number of line index `idx`.
fn line_no(idx: usize) -> u32 {
    u32::try_from(idx + 1).unwrap_or(u32::MAX)
}

/// 1-based column just after `prefix` on its line.
fn column_after(prefix: &str) -> u32 {
    u32::try_from(prefix.chars().count() + 1).unwrap_or(u32::MAX)
}

/// The first word at `start` (up to whitespace) and the offset just past it.
fn keyword_at(text: &str, start: usize) -> (&str, usize) {
    let rest = text.get(start..).unwrap_or("");
    let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    (rest.get(..len).unwrap_or(""), start + len)
}

/// The offset of the first non-whitespace character at or after `from` (at most `to`).
fn skip_space(text: &str, from: usize, to: usize) -> usize {
    let rest = text.get(from..to).unwrap_or("");
    from + (rest.len() - rest.trim_start().len())
}

/// One instruction's text with continuation lines joined, and the file position of each byte.
#[derive(Debug, Default)]
struct Logical {
    text: String,
    /// Position of the character each byte of `text` belongs to.
    map: Vec<Pos>,
    first: Pos,
    last_line: u32,
}

impl Logical {
    fn push(&mut self, s: &str, line: u32, column: u32) {
        if self.map.is_empty() {
            self.first = Pos { line, column };
        }
        if s.is_ascii() {
            // One byte a character: copied at once, the columns counted up.
            self.text.push_str(s);
            let mut next = column;
            self.map.extend(s.bytes().map(|_| {
                let column = next;
                next = next.saturating_add(1);
                Pos { line, column }
            }));
            self.last_line = line;
            return;
        }
        let mut column = column;
        for c in s.chars() {
            self.text.push(c);
            self.map
                .extend(std::iter::repeat_n(Pos { line, column }, c.len_utf8()));
            column = column.saturating_add(1);
        }
        self.last_line = line;
    }

    /// The position of byte `offset`; just past the last character for the end.
    fn pos(&self, offset: usize) -> Pos {
        match (self.map.get(offset), self.map.last()) {
            (Some(p), _) => *p,
            (None, Some(last)) => Pos {
                line: last.line,
                column: last.column.saturating_add(1),
            },
            (None, None) => self.first,
        }
    }
}

/// A heredoc marker found in an instruction.
struct Marker {
    name: String,
    strip_tabs: bool,
    quoted: bool,
    pos: Pos,
}

/// A heredoc read from the file, with the position of each byte of its body.
struct Body {
    heredoc: Heredoc,
    map: Vec<Pos>,
}

/// A string of a JSON array, with the offset (in the instruction text) of each decoded byte.
struct JsonString {
    text: String,
    /// Offset of the opening quote.
    start: usize,
    /// Offset just past the closing quote.
    end: usize,
    offsets: Vec<usize>,
}

impl JsonString {
    fn push(&mut self, c: char, offset: usize) {
        self.text.push(c);
        self.offsets.extend(std::iter::repeat_n(offset, c.len_utf8()));
    }
}

struct Parser<'a> {
    lines: Vec<&'a str>,
    /// Index of the next line not yet read.
    next: usize,
    escape: char,
    pragmas: Vec<Pragma>,
    /// The current stage runs shell text in a POSIX-like shell (no `SHELL ["powershell", …]`).
    posix: bool,
    /// The `# syntax=` directive names a labs frontend, which knows more flags.
    labs: bool,
}

impl Parser<'_> {
    /// Reads the parser directives at the top of the file.
    fn directives(&mut self) -> Result<Vec<Directive>, DockerfileError> {
        let mut out: Vec<Directive> = Vec::new();
        while let Some(&line) = self.lines.get(self.next) {
            let Some((name, value, hash_col, value_col)) = directive_parts(line) else {
                break;
            };
            let name = name.to_ascii_lowercase();
            if !matches!(name.as_str(), "syntax" | "escape" | "check") {
                // An unknown directive is a comment, and ends the directive section.
                break;
            }
            let line_number = line_no(self.next);
            let pos = Pos {
                line: line_number,
                column: hash_col,
            };
            if out.iter().any(|d| d.name == name) {
                return Err(DockerfileError::at(
                    format!("only one {name} parser directive can be used"),
                    pos,
                ));
            }
            if name == "escape" {
                self.escape = match value {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(DockerfileError::at(
                            format!("invalid escape token '{value}' does not match ` or \\"),
                            Pos {
                                line: line_number,
                                column: value_col,
                            },
                        ));
                    }
                };
            }
            out.push(Directive {
                name,
                value: value.to_string(),
                pos,
            });
            self.next += 1;
        }
        Ok(out)
    }

    /// Records a `# dockward ignore=…` comment at line index `idx`.
    fn comment(&mut self, idx: usize) {
        if let Some(line) = self.lines.get(idx)
            && let Some(pragma) = parse_pragma(line, line_no(idx))
        {
            self.pragmas.push(pragma);
        }
    }

    /// Reads one instruction's lines from `self.next`, joining continuations; `None` when they hold
    /// only whitespace.
    fn gather(&mut self) -> Option<Logical> {
        let mut logical = Logical::default();
        let mut idx = self.next;
        let first = *self.lines.get(idx)?;
        let content = first.trim_start();
        let mut column = column_after(first.get(..first.len() - content.len()).unwrap_or(""));
        let mut content = content;
        loop {
            let (body, continued) = strip_continuation(content, self.escape);
            logical.push(body, line_no(idx), column);
            idx += 1;
            if !continued {
                break;
            }
            // Blank and comment lines inside a continued instruction are skipped.
            while let Some(&line) = self.lines.get(idx) {
                if line.trim().is_empty() {
                    idx += 1;
                } else if line.trim_start().starts_with('#') {
                    self.comment(idx);
                    idx += 1;
                } else {
                    break;
                }
            }
            match self.lines.get(idx) {
                Some(&line) => {
                    content = line;
                    column = 1;
                }
                None => break,
            }
        }
        self.next = idx;
        (!logical.text.trim().is_empty()).then_some(logical)
    }

    /// Parses the instruction whose keyword starts at `start` in `logical`; `trigger` for the
    /// instruction inside `ONBUILD`. Reads heredoc bodies from the following lines.
    fn instruction(
        &mut self,
        logical: &Logical,
        start: usize,
        trigger: bool,
    ) -> Result<Instruction, DockerfileError> {
        let text = logical.text.as_str();
        let (word, keyword_end) = keyword_at(text, start);
        let keyword = word.to_uppercase();
        let pos = logical.pos(start);
        if !KEYWORDS.contains(&keyword.as_str()) {
            return Err(DockerfileError::at(
                format!("unknown instruction: {keyword}"),
                pos,
            ));
        }
        if trigger {
            match keyword.as_str() {
                "ONBUILD" => return Err(DockerfileError::at("ONBUILD ONBUILD is not allowed", pos)),
                "FROM" | "MAINTAINER" => {
                    return Err(DockerfileError::at(
                        format!("{keyword} is not allowed as an ONBUILD trigger"),
                        pos,
                    ));
                }
                _ => {}
            }
        }
        let (flags, args_start) = self.flags(logical, keyword_end);
        let args_end = text.trim_end().len().max(args_start);
        if keyword == "HEALTHCHECK" && keyword_at(text, args_start).0.eq_ignore_ascii_case("NONE") {
            // `HEALTHCHECK NONE` takes no flags at all.
            check_flags(&flags, &[])?;
        } else {
            check_flags(&flags, known_flags(&keyword, self.labs))?;
        }
        let mut instruction = Instruction {
            keyword,
            pos,
            end_line: logical.last_line,
            flags,
            args: Args::Words { words: Vec::new() },
            heredocs: Vec::new(),
            commands: Vec::new(),
            onbuild: None,
        };
        // The shell-form text (byte range), and the exec-form strings, for `commands`.
        let mut shell_text: Option<(usize, usize)> = None;
        let mut exec: Option<Vec<JsonString>> = None;
        match instruction.keyword.as_str() {
            "RUN" | "CMD" | "ENTRYPOINT" => match json_array(text, args_start, args_end) {
                Some(strings) => {
                    instruction.args = exec_args(&strings, logical);
                    exec = Some(strings);
                }
                None => {
                    instruction.args = shell_args(logical, args_start, args_end);
                    shell_text = Some((args_start, args_end));
                }
            },
            "SHELL" => match json_array(text, args_start, args_end) {
                Some(strings) => instruction.args = exec_args(&strings, logical),
                None => {
                    return Err(DockerfileError::at(
                        "SHELL requires the arguments to be in JSON form",
                        logical.pos(args_start),
                    ));
                }
            },
            "HEALTHCHECK" => {
                let (kind, kind_end) = keyword_at(text, args_start);
                if args_start >= args_end {
                    return Err(DockerfileError::at("Missing command after HEALTHCHECK", pos));
                }
                if kind.eq_ignore_ascii_case("NONE") && skip_space(text, kind_end, args_end) < args_end {
                    return Err(DockerfileError::at(
                        "HEALTHCHECK NONE takes no arguments",
                        logical.pos(skip_space(text, kind_end, args_end)),
                    ));
                }
                if !kind.eq_ignore_ascii_case("CMD") && !kind.eq_ignore_ascii_case("NONE") {
                    return Err(DockerfileError::at(
                        format!(
                            "Unknown type \"{}\" in HEALTHCHECK (try CMD)",
                            kind.to_uppercase()
                        ),
                        logical.pos(args_start),
                    ));
                }
                if kind.eq_ignore_ascii_case("CMD") {
                    let cmd_start = skip_space(text, kind_end, args_end);
                    if cmd_start >= args_end
                        || json_array(text, cmd_start, args_end).is_some_and(|a| a.is_empty())
                    {
                        return Err(DockerfileError::at(
                            "Missing command after HEALTHCHECK CMD",
                            logical.pos(args_start),
                        ));
                    }
                    match json_array(text, cmd_start, args_end) {
                        Some(strings) => instruction.args = exec_args(&strings, logical),
                        None => {
                            instruction.args = shell_args(logical, cmd_start, args_end);
                            shell_text = Some((cmd_start, args_end));
                        }
                    }
                } else {
                    instruction.args = Args::Words {
                        words: self.words(logical, args_start, args_end),
                    };
                }
            }
            "ENV" | "LABEL" => {
                let pairs = self.pairs(logical, args_start, args_end, true);
                check_pairs(&instruction.keyword, &pairs, pos)?;
                instruction.args = Args::Pairs { pairs };
            }
            "ARG" => {
                instruction.args = Args::Pairs {
                    pairs: self.pairs(logical, args_start, args_end, false),
                };
            }
            "ONBUILD" => {
                instruction.args = Args::Words {
                    words: self.words(logical, args_start, args_end),
                };
                if args_start < args_end {
                    let trigger = self.instruction(logical, args_start, true)?;
                    instruction.end_line = instruction.end_line.max(trigger.end_line);
                    instruction.onbuild = Some(Box::new(trigger));
                }
            }
            "COPY" | "ADD" | "VOLUME" => {
                instruction.args = match json_array(text, args_start, args_end) {
                    Some(strings) => exec_args(&strings, logical),
                    None => Args::Words {
                        words: self.words(logical, args_start, args_end),
                    },
                };
            }
            _ => {
                instruction.args = Args::Words {
                    words: self.words(logical, args_start, args_end),
                };
            }
        }

        let mut bodies = Vec::new();
        if matches!(instruction.keyword.as_str(), "RUN" | "COPY" | "ADD")
            && !matches!(instruction.args, Args::Exec { .. })
        {
            let markers = heredoc_markers(logical, start, args_end);
            bodies = self.heredoc_bodies(&markers)?;
            if !bodies.is_empty() {
                instruction.end_line = line_no(self.next.saturating_sub(1)).max(instruction.end_line);
            }
        }

        match instruction.keyword.as_str() {
            "RUN" => {
                if let Some(strings) = &exec {
                    instruction.commands = exec_commands(strings, logical);
                } else if let Some((from, to)) = shell_text
                    && self.posix
                {
                    instruction.commands = run_commands(logical, from, to, &bodies);
                }
            }
            "CMD" | "ENTRYPOINT" | "HEALTHCHECK" => {
                if let Some((from, to)) = shell_text
                    && self.posix
                {
                    let script = text.get(from..to).unwrap_or("");
                    instruction.commands = shell::parse_shell(script, &|o| logical.pos(from + o));
                }
            }
            _ => {}
        }
        instruction.heredocs = bodies.into_iter().map(|b| b.heredoc).collect();
        Ok(instruction)
    }

    /// Leading `--name[=value]` flags from `from`; returns them and where the arguments start.
    fn flags(&self, logical: &Logical, from: usize) -> (Vec<Flag>, usize) {
        let text = logical.text.as_str();
        let mut flags = Vec::new();
        let mut i = skip_space(text, from, text.len());
        while text.get(i..).is_some_and(|rest| rest.starts_with("--")) {
            let end = word_end(text, i, text.len(), self.escape);
            let token = unquote_flag(text.get(i..end).unwrap_or(""), self.escape);
            let next = skip_space(text, end, text.len());
            if token == "--" {
                // BuildKit: `--` ends the flags.
                return (flags, next);
            }
            let body = token.strip_prefix("--").unwrap_or(&token);
            let (name, value) = match body.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (body, None),
            };
            flags.push(Flag {
                name: name.to_lowercase(),
                value,
                pos: logical.pos(i),
            });
            i = next;
        }
        (flags, i)
    }

    /// Blank-separated words between `from` and `to`, quotes kept as written.
    fn words(&self, logical: &Logical, from: usize, to: usize) -> Vec<Word> {
        split_words(&logical.text, from, to, self.escape)
            .into_iter()
            .map(|(s, e)| Word {
                text: logical.text.get(s..e).unwrap_or("").to_string(),
                pos: logical.pos(s),
            })
            .collect()
    }

    /// `KEY=value` pairs between `from` and `to`; with `legacy`, `KEY value with spaces` too.
    fn pairs(&self, logical: &Logical, from: usize, to: usize, legacy: bool) -> Vec<Pair> {
        let text = logical.text.as_str();
        let words = split_words(text, from, to, self.escape);
        let raw = |(s, e): (usize, usize)| text.get(s..e).unwrap_or("");
        if legacy
            && let Some(&(first_start, first_end)) = words.first()
            && !raw((first_start, first_end)).contains('=')
        {
            // The legacy form: the first word is the key, the rest of the line its value.
            let value_start = skip_space(text, first_end, to);
            let value = text.get(value_start..to).filter(|v| !v.is_empty());
            return vec![Pair {
                key: unquote(raw((first_start, first_end)), self.escape),
                value: value.map(|v| unquote(v, self.escape)),
                pos: logical.pos(first_start),
            }];
        }
        words
            .into_iter()
            .map(|span| {
                let word = raw(span);
                let (key, value) = match word.split_once('=') {
                    Some((key, value)) => (key, Some(unquote(value, self.escape))),
                    None => (word, None),
                };
                Pair {
                    key: unquote(key, self.escape),
                    value,
                    pos: logical.pos(span.0),
                }
            })
            .collect()
    }

    /// Reads the bodies of `markers`, in order, from the lines after the instruction.
    fn heredoc_bodies(&mut self, markers: &[Marker]) -> Result<Vec<Body>, DockerfileError> {
        let mut bodies = Vec::new();
        for marker in markers {
            let body_line = line_no(self.next);
            let mut body = String::new();
            let mut map = Vec::new();
            let mut terminated = false;
            while let Some(&line) = self.lines.get(self.next) {
                let line_number = line_no(self.next);
                self.next += 1;
                let content = if marker.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if content == marker.name {
                    terminated = true;
                    break;
                }
                let mut column = column_after(line.get(..line.len() - content.len()).unwrap_or(""));
                for c in content.chars().chain(['\n']) {
                    body.push(c);
                    map.extend(std::iter::repeat_n(
                        Pos {
                            line: line_number,
                            column,
                        },
                        c.len_utf8(),
                    ));
                    column = column.saturating_add(1);
                }
            }
            if !terminated {
                return Err(DockerfileError::at(
                    format!("unterminated heredoc {}", marker.name),
                    marker.pos,
                ));
            }
            bodies.push(Body {
                heredoc: Heredoc {
                    delimiter: marker.name.clone(),
                    strip_tabs: marker.strip_tabs,
                    quoted: marker.quoted,
                    body,
                    body_line,
                },
                map,
            });
        }
        Ok(bodies)
    }
}

/// Splits a line's content at a trailing escape character: the text before it, and whether the
/// instruction continues on the next line. An escape character preceded by another is not a
/// continuation, as in BuildKit.
fn strip_continuation(content: &str, escape: char) -> (&str, bool) {
    let trimmed = content.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(before) if before.is_empty() || !before.ends_with(escape) => (before, true),
        _ => (content, false),
    }
}

/// A directive line's name, value, and the columns of its `#` and of its value.
fn directive_parts(line: &str) -> Option<(&str, &str, u32, u32)> {
    // Go's `\s`, which BuildKit's directive pattern uses.
    let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C');
    let content = line.trim_start();
    let hash_col = column_after(line.get(..line.len() - content.len()).unwrap_or(""));
    let rest = content.strip_prefix('#')?.trim_start_matches(space);
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = rest.get(..name_len)?;
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after = rest
        .get(name_len..)?
        .trim_start_matches(space)
        .strip_prefix('=')?;
    let value_part = after.trim_start_matches(space);
    let value = value_part.trim_end_matches(space);
    if value.is_empty() {
        return None;
    }
    let value_col = column_after(line.get(..line.len() - value_part.len()).unwrap_or(""));
    Some((name, value, hash_col, value_col))
}

/// A `# dockward ignore=ID[,ID…] reason` comment line, if it is one.
fn parse_pragma(line: &str, line_number: u32) -> Option<Pragma> {
    let content = line.trim_start();
    let pos = Pos {
        line: line_number,
        column: column_after(line.get(..line.len() - content.len()).unwrap_or("")),
    };
    let rest = content.strip_prefix('#')?.trim_start();
    if !rest.get(..8)?.eq_ignore_ascii_case("dockward") {
        return None;
    }
    let rest = rest.get(8..)?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    if !rest.get(..6)?.eq_ignore_ascii_case("ignore") {
        return None;
    }
    let mut rest = rest.get(6..)?.trim_start().strip_prefix('=')?;
    let mut rules = Vec::new();
    // Each round consumes a comma or stops.
    loop {
        rest = rest.trim_start();
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(rest.len());
        let id = rest.get(..end).unwrap_or("");
        if !id.is_empty() {
            rules.push(id.to_string());
        }
        let after = rest.get(end..).unwrap_or("").trim_start();
        match after.strip_prefix(',') {
            Some(more) => rest = more,
            None => {
                rest = after;
                break;
            }
        }
    }
    if rules.is_empty() {
        return None;
    }
    Some(Pragma {
        rules,
        reason: rest.trim().to_string(),
        pos,
        applies_to_line: 0,
    })
}

/// The character at byte `at`.
fn char_at(text: &str, at: usize) -> Option<char> {
    // An ASCII byte always starts a character: no boundary check or decoding for it.
    match text.as_bytes().get(at) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => text.get(at..).and_then(|s| s.chars().next()),
    }
}

/// The end of the word starting at `from`: the next whitespace outside quotes (or `to`). The escape
/// character protects the next character, except inside single quotes.
fn word_end(text: &str, from: usize, to: usize, escape: char) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut quote: Option<char> = None;
    while i < to {
        // Plain ASCII outside quotes, the bulk of a Dockerfile, is stepped over byte by byte
        // without decoding (`\x0b` and `\x0c` are whitespace to `char::is_whitespace` too).
        if quote.is_none()
            && let Some(&b) = bytes.get(i)
            && b.is_ascii()
            && !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | b'\'' | b'"')
            && char::from(b) != escape
        {
            i += 1;
            continue;
        }
        let Some(c) = char_at(text, i) else {
            break;
        };
        match quote {
            None if c.is_whitespace() => break,
            None | Some('"') if c == escape => {
                i += c.len_utf8();
                if i < to {
                    i += char_at(text, i).map_or(1, char::len_utf8);
                }
                continue;
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ => {}
        }
        i += c.len_utf8();
    }
    i.min(to)
}

/// The words between `from` and `to` as byte ranges, split on whitespace outside quotes.
fn split_words(text: &str, from: usize, to: usize, escape: char) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = skip_space(text, from, to);
    while i < to {
        let end = word_end(text, i, to, escape);
        if end <= i {
            break;
        }
        out.push((i, end));
        i = skip_space(text, end, to);
    }
    out
}

/// A value with shell-like quoting removed: `'…'` literal, `"…"` where the escape character escapes
/// `"`, `$` and itself, and the escape character outside quotes taking the next character literally.
/// `$VAR` stays as written.
fn unquote(raw: &str, escape: char) -> String {
    // Most values have no quote and no escape: they are their own text.
    if !raw.contains(['"', '\'', escape]) {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut quote: Option<char> = None;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None if c == escape => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            Some('"') if c == escape => match chars.peek() {
                Some(&n) if n == '"' || n == '$' || n == escape => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push(c),
            },
            Some(q) if c == q => quote = None,
            _ => out.push(c),
        }
    }
    out
}

/// A flag token with quotes removed; the escape character takes the next character literally, even
/// inside quotes (as BuildKit's flag reader does).
fn unquote_flag(raw: &str, escape: char) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == escape {
            if let Some(n) = chars.next() {
                out.push(n);
            }
            continue;
        }
        match quote {
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ => out.push(c),
        }
    }
    out
}

/// `Args::Shell` for the text between `from` and `to`.
fn shell_args(logical: &Logical, from: usize, to: usize) -> Args {
    Args::Shell {
        text: logical.text.get(from..to).unwrap_or("").to_string(),
        pos: logical.pos(from),
    }
}

/// `Args::Exec` for JSON strings.
fn exec_args(strings: &[JsonString], logical: &Logical) -> Args {
    Args::Exec {
        words: strings
            .iter()
            .map(|s| Word {
                text: s.text.clone(),
                pos: logical.pos(s.start),
            })
            .collect(),
    }
}

/// The commands of an exec-form `RUN`: the program itself, then a `sh -c` script's commands.
fn exec_commands(strings: &[JsonString], logical: &Logical) -> Vec<Pipeline> {
    let words: Vec<Word> = strings
        .iter()
        .map(|s| Word {
            text: s.text.clone(),
            pos: logical.pos(s.start),
        })
        .collect();
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let texts: Vec<&str> = strings.iter().map(|s| s.text.as_str()).collect();
    let script = shell::script_index(&texts).and_then(|k| strings.get(k));
    let mut out = vec![Pipeline {
        commands: vec![Command {
            assignments: Vec::new(),
            pos: first.pos,
            words,
        }],
    }];
    if let Some(script) = script {
        let end = script.end.saturating_sub(1);
        let map = |o: usize| logical.pos(script.offsets.get(o).copied().unwrap_or(end));
        out.extend(shell::parse_shell(&script.text, &map));
    }
    out
}

/// The commands of a shell-form `RUN`: those of its text, then those of heredoc scripts.
fn run_commands(logical: &Logical, from: usize, to: usize, bodies: &[Body]) -> Vec<Pipeline> {
    let text = logical.text.get(from..to).unwrap_or("");
    let (mut pipelines, readers) = shell::parse_shell_with_readers(text, &|o| logical.pos(from + o));
    let text_has_commands = !pipelines.is_empty();
    let first_is_shell = pipelines
        .first()
        .and_then(|p| p.commands.first())
        .and_then(Command::program)
        .is_some_and(shell::is_shell);
    let mut used = vec![false; readers.len()];
    for body in bodies {
        let reader = readers
            .iter()
            .enumerate()
            .find(|(k, r)| !used.get(*k).copied().unwrap_or(true) && r.delimiter == body.heredoc.delimiter);
        let is_script = match reader {
            Some((k, reader)) => {
                if let Some(slot) = used.get_mut(k) {
                    *slot = true;
                }
                if reader.program.is_none() {
                    !names_other_interpreter(&body.heredoc.body)
                } else {
                    reader.runs_script
                }
            }
            // The shell saw no such marker (BuildKit's and the shell's rules differ at the edges):
            // fall back to the shape of the text.
            None => (!text_has_commands || first_is_shell) && !names_other_interpreter(&body.heredoc.body),
        };
        if is_script {
            let end = body.map.last().copied().unwrap_or(Pos {
                line: body.heredoc.body_line,
                column: 1,
            });
            let map = |o: usize| body.map.get(o).copied().unwrap_or(end);
            pipelines.extend(shell::parse_shell(&body.heredoc.body, &map));
        }
    }
    pipelines
}

/// Whether a script starts with a `#!` line naming an interpreter that is not a shell.
fn names_other_interpreter(body: &str) -> bool {
    let Some(rest) = body.lines().next().and_then(|l| l.strip_prefix("#!")) else {
        return false;
    };
    let mut parts = rest.split_whitespace();
    let Some(interpreter) = parts.next() else {
        return false;
    };
    let mut program = interpreter.rsplit('/').next().unwrap_or(interpreter);
    if program == "env" {
        program = parts
            .find(|p| !p.starts_with('-') && !p.contains('='))
            .unwrap_or("");
    }
    !program.is_empty() && !shell::is_shell(program)
}

/// Heredoc markers in the instruction text between `from` and `to`, as BuildKit finds them: words
/// (split on blanks outside quotes, backslash escaping) of the form `[n]<<[-]WORD` where WORD has no
/// `<`.
fn heredoc_markers(logical: &Logical, from: usize, to: usize) -> Vec<Marker> {
    let text = logical.text.as_str();
    let mut markers = Vec::new();
    // Every marker holds `<<`: without one, splitting the words (most of a RUN) is no use.
    if text.get(from..to).is_some_and(|t| !t.contains("<<")) {
        return markers;
    }
    for (s, e) in split_words(text, from, to, '\\') {
        let raw = text.get(s..e).unwrap_or("");
        let Some(rest) = raw
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .strip_prefix("<<")
        else {
            continue;
        };
        let (strip_tabs, rest) = match rest.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let name = unquote(rest, '\\');
        if name.is_empty() {
            continue;
        }
        let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
        markers.push(Marker {
            quoted: quotes(rest) != quotes(&name),
            name,
            strip_tabs,
            pos: logical.pos(s),
        });
    }
    markers
}

/// JSON whitespace from `i`.
fn skip_json_space(bytes: &[u8], mut i: usize, to: usize) -> usize {
    while i < to && matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The text between `from` and `to` as a JSON array of strings (BuildKit's exec form), or `None`.
/// As in BuildKit, text after the closing bracket is ignored.
fn json_array(text: &str, from: usize, to: usize) -> Option<Vec<JsonString>> {
    let bytes = text.as_bytes();
    let mut i = skip_json_space(bytes, from, to);
    if i >= to || bytes.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_json_space(bytes, i + 1, to);
    let mut out = Vec::new();
    if i < to && bytes.get(i) == Some(&b']') {
        return Some(out);
    }
    // Each round consumes a string, or returns.
    loop {
        let s = json_string(text, i, to)?;
        i = skip_json_space(bytes, s.end, to);
        out.push(s);
        match bytes.get(i) {
            Some(b',') if i < to => i = skip_json_space(bytes, i + 1, to),
            Some(b']') if i < to => return Some(out),
            _ => return None,
        }
    }
}

/// A JSON string starting at `i` (its opening quote).
fn json_string(text: &str, i: usize, to: usize) -> Option<JsonString> {
    if text.as_bytes().get(i) != Some(&b'"') {
        return None;
    }
    let mut s = JsonString {
        text: String::new(),
        start: i,
        end: i,
        offsets: Vec::new(),
    };
    let mut j = i + 1;
    while j < to {
        let c = char_at(text, j)?;
        match c {
            '"' => {
                s.end = j + 1;
                return Some(s);
            }
            '\\' => {
                let (decoded, len) = json_escape(text, j, to)?;
                s.push(decoded, j);
                j += len;
            }
            c if u32::from(c) < 0x20 => return None,
            c => {
                s.push(c, j);
                j += c.len_utf8();
            }
        }
    }
    None
}

/// The JSON escape at `j` (a backslash): the character and the escape's length in bytes. Unpaired
/// surrogates become U+FFFD, as in Go.
fn json_escape(text: &str, j: usize, to: usize) -> Option<(char, usize)> {
    let hex = |at: usize| -> Option<u32> {
        let digits = text.get(at..at + 4).filter(|_| at + 4 <= to)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    };
    let c = match text.as_bytes().get(j + 1).filter(|_| j + 1 < to)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex(j + 2)?;
            if (0xD800..0xDC00).contains(&unit)
                && text.get(j + 6..j + 8) == Some("\\u")
                && let Some(low) = hex(j + 8)
                && (0xDC00..0xE000).contains(&low)
            {
                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Some((char::from_u32(code).unwrap_or('\u{fffd}'), 12));
            }
            return Some((char::from_u32(unit).unwrap_or('\u{fffd}'), 6));
        }
        _ => return None,
    };
    Some((c, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn continuation_needs_an_unescaped_escape() {
        assert_eq!(strip_continuation("a && \\", '\\'), ("a && ", true));
        assert_eq!(strip_continuation("a \\  \t", '\\'), ("a ", true));
        assert_eq!(strip_continuation("\\", '\\'), ("", true));
        assert_eq!(strip_continuation("echo \\\\", '\\'), ("echo \\\\", false));
        assert_eq!(strip_continuation("dir C:\\", '`'), ("dir C:\\", false));
        assert_eq!(strip_continuation("x `", '`'), ("x ", true));
    }

    #[test]
    fn directive_lines() {
        assert_eq!(
            directive_parts("# syntax=docker/dockerfile:1"),
            Some(("syntax", "docker/dockerfile:1", 1, 10))
        );
        assert_eq!(
            directive_parts("  #  Escape =  `  "),
            Some(("Escape", "`", 3, 16))
        );
        assert_eq!(directive_parts("# escape="), None);
        assert_eq!(directive_parts("# dockward ignore=x"), None);
        assert_eq!(directive_parts("FROM x"), None);
    }

    #[test]
    fn pragma_lines() {
        let pragma = parse_pragma("  # Dockward IGNORE = DW001, dw-002 ,X  because we must", 4).unwrap();
        assert_eq!(pragma.rules, vec!["DW001", "dw-002", "X"]);
        assert_eq!(pragma.reason, "because we must");
        assert_eq!(pragma.pos, p(4, 3));
        assert_eq!(parse_pragma("# dockward ignore=", 1), None);
        assert_eq!(parse_pragma("# dockwardignore=A", 1), None);
        assert_eq!(parse_pragma("# dockward", 1), None);
        assert_eq!(parse_pragma("# é", 1), None);
    }

    #[test]
    fn quoting_helpers() {
        assert_eq!(
            unquote(r#""a \"b\" \$c \d" 'e\f' g\ h"#, '\\'),
            r#"a "b" $c \d e\f g h"#
        );
        assert_eq!(unquote(r#""C:\Windows" `"x"#, '`'), r#"C:\Windows "x"#);
        assert_eq!(unquote_flag(r#"--chown="app:app""#, '\\'), "--chown=app:app");
        assert_eq!(
            split_words(r#"a "b c" d\ e 'f"'"#, 0, 17, '\\'),
            vec![(0, 1), (2, 7), (8, 12), (13, 17)]
        );
    }

    #[test]
    fn json_arrays() {
        let text = r#" ["a", "\"b\u00e9\ud83d\ude00", "c\/"] trailing"#;
        let strings = json_array(text, 0, text.len()).unwrap();
        let texts: Vec<&str> = strings.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, vec!["a", "\"bé😀", "c/"]);
        assert_eq!(strings[1].start, 7);
        assert_eq!(json_array("[]", 0, 2).map(|v| v.len()), Some(0));
        assert!(json_array("[\"a\", 1]", 0, 8).is_none());
        assert!(json_array("[\"a\"", 0, 4).is_none());
        assert!(json_array("[\"a\tb\"]", 0, 7).is_none());
        assert!(json_array("[\"\\u12\"]", 0, 8).is_none());
        assert!(json_array("[\"\\ud800\"]", 0, 10).is_some_and(|v| v[0].text == "\u{fffd}"));
        assert!(json_array("echo [x]", 0, 8).is_none());
    }

    #[test]
    fn shebangs() {
        assert!(names_other_interpreter("#!/usr/bin/env python3\nprint(1)\n"));
        assert!(names_other_interpreter("#!/usr/bin/node\n"));
        assert!(!names_other_interpreter("#!/bin/bash -e\nset -x\n"));
        assert!(!names_other_interpreter("#!/usr/bin/env -S bash -eu\n"));
        assert!(!names_other_interpreter("apt-get update\n"));
        assert!(!names_other_interpreter(""));
    }
}
