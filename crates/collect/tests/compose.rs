//! Compose projects loaded into workloads: every mapping with its value and its position.

use std::collections::BTreeMap;
use std::path::PathBuf;

use dockward_collect::compose::{ComposeOptions, ComposeProject, load_project};
use dockward_model::{Device, DeviceRequest, Healthcheck, Provenance, RestartPolicy, Ulimit, Workload};

const DIR: &str = "tests/data/compose";

fn load_with(files: &[&str], options: &ComposeOptions) -> ComposeProject {
    let files: Vec<PathBuf> = files
        .iter()
        .map(|f| PathBuf::from(format!("{DIR}/{f}")))
        .collect();
    load_project(&files, options)
}

fn load(files: &[&str]) -> ComposeProject {
    let mut options = ComposeOptions::default();
    options.environment.insert("HOME".into(), "/home/u".into());
    load_with(files, &options)
}

/// `file:line:col`, relative to the data directory, then ` via …` for each pulling site.
fn at(p: &Provenance) -> String {
    match p {
        Provenance::File {
            path,
            line,
            column,
            via,
        } => {
            let short = |p: &str| p.strip_prefix(&format!("{DIR}/")).unwrap_or(p).to_string();
            let mut out = format!("{}:{line}:{column}", short(path));
            for v in via {
                out.push_str(&format!(" via {}:{}:{}", short(&v.path), v.line, v.column));
            }
            out
        }
        other => format!("not a file position: {other:?}"),
    }
}

fn service<'p>(project: &'p ComposeProject, name: &str) -> &'p Workload {
    project
        .workloads
        .iter()
        .find(|w| w.origin.name() == name)
        .unwrap_or_else(|| {
            panic!(
                "no service {name} in {:?}",
                project
                    .workloads
                    .iter()
                    .map(|w| w.origin.name())
                    .collect::<Vec<_>>()
            )
        })
}

