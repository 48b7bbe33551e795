//! A small POSIX shell parser that splits `RUN` text and scripts into pipelines of simple commands.
//!
//! Dockerfile rules need every command a `RUN` executes (`apt-get install`, `curl … | sh`), also those
//! hidden in `sh -c '…'` (and `su -c '…'`) strings, command substitutions (`$(…)`, backticks,
//! `<(…)`), behind wrappers (`sudo`, `env X=1`, `xargs`, `nohup`, `timeout 5`, …) and in heredoc
//! scripts, each with its position in the file. This is not a shell: nothing is expanded (words keep
//! `$VAR`, `$(…)` and backticks as written), and compound commands (`if`, `for`, `case`, groups,
//! subshells) are flattened into the simple commands they hold; a group piped into a command
//! (`{ curl x; } | sh`) pipes its last pipeline into it. Any input is accepted; malformed text just
//! gives fewer or odder commands, never a panic.

use dockward_model::dockerfile::{Command, Pipeline, Pos, Word};

/// Longest text parsed; anything after it is ignored (real scripts are far smaller).
const MAX_TEXT: usize = 1 << 20;

/// Deepest nesting of `sh -c '…'` strings and command substitutions that is followed.
const MAX_DEPTH: usize = 8;

/// Programs parsed as POSIX-like shells.
const SHELLS: [&str; 6] = ["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// Splits shell text into pipelines of simple commands. `position` maps a byte offset in `text` to
/// its position in the file.
///
/// Scripts given to a shell with `-c` (`sh -c "a && b"`, `bash -euxc '…'`, `su root -c '…'`) and
/// the commands of substitutions (`X=$(curl … | sh)`, `` `uname -m` ``, `<(curl …)`) are parsed
/// too, and their pipelines follow the pipeline that runs them; their positions point into the
/// quoted argument or the substitution. A command run through a wrapper (`sudo -u app cmd`,
/// `env A=1 cmd`, `xargs -r cmd`, `timeout 5 cmd`, `nohup`, `exec`, `nice`, `time`, `command`,
/// `runuser -u app --`) takes the wrapper's place in its pipeline, with the `env`/`sudo`
/// assignments as its own; the wrapper and its options become a command of their own, in a
/// pipeline of one that follows.
pub fn parse_shell(text: &str, position: &dyn Fn(usize) -> Pos) -> Vec<Pipeline> {
    parse_at_depth(text, position, 0).0
}

/// Which command reads a heredoc (`<<EOF`) in shell text, so that a `RUN` heredoc can be told apart
/// as a script (`RUN <<EOF`, `RUN bash <<EOF`) or as data (`RUN cat <<EOF > /etc/conf`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeredocReader {
    /// The delimiter, quotes removed.
    pub(crate) delimiter: String,
    /// The program of the command the redirection belongs to; `None` when it has no words.
    pub(crate) program: Option<String>,
    /// The heredoc is the script that command runs: no program, or a shell without `-c`.
    pub(crate) runs_script: bool,
}

/// Like [`parse_shell`], also telling which command reads each top-level heredoc, in text order.
pub(crate) fn parse_shell_with_readers(
    text: &str,
    position: &dyn Fn(usize) -> Pos,
) -> (Vec<Pipeline>, Vec<HeredocReader>) {
    parse_at_depth(text, position, 0)
}

/// Whether `program` (any path) names a POSIX-like shell.
pub(crate) fn is_shell(program: &str) -> bool {
    SHELLS.contains(&basename(program))
}

/// For a command's words, the index of the script argument when the command runs a shell with `-c`
/// (`sh -c 'script'`, `bash -o pipefail -euxc 'script'`, `su - app -c 'script'`), possibly behind
/// wrappers (`exec`, `env`, `sudo`, `timeout 5` …).
pub(crate) fn script_index(words: &[&str]) -> Option<usize> {
    let mut k = 0;
    // Each round moves `k` forward by at least one word, so this ends.
    while let Some((len, assigns)) = wrapper(words.get(k..)?) {
        k += len;
        if assigns {
            while words.get(k).is_some_and(|w| looks_like_assignment(w)) {
                k += 1;
            }
        }
    }
    if matches!(basename(words.get(k)?), "su" | "runuser") {
        return su_script_index(words, k);
    }
    if !is_shell(words.get(k)?) {
        return None;
    }
    let mut seen_c = false;
    k += 1;
    while let Some(w) = words.get(k) {
        if *w == "--" {
            k += 1;
            break;
        }
        let Some(letters) = w.strip_prefix('-').or_else(|| w.strip_prefix('+')) else {
            break;
        };
        if letters.is_empty() {
            break;
        }
        if letters.starts_with('-') {
            // A long option such as --login or --norc.
            k += 1;
            continue;
        }
        if !letters.chars().all(|c| c.is_ascii_alphabetic()) {
            break;
        }
        if w.starts_with('-') && letters.contains('c') {
            seen_c = true;
        }
        // `-o pipefail` (also inside a cluster like `-euxo pipefail`) takes the next word.
        k += if letters.contains(['o', 'O']) { 2 } else { 1 };
    }
    (seen_c && k < words.len()).then_some(k)
}

/// The script of `su … -c 'script'` / `runuser … -c 'script'` (the program at `k`): the word after
/// `-c` or `--command`, wherever it stands among the options and the user name.
fn su_script_index(words: &[&str], k: usize) -> Option<usize> {
    let mut j = k + 1;
    while let Some(w) = words.get(j) {
        match *w {
            "-c" | "--command" => return (j + 1 < words.len()).then_some(j + 1),
            "-s"
            | "--shell"
            | "-g"
            | "--group"
            | "-G"
            | "--supp-group"
            | "-w"
            | "--whitelist-environment" => {
                j += 2;
            }
            "--" => return None,
            _ => j += 1,
        }
    }
    None
}

