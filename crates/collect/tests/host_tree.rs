//! The platform collector against a fixture host tree: a directory laid out like a host's `/`,
//! with a fake dockerd in its `/proc`, files with chosen owners and modes, audit rules in both
//! syntaxes, a systemd unit with a drop-in and a daemon.json that conflicts with the command line.
//! Read through `--host-root`, exactly as dockward does in a container.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use dockward_collect::Endpoint;
use dockward_collect::info_from_json;
use dockward_collect::platform::collect_platform;
use dockward_collect::platform::fs::HostFs;
use dockward_model::host::{audit_target, role};
use dockward_model::{ConfigProblemKind, FileState, ListenerProbe, Provenance};

struct Tree {
    root: PathBuf,
}

impl Tree {
    fn new(name: &str) -> Tree {
        let root = std::env::temp_dir().join(format!("dockward-tree-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Tree { root }
    }

    fn path(&self, host_path: &str) -> PathBuf {
        self.root.join(host_path.trim_start_matches('/'))
    }

    fn file(&self, host_path: &str, text: &str, mode: u32) -> &Tree {
        let path = self.path(host_path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        self
    }

    fn link(&self, host_path: &str, target: &str) -> &Tree {
        let path = self.path(host_path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
        self
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
}

fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

/// A TCP listener on loopback that answers like the Docker API without TLS.
fn plain_api() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK");
        }
    });
    port
}

/// `/proc/net/tcp` stores addresses in host byte order per 32-bit word.
fn tcp_row(port: u16, inode: u64) -> String {
    let addr = u32::from_ne_bytes([0, 0, 0, 0]);
    format!(
        "   0: {addr:08X}:{port:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {inode} 1 0000000000000000 100 0 0 10 0\n"
    )
}

fn build(tree: &Tree, api_port: u16) {
    let cmdline = [
        "/usr/bin/dockerd",
        "-H",
        "unix:///var/run/docker.sock",
        &format!("--host=tcp://0.0.0.0:{api_port}"),
        "--config-file",
        "/etc/docker/daemon.json",
        "--icc=false",
    ]
    .join("\0")
        + "\0";
    tree.file("/proc/1234/comm", "dockerd\n", 0o444)
        .file("/proc/1234/cmdline", &cmdline, 0o444)
        .file("/proc/1234/status", "Name:\tdockerd\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n", 0o444)
        .file("/proc/1234/cgroup", "0::/system.slice/docker.service\n", 0o444)
        .file("/proc/1234/environ", "PATH=/usr/bin\0HOME=/root\0", 0o400)
        .link("/proc/1234/exe", "/usr/bin/dockerd")
        .link("/proc/1234/fd/3", "socket:[4711]")
        .link("/proc/1234/fd/4", "socket:[4712]")
        .link("/proc/1234/fd/5", "/dev/null")
        .file("/proc/999/comm", "containerd\n", 0o444)
        .file(
            "/proc/net/unix",
            "Num       RefCount Protocol Flags    Type St Inode Path\n\
             0000000000000000: 00000002 00000000 00010000 0001 01 4711 /var/run/docker.sock\n\
             0000000000000000: 00000003 00000000 00000000 0001 03 4713 /var/run/docker.sock\n",
            0o444,
        )
        .file(
            "/proc/net/tcp",
            &format!(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n{}",
                tcp_row(api_port, 4712)
            ),
            0o444,
        )
        .file("/proc/self/status", "Name:\tdockward\nSeccomp:\t0\nSeccomp_filters:\t0\n", 0o444)
        .file(
            "/proc/1/mountinfo",
            "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n\
             40 27 254:16 / /var/lib/docker rw,relatime - xfs /dev/vdb rw\n",
            0o444,
        )
        .file("/proc/sys/kernel/hostname", "fixture-host\n", 0o444)
        .file(
            "/etc/docker/daemon.json",
            "{\n  \"icc\": true,\n  \"log-level\": \"debug\",\n  \"live-restore\": true,\n  \"log-level\": \"info\"\n}\n",
            0o666,
        )
        .file("/etc/docker/certs.d/registry.local:5000/ca.crt", "CERT", 0o644)
        .file(
            "/lib/systemd/system/docker.service",
            "[Unit]\nDescription=Docker\n\n[Service]\nExecStart=/usr/bin/dockerd -H fd://\n",
            0o644,
        )
        .file(
            "/etc/systemd/system/docker.service.d/override.conf",
            &format!(
                "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H unix:///var/run/docker.sock \\\n  --host=tcp://0.0.0.0:{api_port} --config-file /etc/docker/daemon.json --icc=false --debug\n"
            ),
            0o644,
        )
        .file("/lib/systemd/system/docker.socket", "[Socket]\nListenStream=/run/docker.sock\n", 0o664)
        .file("/etc/audit/audit.rules", "-D\n-b 8192\n-w /usr/bin/dockerd -p rwxa -k docker\n", 0o640)
        .file(
            "/etc/audit/rules.d/docker.rules",
            "# docker\n-a always,exit -F arch=b64 -S all -F path=/usr/bin/containerd -F perm=wa -k docker\n-a exit,always -F dir=/etc/docker -F perm=wa -k docker\n",
            0o640,
        )
        .file("/usr/bin/dockerd", "", 0o755)
        .file("/usr/bin/containerd", "", 0o755)
        .file("/usr/sbin/runc", "", 0o755)
        .file(
            "/etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:999::/home/bob:/bin/sh\n",
            0o644,
        )
        .file("/etc/group", "root:x:0:\ndocker:x:999:alice\nalice:x:1000:\n", 0o644)
        .file("/sys/module/apparmor/parameters/enabled", "Y\n", 0o444);
    std::fs::create_dir_all(tree.path("/run/containerd")).unwrap();
    std::fs::create_dir_all(tree.path("/var/lib/docker")).unwrap();
    std::fs::create_dir_all(tree.path("/var/run")).unwrap();
    let socket = tree.path("/var/run/docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::mem::forget(listener);
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o660)).unwrap();
    std::fs::set_permissions(tree.path("/etc/docker"), std::fs::Permissions::from_mode(0o757)).unwrap();
    if is_root() {
        chown(&socket, 0, 999);
        chown(&tree.path("/etc/docker/daemon.json"), 1000, 1000);
        for path in [
            "/etc/docker",
            "/etc/docker/certs.d/registry.local:5000/ca.crt",
            "/lib/systemd/system/docker.socket",
        ] {
            chown(&tree.path(path), 0, 0);
        }
    }
}

