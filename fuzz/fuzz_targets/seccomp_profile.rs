//! Lint of a configuration file on its own: the input read as a seccomp profile
//! (`config_files::seccomp_profile`, then every seccomp rule) and as a daemon.json
//! (`config_files::daemon_json_facts`, then every daemon rule). Neither may panic; every position
//! they hand out (the profile's parts, errors, findings) lies inside the file; discovery by
//! content agrees with the reader; and the position-keeping tree gives serde_json's value.
#![no_main]

use dockward_collect::config_files::{daemon_json_facts, looks_like_seccomp_profile, seccomp_profile};
use dockward_collect::parse::json::parse_tree;
use dockward_model::{Location, Provenance};
use dockward_rules::{
    Settings, daemon_json_error, evaluate_daemon_json, evaluate_seccomp_profile, seccomp_profile_error,
};
use libfuzzer_sys::fuzz_target;

/// The length in characters of each line, split as the parser counts lines ("\r\n", "\n", a lone "\r").
fn line_lengths(text: &str) -> Vec<u32> {
    let mut lengths = vec![0u32];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => lengths.push(0),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lengths.push(0);
            }
            _ => *lengths.last_mut().unwrap_or(&mut 0) += 1,
        }
    }
    lengths
}

fn inside(lines: &[u32], line: u32, column: u32, what: &str) {
    assert!(line >= 1 && column >= 1, "{what}: {line}:{column} is not 1-based");
    let Some(length) = lines.get(line as usize - 1) else {
        panic!("{what}: line {line} is past the file's {} lines", lines.len());
    };
    assert!(
        column <= length + 1,
        "{what}: column {column} is past line {line} ({length} characters)"
    );
}

fn provenance(lines: &[u32], at: &Provenance, what: &str) {
    match at {
        Provenance::File {
            path, line, column, ..
        } => {
            assert_eq!(path, "p.json", "{what}");
            inside(lines, *line, *column, what);
        }
        other => panic!("{what}: not a file position: {other:?}"),
    }
}

fn location(lines: &[u32], at: Option<&Location>, what: &str) {
    if let Some(l) = at {
        inside(lines, l.line, l.column, what);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = line_lengths(text);
    let settings = Settings::default();

    if let Ok(tree) = parse_tree(text) {
        let reference: serde_json::Value =
            serde_json::from_str(text).expect("serde_json refuses what the tree read");
        assert_eq!(tree.to_value(), reference);
        inside(&lines, tree.line, tree.column, "tree");
    }

    let results = match seccomp_profile("p.json", text) {
        Ok(file) => {
            let p = &file.profile;
            provenance(&lines, &p.at, "profile");
            if let Some(a) = &p.default_action {
                provenance(&lines, &a.at, "defaultAction");
            }
            if let Some(a) = &p.architectures {
                provenance(&lines, &a.at, "architectures");
            }
            if let Some(m) = &p.arch_map {
                provenance(&lines, &m.at, "archMap");
                for e in &m.value {
                    provenance(&lines, &e.at, "archMap entry");
                }
            }
            for r in &p.syscalls {
                provenance(&lines, &r.at, "syscalls entry");
            }
            if p.default_action.is_some() || !p.syscalls.is_empty() {
                assert!(
                    looks_like_seccomp_profile(text),
                    "read as a profile but not recognised"
                );
            }
            evaluate_seccomp_profile(&file, &settings)
        }
        Err(e) => {
            if e.line > 0 {
                inside(&lines, e.line, e.column, "seccomp error");
            }
            seccomp_profile_error(&e, &settings)
        }
    };
    for r in &results {
        assert!(r.rule.starts_with("SC"), "{}", r.rule);
        location(&lines, r.location.as_ref(), &r.rule);
    }

    let results = match daemon_json_facts("p.json", text) {
        Ok(facts) => {
            for setting in facts.config.iter().flat_map(|c| c.settings.values()) {
                provenance(&lines, &setting.at, "setting");
            }
            evaluate_daemon_json(&facts, "p.json", &settings)
        }
        Err(e) => {
            if e.line > 0 {
                inside(&lines, e.line, e.column, "daemon.json error");
            }
            daemon_json_error(&e, &settings)
        }
    };
    for r in &results {
        assert!(r.rule.starts_with("DA"), "{}", r.rule);
        location(&lines, r.location.as_ref(), &r.rule);
    }
});
