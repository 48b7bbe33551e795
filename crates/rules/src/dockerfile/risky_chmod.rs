//! World-writable or setuid/setgid permissions set during the build.

use dockward_model::dockerfile::{Command, Dockerfile, Pos, Word};

use super::{clean, fail_at, instructions_named, run_instructions};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Modes set in `RUN` commands (`chmod`, `mkdir -m`, `install -m`) and with the `--chmod`
    /// flag of `COPY`/`ADD` (`ONBUILD` ones included) that make files world-writable (`777`,
    /// `666`, `o+w`, `a+w`; a bare `+w` respects the umask and passes) or set the setuid or
    /// setgid bit (`4755`, `2755`, `+s`, `u+s`, `g+s`). World-writable modes with the sticky bit
    /// (`1777`, `a+rwxt`, `ugo+rwx,o+t`, as for `/tmp`) pass, and so does setgid alone on a
    /// directory (one the same `RUN` creates, or a path ending in `/`), which only makes new files
    /// inherit its group.
    ///
    /// ## Why it matters
    /// Any process in the container can rewrite a world-writable file, so one compromised
    /// service can plant code another one runs. A setuid or setgid program is a way back to root
    /// for a non-root user; CIS 4.8 asks for these bits to be removed, not added.
    ///
    /// ## How to fix
    /// Give ownership to the user that needs to write (`COPY --chown=app:app`, `chown app`) and
    /// use modes like `755`/`644`; drop setuid bits, or grant the one capability the program
    /// needs with `setcap`.
    pub static RULE = Rule {
        id: "DF0011",
        name: "risky-chmod",
        title: "Builds do not make files world-writable or setuid",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.8"],
        fix: "chown to the user that writes and use modes like 755/644; do not add setuid or setgid bits",
        check: Check::Dockerfile(check),
    };
}

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for run in run_instructions(df) {
        let commands: Vec<&Command> = run.commands.iter().flat_map(|p| &p.commands).collect();
        // Directories this RUN creates: setgid on them only makes new files inherit the group.
        let made_dirs: Vec<&str> = commands
            .iter()
            .filter(|c| c.program() == Some("mkdir") || (c.program() == Some("install") && c.has_arg("-d")))
            .flat_map(|c| {
                c.words
                    .iter()
                    .skip(1)
                    .map(|w| w.text.as_str())
                    .filter(|w| !w.starts_with('-'))
            })
            .collect();
        for command in &commands {
            for (mode, at, directory) in modes_set(command, &made_dirs) {
                if let Some(problem) = mode_problem(&mode.text, directory) {
                    let program = command.program().unwrap_or_default();
                    findings.push(fail_at(df, at, format!("{program} {} {problem}", mode.text)));
                }
            }
        }
    }
    for keyword in ["COPY", "ADD"] {
        for instruction in instructions_named(df, keyword) {
            for flag in instruction.flags.iter().filter(|f| f.name == "chmod") {
                let mode = flag.value.as_deref().unwrap_or("");
                if let Some(problem) = mode_problem(mode, false) {
                    findings.push(fail_at(
                        df,
                        flag.pos,
                        format!("{keyword} --chmod={mode} {problem}"),
                    ));
                }
            }
        }
    }
    if findings.is_empty() {
        clean("no world-writable or setuid/setgid modes are set")
    } else {
        findings
    }
}

/// The modes a command sets, with where to report them and whether every target is a
/// directory: `chmod MODE PATH…`, `mkdir -m MODE`, `install -m MODE`.
fn modes_set<'a>(command: &'a Command, made_dirs: &[&str]) -> Vec<(&'a Word, Pos, bool)> {
    let args: Vec<&Word> = command.words.iter().skip(1).collect();
    match command.program() {
        Some("chmod") => {
            let mut operands = args
                .iter()
                .filter(|w| !w.text.starts_with('-') || looks_like_mode(&w.text));
            let Some(mode) = operands.next() else {
                return Vec::new();
            };
            let targets: Vec<&str> = operands.map(|w| w.text.as_str()).collect();
            let directories =
                !targets.is_empty() && targets.iter().all(|t| t.ends_with('/') || made_dirs.contains(t));
            vec![(*mode, mode.pos, directories)]
        }
        Some(program @ ("mkdir" | "install")) => {
            let directory = program == "mkdir" || command.has_arg("-d");
            let mut found = Vec::new();
            for (i, word) in args.iter().enumerate() {
                if word.text.starts_with("--mode=") {
                    found.push((*word, word.pos, directory));
                } else if word.text == "-m"
                    && let Some(mode) = args.get(i + 1)
                {
                    found.push((*mode, mode.pos, directory));
                }
            }
            found
        }
        _ => Vec::new(),
    }
}

