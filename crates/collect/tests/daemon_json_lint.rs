//! `dockward lint` on a daemon.json: the daemon rules judge the file alone, at its keys.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::Path;

use dockward_collect::config_files::daemon_json_facts;
use dockward_model::{RuleResult, TargetKind};
use dockward_rules::{Settings, daemon_json_error, evaluate_daemon_json};

fn data(name: &str) -> (String, String) {
    let path = format!("tests/data/daemon-json/{name}");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&path)).unwrap();
    (path, text)
}

/// One line per result: `RULE status line:column message`.
fn render(results: &[RuleResult]) -> String {
    results
        .iter()
        .map(|r| {
            let at = r
                .location
                .as_ref()
                .map_or("-".to_string(), |l| format!("{}:{}", l.line, l.column));
            format!("{} {} {at} {}\n", r.rule, r.status.as_str(), r.message)
        })
        .collect()
}

fn lint(name: &str) -> String {
    let (path, text) = data(name);
    let facts = daemon_json_facts(&path, &text).unwrap();
    let results = evaluate_daemon_json(&facts, &path, &Settings::default());
    for r in &results {
        assert_eq!(r.target.kind, TargetKind::DaemonJson, "{}", r.rule);
        assert_eq!(r.target.name, path, "{}", r.rule);
        assert_eq!(
            r.location.as_ref().map(|l| l.path.as_str()),
            Some(path.as_str()),
            "{}",
            r.rule
        );
    }
    render(&results)
}

/// The lines of `actual` and `expected` must be equal, in order (a diff-friendly assertion).
fn same(actual: &str, expected: &str) {
    let (a, e): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), expected.lines().collect());
    for (i, (a, e)) in a.iter().zip(&e).enumerate() {
        assert_eq!(a, e, "line {}", i + 1);
    }
    assert_eq!(a.len(), e.len(), "{actual}");
}

const NEEDS: &str = "not_applicable 1:1 needs the running daemon: run dockward audit";

#[test]
fn an_insecure_file_fails_at_each_offending_key() {
    let d = "tests/data/daemon-json/insecure.json";
    let expected = format!(
        "DA0001 {NEEDS}
DA0002 fail 3:3 containers on the default bridge can reach each other (icc is on)
DA0003 fail 5:3 the log level is debug, which logs far more than needed
DA0004 fail 4:3 dockerd is told not to manage iptables
DA0005 fail 6:3 registries are reached without TLS verification: registry.local:5000
DA0006 fail 7:3 the daemon uses the deprecated devicemapper storage driver
DA0007 fail 2:3 tcp://0.0.0.0:2375 accepts connections without TLS: anyone who reaches it controls the daemon; tlsverify is not set in {d}, so Docker's default (false) applies unless dockerd's command line sets it
DA0008 fail 1:1 no default ulimits are set for containers
DA0009 fail 1:1 the daemon does not remap container users; userns-remap is not set in {d}, so Docker's default (none) applies unless dockerd's command line sets it
DA0010 fail 9:3 the daemon places containers under cgroup parent \"/custom\"
DA0011 fail 8:3 the base device size is changed (dm.basesize=20G)
DA0012 fail 1:1 no authorization plugin checks client requests; authorization-plugins is not set in {d}, so Docker's default (none) applies unless dockerd's command line sets it
DA0013 fail 10:3 container logs stay on the host (json-file)
DA0014 fail 1:1 containers may gain new privileges by default; no-new-privileges is not set in {d}, so Docker's default (false) applies unless dockerd's command line sets it
DA0015 fail 11:3 containers stop whenever the daemon stops (live restore is off)
DA0016 fail 12:3 published ports go through the userland proxy
DA0017 fail 13:3 the daemon's default seccomp profile is unconfined
DA0018 fail 14:3 experimental features are enabled
DA0019 {NEEDS}
DA0020 pass 1:1 dockerd would start with this file, unless its command line repeats one of the file's keys
DA0021 pass 1:1 no key is set twice in the file (whether the running daemon agrees with it needs dockward audit)
DA0022 {NEEDS}
DA0023 {NEEDS}
"
    );
    same(&lint("insecure.json"), &expected);
}

