//! Kubernetes manifests → workloads: every object kind, the pod → container merge, every field
//! mapping with its exact value and position (line, column), and bad input.
//! Fixtures are under `tests/data/kubernetes/`.

use dockward_collect::kubernetes::{MAX_MANIFEST_BYTES, Manifest, load_manifest};
use dockward_model::{
    ContainerType, Fact, Healthcheck, Mount, Origin, PodVolume, PortBinding, Provenance, SeLinuxOptions,
    SourceError, Workload,
};

const DATA: &str = "tests/data/kubernetes";

fn load(name: &str) -> Manifest {
    let path = format!("{DATA}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    load_manifest(&path, &text)
}

fn load_ok(name: &str) -> Vec<Workload> {
    let m = load(name);
    assert_eq!(m.errors, Vec::<SourceError>::new(), "{name}");
    assert!(m.is_manifest, "{name}");
    m.workloads
}

/// Line and column of a file position.
fn pos(p: &Provenance) -> (u32, u32) {
    match p {
        Provenance::File { line, column, .. } => (*line, *column),
        other => panic!("not a file position: {other:?}"),
    }
}

fn at<T>(f: &Fact<T>) -> (u32, u32) {
    pos(&f.at)
}

fn find<'a>(workloads: &'a [Workload], display: &str) -> &'a Workload {
    workloads
        .iter()
        .find(|w| w.origin.name() == display)
        .unwrap_or_else(|| panic!("no workload {display}"))
}

fn item(w: &Workload) -> (u32, u32) {
    pos(w.origin.declared_at().expect("a file workload"))
}

