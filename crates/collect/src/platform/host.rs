//! Collects [`HostFacts`]: the files the daemon actually uses, audit rules, accounts, kernel
//! features, the data root's filesystem and the daemon's TCP listeners. Each fact that cannot be
//! read is recorded with the reason, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use dockward_model::host::{audit_target, role};
use dockward_model::{
    Account, AuditFacts, AuditRule, AuditTarget, DaemonConfig, Fact, FileFacts, FileState, HostFacts,
    InfoFacts, Listener, MountPoint, Observed, Provenance, SocketAccess,
};

use crate::endpoint::Endpoint;
use crate::parse::{audit_rules, procfs};

use super::config::unit_file;
use super::fs::HostFs;
use super::probe;

/// Directories searched for Docker's binaries, as a root shell's PATH would.
const BIN_DIRS: [&str; 6] = [
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// Where the facts come from besides the filesystem.
pub struct HostInputs<'a> {
    /// The endpoint dockward talks to.
    pub endpoint: &'a Endpoint,
    /// The daemon's configuration, when read.
    pub config: Option<&'a DaemonConfig>,
    /// `/info`, when read.
    pub info: Option<&'a InfoFacts>,
    /// dockward's own effective uid.
    pub collector_uid: u32,
    /// Inodes of the dockerd process's open sockets, or why they are unknown.
    pub daemon_sockets: Result<&'a BTreeSet<u64>, &'a String>,
}

fn file_facts(fs: &HostFs, path: &str, origin: impl Into<String>) -> FileFacts {
    FileFacts {
        path: path.to_string(),
        origin: origin.into(),
        state: fs.stat(path),
    }
}

fn file_at(path: &str, line: u32) -> Provenance {
    Provenance::file(path.to_string(), line, 1)
}

/// A configured path setting (`tlscacert` …), when set.
fn configured_path<'a>(config: Option<&'a DaemonConfig>, key: &str) -> Option<(&'a str, String)> {
    let (value, setting) = config?.str(key)?;
    Some((value, format!("{key} ({})", setting.at)))
}

