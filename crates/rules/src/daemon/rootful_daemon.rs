//! CIS 2.1: the daemon runs as root.

use crate::facts::{daemon_info, ev, on_daemon};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Whether dockerd runs in rootless mode (`/info` `SecurityOptions` lists `name=rootless`) or at
    /// least as a non-root user (the uid of the dockerd process). It fails for a daemon running as
    /// root.
    ///
    /// ## Why it matters
    /// A root daemon means every escape from a container, and every client that can reach the API, ends
    /// with root on the host. In rootless mode a compromised daemon holds only an ordinary user's
    /// privileges.
    ///
    /// ## How to fix
    /// Install and run the rootless daemon (`dockerd-rootless-setuptool.sh install`) for workloads that
    /// do not need root features (privileged containers, some network drivers).
    pub static RULE = Rule {
        id: "DA0001",
        name: "rootful-daemon",
        title: "The Docker daemon runs as a non-root user",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:2.1"],
        fix: "run Docker in rootless mode (dockerd-rootless-setuptool.sh install) where the workloads allow it",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let info = match daemon_info(ctx, "whether the daemon is rootless is") {
        Ok(info) => info,
        Err(unknown) => return on_daemon(ctx, unknown),
    };
    let mut evidence = vec![ev(&info.security_options)];
    if info.has_security_option("rootless") {
        return on_daemon(
            ctx,
            Verdict::pass("the daemon runs in rootless mode").with_evidence(evidence),
        );
    }
    let Some(config) = &ctx.daemon.config else {
        return on_daemon(
            ctx,
            Verdict::fail("the daemon does not run in rootless mode").with_evidence(evidence),
        );
    };
    let process = &config.process;
    evidence.push(Evidence::new(
        format!("/proc/{}/status", process.pid),
        serde_json::json!({"Uid": process.uid}),
    ));
    let verdict = if process.uid == 0 {
        Verdict::fail(format!("dockerd (pid {}) runs as root", process.pid))
    } else {
        Verdict::pass(format!(
            "dockerd (pid {}) runs as uid {}",
            process.pid, process.uid
        ))
    };
    on_daemon(ctx, verdict.with_evidence(evidence))
}