fn names(workloads: &[Workload]) -> Vec<(&str, ContainerType, (u32, u32))> {
    workloads
        .iter()
        .map(|w| match &w.origin {
            Origin::Kubernetes {
                display,
                container_type,
                at,
                ..
            } => (display.as_str(), *container_type, pos(at)),
            other => panic!("not a Kubernetes origin: {other:?}"),
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn error(text: &str) -> SourceError {
    let m = load_manifest("m.yaml", text);
    assert_eq!(m.errors.len(), 1, "{:?}", m.errors);
    m.errors[0].clone()
}

#[test]
fn pod_fields_merge_pod_and_container_security_contexts() {
    let w = load_ok("pod-inheritance.yaml");
    assert_eq!(
        names(&w),
        [
            ("Pod/web/setup", ContainerType::Init, (32, 5)),
            ("Pod/web/app", ContainerType::Container, (37, 5)),
            ("Pod/web/sidecar", ContainerType::Container, (79, 5)),
        ]
    );
    let Origin::Kubernetes {
        object_kind,
        name,
        namespace,
        container,
        ..
    } = &w[1].origin
    else {
        panic!("not a Kubernetes origin")
    };
    assert_eq!(
        (
            object_kind.as_str(),
            name.as_str(),
            namespace.as_deref(),
            container.as_str()
        ),
        ("Pod", "web", Some("shop"), "app")
    );

    // The init container's runAsUser: 0 wins over the pod's 1000 and is not hidden by the pod's
    // runAsNonRoot: true; the pod's runAsGroup applies.
    let setup = find(&w, "Pod/web/setup");
    assert_eq!((setup.user.value.as_str(), at(&setup.user)), ("0:3000", (35, 7)));
    let k = setup.kubernetes.as_ref().unwrap();
    assert_eq!(
        k.run_as_user.iter().map(|f| (f.value, at(f))).collect::<Vec<_>>(),
        [(1000, (18, 5)), (0, (35, 7))]
    );
    assert_eq!(
        k.run_as_non_root.as_ref().map(|f| (f.value, at(f))),
        Some((true, (17, 5)))
    );
    // The pod's seccompProfile RuntimeDefault applies: no seccomp option; the pod's SELinux level.
    assert_eq!(setup.security_opt.value, strings(&["label=level:s0:c123,c456"]));
    assert_eq!(at(&setup.security_opt), (23, 7));
    assert_eq!(
        k.seccomp_pod.as_ref().map(|f| (f.value.as_str(), at(f))),
        Some(("RuntimeDefault", (21, 7)))
    );
    assert_eq!(k.seccomp_container, None);
    // No annotation names the init container.
    assert!(k.apparmor.is_empty());
    assert_eq!(setup.restart_policy.value.name, "on-failure");

    let app = find(&w, "Pod/web/app");
    assert_eq!(
        (app.image.value.as_str(), at(&app.image)),
        ("nginx:1.27", (38, 5))
    );
    assert_eq!((app.user.value.as_str(), at(&app.user)), ("1000:3000", (18, 5)));
    assert_eq!((app.privileged.value, at(&app.privileged)), (true, (40, 7)));
    assert_eq!(app.cap_add.value, strings(&["NET_ADMIN", "cap_sys_time"]));
    assert_eq!(at(&app.cap_add), (45, 9));
    assert_eq!(
        (app.cap_drop.value.clone(), at(&app.cap_drop)),
        (strings(&["ALL"]), (46, 9))
    );
    // Docker's spelling of the effective settings; the position is the seccomp type, the one most
    // likely to fail.
    assert_eq!(
        app.security_opt.value,
        strings(&[
            "seccomp=unconfined",
            "apparmor=unconfined",
            "label=user:system_u",
            "label=disable",
            "no-new-privileges=true"
        ])
    );
    assert_eq!(at(&app.security_opt), (49, 9));
    assert_eq!(
        (app.readonly_rootfs.value, at(&app.readonly_rootfs)),
        (true, (42, 7))
    );
    assert_eq!(
        (app.masked_paths.value.clone(), at(&app.masked_paths)),
        (Some(vec![]), (43, 7))
    );
    assert_eq!(
        (app.readonly_paths.value.clone(), at(&app.readonly_paths)),
        (Some(vec![]), (43, 7))
    );
    assert_eq!(
        (app.pid_mode.mode.as_str(), pos(&app.pid_mode.at)),
        ("host", (9, 3))
    );
    assert_eq!((app.ipc_mode.mode.as_str(), pos(&app.ipc_mode.at)), ("", (10, 3)));
    assert_eq!(
        (app.network_mode.mode.as_str(), pos(&app.network_mode.at)),
        ("host", (11, 3))
    );
    assert_eq!(
        (app.uts_mode.mode.as_str(), pos(&app.uts_mode.at)),
        ("host", (11, 3))
    );
    assert_eq!(
        (app.userns_mode.mode.as_str(), pos(&app.userns_mode.at)),
        ("private", (12, 3))
    );
    // A host port, and under hostNetwork a container port that is a host port too.
    let file = format!("{DATA}/pod-inheritance.yaml");
    assert_eq!(
        app.ports,
        [
            PortBinding {
                container_port: "8080/udp".into(),
                host_ip: "127.0.0.1".into(),
                host_port: "80".into(),
                at: Provenance::file(&file, 54, 7),
            },
            PortBinding {
                container_port: "9090/tcp".into(),
                host_ip: "".into(),
                host_port: "9090".into(),
                at: Provenance::file(&file, 58, 7),
            },
        ]
    );
    assert_eq!((app.memory.value, at(&app.memory)), (128 * 1024 * 1024, (61, 17)));
    assert_eq!((app.nano_cpus.value, at(&app.nano_cpus)), (500_000_000, (62, 14)));
    assert_eq!((app.cpu_shares.value, at(&app.cpu_shares)), (256, (64, 14)));
    assert_eq!(
        app.sysctls
            .value
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        [("kernel.msgmax", "65536"), ("net.ipv4.tcp_syncookies", "1")]
    );
    assert_eq!(at(&app.sysctls), (26, 5));
    assert_eq!(
        app.healthcheck.value,
        Some(Healthcheck {
            test: strings(&["HTTP-GET", "http://10.0.0.1:8080/healthz"])
        })
    );
    assert_eq!(at(&app.healthcheck), (65, 5));
    assert_eq!(
        (app.restart_policy.value.name.as_str(), at(&app.restart_policy)),
        ("on-failure", (13, 3))
    );

    let k = app.kubernetes.as_ref().unwrap();
    assert_eq!(
        k.os.as_ref().map(|f| (f.value.as_str(), at(f))),
        Some(("linux", (15, 5)))
    );
    assert_eq!(
        k.host_users.as_ref().map(|f| (f.value, at(f))),
        Some((false, (12, 3)))
    );
    assert_eq!(
        k.host_process
            .iter()
            .map(|f| (f.value, at(f)))
            .collect::<Vec<_>>(),
        [(false, (25, 7))]
    );
    assert_eq!(
        k.seccomp_container.as_ref().map(|f| (f.value.as_str(), at(f))),
        Some(("Unconfined", (49, 9)))
    );
    assert_eq!(
        k.apparmor
            .iter()
            .map(|f| (f.value.as_str(), at(f)))
            .collect::<Vec<_>>(),
        [("unconfined", (7, 5))]
    );
    assert_eq!(
        k.selinux
            .iter()
            .map(|f| (f.value.clone(), at(f)))
            .collect::<Vec<_>>(),
        [
            (
                SeLinuxOptions {
                    level: Some("s0:c123,c456".into()),
                    ..Default::default()
                },
                (23, 7)
            ),
            (
                SeLinuxOptions {
                    r#type: Some("spc_t".into()),
                    user: Some("system_u".into()),
                    ..Default::default()
                },
                (51, 9)
            ),
        ]
    );
    assert_eq!(
        k.allow_privilege_escalation.as_ref().map(|f| (f.value, at(f))),
        Some((false, (41, 7)))
    );
    assert_eq!(
        k.proc_mount.as_ref().map(|f| (f.value.as_str(), at(f))),
        Some(("Unmasked", (43, 7)))
    );
    assert_eq!(
        k.probe_hosts
            .iter()
            .map(|f| (f.value.as_str(), at(f)))
            .collect::<Vec<_>>(),
        [
            ("10.0.0.1", (67, 9)),
            ("metadata.internal", (72, 9)),
            ("169.254.169.254", (77, 11))
        ]
    );
    assert_eq!(
        k.pod_level.run_as_user.as_ref().map(|f| (f.value, at(f))),
        Some((1000, (18, 5)))
    );
    assert_eq!(
        k.pod_level.run_as_non_root.as_ref().map(|f| (f.value, at(f))),
        Some((true, (17, 5)))
    );
    assert_eq!(
        k.pod_level.host_process.as_ref().map(|f| (f.value, at(f))),
        Some((false, (25, 7)))
    );
    assert_eq!(
        k.pod_level
            .apparmor_annotation
            .as_ref()
            .map(|f| (f.value.as_str(), at(f))),
        Some(("unconfined", (7, 5)))
    );
    assert_eq!(k.pod_level.selinux.as_ref().map(at), Some((23, 7)));
    assert_eq!(k.pod_level.apparmor, None);

    // The container's runAsNonRoot: false wins over the pod's true; its AppArmor field applies.
    let sidecar = find(&w, "Pod/web/sidecar");
    let k = sidecar.kubernetes.as_ref().unwrap();
    assert_eq!(
        k.run_as_non_root.as_ref().map(|f| (f.value, at(f))),
        Some((false, (82, 7)))
    );
    assert_eq!(
        k.apparmor
            .iter()
            .map(|f| (f.value.as_str(), at(f)))
            .collect::<Vec<_>>(),
        [("Localhost", (84, 9))]
    );
    assert_eq!(
        sidecar.security_opt.value,
        strings(&["apparmor=k8s-envoy", "label=level:s0:c123,c456"])
    );
    assert_eq!(at(&sidecar.security_opt), (84, 9));
    assert_eq!(
        sidecar.healthcheck.value,
        Some(Healthcheck {
            test: strings(&["CMD", "cat", "/tmp/healthy"])
        })
    );
    // Unset container fields: Kubernetes' defaults at the container's item.
    assert_eq!(
        (sidecar.privileged.value, at(&sidecar.privileged)),
        (false, (79, 5))
    );
    assert_eq!((sidecar.cap_add.value.len(), at(&sidecar.cap_add)), (0, (79, 5)));
    assert_eq!((sidecar.memory.value, at(&sidecar.memory)), (0, (79, 5)));
    assert_eq!(
        (sidecar.masked_paths.value.clone(), at(&sidecar.masked_paths)),
        (None, (79, 5))
    );
}

#[test]
fn missing_keys_hold_kubernetes_defaults_at_the_container_item() {
    let m = load_manifest(
        "p.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
    );
    assert_eq!(m.errors, []);
    let w = &m.workloads[0];
    assert_eq!(w.origin.name(), "Pod/p/c");
    assert_eq!(item(w), (7, 5));
    assert_eq!((w.user.value.as_str(), at(&w.user)), ("", (7, 5)));
    assert_eq!((w.privileged.value, at(&w.privileged)), (false, (7, 5)));
    // Kubernetes' default seccomp (Unconfined without the kubelet's --seccomp-default) is left
    // to the rules, which read that no seccompProfile is set.
    assert_eq!((w.security_opt.value.len(), at(&w.security_opt)), (0, (7, 5)));
    assert_eq!((w.pid_mode.mode.as_str(), pos(&w.pid_mode.at)), ("", (7, 5)));
    assert_eq!(
        (w.userns_mode.mode.as_str(), pos(&w.userns_mode.at)),
        ("", (7, 5))
    );
    assert_eq!(
        (w.restart_policy.value.name.as_str(), at(&w.restart_policy)),
        ("always", (7, 5))
    );
    assert_eq!((w.healthcheck.value.clone(), at(&w.healthcheck)), (None, (7, 5)));
    assert_eq!((w.readonly_rootfs.value, at(&w.readonly_rootfs)), (false, (7, 5)));
    assert_eq!((w.sysctls.value.len(), at(&w.sysctls)), (0, (7, 5)));
    assert!(w.mounts.is_empty() && w.ports.is_empty());
    let k = w.kubernetes.as_ref().unwrap();
    assert_eq!(**k, Default::default());
}

#[test]
fn host_path_volumes_are_binds_as_written_other_volumes_are_volumes() {
    let w = load_ok("volumes.yaml");
    assert_eq!(
        names(&w),
        [("Deployment/agent/agent", ContainerType::Container, (31, 9))]
    );
    let file = format!("{DATA}/volumes.yaml");
    let mount =
        |kind: &str, source: &str, destination: &str, read_only, propagation: &str, at: Provenance| Mount {
            kind: kind.into(),
            source: source.into(),
            destination: destination.into(),
            read_only,
            propagation: propagation.into(),
            bind_device: None,
            source_realpath: None,
            source_socket: None,
            at,
        };
    // A host path's position is its `path:` key in the volume, pulled in by the mount.
    let via = |line, column, mline| Provenance::File {
        path: file.clone(),
        line,
        column,
        via: vec![dockward_model::Location::new(&file, mline, 11)],
    };
    assert_eq!(
        w[0].mounts,
        [
            mount(
                "bind",
                "/var/run//docker.sock",
                "/var/run/docker.sock",
                false,
                "",
                via(11, 11, 34)
            ),
            mount(
                "bind",
                "/var/run/../run/",
                "/host/run",
                true,
                "rslave",
                via(15, 11, 36)
            ),
            mount("bind", "/etc", "/host", false, "rshared", via(18, 11, 40)),
            mount("tmpfs", "", "/cache", false, "", Provenance::file(&file, 44, 11)),
            mount(
                "volume",
                "scratch",
                "/scratch",
                false,
                "",
                Provenance::file(&file, 46, 11)
            ),
            // The kubelet mounts configMap volumes read-only.
            mount(
                "volume",
                "conf",
                "/etc/agent",
                true,
                "",
                Provenance::file(&file, 48, 11)
            ),
            mount(
                "volume",
                "data",
                "/data",
                false,
                "",
                Provenance::file(&file, 50, 11)
            ),
        ]
    );
    let volumes = &w[0].kubernetes.as_ref().unwrap().volumes;
    let volume = |name: &str, source: &str, host_path: Option<&str>, line, column| PodVolume {
        name: name.into(),
        source: source.into(),
        host_path: host_path.map(String::from),
        at: Provenance::file(&file, line, column),
    };
    assert_eq!(
        *volumes,
        [
            volume("sock", "hostPath", Some("/var/run//docker.sock"), 10, 9),
            volume("run", "hostPath", Some("/var/run/../run/"), 14, 9),
            volume("root", "hostPath", Some("/"), 17, 9),
            volume("cache", "emptyDir", None, 20, 9),
            volume("scratch", "emptyDir", None, 23, 9),
            volume("conf", "configMap", None, 25, 9),
            volume("data", "persistentVolumeClaim", None, 28, 9),
        ]
    );
}

#[test]
fn cronjob_nesting_list_items_templates_and_every_container_list() {
    let m = load("cronjob-list.yaml");
    assert_eq!(m.errors, []);
    assert!(m.is_manifest);
    assert_eq!(
        names(&m.workloads),
        [
            ("CronJob/db-backup/dump", ContainerType::Container, (17, 15)),
            ("PodTemplate/tmpl/main", ContainerType::Container, (41, 7)),
            ("PodTemplate/tmpl/debugger", ContainerType::Ephemeral, (44, 7)),
            ("Job/migrate/wait", ContainerType::Init, (59, 9)),
            ("Job/migrate/proxy", ContainerType::Init, (61, 9)),
            ("Job/migrate/run", ContainerType::Container, (65, 9)),
        ]
    );
    let policy = |display| {
        let w = find(&m.workloads, display);
        (w.restart_policy.value.name.clone(), at(&w.restart_policy))
    };
    assert_eq!(policy("CronJob/db-backup/dump"), ("no".into(), (15, 13)));
    // Ephemeral containers are never restarted; a sidecar init container (restartPolicy Always)
    // always is, other init containers on failure.
    assert_eq!(policy("PodTemplate/tmpl/debugger"), ("no".into(), (44, 7)));
    assert_eq!(policy("Job/migrate/proxy"), ("always".into(), (63, 9)));
    assert_eq!(policy("Job/migrate/wait"), ("on-failure".into(), (57, 7)));
    assert_eq!(policy("Job/migrate/run"), ("on-failure".into(), (57, 7)));
    let debugger = find(&m.workloads, "PodTemplate/tmpl/debugger");
    assert_eq!(
        (debugger.cap_add.value.clone(), at(&debugger.cap_add)),
        (strings(&["SYS_PTRACE"]), (48, 11))
    );
}

#[test]
fn every_controller_kind_and_not_a_custom_resource_of_the_same_name() {
    let w = load_ok("controllers.yaml");
    assert_eq!(
        names(&w),
        [
            ("StatefulSet/s/c", ContainerType::Container, (7, 21)),
            ("DaemonSet/d/c", ContainerType::Container, (15, 21)),
            ("ReplicaSet/r/c", ContainerType::Container, (23, 21)),
            ("ReplicationController/rc/c", ContainerType::Container, (31, 21)),
        ]
    );
}

#[test]
fn json_manifests_have_positions_too() {
    let w = load_ok("pod.json");
    assert_eq!(names(&w), [("Pod/j/c", ContainerType::Container, (7, 8))]);
    assert_eq!((w[0].privileged.value, at(&w[0].privileged)), (true, (7, 59)));
}

#[test]
fn other_kinds_and_other_yaml() {
    let m = load_manifest("s.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n");
    assert!(m.is_manifest && m.workloads.is_empty() && m.errors.is_empty());
    // No apiVersion/kind: not a manifest document, silently.
    for text in [
        "services:\n  web:\n    image: nginx\n",
        "kind: Pod\nspec: {}\n",
        "",
        "---\n",
        "- a\n",
    ] {
        let m = load_manifest("o.yaml", text);
        assert!(
            !m.is_manifest && m.workloads.is_empty() && m.errors.is_empty(),
            "{text:?}"
        );
    }
}

#[test]
fn helm_templates_are_not_manifests_yet() {
    let m = load("helm.yaml");
    assert!(m.is_manifest);
    assert!(m.workloads.is_empty());
    assert_eq!(
        m.errors,
        [SourceError {
            path: format!("{DATA}/helm.yaml"),
            line: 5,
            column: 9,
            message: "not a manifest: render it first (helm template …)".into(),
        }]
    );
    assert_eq!(
        error("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: {{ .Values.image }}\n")
            .to_string(),
        "m.yaml:5:12: not a manifest: render it first (helm template …)"
    );
    // A quoted `{{` is a string like any other (a chart whose only templates are quoted is
    // judged as written).
    let m = load_manifest(
        "q.yaml",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: \"{{ .Values.image }}\"\n",
    );
    assert_eq!(
        (m.errors.len(), m.workloads[0].image.value.as_str()),
        (0, "{{ .Values.image }}")
    );
    // Only in comments: a manifest like any other.
    let m = load_manifest(
        "c.yaml",
        "# {{ .Values.x }}\napiVersion: v1\nkind: Service # {{ y }}\n",
    );
    assert!(m.is_manifest && m.errors.is_empty());
}

#[test]
fn invalid_yaml_is_an_error_at_its_line() {
    let m = load("invalid.yaml");
    assert!(m.is_manifest);
    assert_eq!(
        m.errors,
        [SourceError {
            path: format!("{DATA}/invalid.yaml"),
            line: 5,
            column: 3,
            message: "duplicate key \"name\" (first at line 4 column 3)".into(),
        }]
    );
    let e = error("apiVersion: v1\nkind: Pod\nspec: [\n");
    assert_eq!(e.line, 4, "{e}");
    // YAML that fails before any `{{` is a YAML error, not a template.
    let e = error("apiVersion: v1\nkind: Pod\nkind: Job\nmetadata:\n  annotations: {a: \"{{ x }}\"}\n");
    assert_eq!(
        e.to_string(),
        "m.yaml:3:1: duplicate key \"kind\" (first at line 2 column 1)"
    );
}

#[test]
fn wrongly_typed_fields_are_errors_and_the_object_yields_nothing() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: c
    securityContext:
      privileged: \"true\"
---
apiVersion: v1
kind: Pod
metadata: {name: good}
spec:
  containers:
  - name: c
";
    let m = load_manifest("t.yaml", text);
    assert_eq!(
        m.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "t.yaml:8:19: spec.containers[0].securityContext.privileged: expected a boolean, found string \"true\""
        ]
    );
    assert_eq!(
        names(&m.workloads),
        [("Pod/good/c", ContainerType::Container, (15, 5))]
    );

    let cases = [
        (
            "spec:\n  containers: {}\n",
            "t.yaml:4:15: spec.containers: expected a sequence, found a mapping",
        ),
        (
            "spec:\n  hostPID: 1\n",
            "t.yaml:4:12: spec.hostPID: expected a boolean, found string \"1\"",
        ),
        (
            "spec:\n  securityContext:\n    runAsUser: \"0\"\n  containers: []\n",
            "t.yaml:5:16: spec.securityContext.runAsUser: expected an integer, found string \"0\"",
        ),
        (
            "spec:\n  containers:\n  - name: c\n    resources: {limits: {memory: 12XB}}\n",
            "t.yaml:6:34: spec.containers[0].resources.limits.memory: expected a quantity (128Mi, 0.5, 500m …), found string \"12XB\"",
        ),
        (
            "spec:\n  containers:\n  - name: c\n    volumeMounts: [{name: nope, mountPath: /x}]\n",
            "t.yaml:6:21: spec.containers[0].volumeMounts[0].name: the pod defines no volume \"nope\"",
        ),
        (
            "spec:\n  volumes:\n  - name: v\n    hostPath: /var/run/docker.sock\n",
            "t.yaml:6:15: spec.volumes[0].hostPath: expected a mapping, found string \"/var/run/docker.sock\"",
        ),
        (
            "spec: 3\n",
            "t.yaml:3:7: spec: expected a mapping, found string \"3\"",
        ),
        (
            "metadata: {name: p}\n",
            "t.yaml:1:1: Pod p: spec is missing, so there is no pod to judge",
        ),
    ];
    for (spec, expected) in cases {
        let m = load_manifest("t.yaml", &format!("apiVersion: v1\nkind: Pod\n{spec}"));
        assert_eq!(
            m.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [expected],
            "{spec}"
        );
        assert!(m.workloads.is_empty());
    }
    let m = load_manifest(
        "d.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 2}\n",
    );
    assert_eq!(
        m.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["d.yaml:4:8: Deployment d: spec.template is missing, so there is no pod to judge"]
    );
}

#[test]
fn quantities_in_every_spelling() {
    let limits = |memory: &str, cpu: &str| {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    resources:\n      limits:\n        memory: {memory}\n        cpu: {cpu}\n"
        );
        let m = load_manifest("q.yaml", &text);
        assert_eq!(m.errors, [], "{memory} {cpu}");
        (m.workloads[0].memory.value, m.workloads[0].nano_cpus.value)
    };
    assert_eq!(limits("1Gi", "2"), (1 << 30, 2_000_000_000));
    assert_eq!(limits("129e6", "0.25"), (129_000_000, 250_000_000));
    assert_eq!(limits("1.5k", "1500m"), (1500, 1_500_000_000));
    assert_eq!(limits("2Ti", "\"100m\""), (2 << 40, 100_000_000));
    assert_eq!(limits("3M", "1e-1"), (3_000_000, 100_000_000));
    assert_eq!(limits("1T", "1"), (1_000_000_000_000, 1_000_000_000));
    assert_eq!(limits("1Mi", "1"), (1 << 20, 1_000_000_000));
    assert_eq!(limits("500Ki", "1"), (500 << 10, 1_000_000_000));
}

