//! The enforcement decision: per profile, requests → exact allow/deny, rules and message; and the
//! decision agrees with the audit on every fixture container.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::{read_json, workload};

use dockward_collect::info_from_json;
use dockward_model::{
    Action, ApiRequest, BuildSpec, DaemonFacts, ExecSpec, Fact, HostSocket, Origin, PluginChange,
    ResourceUpdate, Status, Workload,
};
use dockward_rules::decide::{Decision, decide};
use dockward_rules::profile::Profile::{self, Baseline, Restricted};
use dockward_rules::{Context, Settings};
use serde_json::{Value, json};

fn daemon() -> DaemonFacts {
    DaemonFacts {
        endpoint: "unix:///var/run/docker.sock".into(),
        info: Some(info_from_json(read_json("base.info.json").to_string().as_bytes()).unwrap()),
        sockets: vec![HostSocket {
            path: "/var/run/docker.sock".into(),
            id: None,
        }],
        ..DaemonFacts::default()
    }
}

fn decide_with(daemon: &DaemonFacts, request: &ApiRequest, profile: Profile) -> Decision {
    let settings = Settings::default();
    let ctx = Context {
        daemon,
        host: None,
        host_error: None,
        client: None,
        settings: &settings,
    };
    decide(&ctx, request, profile)
}

fn run(request: &ApiRequest, profile: Profile) -> Decision {
    decide_with(&daemon(), request, profile)
}

/// A container the request would create, as the request parser gives it: the inspect fixture
/// patched, named `web`, with nothing the runtime reports (AppArmor profile, process label).
fn container(patch: Value) -> Workload {
    let mut w = workload(&patch);
    w.origin = Origin::Request {
        route: "POST /containers/create".into(),
        name: "web".into(),
    };
    w.apparmor_profile = None;
    w.process_label = None;
    w
}

/// A container with Docker's defaults that baseline allows (its own cgroup namespace).
fn defaults(extra: Value) -> Value {
    let mut patch = json!({"HostConfig": {"CgroupnsMode": "private"}});
    if !extra.is_null() {
        common::merge_patch(&mut patch, &extra);
    }
    patch
}

/// What restricted asks for on top.
fn hardened(extra: Value) -> Value {
    let mut patch = defaults(json!({
        "Config": {"User": "10001:10001"},
        "HostConfig": {
            "Memory": 268_435_456,
            "PidsLimit": 100,
            "SecurityOpt": ["no-new-privileges"],
            "CapDrop": ["ALL"],
        },
    }));
    if !extra.is_null() {
        common::merge_patch(&mut patch, &extra);
    }
    patch
}

fn request(method: &str, path: &str, action: Action) -> ApiRequest {
    ApiRequest {
        method: method.into(),
        path: path.into(),
        api_version: Some("1.41".into()),
        query: Vec::new(),
        user: String::new(),
        action,
    }
}

fn create(patch: Value) -> ApiRequest {
    request(
        "POST",
        "/containers/create",
        Action::Container(Box::new(container(patch))),
    )
}

/// The ids of the findings, and the message.
fn outcome(decision: &Decision) -> (bool, Vec<&'static str>, String) {
    (
        decision.allow,
        decision.findings.iter().map(|f| f.id).collect(),
        decision.message(),
    )
}

fn allowed(profile: &str, route: &str) -> (bool, Vec<&'static str>, String) {
    (true, Vec::new(), format!("{route} allowed by profile {profile}"))
}

#[test]
fn docker_defaults_pass_baseline_and_fail_restricted() {
    let request = create(defaults(json!(null)));
    assert_eq!(
        outcome(&run(&request, Baseline)),
        allowed("baseline", "POST /containers/create (name web, image dwbase:1)")
    );
    assert_eq!(
        outcome(&run(&request, Restricted)),
        (
            false,
            vec!["CT0001", "CT0010", "CT0023", "CT0025", "CT0032"],
            "POST /containers/create (name web, image dwbase:1) denied by profile restricted: \
             CT0001 runs-as-root: neither the request nor the image sets a user, so the container runs as root \
             (fix: set a non-root user: docker run --user UID:GID, or USER in the Dockerfile); \
             CT0010 memory-unlimited: container has no memory limit (fix: set a memory limit, e.g. docker run --memory 512m); \
             CT0023 new-privileges-allowed: container does not set no-new-privileges (the daemon-wide default was not read) \
             (fix: run with --security-opt no-new-privileges (or dockerd --no-new-privileges)); \
             CT0025 pids-unlimited: container has no PIDs limit (fix: set --pids-limit, e.g. --pids-limit 200); \
             CT0032 capabilities-not-dropped: container does not drop all capabilities (--cap-drop ALL) \
             (fix: run with --cap-drop ALL and add back at most --cap-add NET_BIND_SERVICE)"
                .to_string()
        )
    );
}

#[test]
fn a_hardened_container_passes_both_profiles() {
    let request = create(hardened(json!(null)));
    for profile in [Baseline, Restricted] {
        let decision = run(&request, profile);
        assert_eq!(
            outcome(&decision),
            allowed(
                profile.name(),
                "POST /containers/create (name web, image dwbase:1)"
            ),
            "{profile}"
        );
        assert!(!decision.unknown_route);
    }
}

#[test]
fn a_user_name_that_is_uid_0_in_the_image_is_root() {
    let mut w = container(hardened(json!({"Config": {"User": "toor"}})));
    w.user_uid = Some(Fact::at_pointer(0, "image dwbase:1 /etc/passwd"));
    let request = request("POST", "/containers/create", Action::Container(Box::new(w)));
    assert_eq!(
        outcome(&run(&request, Baseline)),
        allowed("baseline", "POST /containers/create (name web, image dwbase:1)")
    );
    assert_eq!(
        outcome(&run(&request, Restricted)),
        (
            false,
            vec!["CT0001"],
            "POST /containers/create (name web, image dwbase:1) denied by profile restricted: \
             CT0001 runs-as-root: container runs as root (user \"toor\" is uid 0 in the image) \
             (fix: set a non-root user: docker run --user UID:GID, or USER in the Dockerfile)"
                .to_string()
        )
    );
}

