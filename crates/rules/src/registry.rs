//! The one list of every rule, in CIS order. Adding a rule means adding its file and one line here.

use crate::container as ct;
use crate::rule::{Planned, Rule};

/// Every rule dockward evaluates.
pub static RULES: &[&Rule] = &[
    &ct::runs_as_root::RULE,
    &ct::apparmor_unconfined::RULE,
    &ct::selinux_unconfined::RULE,
    &ct::added_capabilities::RULE,
    &ct::dangerous_capabilities::RULE,
    &ct::privileged_container::RULE,
    &ct::sensitive_host_mount::RULE,
    &ct::privileged_host_port::RULE,
    &ct::host_network::RULE,
    &ct::memory_unlimited::RULE,
    &ct::cpu_unlimited::RULE,
    &ct::writable_rootfs::RULE,
    &ct::port_on_all_interfaces::RULE,
    &ct::restart_policy_unbounded::RULE,
    &ct::host_pid::RULE,
    &ct::host_ipc::RULE,
    &ct::host_devices::RULE,
    &ct::ulimit_override::RULE,
    &ct::shared_mount_propagation::RULE,
    &ct::host_uts::RULE,
    &ct::seccomp_unconfined::RULE,
    &ct::cgroup_parent_set::RULE,
    &ct::new_privileges_allowed::RULE,
    &ct::healthcheck_missing::RULE,
    &ct::pids_unlimited::RULE,
    &ct::default_bridge::RULE,
    &ct::host_userns::RULE,
    &ct::docker_socket_mount::RULE,
];

/// CIS section 5 items without an automated rule yet, shown by `dockward rules`.
pub static PLANNED: &[Planned] = &[
    Planned {
        reference: "cis-docker-1.6.0:5.1",
        title: "Swarm mode is not enabled, if not needed",
        reason: "judged with the swarm checks of section 7 (planned)",
    },
    Planned {
        reference: "cis-docker-1.6.0:5.7",
        title: "sshd is not run within containers",
        reason: "needs each container's process list; planned for a later release",
    },
    Planned {
        reference: "cis-docker-1.6.0:5.9",
        title: "Only needed ports are open on the container",
        reason: "manual: needs to know what the service needs; published ports are listed by port-on-all-interfaces",
    },
    Planned {
        reference: "cis-docker-1.6.0:5.23",
        title: "docker exec commands are not used with the privileged option",
        reason: "needs audit logs of exec calls; to be enforced by the authorization plugin (planned)",
    },
    Planned {
        reference: "cis-docker-1.6.0:5.24",
        title: "docker exec commands are not used with the user=root option",
        reason: "needs audit logs of exec calls; to be enforced by the authorization plugin (planned)",
    },
    Planned {
        reference: "cis-docker-1.6.0:5.28",
        title: "The latest version of the image is used",
        reason: "manual: needs registry access",
    },
];

/// Finds a rule by id or name (case-insensitive).
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}
