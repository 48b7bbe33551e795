//! Compose projects loaded into workloads: every mapping with its value and its position.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

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

fn options(environment: &[(&str, &str)], env_files: &[&str]) -> ComposeOptions {
    ComposeOptions {
        env_files: env_files
            .iter()
            .map(|f| PathBuf::from(format!("{DIR}/{f}")))
            .collect(),
        environment: environment
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        profiles: None,
        project_name: None,
    }
}

#[test]
fn interpolation_reads_the_project_env_file() {
    let project = load_with(&["interp/compose.yaml"], &options(&[], &[]));
    assert_eq!(project.errors, []);
    let w = service(&project, "web");
    const F: &str = "interp/compose.yaml";
    // `TAG=` is set but empty: `${TAG-latest}` keeps the empty value.
    assert_eq!(
        (w.image.value.as_str(), at(&w.image.at)),
        ("from-dotenv:", format!("{F}:3:5"))
    );
    assert_eq!(w.user.value, "dotenv user");
    assert_eq!(
        (w.privileged.value, at(&w.privileged.at)),
        (true, format!("{F}:5:5"))
    );
    // `$$` is a literal dollar; nested defaults resolve.
    assert_eq!(w.cgroup_parent.value, "${NOT_A_VAR}/deep");
    // Keys are never interpolated, values are.
    assert_eq!(
        w.sysctls.value,
        BTreeMap::from([("net.${KEY}".to_string(), "on".to_string())])
    );
    assert_eq!(w.pids_limit.value, Some(50));
}

#[test]
fn the_process_environment_wins_over_env_files() {
    let project = load_with(
        &["interp/compose.yaml"],
        &options(&[("APP_USER", "from-env"), ("TAG", "1.2")], &[]),
    );
    let w = service(&project, "web");
    assert_eq!(w.user.value, "from-env");
    assert_eq!(w.image.value, "from-dotenv:1.2");
    assert_eq!(w.pids_limit.value, Some(50));
}

#[test]
fn env_files_replace_the_dotenv_and_later_ones_win() {
    let project = load_with(
        &["interp/compose.yaml"],
        &options(&[], &["interp/first.env", "interp/second.env"]),
    );
    assert_eq!(project.errors, []);
    let w = service(&project, "web");
    // .env is not read: TAG is unset, so its default applies.
    assert_eq!(w.image.value, "from-first:latest");
    // Single quotes are literal.
    assert_eq!(w.user.value, "second ${IMAGE}");
    assert!(!w.privileged.value);
    assert_eq!(w.pids_limit.value, Some(20));
    assert_eq!(w.cgroup_parent.value, "${NOT_A_VAR}/deep");
    // Without SYSCTL, `${SYSCTL:+on}` is empty.
    assert_eq!(w.sysctls.value.get("net.${KEY}").map(String::as_str), Some(""));
}

#[test]
fn a_missing_required_variable_is_an_error_at_its_value() {
    // PIDS is set, PRIV is not: `${PRIV}` is empty, which docker compose refuses as a boolean.
    let project = load_with(&["interp/compose.yaml"], &options(&[], &["interp/first.env"]));
    assert_eq!(
        project.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [format!(
            "{DIR}/interp/compose.yaml:5:17: service web: privileged: \"\" is not a boolean"
        )]
    );
    let w = service(&project, "web");
    assert_eq!(
        w.unknown_reasons(&["/HostConfig/Privileged"]),
        [format!(
            "{DIR}/interp/compose.yaml:5:17: service web: privileged: \"\" is not a boolean"
        )]
    );
    let project = load_with(&["bad/required.yaml"], &options(&[], &[]));
    assert_eq!(
        project.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [format!(
            "{DIR}/bad/required.yaml:5:26: required variable DB_PASSWORD is missing a value: set it in .env"
        )]
    );
    assert!(project.workloads.is_empty());
    let project = load_with(&["bad/required.yaml"], &options(&[("DB_PASSWORD", "x")], &[]));
    assert_eq!(project.errors, []);
    assert_eq!(project.workloads.len(), 1);
}