const INFO: &str = r#"{"ServerVersion":"20.10.24","DockerRootDir":"/var/lib/docker","LiveRestoreEnabled":false,
    "SecurityOptions":["name=apparmor","name=seccomp,profile=default"],"Driver":"overlay2","LoggingDriver":"json-file"}"#;

#[test]
fn a_fixture_host_is_read_completely_and_precisely() {
    let tree = Tree::new("full");
    let api_port = plain_api();
    build(&tree, api_port);
    let fs = HostFs::new(&tree.root);
    let endpoint = Endpoint::Unix {
        path: "/var/run/docker.sock".into(),
    };
    let info = info_from_json(INFO.as_bytes()).unwrap();
    let platform = collect_platform(&fs, &endpoint, Some(&info), true);

    let config = platform.config.expect("configuration");
    assert_eq!(config.process.pid, 1234);
    assert_eq!(
        config.process.found_by,
        "listens on unix:///var/run/docker.sock (socket inode 4711)"
    );
    assert_eq!(config.process.exe.as_deref(), Some("/usr/bin/dockerd"));
    assert_eq!(config.process.systemd_unit.as_deref(), Some("docker.service"));
    assert_eq!(config.config_file.path, "/etc/docker/daemon.json");
    assert!(config.config_file.explicit);
    // The flag is in effect; the file's value is recorded as a conflict.
    let icc = config.get("icc").unwrap();
    assert_eq!(icc.value, serde_json::json!(false));
    assert_eq!(
        icc.at,
        Provenance::Argument {
            program: "dockerd".into(),
            index: 6
        }
    );
    assert_eq!(
        config.get("log-level").unwrap().at,
        Provenance::file("/etc/docker/daemon.json", 5, 3)
    );
    let kinds: Vec<(ConfigProblemKind, Option<&str>)> = config
        .problems
        .iter()
        .map(|p| (p.kind, p.key.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ConfigProblemKind::DuplicateKey, Some("log-level")),
            (ConfigProblemKind::FlagAndFile, Some("icc")),
            (ConfigProblemKind::UnitDiffers, None),
            (ConfigProblemKind::LiveDiffers, Some("live-restore")),
        ]
    );
    assert_eq!(
        config.problems[0].message,
        "log-level is set twice in /etc/docker/daemon.json (/etc/docker/daemon.json:3:3 and /etc/docker/daemon.json:5:3); the last one wins"
    );
    assert_eq!(
        config.problems[1].message,
        "icc is set both as a flag (dockerd argv[6]) and in the configuration file (/etc/docker/daemon.json:2:3)"
    );
    assert_eq!(
        config.problems[2].message,
        "the systemd unit would start dockerd differently from how it runs now (debug: running unset, unit true); restart pending"
    );
    let unit = config.unit.as_ref().unwrap();
    assert_eq!(unit.fragment, "/lib/systemd/system/docker.service");
    assert_eq!(
        unit.drop_ins,
        vec!["/etc/systemd/system/docker.service.d/override.conf".to_string()]
    );

    let host = platform.host.expect("host");
    assert_eq!(host.hostname, "fixture-host");
    assert_eq!(host.root, tree.root.display().to_string());
    let mode = |role: &str| match &host.files[role].state {
        FileState::Present(stat) => stat.mode,
        other => panic!("{role}: {other:?}"),
    };
    assert_eq!(mode(role::ETC_DOCKER), 0o757);
    assert_eq!(mode(role::DAEMON_JSON), 0o666);
    assert_eq!(mode(role::DOCKER_SOCKET_UNIT), 0o664);
    assert_eq!(
        host.files[role::DOCKER_SERVICE].path,
        "/lib/systemd/system/docker.service"
    );
    assert_eq!(host.files[role::ETC_SYSCONFIG_DOCKER].state, FileState::Missing);
    assert!(!host.files.contains_key(role::TLS_KEY), "TLS is not configured");
    assert_eq!(host.api_sockets.len(), 1);
    assert_eq!(host.api_sockets[0].path, "/var/run/docker.sock");
    let certs = &host.registry_certs.as_result().unwrap().value;
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].path, "/etc/docker/certs.d/registry.local:5000/ca.crt");

    let configured = &host.audit.configured.as_result().unwrap().value;
    let texts: Vec<&str> = configured.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "-w /usr/bin/dockerd -p rwxa -k docker",
            "-a always,exit -F arch=b64 -S all -F path=/usr/bin/containerd -F perm=wa -k docker",
            "-a exit,always -F dir=/etc/docker -F perm=wa -k docker",
        ]
    );
    assert_eq!(
        configured[1].at,
        Provenance::file("/etc/audit/rules.d/docker.rules", 2, 1)
    );
    assert_eq!(host.audit_targets[audit_target::DOCKERD].path, "/usr/bin/dockerd");
    assert_eq!(host.audit_targets[audit_target::RUNC].path, "/usr/sbin/runc");
    assert!(!host.audit_targets[audit_target::CONTAINERD_SHIM].exists);
    assert_eq!(
        host.audit_targets[audit_target::DATA_ROOT].path,
        "/var/lib/docker"
    );

    let uid0: Vec<&str> = host
        .uid0_accounts
        .as_result()
        .unwrap()
        .value
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(uid0, vec!["root", "toor"]);
    assert!(host.kernel_seccomp.as_result().unwrap().value);
    assert!(host.apparmor_enabled.as_result().unwrap().value);
    assert_eq!(host.selinux_mode.as_result().unwrap().value, "disabled");
    let mount = &host.data_root_mount.as_result().unwrap().value;
    assert_eq!(
        (mount.mount_point.as_str(), mount.fs_type.as_str()),
        ("/var/lib/docker", "xfs")
    );
    let listeners = &host.daemon_listeners.as_result().unwrap().value;
    assert_eq!(listeners.len(), 1);
    assert_eq!(
        (listeners[0].address.as_str(), listeners[0].port),
        ("0.0.0.0", api_port)
    );
    assert_eq!(listeners[0].probe, ListenerProbe::PlainApi);

    // The rules on these facts, end to end.
    let snapshot = dockward_model::Snapshot {
        schema_version: 1,
        collected_by: "test".into(),
        collected_at: "2026-11-29T00:00:00Z".into(),
        all_containers: true,
        containers_listed: None,
        daemon: dockward_model::DaemonFacts {
            endpoint: endpoint.to_string(),
            info: Some(info.clone()),
            config: Some(config.clone()),
            ..Default::default()
        },
        host: Some(host.clone()),
        host_error: None,
        client: None,
        containers: Vec::new(),
        images: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        unreachable: None,
    };
    let results = dockward_rules::evaluate(&snapshot, &dockward_rules::Settings::default());
    let verdict = |rule: &str| {
        let r = results.iter().find(|r| r.rule == rule).unwrap();
        (r.status.as_str(), r.message.as_str())
    };
    assert_eq!(
        verdict("FI0006"),
        ("fail", "mode 0757 grants more than 0755: others w")
    );
    assert_eq!(
        verdict("FI0018"),
        ("fail", "mode 0666 grants more than 0644: group w, others w")
    );
    assert_eq!(
        verdict("FI0004"),
        ("fail", "mode 0664 grants more than 0644: group w")
    );
    // The reason loaded rules are unknown depends on who runs the test (root without auditctl, or
    // not root); the verdict and the rule found do not.
    assert_eq!(verdict("HO0003").0, "pass");
    assert!(
        verdict("HO0003")
            .1
            .starts_with("/usr/bin/dockerd is audited by \"-w /usr/bin/dockerd -p rwxa -k docker\"")
    );
    assert!(verdict("HO0014").1.starts_with(
        "/usr/bin/containerd is audited by \"-a always,exit -F arch=b64 -S all -F path=/usr/bin/containerd"
    ));
    assert!(
        verdict("HO0006")
            .1
            .starts_with("/etc/docker is audited by \"-a exit,always -F dir=/etc/docker")
    );
    assert_eq!(verdict("HO0017").0, "not_applicable");
    assert_eq!(
        verdict("HO0020"),
        ("fail", "accounts other than root have UID 0: toor")
    );
    assert_eq!(
        verdict("HO0001"),
        ("pass", "/var/lib/docker is a filesystem of its own (xfs)")
    );
    assert_eq!(
        verdict("HO0022"),
        (
            "pass",
            "AppArmor is enabled and the daemon applies profiles to containers"
        )
    );
    assert_eq!(
        verdict("DA0019"),
        (
            "fail",
            &*format!("the daemon answers API calls without TLS on 0.0.0.0:{api_port}")
        )
    );
    assert_eq!(
        verdict("DA0007"),
        (
            "fail",
            &*format!(
                "tcp://0.0.0.0:{api_port} accepts connections without TLS: anyone who reaches it controls the daemon"
            )
        )
    );
    assert_eq!(
        verdict("DA0002"),
        (
            "pass",
            "inter-container communication on the default bridge is off"
        )
    );
    assert!(
        verdict("DA0020")
            .1
            .starts_with("dockerd would refuse to start: icc is set both as a flag")
    );
    assert_eq!(verdict("DA0021").0, "fail");

    if is_root() {
        let access = &host.socket_access.as_result().unwrap().value;
        let members: Vec<&str> = access.group_members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            members,
            vec!["alice", "bob"],
            "alice by /etc/group, bob by primary group"
        );
        assert_eq!(access.stat.group.as_deref(), Some("docker"));
        match &host.files[role::DAEMON_JSON].state {
            FileState::Present(stat) => assert_eq!((stat.uid, stat.user.as_deref()), (1000, Some("alice"))),
            other => panic!("{other:?}"),
        }
    } else {
        eprintln!("not root: owner assertions skipped (files cannot be given away)");
    }
}