fn abs(relative: &str) -> String {
    format!("{}/{DIR}/{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// kind, source, destination, read-only, propagation, bind device, position.
type MountRow = (String, String, String, bool, String, Option<String>, String);

fn mounts(w: &Workload) -> Vec<MountRow> {
    w.mounts
        .iter()
        .map(|m| {
            (
                m.kind.clone(),
                m.source.clone(),
                m.destination.clone(),
                m.read_only,
                m.propagation.clone(),
                m.bind_device.clone(),
                at(&m.at),
            )
        })
        .collect()
}

fn m(
    kind: &str,
    source: &str,
    destination: &str,
    read_only: bool,
    propagation: &str,
    device: Option<&str>,
    at: &str,
) -> MountRow {
    (
        kind.into(),
        source.into(),
        destination.into(),
        read_only,
        propagation.into(),
        device.map(str::to_string),
        at.into(),
    )
}

fn ports(w: &Workload) -> Vec<(String, String, String, String)> {
    w.ports
        .iter()
        .map(|p| {
            (
                p.host_ip.clone(),
                p.host_port.clone(),
                p.container_port.clone(),
                at(&p.at),
            )
        })
        .collect()
}

fn p(ip: &str, host: &str, container: &str, at: &str) -> (String, String, String, String) {
    (ip.into(), host.into(), container.into(), at.into())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn short_syntax_maps_every_field_at_its_key() {
    let project = load(&["short/compose.yaml"]);
    assert_eq!(project.errors, []);
    assert_eq!(project.warnings, Vec::<String>::new());
    assert_eq!(project.name, "shortsyntax");
    let w = service(&project, "web");
    const F: &str = "short/compose.yaml";
    assert_eq!(at(w.origin.declared_at().unwrap()), format!("{F}:3:3"));
    assert_eq!(
        (w.image.value.as_str(), at(&w.image.at)),
        ("nginx:1.27", format!("{F}:4:5"))
    );
    assert_eq!(
        (w.user.value.as_str(), at(&w.user.at)),
        ("1000:1000", format!("{F}:5:5"))
    );
    assert_eq!(
        (w.privileged.value, at(&w.privileged.at)),
        (true, format!("{F}:6:5"))
    );
    assert_eq!(w.cap_add.value, ["NET_ADMIN", "cap_sys_time"]);
    assert_eq!(at(&w.cap_add.at), format!("{F}:7:5"));
    assert_eq!(
        (w.cap_drop.value.clone(), at(&w.cap_drop.at)),
        (strings(&["ALL"]), format!("{F}:8:5"))
    );
    assert_eq!(
        w.security_opt.value,
        [
            "seccomp:unconfined",
            "no-new-privileges=true",
            "systempaths=unconfined"
        ]
    );
    assert_eq!(at(&w.security_opt.at), format!("{F}:10:5"));
    // systempaths=unconfined: no masked or read-only paths, as compose sends it.
    assert_eq!(w.masked_paths.value, Some(vec![]));
    assert_eq!(w.readonly_paths.value, Some(vec![]));
    assert_eq!(at(&w.masked_paths.at), format!("{F}:10:5"));
    let ns = |n: &dockward_model::NamespaceMode| (n.mode.clone(), at(&n.at), n.join.clone());
    assert_eq!(ns(&w.pid_mode), ("host".into(), format!("{F}:14:5"), None));
    assert_eq!(ns(&w.ipc_mode), ("shareable".into(), format!("{F}:15:5"), None));
    assert_eq!(ns(&w.uts_mode), ("host".into(), format!("{F}:16:5"), None));
    assert_eq!(ns(&w.userns_mode), ("host".into(), format!("{F}:17:5"), None));
    assert_eq!(ns(&w.cgroupns_mode), ("host".into(), format!("{F}:18:5"), None));
    assert_eq!(ns(&w.network_mode), ("host".into(), format!("{F}:19:5"), None));
    assert_eq!(w.networks.value, ["host"]);
    assert_eq!(
        (w.cgroup_parent.value.as_str(), at(&w.cgroup_parent.at)),
        ("/custom", format!("{F}:20:5"))
    );
    assert_eq!(
        mounts(w),
        [
            m(
                "bind",
                "/var/run/docker.sock",
                "/var/run/docker.sock",
                false,
                "",
                None,
                &format!("{F}:22:9")
            ),
            m(
                "bind",
                &abs("short/data"),
                "/data",
                true,
                "rshared",
                None,
                &format!("{F}:23:9")
            ),
            m(
                "volume",
                "shortsyntax_db",
                "/var/lib/db",
                false,
                "",
                None,
                &format!("{F}:24:9")
            ),
            m("volume", "", "/anon", false, "", None, &format!("{F}:25:9")),
            // A local volume binding /etc is a host mount of /etc.
            m(
                "volume",
                "shortsyntax_hostdir",
                "/h",
                false,
                "",
                Some("/etc"),
                &format!("{F}:26:9")
            ),
            // use_api_socket: true
            m(
                "bind",
                "/var/run/docker.sock",
                "/var/run/docker.sock",
                false,
                "",
                None,
                &format!("{F}:54:5")
            ),
        ]
    );
    assert_eq!(
        w.devices.value,
        [
            Device {
                path_on_host: "/dev/fuse".into(),
                path_in_container: "/dev/fuse".into(),
                cgroup_permissions: "rwm".into()
            },
            Device {
                path_on_host: "/dev/sda".into(),
                path_in_container: "/dev/xvda".into(),
                cgroup_permissions: "r".into()
            },
        ]
    );
    assert_eq!(at(&w.devices.at), format!("{F}:27:5"));
    assert_eq!(
        w.device_requests.value,
        [
            DeviceRequest {
                driver: "cdi".into(),
                count: 0,
                device_ids: strings(&["vendor.com/gpu=all"]),
                capabilities: vec![]
            },
            DeviceRequest {
                driver: String::new(),
                count: -1,
                device_ids: vec![],
                capabilities: vec![strings(&["gpu"])]
            },
        ]
    );
    assert_eq!(
        (w.device_cgroup_rules.value.clone(), at(&w.device_cgroup_rules.at)),
        (strings(&["c 1:3 mr"]), format!("{F}:31:5"))
    );
    assert_eq!(
        (w.readonly_rootfs.value, at(&w.readonly_rootfs.at)),
        (true, format!("{F}:33:5"))
    );
    assert_eq!(
        (w.memory.value, at(&w.memory.at)),
        (512 << 20, format!("{F}:34:5"))
    );
    assert_eq!(
        (w.pids_limit.value, at(&w.pids_limit.at)),
        (Some(-1), format!("{F}:35:5"))
    );
    assert_eq!(
        (w.cpu_shares.value, at(&w.cpu_shares.at)),
        (512, format!("{F}:36:5"))
    );
    assert_eq!(
        (w.nano_cpus.value, at(&w.nano_cpus.at)),
        (1_500_000_000, format!("{F}:37:5"))
    );
    assert_eq!(
        ports(w),
        [
            p("", "", "3000/tcp", &format!("{F}:39:9")),
            p("127.0.0.1", "8080", "80/tcp", &format!("{F}:40:9")),
            p("::1", "8443", "443/tcp", &format!("{F}:41:9")),
            p("", "9000", "3000/udp", &format!("{F}:42:9")),
            p("", "9001", "3001/udp", &format!("{F}:42:9")),
        ]
    );
    assert_eq!(
        (w.restart_policy.value.clone(), at(&w.restart_policy.at)),
        (
            RestartPolicy {
                name: "on-failure".into(),
                maximum_retry_count: 5
            },
            format!("{F}:43:5")
        )
    );
    assert_eq!(
        (w.healthcheck.value.clone(), at(&w.healthcheck.at)),
        (
            Some(Healthcheck {
                test: strings(&["CMD-SHELL", "curl -f http://localhost/"])
            }),
            format!("{F}:45:7")
        )
    );
    assert_eq!(
        w.ulimits.value,
        [
            Ulimit {
                name: "nofile".into(),
                soft: 1024,
                hard: 1024
            },
            Ulimit {
                name: "nproc".into(),
                soft: 10,
                hard: 20
            },
        ]
    );
    assert_eq!(at(&w.ulimits.at), format!("{F}:46:5"));
    assert_eq!(
        w.sysctls.value,
        BTreeMap::from([
            ("net.core.somaxconn".to_string(), "1024".to_string()),
            ("net.ipv4.tcp_syncookies".to_string(), "0".to_string()),
        ])
    );
    assert_eq!(at(&w.sysctls.at), format!("{F}:51:5"));
    type HookRow = (String, bool, String, String, String, Option<String>);
    let hooks: Vec<HookRow> = w
        .exec_hooks
        .iter()
        .map(|h| {
            (
                h.container.clone(),
                h.privileged.value,
                at(&h.privileged.at),
                h.user.value.clone(),
                at(&h.user.at),
                h.container_user.clone(),
            )
        })
        .collect();
    assert_eq!(
        hooks,
        [
            (
                "web".into(),
                true,
                format!("{F}:58:9"),
                "root".into(),
                format!("{F}:57:9"),
                Some("1000:1000".into())
            ),
            // Not set: the service's user, not privileged; at the hook's own item.
            (
                "web".into(),
                false,
                format!("{F}:60:9"),
                String::new(),
                format!("{F}:60:9"),
                Some("1000:1000".into())
            ),
        ]
    );
    assert!(w.unknown.is_empty());
}

#[test]
fn keys_a_service_leaves_out_get_dockers_defaults_at_the_service() {
    let project = load(&["short/compose.yaml"]);
    let w = service(&project, "plain");
    const AT: &str = "short/compose.yaml:61:3";
    assert_eq!(
        (w.image.value.as_str(), at(&w.image.at)),
        ("alpine", "short/compose.yaml:62:5".to_string())
    );
    for (value, position) in [
        (w.user.value.clone(), at(&w.user.at)),
        (w.pid_mode.mode.clone(), at(&w.pid_mode.at)),
        (w.ipc_mode.mode.clone(), at(&w.ipc_mode.at)),
        (w.uts_mode.mode.clone(), at(&w.uts_mode.at)),
        (w.userns_mode.mode.clone(), at(&w.userns_mode.at)),
        (w.cgroup_parent.value.clone(), at(&w.cgroup_parent.at)),
        (w.restart_policy.value.name.clone(), at(&w.restart_policy.at)),
    ] {
        assert_eq!((value.as_str(), position.as_str()), ("", AT));
    }
    assert_eq!(
        (w.privileged.value, at(&w.privileged.at)),
        (false, AT.to_string())
    );
    assert_eq!(
        (w.readonly_rootfs.value, at(&w.readonly_rootfs.at)),
        (false, AT.to_string())
    );
    assert_eq!((w.memory.value, at(&w.memory.at)), (0, AT.to_string()));
    assert_eq!((w.pids_limit.value, at(&w.pids_limit.at)), (None, AT.to_string()));
    assert_eq!(
        (w.healthcheck.value.clone(), at(&w.healthcheck.at)),
        (None, AT.to_string())
    );
    assert_eq!(at(&w.cap_drop.at), AT);
    assert_eq!(at(&w.security_opt.at), AT);
    assert_eq!(
        (w.masked_paths.value.clone(), at(&w.masked_paths.at)),
        (None, AT.to_string())
    );
    // compose attaches a service without networks to the project's default network, not the
    // default bridge.
    assert_eq!(
        (w.network_mode.mode.as_str(), at(&w.network_mode.at)),
        ("shortsyntax_default", AT.to_string())
    );
    assert_eq!(w.networks.value, ["shortsyntax_default"]);
    assert!(w.mounts.is_empty() && w.ports.is_empty() && w.exec_hooks.is_empty());
    assert!(w.unknown.is_empty());
}

#[test]
fn long_syntax_maps_every_field_at_its_key() {
    let project = load(&["long/compose.yaml"]);
    assert_eq!(project.errors, []);
    const F: &str = "long/compose.yaml";
    assert_eq!(
        project.warnings,
        [format!(
            "{DIR}/{F}:7:5: service app joins the pid namespace of container outside, which is not part of the project (or the joins form a cycle): the namespace it ends in is not known"
        )]
    );
    assert_eq!(project.name, "long");
    let w = service(&project, "app");
    // "${PRIV:-false}" with PRIV unset: the string "false", read as compose reads it.
    assert_eq!(
        (w.privileged.value, at(&w.privileged.at)),
        (false, format!("{F}:4:5"))
    );
    assert_eq!(w.security_opt.value, ["label=disable", "apparmor:unconfined"]);
    // service: joins resolve inside the project, following to the owner's mode.
    let join = |n: &dockward_model::NamespaceMode| {
        let j = n.join.as_ref().expect("a join");
        (
            n.mode.clone(),
            at(&n.at),
            j.reference.clone(),
            j.resolved
                .as_ref()
                .map(|r| (r.name.clone(), r.owner.clone(), r.mode.clone())),
        )
    };
    assert_eq!(
        join(&w.network_mode),
        (
            "service:sidecar".into(),
            format!("{F}:6:5"),
            "sidecar".into(),
            Some(("sidecar".into(), "sidecar".into(), "host".into()))
        )
    );
    assert_eq!(w.network_mode.is_host(), Some(true));
    assert_eq!(w.networks.value, Vec::<String>::new());
    assert_eq!(
        join(&w.ipc_mode),
        (
            "service:sidecar".into(),
            format!("{F}:8:5"),
            "sidecar".into(),
            Some(("sidecar".into(), "sidecar".into(), String::new()))
        )
    );
    // container: outside the project: unresolved, so the rules cannot call it private.
    assert_eq!(
        join(&w.pid_mode),
        (
            "container:outside".into(),
            format!("{F}:7:5"),
            "outside".into(),
            None
        )
    );
    assert_eq!(w.pid_mode.is_host(), None);
    assert_eq!(
        mounts(w),
        [
            m(
                "bind",
                "/run",
                "/host-run",
                true,
                "rslave",
                None,
                &format!("{F}:10:9")
            ),
            m(
                "volume",
                "shared-cache",
                "/cache",
                false,
                "",
                None,
                &format!("{F}:16:9")
            ),
            m("tmpfs", "", "/tmp", false, "", None, &format!("{F}:19:9")),
            // volumes_from: sidecar:ro — the sidecar's mount, read-only, pulled in at the item.
            m(
                "bind",
                "/srv",
                "/srv",
                true,
                "",
                None,
                &format!("{F}:58:9 via {F}:22:9")
            ),
        ]
    );
    assert_eq!(w.volumes_from.value, ["sidecar:ro"]);
    assert_eq!(
        w.devices.value,
        [Device {
            path_on_host: "/dev/kvm".into(),
            path_in_container: "/dev/kvm".into(),
            cgroup_permissions: "rw".into()
        }]
    );
    assert_eq!(
        ports(w),
        [
            p("0.0.0.0", "8080", "80/tcp", &format!("{F}:28:9")),
            p("", "", "53/udp", &format!("{F}:33:9")),
        ]
    );
    // deploy.restart_policy wins over restart, mapped as docker compose maps it.
    assert_eq!(
        (w.restart_policy.value.clone(), at(&w.restart_policy.at)),
        (
            RestartPolicy {
                name: "always".into(),
                maximum_retry_count: 3
            },
            format!("{F}:37:7")
        )
    );
    assert_eq!(
        (w.memory.value, at(&w.memory.at)),
        (1_610_612_736, format!("{F}:42:11"))
    );
    assert_eq!(
        (w.pids_limit.value, at(&w.pids_limit.at)),
        (Some(100), format!("{F}:43:11"))
    );
    assert_eq!(
        (w.nano_cpus.value, at(&w.nano_cpus.at)),
        (500_000_000, format!("{F}:44:11"))
    );
    assert_eq!(
        w.device_requests.value,
        [DeviceRequest {
            driver: "nvidia".into(),
            count: 2,
            device_ids: vec![],
            capabilities: vec![strings(&["gpu"])]
        }]
    );
    assert_eq!(
        (w.healthcheck.value.clone(), at(&w.healthcheck.at)),
        (
            Some(Healthcheck {
                test: strings(&["NONE"])
            }),
            format!("{F}:51:7")
        )
    );
    assert_eq!(
        w.sysctls.value,
        BTreeMap::from([("net.ipv4.ip_forward".to_string(), "1".to_string())])
    );
    assert!(w.unknown.is_empty());
}
