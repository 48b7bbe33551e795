//! The one list of every rule, in CIS order. Adding a rule means adding its file and one line here.

use crate::container as ct;
use crate::daemon as da;
use crate::dockerfile as df;
use crate::files as fi;
use crate::host as ho;
use crate::image as im;
use crate::pss as ps;
use crate::request as rq;
use crate::rule::{Planned, Rule};
use crate::seccomp_profile as sc;
use crate::swarm as sw;

/// Every rule dockward evaluates.
pub static RULES: &[&Rule] = &[
    &ho::data_root_on_root_fs::RULE,
    &ho::socket_users::RULE,
    &ho::audit_dockerd::RULE,
    &ho::audit_run_containerd::RULE,
    &ho::audit_data_root::RULE,
    &ho::audit_etc_docker::RULE,
    &ho::audit_docker_service::RULE,
    &ho::audit_containerd_socket::RULE,
    &ho::audit_docker_socket_unit::RULE,
    &ho::audit_etc_default_docker::RULE,
    &ho::audit_daemon_json::RULE,
    &ho::audit_containerd_config::RULE,
    &ho::audit_etc_sysconfig_docker::RULE,
    &ho::audit_containerd::RULE,
    &ho::audit_containerd_shim::RULE,
    &ho::audit_containerd_shim_runc_v1::RULE,
    &ho::audit_containerd_shim_runc_v2::RULE,
    &ho::audit_runc::RULE,
    &ho::docker_outdated::RULE,
    &ho::extra_uid0_accounts::RULE,
    &ho::kernel_seccomp_missing::RULE,
    &ho::lsm_disabled::RULE,
    &da::rootful_daemon::RULE,
    &da::icc_enabled::RULE,
    &da::log_level::RULE,
    &da::iptables_disabled::RULE,
    &da::insecure_registry::RULE,
    &da::deprecated_storage_driver::RULE,
    &da::tcp_without_tls::RULE,
    &da::default_ulimit_unset::RULE,
    &da::userns_remap_disabled::RULE,
    &da::daemon_cgroup_parent::RULE,
    &da::base_device_size::RULE,
    &da::authz_plugin_missing::RULE,
    &da::remote_logging_missing::RULE,
    &da::new_privileges_default::RULE,
    &da::live_restore_disabled::RULE,
    &da::userland_proxy_enabled::RULE,
    &da::daemon_seccomp_unconfined::RULE,
    &da::experimental_enabled::RULE,
    &da::plain_tcp_listener::RULE,
    &da::config_rejected::RULE,
    &da::config_drift::RULE,
    &fi::docker_service_ownership::RULE,
    &fi::docker_service_permissions::RULE,
    &fi::docker_socket_unit_ownership::RULE,
    &fi::docker_socket_unit_permissions::RULE,
    &fi::etc_docker_ownership::RULE,
    &fi::etc_docker_permissions::RULE,
    &fi::registry_cert_ownership::RULE,
    &fi::registry_cert_permissions::RULE,
    &fi::tls_ca_ownership::RULE,
    &fi::tls_ca_permissions::RULE,
    &fi::tls_cert_ownership::RULE,
    &fi::tls_cert_permissions::RULE,
    &fi::tls_key_ownership::RULE,
    &fi::tls_key_permissions::RULE,
    &fi::docker_socket_ownership::RULE,
    &fi::docker_socket_permissions::RULE,
    &fi::daemon_json_ownership::RULE,
    &fi::daemon_json_permissions::RULE,
    &fi::etc_default_docker_ownership::RULE,
    &fi::etc_default_docker_permissions::RULE,
    &fi::etc_sysconfig_docker_permissions::RULE,
    &fi::etc_sysconfig_docker_ownership::RULE,
    &fi::containerd_socket_ownership::RULE,
    &fi::containerd_socket_permissions::RULE,
    &ct::runs_as_root::RULE,
    &im::image_runs_as_root::RULE,
    &df::dockerfile_runs_as_root::RULE,
    &df::base_image_without_digest::RULE,
    &df::untrusted_base_image::RULE,
    &im::image_untrusted_registry::RULE,
    &ct::untrusted_registry::RULE,
    &im::content_trust_disabled::RULE,
    &im::image_healthcheck_missing::RULE,
    &df::dockerfile_healthcheck_missing::RULE,
    &df::lone_package_update::RULE,
    &im::image_setuid_files::RULE,
    &df::risky_chmod::RULE,
    &im::image_add_in_history::RULE,
    &df::add_instead_of_copy::RULE,
    &df::unverified_remote_add::RULE,
    &im::image_secret_env::RULE,
    &im::image_secret_files::RULE,
    &df::dockerfile_secret::RULE,
    &df::package_signature_check_disabled::RULE,
    &sw::swarm_enabled::RULE,
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
    &rq::privileged_exec::RULE,
    &rq::exec_as_root::RULE,
    &ct::cgroup_parent_set::RULE,
    &ct::new_privileges_allowed::RULE,
    &ct::healthcheck_missing::RULE,
    &ct::pids_unlimited::RULE,
    &ct::default_bridge::RULE,
    &ct::host_userns::RULE,
    &ct::docker_socket_mount::RULE,
    &da::image_sprawl::RULE,
    &da::container_sprawl::RULE,
    &sw::swarm_manager_count::RULE,
    &sw::swarm_port_all_interfaces::RULE,
    &sw::overlay_unencrypted::RULE,
    &sw::swarm_secrets_unused::RULE,
    &sw::swarm_autolock_disabled::RULE,
    &sw::swarm_cert_expiry::RULE,
    &df::unpinned_base_image::RULE,
    &df::sudo_in_run::RULE,
    &df::remote_script_piped_to_shell::RULE,
    &df::ssh_server::RULE,
    &df::tls_verification_disabled::RULE,
    &df::insecure_build_entitlement::RULE,
    &df::build_host_network::RULE,
    &df::passwordless_sudo::RULE,
    &df::sudo_installed::RULE,
    &df::unpinned_copy_from_image::RULE,
    &im::image_exposes_ssh::RULE,
    &ct::host_cgroupns::RULE,
    &ct::unsafe_sysctls::RULE,
    &ct::systempaths_unconfined::RULE,
    &ct::capabilities_not_dropped::RULE,
    &rq::host_network_build::RULE,
    &rq::buildkit_session::RULE,
    &rq::plugin_change::RULE,
    &rq::update_lifts_limit::RULE,
    &rq::unknown_route::RULE,
    &ps::host_process::RULE,
    &ps::hostpath_volumes::RULE,
    &ps::host_ports::RULE,
    &ps::apparmor::RULE,
    &ps::selinux::RULE,
    &ps::sysctls::RULE,
    &ps::host_probes::RULE,
    &ps::seccomp_baseline::RULE,
    &ps::capabilities_baseline::RULE,
    &ps::procmount_baseline::RULE,
    &ps::volume_types::RULE,
    &ps::privilege_escalation::RULE,
    &ps::run_as_non_root::RULE,
    &ps::run_as_user::RULE,
    &ps::seccomp_restricted::RULE,
    &ps::capabilities_restricted::RULE,
    &ps::procmount_restricted::RULE,
    &sc::default_allows::RULE,
    &sc::allows_blocked::RULE,
    &sc::arch_gaps::RULE,
    &sc::log_or_trace::RULE,
];

