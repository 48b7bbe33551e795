//! Integration tests for the Dockerfile parser: every construct with exact values and positions, the
//! errors with their positions, and a corpus of realistic Dockerfiles under `tests/data/dockerfiles`.

use dockward_collect::parse::dockerfile::{DockerfileError, parse_dockerfile};
use dockward_model::dockerfile::{Args, Dockerfile, Flag, Heredoc, Instruction, Pair, Pos, Pragma, Word};

fn parse(text: &str) -> Dockerfile {
    match parse_dockerfile("Dockerfile", text) {
        Ok(df) => df,
        Err(e) => panic!("parse failed: {e}"),
    }
}

fn error(text: &str) -> DockerfileError {
    match parse_dockerfile("Dockerfile", text) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e,
    }
}

fn pos(line: u32, column: u32) -> Pos {
    Pos { line, column }
}

fn word(text: &str, line: u32, column: u32) -> Word {
    Word {
        text: text.to_string(),
        pos: pos(line, column),
    }
}

fn pair(key: &str, value: Option<&str>, line: u32, column: u32) -> Pair {
    Pair {
        key: key.to_string(),
        value: value.map(str::to_string),
        pos: pos(line, column),
    }
}

fn flag(name: &str, value: Option<&str>, line: u32, column: u32) -> Flag {
    Flag {
        name: name.to_string(),
        value: value.map(str::to_string),
        pos: pos(line, column),
    }
}

fn all(df: &Dockerfile) -> Vec<&Instruction> {
    df.instructions().collect()
}

fn keywords(df: &Dockerfile) -> Vec<&str> {
    df.instructions().map(|i| i.keyword.as_str()).collect()
}

fn shell(ins: &Instruction) -> (&str, Pos) {
    match &ins.args {
        Args::Shell { text, pos } => (text.as_str(), *pos),
        other => panic!("not shell form: {other:?}"),
    }
}

fn words(ins: &Instruction) -> Vec<&str> {
    match &ins.args {
        Args::Words { words } | Args::Exec { words } => words.iter().map(|w| w.text.as_str()).collect(),
        other => panic!("no words: {other:?}"),
    }
}

fn pairs(ins: &Instruction) -> &[Pair] {
    match &ins.args {
        Args::Pairs { pairs } => pairs,
        other => panic!("not pairs: {other:?}"),
    }
}

/// The commands as `[pipeline][command] = "word word …"`.
fn commands(ins: &Instruction) -> Vec<Vec<String>> {
    ins.commands
        .iter()
        .map(|p| p.commands.iter().map(|c| c.text()).collect())
        .collect()
}

fn command_positions(ins: &Instruction) -> Vec<Pos> {
    ins.commands
        .iter()
        .flat_map(|p| p.commands.iter().map(|c| c.pos))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Parser directives and the escape character

#[test]
fn directives_at_the_top() {
    let df = parse(
        "# syntax=docker/dockerfile:1.7\n#  Check = skip=JSONArgsRecommended\n# unknown=1\n# escape=`\nFROM alpine\n",
    );
    assert_eq!(df.directives.len(), 2);
    assert_eq!(df.directives[0].name, "syntax");
    assert_eq!(df.directives[0].value, "docker/dockerfile:1.7");
    assert_eq!(df.directives[0].pos, pos(1, 1));
    assert_eq!(df.directives[1].name, "check");
    assert_eq!(df.directives[1].value, "skip=JSONArgsRecommended");
    assert_eq!(df.directives[1].pos, pos(2, 1));
    // The unknown directive ended the section: the escape line is a comment.
    assert_eq!(df.escape, '\\');
    assert_eq!(df.stages[0].from.pos, pos(5, 1));
    assert_eq!(df.path, "Dockerfile");
}

#[test]
fn blank_lines_comments_and_instructions_end_the_directive_section() {
    let df = parse("  # syntax = a/b  \n\n# escape=`\nFROM x\n");
    assert_eq!(df.directives.len(), 1);
    assert_eq!(df.directives[0].value, "a/b");
    assert_eq!(df.directives[0].pos, pos(1, 3));
    assert_eq!(df.escape, '\\');

    let df = parse("# a comment\n# escape=`\nFROM x\n");
    assert!(df.directives.is_empty());
    let df = parse("FROM x\n# escape=`\nRUN a \\\n b\n");
    assert!(df.directives.is_empty());
    assert_eq!(shell(&df.stages[0].instructions[0]).0, "a  b");
}

#[test]
fn bad_and_duplicate_directives_are_errors() {
    let e = error("# escape=x\nFROM a\n");
    assert_eq!(e.message, "invalid escape token 'x' does not match ` or \\");
    assert_eq!((e.line, e.column), (1, 10));
    let e = error("# escape=\\\n#ESCAPE=`\nFROM a\n");
    assert_eq!(e.message, "only one escape parser directive can be used");
    assert_eq!((e.line, e.column), (2, 1));
}

#[test]
fn escape_backtick() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY C:\\src\\app C:\\app\\\nRUN mkdir C:\\data `\n    && echo done\nENV PATH=\"C:\\tools;${PATH}\" HOME=C:\\Users\\app `\n    X=`\"q`\"\nWORKDIR C:\\app\n";
    let df = parse(text);
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives[0].value, "`");
    let ins = &df.stages[0].instructions;
    assert_eq!(words(&ins[0]), vec!["C:\\src\\app", "C:\\app\\"]);
    assert_eq!(ins[0].end_line, 3);
    assert_eq!(shell(&ins[1]), ("mkdir C:\\data     && echo done", pos(4, 5)));
    assert_eq!(ins[1].end_line, 5);
    assert_eq!(
        pairs(&ins[2]),
        &[
            pair("PATH", Some("C:\\tools;${PATH}"), 6, 5),
            pair("HOME", Some("C:\\Users\\app"), 6, 29),
            pair("X", Some("\"q\""), 7, 5),
        ]
    );
    assert_eq!(words(&ins[3]), vec!["C:\\app"]);
    assert_eq!(keywords(&df), vec!["FROM", "COPY", "RUN", "ENV", "WORKDIR"]);
}

// ---------------------------------------------------------------------------------------------
// Lines, continuations, comments