#[test]
fn files_merge_in_order_with_the_spec_rules() {
    let project = load(&["merge/compose.yaml", "merge/compose.override.yaml"]);
    assert_eq!(project.errors, []);
    const B: &str = "merge/compose.yaml";
    const O: &str = "merge/compose.override.yaml";
    let w = service(&project, "web");
    // The service keeps the position of its definition in the first file.
    assert_eq!(at(w.origin.declared_at().unwrap()), format!("{B}:5:3"));
    assert_eq!(
        (w.image.value.as_str(), at(&w.image.at)),
        ("web:2", format!("{O}:3:5"))
    );
    // Sequences append.
    assert_eq!(w.cap_add.value, ["NET_BIND_SERVICE", "SYS_ADMIN"]);
    assert_eq!(at(&w.cap_add.at), format!("{O}:4:5"));
    // From the `<<: *common` merge key: where it is written, and the site that pulled it in.
    assert_eq!(w.cap_drop.value, ["ALL"]);
    assert_eq!(at(&w.cap_drop.at), format!("{B}:2:3 via {B}:6:9"));
    // `!reset` clears: Docker's defaults, at the service.
    assert_eq!(
        (w.security_opt.value.clone(), at(&w.security_opt.at)),
        (vec![], format!("{B}:5:3"))
    );
    assert_eq!(
        (w.readonly_rootfs.value, at(&w.readonly_rootfs.at)),
        (false, format!("{B}:5:3"))
    );
    // `!override` replaces the ports; volumes merge by target.
    assert_eq!(ports(w), [p("127.0.0.1", "8443", "443/tcp", &format!("{O}:6:9"))]);
    assert_eq!(
        mounts(w),
        [
            m("bind", "/etc", "/data", true, "", None, &format!("{O}:8:9")),
            m(
                "bind",
                &abs("merge/b"),
                "/b",
                false,
                "",
                None,
                &format!("{B}:13:9")
            ),
        ]
    );
    // An alias: the value where the anchor writes it, pulled in at the alias.
    let db = service(&project, "db");
    assert_eq!(at(&db.privileged.at), format!("{B}:16:17 via {B}:19:17"));
}

#[test]
fn unique_lists_keep_one_item_per_key_across_files() {
    let project = load(&[
        "merge/compose.yaml",
        "merge/compose.override.yaml",
        "merge/extra.yaml",
    ]);
    assert_eq!(project.errors, []);
    let w = service(&project, "web");
    assert_eq!(w.cap_add.value, ["NET_BIND_SERVICE", "SYS_ADMIN"]);
    assert_eq!(at(&w.cap_add.at), "merge/extra.yaml:3:5");
    assert_eq!(
        (w.pid_mode.mode.as_str(), at(&w.pid_mode.at)),
        ("host", "merge/extra.yaml:4:5".to_string())
    );
}

#[test]
fn without_the_override_the_base_file_alone_counts() {
    let project = load(&["merge/compose.yaml"]);
    let w = service(&project, "web");
    assert_eq!(w.security_opt.value, ["no-new-privileges:true"]);
    assert!(w.readonly_rootfs.value);
    assert_eq!(ports(w), [p("", "8080", "80/tcp", "merge/compose.yaml:10:9")]);
}

#[test]
fn override_siblings_are_the_ones_docker_compose_applies() {
    use dockward_collect::compose::override_siblings;
    assert_eq!(
        override_siblings(&PathBuf::from(format!("{DIR}/merge/compose.yaml"))),
        [PathBuf::from(format!("{DIR}/merge/compose.override.yaml"))]
    );
    // Several present: compose's order of preference, whichever base name.
    for base in ["compose.yaml", "docker-compose.yml"] {
        assert_eq!(
            override_siblings(&PathBuf::from(format!("{DIR}/siblings/{base}"))),
            [PathBuf::from(format!("{DIR}/siblings/compose.override.yaml"))]
        );
    }
    // Not a default name: docker compose -f applies no override.
    assert!(override_siblings(&PathBuf::from(format!("{DIR}/merge/extra.yaml"))).is_empty());
    assert!(override_siblings(&PathBuf::from(format!("{DIR}/interp/compose.yaml"))).is_empty());
}

#[test]
fn profiles_select_services_like_docker_compose() {
    let names = |profiles: Option<Vec<String>>| -> Vec<String> {
        let mut options = ComposeOptions {
            profiles,
            ..ComposeOptions::default()
        };
        options.project_name = Some("Given Name".into());
        let project = load_with(&["merge/compose.yaml"], &options);
        assert_eq!(project.name, "givenname");
        project
            .workloads
            .iter()
            .map(|w| w.origin.name().to_string())
            .collect()
    };
    assert_eq!(names(None), ["web", "db"]);
    assert_eq!(names(Some(vec![])), ["web"]);
    assert_eq!(names(Some(vec!["debug".into()])), ["web", "db"]);
    assert_eq!(names(Some(vec!["*".into()])), ["web", "db"]);
}

