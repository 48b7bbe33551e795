//! Rules judging the daemon: its configuration and what it reports (CIS Docker Benchmark 1.6.0
//! sections 2 and 6).

use dockward_model::{Fact, Sprawl};

use crate::facts::{observed, on_daemon};
use crate::rule::{Context, Judged};

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

/// The image and container counts, or the `error` verdicts saying that `subject` is unknown.
pub(crate) fn sprawl_counts<'a>(ctx: &Context<'a>, subject: &str) -> Result<&'a Fact<Sprawl>, Vec<Judged>> {
    if ctx.daemon.file_only {
        return Err(on_daemon(
            ctx,
            dockward_model::Verdict::not_applicable(crate::facts::NEEDS_RUNNING_DAEMON),
        ));
    }
    match ctx.daemon.sprawl.as_ref() {
        Some(sprawl) => observed(sprawl, subject).map_err(|unknown| on_daemon(ctx, unknown)),
        None => Err(on_daemon(
            ctx,
            dockward_model::Verdict::error(format!("{subject} unknown: they were not collected")),
        )),
    }
}