#[test]
fn continuation_skips_comment_and_blank_lines() {
    let text = "FROM debian:12\nRUN apt-get update \\\n# install the tools\n    && apt-get install -y \\\n\n        curl \\\n  # dockward ignore=DW100 pinned elsewhere\n        git\nUSER app\n";
    let df = parse(text);
    let run = &df.stages[0].instructions[0];
    assert_eq!(
        shell(run),
        (
            "apt-get update     && apt-get install -y         curl         git",
            pos(2, 5)
        )
    );
    assert_eq!(run.pos, pos(2, 1));
    assert_eq!(run.end_line, 8);
    assert_eq!(
        commands(run),
        vec![vec!["apt-get update"], vec!["apt-get install -y curl git"]]
    );
    assert_eq!(command_positions(run), vec![pos(2, 5), pos(4, 8)]);
    let install = &run.commands[1].commands[0];
    assert_eq!(install.words[3], word("curl", 6, 9));
    assert_eq!(install.words[4], word("git", 8, 9));
    assert_eq!(
        df.pragmas,
        vec![Pragma {
            rules: vec!["DW100".into()],
            reason: "pinned elsewhere".into(),
            pos: pos(7, 3),
            applies_to_line: 9,
        }]
    );
    assert_eq!(df.stages[0].instructions[1].pos, pos(9, 1));
}

#[test]
fn keywords_are_case_insensitive_and_indented_lines_work() {
    let df = parse("from alpine as Base\n  run echo hi   \n\tWorkDir /x\n");
    assert_eq!(keywords(&df), vec!["FROM", "RUN", "WORKDIR"]);
    assert_eq!(df.stages[0].name.as_deref(), Some("base"));
    let run = &df.stages[0].instructions[0];
    assert_eq!(run.pos, pos(2, 3));
    assert_eq!(shell(run), ("echo hi", pos(2, 7)));
    assert_eq!(df.stages[0].instructions[1].pos, pos(3, 2));
}

#[test]
fn crlf_and_bom() {
    let text = "\u{feff}# syntax=docker/dockerfile:1\r\nFROM alpine\r\nRUN apk add \\\r\n    curl\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nCMD [\"sh\"]\r\n";
    let df = parse(text);
    assert_eq!(df.directives[0].pos, pos(1, 1));
    assert_eq!(df.directives[0].value, "docker/dockerfile:1");
    let ins = &df.stages[0].instructions;
    assert_eq!(shell(&ins[0]), ("apk add     curl", pos(3, 5)));
    assert_eq!(ins[0].end_line, 4);
    assert_eq!(ins[1].heredocs[0].body, "echo hi\n");
    assert_eq!(ins[1].heredocs[0].body_line, 6);
    assert_eq!(ins[1].end_line, 7);
    assert_eq!(commands(&ins[1]), vec![vec!["echo hi"]]);
    assert_eq!(words(&ins[2]), vec!["sh"]);
    assert_eq!(ins[2].pos, pos(8, 1));
}

// ---------------------------------------------------------------------------------------------
// Heredocs

#[test]
fn heredoc_script_and_comment_after_terminator() {
    let text = "FROM alpine\nRUN <<EOF\nset -eux\napk add --no-cache curl\nEOF\n# comment right after the terminator\nCMD [\"sh\"]\n";
    let df = parse(text);
    let run = &df.stages[0].instructions[0];
    assert_eq!(shell(run), ("<<EOF", pos(2, 5)));
    assert_eq!(
        run.heredocs,
        vec![Heredoc {
            delimiter: "EOF".into(),
            strip_tabs: false,
            quoted: false,
            body: "set -eux\napk add --no-cache curl\n".into(),
            body_line: 3,
        }]
    );
    assert_eq!(run.end_line, 5);
    assert_eq!(
        commands(run),
        vec![vec!["set -eux"], vec!["apk add --no-cache curl"]]
    );
    assert_eq!(command_positions(run), vec![pos(3, 1), pos(4, 1)]);
    assert_eq!(run.commands[1].commands[0].words[3], word("curl", 4, 20));
    assert_eq!(df.stages[0].instructions[1].pos, pos(7, 1));
}

#[test]
fn heredoc_strip_tabs() {
    let df = parse("FROM alpine\nRUN <<-EOF\n\techo one\n\t\techo two\n\tEOF\nUSER x\n");
    let run = &df.stages[0].instructions[0];
    assert_eq!(run.heredocs[0].delimiter, "EOF");
    assert!(run.heredocs[0].strip_tabs);
    assert_eq!(run.heredocs[0].body, "echo one\necho two\n");
    assert_eq!(run.end_line, 5);
    assert_eq!(command_positions(run), vec![pos(3, 2), pos(4, 3)]);
    // Without `-`, a tab-indented delimiter does not end the body.
    let e = error("FROM alpine\nRUN <<EOF\n\techo\n\tEOF\n");
    assert_eq!(e.message, "unterminated heredoc EOF");
    assert_eq!((e.line, e.column), (2, 5));
}

#[test]
fn heredoc_quoted_delimiters_and_copy() {
    let text = "FROM alpine\nCOPY <<\"EOT\" /etc/motd\nHello $USER\nEOT\nRUN <<'END' cat > /x\n$HOME\nEND\nCOPY --chmod=0644 <<EOF /app/config.json\n{\"debug\": false}\nEOF\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    let copy = &ins[0];
    assert_eq!(words(copy), vec!["<<\"EOT\"", "/etc/motd"]);
    assert_eq!(copy.heredocs[0].delimiter, "EOT");
    assert!(copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[0].body, "Hello $USER\n");
    assert_eq!(copy.heredocs[0].body_line, 3);
    assert_eq!(copy.end_line, 4);
    assert!(copy.commands.is_empty());
    match &copy.args {
        Args::Words { words } => assert_eq!(words[1], word("/etc/motd", 2, 14)),
        other => panic!("{other:?}"),
    }

    let run = &ins[1];
    assert_eq!(run.heredocs[0].delimiter, "END");
    assert!(run.heredocs[0].quoted);
    assert_eq!(run.heredocs[0].body, "$HOME\n");
    // `cat` reads the heredoc as data: its body is not a script.
    assert_eq!(commands(run), vec![vec!["cat"]]);
    assert_eq!(command_positions(run), vec![pos(5, 13)]);

    let copy = &ins[2];
    assert_eq!(copy.flags, vec![flag("chmod", Some("0644"), 8, 6)]);
    assert_eq!(words(copy), vec!["<<EOF", "/app/config.json"]);
    assert!(!copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[0].body, "{\"debug\": false}\n");
    assert_eq!(copy.end_line, 10);
}