#[test]
fn extends_pulls_the_base_in_with_the_extends_site() {
    let project = load(&["extends/compose.yaml"]);
    const F: &str = "extends/compose.yaml";
    let w = service(&project, "web");
    assert_eq!(
        (w.privileged.value, at(&w.privileged.at)),
        (true, format!("{F}:4:5 via {F}:7:5"))
    );
    assert_eq!(w.cap_add.value, ["NET_ADMIN", "SYS_TIME"]);
    assert_eq!(at(&w.cap_add.at), format!("{F}:8:5"));
    let remote = service(&project, "remote");
    assert_eq!(
        (remote.image.value.as_str(), at(&remote.image.at)),
        ("remote", format!("{F}:13:5"))
    );
    assert_eq!(
        (remote.user.value.as_str(), at(&remote.user.at)),
        ("root", format!("extends/common/base.yaml:6:5 via {F}:10:5"))
    );
    // A relative path in the extended file is relative to that file.
    assert_eq!(
        mounts(remote),
        [m(
            "bind",
            &abs("extends/common/state"),
            "/state",
            false,
            "",
            None,
            &format!("extends/common/base.yaml:5:9 via {F}:10:5")
        )]
    );
    let path = format!("{DIR}/{F}");
    assert_eq!(
        project.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            format!("{path}:15:5: extends cycle: loop_b ({path}) -> loop_a ({path}) -> loop_b ({path})"),
            format!("{path}:17:5: extends cycle: loop_a ({path}) -> loop_b ({path}) -> loop_a ({path})"),
        ]
    );
    assert_eq!(project.files, [path, format!("{DIR}/extends/common/base.yaml")]);
}

#[test]
fn include_loads_a_project_with_its_own_directory_and_env_file() {
    let project = load(&["include/compose.yaml"]);
    assert_eq!(project.errors, []);
    let db = service(&project, "db");
    // Written in the included file, pulled in by the include entry.
    const VIA: &str = "via include/compose.yaml:2:5";
    assert_eq!(
        (db.image.value.as_str(), at(&db.image.at)),
        ("db:16", format!("include/sub/compose.yaml:3:5 {VIA}"))
    );
    assert_eq!(
        at(db.origin.declared_at().unwrap()),
        format!("include/sub/compose.yaml:2:3 {VIA}")
    );
    assert_eq!(
        mounts(db),
        [m(
            "bind",
            &abs("include/sub/data"),
            "/var/lib/db",
            false,
            "",
            None,
            &format!("include/sub/compose.yaml:5:9 {VIA}")
        )]
    );
    // The including project's service joins the included one.
    let web = service(&project, "web");
    assert_eq!(web.network_mode.is_host(), Some(true));
    assert_eq!(project.name, "include");
}

fn errors(project: &ComposeProject) -> Vec<String> {
    project.errors.iter().map(ToString::to_string).collect()
}

fn names(project: &ComposeProject) -> Vec<&str> {
    project.workloads.iter().map(|w| w.origin.name()).collect()
}

#[test]
fn bad_files_are_errors_at_their_line_and_the_other_files_still_load() {
    let cases = [
        (
            "invalid",
            "4:1: invalid YAML: while parsing a flow sequence, expected ',' or ']'",
        ),
        ("services-list", "2:3: services must be a mapping, not a sequence"),
        ("unknown-tag", "4:11: unknown YAML tag !vault"),
        ("self-extends", "3:5: extends cycle: web (PATH) -> web (PATH)"),
        (
            "bomb",
            "6:45: the document expands to more than 1000000 nodes (an alias bomb?)",
        ),
    ];
    for (name, expected) in cases {
        let file = format!("bad/{name}.yaml");
        let project = load(&[&file, "bad/good.yaml"]);
        let path = format!("{DIR}/{file}");
        assert_eq!(
            errors(&project),
            [format!("{path}:{}", expected.replace("PATH", &path))],
            "{name}"
        );
        // The other file is loaded whatever the first one holds.
        assert!(names(&project).contains(&"good"), "{name}: {:?}", names(&project));
        assert!(service(&project, "good").privileged.value);
    }
}

