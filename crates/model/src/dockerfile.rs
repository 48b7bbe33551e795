//! A parsed Dockerfile: instructions with the line and column of every part, stages, parser
//! directives, heredocs, and the shell commands inside `RUN`.
//!
//! The parser (in `dockward-collect`) produces this; Dockerfile rules read it. Positions are
//! 1-based; columns count characters.

use serde::{Deserialize, Serialize};

/// A position in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: u32,
    /// Column (in characters), starting at 1.
    pub column: u32,
}

/// A whole Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dockerfile {
    /// The path as given (`-` for standard input).
    pub path: String,
    /// Parser directives (`# syntax=…`, `# escape=…`, `# check=…`) from the top of the file.
    pub directives: Vec<Directive>,
    /// The escape character: `\` or `` ` ``.
    pub escape: char,
    /// `ARG` instructions before the first `FROM` (visible in `FROM` lines only).
    pub global_args: Vec<Instruction>,
    /// Build stages in order.
    pub stages: Vec<Stage>,
    /// `# dockward ignore=ID[,ID] reason` comments.
    pub pragmas: Vec<Pragma>,
}

/// A parser directive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    /// Lower-case name: `syntax`, `escape`, `check`.
    pub name: String,
    /// The value, trimmed.
    pub value: String,
    /// Where it is.
    pub pos: Pos,
}

/// An inline suppression: `# dockward ignore=ID[,ID] reason` on the line before an instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pragma {
    /// Rule ids or names to suppress, as written.
    pub rules: Vec<String>,
    /// The reason given after the list (may be empty).
    pub reason: String,
    /// Where the comment is.
    pub pos: Pos,
    /// The line of the instruction it applies to (the next instruction after the comment).
    pub applies_to_line: u32,
}

/// One build stage: a `FROM` and the instructions up to the next `FROM`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// Position among the stages, from 0.
    pub index: usize,
    /// The name given with `AS name`, lower-cased.
    pub name: Option<String>,
    /// The `FROM` instruction.
    pub from: Instruction,
    /// The instructions after it.
    pub instructions: Vec<Instruction>,
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    /// The keyword in upper case: `RUN`, `COPY`, `FROM` …
    pub keyword: String,
    /// Where the keyword starts.
    pub pos: Pos,
    /// The last line the instruction occupies (continuations and heredocs included).
    pub end_line: u32,
    /// Flags before the arguments (`--mount=…`, `--from=…`, `--chown=…`).
    pub flags: Vec<Flag>,
    /// The arguments.
    pub args: Args,
    /// Heredocs the instruction reads (`<<EOF` … `EOF`), in order.
    pub heredocs: Vec<Heredoc>,
    /// For `RUN` (and the shell-form `CMD`/`ENTRYPOINT`/`HEALTHCHECK CMD`): the shell commands it
    /// runs, including those in heredoc scripts and in `sh -c '…'` strings.
    pub commands: Vec<Pipeline>,
    /// For `ONBUILD`: the instruction it registers.
    pub onbuild: Option<Box<Instruction>>,
}

/// A flag such as `--mount=type=secret,id=x`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// Name without dashes, lower case: `mount`, `network`, `from`.
    pub name: String,
    /// The value after `=`, if any.
    pub value: Option<String>,
    /// Where the flag starts.
    pub pos: Pos,
}

/// Instruction arguments, by form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Args {
    /// JSON array form: `["executable", "arg"]`.
    Exec {
        /// The array's strings.
        words: Vec<Word>,
    },
    /// Shell form: the text handed to the shell, with continuations joined.
    Shell {
        /// The text (continuation escapes and comment lines inside continuations removed; lines
        /// joined without the escape and newline).
        text: String,
        /// Where the text starts.
        pos: Pos,
    },
    /// Whitespace-separated words (`FROM`, `USER`, `EXPOSE`, `COPY` sources and destination …).
    Words {
        /// The words, quotes kept as written.
        words: Vec<Word>,
    },
    /// Key-value pairs (`ENV`, `ARG`, `LABEL`); `ARG name` without a default has no value.
    Pairs {
        /// The pairs.
        pairs: Vec<Pair>,
    },
}

/// A word with its position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Word {
    /// The text (for shell words: with quotes removed).
    pub text: String,
    /// Where it starts.
    pub pos: Pos,
}

/// A key and its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    /// The key.
    pub key: String,
    /// The value with quotes removed; `None` for `ARG name`.
    pub value: Option<String>,
    /// Where the key starts.
    pub pos: Pos,
}

/// A heredoc.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heredoc {
    /// The delimiter word without quotes.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body.
    pub strip_tabs: bool,
    /// The delimiter was quoted: no variable expansion in the body.
    pub quoted: bool,
    /// The body (without the delimiter line), tabs stripped for `<<-`.
    pub body: String,
    /// Line of the body's first line.
    pub body_line: u32,
}

/// Commands connected by pipes (`a | b | c`); a lone command is a pipeline of one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    /// The commands, left to right.
    pub commands: Vec<Command>,
}

/// A simple shell command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// Variable assignments before the command (`NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci`).
    pub assignments: Vec<Word>,
    /// The command name and arguments, quotes removed.
    pub words: Vec<Word>,
    /// Where the command starts.
    pub pos: Pos,
}

impl Command {
    /// The program name (last path component of the first word), e.g. `apt-get`.
    #[inline]
    pub fn program(&self) -> Option<&str> {
        // Rules ask this of every command many times: a plain byte scan, no splitter.
        self.words.first().map(|w| {
            let text = w.text.as_str();
            match text.bytes().rposition(|b| b == b'/') {
                Some(at) => &text[at + 1..],
                None => text,
            }
        })
    }

    /// The command as words joined by spaces (quotes removed): `apt-get -q update`.
    pub fn text(&self) -> String {
        self.words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether any argument equals `arg`.
    pub fn has_arg(&self, arg: &str) -> bool {
        self.words.iter().skip(1).any(|w| w.text == arg)
    }
}

impl Dockerfile {
    /// Every instruction in file order: global `ARG`s, then each stage's `FROM` and body.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.global_args.iter().chain(
            self.stages
                .iter()
                .flat_map(|s| std::iter::once(&s.from).chain(&s.instructions)),
        )
    }

    /// Every instruction in file order, each `ONBUILD` followed by the instruction it registers
    /// (which runs in every image built from this one).
    pub fn instructions_with_triggers(&self) -> impl Iterator<Item = &Instruction> {
        self.instructions()
            .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
    }
}
