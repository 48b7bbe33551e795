//! `dockward lint` on a seccomp profile: the seccomp rules (`SC…`) at the entries they judge,
//! with the analysis the container rule applies to a container's custom profile.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::Path;

use dockward_collect::config_files::{looks_like_seccomp_profile, seccomp_profile};
use dockward_model::{RuleResult, TargetKind};
use dockward_rules::{Settings, evaluate_seccomp_profile, seccomp_profile_error};

fn data(name: &str) -> (String, String) {
    let path = format!("tests/data/seccomp/{name}");
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
    let profile = seccomp_profile(&path, &text).unwrap();
    let results = evaluate_seccomp_profile(&profile, &Settings::default());
    for r in &results {
        assert_eq!(r.target.kind, TargetKind::SeccompProfile, "{}", r.rule);
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

#[test]
fn dockers_default_profile_passes_every_rule() {
    assert_eq!(
        lint("docker-default.json"),
        r#"SC0001 pass 2:2 the default action SCMP_ACT_ERRNO refuses every syscall the profile does not list
SC0002 pass 1:1 the profile allows none of the 61 syscalls Docker's default profile blocks
SC0003 pass 4:2 every machine architecture the profile names comes with the sub-architectures Docker's profile covers
SC0004 pass 1:1 no dangerous syscall, nor the default, is only logged or traced
"#
    );
}

#[test]
fn an_allow_all_profile_fails_at_its_default_action_and_entries() {
    assert_eq!(
        lint("allow-all.json"),
        r#"SC0001 fail 2:3 the default action SCMP_ACT_ALLOW lets every syscall the profile does not list run
SC0002 fail 2:3 the default action SCMP_ACT_ALLOW lets through syscalls Docker's default profile blocks, as no entry names them: acct, add_key, bpf, clock_settime, clock_settime64, clone3, create_module, delete_module, fanotify_init, finit_module, fsconfig, fsmount, fsopen, fspick, get_kernel_syms, get_mempolicy, ioperm, iopl, kcmp, kexec_file_load, lookup_dcookie, mbind, mount_setattr, move_mount, nfsservctl, open_by_handle_at, open_tree, perf_event_open, pidfd_getfd, pivot_root, process_madvise, query_module, quotactl, quotactl_fd, reboot, request_key, set_mempolicy, set_mempolicy_home_node, setdomainname, sethostname, setns, settimeofday, stime, swapoff, swapon, _sysctl, sysfs, syslog, umount, unshare, uselib, userfaultfd, ustat, vhangup, vm86, vm86old
SC0002 fail 9:5 syscalls[1] (SCMP_ACT_LOG) allows syscalls Docker's default profile blocks: keyctl
SC0003 fail 3:3 architectures lists SCMP_ARCH_X86_64 without SCMP_ARCH_X86, SCMP_ARCH_X32, which Docker's profile covers with it: calls through those ABIs do not meet the profile's rules
SC0004 fail 9:5 syscalls[1] gives SCMP_ACT_LOG to syscalls Docker's default profile blocks, which it does not refuse: keyctl
"#
    );
}

#[test]
fn a_custom_allow_list_fails_at_the_entries_that_reopen_blocked_syscalls() {
    assert_eq!(
        lint("custom-allowlist.json"),
        r#"SC0001 pass 2:3 the default action SCMP_ACT_ERRNO refuses every syscall the profile does not list
SC0002 fail 8:5 syscalls[0] (SCMP_ACT_ALLOW) allows syscalls Docker's default profile blocks: keyctl, mount
SC0002 fail 10:5 syscalls[2] (SCMP_ACT_ALLOW) allows syscalls Docker's default profile blocks: unshare
SC0003 fail 4:5 the archMap entry for SCMP_ARCH_X86_64 lacks SCMP_ARCH_X32, which Docker's profile covers with it: calls through those ABIs do not meet the profile's rules
SC0004 fail 11:5 syscalls[3] gives SCMP_ACT_TRACE to syscalls Docker's default profile blocks, which it does not refuse: setns
"#
    );
}

#[test]
fn a_log_all_profile_fails_at_its_default_action() {
    assert_eq!(
        lint("log-all.json"),
        r#"SC0001 fail 1:2 the default action SCMP_ACT_LOG lets every syscall the profile does not list run (it only logs them)
SC0002 fail 1:2 the default action SCMP_ACT_LOG lets through syscalls Docker's default profile blocks, as no entry names them: acct, add_key, bpf, clock_settime, clock_settime64, clone3, create_module, delete_module, fanotify_init, finit_module, fsconfig, fsmount, fsopen, fspick, get_kernel_syms, get_mempolicy, init_module, ioperm, iopl, kcmp, kexec_file_load, kexec_load, keyctl, lookup_dcookie, mbind, mount, mount_setattr, move_mount, nfsservctl, open_by_handle_at, open_tree, perf_event_open, pidfd_getfd, pivot_root, process_madvise, query_module, quotactl, quotactl_fd, reboot, request_key, set_mempolicy, set_mempolicy_home_node, setdomainname, sethostname, setns, settimeofday, stime, swapoff, swapon, _sysctl, sysfs, syslog, umount, umount2, unshare, uselib, userfaultfd, ustat, vhangup, vm86, vm86old
SC0003 fail 1:1 the profile names no architecture: only the host's native ABI is filtered, and calls through its other ABIs (on x86_64: SCMP_ARCH_X86, SCMP_ARCH_X32) do not meet the profile's rules
SC0004 fail 1:2 the default action is SCMP_ACT_LOG, which refuses no syscall the profile does not list
"#
    );
}

#[test]
fn a_profile_with_neither_default_nor_syscalls_is_no_filter() {
    assert_eq!(
        lint("no-filter.json"),
        r#"SC0001 fail 1:1 the profile has neither a defaultAction nor syscalls, so dockerd applies no seccomp filter at all
SC0002 fail 1:1 the profile has neither a defaultAction nor syscalls, so dockerd applies no seccomp filter at all
SC0003 not_applicable 1:1 the profile applies no filter at all (seccomp-default-allows reports it)
SC0004 not_applicable 1:1 the profile applies no filter at all (seccomp-default-allows reports it)
"#
    );
}

#[test]
fn bad_input_is_an_error_at_its_line() {
    let err = |name: &str| {
        let (path, text) = data(name);
        seccomp_profile(&path, &text).unwrap_err().to_string()
    };
    let d = "tests/data/seccomp";
    assert_eq!(
        err("invalid.json"),
        format!("{d}/invalid.json:4:3: not valid JSON: expected ',' or ']'")
    );
    assert_eq!(
        err("not-an-object.json"),
        format!(
            "{d}/not-an-object.json:1:1: the top level is a JSON array, not an object: not a seccomp profile"
        )
    );
    assert_eq!(
        err("no-action.json"),
        format!(
            "{d}/no-action.json:5:5: not a profile dockerd reads: syscalls[1] has no action: dockerd refuses it"
        )
    );
    assert_eq!(
        err("repeated-list.json"),
        format!(
            "{d}/repeated-list.json:4:3: not a profile dockerd reads: the key \"Syscalls\" repeats an earlier one (keys match in any case), and dockerd would merge the two"
        )
    );
    assert_eq!(
        seccomp_profile("p.json", "{\n  \"defaultAction\": 1\n}")
            .unwrap_err()
            .to_string(),
        "p.json:2:3: not a profile dockerd reads: defaultAction is a number, not a string"
    );
    let huge = format!(
        "{{\"syscalls\": [{}]}}",
        "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},".repeat(90_000)
    );
    assert_eq!(
        seccomp_profile("big.json", &huge).unwrap_err().to_string(),
        format!(
            "big.json: the file is {} bytes, over the 4194304-byte limit for a configuration file",
            huge.len()
        )
    );
    // Deep nesting stops at the parser's depth limit, with a position.
    let deep = format!("{{\"syscalls\": {}", "[".repeat(10_000));
    assert_eq!(
        seccomp_profile("deep.json", &deep).unwrap_err().to_string(),
        "deep.json:1:141: not valid JSON: nesting too deep"
    );
}

#[test]
fn a_profile_that_cannot_be_read_is_an_error_for_every_seccomp_rule() {
    let (path, text) = data("invalid.json");
    let error = seccomp_profile(&path, &text).unwrap_err();
    let results = seccomp_profile_error(&error, &Settings::default());
    let lines: Vec<String> = results
        .iter()
        .map(|r| {
            let l = r.location.as_ref().unwrap();
            format!(
                "{} {} {}:{}:{} {}",
                r.rule,
                r.status.as_str(),
                l.path,
                l.line,
                l.column,
                r.message
            )
        })
        .collect();
    let expected: Vec<String> = ["SC0001", "SC0002", "SC0003", "SC0004"]
        .iter()
        .map(|id| format!("{id} error {path}:4:3 could not parse: not valid JSON: expected ',' or ']'"))
        .collect();
    assert_eq!(lines, expected);
    assert!(
        results
            .iter()
            .all(|r| r.target.kind == TargetKind::SeccompProfile)
    );
}

#[test]
fn seccomp_profiles_are_recognised_by_content() {
    for name in [
        "docker-default.json",
        "allow-all.json",
        "custom-allowlist.json",
        "log-all.json",
        "no-filter.json",
    ] {
        assert!(looks_like_seccomp_profile(&data(name).1), "{name}");
    }
    assert!(looks_like_seccomp_profile(
        r#"{"DEFAULTACTION": "SCMP_ACT_ERRNO"}"#
    ));
    for text in [
        r#"{"icc": false, "hosts": []}"#,
        r#"{"apiVersion": "v1", "kind": "Pod"}"#,
        r#"[{"defaultAction": "SCMP_ACT_ERRNO"}]"#,
        "defaultAction: SCMP_ACT_ERRNO\n",
        r#"{"defaultAction": "SCMP_ACT_ERRNO""#,
        "",
    ] {
        assert!(!looks_like_seccomp_profile(text), "{text}");
    }
}

/// The container rule (CT0021) judges the same profile inlined in `--security-opt seccomp=…`
/// with the same analysis: the escape syscalls it names are the ones SC0002 lists.
#[test]
fn the_container_rule_and_the_profile_rules_agree_on_a_custom_profile() {
    use dockward_model::DaemonFacts;
    use dockward_rules::{Check, Context};

    let rule = dockward_rules::find("CT0021").unwrap();
    let Check::Container(check) = rule.check else {
        panic!("CT0021 is a container rule")
    };
    let inspect_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/base.inspect.json");
    let daemon = DaemonFacts::default();
    let settings = Settings::default();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings: &settings,
    };
    let container_verdict = |profile_text: &str| {
        let mut inspect: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&inspect_path).unwrap()).unwrap();
        let compact: serde_json::Value = serde_json::from_str(profile_text).unwrap();
        inspect["HostConfig"]["SecurityOpt"] = serde_json::json!([format!("seccomp={compact}")]);
        let workload =
            dockward_collect::inspect::workload_from_inspect(inspect.to_string().as_bytes(), "fixture")
                .unwrap();
        let verdict = check.judge(&ctx, &workload);
        (verdict.status, verdict.message)
    };
    let (_, custom) = data("custom-allowlist.json");
    assert_eq!(
        container_verdict(&custom),
        (
            dockward_model::Status::Pass,
            "a custom seccomp profile is applied (default action SCMP_ACT_ERRNO); it allows mount, unshare, keyctl".into()
        )
    );
    let sc = lint("custom-allowlist.json");
    assert!(sc.contains("SC0002 fail 8:5 syscalls[0] (SCMP_ACT_ALLOW) allows syscalls Docker's default profile blocks: keyctl, mount\n"), "{sc}");
    assert!(sc.contains("SC0002 fail 10:5 syscalls[2] (SCMP_ACT_ALLOW) allows syscalls Docker's default profile blocks: unshare\n"), "{sc}");

    let (_, allow_all) = data("allow-all.json");
    let (status, message) = container_verdict(&allow_all);
    assert_eq!(status, dockward_model::Status::Fail);
    assert_eq!(
        message,
        "the custom seccomp profile is effectively unconfined: default action SCMP_ACT_ALLOW, allows unshare, setns, pivot_root, kexec_file_load, finit_module, delete_module, bpf, keyctl, add_key, request_key, open_by_handle_at, userfaultfd, perf_event_open, reboot, iopl, ioperm, swapon, swapoff"
    );
    // Every escape syscall CT0021 names is one SC0002 lists for the same profile.
    let listed = lint("allow-all.json");
    let sc0002: Vec<&str> = listed
        .lines()
        .filter(|l| l.starts_with("SC0002 fail"))
        .flat_map(|l| l.rsplit(": ").next().unwrap().split(", "))
        .collect();
    for escape in message.rsplit("allows ").next().unwrap().split(", ") {
        assert!(sc0002.contains(&escape), "{escape} not in {sc0002:?}");
    }

    // No defaultAction and no syscalls: both say no filter applies.
    let (status, message) = container_verdict(r#"{"architectures": ["SCMP_ARCH_X86_64"]}"#);
    assert_eq!(status, dockward_model::Status::Fail);
    assert_eq!(
        message,
        "the custom seccomp profile has neither a defaultAction nor syscalls, so dockerd applies no seccomp filter"
    );
}