/// When `words` start with a program that runs the command after its own options (`sudo -u x`,
/// `env -i`, `xargs -n1`, `timeout -s KILL 5`, `nohup` …): how many words the wrapper takes, and
/// whether `NAME=value` words after them are assignments for the command (`env`, `sudo`). `None`
/// when it is not a wrapper or runs no command (`env` alone, `command -v x`, `sudo -l`).
fn wrapper(words: &[&str]) -> Option<(usize, bool)> {
    let program = basename(words.first()?);
    // Short and long options that take the next word as their value; `stop` options mean no
    // command is run.
    let (with_value, stop, assigns): (&[&str], &[&str], bool) = match program {
        "nohup" | "busybox" | "setsid" => (&[], &[], false),
        "exec" => (&["-a"], &[], false),
        "command" => (&[], &["-v", "-V"], false),
        "time" => (&["-f", "-o", "--format", "--output"], &[], false),
        "nice" => (&["-n", "--adjustment"], &[], false),
        "env" => (
            &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"],
            &["--help", "--version"],
            true,
        ),
        "sudo" => (
            &[
                "-u",
                "--user",
                "-g",
                "--group",
                "-C",
                "--close-from",
                "-D",
                "--chdir",
                "-p",
                "--prompt",
                "-r",
                "--role",
                "-t",
                "--type",
                "-T",
                "--command-timeout",
                "-U",
                "--other-user",
                "-h",
                "--host",
            ],
            &[
                "-l",
                "--list",
                "-v",
                "--validate",
                "-e",
                "--edit",
                "-V",
                "--version",
                "-K",
                "--remove-timestamp",
            ],
            true,
        ),
        "xargs" => (
            &[
                "-a",
                "--arg-file",
                "-d",
                "--delimiter",
                "-E",
                "-I",
                "-L",
                "--max-lines",
                "-n",
                "--max-args",
                "-P",
                "--max-procs",
                "-s",
                "--max-chars",
                "--process-slot-var",
            ],
            &["--help", "--version"],
            false,
        ),
        "timeout" => (
            &["-s", "--signal", "-k", "--kill-after"],
            &["--help", "--version"],
            false,
        ),
        "runuser" => (
            &["-u", "--user", "-g", "--group", "-G", "--supp-group"],
            &[],
            false,
        ),
        _ => return None,
    };
    let mut k = 1;
    let mut user = false;
    while let Some(w) = words.get(k) {
        if *w == "--" {
            k += 1;
            break;
        }
        if !w.starts_with('-') || (*w == "-" && program != "env") {
            break;
        }
        if stop.contains(w) {
            return None;
        }
        if program == "nice"
            && w.len() > 1
            && w.get(1..).is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            // `nice -10 cmd`: the old form of `-n 10`.
            k += 1;
            continue;
        }
        user |= matches!(*w, "-u" | "--user") || w.starts_with("--user=");
        k += if with_value.contains(w) { 2 } else { 1 };
    }
    match program {
        // `timeout [options] DURATION command`.
        "timeout" => k += 1,
        // Only `runuser -u USER [--] command` runs a command directly; `runuser USER -c …` is a script.
        "runuser" if !user => return None,
        _ => {}
    }
    let mut command = k;
    if assigns {
        while words.get(command).is_some_and(|w| looks_like_assignment(w)) {
            command += 1;
        }
    }
    (command < words.len()).then_some((k, assigns))
}

/// Whether an (unquoted) word reads as `NAME=value`.
fn looks_like_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| is_name(name))
}

/// The last path component.
fn basename(word: &str) -> &str {
    // A byte scan: words are short, and a splitter's setup cost more than the search.
    match word.bytes().rposition(|b| b == b'/') {
        Some(slash) => word.get(slash + 1..).unwrap_or(""),
        None => word,
    }
}

/// Parses `text` as a script nested `depth` levels inside `sh -c` strings.
fn parse_at_depth(
    text: &str,
    position: &dyn Fn(usize) -> Pos,
    depth: usize,
) -> (Vec<Pipeline>, Vec<HeredocReader>) {
    let text = truncate(text);
    let mut parser = Parser {
        lexer: Lexer {
            text,
            bytes: text.as_bytes(),
            i: 0,
            heredocs: Vec::new(),
            dbracket: false,
            subs: Vec::new(),
        },
        position,
        depth,
        ahead: None,
        pipelines: Vec::new(),
        pipeline: Vec::new(),
        nested: Vec::new(),
        assignments: Vec::new(),
        words: Vec::new(),
        skip: Skip::None,
        cases: Vec::new(),
        readers: Vec::new(),
        command_readers: Vec::new(),
        last_main: None,
        group_tail: None,
    };
    parser.run();
    (parser.pipelines, parser.readers)
}

/// `text` cut to at most [`MAX_TEXT`] bytes, at a character boundary.
fn truncate(text: &str) -> &str {
    let mut end = text.len().min(MAX_TEXT);
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

/// A word as lexed: text with quotes removed, and where each of its bytes came from.
#[derive(Clone, Debug, Default)]
struct LexWord {
    text: String,
    /// Where the bytes of `text` came from, as runs: from `(text_pos, src_pos)` on, byte `o` of
    /// `text` came from `src_pos + o - text_pos`, up to the next run. A run `(0, start)` is
    /// implied, so a word written plainly needs none (one offset per byte was most of the lexer's
    /// allocation).
    runs: Vec<(usize, usize)>,
    /// Source offset of the word's first character.
    start: usize,
    /// Some part was quoted or escaped, so it cannot be a reserved word.
    quoted: bool,
    /// Length of the leading part of `text` written as plain unquoted characters; an assignment's
    /// `=` must fall inside it.
    plain_len: usize,
}

impl LexWord {
    fn push(&mut self, c: char, offset: usize) {
        if c.is_ascii() {
            self.mark(offset);
        } else {
            // Every byte of the character maps to its first.
            for k in 0..c.len_utf8() {
                self.runs.push((self.text.len() + k, offset));
            }
        }
        self.text.push(c);
    }

    /// Appends `s`, which starts at source offset `offset` and is copied as written.
    fn push_str(&mut self, s: &str, offset: usize) {
        if s.is_ascii() {
            self.mark(offset);
            self.text.push_str(s);
        } else {
            for (k, c) in s.char_indices() {
                self.push(c, offset + k);
            }
        }
    }

    /// Starts a run if the next byte of `text`, from `offset`, does not continue the last one.
    fn mark(&mut self, offset: usize) {
        let at = self.text.len();
        let (text_pos, src_pos) = self.runs.last().copied().unwrap_or((0, self.start));
        if src_pos + (at - text_pos) != offset {
            self.runs.push((at, offset));
        }
    }

    /// Source offset of byte `o` of `text`; past the end, just past the source of its last byte.
    fn offset(&self, o: usize) -> usize {
        if o >= self.text.len() {
            return match self.text.len() {
                0 => self.start,
                len => self.offset(len - 1) + 1,
            };
        }
        let k = self.runs.partition_point(|&(text_pos, _)| text_pos <= o);
        let (text_pos, src_pos) = k
            .checked_sub(1)
            .and_then(|k| self.runs.get(k))
            .copied()
            .unwrap_or((0, self.start));
        src_pos + (o - text_pos)
    }

    fn into_word(self, position: &dyn Fn(usize) -> Pos) -> Word {
        Word {
            pos: position(self.start),
            text: self.text,
        }
    }
}

#[derive(Debug)]
enum Token {
    Word(LexWord),
    Op(Op),
    /// A redirection with its target consumed; the heredoc delimiter for `<<` and `<<-`.
    Redirect(Option<String>),
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `;`
    Semi,
    /// `&`
    Amp,
    /// A line break.
    Newline,
    /// `|` or `|&`
    Pipe,
    /// `(`
    Open,
    /// `)`
    Close,
    /// `;;`, `;&`, `;;&`: ends a `case` item.
    CaseEnd,
}

/// What an opening construct inside a word waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Nest {
    /// `$(`, `(`: the matching `)`.
    Paren,
    /// `${`: the matching `}`.
    Brace,
    /// `"`
    DQuote,
    /// `` ` ``
    Backtick,
}

