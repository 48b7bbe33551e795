//! World-writable or setuid/setgid permissions set during the build.

use dockward_model::dockerfile::Dockerfile;

use super::{clean, fail_at, run_commands};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `chmod` in `RUN` commands, and the `--chmod` flag of `COPY`/`ADD`, that make files
    /// world-writable (`777`, `666`, `o+w`, `a+w`; a bare `+w` respects the umask and passes) or set the setuid or setgid bit
    /// (`4755`, `2755`, `+s`, `u+s`, `g+s`). World-writable modes with the sticky bit (`1777`, as
    /// for `/tmp`) pass.
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
    for (_, command) in run_commands(df) {
        if command.program() != Some("chmod") {
            continue;
        }
        for word in command.words.iter().skip(1).filter(|w| !w.text.starts_with('-')) {
            if let Some(problem) = mode_problem(&word.text) {
                findings.push(fail_at(df, word.pos, format!("chmod {} {problem}", word.text)));
            }
        }
    }
    for instruction in df
        .instructions()
        .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
    {
        for flag in instruction.flags.iter().filter(|f| f.name == "chmod") {
            let mode = flag.value.as_deref().unwrap_or("");
            if let Some(problem) = mode_problem(mode) {
                findings.push(fail_at(
                    df,
                    flag.pos,
                    format!("{} --chmod={mode} {problem}", instruction.keyword),
                ));
            }
        }
    }
    if findings.is_empty() {
        clean("no world-writable or setuid/setgid modes are set")
    } else {
        findings
    }
}

/// What is wrong with a mode, or `None` for a safe mode or a word that is not a mode.
fn mode_problem(mode: &str) -> Option<&'static str> {
    if !mode.is_empty() && mode.len() <= 4 && mode.chars().all(|c| ('0'..='7').contains(&c)) {
        let bits = u32::from_str_radix(mode, 8).ok()?;
        return if bits & 0o6000 != 0 {
            Some("sets the setuid or setgid bit")
        } else if bits & 0o002 != 0 && bits & 0o1000 == 0 {
            Some("makes files world-writable")
        } else {
            None
        };
    }
    // Symbolic: comma-separated clauses like `u+s`, `a+rwx`, `go-w`.
    let mut problem = None;
    for clause in mode.split(',') {
        let Some(op_at) = clause.find(['+', '=']) else {
            continue;
        };
        let (who, perms) = clause.split_at(op_at);
        if !who.chars().all(|c| "ugoa".contains(c)) || !perms[1..].chars().all(|c| "rwxXst".contains(c)) {
            return None;
        }
        let perms = &perms[1..];
        // Without `ugoa` the umask applies, which keeps others from writing.
        let others = who.contains('o') || who.contains('a');
        if perms.contains('s') {
            return Some("sets the setuid or setgid bit");
        }
        if perms.contains('w') && others && !perms.contains('t') {
            problem = Some("makes files world-writable");
        }
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::mode_problem;

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
        ] {
            assert_eq!(mode_problem(mode), problem, "{mode}");
        }
    }
}