#[test]
fn a_hardened_file_passes_at_its_keys() {
    let d = "tests/data/daemon-json/hardened.json";
    let expected = format!(
        "DA0001 {NEEDS}
DA0002 pass 7:2 inter-container communication on the default bridge is off
DA0003 pass 8:2 the log level is info
DA0004 pass 1:1 dockerd manages iptables; iptables is not set in {d}, so Docker's default (true) applies unless dockerd's command line sets it
DA0005 pass 1:1 no registry is configured as insecure; insecure-registries is not set in {d}, so Docker's default (none) applies unless dockerd's command line sets it
DA0006 pass 17:2 the daemon uses the overlay2 storage driver
DA0007 pass 2:2 TLS with client certificate verification protects tcp://10.0.0.5:2376
DA0008 pass 10:2 default ulimits are set for nofile
DA0009 pass 9:2 the daemon remaps container users to unprivileged host ids (userns-remap default)
DA0010 pass 1:1 the daemon uses the default cgroup parent
DA0011 not_applicable 17:2 the storage driver is overlay2; dm.basesize applies to devicemapper only
DA0012 pass 11:2 dockward's authorization plugin checks client requests: dockward
DA0013 pass 12:2 container logs go to another system (syslog)
DA0014 pass 14:2 no-new-privileges is on for every container by default
DA0015 pass 15:2 live restore keeps containers running across daemon restarts
DA0016 pass 16:2 the userland proxy is off
DA0017 pass 18:2 the custom seccomp profile /etc/docker/seccomp/strict.json applies to containers (lint it too: dockward lint /etc/docker/seccomp/strict.json)
DA0018 pass 1:1 experimental features are off; experimental is not set in {d}, so Docker's default (false) applies unless dockerd's command line sets it
DA0019 {NEEDS}
DA0020 pass 1:1 dockerd would start with this file, unless its command line repeats one of the file's keys
DA0021 pass 1:1 no key is set twice in the file (whether the running daemon agrees with it needs dockward audit)
DA0022 {NEEDS}
DA0023 {NEEDS}
"
    );
    same(&lint("hardened.json"), &expected);
}

#[test]
fn an_empty_file_is_judged_by_dockers_defaults() {
    let d = "tests/data/daemon-json/empty.json";
    let default = |key: &str, value: &str| {
        format!(
            "{key} is not set in {d}, so Docker's default ({value}) applies unless dockerd's command line sets it"
        )
    };
    let expected = format!(
        "DA0001 {NEEDS}
DA0002 fail 1:1 containers on the default bridge can reach each other (icc is on); {}
DA0003 pass 1:1 the log level is info (the default); {}
DA0004 pass 1:1 dockerd manages iptables; {}
DA0005 pass 1:1 no registry is configured as insecure; {}
DA0006 not_applicable 1:1 storage-driver is not set, so dockerd picks one for the host's filesystems: which one needs the running daemon: run dockward audit
DA0007 not_applicable 1:1 the daemon listens on no TCP socket; {}
DA0008 fail 1:1 no default ulimits are set for containers
DA0009 fail 1:1 the daemon does not remap container users; {}
DA0010 pass 1:1 the daemon uses the default cgroup parent
DA0011 pass 1:1 the base device size is the default
DA0012 fail 1:1 no authorization plugin checks client requests; {}
DA0013 fail 1:1 container logs stay on the host (json-file); {}
DA0014 fail 1:1 containers may gain new privileges by default; {}
DA0015 fail 1:1 containers stop whenever the daemon stops (live restore is off); {}
DA0016 fail 1:1 published ports go through the userland proxy; {}
DA0017 pass 1:1 Docker's default seccomp profile applies to containers; {}
DA0018 pass 1:1 experimental features are off; {}
DA0019 {NEEDS}
DA0020 pass 1:1 dockerd would start with this file, unless its command line repeats one of the file's keys
DA0021 pass 1:1 no key is set twice in the file (whether the running daemon agrees with it needs dockward audit)
DA0022 {NEEDS}
DA0023 {NEEDS}
",
        default("icc", "true"),
        default("log-level", "\"info\""),
        default("iptables", "true"),
        default("insecure-registries", "none"),
        default("hosts", "[\"unix:///var/run/docker.sock\"]"),
        default("userns-remap", "none"),
        default("authorization-plugins", "none"),
        default("log-driver", "\"json-file\""),
        default("no-new-privileges", "false"),
        default("live-restore", "false"),
        default("userland-proxy", "true"),
        default("seccomp-profile", "\"builtin\""),
        default("experimental", "false"),
    );
    same(&lint("empty.json"), &expected);
}