/// Returns the offset just past the construct opened right before `from` (or the end of input).
/// Iterative with an explicit stack, so deep nesting costs memory, not call depth.
fn scan_nested(bytes: &[u8], from: usize, open: Nest) -> usize {
    let mut stack = vec![open];
    let mut i = from;
    while let Some(&top) = stack.last() {
        let Some(&b) = bytes.get(i) else {
            return bytes.len();
        };
        let next = bytes.get(i + 1).copied();
        match top {
            Nest::DQuote => match b {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'`' => stack.push(Nest::Backtick),
                b'$' if next == Some(b'(') => {
                    stack.push(Nest::Paren);
                    i += 1;
                }
                b'$' if next == Some(b'{') => {
                    stack.push(Nest::Brace);
                    i += 1;
                }
                _ => {}
            },
            Nest::Backtick => match b {
                b'\\' => i += 1,
                b'`' => {
                    stack.pop();
                }
                _ => {}
            },
            Nest::Paren | Nest::Brace => match b {
                b'\\' => i += 1,
                b'\'' => match bytes
                    .get(i + 1..)
                    .and_then(|rest| rest.iter().position(|&c| c == b'\''))
                {
                    Some(p) => i += p + 1,
                    None => return bytes.len(),
                },
                b'"' => stack.push(Nest::DQuote),
                b'`' => stack.push(Nest::Backtick),
                b'$' if next == Some(b'(') => {
                    stack.push(Nest::Paren);
                    i += 1;
                }
                b'$' if next == Some(b'{') => {
                    stack.push(Nest::Brace);
                    i += 1;
                }
                b'(' if top == Nest::Paren => stack.push(Nest::Paren),
                b')' if top == Nest::Paren => {
                    stack.pop();
                }
                b'}' if top == Nest::Brace => {
                    stack.pop();
                }
                _ => {}
            },
        }
        i += 1;
    }
    // Every stop is just past an ASCII byte, hence on a character boundary.
    i.min(bytes.len())
}

/// Bytes [`Lexer::word`] may treat other than as a plain character of the word.
fn is_word_special(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b';'
            | b'&'
            | b'|'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'\\'
            | b'\''
            | b'"'
            | b'$'
            | b'`'
    )
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Byte offset of the next unread character (always a character boundary).
    i: usize,
    /// Heredocs whose bodies start after the next line break: delimiter, strip tabs.
    heredocs: Vec<(String, bool)>,
    /// Inside `[[ … ]]`, where `&&`, `<`, `(` … are operands, not operators.
    dbracket: bool,
    /// Substitutions (`$(…)`, backticks, `<(…)`) lexed since the parser last took them.
    subs: Vec<Sub>,
}

/// The body of a command substitution, as byte offsets in the lexer's text.
#[derive(Clone, Copy, Debug)]
struct Sub {
    start: usize,
    end: usize,
    /// A backtick body, where `\$`, `` \` `` and `\\` stand for the character they escape.
    backtick: bool,
}