#[test]
fn a_denial_names_every_failed_rule_with_reason_and_fix() {
    let request = create(defaults(json!({
        "HostConfig": {"Privileged": true, "NetworkMode": "host"},
        "Mounts": [{"Type": "bind", "Source": "/etc", "Destination": "/host-etc", "Mode": "",
                    "RW": true, "Propagation": "rprivate"}],
    })));
    let decision = run(&request, Baseline);
    assert_eq!(
        outcome(&decision),
        (
            false,
            vec!["CT0004", "CT0006", "CT0007", "CT0009", "CT0021", "CT0031"],
            "POST /containers/create (name web, image dwbase:1) denied by profile baseline: \
             CT0004 added-capabilities: container is privileged and has every capability \
             (fix: remove --cap-add entries the workload does not need; start from --cap-drop ALL); \
             CT0006 privileged-container: container is privileged \
             (fix: remove --privileged; grant only the needed capability (--cap-add) or device (--device)); \
             CT0007 sensitive-host-mount: sensitive host directories are mounted: /etc at /host-etc (writable) \
             (fix: remove the mount of the host system directory; mount only application data, read-only where possible); \
             CT0009 host-network: container shares the host's network namespace (fix: remove --network=host); \
             CT0021 seccomp-unconfined: container is privileged, so no seccomp profile is applied \
             (fix: remove --security-opt seccomp=unconfined (and --privileged); extend the default profile instead of disabling it); \
             CT0031 systempaths-unconfined: container is privileged, so no path of /proc or /sys is masked or read-only \
             (fix: remove --security-opt systempaths=unconfined (and --privileged))"
                .to_string()
        )
    );
    assert!(decision.findings.iter().all(|f| f.status == Status::Fail));
    // The restricted profile names the same rules and its own.
    let restricted = run(&request, Restricted);
    assert_eq!(
        restricted.findings.iter().map(|f| f.id).collect::<Vec<_>>(),
        [
            "CT0001", "CT0004", "CT0006", "CT0007", "CT0009", "CT0010", "CT0021", "CT0023", "CT0025",
            "CT0031", "CT0032"
        ]
    );
}

#[test]
fn an_unknown_fact_is_an_error_that_denies() {
    let mut w = container(defaults(json!(null)));
    w.unknown.insert(
        "/HostConfig/Privileged".into(),
        "/HostConfig/Privileged is not a boolean".into(),
    );
    let request = request("POST", "/containers/create", Action::Container(Box::new(w)));
    let decision = run(&request, Baseline);
    assert_eq!(
        outcome(&decision),
        (
            false,
            vec!["CT0002", "CT0003", "CT0004", "CT0006", "CT0021", "CT0031"],
            "POST /containers/create (name web, image dwbase:1) denied by profile baseline: \
             CT0002 apparmor-unconfined could not judge it: /HostConfig/Privileged is not a boolean; \
             CT0003 selinux-unconfined could not judge it: /HostConfig/Privileged is not a boolean; \
             CT0004 added-capabilities could not judge it: /HostConfig/Privileged is not a boolean; \
             CT0006 privileged-container could not judge it: /HostConfig/Privileged is not a boolean; \
             CT0021 seccomp-unconfined could not judge it: /HostConfig/Privileged is not a boolean; \
             CT0031 systempaths-unconfined could not judge it: /HostConfig/Privileged is not a boolean"
                .to_string()
        )
    );
    assert!(decision.findings.iter().all(|f| f.status == Status::Error));
}

#[test]
fn an_unreadable_daemon_denies_rules_that_need_it() {
    let daemon = DaemonFacts {
        info: None,
        info_error: Some("GET /info failed: connection refused".into()),
        ..daemon()
    };
    let decision = decide_with(&daemon, &create(defaults(json!(null))), Baseline);
    assert!(!decision.allow);
    assert_eq!(
        decision
            .findings
            .iter()
            .map(|f| (f.id, f.status, f.message.as_str()))
            .collect::<Vec<_>>(),
        [
            (
                "CT0002",
                Status::Error,
                "the daemon's security options are unknown: GET /info failed: connection refused"
            ),
            (
                "CT0003",
                Status::Error,
                "the daemon's security options are unknown: GET /info failed: connection refused"
            ),
            (
                "CT0021",
                Status::Error,
                "the daemon's default seccomp profile is unknown: GET /info failed: connection refused"
            ),
        ]
    );
}

#[test]
fn services_are_judged_like_containers() {
    let mut w = container(defaults(json!({"HostConfig": {"PidMode": "host"}})));
    w.origin = Origin::Request {
        route: "POST /services/create".into(),
        name: "svc".into(),
    };
    let request = request("POST", "/services/create", Action::Service(Box::new(w)));
    assert_eq!(
        outcome(&run(&request, Baseline)),
        (
            false,
            vec!["CT0015"],
            "POST /services/create (name svc, image dwbase:1) denied by profile baseline: \
             CT0015 host-pid: container shares the host's PID namespace (fix: remove --pid=host)"
                .to_string()
        )
    );
}

fn volume(bind_device: Option<&str>) -> ApiRequest {
    let mut w = Workload {
        origin: Origin::Request {
            route: "POST /volumes/create".into(),
            name: "data".into(),
        },
        ..container(json!(null))
    };
    w.image = Fact::default();
    w.mounts = vec![dockward_model::Mount {
        kind: "volume".into(),
        source: "data".into(),
        destination: String::new(),
        read_only: false,
        propagation: String::new(),
        bind_device: bind_device.map(str::to_string),
        source_realpath: None,
        source_socket: None,
        at: dockward_model::Provenance::pointer("/DriverOpts"),
    }];
    request("POST", "/volumes/create", Action::Volume(Box::new(w)))
}