#[test]
fn apparmor_field_wins_over_the_annotation_and_the_container_over_the_pod() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    container.apparmor.security.beta.kubernetes.io/a: localhost/custom
    container.apparmor.security.beta.kubernetes.io/b: unconfined
spec:
  securityContext:
    appArmorProfile: {type: Unconfined}
  containers:
  - name: a
  - name: b
    securityContext:
      appArmorProfile: {type: RuntimeDefault}
  - name: c
";
    let m = load_manifest("a.yaml", text);
    assert_eq!(m.errors, []);
    let opts: Vec<_> = m.workloads.iter().map(|w| w.security_opt.value.clone()).collect();
    assert_eq!(
        opts,
        [
            strings(&["apparmor=custom"]),
            strings(&[]),
            strings(&["apparmor=unconfined"]),
        ]
    );
    let settings = |i: usize| -> Vec<(String, (u32, u32))> {
        m.workloads[i]
            .kubernetes
            .as_ref()
            .unwrap()
            .apparmor
            .iter()
            .map(|f| (f.value.clone(), at(f)))
            .collect()
    };
    assert_eq!(
        settings(0),
        [
            ("localhost/custom".into(), (6, 5)),
            ("Unconfined".into(), (10, 23))
        ]
    );
    assert_eq!(
        settings(1),
        [
            ("unconfined".into(), (7, 5)),
            ("Unconfined".into(), (10, 23)),
            ("RuntimeDefault".into(), (15, 25))
        ]
    );
    assert_eq!(settings(2), [("Unconfined".into(), (10, 23))]);
}