impl Lexer<'_> {
    fn char_at(&self, at: usize) -> Option<char> {
        // An ASCII byte always starts a character: no boundary check or decoding for it.
        match self.bytes.get(at) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            _ => self.text.get(at..).and_then(|s| s.chars().next()),
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.bytes
            .get(self.i..)
            .is_some_and(|rest| rest.starts_with(s.as_bytes()))
    }

    fn next(&mut self) -> Token {
        loop {
            let Some(c) = self.char_at(self.i) else {
                return Token::Eof;
            };
            let at = self.i;
            let next = self.byte(at + 1);
            match c {
                ' ' | '\t' | '\r' => self.i += 1,
                '\\' if next == Some(b'\n') => self.i += 2,
                '\\' if next == Some(b'\r') && self.byte(at + 2) == Some(b'\n') => self.i += 3,
                '#' => {
                    self.i = self
                        .text
                        .get(at..)
                        .and_then(|s| s.find('\n'))
                        .map_or(self.bytes.len(), |p| at + p);
                }
                '\n' => {
                    self.i += 1;
                    self.dbracket = false;
                    self.skip_heredoc_bodies();
                    return Token::Op(Op::Newline);
                }
                ';' => {
                    return Token::Op(if next == Some(b';') {
                        self.i += 2;
                        if self.byte(self.i) == Some(b'&') {
                            self.i += 1;
                        }
                        Op::CaseEnd
                    } else if next == Some(b'&') {
                        self.i += 2;
                        Op::CaseEnd
                    } else {
                        self.i += 1;
                        Op::Semi
                    });
                }
                '&' | '|' | '(' | ')' if !self.dbracket => match (c, next) {
                    ('&', Some(b'&')) => {
                        self.i += 2;
                        return Token::Op(Op::And);
                    }
                    ('&', Some(b'>')) => return self.redirect(),
                    ('&', _) => {
                        self.i += 1;
                        return Token::Op(Op::Amp);
                    }
                    ('|', Some(b'|')) => {
                        self.i += 2;
                        return Token::Op(Op::Or);
                    }
                    ('|', Some(b'&')) => {
                        self.i += 2;
                        return Token::Op(Op::Pipe);
                    }
                    ('|', _) => {
                        self.i += 1;
                        return Token::Op(Op::Pipe);
                    }
                    ('(', Some(b'(')) => {
                        // An arithmetic command `(( … ))` (also `for (( … ))`): no command inside.
                        self.i = scan_nested(self.bytes, at + 1, Nest::Paren);
                    }
                    ('(', _) => {
                        self.i += 1;
                        return Token::Op(Op::Open);
                    }
                    _ => {
                        self.i += 1;
                        return Token::Op(Op::Close);
                    }
                },
                '<' | '>' if !self.dbracket && next != Some(b'(') => return self.redirect(),
                _ => {
                    let word = self.word();
                    if self.i == at {
                        // Cannot happen (the first character always belongs to the word), but
                        // never loop without progress.
                        self.i += c.len_utf8();
                        continue;
                    }
                    if !self.dbracket
                        && !word.quoted
                        && !word.text.is_empty()
                        && word.text.bytes().all(|b| b.is_ascii_digit())
                        && matches!(self.byte(self.i), Some(b'<' | b'>'))
                    {
                        // A file descriptor number: `2>&1`, `3<file`.
                        return self.redirect();
                    }
                    if self.dbracket && !word.quoted && word.text == "]]" {
                        self.dbracket = false;
                    }
                    return Token::Word(word);
                }
            }
        }
    }

    /// Lexes a redirection operator at `self.i` and its target word.
    fn redirect(&mut self) -> Token {
        const OPERATORS: [(&str, Option<bool>); 11] = [
            ("<<<", None),
            ("<<-", Some(true)),
            ("<<", Some(false)),
            ("&>>", None),
            ("&>", None),
            (">>", None),
            (">&", None),
            (">|", None),
            ("<&", None),
            ("<>", None),
            (">", None),
        ];
        let (len, heredoc) = OPERATORS
            .iter()
            .find(|(op, _)| self.starts_with(op))
            .map_or((1, None), |(op, heredoc)| (op.len(), *heredoc));
        self.i += len;
        loop {
            match (self.byte(self.i), self.byte(self.i + 1)) {
                (Some(b' ' | b'\t'), _) => self.i += 1,
                (Some(b'\\'), Some(b'\n')) => self.i += 2,
                _ => break,
            }
        }
        let target = match (self.byte(self.i), self.byte(self.i + 1)) {
            (None | Some(b'\n' | b';' | b'&' | b'|' | b'(' | b')'), _) => None,
            (Some(b'<' | b'>'), next) if next != Some(b'(') => None,
            _ => Some(self.word()),
        };
        let delimiter = match (heredoc, target) {
            (Some(strip_tabs), Some(word)) if !word.text.is_empty() => {
                self.heredocs.push((word.text.clone(), strip_tabs));
                Some(word.text)
            }
            _ => None,
        };
        Token::Redirect(delimiter)
    }

    /// After a line break: skips the bodies of the heredocs opened on the line just ended.
    fn skip_heredoc_bodies(&mut self) {
        for (delimiter, strip_tabs) in std::mem::take(&mut self.heredocs) {
            while self.i < self.bytes.len() {
                let rest = self.text.get(self.i..).unwrap_or("");
                let (line, advance) = match rest.find('\n') {
                    Some(p) => (rest.get(..p).unwrap_or(""), p + 1),
                    None => (rest, rest.len()),
                };
                self.i += advance.max(1);
                let line = line.strip_suffix('\r').unwrap_or(line);
                let line = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if line == delimiter {
                    break;
                }
            }
        }
        self.i = self.i.min(self.bytes.len());
    }

    /// Records the body of a substitution opened at `open` (of `open_len` bytes) and ending just
    /// before `end`, the offset `scan_nested` gave (past the closing character, if there is one).
    fn record_sub(&mut self, open: usize, open_len: usize, end: usize, close: u8, backtick: bool) {
        let start = open + open_len;
        let closed = end > start && self.byte(end - 1) == Some(close);
        let end = if closed { end - 1 } else { end };
        self.subs.push(Sub { start, end, backtick });
    }

    /// Copies the source from `self.i` to `end` into `word` as written.
    fn copy_raw(&mut self, word: &mut LexWord, end: usize) {
        let Some(raw) = self.text.get(self.i..end) else {
            self.i = self.bytes.len();
            return;
        };
        word.push_str(raw, self.i);
        self.i = end;
    }

    /// Lexes one word starting at `self.i`.
    fn word(&mut self) -> LexWord {
        let mut w = LexWord {
            start: self.i,
            ..LexWord::default()
        };
        let mut plain = true;
        while let Some(c) = self.char_at(self.i) {
            let at = self.i;
            let next = self.byte(at + 1);
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' => break,
                '&' | '|' | '(' | ')' | '<' | '>' if !self.dbracket => {
                    if matches!(c, '<' | '>') && next == Some(b'(') {
                        // Process substitution `<(cmd)`: part of the word, as written.
                        let end = scan_nested(self.bytes, at + 2, Nest::Paren);
                        self.record_sub(at, 2, end, b')', false);
                        self.copy_raw(&mut w, end);
                        plain = false;
                        continue;
                    }
                    if c == '(' && plain && is_array_assignment_prefix(&w.text) {
                        // bash array `NAME=(a b)`: the list stays in the assignment.
                        let end = scan_nested(self.bytes, at + 1, Nest::Paren);
                        self.copy_raw(&mut w, end);
                        plain = false;
                        continue;
                    }
                    break;
                }
                '\\' => match self.char_at(at + 1) {
                    Some('\n') => self.i = at + 2,
                    Some('\r') if self.byte(at + 2) == Some(b'\n') => self.i = at + 3,
                    Some(n) => {
                        w.push(n, at + 1);
                        self.i = at + 1 + n.len_utf8();
                        w.quoted = true;
                        plain = false;
                    }
                    None => {
                        w.push('\\', at);
                        self.i = at + 1;
                    }
                },
                '\'' => {
                    w.quoted = true;
                    plain = false;
                    let body_start = at + 1;
                    let rest = self.text.get(body_start..).unwrap_or("");
                    let (body_len, end) = match rest.find('\'') {
                        Some(p) => (p, body_start + p + 1),
                        None => (rest.len(), self.bytes.len()),
                    };
                    w.push_str(rest.get(..body_len).unwrap_or(""), body_start);
                    self.i = end;
                }
                '"' => {
                    w.quoted = true;
                    plain = false;
                    self.i = at + 1;
                    self.double_quoted(&mut w);
                }
                '$' => {
                    plain = false;
                    self.dollar(&mut w);
                }
                '`' => {
                    plain = false;
                    let end = scan_nested(self.bytes, at + 1, Nest::Backtick);
                    self.record_sub(at, 1, end, b'`', true);
                    self.copy_raw(&mut w, end);
                }
                _ => {
                    // A run of ASCII characters none of the arms above treat specially is copied
                    // at once: pushing them one by one was most of the time spent lexing.
                    let run = self.bytes[at..]
                        .iter()
                        .position(|&b| !b.is_ascii() || is_word_special(b))
                        .unwrap_or(self.bytes.len() - at);
                    if run > 1 {
                        w.push_str(&self.text[at..at + run], at);
                        self.i = at + run;
                    } else {
                        w.push(c, at);
                        self.i = at + c.len_utf8();
                    }
                    if plain {
                        w.plain_len = w.text.len();
                    }
                }
            }
        }
        w
    }

    /// Lexes the inside of `"…"` (the opening quote already consumed).
    fn double_quoted(&mut self, w: &mut LexWord) {
        while let Some(c) = self.char_at(self.i) {
            let at = self.i;
            match c {
                '"' => {
                    self.i = at + 1;
                    return;
                }
                '\\' => match self.char_at(at + 1) {
                    Some('\n') => self.i = at + 2,
                    Some('\r') if self.byte(at + 2) == Some(b'\n') => self.i = at + 3,
                    Some(n @ ('"' | '\\' | '$' | '`')) => {
                        w.push(n, at + 1);
                        self.i = at + 2;
                    }
                    _ => {
                        w.push('\\', at);
                        self.i = at + 1;
                    }
                },
                '$' => self.dollar(w),
                '`' => {
                    let end = scan_nested(self.bytes, at + 1, Nest::Backtick);
                    self.record_sub(at, 1, end, b'`', true);
                    self.copy_raw(w, end);
                }
                _ => {
                    w.push(c, at);
                    self.i = at + c.len_utf8();
                }
            }
        }
    }

    /// Lexes `$…` at `self.i`: `$(…)`, `$((…))` and `${…}` are copied whole, as written.
    fn dollar(&mut self, w: &mut LexWord) {
        let at = self.i;
        match self.byte(at + 1) {
            Some(b'(') => {
                let end = scan_nested(self.bytes, at + 2, Nest::Paren);
                // `$((…))` is arithmetic, not a command.
                if self.byte(at + 2) != Some(b'(') {
                    self.record_sub(at, 2, end, b')', false);
                }
                self.copy_raw(w, end);
            }
            Some(b'{') => {
                let end = scan_nested(self.bytes, at + 2, Nest::Brace);
                self.copy_raw(w, end);
            }
            _ => {
                w.push('$', at);
                self.i = at + 1;
            }
        }
    }
}

/// Whether `text` is `NAME=` or `NAME+=`, the start of a bash array assignment.
fn is_array_assignment_prefix(text: &str) -> bool {
    text.strip_suffix('=')
        .map(|name| name.strip_suffix('+').unwrap_or(name))
        .is_some_and(is_name)
}

/// A shell variable name.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether a word is `NAME=value` (or `NAME+=value`) with the name and `=` written plainly.
fn is_assignment(w: &LexWord) -> bool {
    let Some(eq) = w.text.find('=') else {
        return false;
    };
    if eq >= w.plain_len {
        return false;
    }
    let name = w.text.get(..eq).unwrap_or("");
    is_name(name.strip_suffix('+').unwrap_or(name))
}