/// Collects everything.
pub fn host_facts(fs: &HostFs, inputs: &HostInputs<'_>) -> HostFacts {
    let config = inputs.config;
    let hostname = fs
        .read("/proc/sys/kernel/hostname")
        .or_else(|_| fs.read("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());

    let mut files = BTreeMap::new();
    for (role, unit) in [
        (role::DOCKER_SERVICE, "docker.service"),
        (role::DOCKER_SOCKET_UNIT, "docker.socket"),
    ] {
        let facts = match unit_file(fs, unit) {
            Some(path) => file_facts(fs, &path, "systemd unit search path"),
            None => FileFacts {
                path: format!("/lib/systemd/system/{unit}"),
                origin: "not found in the systemd unit directories".into(),
                state: FileState::Missing,
            },
        };
        files.insert(role.to_string(), facts);
    }
    files.insert(
        role::ETC_DOCKER.into(),
        file_facts(fs, "/etc/docker", "fixed location"),
    );
    files.insert(
        role::ETC_DEFAULT_DOCKER.into(),
        file_facts(fs, "/etc/default/docker", "fixed location"),
    );
    files.insert(
        role::ETC_SYSCONFIG_DOCKER.into(),
        file_facts(fs, "/etc/sysconfig/docker", "fixed location"),
    );
    let daemon_json = match config {
        Some(c) => (
            c.config_file.path.clone(),
            if c.config_file.explicit {
                "--config-file"
            } else {
                "default location"
            }
            .to_string(),
        ),
        None => (
            "/etc/docker/daemon.json".to_string(),
            "default location (the daemon's command line was not read)".into(),
        ),
    };
    files.insert(
        role::DAEMON_JSON.into(),
        file_facts(fs, &daemon_json.0, daemon_json.1),
    );
    let tls_on = config.is_some_and(|c| {
        c.bool("tls").is_some_and(|(on, _)| on) || c.bool("tlsverify").is_some_and(|(on, _)| on)
    });
    if tls_on {
        for (role, key, default) in [
            (role::TLS_CA_CERT, "tlscacert", "ca.pem"),
            (role::TLS_CERT, "tlscert", "cert.pem"),
            (role::TLS_KEY, "tlskey", "key.pem"),
        ] {
            let (path, origin) = configured_path(config, key)
                .map(|(p, o)| (p.to_string(), o))
                .unwrap_or_else(|| {
                    (
                        format!("/root/.docker/{default}"),
                        format!("dockerd default for {key}"),
                    )
                });
            files.insert(role.to_string(), file_facts(fs, &path, origin));
        }
    }
    let containerd_socket = containerd_socket(fs, config);
    files.insert(
        role::CONTAINERD_SOCKET.into(),
        file_facts(fs, &containerd_socket.0, containerd_socket.1.clone()),
    );

    let api_sockets = api_sockets(fs, inputs.endpoint, config);
    let registry_certs = registry_certs(fs);
    let audit = audit_facts(fs, inputs.collector_uid);
    let audit_targets = audit_targets(fs, config, inputs.info, &files, &containerd_socket.0);
    let socket_access = socket_access(fs, inputs.endpoint);
    let uid0_accounts = match fs.read("/etc/passwd") {
        Ok(text) => Observed::Known(Fact {
            value: procfs::parse_passwd(&text)
                .into_iter()
                .filter(|p| p.uid == 0)
                .map(|p| Account {
                    name: p.name,
                    at: file_at("/etc/passwd", p.line),
                })
                .collect(),
            at: Provenance::pointer("/etc/passwd"),
        }),
        Err(e) => Observed::unknown(format!("cannot read /etc/passwd: {e}")),
    };

    HostFacts {
        root: fs.root().display().to_string(),
        hostname,
        collector_uid: inputs.collector_uid,
        files,
        api_sockets,
        registry_certs,
        audit,
        audit_targets,
        socket_access,
        uid0_accounts,
        kernel_seccomp: kernel_seccomp(fs),
        apparmor_enabled: apparmor(fs),
        selinux_mode: selinux(fs),
        data_root_mount: data_root_mount(fs, inputs.info),
        daemon_listeners: daemon_listeners(fs, inputs),
    }
}

/// containerd's socket: `--containerd`, else the system one, else the one dockerd starts under
/// its exec root.
fn containerd_socket(fs: &HostFs, config: Option<&DaemonConfig>) -> (String, String) {
    if let Some((path, origin)) = configured_path(config, "containerd") {
        return (path.trim_start_matches("unix://").to_string(), origin);
    }
    let system = "/run/containerd/containerd.sock";
    if fs.exists(system) {
        return (system.into(), "system containerd".into());
    }
    let exec_root = config
        .and_then(|c| c.str("exec-root"))
        .map_or("/var/run/docker", |(p, _)| p);
    (
        format!("{exec_root}/containerd/containerd.sock"),
        "containerd managed by dockerd".into(),
    )
}

/// The daemon's unix API sockets: its `unix://` hosts (the default socket when none is set) and the
/// endpoint dockward uses.
fn api_sockets(fs: &HostFs, endpoint: &Endpoint, config: Option<&DaemonConfig>) -> Vec<FileFacts> {
    let mut paths: Vec<(String, String)> = Vec::new();
    if let Some(config) = config {
        let hosts = config.strings("hosts");
        let origin = config
            .get("hosts")
            .map_or("dockerd default".to_string(), |s| format!("hosts ({})", s.at));
        if hosts.is_empty() {
            paths.push(("/var/run/docker.sock".into(), origin));
        } else {
            paths.extend(
                hosts
                    .iter()
                    .filter_map(|h| h.strip_prefix("unix://"))
                    .map(|p| (p.to_string(), origin.clone())),
            );
        }
    }
    if let Endpoint::Unix { path } = endpoint {
        paths.push((path.display().to_string(), "the endpoint dockward uses".into()));
    }
    let mut seen = BTreeSet::new();
    paths
        .into_iter()
        .filter(|(path, _)| seen.insert(fs.resolve(path)))
        .map(|(path, origin)| file_facts(fs, &path, origin))
        .collect()
}

fn registry_certs(fs: &HostFs) -> Observed<Vec<FileFacts>> {
    let top = "/etc/docker/certs.d";
    let mut found = Vec::new();
    let mut pending = vec![(top.to_string(), 0)];
    while let Some((dir, depth)) = pending.pop() {
        let entries = match fs.list(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir == top => break,
            Err(e) => return Observed::unknown(format!("cannot list {dir}: {e}")),
        };
        for name in entries {
            let path = format!("{dir}/{name}");
            match fs.stat(&path) {
                FileState::Present(stat) if stat.kind == "directory" && depth < 4 => {
                    pending.push((path, depth + 1))
                }
                FileState::Present(stat) if stat.kind == "directory" => {}
                _ => found.push(file_facts(fs, &path, "below /etc/docker/certs.d")),
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Observed::Known(Fact {
        value: found,
        at: Provenance::pointer(top),
    })
}

fn audit_facts(fs: &HostFs, collector_uid: u32) -> AuditFacts {
    let loaded = loaded_audit_rules(collector_uid);
    let mut rules: Vec<AuditRule> = Vec::new();
    let mut sources = Vec::new();
    let main = "/etc/audit/audit.rules";
    match fs.read(main) {
        Ok(text) => {
            rules.extend(audit_rules::parse_audit_rules(&text, main));
            sources.push(main.to_string());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return AuditFacts {
                loaded,
                configured: Observed::unknown(format!("cannot read {main}: {e}")),
            };
        }
    }
    let dir = "/etc/audit/rules.d";
    match fs.list(dir) {
        Ok(names) => {
            for name in names.into_iter().filter(|n| n.ends_with(".rules")) {
                let path = format!("{dir}/{name}");
                match fs.read(&path) {
                    Ok(text) => rules.extend(audit_rules::parse_audit_rules(&text, &path)),
                    Err(e) => {
                        return AuditFacts {
                            loaded,
                            configured: Observed::unknown(format!("cannot read {path}: {e}")),
                        };
                    }
                }
            }
            sources.push(format!("{dir}/*.rules"));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return AuditFacts {
                loaded,
                configured: Observed::unknown(format!("cannot list {dir}: {e}")),
            };
        }
    }
    let at = if sources.is_empty() {
        "/etc/audit (no rule files)".to_string()
    } else {
        sources.join(", ")
    };
    AuditFacts {
        loaded,
        configured: Observed::Known(Fact {
            value: rules,
            at: Provenance::pointer(at),
        }),
    }
}

/// The rules loaded in the kernel, from `auditctl -l`: the one fact only a program can read (the
/// kernel hands audit rules out over netlink, to root).
fn loaded_audit_rules(collector_uid: u32) -> Observed<Vec<AuditRule>> {
    if collector_uid != 0 {
        return Observed::unknown("reading loaded audit rules needs root");
    }
    let Some(auditctl) = BIN_DIRS
        .iter()
        .map(|d| format!("{d}/auditctl"))
        .find(|p| std::path::Path::new(p).exists())
    else {
        return Observed::unknown("auditctl is not installed where dockward runs");
    };
    match std::process::Command::new(&auditctl).arg("-l").output() {
        Ok(out) if out.status.success() => Observed::Known(Fact {
            value: audit_rules::parse_audit_rules(&String::from_utf8_lossy(&out.stdout), "auditctl -l"),
            at: Provenance::pointer("auditctl -l"),
        }),
        Ok(out) => Observed::unknown(format!(
            "auditctl -l failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Observed::unknown(format!("cannot run {auditctl}: {e}")),
    }
}

fn find_binary(fs: &HostFs, name: &str) -> Option<String> {
    BIN_DIRS
        .iter()
        .map(|d| format!("{d}/{name}"))
        .find(|p| fs.exists(p))
}

fn audit_targets(
    fs: &HostFs,
    config: Option<&DaemonConfig>,
    info: Option<&InfoFacts>,
    files: &BTreeMap<String, FileFacts>,
    containerd_socket: &str,
) -> BTreeMap<String, AuditTarget> {
    let target = |path: &str, origin: &str| AuditTarget {
        path: path.to_string(),
        exists: fs.exists(path),
        origin: origin.to_string(),
    };
    let binary = |name: &str| match find_binary(fs, name) {
        Some(path) => target(&path, "found in PATH"),
        None => AuditTarget {
            path: format!("{name} (not found in PATH)"),
            exists: false,
            origin: "PATH".into(),
        },
    };
    let mut targets = BTreeMap::new();
    let dockerd = match config.and_then(|c| c.process.exe.clone()) {
        Some(exe) => target(&exe, "the running dockerd's executable"),
        None => binary("dockerd"),
    };
    targets.insert(audit_target::DOCKERD.to_string(), dockerd);
    targets.insert(
        audit_target::RUN_CONTAINERD.into(),
        target("/run/containerd", "fixed location"),
    );
    let data_root = data_root(info).unwrap_or_else(|| {
        (
            "/var/lib/docker".into(),
            "default location (/info was not read)".into(),
        )
    });
    targets.insert(audit_target::DATA_ROOT.into(), target(&data_root.0, &data_root.1));
    targets.insert(
        audit_target::ETC_DOCKER.into(),
        target("/etc/docker", "fixed location"),
    );
    for (key, role) in [
        (audit_target::DOCKER_SERVICE, role::DOCKER_SERVICE),
        (audit_target::DOCKER_SOCKET_UNIT, role::DOCKER_SOCKET_UNIT),
        (audit_target::DAEMON_JSON, role::DAEMON_JSON),
    ] {
        if let Some(file) = files.get(role) {
            targets.insert(
                key.to_string(),
                AuditTarget {
                    path: file.path.clone(),
                    exists: file.state != FileState::Missing,
                    origin: file.origin.clone(),
                },
            );
        }
    }
    targets.insert(
        audit_target::CONTAINERD_SOCKET.into(),
        target(containerd_socket, "containerd's socket"),
    );
    targets.insert(
        audit_target::ETC_DEFAULT_DOCKER.into(),
        target("/etc/default/docker", "fixed location"),
    );
    targets.insert(
        audit_target::CONTAINERD_CONFIG.into(),
        target("/etc/containerd/config.toml", "fixed location"),
    );
    targets.insert(
        audit_target::ETC_SYSCONFIG_DOCKER.into(),
        target("/etc/sysconfig/docker", "fixed location"),
    );
    for (key, name) in [
        (audit_target::CONTAINERD, "containerd"),
        (audit_target::CONTAINERD_SHIM, "containerd-shim"),
        (audit_target::CONTAINERD_SHIM_RUNC_V1, "containerd-shim-runc-v1"),
        (audit_target::CONTAINERD_SHIM_RUNC_V2, "containerd-shim-runc-v2"),
        (audit_target::RUNC, "runc"),
    ] {
        targets.insert(key.to_string(), binary(name));
    }
    targets
}

/// The data root from `/info`; for a daemon that remaps users it is a `UID.GID` directory below
/// the configured root, whose parent is what was set up.
fn data_root(info: Option<&InfoFacts>) -> Option<(String, String)> {
    let info = info?;
    let root = info.docker_root_dir.value.as_str();
    if root.is_empty() {
        return None;
    }
    let remapped = info.has_security_option("userns");
    let parent = root
        .rsplit_once('/')
        .filter(|(_, last)| remapped && last.contains('.'))
        .map(|(parent, _)| parent);
    Some(match parent {
        Some(parent) if !parent.is_empty() => (
            parent.to_string(),
            "parent of DockerRootDir (user namespace remapping)".into(),
        ),
        _ => (root.to_string(), "DockerRootDir".into()),
    })
}

fn socket_access(fs: &HostFs, endpoint: &Endpoint) -> Observed<SocketAccess> {
    let Endpoint::Unix { path } = endpoint else {
        return Observed::unknown("the daemon is reached over TCP: its unix socket is not known");
    };
    let path = path.display().to_string();
    let stat = match fs.stat(&path) {
        FileState::Present(stat) => stat,
        FileState::Missing => return Observed::unknown(format!("{path} does not exist")),
        FileState::Unreadable { reason } => {
            return Observed::unknown(format!("cannot examine {path}: {reason}"));
        }
    };
    let group = fs.groups().iter().find(|g| g.gid == stat.gid);
    let mut members: Vec<Account> = group
        .map(|g| {
            g.members
                .iter()
                .map(|m| Account {
                    name: m.clone(),
                    at: file_at("/etc/group", g.line),
                })
                .collect()
        })
        .unwrap_or_default();
    members.extend(
        fs.passwd()
            .iter()
            .filter(|p| p.gid == stat.gid && p.uid != 0)
            .map(|p| Account {
                name: p.name.clone(),
                at: file_at("/etc/passwd", p.line),
            }),
    );
    members.sort_by(|a, b| a.name.cmp(&b.name));
    members.dedup_by(|a, b| a.name == b.name);
    // Root belongs to every group in effect; listing it adds nothing.
    members.retain(|m| m.name != "root");
    Observed::Known(Fact {
        value: SocketAccess {
            socket: path.clone(),
            stat,
            group_members: members,
        },
        at: Provenance::pointer(path),
    })
}

fn kernel_seccomp(fs: &HostFs) -> Observed<bool> {
    // The kernel shows a Seccomp field in every status file when built with CONFIG_SECCOMP.
    let status = fs.read("/proc/self/status");
    if let Ok(status) = &status {
        let supported = procfs::parse_status_field(status, "Seccomp").is_some();
        return Observed::Known(Fact {
            value: supported,
            at: Provenance::pointer("/proc/self/status (Seccomp)"),
        });
    }
    let release = fs
        .read("/proc/sys/kernel/osrelease")
        .map(|r| r.trim().to_string())
        .unwrap_or_default();
    let config = format!("/boot/config-{release}");
    match fs.read(&config) {
        Ok(text) => {
            let on = procfs::kernel_config_value(&text, "CONFIG_SECCOMP_FILTER") == Some("y");
            Observed::Known(Fact {
                value: on,
                at: Provenance::pointer(format!("{config} (CONFIG_SECCOMP_FILTER)")),
            })
        }
        Err(e) => Observed::unknown(format!("neither /proc/self/status nor {config} is readable: {e}")),
    }
}

fn apparmor(fs: &HostFs) -> Observed<bool> {
    let path = "/sys/module/apparmor/parameters/enabled";
    match fs.read(path) {
        Ok(text) => Observed::Known(Fact {
            value: text.trim() == "Y",
            at: Provenance::pointer(path),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Observed::Known(Fact {
            value: false,
            at: Provenance::pointer("/sys/module/apparmor (absent)"),
        }),
        Err(e) => Observed::unknown(format!("cannot read {path}: {e}")),
    }
}

fn selinux(fs: &HostFs) -> Observed<String> {
    let path = "/sys/fs/selinux/enforce";
    match fs.read(path) {
        Ok(text) => Observed::Known(Fact {
            value: if text.trim() == "1" {
                "enforcing"
            } else {
                "permissive"
            }
            .into(),
            at: Provenance::pointer(path),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Observed::Known(Fact {
            value: "disabled".into(),
            at: Provenance::pointer("/sys/fs/selinux (absent)"),
        }),
        Err(e) => Observed::unknown(format!("cannot read {path}: {e}")),
    }
}

fn data_root_mount(fs: &HostFs, info: Option<&InfoFacts>) -> Observed<MountPoint> {
    let Some((root, _)) = data_root(info) else {
        return Observed::unknown("the daemon's data root is not known (/info was not read)");
    };
    // The host's mount table: its init process's view when reading a mounted host root.
    let table_path = if fs.root() == std::path::Path::new("/") {
        "/proc/self/mountinfo"
    } else {
        "/proc/1/mountinfo"
    };
    let table = match fs.read(table_path) {
        Ok(table) => table,
        Err(e) => return Observed::unknown(format!("cannot read {table_path}: {e}")),
    };
    let mounts = procfs::parse_mountinfo(&table);
    let path = fs.resolve(&root);
    // dockerd bind-mounts its data root onto itself (to make it private): such a mount is still
    // the filesystem it was cut from, which is the one that fills up.
    let filesystem = |m: &'_ procfs::MountEntry| {
        if m.root == "/" {
            return m.clone();
        }
        mounts
            .iter()
            .rev()
            .find(|whole| whole.root == "/" && whole.source == m.source && whole.fs_type == m.fs_type)
            .cloned()
            .unwrap_or_else(|| m.clone())
    };
    match procfs::mount_holding(&mounts, &path).map(filesystem) {
        Some(m) => Observed::Known(Fact {
            value: MountPoint {
                path,
                mount_point: m.mount_point.clone(),
                fs_type: m.fs_type.clone(),
                source: m.source.clone(),
            },
            at: Provenance::pointer(table_path),
        }),
        None => Observed::unknown(format!("no mount in {table_path} holds {path}")),
    }
}

fn daemon_listeners(fs: &HostFs, inputs: &HostInputs<'_>) -> Observed<Vec<Listener>> {
    let open = match inputs.daemon_sockets {
        Ok(open) => open,
        Err(reason) => return Observed::unknown(reason.clone()),
    };
    let pid = inputs.config.map_or(0, |c| c.process.pid);
    let mut listeners = Vec::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(table) = fs.read(file) else { continue };
        for socket in procfs::parse_net_tcp(&table, v6) {
            if socket.listening && open.contains(&socket.inode) {
                listeners.push(Listener {
                    address: socket.address.to_string(),
                    port: socket.port,
                    probe: probe::probe(socket.address, socket.port),
                });
            }
        }
    }
    listeners.sort_by(|a, b| (a.port, &a.address).cmp(&(b.port, &b.address)));
    Observed::Known(Fact {
        value: listeners,
        at: Provenance::pointer(format!(
            "/proc/net/tcp, /proc/net/tcp6 (sockets of dockerd pid {pid})"
        )),
    })
}