#[test]
fn bad_input_is_bounded_and_never_panics() {
    // A file over the limit is refused before it is parsed.
    let big = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \"{}\"\n",
        "x".repeat(MAX_MANIFEST_BYTES)
    );
    let m = load_manifest("big.yaml", &big);
    assert!(m.is_manifest);
    assert_eq!(
        m.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [format!(
            "big.yaml: the file is {} bytes, over the 16 MiB limit for a manifest: not read",
            big.len()
        )]
    );
    // A billion laughs.
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let m = load_manifest("bomb.yaml", &bomb);
    assert_eq!(m.errors.len(), 1);
    assert!(m.errors[0].line > 0 && m.workloads.is_empty(), "{:?}", m.errors);
    // A custom resource definition's schema nests deeply, and is still read.
    let mut schema = String::from("{type: string}");
    for _ in 0..60 {
        schema = format!("{{type: object, properties: {{x: {schema}}}}}");
    }
    let crd = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {{schema: {schema}}}\n"
    );
    let m = load_manifest("crd.yaml", &crd);
    assert!(m.is_manifest && m.errors.is_empty(), "{:?}", m.errors);
    // Deep nesting.
    let deep = format!(
        "apiVersion: v1\nkind: Pod\nspec: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let m = load_manifest("deep.yaml", &deep);
    assert_eq!(m.errors.len(), 1);
    assert_eq!(m.errors[0].line, 3, "{:?}", m.errors);
    // Lists nested in lists beyond any kubectl output.
    let mut nested = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for depth in 1..=9 {
        let indent = "  ".repeat(depth);
        nested.push_str(&format!(
            "{indent}- apiVersion: v1\n{indent}  kind: List\n{indent}  items:\n"
        ));
    }
    let m = load_manifest("n.yaml", &nested);
    assert_eq!(m.errors.len(), 1, "{:?}", m.errors);
    assert!(
        m.errors[0].message.contains("nested more than 8 deep"),
        "{:?}",
        m.errors
    );
}