/// Header words being skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Skip {
    None,
    /// `for NAME in …` / `select …` up to `;`, a line break or `do`.
    ForHeader,
    /// `case WORD` up to `in`.
    CaseHeader,
    /// The name after `function`.
    FunctionName,
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    position: &'a dyn Fn(usize) -> Pos,
    depth: usize,
    /// A token read ahead (to tell `name()` function definitions from subshells).
    ahead: Option<Token>,
    pipelines: Vec<Pipeline>,
    /// Commands of the pipeline being built.
    pipeline: Vec<Command>,
    /// Pipelines of `sh -c` scripts run by the pipeline being built.
    nested: Vec<Pipeline>,
    assignments: Vec<LexWord>,
    words: Vec<LexWord>,
    skip: Skip,
    /// Open `case` statements; `true` while expecting a pattern.
    cases: Vec<bool>,
    readers: Vec<HeredocReader>,
    /// Indices in `readers` of heredocs redirected into the command being built.
    command_readers: Vec<usize>,
    /// Index in `pipelines` of the last pipeline of the text itself (not a nested one).
    last_main: Option<usize>,
    /// Set right after a group, subshell or loop closes: the index of its last pipeline, which a
    /// following `|` continues (`{ curl x; } | sh`).
    group_tail: Option<usize>,
}

impl Parser<'_> {
    fn run(&mut self) {
        // Every token but Eof consumes input, so this ends.
        loop {
            let token = match self.ahead.take() {
                Some(token) => token,
                None => self.lexer.next(),
            };
            match token {
                Token::Eof => break,
                Token::Word(w) => {
                    self.group_tail = None;
                    self.word(w);
                }
                Token::Op(Op::Pipe) => self.op(Op::Pipe),
                Token::Op(op) => {
                    self.group_tail = None;
                    self.op(op);
                }
                Token::Redirect(heredoc) => {
                    if let Some(delimiter) = heredoc {
                        self.command_readers.push(self.readers.len());
                        self.readers.push(HeredocReader {
                            delimiter,
                            program: None,
                            runs_script: true,
                        });
                    }
                }
            }
            self.substitutions();
        }
        self.end_pipeline();
        self.substitutions();
        self.pipelines.append(&mut self.nested);
    }

    /// Parses the substitutions lexed so far; their pipelines follow the current one (or come
    /// straight away when no command is being built: `for f in $(ls)`, `case $(uname -m) in`).
    fn substitutions(&mut self) {
        if self.lexer.subs.is_empty() {
            return;
        }
        let building = !(self.words.is_empty() && self.assignments.is_empty() && self.pipeline.is_empty());
        for sub in std::mem::take(&mut self.lexer.subs) {
            if self.depth >= MAX_DEPTH {
                continue;
            }
            let position = self.position;
            let body = self.lexer.text.get(sub.start..sub.end).unwrap_or("");
            let inner = if sub.backtick {
                let (text, offsets) = unescape_backtick(body, sub.start);
                let map = |o: usize| position(offsets.get(o).copied().unwrap_or(sub.end));
                parse_at_depth(&text, &map, self.depth + 1).0
            } else {
                let map = |o: usize| position(sub.start + o);
                parse_at_depth(body, &map, self.depth + 1).0
            };
            if building {
                self.nested.extend(inner);
            } else {
                self.pipelines.extend(inner);
            }
        }
    }

    /// Ends the pipeline at the close of a group, subshell, loop or `if`, so that a `|` right after
    /// it continues the group's last pipeline.
    fn end_group(&mut self) {
        self.end_pipeline();
        self.group_tail = self.last_main;
    }

    fn word(&mut self, w: LexWord) {
        let reserved = if w.quoted { "" } else { w.text.as_str() };
        match self.skip {
            Skip::ForHeader => {
                if reserved == "do" {
                    self.skip = Skip::None;
                }
                return;
            }
            Skip::CaseHeader => {
                if reserved == "in" {
                    self.skip = Skip::None;
                    self.cases.push(true);
                }
                return;
            }
            Skip::FunctionName => {
                self.skip = Skip::None;
                return;
            }
            Skip::None => {}
        }
        if self.words.is_empty() && self.assignments.is_empty() {
            if self.cases.last() == Some(&true) {
                // A case pattern.
                if reserved == "esac" {
                    self.cases.pop();
                }
                return;
            }
            match reserved {
                "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "time" => return,
                "{" => {
                    self.end_pipeline();
                    return;
                }
                "fi" | "done" | "}" => {
                    self.end_group();
                    return;
                }
                "esac" => {
                    self.cases.pop();
                    self.end_group();
                    return;
                }
                "for" | "select" => {
                    self.skip = Skip::ForHeader;
                    return;
                }
                "case" => {
                    self.skip = Skip::CaseHeader;
                    return;
                }
                "function" => {
                    self.skip = Skip::FunctionName;
                    return;
                }
                "[[" => self.lexer.dbracket = true,
                _ => {}
            }
        }
        if self.words.is_empty() && is_assignment(&w) {
            self.assignments.push(w);
        } else {
            self.words.push(w);
        }
    }

    fn op(&mut self, op: Op) {
        match self.skip {
            Skip::ForHeader | Skip::CaseHeader => {
                if !matches!(op, Op::Pipe | Op::Open | Op::Close) {
                    self.skip = Skip::None;
                }
                return;
            }
            Skip::FunctionName => self.skip = Skip::None,
            Skip::None => {}
        }
        if self.words.is_empty() && self.assignments.is_empty() && self.cases.last() == Some(&true) {
            // Inside a case pattern list `a|b)`: the `)` ends it.
            if op == Op::Close
                && let Some(top) = self.cases.last_mut()
            {
                *top = false;
            }
            return;
        }
        match op {
            Op::Pipe => {
                let tail = self.group_tail.take();
                if self.words.is_empty()
                    && self.assignments.is_empty()
                    && self.pipeline.is_empty()
                    && let Some(k) = tail
                    && k < self.pipelines.len()
                {
                    // `{ a; b; } | c`: what the group writes comes from its last pipeline.
                    let last = self.pipelines.remove(k);
                    self.last_main = None;
                    self.pipeline = last.commands;
                } else {
                    self.end_command();
                }
            }
            Op::Open => {
                if self.words.len() == 1 && self.assignments.is_empty() {
                    let next = self.lexer.next();
                    if matches!(next, Token::Op(Op::Close)) {
                        // `name() { … }` defines a function; `name` is not run here.
                        self.words.clear();
                        return;
                    }
                    self.ahead = Some(next);
                }
                self.end_pipeline();
            }
            Op::CaseEnd => {
                self.end_pipeline();
                if let Some(top) = self.cases.last_mut() {
                    *top = true;
                }
            }
            Op::Close => self.end_group(),
            Op::And | Op::Or | Op::Semi | Op::Amp | Op::Newline => self.end_pipeline(),
        }
    }

    fn end_command(&mut self) {
        let words = std::mem::take(&mut self.words);
        let mut assignments = std::mem::take(&mut self.assignments);
        let position = self.position;
        // Where the wrappers end: for each, its words and the assignments after it. Found first
        // and then cut in one pass, so a long chain of wrappers costs linear time.
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        // What the command after the wrappers runs, found before its words move into `Word`s.
        let (script, program) = {
            let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
            let mut k = 0;
            // Each round moves `k` forward by at least one word, so this ends.
            while let Some((len, assigns)) = texts.get(k..).and_then(wrapper) {
                k += len;
                let mut n = 0;
                while assigns && k + n + 1 < words.len() && words.get(k + n).is_some_and(is_assignment) {
                    n += 1;
                }
                k += n;
                cuts.push((len, n));
            }
            let texts = texts.get(k..).unwrap_or(&[]);
            let program = if self.command_readers.is_empty() {
                None
            } else {
                texts.first().map(|w| basename(w).to_string())
            };
            (script_index(texts), program)
        };
        let mut rest = words.into_iter();
        // `env A=1 nohup cmd`: the assignments reach the command at the end of the chain.
        let mut carried: Vec<LexWord> = Vec::new();
        let wrapped = !cuts.is_empty();
        for (len, n) in cuts {
            let wrapper: Vec<LexWord> = rest.by_ref().take(len).collect();
            let wrapper_assignments = std::mem::take(&mut assignments);
            carried.extend(rest.by_ref().take(n));
            let first = wrapper_assignments
                .first()
                .or(wrapper.first())
                .map_or(0, |w| w.start);
            self.nested.push(Pipeline {
                commands: vec![Command {
                    pos: position(first),
                    assignments: wrapper_assignments
                        .into_iter()
                        .map(|w| w.into_word(position))
                        .collect(),
                    words: wrapper.into_iter().map(|w| w.into_word(position)).collect(),
                }],
            });
        }
        let words: Vec<LexWord> = rest.collect();
        if wrapped {
            assignments = carried;
        }
        for idx in std::mem::take(&mut self.command_readers) {
            if let Some(reader) = self.readers.get_mut(idx) {
                reader.runs_script = match &program {
                    None => true,
                    Some(p) => is_shell(p) && script.is_none(),
                };
                reader.program.clone_from(&program);
            }
        }
        if words.is_empty() && assignments.is_empty() {
            return;
        }
        if let Some(k) = script
            && self.depth < MAX_DEPTH
            && let Some(arg) = words.get(k)
        {
            let map = |o: usize| position(arg.offset(o));
            let (inner, _) = parse_at_depth(&arg.text, &map, self.depth + 1);
            self.nested.extend(inner);
        }
        let first = assignments.first().or(words.first()).map_or(0, |w| w.start);
        self.pipeline.push(Command {
            pos: position(first),
            assignments: assignments.into_iter().map(|w| w.into_word(position)).collect(),
            words: words.into_iter().map(|w| w.into_word(position)).collect(),
        });
    }

    fn end_pipeline(&mut self) {
        self.end_command();
        if !self.pipeline.is_empty() {
            self.last_main = Some(self.pipelines.len());
            self.pipelines.push(Pipeline {
                commands: std::mem::take(&mut self.pipeline),
            });
        }
        self.pipelines.append(&mut self.nested);
    }
}