#[test]
fn volumes_are_judged_by_the_mount_rules_only() {
    // The workload around the volume runs as root without limits; only its mount is judged.
    for profile in Profile::ALL {
        assert_eq!(
            outcome(&run(&volume(None), profile)),
            allowed(profile.name(), "POST /volumes/create (volume data)")
        );
        assert_eq!(
            outcome(&run(&volume(Some("/var/run/")), profile)),
            (
                false,
                vec!["CT0007", "CT0028"],
                format!(
                    "POST /volumes/create (volume data) denied by profile {profile}: \
                     CT0007 sensitive-host-mount: sensitive host directories are mounted: /var/run (writable) \
                     (fix: remove the mount of the host system directory; mount only application data, read-only where possible); \
                     CT0028 docker-socket-mount: the Docker socket is mounted: /var/run/ holds the Docker socket \
                     /run/docker.sock \
                     (fix: remove the mount of the Docker socket; give tools a filtering proxy instead)"
                )
            )
        );
    }
    let selected: Vec<&str> = Restricted.volume_rules().iter().map(|r| r.id).collect();
    assert_eq!(selected, ["CT0007", "CT0028"]);
}

fn exec(privileged: bool, user: &str, container_user: Option<&str>, user_uid: Option<u32>) -> ApiRequest {
    request(
        "POST",
        "/containers/web/exec",
        Action::Exec(ExecSpec {
            container: "web".into(),
            privileged: Fact::at_pointer(privileged, "/Privileged"),
            user: Fact::at_pointer(user.to_string(), "/User"),
            container_user: container_user.map(str::to_string),
            user_uid,
        }),
    )
}

const EXEC: &str = "POST /containers/web/exec (container web)";

#[test]
fn privileged_exec_is_denied_by_both_profiles() {
    // CIS 5.23 (no privileged exec) is a Level 2 item.
    assert_eq!(
        outcome(&run(&exec(true, "10001", None, None), Profile::CisLevel1)),
        allowed("cis-level1", EXEC)
    );
    for profile in [Baseline, Restricted, Profile::CisLevel2] {
        assert_eq!(
            outcome(&run(&exec(true, "10001", None, None), profile)),
            (
                false,
                vec!["RQ0001"],
                format!(
                    "{EXEC} denied by profile {profile}: RQ0001 privileged-exec: exec is privileged \
                     (fix: run docker exec without --privileged)"
                )
            )
        );
    }
}

#[test]
fn exec_as_root_is_denied_by_restricted_only() {
    let root = |user: &str, container_user: Option<&str>, uid: Option<u32>, message: &str| {
        let request = exec(false, user, container_user, uid);
        assert_eq!(
            outcome(&run(&request, Baseline)),
            allowed("baseline", EXEC),
            "{user:?}"
        );
        assert_eq!(
            outcome(&run(&request, Restricted)),
            (
                false,
                vec!["RQ0002"],
                format!(
                    "{EXEC} denied by profile restricted: RQ0002 exec-as-root: {message} \
                     (fix: run docker exec --user UID:GID with a non-root user)"
                )
            ),
            "{user:?}"
        );
    };
    root("0", None, None, "exec runs as root (user \"0\")");
    root("0:0", None, None, "exec runs as root (user \"0:0\")");
    root("root", Some("10001"), None, "exec runs as root (user \"root\")");
    root(
        "toor",
        None,
        Some(0),
        "exec runs as root (user \"toor\" is uid 0 in the image)",
    );
    root(
        "",
        Some(""),
        None,
        "exec runs as the container's user, which is root (no user is set)",
    );
    root(
        "",
        Some("root:root"),
        None,
        "exec runs as the container's user, which is root (user \"root:root\")",
    );
    root(
        "",
        Some("admin"),
        Some(0),
        "exec runs as the container's user \"admin\", which is uid 0 in the image",
    );
    for (user, container_user) in [("10001", None), ("", Some("app"))] {
        assert_eq!(
            outcome(&run(&exec(false, user, container_user, Some(10001)), Restricted)),
            allowed("restricted", EXEC)
        );
    }
    // The container's user could not be looked up: no verdict, so no exec.
    assert_eq!(
        outcome(&run(&exec(false, "", None, None), Restricted)),
        (
            false,
            vec!["RQ0002"],
            format!(
                "{EXEC} denied by profile restricted: RQ0002 exec-as-root could not judge it: \
                 exec runs as the container's user, which could not be looked up"
            )
        )
    );
}

fn update(pids: Option<i64>, memory: Option<i64>, swap: Option<i64>) -> ApiRequest {
    request(
        "POST",
        "/containers/web/update",
        Action::Update(ResourceUpdate {
            container: "web".into(),
            pids_limit: pids.map(|v| Fact::at_pointer(v, "/PidsLimit")),
            memory: memory.map(|v| Fact::at_pointer(v, "/Memory")),
            memory_swap: swap.map(|v| Fact::at_pointer(v, "/MemorySwap")),
        }),
    )
}

#[test]
fn an_update_that_lifts_the_pids_limit_is_denied_by_restricted() {
    const UPDATE: &str = "POST /containers/web/update (container web)";
    for limit in [0, -1] {
        assert_eq!(
            outcome(&run(&update(Some(limit), None, None), Baseline)),
            allowed("baseline", UPDATE)
        );
        assert_eq!(
            outcome(&run(&update(Some(limit), None, None), Restricted)),
            (
                false,
                vec!["RQ0006"],
                format!(
                    "{UPDATE} denied by profile restricted: RQ0006 update-lifts-limit: update lifts the PIDs \
                     limit (PidsLimit {limit}) (fix: keep a positive limit, e.g. docker update --pids-limit 200)"
                )
            )
        );
    }
    // Unlimited swap keeps the memory limit; Memory 0 leaves it unchanged.
    for request in [
        update(Some(50), None, None),
        update(None, Some(0), Some(-1)),
        update(None, None, None),
    ] {
        assert_eq!(outcome(&run(&request, Restricted)), allowed("restricted", UPDATE));
    }
}