/// CIS items without an automated rule, shown by `dockward rules`.
pub static PLANNED: &[Planned] = &[
    Planned {
        reference: "cis-docker-1.6.0:1.2.1",
        title: "The container host has been hardened",
        reason: "manual: host hardening is outside Docker; see the host rules for what dockward checks",
    },
    Planned {
        reference: "cis-docker-1.6.0:4.3",
        title: "Unnecessary packages are not installed in the container",
        reason: "manual: needs to know what the service needs; an image package inventory is planned",
    },
    Planned {
        reference: "cis-docker-1.6.0:4.4",
        title: "Images are scanned and rebuilt to include security patches",
        reason: "manual: needs a vulnerability scanner and its database, which dockward does not ship",
    },
    Planned {
        reference: "cis-docker-1.6.0:4.12",
        title: "All signed artifacts are validated",
        reason: "manual: needs the signatures and the keys to trust",
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
        reference: "cis-docker-1.6.0:5.28",
        title: "The latest version of the image is used",
        reason: "manual: needs registry access",
    },
    Planned {
        reference: "cis-docker-1.6.0:7.6",
        title: "Swarm manager auto-lock key is rotated periodically",
        reason: "manual: the swarm does not record when its unlock key was last rotated",
    },
    Planned {
        reference: "cis-docker-1.6.0:7.8",
        title: "CA certificates are rotated as appropriate",
        reason: "manual: the swarm does not record when its root CA was last rotated",
    },
    Planned {
        reference: "cis-docker-1.6.0:7.9",
        title: "Management plane traffic is separated from data plane traffic",
        reason: "manual: needs to know the host's networks; swarm-port-all-interfaces checks the listen address",
    },
];

/// Rules that run only when enabled with `--enable`: stricter than most users want by default.
pub static OPT_IN: &[&str] = &["DF0008", "CT0033", "IM0009", "DF0020"];

/// Finds a rule by id or name (case-insensitive).
pub fn find(key: &str) -> Option<&'static Rule> {
    // Every decision of the authorization plugin looks rules up: a map, not a scan of them all.
    static BY_KEY: std::sync::LazyLock<std::collections::HashMap<String, &'static Rule>> =
        std::sync::LazyLock::new(|| {
            let mut map = std::collections::HashMap::new();
            // Each key as written too, so the usual spellings (`CT0001`, `host-pid`) are found
            // without lowercasing them first.
            for &rule in RULES {
                for key in [rule.id, rule.name] {
                    map.entry(key.to_string()).or_insert(rule);
                    map.entry(key.to_ascii_lowercase()).or_insert(rule);
                }
            }
            map
        });
    BY_KEY
        .get(key)
        .or_else(|| BY_KEY.get(&key.to_ascii_lowercase()))
        .copied()
}