/// A backtick body with the backslashes that only escape `$`, `` ` `` and `\` removed, and the
/// source offset (from `start`) of each of its bytes.
fn unescape_backtick(body: &str, start: usize) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(body.len());
    let mut offsets = Vec::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        let (c, k) = match (c, chars.peek()) {
            ('\\', Some(&(n, next @ ('$' | '`' | '\\')))) => {
                chars.next();
                (next, n)
            }
            _ => (c, k),
        };
        text.push(c);
        offsets.extend(std::iter::repeat_n(start + k, c.len_utf8()));
    }
    (text, offsets)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions for single- or multi-line text starting at line 1 column 1.
    fn pos_in(text: &str) -> impl Fn(usize) -> Pos + '_ {
        move |offset: usize| {
            let before = text.get(..offset).unwrap_or(text);
            let line = before.matches('\n').count() as u32 + 1;
            let line_start = before.rfind('\n').map_or(0, |p| p + 1);
            let column = before.get(line_start..).unwrap_or("").chars().count() as u32 + 1;
            Pos { line, column }
        }
    }

    fn parse(text: &str) -> Vec<Pipeline> {
        parse_shell(text, &pos_in(text))
    }

    /// Each pipeline as its commands' words joined by spaces.
    fn shape(pipelines: &[Pipeline]) -> Vec<Vec<String>> {
        pipelines
            .iter()
            .map(|p| p.commands.iter().map(|c| c.text()).collect())
            .collect()
    }

    fn p(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn and_list_gives_two_pipelines_with_positions() {
        let out = parse("apt-get update && apt-get install -y curl");
        assert_eq!(
            shape(&out),
            vec![vec!["apt-get update"], vec!["apt-get install -y curl"]]
        );
        let install = &out[1].commands[0];
        assert_eq!(install.pos, p(1, 19));
        assert_eq!(install.words[2].text, "-y");
        assert_eq!(install.words[2].pos, p(1, 35));
        assert_eq!(install.program(), Some("apt-get"));
    }

    #[test]
    fn pipes_join_commands() {
        let out = parse("curl -fsSL https://x | sh");
        assert_eq!(shape(&out), vec![vec!["curl -fsSL https://x", "sh"]]);
        assert_eq!(out[0].commands[1].pos, p(1, 24));

        let out = parse("wget -qO- x | bash -s --");
        assert_eq!(shape(&out), vec![vec!["wget -qO- x", "bash -s --"]]);

        let out = parse("a |& b || c; d & e");
        assert_eq!(shape(&out), vec![vec!["a", "b"], vec!["c"], vec!["d"], vec!["e"]]);
    }

    #[test]
    fn quotes_and_escapes() {
        let out = parse(r#"echo 'a b' "c \"d\" \$e \q" f\ g 'it'\''s'"#);
        let words: Vec<&str> = out[0].commands[0].words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, vec!["echo", "a b", r#"c "d" $e \q"#, "f g", "it's"]);
        assert_eq!(out[0].commands[0].words[1].pos, p(1, 6));
        assert_eq!(out[0].commands[0].words[2].pos, p(1, 12));
        assert_eq!(out[0].commands[0].words[3].pos, p(1, 29));
    }

    #[test]
    fn line_continuations_join_words_and_commands() {
        let out = parse("apt-get install \\\n    curl \\\n && rm -rf /x");
        assert_eq!(shape(&out), vec![vec!["apt-get install curl"], vec!["rm -rf /x"]]);
        assert_eq!(out[0].commands[0].words[2].pos, p(2, 5));
        assert_eq!(out[1].commands[0].pos, p(3, 5));
        let out = parse("ec\\\nho hi");
        assert_eq!(shape(&out), vec![vec!["echo hi"]]);
        let out = parse("a \\\r\n  b \"c\\\r\nd\" e\\\r\nf");
        assert_eq!(shape(&out), vec![vec!["a b cd ef"]]);
    }

    #[test]
    fn substitutions_stay_in_their_word() {
        let out = parse(
            r#"echo "$(dpkg --print-architecture | awk '{print $1}')" $((1 + 2)) ${A:-x y} `uname -m` x"#,
        );
        let words: Vec<&str> = out[0].commands[0].words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            words,
            vec![
                "echo",
                "$(dpkg --print-architecture | awk '{print $1}')",
                "$((1 + 2))",
                "${A:-x y}",
                "`uname -m`",
                "x"
            ]
        );
        // Their commands follow, with positions inside the substitution.
        assert_eq!(
            shape(&out),
            vec![
                vec![
                    "echo $(dpkg --print-architecture | awk '{print $1}') $((1 + 2)) ${A:-x y} `uname -m` x"
                ],
                vec!["dpkg --print-architecture", "awk {print $1}"],
                vec!["uname -m"],
            ]
        );
        assert_eq!(out[1].commands[0].pos, p(1, 9));
        assert_eq!(out[1].commands[1].pos, p(1, 37));
        assert_eq!(out[2].commands[0].pos, p(1, 78));
        let out = parse("v=$(echo \"a)\" $(echo (b)) ) && next");
        assert_eq!(
            out[0].commands[0].assignments[0].text,
            "v=$(echo \"a)\" $(echo (b)) )"
        );
        assert_eq!(
            shape(&out),
            vec![
                vec![""],
                vec!["echo a) $(echo (b))"],
                vec!["echo"],
                vec!["b"],
                vec!["next"]
            ]
        );
    }

    #[test]
    fn redirections_are_not_words() {
        let out = parse("cmd >out 2>&1 <in >>log &>/dev/null 3<>f >|g <<<here arg 2> err");
        assert_eq!(shape(&out), vec![vec!["cmd arg"]]);
        let out = parse("> /tmp/x");
        assert!(out.is_empty());
        let out = parse("diff <(sort a) >(tee b) && x");
        assert_eq!(
            shape(&out),
            vec![
                vec!["diff <(sort a) >(tee b)"],
                vec!["sort a"],
                vec!["tee b"],
                vec!["x"]
            ]
        );
        assert_eq!(out[1].commands[0].pos, p(1, 8));
        assert_eq!(out[2].commands[0].pos, p(1, 18));
    }

    #[test]
    fn heredoc_bodies_are_skipped() {
        let text =
            "cat <<EOF > /etc/x && echo done\nrm -rf /\nEOF\ncat <<-'END'\n\tnot a command\n\tEND\nlast";
        let out = parse(text);
        assert_eq!(
            shape(&out),
            vec![vec!["cat"], vec!["echo done"], vec!["cat"], vec!["last"]]
        );
        assert_eq!(out[3].commands[0].pos, p(7, 1));
        let (_, readers) = parse_shell_with_readers(text, &pos_in(text));
        assert_eq!(
            readers,
            vec![
                HeredocReader {
                    delimiter: "EOF".into(),
                    program: Some("cat".into()),
                    runs_script: false
                },
                HeredocReader {
                    delimiter: "END".into(),
                    program: Some("cat".into()),
                    runs_script: false
                },
            ]
        );
        let (_, readers) = parse_shell_with_readers("<<EOF bash", &pos_in(""));
        assert_eq!(readers[0].program.as_deref(), Some("bash"));
        assert!(readers[0].runs_script);
        let (_, readers) = parse_shell_with_readers("<<EOF", &pos_in(""));
        assert_eq!(readers[0].program, None);
        assert!(readers[0].runs_script);
    }

    #[test]
    fn assignments_lead_commands() {
        let out = parse("VAR=1 B=\"x y\" cmd C=2");
        let c = &out[0].commands[0];
        let assigns: Vec<&str> = c.assignments.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(assigns, vec!["VAR=1", "B=x y"]);
        assert_eq!(shape(&out), vec![vec!["cmd C=2"]]);
        assert_eq!(c.pos, p(1, 1));
        assert_eq!(c.words[0].pos, p(1, 15));

        let out = parse("export A=1; X=2; \"Y\"=3 z; arr=(a b) x");
        assert_eq!(
            shape(&out),
            vec![vec!["export A=1"], vec![""], vec!["Y=3 z"], vec!["x"]]
        );
        assert_eq!(out[1].commands[0].assignments[0].text, "X=2");
        assert_eq!(out[3].commands[0].assignments[0].text, "arr=(a b)");
        // A command of only a redirection is dropped.
        assert_eq!(parse("A=1 >f; >g").len(), 1);
    }

    #[test]
    fn compound_commands_are_flattened() {
        let out = parse("if [ -f x ]; then rm x; elif true; then :; else echo no; fi && done_cmd");
        assert_eq!(
            shape(&out),
            vec![
                vec!["[ -f x ]"],
                vec!["rm x"],
                vec!["true"],
                vec![":"],
                vec!["echo no"],
                vec!["done_cmd"]
            ]
        );
        let out = parse("for f in a b \"c d\"; do\n  gpg --verify $f\ndone");
        assert_eq!(shape(&out), vec![vec!["gpg --verify $f"]]);
        assert_eq!(out[0].commands[0].pos, p(2, 3));
        let out = parse("for f in $(ls) ; do echo $f; done; for ((i=0; i<3; i++)); do x; done");
        assert_eq!(shape(&out), vec![vec!["ls"], vec!["echo $f"], vec!["x"]]);
        let out = parse("while read -r line; do echo \"$line\"; done < f; until false; do :; done");
        assert_eq!(
            shape(&out),
            vec![vec!["read -r line"], vec!["echo $line"], vec!["false"], vec![":"]]
        );
        let out = parse(
            "case \"$arch\" in\n  amd64|x86_64) a=1 ;;\n  (arm64) b ;;\n  *) echo x; exit 1 ;;\nesac; after",
        );
        assert_eq!(
            shape(&out),
            vec![vec![""], vec!["b"], vec!["echo x"], vec!["exit 1"], vec!["after"]]
        );
        let out = parse("(cd /src && make) | tee log; { a; b; }; ! grep -q x f; time sleep 1");
        assert_eq!(
            shape(&out),
            vec![
                vec!["cd /src"],
                // The subshell's output comes from its last pipeline.
                vec!["make", "tee log"],
                vec!["a"],
                vec!["b"],
                vec!["grep -q x f"],
                vec!["sleep 1"]
            ]
        );
        let out = parse("f() { curl x; }; function g { wget y; }; f");
        assert_eq!(shape(&out), vec![vec!["curl x"], vec!["wget y"], vec!["f"]]);
        let out = parse("[[ -n $a && $b == x ]] && echo y");
        assert_eq!(shape(&out), vec![vec!["[[ -n $a && $b == x ]]"], vec!["echo y"]]);
    }

    #[test]
    fn comments_run_to_end_of_line() {
        let out = parse("echo a#b # comment && rm -rf /\n# whole line\nls");
        assert_eq!(shape(&out), vec![vec!["echo a#b"], vec!["ls"]]);
        assert_eq!(out[1].commands[0].pos, p(3, 1));
    }

    #[test]
    fn sh_c_scripts_are_parsed_with_positions() {
        let text = "sh -c \"a && b | c\" && d";
        let out = parse(text);
        assert_eq!(
            shape(&out),
            vec![vec!["sh -c a && b | c"], vec!["a"], vec!["b", "c"], vec!["d"]]
        );
        assert_eq!(out[1].commands[0].pos, p(1, 8));
        assert_eq!(out[2].commands[0].pos, p(1, 13));
        assert_eq!(out[2].commands[1].pos, p(1, 17));

        let out = parse("bash -euxo pipefail -c 'curl x | sh' name");
        assert_eq!(shape(&out)[1], vec!["curl x", "sh"]);
        let out = parse("/bin/bash -lc \"echo \\\"q\\\"\"");
        assert_eq!(shape(&out)[1], vec!["echo q"]);
        let out = parse("env A=1 sh -ec 'x'; sudo -u root sh -c y; sh script.sh -c z; sh -x");
        assert_eq!(
            shape(&out),
            vec![
                vec!["sh -ec x"],
                vec!["env"],
                vec!["x"],
                vec!["sh -c y"],
                vec!["sudo -u root"],
                vec!["y"],
                vec!["sh script.sh -c z"],
                vec!["sh -x"]
            ]
        );
        assert_eq!(out[0].commands[0].assignments[0].text, "A=1");
        assert_eq!(out[0].commands[0].pos, p(1, 5));
        assert_eq!(script_index(&["sh", "-c"]), None);
        assert_eq!(script_index(&["dash", "--", "x"]), None);
        assert_eq!(script_index(&["ksh", "-c", "--", "x"]), Some(3));
    }

    #[test]
    fn wrappers_and_their_options() {
        let out = parse(
            "xargs -0 -n 1 -I{} rm {}; xargs -I {} cp {} /x; timeout --signal=KILL 5s make; nice -10 make",
        );
        assert_eq!(
            shape(&out),
            vec![
                vec!["rm {}"],
                vec!["xargs -0 -n 1 -I{}"],
                vec!["cp {} /x"],
                vec!["xargs -I {}"],
                vec!["make"],
                vec!["timeout --signal=KILL 5s"],
                vec!["make"],
                vec!["nice -10"]
            ]
        );
        // Not wrappers: no command follows, or the options say nothing runs.
        let out = parse("env; env A=1; sudo -l; command -V x; timeout 5; xargs; runuser app -c 'id'");
        assert_eq!(
            shape(&out),
            vec![
                vec!["env"],
                vec!["env A=1"],
                vec!["sudo -l"],
                vec!["command -V x"],
                vec!["timeout 5"],
                vec!["xargs"],
                vec!["runuser app -c id"],
                vec!["id"]
            ]
        );
        // `sudo NAME=value` and `env` carry assignments to the command; quoted words are not
        // assignments to the shell, but `env` still reads them.
        let out = parse("sudo -E HTTPS_PROXY=x env -u A -i -- B=2 curl y");
        assert_eq!(shape(&out)[0], vec!["curl y"]);
        let assigns: Vec<&str> = out[0].commands[0]
            .assignments
            .iter()
            .map(|w| w.text.as_str())
            .collect();
        assert_eq!(assigns, vec!["HTTPS_PROXY=x", "B=2"]);
        assert_eq!(
            script_index(&["timeout", "-k", "1", "5", "bash", "-c", "x"]),
            Some(6)
        );
        assert_eq!(script_index(&["su", "-s", "/bin/sh", "app", "-c", "x"]), Some(5));
        assert_eq!(script_index(&["su", "app", "-c"]), None);
        assert_eq!(
            script_index(&["runuser", "-u", "app", "--", "sh", "-c", "x"]),
            Some(6)
        );
    }

    #[test]
    fn backtick_bodies_are_unescaped() {
        let out = parse("echo `echo \\`id -u\\`` \"`basename \\$0`\"");
        assert_eq!(
            shape(&out),
            vec![
                vec!["echo `echo \\`id -u\\`` `basename \\$0`"],
                vec!["echo `id -u`"],
                vec!["id -u"],
                vec!["basename $0"]
            ]
        );
        assert_eq!(out[1].commands[0].pos, p(1, 7));
        assert_eq!(out[2].commands[0].pos, p(1, 14));
        assert_eq!(out[3].commands[0].words[1].pos, p(1, 35));
        // Arithmetic is not a command.
        assert_eq!(parse("echo $((1 + $(id -u)))").len(), 1);
    }

    #[test]
    fn sh_c_nesting_is_bounded() {
        // Each level is a single-quoted script inside a double-quoted one and so on; build it with
        // escaping for 12 levels, deeper than the limit.
        let mut script = String::from("leaf");
        for _ in 0..12 {
            let quoted: String = script
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('$', "\\$");
            script = format!("sh -c \"{quoted}\"");
        }
        let out = parse(&script);
        // The top level plus MAX_DEPTH nested levels, one pipeline each.
        assert_eq!(out.len(), MAX_DEPTH + 1);
    }

    #[test]
    fn multibyte_text_keeps_character_columns() {
        let out = parse("echo 'héllo wörld' && ünïcode ✓");
        assert_eq!(out[1].commands[0].pos, p(1, 23));
        assert_eq!(out[1].commands[0].words[1].pos, p(1, 31));
        assert_eq!(out[1].commands[0].words[1].text, "✓");
    }

    #[test]
    fn adversarial_inputs_do_not_panic() {
        let fixed = [
            "",
            "'",
            "\"",
            "`",
            "$(",
            "${",
            "$((",
            "\\",
            "echo \"$(\"",
            "a <<",
            "a <<EOF",
            "a <<EOF\n",
            "case",
            "case x in",
            "for",
            "((",
            "))",
            "f(",
            "f()",
            "[[",
            "2>",
            "&>",
            ";;&",
            "é\\",
            "\"é",
            "'é",
            "$(é",
            "<(é",
        ];
        for text in fixed {
            let _ = parse(text);
        }
        let deep = "$(".repeat(100_000);
        let _ = parse(&deep);
        let deep = "(".repeat(100_000);
        let _ = parse(&deep);
        let deep = "\"$(".repeat(50_000);
        let _ = parse(&deep);
        let deep = "sh -c ".repeat(10_000);
        let _ = parse(&deep);
        // Long wrapper chains and assignment runs: one command, in linear time.
        let chain = format!("{}x", "nohup env A=1 ".repeat(50_000));
        // Positions by a constant map: the test's own line counting would be quadratic here.
        let out = parse_shell(&chain, &|_| p(1, 1));
        assert_eq!(out.len(), 100_001);
        assert_eq!(out[0].commands[0].assignments.len(), 50_000);
        let deep = "`$(".repeat(50_000);
        let _ = parse(&deep);
        let deep = "$(x `".repeat(50_000);
        let _ = parse(&deep);
        // Pseudo-random bytes (xorshift), decoded lossily, over an alphabet rich in shell syntax.
        let alphabet: Vec<char> = "ab =$(){}[]'\"`\\|&;<>#-\n\t\r0123é✓".chars().collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for round in 0..300 {
            let len = 1 + round * 7 % 400;
            let mut text = String::new();
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = parse(&text);
            let bytes: Vec<u8> = text.bytes().rev().collect();
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }
        // Oversized input is cut at 1 MiB on a character boundary.
        let big = format!("{}x", "é".repeat(MAX_TEXT / 2 + 1));
        assert_eq!(truncate(&big).len(), MAX_TEXT);
        let _ = parse(&big);
    }
}
