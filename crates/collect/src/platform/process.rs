//! Finds the dockerd process that serves the audited endpoint.
//!
//! Several daemons can run on one host (rootless ones, test daemons); the configuration that
//! matters is the one of the daemon dockward talks to. As root the match is exact: the listening
//! socket's inode (`/proc/net/unix`, `/proc/net/tcp*`) is looked up among each dockerd's open
//! files. Without root the command lines decide, and the finding says so.

use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::endpoint::Endpoint;
use crate::parse::dockerd_args::parse_dockerd_args;
use crate::parse::procfs;

use super::fs::HostFs;

/// The process found, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundDaemon {
    /// Its pid.
    pub pid: u32,
    /// How it was identified.
    pub found_by: String,
    /// Inodes of its open sockets, or why they could not be read (kept: reading them again costs a
    /// syscall per open file).
    pub sockets: Result<BTreeSet<u64>, String>,
}

/// Pids of processes named `dockerd`.
pub fn dockerd_pids(fs: &HostFs) -> Vec<u32> {
    let Ok(entries) = fs.list("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .iter()
        .filter_map(|e| e.parse::<u32>().ok())
        .filter(|pid| {
            fs.read(&format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "dockerd")
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// The socket inodes of a process's open files; `Err` when they cannot be read.
pub fn socket_inodes(fs: &HostFs, pid: u32) -> std::io::Result<BTreeSet<u64>> {
    let dir = format!("/proc/{pid}/fd");
    let mut inodes = BTreeSet::new();
    for fd in fs.list(&dir)? {
        if let Some(inode) = fs
            .read_link(&format!("{dir}/{fd}"))
            .ok()
            .and_then(|l| procfs::socket_inode(&l))
        {
            inodes.insert(inode);
        }
    }
    Ok(inodes)
}

/// Whether a TCP endpoint's host is this machine (dockward only reads local hosts).
pub fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Inodes of the listening sockets behind the endpoint.
fn listening_inodes(fs: &HostFs, endpoint: &Endpoint) -> Result<BTreeSet<u64>, String> {
    match endpoint {
        Endpoint::Unix { path } => {
            let wanted = fs.resolve(&path.display().to_string());
            let name = wanted.rsplit('/').next().unwrap_or_default().to_string();
            let table = fs
                .read("/proc/net/unix")
                .map_err(|e| format!("cannot read /proc/net/unix: {e}"))?;
            // Resolving links costs syscalls per path component: only for sockets of the same name.
            Ok(procfs::parse_net_unix(&table)
                .into_iter()
                .filter(|s| s.listening && s.path.rsplit('/').next() == Some(name.as_str()))
                .filter(|s| fs.resolve(&s.path) == wanted)
                .map(|s| s.inode)
                .collect())
        }
        Endpoint::Tcp { host, port, .. } => {
            if !is_loopback(host) {
                return Err(format!("the daemon at {endpoint} is on another host"));
            }
            let mut inodes = BTreeSet::new();
            for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
                if let Ok(table) = fs.read(file) {
                    inodes.extend(
                        procfs::parse_net_tcp(&table, v6)
                            .into_iter()
                            .filter(|s| s.listening && s.port == *port)
                            .map(|s| s.inode),
                    );
                }
            }
            Ok(inodes)
        }
    }
}

/// Whether a dockerd command line names the endpoint (or, with no `-H`, the default socket).
fn argv_names(argv: &[String], endpoint: &Endpoint) -> bool {
    let parsed = parse_dockerd_args(argv);
    let hosts: Vec<String> = parsed
        .get("hosts")
        .and_then(|s| s.value.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).map(str::to_string).collect())
        .unwrap_or_default();
    match endpoint {
        Endpoint::Unix { path } => {
            let path = path.display().to_string();
            if hosts.is_empty() {
                return matches!(path.as_str(), "/var/run/docker.sock" | "/run/docker.sock");
            }
            hosts
                .iter()
                .any(|h| h.strip_prefix("unix://") == Some(path.as_str()))
        }
        Endpoint::Tcp { port, .. } => hosts
            .iter()
            .any(|h| h.starts_with("tcp://") && h.ends_with(&format!(":{port}"))),
    }
}

/// Finds the dockerd serving `endpoint`.
pub fn find_daemon(fs: &HostFs, endpoint: &Endpoint) -> Result<FoundDaemon, String> {
    let inodes = listening_inodes(fs, endpoint)?;
    let candidates = dockerd_pids(fs);
    if candidates.is_empty() {
        return Err(
            "no dockerd process is visible in /proc (dockward must share the host's PID namespace)".into(),
        );
    }
    let mut unreadable = None;
    for &pid in &candidates {
        match socket_inodes(fs, pid) {
            Ok(open) => {
                if let Some(&inode) = open.intersection(&inodes).next() {
                    return Ok(FoundDaemon {
                        pid,
                        found_by: format!("listens on {endpoint} (socket inode {inode})"),
                        sockets: Ok(open),
                    });
                }
            }
            Err(e) => unreadable = Some(e),
        }
    }
    let Some(error) = unreadable else {
        return Err(format!("no dockerd process listens on {endpoint}"));
    };
    // Without root the open files of dockerd are hidden: fall back to what the command lines say.
    let named: Vec<u32> = candidates
        .iter()
        .copied()
        .filter(|pid| {
            fs.read_bytes(&format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| argv_names(&procfs::parse_cmdline(&c), endpoint))
        })
        .collect();
    match (named.as_slice(), candidates.as_slice()) {
        ([pid], _) => Ok(FoundDaemon {
            pid: *pid,
            found_by: format!("its command line names {endpoint} (its open sockets are unreadable: {error})"),
            sockets: Err(format!(
                "cannot read the open files of dockerd (pid {pid}): {error}"
            )),
        }),
        ([], [pid]) => Ok(FoundDaemon {
            pid: *pid,
            found_by: format!("the only dockerd process (its open sockets are unreadable: {error})"),
            sockets: Err(format!(
                "cannot read the open files of dockerd (pid {pid}): {error}"
            )),
        }),
        _ => Err(format!(
            "{} dockerd processes run and their open sockets are unreadable ({error}); run dockward as root to tell which serves {endpoint}",
            candidates.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn command_lines_name_endpoints() {
        let unix = Endpoint::Unix {
            path: "/run/user/1000/docker.sock".into(),
        };
        assert!(argv_names(
            &argv(&["dockerd", "-H", "unix:///run/user/1000/docker.sock"]),
            &unix
        ));
        assert!(!argv_names(&argv(&["dockerd"]), &unix));
        let default = Endpoint::Unix {
            path: "/var/run/docker.sock".into(),
        };
        assert!(argv_names(&argv(&["dockerd", "--live-restore"]), &default));
        let tcp = Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port: 2375,
            tls: None,
        };
        assert!(argv_names(&argv(&["dockerd", "--host=tcp://0.0.0.0:2375"]), &tcp));
        assert!(!argv_names(
            &argv(&["dockerd", "--host=tcp://0.0.0.0:2376"]),
            &tcp
        ));
    }

    #[test]
    fn only_loopback_hosts_are_local() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("::1"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("10.0.0.5"));
        assert!(!is_loopback("docker.example.com"));
    }
}
