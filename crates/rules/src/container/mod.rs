//! Rules judging one container workload (CIS Docker Benchmark 1.6.0 sections 4.1 and 5).

use std::collections::BTreeSet;

use dockward_model::{Evidence, Mount, NamespaceMode, PortBinding, Verdict, Workload};

pub(crate) use crate::facts::{daemon_info, ev};

pub mod added_capabilities;
pub mod apparmor_unconfined;
pub mod capabilities_not_dropped;
pub mod cgroup_parent_set;
pub mod cpu_unlimited;
pub mod dangerous_capabilities;
pub mod default_bridge;
pub mod docker_socket_mount;
pub mod healthcheck_missing;
pub mod host_cgroupns;
pub mod host_devices;
pub mod host_ipc;
pub mod host_network;
pub mod host_pid;
pub mod host_userns;
pub mod host_uts;
pub mod memory_unlimited;
pub mod new_privileges_allowed;
pub mod pids_unlimited;
pub mod port_on_all_interfaces;
pub mod privileged_container;
pub mod privileged_host_port;
pub mod restart_policy_unbounded;
pub mod runs_as_root;
pub mod seccomp_unconfined;
pub mod selinux_unconfined;
pub mod sensitive_host_mount;
pub mod shared_mount_propagation;
pub mod systempaths_unconfined;
pub mod ulimit_override;
pub mod unsafe_sysctls;
pub mod untrusted_registry;
pub mod writable_rootfs;

/// Evidence for a mount, shaped like the API object the pointer addresses.
pub(crate) fn mount_evidence(m: &Mount) -> Evidence {
    let mut value = serde_json::json!({
        "Type": m.kind, "Source": m.source, "Destination": m.destination,
        "RW": !m.read_only, "Propagation": m.propagation,
    });
    if let Some(device) = &m.bind_device {
        value["VolumeDevice"] = device.as_str().into();
    }
    if let Some(real) = &m.source_realpath {
        value["ResolvedSource"] = real.as_str().into();
    }
    Evidence::at(&m.at, value)
}

/// Evidence for a port binding, shaped like the API object the pointer addresses.
pub(crate) fn port_evidence(p: &PortBinding) -> Evidence {
    Evidence::at(
        &p.at,
        serde_json::json!({"HostIp": p.host_ip, "HostPort": p.host_port}),
    )
}

/// Docker's default capability set (moby `daemon/pkg/oci/caps/defaults.go`).
pub const DEFAULT_CAPABILITIES: [&str; 14] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Every Linux capability (as of Linux 5.9), which `--privileged` and `--cap-add ALL` grant.
pub const ALL_CAPABILITIES: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// A capability name in dockerd's canonical spelling: upper case, without `CAP_`.
pub(crate) fn normalize_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// The capability set a container effectively gets, computed as dockerd does
/// (`TweakCapabilities`): privileged → all; `ALL` added → all minus the dropped; `ALL`
/// dropped → exactly the added; else defaults minus dropped plus added.
pub(crate) fn effective_capabilities(w: &Workload) -> BTreeSet<String> {
    let all = || ALL_CAPABILITIES.iter().map(|c| c.to_string());
    if w.privileged.value {
        return all().collect();
    }
    let add: BTreeSet<String> = w.cap_add.value.iter().map(|c| normalize_capability(c)).collect();
    let drop: BTreeSet<String> = w.cap_drop.value.iter().map(|c| normalize_capability(c)).collect();
    if add.contains("ALL") {
        all().filter(|c| !drop.contains(c)).collect()
    } else if drop.contains("ALL") {
        add
    } else {
        DEFAULT_CAPABILITIES
            .iter()
            .map(|c| c.to_string())
            .filter(|c| !drop.contains(c))
            .chain(add)
            .collect()
    }
}

/// Evidence for the capability settings of a workload.
pub(crate) fn capability_evidence(w: &Workload) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    if w.privileged.value {
        evidence.push(ev(&w.privileged));
    }
    if !w.cap_add.value.is_empty() {
        evidence.push(ev(&w.cap_add));
    }
    if !w.cap_drop.value.is_empty() {
        evidence.push(ev(&w.cap_drop));
    }
    evidence
}

/// A path with `.`/`..` segments, repeated and trailing slashes resolved lexically.
pub(crate) fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether `path` is `dir` or lies below it; both normalized.
pub(crate) fn is_within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// Why the container a join names is not known: not inspected, or (for a compose service) not a
/// service of the project, so the file does not say what it uses.
pub(crate) fn unknown_join(w: &Workload) -> &'static str {
    if w.origin.is_file() {
        "which is not part of the project, so its namespace is not known from the files"
    } else {
        "which could not be inspected"
    }
}

/// The shared verdict of the "host namespace not shared" rules.
pub(crate) fn host_namespace_verdict(
    w: &Workload,
    ns: &NamespaceMode,
    namespace: &str,
    flag: &str,
) -> Verdict {
    let evidence = Evidence::at(&ns.at, &ns.mode);
    let joined = ns.join.as_ref().map(|join| {
        join.resolved
            .as_ref()
            .map_or(join.reference.as_str(), |r| r.name.as_str())
    });
    match (ns.is_host(), joined) {
        (Some(true), None) => Verdict::fail(format!("container shares the host's {namespace} namespace"))
            .with_evidence([evidence])
            .fix(format!("remove {flag}=host")),
        (Some(true), Some(joined)) => Verdict::fail(format!(
            "container joins the {namespace} namespace of container {joined}, which is the host's"
        ))
        .with_evidence([evidence])
        .fix(format!(
            "do not join ({flag}=container:…) a container that uses the host's {namespace} namespace"
        )),
        (None, Some(joined)) => Verdict::error(format!(
            "container joins the {namespace} namespace of container {joined}, {}",
            unknown_join(w)
        ))
        .with_evidence([evidence]),
        _ => Verdict::pass(format!("container has its own {namespace} namespace")).with_evidence([evidence]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_lexically() {
        assert_eq!(normalize_path("/etc/"), "/etc");
        assert_eq!(normalize_path("//usr/./lib/../bin"), "/usr/bin");
        assert_eq!(normalize_path("/../.."), "/");
        assert_eq!(normalize_path(""), "/");
    }

    #[test]
    fn within_means_equal_or_below() {
        assert!(is_within("/etc/ssl", "/etc"));
        assert!(is_within("/etc", "/etc"));
        assert!(!is_within("/etcetera", "/etc"));
        assert!(is_within("/anything", "/"));
    }

    #[test]
    fn capability_spellings_normalize() {
        assert_eq!(normalize_capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(normalize_capability("Sys_Admin"), "SYS_ADMIN");
        assert_eq!(normalize_capability("all"), "ALL");
    }
}