#[test]
fn every_pss_conformance_pod_loads_with_its_container_and_init_container() {
    // Beside the repository, where the developers' guide keeps it (`DOCKWARD_PSS_CONFORMANCE`
    // names another place).
    let root = std::env::var("DOCKWARD_PSS_CONFORMANCE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/conformance/pss-v1.37"
        )
        .into()
    });
    let mut files = 0;
    for level in ["baseline", "restricted"] {
        for verdict in ["pass", "fail"] {
            let dir = format!("{root}/{level}/{verdict}");
            let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
            for entry in entries {
                let path = entry.expect("a directory entry").path();
                let text = std::fs::read_to_string(&path).expect("a readable fixture");
                let path = path.display().to_string();
                let m = load_manifest(&path, &text);
                assert_eq!(m.errors, [], "{path}");
                let mut containers: Vec<_> = m
                    .workloads
                    .iter()
                    .map(|w| match &w.origin {
                        Origin::Kubernetes { container, .. } => container.as_str(),
                        _ => "",
                    })
                    .collect();
                containers.sort_unstable();
                assert_eq!(containers, ["container1", "initcontainer1"], "{path}");
                files += 1;
            }
        }
    }
    assert!(files > 100, "only {files} fixtures");
}

/// The container rules judge what the loader read: the Docker socket in any spelling of its path
/// or of a parent directory, in every container list, at the host path's position.
#[test]
fn the_docker_socket_rule_sees_every_spelling_of_a_host_path() {
    let m = load("socket-spellings.yaml");
    assert_eq!(m.errors, []);
    let settings = dockward_rules::Settings::default();
    let results = dockward_rules::lint::evaluate_workloads(&m.workloads, &m.errors, &settings);
    let socket: Vec<_> = results
        .iter()
        .filter(|r| r.rule == "CT0028")
        .map(|r| {
            let at = r
                .location
                .as_ref()
                .map(|l| (l.line, l.column, l.via.first().map(|v| (v.line, v.column))));
            (r.target.name.as_str(), r.status, at)
        })
        .collect();
    let fail = dockward_model::Status::Fail;
    assert_eq!(
        socket,
        [
            ("DaemonSet/agents/i", fail, Some((9, 30, Some((25, 35))))),
            ("DaemonSet/agents/a", fail, Some((9, 30, Some((17, 35))))),
            ("DaemonSet/agents/b", fail, Some((10, 30, Some((18, 35))))),
            ("DaemonSet/agents/c", fail, Some((11, 30, Some((19, 35))))),
            ("DaemonSet/agents/d", fail, Some((12, 30, Some((20, 35))))),
            ("DaemonSet/agents/e", fail, Some((13, 30, Some((21, 35))))),
            ("DaemonSet/agents/f", fail, Some((14, 30, Some((22, 35))))),
            ("DaemonSet/agents/g", fail, Some((15, 30, Some((23, 35))))),
            ("DaemonSet/agents/x", fail, Some((12, 30, Some((27, 35))))),
        ]
    );
}