#[test]
fn two_heredocs_in_one_run() {
    let text =
        "FROM alpine\nRUN cat <<FILE1 > /a && cat <<-FILE2 > /b\none\nFILE1\n\ttwo\n\tFILE2\nRUN true\n";
    let df = parse(text);
    let run = &df.stages[0].instructions[0];
    assert_eq!(run.heredocs.len(), 2);
    assert_eq!(
        (
            run.heredocs[0].delimiter.as_str(),
            run.heredocs[0].body.as_str(),
            run.heredocs[0].body_line
        ),
        ("FILE1", "one\n", 3)
    );
    assert_eq!(
        (
            run.heredocs[1].delimiter.as_str(),
            run.heredocs[1].body.as_str(),
            run.heredocs[1].body_line
        ),
        ("FILE2", "two\n", 5)
    );
    assert_eq!(run.end_line, 6);
    assert_eq!(commands(run), vec![vec!["cat"], vec!["cat"]]);
    assert_eq!(df.stages[0].instructions[1].pos, pos(7, 1));
}

#[test]
fn heredoc_after_continuation() {
    let text = "FROM alpine\nRUN apk add bash && \\\n    bash <<EOF\necho \"in bash\"\nEOF\n";
    let df = parse(text);
    let run = &df.stages[0].instructions[0];
    assert_eq!(shell(run).0, "apk add bash &&     bash <<EOF");
    assert_eq!(run.heredocs[0].body_line, 4);
    assert_eq!(run.end_line, 5);
    assert_eq!(
        commands(run),
        vec![vec!["apk add bash"], vec!["bash"], vec!["echo in bash"]]
    );
    assert_eq!(command_positions(run), vec![pos(2, 5), pos(3, 5), pos(4, 1)]);
    assert_eq!(run.commands[2].commands[0].words[1], word("in bash", 4, 6));
}

#[test]
fn heredoc_scripts_and_interpreters() {
    let text = "FROM python:3.12\nRUN <<EOF bash\npip install requests\nEOF\nRUN python3 <<EOF\nimport os\nos.system(\"rm -rf /\")\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(\"hi\")\nEOF\nRUN <<EOF\n#!/bin/bash\ncurl -fsSL https://x | sh\nEOF\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(
        commands(&ins[0]),
        vec![vec!["bash"], vec!["pip install requests"]]
    );
    assert_eq!(command_positions(&ins[0]), vec![pos(2, 11), pos(3, 1)]);
    assert_eq!(commands(&ins[1]), vec![vec!["python3"]]);
    assert_eq!(ins[1].heredocs[0].body, "import os\nos.system(\"rm -rf /\")\n");
    assert!(ins[2].commands.is_empty());
    assert_eq!(ins[2].heredocs[0].body_line, 10);
    assert_eq!(commands(&ins[3]), vec![vec!["curl -fsSL https://x", "sh"]]);
    assert_eq!(command_positions(&ins[3]), vec![pos(15, 1), pos(15, 24)]);
}

#[test]
fn heredoc_like_text_that_is_not_a_heredoc() {
    let text = "FROM alpine\nRUN echo \"<<EOF\" && cat <<<word && echo $((1<<2))\nRUN [\"cat\", \"<<EOF\"]\nUSER x\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert!(ins[0].heredocs.is_empty());
    assert_eq!(ins[0].end_line, 2);
    assert!(ins[1].heredocs.is_empty());
    assert_eq!(ins[2].pos, pos(4, 1));
}

