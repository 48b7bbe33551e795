//! Rules judging the host the daemon runs on (CIS Docker Benchmark 1.6.0 section 1, and Docker's
//! guidance for nodes).

use dockward_model::{AuditRule, Evidence, RuleResult, Status, Verdict};

use crate::facts::{host_facts, on_host};
use crate::rule::{Context, Judged};

pub mod audit_containerd;
pub mod audit_containerd_config;
pub mod audit_containerd_shim;
pub mod audit_containerd_shim_runc_v1;
pub mod audit_containerd_shim_runc_v2;
pub mod audit_containerd_socket;
pub mod audit_daemon_json;
pub mod audit_data_root;
pub mod audit_docker_service;
pub mod audit_docker_socket_unit;
pub mod audit_dockerd;
pub mod audit_etc_default_docker;
pub mod audit_etc_docker;
pub mod audit_etc_sysconfig_docker;
pub mod audit_run_containerd;
pub mod audit_runc;
pub mod data_root_on_root_fs;
pub mod docker_outdated;
pub mod extra_uid0_accounts;
pub mod kernel_seccomp_missing;
pub mod lsm_disabled;
pub mod socket_users;

/// `/var/run/x` and `/run/x` name the same file on current distributions.
fn canonical(path: &str) -> String {
    let path = crate::container::normalize_path(path);
    match path.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => path,
    }
}

/// Whether an audit rule records changes to `path`: a watch on it or on a directory above it, or an
/// `always` syscall rule naming it with `path=` or a directory above it with `dir=`.
pub(crate) fn covers(rule: &AuditRule, path: &str) -> bool {
    let path = canonical(path);
    let within = |dir: &str| crate::container::is_within(&path, &canonical(dir));
    if let Some(watch) = &rule.watch {
        return within(watch);
    }
    if rule.action.as_deref() != Some("always") {
        return false;
    }
    rule.path.as_deref().is_some_and(|p| canonical(p) == path) || rule.dir.as_deref().is_some_and(within)
}

/// Where the audit-rule fixes go: `augenrules` loads every `*.rules` file of this directory.
pub const AUDIT_RULES_FILE: &str = "/etc/audit/rules.d/docker.rules";

/// The rules of CIS 1.1.3–1.1.18, whose fixes add up to one audit rules file.
pub const AUDIT_RULE_IDS: &[&str] = &[
    "HO0003", "HO0004", "HO0005", "HO0006", "HO0007", "HO0008", "HO0009", "HO0010", "HO0011", "HO0012",
    "HO0013", "HO0014", "HO0015", "HO0016", "HO0017", "HO0018",
];

/// The audit rule that records every change to `path` (a directory's watch is recursive).
pub fn audit_rule_line(path: &str) -> String {
    format!("-w {path} -p rwxa -k docker")
}

/// The complete rules file that fixes every failing, unsuppressed audit-rule result at once, in
/// the order of the results; `None` when none failed.
pub fn combined_audit_rules(results: &[RuleResult]) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    for r in results {
        if r.status != Status::Fail || r.suppressed.is_some() || !AUDIT_RULE_IDS.contains(&r.rule.as_ref()) {
            continue;
        }
        // The first evidence of every audit verdict is the audited path.
        let Some(path) = r.evidence.first().and_then(|e| e.value.as_str()) else {
            continue;
        };
        let line = audit_rule_line(path);
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return None;
    }
    let mut content = String::from("## Docker: CIS Docker Benchmark 1.1.3-1.1.18\n");
    for line in lines {
        content.push_str(&line);
        content.push('\n');
    }
    Some(content)
}