#[test]
fn generated_names_probe_handlers_and_null_annotations() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  generateName: job-
  annotations:
    note:
spec:
  containers:
  - name: grpc
    livenessProbe: {grpc: {port: 9000}}
  - name: tcp
    readinessProbe: {tcpSocket: {port: metrics}}
    startupProbe: {httpGet: {host: 10.1.1.1, port: 80}}
  - name: https
    livenessProbe: {httpGet: {scheme: HTTPS, path: /ready, port: 8443}}
  - name: bad
    livenessProbe: {initialDelaySeconds: 3}
";
    let m = load_manifest("g.yaml", text);
    assert_eq!(
        m.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "g.yaml:17:21: spec.containers[3].livenessProbe: the probe has no exec, httpGet, tcpSocket or grpc handler"
        ]
    );
    let fixed = text.replace("  - name: bad\n    livenessProbe: {initialDelaySeconds: 3}\n", "");
    let m = load_manifest("g.yaml", &fixed);
    assert_eq!(m.errors, []);
    let checks: Vec<_> = m
        .workloads
        .iter()
        .map(|w| {
            (
                w.origin.name().to_string(),
                w.healthcheck.value.clone().map(|h| h.test),
                at(&w.healthcheck),
            )
        })
        .collect();
    assert_eq!(
        checks,
        [
            ("Pod/job-/grpc".into(), Some(strings(&["GRPC", "9000"])), (10, 5)),
            (
                "Pod/job-/tcp".into(),
                Some(strings(&["TCP-SOCKET", ":metrics"])),
                (12, 5)
            ),
            (
                "Pod/job-/https".into(),
                Some(strings(&["HTTP-GET", "https://:8443/ready"])),
                (15, 5)
            ),
        ]
    );
    // A startup probe is no health check, but its host is a probe host.
    let hosts = &m.workloads[1].kubernetes.as_ref().unwrap().probe_hosts;
    assert_eq!(
        hosts
            .iter()
            .map(|f| (f.value.as_str(), at(f)))
            .collect::<Vec<_>>(),
        [("10.1.1.1", (13, 30))]
    );
}

