//! Rules judging the daemon: its configuration and what it reports (CIS Docker Benchmark 1.6.0
//! sections 2 and 6).

pub mod authz_plugin_missing;
pub mod base_device_size;
pub mod config_drift;
pub mod config_rejected;
pub mod container_sprawl;
pub mod daemon_cgroup_parent;
pub mod daemon_seccomp_unconfined;
pub mod default_ulimit_unset;
pub mod deprecated_storage_driver;
pub mod experimental_enabled;
pub mod icc_enabled;
pub mod image_sprawl;
pub mod insecure_registry;
pub mod iptables_disabled;
pub mod live_restore_disabled;
pub mod log_level;
pub mod new_privileges_default;
pub mod plain_tcp_listener;
pub mod remote_logging_missing;
pub mod rootful_daemon;
pub mod tcp_without_tls;
pub mod userland_proxy_enabled;
pub mod userns_remap_disabled;
