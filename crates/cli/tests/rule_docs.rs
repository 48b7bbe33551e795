//! Rule documentation and fixes tell users what to run: every `dockward COMMAND` they name must
//! exist in this build.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::process::Command;

/// The subcommands of the commands quoted in `text` (`` `dockward audit --all` ``).
fn named_commands(text: &str) -> Vec<String> {
    text.match_indices("`dockward ")
        .filter_map(|(at, found)| {
            let word: String = text[at + found.len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect();
            (!word.is_empty()).then_some(word)
        })
        .collect()
}

#[test]
fn rules_name_only_commands_that_exist() {
    let mut missing = Vec::new();
    for rule in dockward_rules::RULES {
        let mut commands = named_commands(&rule.documentation());
        commands.extend(named_commands(rule.fix));
        commands.sort();
        commands.dedup();
        for command in commands {
            let out = Command::new(env!("CARGO_BIN_EXE_dockward"))
                .args([command.as_str(), "--help"])
                .output()
                .unwrap();
            if !out.status.success() {
                missing.push(format!("{} names `dockward {command}`", rule.id));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn command_words_are_found() {
    assert_eq!(
        named_commands("run `dockward audit --all` or `dockward lint`; not dockward talked"),
        ["audit", "lint"]
    );
}