#[test]
fn braces_that_are_data_are_no_template() {
    // An alert rule's and a dashboard's `{{ … }}` are data: the file is a manifest like any other.
    let text = "\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: r}
spec:
  groups:
  - rules:
    - alert: Down
      annotations:
        summary: Instance {{ $labels.instance }} down
        description: \"{{ $value }}\"
---
apiVersion: v1
kind: ConfigMap
data:
  dash.json: |
    {\"legendFormat\": \"{{pod}}\"}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    args: [\"--format={{.Name}}\"]
";
    let m = load_manifest("r.yaml", text);
    assert_eq!(m.errors, []);
    assert_eq!(
        names(&m.workloads),
        [("Pod/p/c", ContainerType::Container, (23, 5))]
    );

    // In an object with a pod, a plain scalar with `{{` is a template; so is a mapping key that
    // YAML reads from `{{ … }}`, anywhere, and any `{{` in a file that is not YAML.
    let cases = [
        (
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers:\n    - image: repo/app:{{ .Values.tag }}\n",
            "t.yaml:8:23",
        ),
        (
            "apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: {{ .Values.port }}\n",
            "t.yaml:5:11",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\n",
            "t.yaml:4:9",
        ),
        (
            "{{- if .Values.enabled }}\napiVersion: v1\nkind: Service\n{{- end }}\n",
            "t.yaml:1:1",
        ),
    ];
    for (text, at) in cases {
        let m = load_manifest("t.yaml", text);
        assert_eq!(
            m.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [format!("{at}: not a manifest: render it first (helm template …)")],
            "{text}"
        );
        assert!(m.is_manifest && m.workloads.is_empty());
    }
}

/// Found by the fuzz target: lines that end in a lone `\r` are lines to YAML, and every position
/// (workloads, errors, templates) counts them so.
#[test]
fn carriage_returns_end_lines_for_every_position() {
    let text = "apiVersion: v1\rkind: Pod\r\nspec:\r  containers:\r  - name: c\r    image: nginx\r";
    let m = load_manifest("cr.yaml", text);
    assert_eq!(m.errors, []);
    assert_eq!(
        names(&m.workloads),
        [("Pod//c", ContainerType::Container, (5, 5))]
    );
    assert_eq!(at(&m.workloads[0].image), (6, 5));
    let m = load_manifest("cr.yaml", &text.replace("nginx", "{{ .Values.image }}"));
    assert_eq!(
        m.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["cr.yaml:6:12: not a manifest: render it first (helm template …)"]
    );
    let m = load_manifest(
        "cr.yaml",
        "apiVersion: v1\rkind: Pod\rspec:\r  conta\r\r\riners: [\r",
    );
    assert_eq!(m.errors.len(), 1);
    assert!(m.errors[0].line <= 8, "{:?}", m.errors);
}

#[test]
fn a_statefulset_mounts_its_volume_claim_templates() {
    let text = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      containers:\n        - name: pg\n          image: postgres:16\n          volumeMounts:\n            - {name: data, mountPath: /var/lib/postgresql/data}\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {accessModes: [ReadWriteOnce]}\n";
    let m = load_manifest("sts.yaml", text);
    assert_eq!(m.errors, Vec::<SourceError>::new());
    let w = find(&m.workloads, "StatefulSet/db/pg");
    let volumes = &w.kubernetes.as_ref().unwrap().volumes;
    assert_eq!(
        volumes
            .iter()
            .map(|v| (v.name.as_str(), v.source.as_str(), pos(&v.at)))
            .collect::<Vec<_>>(),
        [("data", "persistentVolumeClaim", (13, 7))]
    );
    assert_eq!(
        w.mounts
            .iter()
            .map(|m| (m.kind.as_str(), m.source.as_str(), m.destination.as_str()))
            .collect::<Vec<_>>(),
        [("volume", "data", "/var/lib/postgresql/data")]
    );
}

/// CT0002 judges the AppArmor profile a container gets: a container's own `RuntimeDefault`
/// overrides the pod's `Unconfined`.
#[test]
fn apparmor_is_judged_on_the_effective_profile() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    appArmorProfile: {type: Unconfined}\n  containers:\n    - name: own\n      image: x\n      securityContext:\n        appArmorProfile: {type: RuntimeDefault}\n    - name: inherits\n      image: x\n";
    let m = load_manifest("aa.yaml", text);
    assert_eq!(m.errors, []);
    let results = dockward_rules::lint::evaluate_workloads(
        &m.workloads,
        &m.errors,
        &dockward_rules::Settings::default(),
    );
    type Judged<'a> = (&'a str, dockward_model::Status, Option<(u32, u32)>);
    let verdicts: Vec<Judged<'_>> = results
        .iter()
        .filter(|r| r.rule == "CT0002")
        .map(|r| {
            (
                r.target.name.as_str(),
                r.status,
                r.location.as_ref().map(|l| (l.line, l.column)),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("Pod/p/own", dockward_model::Status::Pass, Some((8, 7))),
            ("Pod/p/inherits", dockward_model::Status::Fail, Some((6, 23))),
        ]
    );
}