#[test]
fn without_a_dockerd_the_configuration_says_why_and_the_host_is_still_read() {
    let tree = Tree::new("empty");
    tree.file(
        "/proc/net/unix",
        "Num       RefCount Protocol Flags    Type St Inode Path\n",
        0o444,
    )
    .file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0o644);
    let fs = HostFs::new(&tree.root);
    let endpoint = Endpoint::Unix {
        path: "/var/run/docker.sock".into(),
    };
    let platform = collect_platform(&fs, &endpoint, None, true);
    assert_eq!(
        platform.config.unwrap_err(),
        "no dockerd process is visible in /proc (dockward must share the host's PID namespace)"
    );
    let host = platform.host.unwrap();
    assert_eq!(
        host.daemon_listeners.as_result().unwrap_err(),
        "the dockerd process was not found"
    );
    assert_eq!(
        host.data_root_mount.as_result().unwrap_err(),
        "the daemon's data root is not known (/info was not read)"
    );
    assert_eq!(host.uid0_accounts.as_result().unwrap().value.len(), 1);
}

#[test]
fn a_remote_daemon_is_not_read_from_local_files() {
    let fs = HostFs::new("/");
    let endpoint = Endpoint::Tcp {
        host: "10.0.0.5".into(),
        port: 2376,
        tls: None,
    };
    let platform = collect_platform(&fs, &endpoint, None, false);
    let expected = "the daemon at tcp://10.0.0.5:2376 is on another host; run dockward there, or mount that host's files and pass --host-root";
    assert_eq!(platform.config.unwrap_err(), expected);
    assert_eq!(platform.host.unwrap_err(), expected);
}