#[test]
fn malformed_values_are_errors_and_unknown_facts() {
    let project = load(&["bad/malformed.yaml"]);
    let path = format!("{DIR}/bad/malformed.yaml");
    assert_eq!(
        errors(&project),
        [
            format!("{path}:3:17: service web: privileged: \"maybe\" is not a boolean"),
            format!("{path}:4:16: service web: mem_limit: \"lots\" is not a byte size (e.g. 512m, 1g)"),
            format!("{path}:6:14: service web: cap_add must be a list, not a string"),
        ]
    );
    let w = service(&project, "web");
    assert_eq!(
        w.unknown.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "/HostConfig/CapAdd",
            "/HostConfig/Memory",
            "/HostConfig/Privileged"
        ]
    );
    assert_eq!(
        w.unknown_reasons(&["/HostConfig/Privileged"]),
        [format!(
            "{path}:3:17: service web: privileged: \"maybe\" is not a boolean"
        )]
    );
    // The well-formed service beside it is judged normally.
    assert!(service(&project, "ok").unknown.is_empty());
}

#[test]
fn a_file_above_the_limit_is_refused_before_it_is_read() {
    let dir = std::env::temp_dir().join(format!("dockward-compose-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("compose.yaml");
    let file = std::fs::File::create(&big).unwrap();
    // 100 MB, sparse: the loader must refuse it by its size, not by reading it.
    file.set_len(100 * 1000 * 1000).unwrap();
    let good = PathBuf::from(format!("{DIR}/bad/good.yaml"));
    let project = load_project(&[big.clone(), good], &ComposeOptions::default());
    assert_eq!(
        errors(&project),
        [format!(
            "{}: the file is 100000000 bytes, above the 16 MiB limit for a compose file; not parsed",
            big.display()
        )]
    );
    assert_eq!(names(&project), ["good"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_file_is_an_error_for_that_file() {
    let project = load(&["bad/absent.yaml", "bad/good.yaml"]);
    assert_eq!(project.errors.len(), 1);
    assert_eq!(project.errors[0].path, format!("{DIR}/bad/absent.yaml"));
    assert_eq!(project.errors[0].line, 0);
    assert!(
        project.errors[0].message.starts_with("cannot read the file: "),
        "{}",
        project.errors[0]
    );
    assert_eq!(names(&project), ["good"]);
    assert!(load_project(&[], &ComposeOptions::default()).errors[0].message == "no compose file given");
}

/// A project written to a fresh temporary directory.
fn temp_project(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dockward-compose-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

#[test]
fn volumes_from_fan_out_is_bounded() {
    // Each service takes the volumes of the next one twice: 2^40 mounts without a bound.
    let mut text = String::from("services:\n");
    for i in 0..40 {
        text.push_str(&format!(
            "  s{i}:\n    image: x\n    volumes_from: [s{next}, \"s{next}:ro\"]\n",
            next = i + 1
        ));
    }
    text.push_str("  s40:\n    image: x\n    volumes:\n      - /srv:/srv\n");
    let dir = temp_project("fanout", &[("compose.yaml", text)]);
    let project = load_project(&[dir.join("compose.yaml")], &ComposeOptions::default());
    assert!(
        project.workloads.iter().all(|w| w.mounts.len() <= 1_000),
        "mount counts: {:?}",
        project
            .workloads
            .iter()
            .map(|w| w.mounts.len())
            .collect::<Vec<_>>()
    );
    let messages: Vec<&str> = project.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages.contains(&"service s0 volumes_from gives more than 1000 mounts"),
        "{messages:?}"
    );
    // Shallow services are whole: s39 takes s40's mount twice (once read-only).
    let s39 = service(&project, "s39");
    assert_eq!(
        s39.mounts.iter().map(|m| m.read_only).collect::<Vec<_>>(),
        [false, true]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn extends_copies_are_bounded() {
    let mut text = String::from("services:\n  base:\n    image: x\n    environment:\n");
    for i in 0..5000 {
        text.push_str(&format!("      V{i}: v\n"));
    }
    for i in 0..500 {
        text.push_str(&format!("  s{i}:\n    extends: base\n"));
    }
    let dir = temp_project("extends", &[("compose.yaml", text)]);
    let project = load_project(&[dir.join("compose.yaml")], &ComposeOptions::default());
    let first = project.errors.first().expect("an error");
    assert_eq!(
        first.message,
        "extends copies more than 2000000 nodes in this project"
    );
    // The services extended before the bound are complete.
    assert_eq!(service(&project, "s0").image.value, "x");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn joins_follow_chains_inside_the_project() {
    let project = load(&["joins/compose.yaml", "joins/compose.override.yaml"]);
    const F: &str = "joins/compose.yaml";
    let resolved = |n: &dockward_model::NamespaceMode| {
        n.join
            .as_ref()
            .and_then(|j| j.resolved.as_ref())
            .map(|r| (r.name.clone(), r.owner.clone(), r.mode.clone()))
    };
    let app = service(&project, "app");
    // app → middle → root, which is in the host's PID namespace.
    assert_eq!(
        resolved(&app.pid_mode),
        Some(("middle".into(), "root".into(), "host".into()))
    );
    assert_eq!(app.pid_mode.is_host(), Some(true));
    // container: names match a service's container_name.
    assert_eq!(
        resolved(&app.network_mode),
        Some(("db".into(), "db".into(), "none".into()))
    );
    assert_eq!(app.network_mode.is_host(), Some(false));
    // A service that is not there: unresolved, and said so.
    assert_eq!(
        app.uts_mode
            .join
            .as_ref()
            .map(|j| (j.reference.as_str(), j.resolved.is_none())),
        Some(("ghost", true))
    );
    assert_eq!(app.uts_mode.is_host(), None);
    assert_eq!(
        project.warnings,
        [
            format!(
                "{DIR}/{F}:8:13: service app: healthcheck test NONE as a string is the shell command `NONE` for docker compose; write [\"NONE\"] or disable: true to turn the check off"
            ),
            format!(
                "{DIR}/{F}:6:5: service app joins the uts namespace of service ghost, which is not part of the project (or the joins form a cycle): the namespace it ends in is not known"
            ),
        ]
    );
    // A string test runs in a shell, as docker compose makes it.
    assert_eq!(
        app.healthcheck.value.as_ref().map(|h| h.test.clone()),
        Some(strings(&["CMD-SHELL", "NONE"]))
    );
    assert_eq!(
        errors(&project),
        [format!(
            "{DIR}/{F}:12:10: service middle: ipc must be a string, not a sequence"
        )]
    );
    assert_eq!(
        service(&project, "middle").unknown.keys().collect::<Vec<_>>(),
        ["/HostConfig/IpcMode"]
    );
    // !reset clears the list, !override replaces it, volumes merge by target in place.
    let list = service(&project, "list");
    assert_eq!(
        (list.cap_add.value.clone(), at(&list.cap_add.at)),
        (vec![], format!("{F}:20:3"))
    );
    assert_eq!(list.security_opt.value, ["seccomp=unconfined"]);
    assert_eq!(at(&list.security_opt.at), "joins/compose.override.yaml:6:5");
    assert_eq!(
        mounts(list),
        [
            m("bind", "/a", "/a", false, "", None, &format!("{F}:23:15")),
            m(
                "bind",
                "/c",
                "/b",
                false,
                "",
                None,
                "joins/compose.override.yaml:5:9"
            ),
        ]
    );
}

#[test]
fn include_cycles_are_errors_at_the_include() {
    let project = load(&["include-cycle/compose.yaml"]);
    let base = format!("{}/{DIR}/include-cycle", env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        errors(&project),
        [format!(
            "{DIR}/include-cycle/other.yaml:2:5: include cycle: {base}/compose.yaml includes {base}/other.yaml includes {base}/compose.yaml"
        )]
    );
    assert_eq!(names(&project), ["a", "b"]);
}

#[test]
fn seccomp_profile_files_are_sent_inline_like_docker_compose_does() {
    let project = load(&["seccomp/compose.yaml"]);
    let w = service(&project, "web");
    assert_eq!(
        w.security_opt.value,
        [
            "seccomp={\"defaultAction\": \"SCMP_ACT_ALLOW\"}\n",
            "seccomp=./missing.json",
            "seccomp=unconfined"
        ]
    );
    let missing = abs("seccomp/missing.json");
    assert_eq!(
        errors(&project),
        [format!(
            "{DIR}/seccomp/compose.yaml:6:9: service web: cannot read the seccomp profile {missing}: No such file or directory (os error 2)"
        )]
    );
    assert_eq!(w.unknown.keys().collect::<Vec<_>>(), ["/HostConfig/SecurityOpt"]);
}

#[test]
fn port_ranges_expand_within_a_bound() {
    let text =
        "services:\n  web:\n    image: x\n    ports: [\"1-65535\", \"1-65535/udp\", \"1-65535/sctp\"]\n"
            .to_string();
    let dir = temp_project("ports", &[("compose.yaml", text)]);
    let project = load_project(&[dir.join("compose.yaml")], &ComposeOptions::default());
    let file = dir.join("compose.yaml").display().to_string();
    assert_eq!(
        errors(&project),
        [format!(
            "{file}:4:39: service web: more than 131072 published ports"
        )]
    );
    assert_eq!(service(&project, "web").ports.len(), 131_072);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_empty_project_is_an_error_not_silence() {
    let project = load(&["bad/empty.yaml"]);
    assert_eq!(
        errors(&project),
        [format!(
            "{DIR}/bad/empty.yaml: the compose file is empty (docker compose refuses an empty project)"
        )]
    );
    // An empty override on a real file is nothing to merge.
    let project = load(&["bad/good.yaml", "bad/empty.yaml"]);
    assert_eq!(project.errors, []);
    assert_eq!(names(&project), ["good"]);
}

#[test]
fn an_empty_value_in_a_later_file_changes_nothing() {
    let project = load(&["joins/compose.yaml", "joins/null.yaml"]);
    assert_eq!(project.errors.len(), 1, "{:?}", project.errors); // middle's ipc, as without it
    let list = service(&project, "list");
    assert_eq!(list.cap_add.value, ["A", "B"]);
    assert_eq!(at(&list.cap_add.at), "joins/compose.yaml:22:5");
    assert_eq!(service(&project, "app").image.value, "app");
}

/// A join of a container outside the project cannot be judged from the files, and says so.
#[test]
fn a_join_outside_the_project_is_unknown_and_the_message_says_why() {
    let project = load(&["external-join/compose.yaml"]);
    let results = dockward_rules::lint::evaluate_workloads(
        &project.workloads,
        &project.errors,
        &dockward_rules::Settings::default(),
    );
    let said: Vec<(&str, dockward_model::Status, &str)> = results
        .iter()
        .filter(|r| ["CT0009", "CT0015", "CT0026"].contains(&r.rule.as_ref()))
        .map(|r| (r.rule.as_ref(), r.status, r.message.as_str()))
        .collect();
    let error = dockward_model::Status::Error;
    assert_eq!(
        said,
        [
            (
                "CT0009",
                error,
                "container joins the network namespace of container vpn-gateway, which is not part of the project, so its namespace is not known from the files"
            ),
            (
                "CT0015",
                error,
                "container joins the PID namespace of container vpn-gateway, which is not part of the project, so its namespace is not known from the files"
            ),
            (
                "CT0026",
                error,
                "container joins the network of container vpn-gateway, which is not part of the project, so its namespace is not known from the files"
            ),
        ]
    );
}

#[test]
fn labels_are_read_from_lists_and_maps_after_interpolation_and_merging() {
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let project = load_with(&["labels/compose.yaml"], &options(&[("TEAM", "web")], &[]));
    assert_eq!(project.errors, []);
    assert_eq!(
        service(&project, "listed").labels,
        labels(&[
            ("bare", ""),
            ("com.example.tier", "web=frontend"),
            ("team", "web")
        ])
    );
    // Scalars of any type are text; a value that is not a scalar is left out.
    assert_eq!(
        service(&project, "mapped").labels,
        labels(&[("empty", ""), ("replicas", "3"), ("team", "web")])
    );
    assert!(service(&project, "unlabelled").labels.is_empty());
    // Labels judge nothing: a malformed `labels:` is no labels, not a failure of the project.
    assert!(service(&project, "malformed").labels.is_empty());
    // A later file's labels merge into the earlier's, key by key.
    let project = load_with(
        &["labels/compose.yaml", "labels/override.yaml"],
        &options(&[], &[]),
    );
    assert_eq!(
        service(&project, "mapped").labels,
        labels(&[
            ("added", "yes"),
            ("empty", ""),
            ("replicas", "3"),
            ("team", "override")
        ])
    );
}