#[test]
fn duplicate_keys_and_values_dockerd_refuses_are_reported_at_the_key() {
    let d = "tests/data/daemon-json/duplicate-and-invalid.json";
    let out = lint("duplicate-and-invalid.json");
    let line = |rule: &str| out.lines().find(|l| l.starts_with(rule)).unwrap().to_string();
    // The last icc wins, as in dockerd.
    assert_eq!(
        line("DA0002"),
        "DA0002 fail 5:3 containers on the default bridge can reach each other (icc is on)"
    );
    assert_eq!(
        line("DA0015"),
        format!(
            "DA0015 error 4:3 live-restore must be a boolean (true or false), not \"true\" ({d}:4:3): dockerd refuses to start with it"
        )
    );
    assert_eq!(
        line("DA0020"),
        format!(
            "DA0020 fail 3:3 dockerd would refuse to start: debug must be a boolean (true or false), not \"yes\" ({d}:3:3); live-restore must be a boolean (true or false), not \"true\" ({d}:4:3)"
        )
    );
    assert_eq!(
        line("DA0021"),
        format!("DA0021 fail 2:3 icc is set twice in {d} ({d}:2:3 and {d}:5:3); the last one wins")
    );
}

#[test]
fn settings_select_the_rules() {
    let (path, text) = data("insecure.json");
    let facts = daemon_json_facts(&path, &text).unwrap();
    let settings = Settings {
        enable: Vec::new(),
        only: Some(vec![dockward_rules::Scope::Containers]),
        ..Settings::default()
    };
    assert!(evaluate_daemon_json(&facts, &path, &settings).is_empty());
}

#[test]
fn bad_input_is_an_error_at_its_line() {
    let err = |name: &str| {
        let (path, text) = data(name);
        daemon_json_facts(&path, &text).unwrap_err().to_string()
    };
    assert_eq!(
        err("invalid.json"),
        "tests/data/daemon-json/invalid.json:4:1: not valid JSON: expected string"
    );
    assert_eq!(
        err("not-an-object.json"),
        "tests/data/daemon-json/not-an-object.json:2:3: the top level is a JSON array, not an object: dockerd refuses to start with it"
    );
    let huge = format!("{{\"labels\": [{}\"x\"]}}", "\"label\", ".repeat(600_000));
    assert_eq!(
        daemon_json_facts("big.json", &huge).unwrap_err().to_string(),
        format!(
            "big.json: the file is {} bytes, over the 4194304-byte limit for a configuration file",
            huge.len()
        )
    );
    assert_eq!(
        daemon_json_facts("x.json", "").unwrap_err().to_string(),
        "x.json:1:1: not valid JSON: unexpected end of input"
    );
}

#[test]
fn a_file_that_cannot_be_read_is_an_error_for_every_daemon_rule() {
    let (path, text) = data("invalid.json");
    let error = daemon_json_facts(&path, &text).unwrap_err();
    let results = daemon_json_error(&error, &Settings::default());
    assert_eq!(results.len(), 23);
    for r in &results {
        assert!(r.rule.starts_with("DA"), "{}", r.rule);
        assert_eq!(r.target.kind, TargetKind::DaemonJson);
        assert_eq!(
            format!("{} {}", r.status.as_str(), r.message),
            "error could not parse: not valid JSON: expected string"
        );
        let l = r.location.as_ref().unwrap();
        assert_eq!((l.path.as_str(), l.line, l.column), (path.as_str(), 4, 1));
    }
}

#[test]
fn a_value_of_the_wrong_type_is_an_error_at_its_key_never_the_default() {
    let d = "tests/data/daemon-json/wrong-types.json";
    let out = lint("wrong-types.json");
    let line = |rule: &str| out.lines().find(|l| l.starts_with(rule)).unwrap().to_string();
    assert_eq!(
        line("DA0002"),
        format!(
            "DA0002 error 3:3 icc must be a boolean (true or false), not \"no\" ({d}:3:3): dockerd refuses to start with it"
        )
    );
    assert_eq!(
        line("DA0007"),
        format!(
            "DA0007 error 4:3 tlsverify must be a boolean (true or false), not \"yes\" ({d}:4:3): dockerd refuses to start with it"
        )
    );
    assert_eq!(
        line("DA0020"),
        format!(
            "DA0020 fail 3:3 dockerd would refuse to start: icc must be a boolean (true or false), not \"no\" ({d}:3:3); tlsverify must be a boolean (true or false), not \"yes\" ({d}:4:3)"
        )
    );
}