#[test]
fn pragma_in_heredoc_body_is_not_a_pragma() {
    let df = parse("FROM alpine\nRUN <<EOF\n# dockward ignore=X in body\nEOF\n");
    assert!(df.pragmas.is_empty());
    assert_eq!(
        df.stages[0].instructions[0].heredocs[0].body,
        "# dockward ignore=X in body\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Forms and flags

#[test]
fn exec_and_shell_forms() {
    let text = "FROM alpine\nRUN [\"apk\", \"add\", \"--no-cache\", \"curl\"]\nRUN [\"/bin/sh\", \"-c\", \"curl -fsSL https://x | sh\"]\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT /docker-entrypoint.sh \"$@\"\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN [ \"not json\nCMD []\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    match &ins[0].args {
        Args::Exec { words } => assert_eq!(
            words,
            &vec![
                word("apk", 2, 6),
                word("add", 2, 13),
                word("--no-cache", 2, 20),
                word("curl", 2, 34)
            ]
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(commands(&ins[0]), vec![vec!["apk add --no-cache curl"]]);
    assert_eq!(command_positions(&ins[0]), vec![pos(2, 6)]);

    assert_eq!(words(&ins[1]), vec!["/bin/sh", "-c", "curl -fsSL https://x | sh"]);
    assert_eq!(
        commands(&ins[1]),
        vec![
            vec!["/bin/sh -c curl -fsSL https://x | sh"],
            vec!["curl -fsSL https://x", "sh"]
        ]
    );
    assert_eq!(
        command_positions(&ins[1]),
        vec![pos(3, 6), pos(3, 24), pos(3, 47)]
    );

    assert_eq!(words(&ins[2]), vec!["nginx", "-g", "daemon off;"]);
    assert!(ins[2].commands.is_empty());

    assert_eq!(shell(&ins[3]), ("/docker-entrypoint.sh \"$@\"", pos(5, 12)));
    assert_eq!(commands(&ins[3]), vec![vec!["/docker-entrypoint.sh $@"]]);

    assert_eq!(words(&ins[4]), vec!["/bin/bash", "-o", "pipefail", "-c"]);
    assert!(matches!(ins[4].args, Args::Exec { .. }));

    assert_eq!(shell(&ins[5]), ("[ \"not json", pos(7, 5)));
    assert!(matches!(&ins[6].args, Args::Exec { words } if words.is_empty()));
}

#[test]
fn json_escapes_map_to_file_columns() {
    let df = parse("FROM alpine\nRUN [\"sh\", \"-c\", \"echo \\\"a\\\" && rm -rf /tmp/\\u00e9\"]\n");
    let run = &df.stages[0].instructions[0];
    assert_eq!(words(run)[2], "echo \"a\" && rm -rf /tmp/é");
    assert_eq!(commands(run)[2], vec!["rm -rf /tmp/é"]);
    // `"echo \"a\" && rm`: the script's quote is at column 18, `rm` at column 33.
    assert_eq!(command_positions(run), vec![pos(2, 6), pos(2, 19), pos(2, 33)]);
}

#[test]
fn run_flags_in_any_order() {
    let text = "FROM alpine\nRUN --mount=target=/root/.cache,type=cache --network=none \\\n    --mount=type=secret,id=aws,target=/root/.aws/credentials --security=insecure pip install x\nRUN --MOUNT=\"type=bind,source=a b,target=/x\" --network=host -- --not-a-flag\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(
        ins[0].flags,
        vec![
            flag("mount", Some("target=/root/.cache,type=cache"), 2, 5),
            flag("network", Some("none"), 2, 44),
            flag(
                "mount",
                Some("type=secret,id=aws,target=/root/.aws/credentials"),
                3,
                5
            ),
            flag("security", Some("insecure"), 3, 62),
        ]
    );
    assert_eq!(shell(&ins[0]), ("pip install x", pos(3, 82)));
    assert_eq!(commands(&ins[0]), vec![vec!["pip install x"]]);
    assert_eq!(
        ins[1].flags,
        vec![
            flag("mount", Some("type=bind,source=a b,target=/x"), 4, 5),
            flag("network", Some("host"), 4, 46)
        ]
    );
    assert_eq!(shell(&ins[1]).0, "--not-a-flag");
}

#[test]
fn healthcheck_forms() {
    let text = "FROM nginx\nHEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK NONE\nHEALTHCHECK cmd [\"curl\", \"-f\", \"http://localhost/\"]\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(ins[0].keyword, "HEALTHCHECK");
    assert_eq!(
        ins[0].flags,
        vec![
            flag("interval", Some("30s"), 2, 13),
            flag("timeout", Some("3s"), 2, 28)
        ]
    );
    assert_eq!(
        shell(&ins[0]),
        ("curl -f http://localhost/ || exit 1", pos(2, 45))
    );
    assert_eq!(
        commands(&ins[0]),
        vec![vec!["curl -f http://localhost/"], vec!["exit 1"]]
    );
    assert_eq!(
        ins[1].args,
        Args::Words {
            words: vec![word("NONE", 3, 13)]
        }
    );
    assert_eq!(words(&ins[2]), vec!["curl", "-f", "http://localhost/"]);
    assert!(matches!(ins[2].args, Args::Exec { .. }));
    assert!(ins[2].commands.is_empty());
}

#[test]
fn word_instructions_keep_quotes() {
    let text = "FROM alpine\nCOPY --chown=app:app --from=build \"my file.txt\" ./dst/\nADD [\"a b.tar\", \"/opt/\"]\nEXPOSE 80/tcp 443\nUSER 1000:1000\nVOLUME [\"/data\", \"/logs\"]\nVOLUME /a /b\nSTOPSIGNAL SIGTERM\nMAINTAINER \"Jane Doe <jane@example.org>\"\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(
        ins[0].flags,
        vec![
            flag("chown", Some("app:app"), 2, 6),
            flag("from", Some("build"), 2, 22)
        ]
    );
    match &ins[0].args {
        Args::Words { words } => {
            assert_eq!(
                words,
                &vec![word("\"my file.txt\"", 2, 35), word("./dst/", 2, 49)]
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(words(&ins[1]), vec!["a b.tar", "/opt/"]);
    assert!(matches!(ins[1].args, Args::Exec { .. }));
    assert_eq!(words(&ins[2]), vec!["80/tcp", "443"]);
    assert_eq!(words(&ins[3]), vec!["1000:1000"]);
    assert!(matches!(ins[4].args, Args::Exec { .. }));
    assert_eq!(words(&ins[5]), vec!["/a", "/b"]);
    assert_eq!(words(&ins[6]), vec!["SIGTERM"]);
    assert_eq!(words(&ins[7]), vec!["\"Jane Doe <jane@example.org>\""]);
}

// ---------------------------------------------------------------------------------------------
// ENV, LABEL, ARG

#[test]
fn env_and_label_pairs() {
    let text = "FROM alpine\nENV A=1 B=\"two words\" C='single $x' D=escaped\\ space E=\"q\\\"uote\" \\\n    F=\nENV LEGACY value with  spaces \"and quotes\"\nLABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0\nENV PATH=/usr/local/bin:$PATH\nENV EMPTY=\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(
        pairs(&ins[0]),
        &[
            pair("A", Some("1"), 2, 5),
            pair("B", Some("two words"), 2, 9),
            pair("C", Some("single $x"), 2, 23),
            pair("D", Some("escaped space"), 2, 37),
            pair("E", Some("q\"uote"), 2, 54),
            pair("F", Some(""), 3, 5),
        ]
    );
    assert_eq!(ins[0].end_line, 3);
    assert_eq!(
        pairs(&ins[1]),
        &[pair("LEGACY", Some("value with  spaces and quotes"), 4, 5)]
    );
    assert_eq!(
        pairs(&ins[2]),
        &[
            pair("com.example.vendor", Some("ACME Inc"), 5, 7),
            pair("version", Some("1.0"), 5, 39)
        ]
    );
    assert_eq!(
        pairs(&ins[3]),
        &[pair("PATH", Some("/usr/local/bin:$PATH"), 6, 5)]
    );
    assert_eq!(pairs(&ins[4]), &[pair("EMPTY", Some(""), 7, 5)]);
}

#[test]
fn arg_forms_and_global_args() {
    let text = "ARG BASE=alpine:3.20\nARG VERSION\nFROM ${BASE}\nARG VERSION\nARG A=1 B C=\"x y\"\n";
    let df = parse(text);
    assert_eq!(df.global_args.len(), 2);
    assert_eq!(
        pairs(&df.global_args[0]),
        &[pair("BASE", Some("alpine:3.20"), 1, 5)]
    );
    assert_eq!(pairs(&df.global_args[1]), &[pair("VERSION", None, 2, 5)]);
    assert_eq!(words(&df.stages[0].from), vec!["${BASE}"]);
    assert_eq!(df.stages[0].from.pos, pos(3, 1));
    let ins = &df.stages[0].instructions;
    assert_eq!(pairs(&ins[0]), &[pair("VERSION", None, 4, 5)]);
    assert_eq!(
        pairs(&ins[1]),
        &[
            pair("A", Some("1"), 5, 5),
            pair("B", None, 5, 9),
            pair("C", Some("x y"), 5, 11)
        ]
    );
    assert_eq!(keywords(&df), vec!["ARG", "ARG", "FROM", "ARG", "ARG"]);
}

// ---------------------------------------------------------------------------------------------
// Stages, ONBUILD, SHELL

#[test]
fn multi_stage_with_names() {
    let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nWORKDIR /src\nFROM build as test\nRUN go test ./...\nFROM gcr.io/distroless/static\nCOPY --from=build /out/app /app\n";
    let df = parse(text);
    assert_eq!(df.stages.len(), 3);
    let summary: Vec<(usize, Option<&str>, usize)> = df
        .stages
        .iter()
        .map(|s| (s.index, s.name.as_deref(), s.instructions.len()))
        .collect();
    assert_eq!(
        summary,
        vec![(0, Some("build"), 1), (1, Some("test"), 1), (2, None, 1)]
    );
    assert_eq!(
        df.stages[0].from.flags,
        vec![flag("platform", Some("$BUILDPLATFORM"), 1, 6)]
    );
    assert_eq!(words(&df.stages[0].from), vec!["golang:1.22", "AS", "Build"]);
    assert_eq!(df.stages[1].from.pos, pos(3, 1));
    assert_eq!(
        df.stages[2].instructions[0].flags,
        vec![flag("from", Some("build"), 6, 6)]
    );
}

#[test]
fn onbuild_triggers() {
    let text = "FROM node:20\nONBUILD COPY package.json /app/\nONBUILD RUN npm ci && npm cache clean --force\nonbuild run <<EOF\necho hi\nEOF\nUSER node\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(
        keywords(&df),
        vec!["FROM", "ONBUILD", "ONBUILD", "ONBUILD", "USER"]
    );
    let copy = ins[0].onbuild.as_deref().unwrap();
    assert_eq!(copy.keyword, "COPY");
    assert_eq!(copy.pos, pos(2, 9));
    assert_eq!(
        copy.args,
        Args::Words {
            words: vec![word("package.json", 2, 14), word("/app/", 2, 27)]
        }
    );
    let run = ins[1].onbuild.as_deref().unwrap();
    assert_eq!(
        commands(run),
        vec![vec!["npm ci"], vec!["npm cache clean --force"]]
    );
    assert_eq!(command_positions(run), vec![pos(3, 13), pos(3, 23)]);
    assert!(ins[1].commands.is_empty());
    let heredoc_run = ins[2].onbuild.as_deref().unwrap();
    assert_eq!(heredoc_run.keyword, "RUN");
    assert_eq!(heredoc_run.heredocs[0].body, "echo hi\n");
    assert_eq!(heredoc_run.heredocs[0].body_line, 5);
    assert_eq!(commands(heredoc_run), vec![vec!["echo hi"]]);
    assert_eq!(heredoc_run.end_line, 6);
    assert_eq!(ins[2].end_line, 6);
    assert_eq!(ins[3].pos, pos(7, 1));
}

#[test]
fn non_posix_shell_disables_command_parsing() {
    let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\nRUN echo before\nSHELL [\"powershell\", \"-Command\"]\nRUN Invoke-WebRequest https://x -OutFile y\nFROM win\nRUN iwr x\nFROM alpine\nRUN echo linux\n";
    let df = parse(text);
    assert_eq!(commands(&df.stages[0].instructions[0]), vec![vec!["echo before"]]);
    assert_eq!(
        shell(&df.stages[0].instructions[2]).0,
        "Invoke-WebRequest https://x -OutFile y"
    );
    assert!(df.stages[0].instructions[2].commands.is_empty());
    assert!(df.stages[1].instructions[0].commands.is_empty());
    assert_eq!(commands(&df.stages[2].instructions[0]), vec![vec!["echo linux"]]);
}

// ---------------------------------------------------------------------------------------------
// Pragmas

#[test]
fn pragmas_apply_to_the_next_instruction() {
    let text = "# dockward ignore=DW001,DW002 base image pinned by digest upstream\nFROM alpine:3.20\n\n# DOCKWARD ignore = DW010\nRUN apk add curl\n# dockward ignore=DW999 trailing\n";
    let df = parse(text);
    assert!(df.directives.is_empty());
    assert_eq!(
        df.pragmas,
        vec![
            Pragma {
                rules: vec!["DW001".into(), "DW002".into()],
                reason: "base image pinned by digest upstream".into(),
                pos: pos(1, 1),
                applies_to_line: 2,
            },
            Pragma {
                rules: vec!["DW010".into()],
                reason: String::new(),
                pos: pos(4, 1),
                applies_to_line: 5,
            },
            Pragma {
                rules: vec!["DW999".into()],
                reason: "trailing".into(),
                pos: pos(6, 1),
                applies_to_line: 0,
            },
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn errors_with_positions() {
    let cases: [(&str, &str, u32, u32); 11] = [
        ("FROM a\n  FOO bar\n", "unknown instruction: FOO", 2, 3),
        ("FROM a\nfoo bar\n", "unknown instruction: FOO", 2, 1),
        (
            "# c\n\nRUN x\nFROM a\n",
            "instruction RUN before the first FROM",
            3,
            1,
        ),
        (
            "ARG A\n  COPY . .\nFROM a\n",
            "instruction COPY before the first FROM",
            2,
            3,
        ),
        ("", "no FROM instruction", 1, 1),
        ("ARG A\n# only a comment\n\n", "no FROM instruction", 1, 1),
        ("FROM a\nRUN cat <<EOF\nbody\n", "unterminated heredoc EOF", 2, 9),
        (
            "FROM a\nRUN a && \\\n  cat <<-END\nbody\n",
            "unterminated heredoc END",
            3,
            7,
        ),
        (
            "FROM a\nONBUILD ONBUILD RUN x\n",
            "ONBUILD ONBUILD is not allowed",
            2,
            9,
        ),
        (
            "FROM a\nONBUILD from b\n",
            "FROM is not allowed as an ONBUILD trigger",
            2,
            9,
        ),
        (
            "FROM a\nSHELL /bin/bash -c\n",
            "SHELL requires the arguments to be in JSON form",
            2,
            7,
        ),
    ];
    for (text, message, line, column) in cases {
        let e = error(text);
        assert_eq!(
            (e.message.as_str(), e.line, e.column),
            (message, line, column),
            "{text:?}"
        );
    }
    let e = error("FROM a\nONBUILD BOGUS x\n");
    assert_eq!(e.to_string(), "unknown instruction: BOGUS at line 2 column 9");
}

#[test]
fn what_buildkit_rejects_is_an_error() {
    let cases: &[(&str, &str, u32, u32)] = &[
        ("FROM a\nENV PATH\n", "ENV must have two arguments", 2, 5),
        ("FROM a\nENV\n", "ENV requires at least one argument", 2, 1),
        ("FROM a\nLABEL  version\n", "LABEL must have two arguments", 2, 8),
        (
            "FROM a\nENV A=1 \\\n  B\n",
            "Syntax error - can't find = in \"B\". Must be of the form: name=value",
            3,
            3,
        ),
        ("FROM a\nCOPY --frob=x a b\n", "unknown flag: frob", 2, 6),
        (
            "FROM a\nRUN --mount=type=cache,target=/x --foo make\n",
            "unknown flag: foo",
            2,
            34,
        ),
        ("FROM a\nADD --from=b x /y\n", "unknown flag: from", 2, 5),
        (
            "FROM --platform=linux/amd64 --pull a\n",
            "unknown flag: pull",
            1,
            29,
        ),
        ("FROM a\nWORKDIR --x=1 /app\n", "unknown flag: x", 2, 9),
        ("FROM a\nRUN --device=x make\n", "unknown flag: device", 2, 5),
        ("FROM a\nONBUILD COPY --frob a b\n", "unknown flag: frob", 2, 14),
        ("FROM a\nCOPY --from a b\n", "missing a value on flag: from", 2, 6),
        (
            "FROM a\nCOPY --link=yes a b\n",
            "expecting boolean value for flag link, not: yes",
            2,
            6,
        ),
        (
            "FROM a\nCOPY --from=x --from=y a b\n",
            "duplicate flag specified: from",
            2,
            15,
        ),
        ("FROM a\nHEALTHCHECK\n", "Missing command after HEALTHCHECK", 2, 1),
        (
            "FROM a\nHEALTHCHECK --interval=5s\n",
            "Missing command after HEALTHCHECK",
            2,
            1,
        ),
        (
            "FROM a\nHEALTHCHECK --interval=5s CMD\n",
            "Missing command after HEALTHCHECK CMD",
            2,
            27,
        ),
        (
            "FROM a\nHEALTHCHECK CMD []\n",
            "Missing command after HEALTHCHECK CMD",
            2,
            13,
        ),
        (
            "FROM a\nHEALTHCHECK --retries=3 NONE\n",
            "unknown flag: retries",
            2,
            13,
        ),
        (
            "FROM a\nHEALTHCHECK NONE now\n",
            "HEALTHCHECK NONE takes no arguments",
            2,
            18,
        ),
        (
            "FROM a\nHEALTHCHECK curl -f x\n",
            "Unknown type \"CURL\" in HEALTHCHECK (try CMD)",
            2,
            13,
        ),
    ];
    for &(text, message, line, column) in cases {
        let e = error(text);
        assert_eq!(
            (e.message.as_str(), e.line, e.column),
            (message, line, column),
            "{text:?}"
        );
    }
    // What BuildKit accepts.
    let df = parse(
        "# syntax=docker/dockerfile:1-labs\nFROM --platform=$BUILDPLATFORM a\nENV PATH=\nLABEL a b\nHEALTHCHECK NONE\nHEALTHCHECK --interval=5s --timeout=1s --start-period=1s --start-interval=1s --retries=2 CMD true\nCOPY --from=a --chown=1 --chmod=644 --link --parents=true --exclude=x --exclude=y a b\nADD --chown=1 --chmod=644 --link=false --keep-git-dir --checksum=sha256:0 --exclude=x --unpack a b\nRUN --mount=type=cache,target=/a --mount=type=tmpfs,target=/b --network=none --security=sandbox --device=x true\n",
    );
    assert_eq!(df.stages[0].instructions.len(), 7);
    assert_eq!(
        pairs(&df.stages[0].instructions[0]),
        &[pair("PATH", Some(""), 3, 5)]
    );
}

#[test]
fn garbage_does_not_panic() {
    let pieces = [
        "FROM a",
        "RUN ",
        "<<EOF",
        "<<-",
        "EOF",
        "\\",
        "`",
        "\"",
        "'",
        "[",
        "]",
        "\n",
        "\r\n",
        "#",
        "# escape=`",
        "ONBUILD ",
        "--mount=",
        "ENV ",
        "=",
        "é",
        "\t",
        "$(",
        "HEALTHCHECK ",
        "CMD ",
        "ARG ",
        "\u{feff}",
    ];
    let mut state: u32 = 0x1234_5678;
    for round in 0..2000 {
        let mut text = String::new();
        for _ in 0..(round % 40) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            text.push_str(pieces[(state as usize) % pieces.len()]);
        }
        let _ = parse_dockerfile("x", &text);
    }
}

// ---------------------------------------------------------------------------------------------
// A corpus of realistic Dockerfiles

struct Expect {
    file: &'static str,
    stages: usize,
    keywords: &'static [&'static str],
    /// (instruction index in file order, pipeline index, command index) → program and position.
    command: (usize, usize, usize, &'static str, Pos),
}

#[test]
fn realistic_dockerfiles() {
    let expectations = [
        Expect {
            file: "nginx-debian.Dockerfile",
            stages: 1,
            keywords: &[
                "FROM",
                "LABEL",
                "ENV",
                "ENV",
                "ENV",
                "RUN",
                "COPY",
                "COPY",
                "ENTRYPOINT",
                "EXPOSE",
                "STOPSIGNAL",
                "CMD",
            ],
            command: (5, 8, 0, "apt-key", pos(24, 9)),
        },
        Expect {
            file: "go-multistage.Dockerfile",
            stages: 3,
            keywords: &[
                "ARG",
                "ARG",
                "FROM",
                "WORKDIR",
                "RUN",
                "ARG",
                "RUN",
                "FROM",
                "RUN",
                "FROM",
                "RUN",
                "ARG",
                "RUN",
                "USER",
                "COPY",
                "EXPOSE",
                "ENTRYPOINT",
            ],
            command: (6, 0, 0, "go", pos(14, 5)),
        },
        Expect {
            file: "node-app.Dockerfile",
            stages: 4,
            keywords: &[
                "ARG",
                "FROM",
                "WORKDIR",
                "ENV",
                "FROM",
                "RUN",
                "FROM",
                "RUN",
                "COPY",
                "RUN",
                "FROM",
                "USER",
                "COPY",
                "COPY",
                "COPY",
                "EXPOSE",
                "HEALTHCHECK",
                "CMD",
            ],
            command: (16, 0, 0, "wget", pos(27, 9)),
        },
        Expect {
            file: "python-heredoc.Dockerfile",
            stages: 1,
            keywords: &[
                "FROM", "ENV", "RUN", "WORKDIR", "COPY", "RUN", "COPY", "RUN", "RUN", "USER", "COPY", "CMD",
            ],
            command: (2, 2, 0, "apt-get", pos(11, 1)),
        },
        Expect {
            file: "postgres-like.Dockerfile",
            stages: 1,
            keywords: &[
                "FROM",
                "RUN",
                "RUN",
                "ENV",
                "RUN",
                "ENV",
                "ENV",
                "ENV",
                "ENV",
                "RUN",
                "VOLUME",
                "COPY",
                "ENTRYPOINT",
                "STOPSIGNAL",
                "EXPOSE",
                "CMD",
            ],
            command: (4, 9, 0, "wget", pos(27, 2)),
        },
        Expect {
            file: "templated-from.Dockerfile",
            stages: 1,
            keywords: &[
                "ARG", "ARG", "ARG", "ARG", "FROM", "ARG", "RUN", "ARG", "RUN", "USER", "WORKDIR",
            ],
            command: (6, 2, 1, "bash", pos(8, 56)),
        },
        Expect {
            file: "windows.Dockerfile",
            stages: 1,
            keywords: &["FROM", "SHELL", "ENV", "RUN", "COPY", "WORKDIR", "CMD"],
            command: (0, 0, 0, "", pos(0, 0)),
        },
        Expect {
            file: "rust-cache-mounts.Dockerfile",
            stages: 4,
            keywords: &[
                "ARG",
                "FROM",
                "RUN",
                "WORKDIR",
                "FROM",
                "COPY",
                "RUN",
                "FROM",
                "COPY",
                "RUN",
                "COPY",
                "RUN",
                "FROM",
                "RUN",
                "COPY",
                "USER",
                "ENTRYPOINT",
            ],
            command: (11, 1, 0, "cargo", pos(21, 1)),
        },
        Expect {
            file: "redis-alpine.Dockerfile",
            stages: 1,
            keywords: &[
                "FROM",
                "RUN",
                "RUN",
                "ENV",
                "ENV",
                "ENV",
                "RUN",
                "RUN",
                "VOLUME",
                "WORKDIR",
                "COPY",
                "ENTRYPOINT",
                "EXPOSE",
                "CMD",
            ],
            command: (6, 3, 1, "sha256sum", pos(27, 45)),
        },
        Expect {
            file: "onbuild-base.Dockerfile",
            stages: 1,
            keywords: &[
                "FROM",
                "RUN",
                "RUN",
                "WORKDIR",
                "ONBUILD",
                "ONBUILD",
                "ONBUILD",
                "HEALTHCHECK",
                "STOPSIGNAL",
                "CMD",
            ],
            command: (1, 0, 0, "bundle", pos(3, 5)),
        },
    ];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dockerfiles");
    let mut seen = 0;
    for expect in &expectations {
        let path = format!("{dir}/{}", expect.file);
        let text = std::fs::read_to_string(&path).unwrap();
        let df = parse_dockerfile(expect.file, &text).unwrap_or_else(|e| panic!("{}: {e}", expect.file));
        assert_eq!(df.stages.len(), expect.stages, "{}", expect.file);
        assert_eq!(keywords(&df), expect.keywords, "{}", expect.file);
        let (ins, pipeline, command, program, at) = expect.command;
        if !program.is_empty() {
            let c = &all(&df)[ins].commands[pipeline].commands[command];
            assert_eq!((c.program(), c.pos), (Some(program), at), "{}", expect.file);
        }
        seen += 1;
    }
    assert_eq!(seen, std::fs::read_dir(dir).unwrap().count());
}

#[test]
fn realistic_dockerfile_details() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dockerfiles");
    let read = |name: &str| parse(&std::fs::read_to_string(format!("{dir}/{name}")).unwrap());

    let go = read("go-multistage.Dockerfile");
    assert_eq!(go.directives[0].value, "docker/dockerfile:1.7");
    let names: Vec<Option<&str>> = go.stages.iter().map(|s| s.name.as_deref()).collect();
    assert_eq!(names, vec![Some("build"), Some("test"), Some("final")]);
    let build = &go.stages[0].instructions[3];
    assert_eq!(build.flags.len(), 2);
    assert_eq!(
        build.commands[0].commands[0]
            .assignments
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>(),
        vec!["CGO_ENABLED=0", "GOOS=$TARGETOS", "GOARCH=$TARGETARCH"]
    );
    assert_eq!(
        pairs(&go.stages[0].instructions[2]),
        &[pair("TARGETOS", None, 11, 5), pair("TARGETARCH", None, 11, 14)]
    );

    let python = read("python-heredoc.Dockerfile");
    let settings = &python.stages[0].instructions[5];
    assert_eq!(settings.heredocs[0].delimiter, "EOT");
    assert!(settings.heredocs[0].strip_tabs && settings.heredocs[0].quoted);
    assert_eq!(
        settings.heredocs[0].body,
        "[server]\nport = 8000\nworkers = \"${WORKERS}\"\n"
    );
    assert_eq!(settings.end_line, 24);
    let compile = &python.stages[0].instructions[6];
    assert_eq!(commands(compile), vec![vec!["python3"]]);

    let windows = read("windows.Dockerfile");
    assert_eq!(windows.escape, '`');
    let env = &windows.stages[0].instructions[1];
    assert_eq!(
        pairs(env),
        &[
            pair("GIT_VERSION", Some("2.46.0"), 7, 5),
            pair("GIT_HOME", Some("C:\\git"), 8, 5)
        ]
    );
    let run = &windows.stages[0].instructions[2];
    assert_eq!(run.end_line, 12);
    assert!(run.commands.is_empty());
    assert_eq!(
        words(&windows.stages[0].instructions[3]),
        vec!["app\\", "C:\\app\\"]
    );
    assert_eq!(
        words(&windows.stages[0].instructions[5]),
        vec!["C:\\app\\server.exe"]
    );

    let nginx = read("nginx-debian.Dockerfile");
    let run = &nginx.stages[0].instructions[4];
    assert_eq!(run.end_line, 42);
    let programs: Vec<&str> = run
        .commands
        .iter()
        .flat_map(|p| p.commands.iter().filter_map(|c| c.program()))
        .collect();
    assert!(programs.contains(&"useradd"));
    assert_eq!(programs.iter().filter(|p| **p == "apt-get").count(), 6);

    let onbuild = read("onbuild-base.Dockerfile");
    assert_eq!(onbuild.pragmas[0].rules, vec!["DW3001"]);
    assert_eq!(onbuild.pragmas[0].applies_to_line, 3);
    let trigger = onbuild.stages[0].instructions[4].onbuild.as_deref().unwrap();
    assert_eq!(
        commands(trigger),
        vec![
            vec!["bundle install --jobs $(nproc)"],
            vec!["nproc"],
            vec!["rm -rf /usr/local/bundle/cache"]
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Commands inside substitutions, behind wrappers, in `su -c` strings, groups and subshells

/// Each pipeline as `line:column text` of its commands.
fn located(ins: &Instruction) -> Vec<Vec<String>> {
    ins.commands
        .iter()
        .map(|p| {
            p.commands
                .iter()
                .map(|c| format!("{}:{} {}", c.pos.line, c.pos.column, c.text()))
                .collect()
        })
        .collect()
}

#[test]
fn commands_in_substitutions_have_file_positions() {
    let text = "FROM alpine\nRUN X=$(curl -fsSL https://x | sh) && echo \"$X\"\nRUN echo `uname -m` && sh -c \"A=\\$(id -u) B=\\`wget -qO- y | bash\\`\"\nRUN for u in $(curl -s list); do \\\n    :; done | sh; diff <(sort a) f\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(
        located(&ins[0]),
        vec![
            vec!["2:5 "],
            vec!["2:9 curl -fsSL https://x", "2:32 sh"],
            vec!["2:39 echo $X"],
        ]
    );
    assert_eq!(
        ins[0].commands[0].commands[0].assignments[0].text,
        "X=$(curl -fsSL https://x | sh)"
    );
    assert_eq!(
        located(&ins[1]),
        vec![
            vec!["3:5 echo `uname -m`"],
            vec!["3:11 uname -m"],
            vec!["3:24 sh -c A=$(id -u) B=`wget -qO- y | bash`"],
            vec!["3:31 "],
            vec!["3:36 id -u"],
            vec!["3:47 wget -qO- y", "3:61 bash"],
        ]
    );
    // A loop's output comes from its last pipeline; the substitution in its header runs first.
    assert_eq!(
        located(&ins[2]),
        vec![
            vec!["4:16 curl -s list"],
            vec!["5:5 :", "5:15 sh"],
            vec!["5:19 diff <(sort a) f"],
            vec!["5:26 sort a"],
        ]
    );
}

#[test]
fn commands_behind_wrappers_take_their_place() {
    let text = "FROM alpine\nRUN sudo -u app env A=1 nohup timeout -s KILL 5 xargs -r apk add\nRUN curl -fsSL https://x | sudo -E bash -s -- -y\nRUN command -v curl && nice -n 5 time -p make && exec make install\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(
        located(&ins[0]),
        vec![
            vec!["2:21 apk add"],
            vec!["2:5 sudo -u app"],
            vec!["2:17 env"],
            vec!["2:25 nohup"],
            vec!["2:31 timeout -s KILL 5"],
            vec!["2:49 xargs -r"],
        ]
    );
    // `env` and `sudo` assignments are the wrapped command's own.
    assert_eq!(
        ins[0].commands[0].commands[0].assignments,
        vec![word("A=1", 2, 21)]
    );
    assert_eq!(
        located(&ins[1]),
        vec![
            vec!["3:5 curl -fsSL https://x", "3:36 bash -s -- -y"],
            vec!["3:28 sudo -E"],
        ]
    );
    // `command -v` looks a program up and runs nothing.
    assert_eq!(
        located(&ins[2]),
        vec![
            vec!["4:5 command -v curl"],
            vec!["4:42 make"],
            vec!["4:24 nice -n 5"],
            vec!["4:34 time -p"],
            vec!["4:55 make install"],
            vec!["4:50 exec"],
        ]
    );
}

#[test]
fn su_and_runuser_scripts_and_groups() {
    let text = "FROM alpine\nRUN su root -c 'apk add curl' && runuser -u app -- make && su - postgres -c \"psql -c x\"\nRUN (cd /src && make) | tee log; { curl -s x; } | sh\n";
    let df = parse(text);
    let ins = &df.stages[0].instructions;
    assert_eq!(
        located(&ins[0]),
        vec![
            vec!["2:5 su root -c apk add curl"],
            vec!["2:17 apk add curl"],
            vec!["2:52 make"],
            vec!["2:34 runuser -u app --"],
            vec!["2:60 su - postgres -c psql -c x"],
            vec!["2:78 psql -c x"],
        ]
    );
    assert_eq!(
        located(&ins[1]),
        vec![
            vec!["3:6 cd /src"],
            vec!["3:17 make", "3:25 tee log"],
            vec!["3:36 curl -s x", "3:51 sh"],
        ]
    );
}
