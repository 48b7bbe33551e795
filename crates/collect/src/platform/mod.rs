//! Facts about the platform under the containers: the daemon's configuration and its host.
//! Blocking file I/O, run beside the API calls.

pub mod config;
pub mod fs;
pub mod host;
pub mod probe;
pub mod process;

use dockward_model::{DaemonConfig, HostFacts, InfoFacts};

use crate::endpoint::Endpoint;
use fs::HostFs;

/// The platform facts, or why each part could not be read.
pub struct PlatformFacts {
    /// The daemon's configuration.
    pub config: Result<DaemonConfig, String>,
    /// The host.
    pub host: Result<HostFacts, String>,
}

/// dockward's effective uid, from its own status file.
pub fn collector_uid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            crate::parse::procfs::parse_status_field(&s, "Uid")
                .and_then(|uids| uids.split_whitespace().nth(1))
                .and_then(|euid| euid.parse().ok())
        })
        .unwrap_or(u32::MAX)
}

/// Reads the configuration of the daemon behind `endpoint` and the facts of its host, from the
/// host filesystem at `fs`. `explicit_root` says the user pointed dockward at the host's files
/// (`--host-root`): they are read even when the endpoint looks remote.
pub fn collect_platform(
    fs: &HostFs,
    endpoint: &Endpoint,
    info: Option<&InfoFacts>,
    explicit_root: bool,
) -> PlatformFacts {
    if let Endpoint::Tcp { host, .. } = endpoint
        && !process::is_loopback(host)
        && !explicit_root
    {
        let why = format!(
            "the daemon at {endpoint} is on another host; run dockward there, or mount that host's files and pass --host-root"
        );
        return PlatformFacts {
            config: Err(why.clone()),
            host: Err(why),
        };
    }
    let found = process::find_daemon(fs, endpoint);
    let config = found
        .clone()
        .and_then(|found| config::daemon_config(fs, &found, info));
    let daemon_sockets = match &found {
        Ok(found) => found.sockets.clone(),
        Err(_) => Err("the dockerd process was not found".to_string()),
    };
    let inputs = host::HostInputs {
        endpoint,
        config: config.as_ref().ok(),
        info,
        collector_uid: collector_uid(),
        daemon_sockets: daemon_sockets.as_ref(),
    };
    let host = host::host_facts(fs, &inputs);
    PlatformFacts {
        config,
        host: Ok(host),
    }
}