/// `-w` is an option to most tools but a mode to chmod (`chmod -w file`).
fn looks_like_mode(word: &str) -> bool {
    word.len() > 1 && word[1..].chars().all(|c| "rwxXst".contains(c))
}

/// What is wrong with a mode, or `None` for a safe mode or a word that is not a mode. Setgid
/// alone on a directory passes: it only makes new files inherit the directory's group.
fn mode_problem(mode: &str, directory: bool) -> Option<&'static str> {
    let mode = mode.strip_prefix("--mode=").unwrap_or(mode);
    let (setuid, setgid, world_writable) = mode_bits(mode)?;
    if setuid || (setgid && !directory) {
        Some("sets the setuid or setgid bit")
    } else if world_writable {
        Some("makes files world-writable")
    } else {
        None
    }
}

/// Setuid, setgid and world-writable-without-sticky-bit, for an octal or symbolic mode.
fn mode_bits(mode: &str) -> Option<(bool, bool, bool)> {
    if !mode.is_empty() && mode.len() <= 4 && mode.chars().all(|c| ('0'..='7').contains(&c)) {
        let bits = u32::from_str_radix(mode, 8).ok()?;
        return Some((
            bits & 0o4000 != 0,
            bits & 0o2000 != 0,
            bits & 0o002 != 0 && bits & 0o1000 == 0,
        ));
    }
    // Symbolic: comma-separated clauses like `u+s`, `a+rwx`, `go-w`. The sticky bit may be set in
    // a clause of its own (`ugo+rwx,o+t`), so it is judged over the whole mode.
    let (mut setuid, mut setgid, mut world_writable, mut sticky) = (false, false, false, false);
    for clause in mode.split(',') {
        let op_at = clause.find(['+', '=', '-'])?;
        let (who, perms) = clause.split_at(op_at);
        if !who.chars().all(|c| "ugoa".contains(c)) || !perms[1..].chars().all(|c| "rwxXst".contains(c)) {
            return None;
        }
        if perms.starts_with('-') {
            sticky &= !perms.contains('t');
            continue;
        }
        let perms = &perms[1..];
        sticky |= perms.contains('t');
        let all = who.is_empty() || who.contains('a');
        if perms.contains('s') {
            setuid |= all || who.contains('u');
            setgid |= all || who.contains('g');
        }
        // Without `ugoa` the umask applies, which keeps others from writing.
        if perms.contains('w') && (who.contains('o') || who.contains('a')) {
            world_writable = true;
        }
    }
    Some((setuid, setgid, world_writable && !sticky))
}

#[cfg(test)]
mod tests {
    use super::mode_problem;

    #[test]
    fn setgid_alone_is_fine_on_directories() {
        assert_eq!(mode_problem("2775", true), None);
        assert_eq!(mode_problem("g+s", true), None);
        assert_eq!(mode_problem("3777", true), None);
        assert_eq!(mode_problem("4755", true), Some("sets the setuid or setgid bit"));
        assert_eq!(mode_problem("2777", true), Some("makes files world-writable"));
    }

    #[test]
    fn modes() {
        for (mode, problem) in [
            ("777", Some("makes files world-writable")),
            ("0666", Some("makes files world-writable")),
            ("1777", None),
            ("4755", Some("sets the setuid or setgid bit")),
            ("2775", Some("sets the setuid or setgid bit")),
            ("755", None),
            ("+x", None),
            ("+s", Some("sets the setuid or setgid bit")),
            ("u+s", Some("sets the setuid or setgid bit")),
            ("o+w", Some("makes files world-writable")),
            ("a+rwx", Some("makes files world-writable")),
            ("u+w,go-w", None),
            ("/usr/bin/x", None),
            ("+t", None),
            ("+w", None),
            ("go-w", None),
            ("ugo+rwx,o+t", None),
            ("a+rwxt", None),
            ("a+rwx,o-t", Some("makes files world-writable")),
        ] {
            assert_eq!(mode_problem(mode, false), problem, "{mode}");
        }
    }
}
