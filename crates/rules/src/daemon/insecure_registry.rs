//! CIS 2.5: registries reached without TLS verification.

use dockward_model::DaemonConfig;

use crate::facts::{daemon_info, ev, file_setting, linted_file, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The registries the running daemon treats as insecure (`/info` `RegistryConfig`:
    /// `InsecureRegistryCIDRs` and index entries with `Secure: false`), set with `--insecure-registry`
    /// or `"insecure-registries"`. The loopback range `127.0.0.0/8`, which dockerd always adds, does
    /// not count. It fails when anything else is listed.
    ///
    /// A daemon.json linted on its own is judged by its `"insecure-registries"` list (none when unset,
    /// Docker's default).
    ///
    /// ## Why it matters
    /// Images from an insecure registry are pulled over plain HTTP or unverified TLS: anyone on the
    /// path can replace them with images of their choosing, which then run on the host.
    ///
    /// ## How to fix
    /// Remove the entries, and give the registry a certificate the host trusts (or place its CA in
    /// `/etc/docker/certs.d/REGISTRY/ca.crt`).
    pub static RULE = Rule {
        id: "DA0005",
        name: "insecure-registry",
        title: "Insecure registries are not used",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:2.5"],
        fix: "remove --insecure-registry (\"insecure-registries\") and give the registry a trusted certificate",
        check: Check::Platform(check),
    };
}

/// dockerd always treats loopback registries as insecure; that entry is not a configuration choice.
const IMPLICIT: [&str; 2] = ["127.0.0.0/8", "::1/128"];

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    if let Some(config) = linted_file(ctx) {
        return on_daemon(ctx, from_file(config));
    }
    let info = match daemon_info(ctx, "the daemon's registry configuration is") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let mut insecure: Vec<&str> = info
        .insecure_registry_cidrs
        .value
        .iter()
        .map(String::as_str)
        .filter(|cidr| !IMPLICIT.contains(cidr))
        .collect();
    insecure.extend(info.insecure_registries.value.iter().map(String::as_str));
    let evidence = [ev(&info.insecure_registry_cidrs), ev(&info.insecure_registries)];
    let verdict = if insecure.is_empty() {
        Verdict::pass("no registry is configured as insecure")
    } else {
        Verdict::fail(format!(
            "registries are reached without TLS verification: {}",
            insecure.join(", ")
        ))
    };
    on_daemon(ctx, verdict.with_evidence(evidence))
}

/// The verdict on a lone daemon.json's `insecure-registries`.
fn from_file(config: &DaemonConfig) -> Verdict {
    let (value, evidence) = match file_setting(config, "insecure-registries", serde_json::json!([])) {
        Ok(found) => found,
        Err(unknown) => return unknown,
    };
    let insecure: Vec<&str> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .filter(|cidr| !IMPLICIT.contains(cidr))
        .collect();
    let verdict = if insecure.is_empty() {
        Verdict::pass("no registry is configured as insecure")
    } else {
        Verdict::fail(format!(
            "registries are reached without TLS verification: {}",
            insecure.join(", ")
        ))
    };
    verdict.with_evidence([evidence])
}