#[test]
fn builds_on_the_host_network_and_buildkit_streams_are_denied() {
    let build = |mode: &str| {
        request(
            "POST",
            "/build",
            Action::Build(BuildSpec {
                network_mode: Fact::at_pointer(mode.to_string(), "?networkmode"),
            }),
        )
    };
    for profile in Profile::ALL {
        assert_eq!(
            outcome(&run(&build("host"), profile)),
            (
                false,
                vec!["RQ0003"],
                format!(
                    "POST /build denied by profile {profile}: RQ0003 host-network-build: build runs on the \
                     host's network (networkmode=host) (fix: build without --network host (query networkmode=host))"
                )
            )
        );
        for mode in ["", "none", "default"] {
            assert_eq!(
                outcome(&run(&build(mode), profile)),
                allowed(profile.name(), "POST /build")
            );
        }
        for path in ["/session", "/grpc"] {
            assert_eq!(
                outcome(&run(&request("POST", path, Action::BuildKit), profile)),
                (
                    false,
                    vec!["RQ0004"],
                    format!(
                        "POST {path} denied by profile {profile}: RQ0004 buildkit-session: the request opens a \
                         BuildKit stream whose contents dockerd does not authorize (fix: build with the classic \
                         builder (DOCKER_BUILDKIT=0) or on a separate build daemon)"
                    )
                )
            );
        }
    }
}

#[test]
fn plugin_changes_are_denied() {
    let change = request(
        "POST",
        "/plugins/dockward:latest/disable",
        Action::Plugin(PluginChange {
            plugin: "dockward:latest".into(),
            action: "disable".into(),
        }),
    );
    for profile in Profile::ALL {
        assert_eq!(
            outcome(&run(&change, profile)),
            (
                false,
                vec!["RQ0005"],
                format!(
                    "POST /plugins/dockward:latest/disable (plugin dockward:latest) denied by profile {profile}: \
                     RQ0005 plugin-change: the request would disable plugin dockward:latest \
                     (fix: change plugins only in a maintenance window, outside the enforced API)"
                )
            )
        );
    }
}

#[test]
fn unknown_routes_are_allowed_and_marked_by_baseline_and_denied_by_restricted() {
    let unknown = request("POST", "/containers/web/frobnicate", Action::Unknown);
    let baseline = run(&unknown, Baseline);
    assert!(baseline.allow && baseline.unknown_route && baseline.findings.is_empty());
    assert_eq!(
        baseline.message(),
        "POST /containers/web/frobnicate allowed by profile baseline (a state-changing route dockward does not know)"
    );
    let restricted = run(&unknown, Restricted);
    assert!(restricted.unknown_route);
    assert_eq!(
        outcome(&restricted),
        (
            false,
            vec!["RQ0007"],
            "POST /containers/web/frobnicate denied by profile restricted: RQ0007 unknown-route: the request \
             changes state on a route dockward does not know (fix: use a documented Engine API route, or the \
             baseline profile, which allows and logs unknown routes)"
                .to_string()
        )
    );
}

#[test]
fn reads_and_harmless_routes_are_allowed() {
    for profile in Profile::ALL {
        let read = run(&request("GET", "/containers/json", Action::Read), profile);
        assert_eq!(outcome(&read), allowed(profile.name(), "GET /containers/json"));
        assert!(!read.unknown_route);
        let stop = run(&request("POST", "/containers/web/stop", Action::Allowed), profile);
        assert_eq!(
            outcome(&stop),
            allowed(profile.name(), "POST /containers/web/stop")
        );
    }
}

#[test]
fn an_unjudgeable_request_is_denied_with_its_reason() {
    let decision = Decision::unjudgeable("POST /containers/create arrived without a body");
    assert!(!decision.allow && decision.findings.is_empty() && !decision.unknown_route);
    assert_eq!(
        decision.message(),
        "request denied because dockward cannot judge it: POST /containers/create arrived without a body"
    );
}

#[test]
fn names_from_the_request_cannot_break_or_disguise_the_message() {
    let mut w = container(defaults(json!({"HostConfig": {"Privileged": true}})));
    w.origin = Origin::Request {
        route: "POST /containers/create".into(),
        name: "web\nError: allowed\u{1b}[0m\u{202e}x".into(),
    };
    w.image.value = "i".repeat(300);
    let request = request("POST", "/containers/create", Action::Container(Box::new(w)));
    let message = run(&request, Baseline).message();
    assert!(!message.contains('\n') && !message.contains('\u{1b}') && !message.contains('\u{202e}'));
    let expected_prefix = format!(
        "POST /containers/create (name web\\nError: allowed\\u{{1b}}[0m\\u{{202e}}x, image {}...) denied by profile baseline: CT0004",
        "i".repeat(128)
    );
    assert!(message.starts_with(&expected_prefix), "{message}");
    let reason = Decision::unjudgeable("bad byte \u{7} here\r\n").message();
    assert_eq!(
        reason,
        "request denied because dockward cannot judge it: bad byte \\u{7} here\\r\\n"
    );
}

/// A daemon with AppArmor and SELinux, where the LSM rules apply.
fn lsm_daemon() -> DaemonFacts {
    let mut info = read_json("base.info.json");
    info["SecurityOptions"] = json!(["name=apparmor", "name=seccomp,profile=default", "name=selinux"]);
    DaemonFacts {
        info: Some(info_from_json(info.to_string().as_bytes()).unwrap()),
        ..daemon()
    }
}