#[test]
fn labels_are_the_pods_own_or_its_templates() {
    use std::collections::BTreeMap;
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let manifest = load_manifest(
        "m.yaml",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: agent
  labels: {app: node-exporter, "app.kubernetes.io/part-of": monitoring, empty: null, bad: [x]}
spec:
  containers:
  - {name: exporter, image: prom/node-exporter}
  - {name: sidecar, image: busybox}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {owner: deployment-only}
spec:
  template:
    metadata:
      labels: {app: web, tier: "3"}
    spec:
      containers:
      - {name: nginx, image: nginx}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: plain}
spec:
  template:
    metadata:
      labels: not-a-map
    spec:
      containers:
      - {name: c, image: busybox}
"#,
    );
    assert_eq!(manifest.errors, Vec::<SourceError>::new());
    let pod = labels(&[
        ("app", "node-exporter"),
        ("app.kubernetes.io/part-of", "monitoring"),
        ("empty", ""),
    ]);
    assert_eq!(manifest.workloads.len(), 4);
    assert_eq!(manifest.workloads[0].labels, pod);
    assert_eq!(manifest.workloads[1].labels, pod);
    // A controller's containers carry the pod template's labels, not the controller's own.
    assert_eq!(
        manifest.workloads[2].labels,
        labels(&[("app", "web"), ("tier", "3")])
    );
    assert!(manifest.workloads[3].labels.is_empty());
}
