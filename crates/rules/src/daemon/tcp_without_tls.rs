//! CIS 2.7: TCP sockets of the daemon without TLS authentication.

use crate::facts::{daemon_config, default_ev, effective_bool, on_daemon, setting_ev};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The daemon's listen addresses (`-H/--host` on its command line and `"hosts"` in daemon.json; a
    /// `tcp://` inside `log-opts` is not a listener). Not applicable when none is `tcp://`. It passes
    /// when TLS with client verification is on (`--tlsverify` or `"tlsverify": true`, with a CA to
    /// verify against) and fails for TCP without TLS, or TLS without client verification.
    ///
    /// ## Why it matters
    /// The Docker API gives root on the host. A TCP socket without client certificates gives it to
    /// anyone who can reach the port; TLS without verification only encrypts the takeover.
    ///
    /// ## How to fix
    /// Use `"tlsverify": true` with `"tlscacert"`, `"tlscert"` and `"tlskey"` (or the matching flags),
    /// issue client certificates only to those who should control the daemon, or listen on the unix
    /// socket only.
    pub static RULE = Rule {
        id: "DA0007",
        name: "tcp-without-tls",
        title: "TLS authentication is configured for the daemon's TCP sockets",
        severity: Severity::Critical,
        references: &["cis-docker-1.6.0:2.7"],
        fix: "add --tlsverify with --tlscacert, --tlscert and --tlskey, or remove the tcp:// host",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let config = match daemon_config(ctx) {
        Ok(config) => config,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let hosts_evidence = match config.get("hosts") {
        Some(setting) => setting_ev("hosts", setting),
        None => default_ev("hosts", ["unix:///var/run/docker.sock"]),
    };
    let tcp: Vec<&str> = config
        .strings("hosts")
        .into_iter()
        .filter(|h| h.starts_with("tcp://"))
        .collect();
    if tcp.is_empty() {
        return on_daemon(
            ctx,
            Verdict::not_applicable("the daemon listens on no TCP socket").with_evidence([hosts_evidence]),
        );
    }
    let (verify, verify_evidence) = match effective_bool(config, "tlsverify", false) {
        Ok(found) => found,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let (tls, tls_evidence) = match effective_bool(config, "tls", false) {
        Ok(found) => found,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let listed = tcp.join(", ");
    let verdict = if verify {
        Verdict::pass(format!(
            "TLS with client certificate verification protects {listed}"
        ))
        .with_evidence([hosts_evidence, verify_evidence])
    } else if tls {
        Verdict::fail(format!(
            "{listed} uses TLS without verifying clients: anyone who reaches it controls the daemon"
        ))
        .with_evidence([hosts_evidence, tls_evidence, verify_evidence])
    } else {
        Verdict::fail(format!(
            "{listed} accepts connections without TLS: anyone who reaches it controls the daemon"
        ))
        .with_evidence([hosts_evidence, verify_evidence])
    };
    on_daemon(ctx, verdict)
}
