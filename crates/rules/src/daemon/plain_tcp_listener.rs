//! The daemon answering API calls on a TCP port without TLS, as observed.

use dockward_model::ListenerProbe;

use crate::facts::{host_facts, observed, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The TCP sockets the dockerd process actually listens on (from `/proc/net/tcp` and
    /// `/proc/net/tcp6`, matched to the process's open sockets), each asked for `GET /_ping` over plain
    /// HTTP through loopback. It fails when one answers as the Docker API, whatever the configuration
    /// says; listeners bound to an address outside loopback and the wildcards are judged from
    /// configuration by `tcp-without-tls` instead. Not applicable when the daemon listens on no TCP
    /// port.
    ///
    /// ## Why it matters
    /// A configuration can be misread, overridden by a systemd drop-in or changed since the daemon
    /// started; what the daemon answers is the truth. A plain API port is root on the host for anyone
    /// who reaches it.
    ///
    /// ## How to fix
    /// Remove the `tcp://` host from the daemon's command line and daemon.json, or protect it with
    /// `--tlsverify`, `--tlscacert`, `--tlscert` and `--tlskey`, and restart dockerd.
    pub static RULE = Rule {
        id: "DA0019",
        name: "plain-tcp-listener",
        title: "No TCP listener of the daemon serves the API without TLS",
        severity: Severity::Critical,
        references: &["cis-docker-1.6.0:2.7"],
        fix: "stop the plain TCP listener: remove the tcp:// host, or add --tlsverify with certificates",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let listeners =
        match host_facts(ctx).and_then(|h| observed(&h.daemon_listeners, "the daemon's TCP listeners are")) {
            Ok(listeners) => listeners,
            Err(unknown) => return on_daemon(ctx, unknown),
        };
    let evidence = Evidence::new(listeners.at.to_string(), &listeners.value);
    if listeners.value.is_empty() {
        return on_daemon(
            ctx,
            Verdict::not_applicable("the daemon listens on no TCP port").with_evidence([evidence]),
        );
    }
    let plain: Vec<String> = listeners
        .value
        .iter()
        .filter(|l| l.probe == ListenerProbe::PlainApi)
        .map(|l| format!("{}:{}", l.address, l.port))
        .collect();
    let verdict = if plain.is_empty() {
        Verdict::pass("no TCP listener of the daemon answers the API without TLS")
    } else {
        Verdict::fail(format!(
            "the daemon answers API calls without TLS on {}",
            plain.join(", ")
        ))
    };
    on_daemon(ctx, verdict.with_evidence([evidence]))
}