#[test]
fn a_request_is_judged_on_the_security_options_it_sets() {
    let daemon = lsm_daemon();
    let judge = |opts: Value, privileged: bool| {
        let request = create(hardened(
            json!({"HostConfig": {"SecurityOpt": opts, "Privileged": privileged}}),
        ));
        let d = decide_with(&daemon, &request, Baseline);
        d.findings
            .iter()
            .filter(|f| matches!(f.id, "CT0002" | "CT0003" | "CT0021"))
            .map(|f| format!("{} {}", f.id, f.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(judge(json!(["no-new-privileges"]), false), Vec::<String>::new());
    for opt in ["apparmor=unconfined", "apparmor:unconfined"] {
        assert_eq!(
            judge(json!([opt]), false),
            ["CT0002 AppArmor is disabled for the container (apparmor=unconfined)"],
            "{opt}"
        );
    }
    for opt in ["label=disable", "label:disable", "disable"] {
        assert_eq!(
            judge(json!([opt]), false),
            ["CT0003 SELinux labelling is disabled for the container"],
            "{opt}"
        );
    }
    for opt in ["seccomp=unconfined", "seccomp:unconfined"] {
        assert_eq!(
            judge(json!([opt]), false),
            ["CT0021 seccomp is disabled for the container"],
            "{opt}"
        );
    }
    assert_eq!(
        judge(
            json!(["apparmor=docker-default", "label=level:s0:c100,c200"]),
            false
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        judge(json!(null), true),
        [
            "CT0002 container is privileged, so it runs without an AppArmor profile",
            "CT0003 container is privileged, so SELinux labelling is disabled",
            "CT0021 container is privileged, so no seccomp profile is applied",
        ]
    );
    // An explicit AppArmor profile applies even to a privileged container; an SELinux label does
    // not (a privileged container gets no process label).
    assert_eq!(
        judge(json!(["apparmor=docker-default", "label=type:container_t"]), true)[0],
        "CT0003 container is privileged, so SELinux labelling is disabled"
    );
    // Sharing the host's PID namespace turns labelling off unless a label= option is given.
    let pid_host = |opts: Value| {
        let request = create(hardened(
            json!({"HostConfig": {"PidMode": "host", "SecurityOpt": opts}}),
        ));
        decide_with(&daemon, &request, Baseline)
            .findings
            .iter()
            .filter(|f| f.id == "CT0003")
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pid_host(json!(["no-new-privileges"])),
        ["container shares the host's PID namespace, so SELinux labelling is disabled"]
    );
    assert_eq!(pid_host(json!(["label=level:s0:c1,c2"])), Vec::<String>::new());
}

/// Every container of the container rules' fixtures, as the audit normalizes it.
fn fixture_containers() -> Vec<(String, Workload)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(common::fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("CT") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for case in doc["cases"].as_array().unwrap() {
            let mut w = workload(&case["inspect"]);
            for facts in case["mount_facts"].as_array().into_iter().flatten() {
                let mount = &mut w.mounts[facts["index"].as_u64().unwrap() as usize];
                mount.bind_device = facts["bind_device"].as_str().map(str::to_string);
                mount.source_realpath = facts["source_realpath"].as_str().map(str::to_string);
            }
            out.push((format!("{name} / {}", case["name"]), w));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn decisions_agree_with_the_audit_on_every_fixture_container() {
    use dockward_model::snapshot::SNAPSHOT_SCHEMA_VERSION;
    let containers = fixture_containers();
    assert!(containers.len() > 100, "{}", containers.len());
    for daemon in [daemon(), lsm_daemon()] {
        for (case, w) in &containers {
            let snapshot = dockward_model::Snapshot {
                schema_version: SNAPSHOT_SCHEMA_VERSION,
                collected_by: "test".into(),
                collected_at: "2026-12-02T00:00:00Z".into(),
                all_containers: true,
                containers_listed: None,
                daemon: daemon.clone(),
                host: None,
                host_error: None,
                client: None,
                containers: vec![w.clone()],
                images: Vec::new(),
                errors: Vec::new(),
                warnings: Vec::new(),
                unreachable: None,
            };
            let audit = dockward_rules::evaluate(&snapshot, &Settings::default());
            let request = request(
                "POST",
                "/containers/create",
                Action::Container(Box::new(w.clone())),
            );
            for profile in Profile::ALL {
                let audited: Vec<(String, Status, String)> = audit
                    .iter()
                    .filter(|r| {
                        r.rule.starts_with("CT")
                            && profile.selects(&r.rule)
                            && matches!(r.status, Status::Fail | Status::Error)
                    })
                    .map(|r| (r.rule.to_string(), r.status, r.message.clone()))
                    .collect();
                let decision = decide_with(&daemon, &request, profile);
                let decided: Vec<(String, Status, String)> = decision
                    .findings
                    .iter()
                    .map(|f| (f.id.to_string(), f.status, f.message.clone()))
                    .collect();
                assert_eq!(decided, audited, "{case} under {profile}");
                assert_eq!(decision.allow, audited.is_empty(), "{case} under {profile}");
            }
        }
    }
}

/// A create request with one bind mount of `source` at `/x`, writable.
fn bind(source: &str, realpath: Option<&str>) -> ApiRequest {
    let mut w = container(defaults(json!({
        "Mounts": [{"Type": "bind", "Source": source, "Destination": "/x", "Mode": "", "RW": true,
                    "Propagation": "rprivate"}],
    })));
    w.mounts[0].source_realpath = realpath.map(str::to_string);
    request("POST", "/containers/create", Action::Container(Box::new(w)))
}

/// The mount findings of a decision: rule and message.
fn mount_findings(decision: &Decision) -> Vec<String> {
    decision
        .findings
        .iter()
        .map(|f| format!("{} {}", f.id, f.message))
        .collect()
}

#[test]
fn sensitive_host_paths_are_judged_cleaned_and_resolved() {
    let daemon = daemon();
    let judge = |source: &str, realpath: Option<&str>| {
        mount_findings(&decide_with(&daemon, &bind(source, realpath), Baseline))
    };
    let sensitive = |shown: &str| vec![format!("CT0007 sensitive host directories are mounted: {shown}")];
    for (source, shown) in [
        ("/tmp/../etc", "/etc at /x (writable)"),
        ("//etc//", "/etc at /x (writable)"),
        ("/etc/", "/etc at /x (writable)"),
        ("/lib32", "/lib32 at /x (writable)"),
        ("/libx32/", "/libx32 at /x (writable)"),
        ("/lib/modules", "/lib/modules at /x (writable)"),
        ("/run/user/1000", "/run/user/1000 at /x (writable)"),
        ("/usr/local/bin", "/usr/local/bin at /x (writable)"),
        (
            "/var/lib",
            "/var/lib at /x (writable, holds the daemon's data root /var/lib/docker)",
        ),
        (
            "/var/lib/docker/containers",
            "/var/lib/docker/containers at /x (writable, inside the daemon's data root /var/lib/docker)",
        ),
        (
            "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs",
            "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs at /x (writable, inside containerd's data root /var/lib/containerd)",
        ),
        (
            "/var/lib/./docker",
            "/var/lib/docker at /x (writable, the daemon's data root)",
        ),
    ] {
        assert_eq!(judge(source, None), sensitive(shown), "{source}");
    }
    // The directories of the Docker and containerd sockets are also CT0028's.
    assert_eq!(
        judge("/run", None),
        [
            "CT0007 sensitive host directories are mounted: /run at /x (writable)",
            "CT0028 the Docker socket is mounted: /run holds the Docker socket /run/docker.sock, mounted at /x",
        ]
    );
    assert_eq!(
        judge("/var/run", None),
        [
            "CT0007 sensitive host directories are mounted: /var/run at /x (writable)",
            "CT0028 the Docker socket is mounted: /var/run holds the Docker socket /run/docker.sock, mounted at /x",
        ]
    );
    assert_eq!(
        judge("/run/containerd", None),
        [
            "CT0007 sensitive host directories are mounted: /run/containerd at /x (writable)",
            "CT0028 the containerd socket is mounted: /run/containerd holds the containerd socket /run/containerd/containerd.sock, mounted at /x",
        ]
    );
    // Resolved through a symbolic link on the host.
    assert_eq!(
        judge("/srv/link", Some("/etc")),
        sensitive("/etc at /x (writable)")
    );
    for (source, realpath) in [("/var", None), ("/srv/link", Some("/var"))] {
        assert_eq!(
            judge(source, realpath),
            [
                "CT0007 sensitive host directories are mounted: /var at /x (writable, holds the Docker socket /var/run/docker.sock)".to_string(),
                format!("CT0028 the Docker socket is mounted: {source} holds the Docker socket /var/run/docker.sock, mounted at /x"),
            ]
        );
    }
    for source in ["/srv/app", "/etcetera", "/variable", "/home/app/data", "/tmp/x"] {
        assert_eq!(judge(source, None), Vec::<String>::new(), "{source}");
    }
}

#[test]
fn the_daemons_data_root_is_protected_wherever_it_is() {
    let mut info = read_json("base.info.json");
    info["DockerRootDir"] = json!("/srv/docker/");
    let elsewhere = DaemonFacts {
        info: Some(info_from_json(info.to_string().as_bytes()).unwrap()),
        ..daemon()
    };
    let judge = |source: &str| mount_findings(&decide_with(&elsewhere, &bind(source, None), Baseline));
    assert_eq!(
        judge("/srv/docker"),
        [
            "CT0007 sensitive host directories are mounted: /srv/docker at /x (writable, the daemon's data root)"
        ]
    );
    assert_eq!(
        judge("/srv"),
        [
            "CT0007 sensitive host directories are mounted: /srv at /x (writable, holds the daemon's data root /srv/docker)"
        ]
    );
    assert_eq!(judge("/srv/app"), Vec::<String>::new());
    // Docker's default place stays protected.
    assert_eq!(
        judge("/var/lib/docker/image"),
        [
            "CT0007 sensitive host directories are mounted: /var/lib/docker/image at /x (writable, inside the daemon's data root /var/lib/docker)"
        ]
    );
    // Without /info the data root is unknown: a bind that is not otherwise sensitive is no pass.
    let blind = DaemonFacts {
        info: None,
        info_error: Some("GET /info failed".into()),
        ..daemon()
    };
    let findings = decide_with(&blind, &bind("/srv/app", None), Baseline);
    assert_eq!(
        findings
            .findings
            .iter()
            .filter(|f| f.id == "CT0007")
            .map(|f| (f.status, f.message.as_str()))
            .collect::<Vec<_>>(),
        [(
            Status::Error,
            "the daemon's data root is unknown (GET /info failed), so it is not known whether /srv/app at /x holds it"
        )]
    );
}

#[test]
fn every_capability_spelling_is_judged() {
    let judge = |add: Value, drop: Value, profile: Profile| {
        let request = create(hardened(json!({"HostConfig": {"CapAdd": add, "CapDrop": drop}})));
        mount_findings(&run(&request, profile))
    };
    for spelling in [
        "SYS_ADMIN",
        "sys_admin",
        "CAP_SYS_ADMIN",
        "cap_sys_admin",
        "Cap_Sys_Admin",
    ] {
        assert_eq!(
            judge(json!([spelling]), json!(null), Baseline),
            ["CT0004 container has capabilities beyond Docker's defaults: SYS_ADMIN"],
            "{spelling}"
        );
    }
    for spelling in ["ALL", "all", "All"] {
        let findings = judge(json!([spelling]), json!(null), Baseline);
        assert_eq!(findings.len(), 1, "{spelling}");
        assert!(
            findings[0].starts_with("CT0004 container has capabilities beyond Docker's defaults: AUDIT_CONTROL, AUDIT_READ, BLOCK_SUSPEND"),
            "{spelling}: {findings:?}"
        );
    }
    // Docker's defaults, however written, are not "added" for baseline.
    assert_eq!(
        judge(json!(["chown", "CAP_NET_RAW"]), json!(null), Baseline),
        Vec::<String>::new()
    );
    // Restricted: everything dropped (any spelling), at most NET_BIND_SERVICE back.
    for drop in ["ALL", "all", "aLL"] {
        assert_eq!(
            judge(json!(null), json!([drop]), Restricted),
            Vec::<String>::new(),
            "{drop}"
        );
        assert_eq!(
            judge(json!(["cap_net_bind_service"]), json!([drop]), Restricted),
            Vec::<String>::new(),
            "{drop}"
        );
    }
    assert_eq!(
        judge(json!(["NET_RAW"]), json!(["ALL"]), Restricted),
        ["CT0032 container adds back capabilities other than NET_BIND_SERVICE: NET_RAW"]
    );
    assert_eq!(
        judge(json!(null), json!(["NET_RAW", "MKNOD"]), Restricted),
        ["CT0032 container does not drop all capabilities (--cap-drop ALL)"]
    );
}

#[test]
fn sysctls_systempaths_and_the_cgroup_namespace_are_baseline() {
    let judge = |patch: Value| mount_findings(&run(&create(defaults(patch)), Baseline));
    assert_eq!(
        judge(
            json!({"HostConfig": {"Sysctls": {"net.ipv4.ip_forward": "1", "net.ipv4.ping_group_range": "0 1"}}})
        ),
        ["CT0030 container sets kernel parameters outside the safe set: net.ipv4.ip_forward=1"]
    );
    assert_eq!(
        judge(
            json!({"HostConfig": {"Sysctls": {"net.ipv4.ping_group_range": "0 2147483647", "net.ipv4.ip_unprivileged_port_start": "0"}}})
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        judge(json!({"HostConfig": {"MaskedPaths": [], "ReadonlyPaths": []}})),
        ["CT0031 /proc and /sys are unconfined: MaskedPaths is empty; ReadonlyPaths is empty"]
    );
    assert_eq!(
        judge(json!({"HostConfig": {"MaskedPaths": null, "ReadonlyPaths": null}})),
        Vec::<String>::new()
    );
    assert_eq!(
        judge(json!({"HostConfig": {"CgroupnsMode": "host"}})),
        ["CT0029 container shares the host's cgroup namespace"]
    );
    // The daemon here runs cgroup v1, and the plugin does not read daemon.json.
    assert_eq!(
        judge(json!({"HostConfig": {"CgroupnsMode": ""}})),
        [
            "CT0029 container sets no cgroup namespace mode, so it shares the host's: Docker's default (the daemon's \
          configuration, which may change it, was not read) on cgroup v1 is host"
        ]
    );
}

#[test]
fn no_new_privileges_is_judged_on_the_request_when_the_daemon_default_is_unknown() {
    let judge = |opts: Value| {
        let request = create(hardened(json!({"HostConfig": {"SecurityOpt": opts}})));
        mount_findings(&run(&request, Restricted))
    };
    for set in [
        json!(["no-new-privileges"]),
        json!(["no-new-privileges=true"]),
        json!(["no-new-privileges:1"]),
        json!(["no-new-privileges=false", "no-new-privileges=T"]),
    ] {
        assert_eq!(judge(set.clone()), Vec::<String>::new(), "{set}");
    }
    assert_eq!(
        judge(json!([])),
        ["CT0023 container does not set no-new-privileges (the daemon-wide default was not read)"]
    );
    for off in [
        json!(["no-new-privileges=false"]),
        json!(["no-new-privileges", "no-new-privileges=0"]),
    ] {
        assert_eq!(
            judge(off.clone()),
            ["CT0023 container turns no-new-privileges off"],
            "{off}"
        );
    }
}

#[test]
fn an_inline_seccomp_profile_that_allows_everything_is_unconfined() {
    let judge = |profile: &str| {
        let request = create(hardened(
            json!({"HostConfig": {"SecurityOpt": ["no-new-privileges", format!("seccomp={profile}")]}}),
        ));
        mount_findings(&run(&request, Baseline))
    };
    let all = "mount, umount2, unshare, setns, pivot_root, kexec_load, kexec_file_load, init_module, finit_module, \
               delete_module, bpf, keyctl, add_key, request_key, open_by_handle_at, userfaultfd, perf_event_open, \
               reboot, iopl, ioperm, swapon, swapoff";
    for (profile, action) in [
        (r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#, "SCMP_ACT_ALLOW"),
        (
            r#"{"defaultAction":"SCMP_ACT_LOG","syscalls":[]}"#,
            "SCMP_ACT_LOG",
        ),
        // dockerd reads the profile with Go's encoding/json: keys in any case, the last one wins.
        (r#"{"DefaultAction":"SCMP_ACT_ALLOW"}"#, "SCMP_ACT_ALLOW"),
        (
            r#"{"defaultAction":"SCMP_ACT_ERRNO","DEFAULTACTION":"SCMP_ACT_ALLOW"}"#,
            "SCMP_ACT_ALLOW",
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultAction":"SCMP_ACT_ALLOW"}"#,
            "SCMP_ACT_ALLOW",
        ),
    ] {
        assert_eq!(
            judge(profile),
            [format!(
                "CT0021 the custom seccomp profile is effectively unconfined: default action {action}, allows {all}"
            )],
            "{profile}"
        );
    }
    assert_eq!(
        judge(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}"#
        ),
        Vec::<String>::new()
    );
    // The legacy `:` separator disables seccomp too.
    let request = create(hardened(
        json!({"HostConfig": {"SecurityOpt": ["seccomp:unconfined"]}}),
    ));
    assert_eq!(
        mount_findings(&run(&request, Baseline)),
        ["CT0021 seccomp is disabled for the container"]
    );
}

/// A decision under `profile` with the selection adjusted by `enable` / `disable`.
fn run_adjusted(request: &ApiRequest, profile: Profile, enable: &[&str], disable: &[&str]) -> Decision {
    let settings = Settings {
        enable: enable.iter().map(|s| s.to_string()).collect(),
        disable: disable.iter().map(|s| s.to_string()).collect(),
        ..Settings::default()
    };
    let daemon = daemon();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings: &settings,
    };
    decide(&ctx, request, profile)
}

#[test]
fn the_settings_disable_and_enable_rules_of_the_profile_that_decides() {
    let request = create(defaults(json!(null)));
    // Restricted without two of its rules (by name, by id).
    assert_eq!(
        outcome(&run_adjusted(&request, Restricted, &[], &["runs-as-root", "CT0010", "ct0023", "CT0032"])),
        (
            false,
            vec!["CT0025"],
            "POST /containers/create (name web, image dwbase:1) denied by profile restricted: \
             CT0025 pids-unlimited: container has no PIDs limit (fix: set --pids-limit, e.g. --pids-limit 200)"
                .to_string()
        )
    );
    // The whole category off: a container is judged by nothing.
    assert!(run_adjusted(&request, Restricted, &[], &["containers"]).allow);
    // Baseline plus a rule it does not have.
    assert_eq!(
        outcome(&run_adjusted(&request, Baseline, &["memory-unlimited"], &[])).1,
        ["CT0010"]
    );
    // Enabled and disabled: disable wins.
    assert!(run_adjusted(&request, Baseline, &["memory-unlimited"], &["CT0010"]).allow);
    // Request rules and volume rules follow the same selection.
    let privileged = exec(true, "10001", None, None);
    assert!(run_adjusted(&privileged, Baseline, &[], &["privileged-exec"]).allow);
    assert!(run_adjusted(&privileged, Baseline, &[], &["requests"]).allow);
    assert_eq!(
        outcome(&run_adjusted(&privileged, Baseline, &[], &["CT0006"])).1,
        ["RQ0001"]
    );
    let device = volume(Some("/dev/sda1"));
    let denied = outcome(&run(&device, Baseline)).1;
    assert!(!denied.is_empty());
    assert!(run_adjusted(&device, Baseline, &[], &denied).allow);
}

#[test]
fn the_cis_profiles_judge_a_container_by_the_benchmarks_items() {
    // Restricted's hardening leaves the CIS items restricted does not ask for.
    let hardened_request = create(hardened(json!(null)));
    for profile in [Profile::CisLevel1, Profile::CisLevel2] {
        assert_eq!(
            outcome(&run(&hardened_request, profile)),
            (
                false,
                vec!["CT0011", "CT0012", "CT0024"],
                format!(
                    "POST /containers/create (name web, image dwbase:1) denied by profile {profile}: \
                     CT0011 cpu-unlimited: container has no CPU weight or limit \
                     (fix: set a CPU weight or limit, e.g. docker run --cpu-shares 512 or --cpus 1); \
                     CT0012 writable-rootfs: root filesystem is writable \
                     (fix: run with --read-only and mount writable paths as volumes or --tmpfs); \
                     CT0024 healthcheck-missing: container has no health check \
                     (fix: add HEALTHCHECK to the image or run with --health-cmd)"
                )
            ),
        );
    }
    let cis_hardened = create(hardened(json!({
        "Config": {"Healthcheck": {"Test": ["CMD", "true"]}},
        "HostConfig": {"CpuShares": 512, "ReadonlyRootfs": true},
    })));
    for profile in [Profile::CisLevel1, Profile::CisLevel2] {
        assert_eq!(
            outcome(&run(&cis_hardened, profile)),
            allowed(
                profile.name(),
                "POST /containers/create (name web, image dwbase:1)"
            )
        );
    }
    // Unknown routes judge no CIS item: allowed, as baseline allows them.
    let unknown = run(
        &request("POST", "/containers/web/frobnicate", Action::Unknown),
        Profile::CisLevel2,
    );
    assert!(unknown.allow && unknown.unknown_route);
}

#[test]
fn rule_options_reach_the_decision() {
    let decide_under = |request: &ApiRequest, options: dockward_rules::RuleOptions, enable: &[&str]| {
        let settings = Settings {
            enable: enable.iter().map(|s| s.to_string()).collect(),
            options,
            ..Settings::default()
        };
        let daemon = daemon();
        let ctx = Context {
            daemon: &daemon,
            host: None,
            host_error: None,
            client: None,
            settings: &settings,
        };
        decide(&ctx, request, Baseline)
    };
    let net_admin = create(defaults(json!({"HostConfig": {"CapAdd": ["NET_ADMIN"]}})));
    assert_eq!(outcome(&run(&net_admin, Baseline)).1, ["CT0004"]);
    let allowing = dockward_rules::RuleOptions {
        allowed_capabilities: Some(vec!["NET_ADMIN".into()]),
        ..Default::default()
    };
    assert!(decide_under(&net_admin, allowing, &[]).allow);
    // The opt-in registry rule, turned on, judges the request's image.
    let image = |reference: &str| create(defaults(json!({"Config": {"Image": reference}})));
    let trusting = || dockward_rules::RuleOptions {
        trusted_registries: Some(vec!["registry.example.com".into()]),
        ..Default::default()
    };
    assert_eq!(
        outcome(&decide_under(
            &image("ghcr.io/x/app:1"),
            trusting(),
            &["untrusted-registry"]
        )),
        (
            false,
            vec!["CT0033"],
            "POST /containers/create (name web, image ghcr.io/x/app:1) denied by profile baseline: \
             CT0033 untrusted-registry: image ghcr.io/x/app:1 (ghcr.io/x/app) is not from a trusted registry \
             (trusted-registries: registry.example.com) \
             (fix: run the image from a trusted registry (policy [options] trusted-registries))"
                .to_string()
        )
    );
    assert!(decide_under(&image("registry.example.com/app:1"), trusting(), &["CT0033"]).allow);
    // Not turned on, it does not decide.
    assert!(decide_under(&image("ghcr.io/x/app:1"), trusting(), &[]).allow);
}
