//! CIS 5.3: no SELinux labels applied.

use dockward_model::security_opt::SecurityOpts;

use dockward_model::Status;

use crate::prelude::*;

use crate::facts::item_ev;

use super::{daemon_info, ev};

declare_rule! {
    /// ## What it checks
    /// Whether the container runs with an SELinux process label. It fails when labelling is
    /// disabled (`--security-opt label=disable`, also spelled `label:disable`; implied by
    /// `--privileged`) or no process label was applied (`ProcessLabel` empty). A container that
    /// does not exist yet (a create request) is judged as dockerd labels it: unlabelled with
    /// `label=disable` or `--privileged`, and, unless a `label=` option is given, when sharing the
    /// host's PID or IPC namespace.
    /// Not applicable when the daemon runs without SELinux support (`/info` `SecurityOptions` has
    /// no `name=selinux`, i.e. dockerd was started without `--selinux-enabled`).
    ///
    /// A compose service or a Kubernetes container is judged on what it asks for, since the host
    /// it will run on is not known: as a create request (but a Kubernetes container sharing the
    /// host's PID or IPC namespace is still labelled), and an `seLinuxOptions` type `spc_t` (the
    /// unconfined container type) fails too. Otherwise the runtime labels the
    /// container where the host runs SELinux, and the message says so.
    ///
    /// ## Why it matters
    /// The `container_t` type confines what a container process may touch on the host even when it
    /// is root; an unlabelled process is limited only by discretionary permissions.
    ///
    /// ## How to fix
    /// Remove `--security-opt label=disable` and `--privileged`; set specific labels with
    /// `--security-opt label=type:TYPE` or `label=level:LEVEL` where the default does not fit.
    pub static RULE = Rule {
        id: "CT0003",
        name: "selinux-unconfined",
        title: "SELinux security options are set",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:5.3"],
        fix: "remove --security-opt label=disable and --privileged",
        check: Check::Container(ContainerCheck {
            needs: &[
                "/ProcessLabel",
                "/HostConfig/SecurityOpt",
                "/HostConfig/Privileged",
                "/HostConfig/PidMode",
                "/HostConfig/IpcMode",
            ],
            check,
        }),
    };
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    if w.origin.is_file() {
        return asked(w);
    }
    let info = match daemon_info(ctx, "the daemon's security options are") {
        Ok(info) => info,
        Err(unknown) => return unknown,
    };
    if !info.has_security_option("selinux") {
        return Verdict::not_applicable("the daemon runs without SELinux support")
            .with_evidence([ev(&info.security_options)]);
    }
    let opts = SecurityOpts::parse(&w.security_opt.value);
    if let Some(index) = opts.label_disabled() {
        return Verdict::fail("SELinux labelling is disabled for the container").with_evidence([item_ev(
            &w.security_opt.at,
            index,
            &w.security_opt.value[index],
        )]);
    }
    match &w.process_label {
        Some(label) if !label.value.is_empty() => {
            Verdict::pass(format!("process label \"{}\" is applied", label.value)).with_evidence([ev(label)])
        }
        Some(label) => {
            Verdict::fail("container runs without an SELinux process label").with_evidence([ev(label)])
        }
        None => requested(w),
    }
}

/// Whether dockerd labels a container a create request asks for: a privileged container never
/// gets a process label (`GetProcessLabel`); otherwise any `label=` option overrides dockerd's
/// choice (`generateSecurityOpt`), which leaves containers sharing the host's PID or IPC
/// namespace unlabelled. (`label=disable` was judged before.)
fn requested(w: &Workload) -> Verdict {
    if w.privileged.value {
        return Verdict::fail("container is privileged, so SELinux labelling is disabled")
            .with_evidence([ev(&w.privileged)]);
    }
    let explicit = w
        .security_opt
        .value
        .iter()
        .any(|o| o.split('=').next() == Some("label"));
    if !explicit {
        for (ns, name) in [(&w.pid_mode, "PID"), (&w.ipc_mode, "IPC")] {
            if ns.mode == "host" {
                return Verdict::fail(format!(
                    "container shares the host's {name} namespace, so SELinux labelling is disabled"
                ))
                .with_evidence([Evidence::at(&ns.at, &ns.mode)]);
            }
        }
    }
    Verdict::pass("SELinux labelling is not disabled, so the daemon labels the container")
}

/// What a compose service or a Kubernetes container asks for; whether the host runs SELinux is
/// not known from a file.
fn asked(w: &Workload) -> Verdict {
    let opts = SecurityOpts::parse(&w.security_opt.value);
    if let Some(index) = opts.label_disabled() {
        return Verdict::fail("SELinux labelling is disabled for the container").with_evidence([item_ev(
            &w.security_opt.at,
            index,
            &w.security_opt.value[index],
        )]);
    }
    let options = w.kubernetes.as_deref().map_or(&[][..], |k| k.selinux.as_slice());
    if let Some(spc) = options
        .iter()
        .find(|o| o.value.r#type.as_deref() == Some("spc_t"))
    {
        return Verdict::fail("the container runs with the unconfined SELinux type spc_t")
            .with_evidence([ev(spc)]);
    }
    // Sharing the host's PID or IPC namespace unlabels a container only in dockerd; the
    // kubelet's runtimes label it all the same.
    let kubernetes = matches!(w.origin, dockward_model::Origin::Kubernetes { .. });
    if kubernetes && w.privileged.value {
        return Verdict::fail("container is privileged, so SELinux labelling is disabled")
            .with_evidence([ev(&w.privileged)]);
    }
    let verdict = if kubernetes {
        Verdict::pass("")
    } else {
        requested(w)
    };
    if verdict.status == Status::Pass {
        return Verdict::pass(
            "SELinux labelling is not disabled, so the runtime labels the container where the host runs SELinux",
        );
    }
    verdict
}
