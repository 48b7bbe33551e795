//! The host's cgroup namespace shared.

use crate::prelude::*;

use super::{daemon_info, ev};

declare_rule! {
    /// ## What it checks
    /// The container's effective cgroup namespace mode (`--cgroupns`, `HostConfig.CgroupnsMode`).
    /// It fails for `host`, and for an unset mode when the daemon's default is the host's: on
    /// cgroup v1 (`/info` `CgroupVersion`) unless the daemon sets `default-cgroupns-mode`
    /// `private`, or on cgroup v2 when it sets `host`. Where the daemon's configuration was not
    /// read (the authorization plugin does not read daemon.json), Docker's built-in default for
    /// the cgroup version counts. dockerd records the effective mode when it creates a container,
    /// so an audit judges what the container got. A compose service or a Kubernetes container
    /// that sets no mode is not applicable: its default depends on the cgroup version of the host
    /// it will run on, which a file does not tell.
    ///
    /// ## Why it matters
    /// In the host's cgroup namespace the container sees the host's whole cgroup hierarchy
    /// (`/proc/self/cgroup` names the host's paths), and with a writable cgroupfs, as under
    /// `--privileged` or `CAP_SYS_ADMIN`, it can escape through cgroup v1's `release_agent`.
    ///
    /// ## How to fix
    /// Run with `docker run --cgroupns private`, or make it the default for every container with
    /// `"default-cgroupns-mode": "private"` in daemon.json (the default on cgroup v2).
    pub static RULE = Rule {
        id: "CT0029",
        name: "host-cgroupns",
        title: "The host's cgroup namespace is not shared",
        severity: Severity::Medium,
        references: &[],
        fix: "run with --cgroupns private (or set default-cgroupns-mode private in daemon.json)",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/CgroupnsMode"],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    let mode = &w.cgroupns_mode;
    let evidence = Evidence::at(&mode.at, &mode.mode);
    match mode.mode.as_str() {
        "host" => {
            return Verdict::fail("container shares the host's cgroup namespace").with_evidence([evidence]);
        }
        "private" => {
            return Verdict::pass("container has its own cgroup namespace").with_evidence([evidence]);
        }
        "" if w.origin.is_file() => {
            return Verdict::not_applicable(
                "no cgroup namespace mode is set, and the default depends on the host it runs on, which a file does not tell: private on cgroup v2, the host's on cgroup v1 (Docker's defaults)",
            );
        }
        "" => {}
        other => {
            return Verdict::error(format!("unrecognised cgroup namespace mode \"{other}\""))
                .with_evidence([evidence]);
        }
    }
    let info = match daemon_info(ctx, "the daemon's cgroup version is") {
        Ok(info) => info,
        Err(unknown) => return unknown,
    };
    let version = &info.cgroup_version;
    let builtin = match version.value.as_str() {
        "1" => "host",
        "2" => "private",
        "" => {
            return Verdict::error(
                "the daemon's cgroup version is unknown: /info does not report CgroupVersion",
            );
        }
        other => return Verdict::error(format!("unrecognised cgroup version \"{other}\" in /info")),
    };
    let configured = ctx
        .daemon
        .config
        .as_ref()
        .and_then(|c| c.str("default-cgroupns-mode"));
    let (default, why) = match configured {
        Some((value, _)) => (value, "the daemon's default-cgroupns-mode"),
        None if ctx.daemon.config.is_some() => (builtin, "Docker's default"),
        None => (
            builtin,
            "Docker's default (the daemon's configuration, which may change it, was not read)",
        ),
    };
    let mut evidence = vec![evidence, ev(version)];
    if let Some((_, setting)) = configured {
        evidence.push(Evidence::new(setting.at.to_string(), &setting.value));
    }
    let on = format!("cgroup v{}", version.value);
    if default == "host" {
        Verdict::fail(format!(
            "container sets no cgroup namespace mode, so it shares the host's: {why} on {on} is host"
        ))
        .with_evidence(evidence)
    } else {
        Verdict::pass(format!(
            "container sets no cgroup namespace mode and gets its own: {why} on {on} is {default}"
        ))
        .with_evidence(evidence)
    }
}