/// The shared check of CIS 1.1.3–1.1.18: is the target path covered by audit rules?
pub(crate) fn audit_check(ctx: &Context<'_>, role: &str) -> Vec<Judged> {
    let host = match host_facts(ctx) {
        Ok(host) => host,
        Err(unknown) => return on_host(ctx, unknown),
    };
    let Some(target) = host.audit_targets.get(role) else {
        return on_host(
            ctx,
            Verdict::error(format!("the path of {role} could not be determined")),
        );
    };
    let target_evidence = Evidence::new(target.origin.clone(), &target.path);
    if !target.exists {
        return on_host(
            ctx,
            Verdict::not_applicable(format!("{} does not exist on this host", target.path))
                .with_evidence([target_evidence]),
        );
    }
    let path = target.path.as_str();
    let add_rule = format!(
        "add `{}` to {AUDIT_RULES_FILE}, then load the rules (augenrules --load)",
        audit_rule_line(path)
    );
    let configured = host.audit.configured.as_result();
    let verdict = match host.audit.loaded.as_result() {
        Ok(loaded) => match loaded.value.iter().find(|r| covers(r, path)) {
            Some(rule) => Verdict::pass(format!("{path} is audited by the loaded rule \"{}\"", rule.text))
                .with_evidence([target_evidence, Evidence::new(rule.at.to_string(), &rule.text)]),
            None => match configured.ok().and_then(|c| c.value.iter().find(|r| covers(r, path))) {
                Some(rule) => Verdict::fail(format!("{path} has an audit rule in {} that is not loaded", rule.at))
                    .with_evidence([target_evidence, Evidence::new(rule.at.to_string(), &rule.text)])
                    .fix("load the configured rules (augenrules --load) and check them with auditctl -l"),
                None => Verdict::fail(format!("no loaded audit rule covers {path}"))
                    .with_evidence([target_evidence])
                    .fix(add_rule),
            },
        },
        Err(loaded_reason) => match configured {
            Ok(configured) => match configured.value.iter().find(|r| covers(r, path)) {
                Some(rule) => Verdict::pass(format!(
                    "{path} is audited by \"{}\" in the rule files (loaded rules unknown: {loaded_reason})",
                    rule.text
                ))
                .with_evidence([target_evidence, Evidence::new(rule.at.to_string(), &rule.text)]),
                None => Verdict::fail(format!("no audit rule covers {path} (loaded rules unknown: {loaded_reason})"))
                    .with_evidence([target_evidence])
                    .fix(add_rule),
            },
            Err(configured_reason) => Verdict::error(format!(
                "audit rules could not be read: loaded rules: {loaded_reason}; rule files: {configured_reason}"
            ))
            .with_evidence([target_evidence]),
        },
    };
    on_host(ctx, verdict)
}

#[cfg(test)]
mod tests {
    use dockward_model::Provenance;

    use super::*;

    fn rule(watch: Option<&str>, action: Option<&str>, path: Option<&str>, dir: Option<&str>) -> AuditRule {
        AuditRule {
            text: String::new(),
            watch: watch.map(str::to_string),
            action: action.map(str::to_string),
            path: path.map(str::to_string),
            dir: dir.map(str::to_string),
            perms: None,
            key: None,
            at: Provenance::file("t", 1, 1),
        }
    }

    fn audit_result(rule: &str, status: Status, path: &str) -> RuleResult {
        let json = serde_json::json!({
            "rule": rule, "name": "n", "status": status, "severity": "low",
            "target": {"kind": "host", "name": "vm"}, "message": "m",
            "evidence": [{"at": "where", "value": path}], "references": [],
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn one_rules_file_fixes_every_failing_audit_rule() {
        let results = [
            audit_result("HO0003", Status::Fail, "/usr/bin/dockerd"),
            audit_result("HO0004", Status::Pass, "/run/containerd"),
            audit_result("HO0018", Status::Fail, "/usr/bin/runc"),
            audit_result("HO0019", Status::Fail, "/not/an/audit/rule"),
            audit_result("HO0005", Status::Fail, "/usr/bin/dockerd"),
        ];
        assert_eq!(
            combined_audit_rules(&results).as_deref(),
            Some(
                "## Docker: CIS Docker Benchmark 1.1.3-1.1.18\n\
                 -w /usr/bin/dockerd -p rwxa -k docker\n\
                 -w /usr/bin/runc -p rwxa -k docker\n"
            )
        );
        assert_eq!(combined_audit_rules(&results[1..2]), None);
    }

    #[test]
    fn the_audit_rule_ids_are_cis_1_1_3_to_1_1_18() {
        let mut ids: Vec<&str> = crate::registry::RULES
            .iter()
            .filter(|r| {
                r.references.iter().any(|reference| {
                    reference
                        .strip_prefix("cis-docker-1.6.0:1.1.")
                        .and_then(|n| n.parse::<u32>().ok())
                        .is_some_and(|n| (3..=18).contains(&n))
                })
            })
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        assert_eq!(ids, AUDIT_RULE_IDS);
    }

    #[test]
    fn equivalent_rule_forms_cover_a_path() {
        assert!(covers(
            &rule(Some("/usr/bin/dockerd"), None, None, None),
            "/usr/bin/dockerd"
        ));
        assert!(covers(
            &rule(Some("/usr/bin"), None, None, None),
            "/usr/bin/dockerd"
        ));
        assert!(!covers(
            &rule(Some("/usr/bin/dockerd-rootless.sh"), None, None, None),
            "/usr/bin/dockerd"
        ));
        assert!(covers(
            &rule(None, Some("always"), Some("/usr/bin/dockerd"), None),
            "/usr/bin/dockerd"
        ));
        assert!(!covers(
            &rule(None, Some("never"), Some("/usr/bin/dockerd"), None),
            "/usr/bin/dockerd"
        ));
        assert!(covers(
            &rule(None, Some("always"), None, Some("/etc/docker")),
            "/etc/docker/daemon.json"
        ));
        assert!(!covers(
            &rule(None, Some("always"), Some("/etc/docker"), None),
            "/etc/docker/daemon.json"
        ));
        assert!(covers(
            &rule(Some("/var/run/containerd"), None, None, None),
            "/run/containerd"
        ));
    }
}
