//! Live tests: real containers on private Docker daemons started by `scripts/test.sh`, audited by
//! the real `dockward` binary, with the exact verdicts asserted.
//!
//! Outside `scripts/test.sh` these tests print why they did not run; under `CI=true` a missing
//! daemon is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const LABEL: &str = "dockward-live-test";

/// Live tests share daemons and compare whole reports: they run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Env {
    /// The insecure daemon (unix socket).
    host: String,
    /// The insecure daemon's plain TCP endpoint.
    plain_tcp: String,
    /// The hardened daemon's TLS endpoint.
    tls_host: String,
    cert_path: String,
    /// The hardened daemon (unix socket).
    userns_host: String,
    hardened_config: String,
    swarm_host: String,
    swarm_port: u16,
    image: String,
    work: PathBuf,
}

/// The test environment, or `None` (with a note) when the private daemons are not there.
fn live_env() -> Option<Env> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(host) = var("DOCKWARD_TEST_DOCKER_HOST") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but DOCKWARD_TEST_DOCKER_HOST is not set: live tests need the private daemons of scripts/test.sh"
        );
        eprintln!("live tests skipped: DOCKWARD_TEST_DOCKER_HOST is not set (run scripts/test.sh)");
        return None;
    };
    let env = Env {
        host,
        plain_tcp: var("DOCKWARD_TEST_PLAIN_TCP").expect("DOCKWARD_TEST_PLAIN_TCP"),
        tls_host: var("DOCKWARD_TEST_TLS_HOST").expect("DOCKWARD_TEST_TLS_HOST"),
        cert_path: var("DOCKWARD_TEST_CERT_PATH").expect("DOCKWARD_TEST_CERT_PATH"),
        userns_host: var("DOCKWARD_TEST_USERNS_HOST").expect("DOCKWARD_TEST_USERNS_HOST"),
        hardened_config: var("DOCKWARD_TEST_HARDENED_CONFIG").expect("DOCKWARD_TEST_HARDENED_CONFIG"),
        swarm_host: var("DOCKWARD_TEST_SWARM_HOST").expect("DOCKWARD_TEST_SWARM_HOST"),
        swarm_port: var("DOCKWARD_TEST_SWARM_PORT")
            .expect("DOCKWARD_TEST_SWARM_PORT")
            .parse()
            .unwrap(),
        image: var("DOCKWARD_TEST_IMAGE").expect("DOCKWARD_TEST_IMAGE"),
        work: PathBuf::from(var("DOCKWARD_TEST_WORKDIR").expect("DOCKWARD_TEST_WORKDIR")),
    };
    // A daemon that was promised but does not answer is a failure, never a skip.
    for host in [&env.host, &env.userns_host, &env.swarm_host] {
        let out = Command::new("docker")
            .args(["-H", host, "version"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "daemon at {host} is unreachable: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Some(env)
}

fn socket_path(host: &str) -> String {
    host.strip_prefix("unix://").unwrap().to_string()
}

fn docker(host: &str, args: &[&str]) -> String {
    let out = Command::new("docker")
        .arg("-H")
        .arg(host)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn remove_test_containers(host: &str, scope: &str) {
    let ids = docker(
        host,
        &["ps", "-aq", "--filter", &format!("label={LABEL}={scope}")],
    );
    if !ids.is_empty() {
        let mut args = vec!["rm", "-f"];
        args.extend(ids.lines());
        docker(host, &args);
    }
}

fn dockward(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockward"));
    cmd.args(args);
    for name in [
        "DOCKER_HOST",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
        "DOCKER_CONTEXT",
        "DOCKER_TLS",
    ] {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

fn json_report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// rule id → (status, message) for one target of a report.
fn verdicts(report: &Value, target: &str) -> BTreeMap<String, (String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"]["name"] == target)
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                (
                    r["status"].as_str().unwrap().to_string(),
                    r["message"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

/// rule id → (status, message) for the results of rules whose id starts with `prefix`.
fn platform_verdicts(report: &Value, prefix: &str) -> BTreeMap<String, (String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"].as_str().unwrap().starts_with(prefix))
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                (
                    r["status"].as_str().unwrap().to_string(),
                    r["message"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

fn expected(rows: &[(&str, &str, &str)]) -> BTreeMap<String, (String, String)> {
    rows.iter()
        .map(|(rule, status, message)| (rule.to_string(), (status.to_string(), message.to_string())))
        .collect()
}

/// Verdicts of a container started with Docker's defaults (plus `--network none`) on a daemon
/// without AppArmor, SELinux or user namespace remapping.
const BASELINE: &[(&str, &str, &str)] = &[
    ("CT0001", "fail", "no user is set, so the container runs as root"),
    (
        "CT0002",
        "not_applicable",
        "the daemon reports no AppArmor support",
    ),
    (
        "CT0003",
        "not_applicable",
        "the daemon runs without SELinux support",
    ),
    (
        "CT0004",
        "pass",
        "container has only Docker's default capabilities",
    ),
    ("CT0005", "pass", "container has no dangerous capability"),
    ("CT0006", "pass", "container is not privileged"),
    ("CT0007", "pass", "no sensitive host directory is mounted"),
    ("CT0008", "pass", "no privileged host port is published"),
    ("CT0009", "pass", "container has its own network namespace"),
    ("CT0010", "fail", "container has no memory limit"),
    ("CT0011", "fail", "container has no CPU weight or limit"),
    ("CT0012", "fail", "root filesystem is writable"),
    ("CT0013", "pass", "container publishes no ports"),
    ("CT0014", "pass", "container is not restarted automatically"),
    ("CT0015", "pass", "container has its own PID namespace"),
    ("CT0016", "pass", "container has its own IPC namespace"),
    ("CT0017", "pass", "no host device is exposed"),
    ("CT0018", "pass", "container uses the daemon's default ulimits"),
    ("CT0019", "pass", "no mount uses shared propagation"),
    ("CT0020", "pass", "container has its own UTS namespace"),
    ("CT0021", "pass", "Docker's default seccomp profile is applied"),
    ("CT0022", "pass", "container uses the default cgroup parent"),
    (
        "CT0023",
        "fail",
        "neither the container nor the daemon sets no-new-privileges",
    ),
    ("CT0024", "fail", "container has no health check"),
    ("CT0025", "fail", "container has no PIDs limit"),
    ("CT0026", "pass", "container uses network mode \"none\""),
    (
        "CT0027",
        "pass",
        "container does not opt out of user namespace remapping; DA0009 judges whether the daemon remaps users",
    ),
    ("CT0028", "pass", "the Docker socket is not mounted"),
    // cgroup v1 here: dockerd records the host's cgroup namespace as the default.
    ("CT0029", "fail", "container shares the host's cgroup namespace"),
    ("CT0030", "pass", "container sets no kernel parameters"),
    (
        "CT0031",
        "pass",
        "Docker's masked and read-only paths of /proc and /sys apply",
    ),
    (
        "CT0032",
        "fail",
        "container does not drop all capabilities (--cap-drop ALL)",
    ),
];

const DANGEROUS_ALL: &str = "SYS_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, SYS_BOOT, SYS_TIME, DAC_READ_SEARCH, \
                             NET_ADMIN, BPF, PERFMON, MAC_ADMIN, MAC_OVERRIDE";

/// One container with one insecure setting, and how its verdicts differ from [`BASELINE`].
struct Scenario {
    name: &'static str,
    args: &'static [&'static str],
    /// `--network` value; `None` leaves Docker's default (the default bridge).
    network: Option<&'static str>,
    /// Started, or only created (privileged containers cannot start in this sandbox).
    start: bool,
    /// Rule, status, message; `{socket}` and `{work}` are substituted.
    differs: &'static [(&'static str, &'static str, &'static str)],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "baseline",
        args: &[],
        network: Some("none"),
        start: true,
        differs: &[],
    },
    Scenario {
        name: "user-root",
        args: &["--user", "root"],
        network: Some("none"),
        start: true,
        differs: &[("CT0001", "fail", "container runs as root (user \"root\")")],
    },
    Scenario {
        name: "user-zero",
        args: &["--user", "0:0"],
        network: Some("none"),
        start: true,
        differs: &[("CT0001", "fail", "container runs as root (user \"0:0\")")],
    },
    // AppArmor is absent on the test host: the honest verdict stays not_applicable.
    Scenario {
        name: "apparmor-unconfined",
        args: &["--security-opt", "apparmor=unconfined"],
        network: Some("none"),
        start: true,
        differs: &[],
    },
    Scenario {
        name: "cap-sys-admin",
        args: &["--cap-add", "sys_admin"],
        network: Some("none"),
        start: true,
        differs: &[
            (
                "CT0004",
                "fail",
                "container has capabilities beyond Docker's defaults: SYS_ADMIN",
            ),
            (
                "CT0005",
                "fail",
                "container has dangerous capabilities: SYS_ADMIN",
            ),
        ],
    },
    Scenario {
        name: "cap-mixed-spellings",
        args: &[
            "--cap-add",
            "CAP_SYS_PTRACE",
            "--cap-add",
            "net_admin",
            "--cap-add",
            "DAC_READ_SEARCH",
        ],
        network: Some("none"),
        start: true,
        differs: &[
            (
                "CT0004",
                "fail",
                "container has capabilities beyond Docker's defaults: DAC_READ_SEARCH, NET_ADMIN, SYS_PTRACE",
            ),
            (
                "CT0005",
                "fail",
                "container has dangerous capabilities: SYS_PTRACE, DAC_READ_SEARCH, NET_ADMIN",
            ),
        ],
    },
    Scenario {
        name: "privileged",
        args: &["--privileged"],
        network: Some("none"),
        start: false,
        differs: &[
            (
                "CT0004",
                "fail",
                "container is privileged and has every capability",
            ),
            (
                "CT0005",
                "fail",
                "container has dangerous capabilities (privileged): {dangerous}",
            ),
            ("CT0006", "fail", "container is privileged"),
            (
                "CT0021",
                "fail",
                "container is privileged, so no seccomp profile is applied",
            ),
            (
                "CT0031",
                "fail",
                "container is privileged, so no path of /proc or /sys is masked or read-only",
            ),
            (
                "CT0032",
                "fail",
                "container is privileged and has every capability",
            ),
        ],
    },
    Scenario {
        name: "etc-read-only",
        args: &["-v", "/etc:/host-etc:ro"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0007",
            "fail",
            "sensitive host directories are mounted: /etc at /host-etc (read-only)",
        )],
    },
    Scenario {
        name: "usr-subdirectory",
        args: &["-v", "/usr/share:/s"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0007",
            "fail",
            "sensitive host directories are mounted: /usr/share at /s (writable)",
        )],
    },
    Scenario {
        name: "privileged-port",
        args: &["-p", "127.0.0.1:80:80"],
        network: Some("none"),
        start: true,
        differs: &[
            (
                "CT0008",
                "fail",
                "privileged host ports are published: 80 -> 80/tcp",
            ),
            (
                "CT0013",
                "pass",
                "every published port is bound to a specific address",
            ),
        ],
    },
    Scenario {
        name: "all-interfaces",
        args: &["-p", "8080:80", "-p", "[::]:8443:443"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0013",
            "fail",
            "ports are published on all interfaces: :::8443 -> 443/tcp, *:8080 -> 80/tcp",
        )],
    },
    Scenario {
        name: "publish-all",
        args: &["-P", "--expose", "8080"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0013",
            "fail",
            "ports are published on all interfaces: every exposed port (-P)",
        )],
    },
    Scenario {
        name: "host-network",
        args: &[],
        network: Some("host"),
        start: true,
        differs: &[
            ("CT0009", "fail", "container shares the host's network namespace"),
            ("CT0026", "pass", "container uses network mode \"host\""),
        ],
    },
    Scenario {
        name: "joins-host-network",
        args: &[],
        network: Some("container:dwlive-host-network"),
        start: true,
        differs: &[
            (
                "CT0009",
                "fail",
                "container joins the network namespace of container dwlive-host-network, which is the host's",
            ),
            (
                "CT0026",
                "pass",
                "container joins the network of container dwlive-host-network, which does not use the default bridge",
            ),
        ],
    },
    Scenario {
        name: "restart-always",
        args: &["--restart", "always"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0014",
            "fail",
            "restart policy \"always\" restarts the container without limit",
        )],
    },
    Scenario {
        name: "restart-ten",
        args: &["--restart", "on-failure:10"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0014",
            "fail",
            "container is restarted on failure up to 10 times (more than 5)",
        )],
    },
    Scenario {
        name: "host-pid",
        args: &["--pid", "host"],
        network: Some("none"),
        start: true,
        differs: &[("CT0015", "fail", "container shares the host's PID namespace")],
    },
    Scenario {
        name: "host-ipc",
        args: &["--ipc", "host"],
        network: Some("none"),
        start: true,
        differs: &[("CT0016", "fail", "container shares the host's IPC namespace")],
    },
    Scenario {
        name: "device",
        args: &["--device", "/dev/null:/dev/xnull"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0017",
            "fail",
            "host devices are exposed: /dev/null at /dev/xnull (rwm)",
        )],
    },
    Scenario {
        name: "ulimit",
        args: &["--ulimit", "nofile=100:200"],
        network: Some("none"),
        start: true,
        differs: &[("CT0018", "fail", "container overrides ulimits: nofile=100:200")],
    },
    Scenario {
        name: "rshared-mount",
        args: &[
            "--mount",
            "type=bind,src={work}/shared,dst=/shared,bind-propagation=rshared",
        ],
        network: Some("none"),
        start: false,
        differs: &[(
            "CT0019",
            "fail",
            "mounts use shared propagation: /shared (rshared)",
        )],
    },
    Scenario {
        name: "host-uts",
        args: &["--uts", "host"],
        network: Some("none"),
        start: true,
        differs: &[("CT0020", "fail", "container shares the host's UTS namespace")],
    },
    Scenario {
        name: "seccomp-unconfined",
        args: &["--security-opt", "seccomp=unconfined"],
        network: Some("none"),
        start: true,
        differs: &[("CT0021", "fail", "seccomp is disabled for the container")],
    },
    Scenario {
        name: "seccomp-allow-all",
        args: &["--security-opt", "seccomp={work}/allow-all.json"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0021",
            "fail",
            "the custom seccomp profile is effectively unconfined: default action SCMP_ACT_ALLOW, allows mount, \
             umount2, unshare, setns, pivot_root, kexec_load, kexec_file_load, init_module, finit_module, \
             delete_module, bpf, keyctl, add_key, request_key, open_by_handle_at, userfaultfd, perf_event_open, \
             reboot, iopl, ioperm, swapon, swapoff",
        )],
    },
    Scenario {
        name: "cgroup-parent",
        args: &["--cgroup-parent", "/dockward-test"],
        network: Some("none"),
        start: false,
        differs: &[(
            "CT0022",
            "fail",
            "container uses cgroup parent \"/dockward-test\"",
        )],
    },
    Scenario {
        name: "new-privileges-false",
        args: &["--security-opt", "no-new-privileges=false"],
        network: Some("none"),
        start: true,
        differs: &[("CT0023", "fail", "container turns no-new-privileges off")],
    },
    Scenario {
        name: "healthcheck-disabled",
        args: &["--no-healthcheck"],
        network: Some("none"),
        start: true,
        differs: &[("CT0024", "fail", "health check is disabled")],
    },
    Scenario {
        name: "default-bridge",
        args: &[],
        network: None,
        start: false,
        differs: &[("CT0026", "fail", "container uses the default bridge network")],
    },
    Scenario {
        name: "userns-host",
        args: &["--userns", "host"],
        network: Some("none"),
        start: true,
        differs: &[("CT0027", "fail", "container shares the host's user namespace")],
    },
    Scenario {
        name: "docker-socket",
        args: &["-v", "{socket}:/var/run/docker.sock"],
        network: Some("none"),
        start: true,
        differs: &[
            (
                "CT0007",
                "fail",
                "sensitive host directories are mounted: {socket} at /var/run/docker.sock (writable, the Docker socket)",
            ),
            (
                "CT0028",
                "fail",
                "the Docker socket is mounted: {socket} is the Docker socket, mounted at /var/run/docker.sock",
            ),
        ],
    },
    Scenario {
        name: "docker-socket-renamed",
        args: &["-v", "{work}/renamed.sock:/run/x.sock"],
        network: Some("none"),
        start: true,
        differs: &[(
            "CT0028",
            "fail",
            "the Docker socket is mounted: {work}/renamed.sock is the Docker socket {socket}, mounted at /run/x.sock",
        )],
    },
    Scenario {
        name: "docker-socket-directory",
        args: &["-v", "{socket_dir}:/daemon"],
        network: Some("none"),
        start: true,
        differs: &[
            (
                "CT0007",
                "fail",
                "sensitive host directories are mounted: {socket_dir} at /daemon (writable, holds the Docker socket {socket})",
            ),
            (
                "CT0028",
                "fail",
                "the Docker socket is mounted: {socket_dir} holds the Docker socket {socket}, mounted at /daemon",
            ),
        ],
    },
];

fn substitute(text: &str, env: &Env) -> String {
    let socket = socket_path(&env.host);
    let socket_dir = PathBuf::from(&socket).parent().unwrap().display().to_string();
    text.replace("{socket_dir}", &socket_dir)
        .replace("{socket}", &socket)
        .replace("{work}", &env.work.display().to_string())
        .replace("{dangerous}", DANGEROUS_ALL)
}

fn create(
    env: &Env,
    host: &str,
    scope: &str,
    name: &str,
    network: Option<&str>,
    args: &[String],
    start: bool,
) {
    let mut cmd: Vec<String> = vec![
        "create".into(),
        "--name".into(),
        name.into(),
        "--label".into(),
        format!("{LABEL}={scope}"),
    ];
    if let Some(network) = network {
        cmd.push(format!("--network={network}"));
    }
    cmd.extend(args.iter().cloned());
    cmd.extend([env.image.clone(), "sleep".into(), "86400".into()]);
    let refs: Vec<&str> = cmd.iter().map(String::as_str).collect();
    docker(host, &refs);
    if start {
        docker(host, &["start", name]);
    }
}

#[test]
fn each_insecure_setting_fails_exactly_its_rules() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_test_containers(&env.host, "scenarios");
    let socket = socket_path(&env.host);
    std::fs::create_dir_all(env.work.join("shared")).unwrap();
    std::fs::write(
        env.work.join("allow-all.json"),
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}"#,
    )
    .unwrap();
    let renamed = env.work.join("renamed.sock");
    let _ = std::fs::remove_file(&renamed);
    // A hard link is the same socket under another name.
    std::fs::hard_link(&socket, &renamed).unwrap();

    for scenario in SCENARIOS {
        let args: Vec<String> = scenario.args.iter().map(|a| substitute(a, &env)).collect();
        let name = format!("dwlive-{}", scenario.name);
        create(
            &env,
            &env.host,
            "scenarios",
            &name,
            scenario.network,
            &args,
            scenario.start,
        );
    }

    let output = dockward(
        &["audit", "--all", "--format", "json"],
        &[("DOCKER_HOST", &env.host)],
    );
    assert_eq!(output.status.code(), Some(1), "failing results exit with 1");
    let report = json_report(&output);
    let mut mismatches = Vec::new();
    for scenario in SCENARIOS {
        let mut want = expected(BASELINE);
        for (rule, status, message) in scenario.differs {
            want.insert(rule.to_string(), (status.to_string(), substitute(message, &env)));
        }
        let name = format!("dwlive-{}", scenario.name);
        let got = verdicts(&report, &name);
        for (rule, verdict) in &want {
            if got.get(rule) != Some(verdict) {
                mismatches.push(format!(
                    "{name} {rule}: got {:?}, want {verdict:?}",
                    got.get(rule)
                ));
            }
        }
        assert_eq!(got.len(), want.len(), "{name}: one result per rule");
    }
    assert!(
        mismatches.is_empty(),
        "verdict mismatches:\n{}",
        mismatches.join("\n")
    );

    // The JSON contract on one finding: names without a slash, references, evidence, fix.
    let finding = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"]["name"] == "dwlive-privileged" && r["rule"] == "CT0006")
        .unwrap();
    assert_eq!(finding["name"], "privileged-container");
    assert_eq!(finding["severity"], "critical");
    assert_eq!(finding["target"]["kind"], "container");
    assert_eq!(finding["target"]["id"].as_str().unwrap().len(), 64);
    assert_eq!(
        finding["references"],
        serde_json::json!(["cis-docker-1.6.0:5.5", "pss:privileged-containers"])
    );
    assert_eq!(
        finding["evidence"],
        serde_json::json!([{"at": "/HostConfig/Privileged", "value": true}])
    );
    assert_eq!(
        finding["fix"],
        "remove --privileged; grant only the needed capability (--cap-add) or device (--device)"
    );
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "dockward");

    // Every container by default, as `docker ps --all` lists them: the created privileged one
    // is judged (`--all` above is a no-op).
    let default = json_report(&dockward(
        &["audit", "--format", "json"],
        &[("DOCKER_HOST", &env.host)],
    ));
    assert_eq!(verdicts(&default, "dwlive-privileged")["CT0006"].0, "fail");
    assert_eq!(default["source"]["containers"], report["source"]["containers"]);
    assert_eq!(
        default["source"]["containers_listed"], default["source"]["containers"],
        "every listed container was judged"
    );
    // --running narrows to running ones; the header still says how many were listed.
    let running_output = dockward(
        &["audit", "--running", "--format", "json"],
        &[("DOCKER_HOST", &env.host)],
    );
    let running = json_report(&running_output);
    assert!(verdicts(&running, "dwlive-baseline").len() == BASELINE.len());
    assert!(verdicts(&running, "dwlive-privileged").is_empty());
    assert_eq!(running["source"]["running_only"], true);
    assert_eq!(
        running["source"]["containers_listed"],
        default["source"]["containers_listed"]
    );
    let text = dockward(
        &["audit", "--running", "--color", "never"],
        &[("DOCKER_HOST", &env.host)],
    );
    let header = String::from_utf8_lossy(&text.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        header.contains(&format!(
            ": containers: {} judged (--running), {} listed",
            running["source"]["containers"], default["source"]["containers_listed"]
        )),
        "{header}"
    );
}

#[test]
fn hardened_container_passes_everything_that_applies() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_test_containers(&env.userns_host, "hardened");
    let args: Vec<String> = [
        "--user",
        "10001:10001",
        "--cgroupns",
        "private",
        "--read-only",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--memory",
        "64m",
        "--cpu-shares",
        "512",
        "--pids-limit",
        "64",
        "--restart",
        "on-failure:3",
        "--health-cmd",
        "true",
        "-p",
        "127.0.0.1:8080:80",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    create(
        &env,
        &env.userns_host,
        "hardened",
        "dwlive-hardened",
        Some("none"),
        &args,
        true,
    );
    let output = dockward(
        &[
            "audit",
            "--container",
            "dwlive-hardened",
            "--format",
            "json",
            "--fail-on",
            "info",
            "--only",
            "containers",
        ],
        &[("DOCKER_HOST", &env.userns_host)],
    );
    let report = json_report(&output);
    let want = expected(&[
        ("CT0001", "pass", "container runs as user \"10001:10001\""),
        (
            "CT0002",
            "not_applicable",
            "the daemon reports no AppArmor support",
        ),
        (
            "CT0003",
            "not_applicable",
            "the daemon runs without SELinux support",
        ),
        ("CT0004", "pass", "container has no capabilities"),
        ("CT0005", "pass", "container has no dangerous capability"),
        ("CT0006", "pass", "container is not privileged"),
        ("CT0007", "pass", "no sensitive host directory is mounted"),
        ("CT0008", "pass", "no privileged host port is published"),
        ("CT0009", "pass", "container has its own network namespace"),
        ("CT0010", "pass", "memory is limited to 67108864 bytes"),
        ("CT0011", "pass", "container has a CPU weight or limit"),
        ("CT0012", "pass", "root filesystem is read-only"),
        (
            "CT0013",
            "pass",
            "every published port is bound to a specific address",
        ),
        (
            "CT0014",
            "pass",
            "container is restarted on failure at most 3 times",
        ),
        ("CT0015", "pass", "container has its own PID namespace"),
        ("CT0016", "pass", "container has its own IPC namespace"),
        ("CT0017", "pass", "no host device is exposed"),
        ("CT0018", "pass", "container uses the daemon's default ulimits"),
        ("CT0019", "pass", "no mount uses shared propagation"),
        ("CT0020", "pass", "container has its own UTS namespace"),
        ("CT0021", "pass", "Docker's default seccomp profile is applied"),
        ("CT0022", "pass", "container uses the default cgroup parent"),
        ("CT0023", "pass", "container sets no-new-privileges"),
        ("CT0024", "pass", "container has a health check"),
        ("CT0025", "pass", "PIDs are limited to 64"),
        ("CT0026", "pass", "container uses network mode \"none\""),
        (
            "CT0027",
            "pass",
            "container does not opt out of user namespace remapping; DA0009 judges whether the daemon remaps users",
        ),
        ("CT0028", "pass", "the Docker socket is not mounted"),
        ("CT0029", "pass", "container has its own cgroup namespace"),
        ("CT0030", "pass", "container sets no kernel parameters"),
        (
            "CT0031",
            "pass",
            "Docker's masked and read-only paths of /proc and /sys apply",
        ),
        ("CT0032", "pass", "container drops all capabilities"),
    ]);
    assert_eq!(verdicts(&report, "dwlive-hardened"), want);
    assert_eq!(
        output.status.code(),
        Some(0),
        "nothing fails, even at --fail-on info"
    );
    assert_eq!(
        report["summary"]["by_status"],
        serde_json::json!({"pass": 30, "fail": 0, "not_applicable": 2, "error": 0})
    );
}

#[test]
fn tls_endpoint_gives_the_same_verdicts_as_the_socket() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_test_containers(&env.userns_host, "tls");
    create(
        &env,
        &env.userns_host,
        "tls",
        "dwlive-tls",
        Some("none"),
        &[],
        true,
    );
    let selection = ["audit", "--container", "dwlive-tls", "--format", "json"];
    let over_socket = json_report(&dockward(&selection, &[("DOCKER_HOST", &env.userns_host)]));
    let tls_env = [
        ("DOCKER_HOST", env.tls_host.as_str()),
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", env.cert_path.as_str()),
    ];
    let over_tls = json_report(&dockward(&selection, &tls_env));
    assert_eq!(
        verdicts(&over_tls, "dwlive-tls"),
        verdicts(&over_socket, "dwlive-tls")
    );
    // The hardened daemon's own settings reach the container verdicts, whichever way it is reached.
    let mut want = expected(BASELINE);
    want.insert(
        "CT0023".into(),
        (
            "pass".into(),
            "the daemon sets no-new-privileges for every container".into(),
        ),
    );
    assert_eq!(verdicts(&over_tls, "dwlive-tls"), want);
    // And so do the daemon's: read from the process behind the TCP port.
    assert_eq!(
        platform_verdicts(&over_tls, "DA"),
        platform_verdicts(&over_socket, "DA")
    );
    let port = env.tls_host.rsplit(':').next().unwrap();
    assert_eq!(
        over_tls["source"]["endpoint"],
        format!("tcp+tls://127.0.0.1:{port}")
    );

    // Without client certificates the daemon refuses the connection: exit 2 and a clear message.
    let no_certs = env.work.join("no-certs");
    std::fs::create_dir_all(&no_certs).unwrap();
    let no_certs_env = [
        ("DOCKER_HOST", env.tls_host.as_str()),
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", no_certs.to_str().unwrap()),
    ];
    let refused = dockward(&selection, &no_certs_env);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&format!("cannot read {}/ca.pem", no_certs.display())),
        "{stderr}"
    );

    // Plain HTTP to a TLS port is refused too.
    let plain = dockward(&selection, &[("DOCKER_HOST", env.tls_host.as_str())]);
    assert_eq!(plain.status.code(), Some(2));
}

#[test]
fn snapshot_audit_equals_live_audit() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_test_containers(&env.host, "snapshot");
    create(
        &env,
        &env.host,
        "snapshot",
        "dwlive-snap-running",
        Some("none"),
        &["--cap-add".into(), "NET_ADMIN".into()],
        true,
    );
    create(
        &env,
        &env.host,
        "snapshot",
        "dwlive-snap-created",
        Some("none"),
        &["--privileged".into()],
        false,
    );
    let selection = [
        "--container",
        "dwlive-snap-running",
        "--container",
        "dwlive-snap-created",
    ];
    let snapshot = env.work.join("snapshot.json");
    let mut collect = vec!["collect", "-o", snapshot.to_str().unwrap()];
    collect.extend(selection);
    let out = dockward(&collect, &[("DOCKER_HOST", &env.host)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut live = vec!["audit", "--format", "json"];
    live.extend(selection);
    let live_output = dockward(&live, &[("DOCKER_HOST", &env.host)]);
    let mut live_report = json_report(&live_output);
    let offline_output = dockward(
        &[
            "audit",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[("DOCKER_HOST", "unix:///nonexistent.sock")],
    );
    let mut offline_report = json_report(&offline_output);
    assert_eq!(offline_output.status.code(), live_output.status.code());
    // Only the collection time may differ between two collections.
    live_report["source"]["collected_at"] = Value::Null;
    offline_report["source"]["collected_at"] = Value::Null;
    assert_eq!(offline_report, live_report);
    assert_eq!(
        verdicts(&offline_report, "dwlive-snap-created")["CT0006"].0,
        "fail"
    );

    // The text report of the snapshot is identical on every run.
    let text = |format: &str| {
        dockward(
            &[
                "audit",
                "--snapshot",
                snapshot.to_str().unwrap(),
                "--format",
                format,
                "--color",
                "never",
            ],
            &[],
        )
        .stdout
    };
    assert_eq!(text("text"), text("text"));
}

#[test]
fn narrowing_to_missing_containers_reports_errors() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_test_containers(&env.host, "narrow");
    create(
        &env,
        &env.host,
        "narrow",
        "dwlive-narrow",
        Some("none"),
        &[],
        true,
    );
    let output = dockward(
        &[
            "audit",
            "--container",
            "dwlive-narrow",
            "--container",
            "dwlive-ghost",
            "--format",
            "json",
        ],
        &[("DOCKER_HOST", &env.host)],
    );
    // A selector naming nothing is a bad argument: exit 2, though the rest is reported.
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "dockward: no such container: dwlive-ghost\n"
    );
    let collected = dockward(
        &["collect", "-o", "-", "--container", "dwlive-ghost"],
        &[("DOCKER_HOST", &env.host)],
    );
    assert_eq!(collected.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&collected.stderr),
        "dockward: no such container: dwlive-ghost\n"
    );
    let report = json_report(&output);
    assert_eq!(verdicts(&report, "dwlive-narrow"), expected(BASELINE));
    let ghost = verdicts(&report, "dwlive-ghost");
    assert_eq!(ghost.len(), BASELINE.len());
    assert!(ghost.values().all(|v| v
        == &(
            "error".to_string(),
            "could not inspect: no such container".to_string()
        )));
    let names: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"].as_str().unwrap().starts_with("CT"))
        .map(|r| r["target"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| *n == "dwlive-narrow" || *n == "dwlive-ghost"),
        "only the selected containers"
    );

    // Thresholds: the baseline's worst failure is medium.
    let exit = |threshold: &str| {
        dockward(
            &[
                "audit",
                "--container",
                "dwlive-narrow",
                "--only",
                "containers",
                "--fail-on",
                threshold,
            ],
            &[("DOCKER_HOST", &env.host)],
        )
        .status
        .code()
    };
    assert_eq!(exit("high"), Some(0));
    assert_eq!(exit("medium"), Some(1));
    assert_eq!(exit("none"), Some(0));
}

#[test]
fn unreachable_and_forbidden_daemons_exit_2_with_a_reason() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let missing = format!("unix://{}/missing.sock", env.work.display());
    let output = dockward(&["audit", "--format", "json"], &[("DOCKER_HOST", &missing)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "cannot connect to the Docker daemon at {missing}: no such socket"
        )),
        "{stderr}"
    );
    let report = json_report(&output);
    let containers: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"].as_str().unwrap().starts_with("CT"))
        .collect();
    assert_eq!(containers.len(), BASELINE.len(), "one error per container rule");
    assert!(
        containers
            .iter()
            .all(|r| r["status"] == "error" && r["target"]["kind"] == "daemon")
    );
    assert!(
        containers[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("could not list containers: cannot connect")
    );
    // A useful partial result: the host is still judged, and the daemon rules say why they cannot be.
    let host = platform_verdicts(&report, "HO");
    assert_eq!(
        host["HO0020"],
        ("pass".to_string(), "only root has UID 0".to_string())
    );
    let daemon = platform_verdicts(&report, "DA");
    assert_eq!(daemon["DA0002"].0, "error");
    assert!(
        daemon["DA0002"]
            .1
            .starts_with("the daemon's configuration could not be read: no dockerd process listens on"),
        "{:?}",
        daemon["DA0002"]
    );

    // Without permission on the socket (as an unprivileged user): a clear message, exit 2.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if is_root && Command::new("setpriv").arg("--version").output().is_ok() {
        let output = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                env!("CARGO_BIN_EXE_dockward"),
                "audit",
                "--format",
                "json",
            ])
            .env("DOCKER_HOST", &env.host)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("permission denied"), "{stderr}");
        assert!(
            stderr.contains("run dockward as root or as a member of the group that owns the socket"),
            "{stderr}"
        );
        // Not root: what needs root is an error with the reason, what does not is still judged.
        let report = json_report(&output);
        let daemon = platform_verdicts(&report, "DA");
        assert_eq!(daemon["DA0019"].0, "error");
        assert!(
            daemon["DA0019"].1.contains("Permission denied"),
            "{:?}",
            daemon["DA0019"]
        );
        // The command line is readable without root: the plain TCP host is still found.
        assert_eq!(
            daemon["DA0007"],
            (
                "fail".to_string(),
                format!(
                    "{} accepts connections without TLS: anyone who reaches it controls the daemon",
                    env.plain_tcp
                )
            )
        );
        assert!(report["summary"]["by_status"]["error"].as_u64().unwrap() > BASELINE.len() as u64);
    }
}

/// Collects a daemon's snapshot and audits it, returning both.
fn collect_and_audit(env: &Env, host: &str) -> (Value, Value) {
    let path = env.work.join(format!(
        "platform-{}.json",
        host.len() + host.rsplit('/').nth(1).unwrap_or("x").len()
    ));
    let out = dockward(
        &["collect", "-o", path.to_str().unwrap()],
        &[("DOCKER_HOST", host)],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let report = json_report(&dockward(
        &[
            "audit",
            "--snapshot",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--only",
            "daemon,files,swarm",
        ],
        &[],
    ));
    (snapshot, report)
}

#[test]
fn each_daemon_is_judged_by_its_own_configuration() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let (plain_snapshot, plain) = collect_and_audit(&env, &env.host);
    let (hardened_snapshot, hardened) = collect_and_audit(&env, &env.userns_host);

    // Several daemons run at once: each audit read the process behind its own socket.
    let process = |snapshot: &Value| snapshot["daemon"]["config"]["process"].clone();
    let plain_socket = socket_path(&env.host);
    let hardened_socket = socket_path(&env.userns_host);
    assert!(
        process(&plain_snapshot)["found_by"]
            .as_str()
            .unwrap()
            .starts_with(&format!("listens on unix://{plain_socket}"))
    );
    assert!(
        process(&hardened_snapshot)["found_by"]
            .as_str()
            .unwrap()
            .starts_with(&format!("listens on unix://{hardened_socket}"))
    );
    let argv = |snapshot: &Value| -> Vec<String> {
        process(snapshot)["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect()
    };
    assert!(argv(&hardened_snapshot).contains(&"--live-restore".to_string()));
    assert!(!argv(&plain_snapshot).contains(&"--live-restore".to_string()));

    let pid = |snapshot: &Value| process(snapshot)["pid"].as_u64().unwrap();
    let mut want_plain = expected(&[
        (
            "DA0002",
            "fail",
            "containers on the default bridge can reach each other (icc is on)",
        ),
        ("DA0003", "pass", "the log level is info (the default)"),
        ("DA0004", "fail", "dockerd is told not to manage iptables"),
        ("DA0005", "pass", "no registry is configured as insecure"),
        ("DA0006", "pass", "the daemon uses the overlay2 storage driver"),
        ("DA0008", "fail", "no default ulimits are set for containers"),
        ("DA0009", "fail", "the daemon does not remap container users"),
        ("DA0010", "pass", "the daemon uses the default cgroup parent"),
        (
            "DA0011",
            "not_applicable",
            "the storage driver is overlay2; dm.basesize applies to devicemapper only",
        ),
        ("DA0012", "fail", "no authorization plugin checks client requests"),
        ("DA0013", "fail", "container logs stay on the host (json-file)"),
        ("DA0014", "fail", "containers may gain new privileges by default"),
        (
            "DA0015",
            "fail",
            "containers stop whenever the daemon stops (live restore is off)",
        ),
        ("DA0016", "fail", "published ports go through the userland proxy"),
        (
            "DA0017",
            "pass",
            "Docker's default seccomp profile applies to containers",
        ),
        ("DA0018", "pass", "experimental features are off"),
        ("DA0020", "pass", "dockerd would start with this configuration"),
        (
            "DA0021",
            "pass",
            "the configuration sources agree with each other and with the running daemon",
        ),
    ]);
    want_plain.insert(
        "DA0001".into(),
        (
            "fail".into(),
            format!("dockerd (pid {}) runs as root", pid(&plain_snapshot)),
        ),
    );
    want_plain.insert(
        "DA0007".into(),
        (
            "fail".into(),
            format!(
                "{} accepts connections without TLS: anyone who reaches it controls the daemon",
                env.plain_tcp
            ),
        ),
    );
    let plain_port = env.plain_tcp.trim_start_matches("tcp://");
    want_plain.insert(
        "DA0019".into(),
        (
            "fail".into(),
            format!("the daemon answers API calls without TLS on {plain_port}"),
        ),
    );
    let mut got_plain = platform_verdicts(&plain, "DA");
    got_plain.retain(|rule, _| rule != "DA0022" && rule != "DA0023");
    assert_eq!(got_plain, want_plain);

    // The hardened daemon differs exactly where its settings do.
    let mut want_hardened = want_plain.clone();
    let changes: [(&str, &str, String); 9] = [
        (
            "DA0001",
            "fail",
            format!("dockerd (pid {}) runs as root", pid(&hardened_snapshot)),
        ),
        ("DA0003", "pass", "the log level is info".into()),
        (
            "DA0007",
            "pass",
            format!(
                "TLS with client certificate verification protects {}",
                env.tls_host
            ),
        ),
        ("DA0008", "pass", "default ulimits are set for nofile".into()),
        (
            "DA0009",
            "pass",
            "the daemon remaps container users to unprivileged host ids".into(),
        ),
        (
            "DA0014",
            "pass",
            "no-new-privileges is on for every container by default".into(),
        ),
        (
            "DA0015",
            "pass",
            "live restore keeps containers running across daemon restarts".into(),
        ),
        ("DA0016", "pass", "the userland proxy is off".into()),
        (
            "DA0019",
            "pass",
            "no TCP listener of the daemon answers the API without TLS".into(),
        ),
    ];
    for (rule, status, message) in changes {
        want_hardened.insert(rule.into(), (status.into(), message));
    }
    let mut got_hardened = platform_verdicts(&hardened, "DA");
    got_hardened.retain(|rule, _| rule != "DA0022" && rule != "DA0023");
    assert_eq!(got_hardened, want_hardened);

    // Where the hardened settings come from: the flag and the daemon.json line.
    let evidence = |report: &Value, rule: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == rule)
            .unwrap()["evidence"]
            .clone()
    };
    assert_eq!(
        evidence(&hardened, "DA0003"),
        serde_json::json!([{"at": format!("{}:2:3", env.hardened_config), "value": {"log-level": "info"}}])
    );
    let nnp_at = evidence(&hardened, "DA0014")[0]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(nnp_at.starts_with("dockerd argv["), "{nnp_at}");

    // Files: TLS material only where TLS is configured; each daemon's own daemon.json.
    let files_plain = platform_verdicts(&plain, "FI");
    let files_hardened = platform_verdicts(&hardened, "FI");
    for rule in ["FI0009", "FI0010", "FI0011", "FI0012", "FI0013", "FI0014"] {
        assert_eq!(files_plain[rule].0, "not_applicable", "{rule}");
        assert_eq!(
            files_hardened[rule].0, "pass",
            "{rule}: {:?}",
            files_hardened[rule]
        );
    }
    assert_eq!(files_hardened["FI0014"].1, "mode 0400 grants nothing beyond 0400");
    assert_eq!(
        files_hardened["FI0018"],
        (
            "pass".to_string(),
            "mode 0644 grants nothing beyond 0644".to_string()
        )
    );
    let target = |report: &Value, rule: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == rule)
            .unwrap()["target"]["name"]
            .clone()
    };
    assert_eq!(target(&hardened, "FI0018"), env.hardened_config.as_str());
    assert_eq!(target(&hardened, "FI0016"), hardened_socket.as_str());
    assert_eq!(target(&plain, "FI0016"), plain_socket.as_str());

    // Swarm rules are not applicable where swarm mode is off.
    let swarm = platform_verdicts(&plain, "SW");
    assert_eq!(
        swarm["SW0001"],
        ("pass".to_string(), "swarm mode is not enabled".to_string())
    );
    for rule in ["SW0002", "SW0003", "SW0004", "SW0005", "SW0006", "SW0007"] {
        assert_eq!(
            swarm[rule],
            (
                "not_applicable".to_string(),
                "swarm mode is not active (node state inactive)".to_string()
            ),
            "{rule}"
        );
    }
}

#[test]
fn a_swarm_manager_is_judged_from_the_swarm() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let mut ports = [7946, env.swarm_port];
    ports.sort_unstable();
    let both_ports = format!("127.0.0.1:{}, 127.0.0.1:{}", ports[0], ports[1]);
    // The gossip port opens some time after `swarm init`: wait (bounded) until SW0003 can see it.
    let mut report = Value::Null;
    for _ in 0..100 {
        let output = dockward(
            &["audit", "--only", "swarm,daemon", "--format", "json"],
            &[("DOCKER_HOST", &env.swarm_host)],
        );
        report = json_report(&output);
        let sees_both = platform_verdicts(&report, "SW")
            .get("SW0003")
            .is_some_and(|(_, message)| message.ends_with(&both_ports));
        if sees_both {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let want = expected(&[
        ("SW0001", "fail", "swarm mode is enabled (node state active)"),
        ("SW0002", "pass", "the swarm has 1 manager"),
        (
            "SW0004",
            "fail",
            "overlay networks carry traffic unencrypted: ingress, plain-net",
        ),
        ("SW0005", "pass", "the swarm holds 1 secret"),
        ("SW0006", "pass", "swarm managers are auto-locked"),
        ("SW0007", "pass", "node certificates are rotated every 2160 hours"),
    ]);
    let mut got = platform_verdicts(&report, "SW");
    let listen = got.remove("SW0003").unwrap();
    assert_eq!(got, want);
    assert_eq!(
        listen,
        (
            "pass".to_string(),
            format!(
                "swarm ports are bound to specific addresses: 127.0.0.1:{}, 127.0.0.1:{}",
                ports[0], ports[1]
            )
        )
    );
    // Live restore does not apply to swarm nodes.
    assert_eq!(
        platform_verdicts(&report, "DA")["DA0015"],
        (
            "not_applicable".to_string(),
            "the node is part of an active swarm, where live restore is not used".to_string()
        )
    );
}

/// Builds an image on the plain daemon from `dockerfile` and the context `files`, with the
/// classic builder (Debian's docker.io ships no buildx) and no network (the daemon has no
/// bridge).
fn build_image(env: &Env, tag: &str, dockerfile: &str, files: &[(&str, &str)]) -> PathBuf {
    let context = env.work.join(format!("build-{}", tag.replace([':', '/'], "-")));
    let _ = std::fs::remove_dir_all(&context);
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(
        context.join("Dockerfile"),
        dockerfile.replace("$IMAGE", &env.image),
    )
    .unwrap();
    for (name, text) in files {
        std::fs::write(context.join(name), text).unwrap();
    }
    let out = Command::new("docker")
        .args(["-H", &env.host, "build", "--network", "none", "-q", "-t", tag])
        .arg(&context)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker build {tag}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    context
}

/// rule id → (status, message, evidence as `at = value` lines) of one image's results.
fn image_verdicts(report: &Value, image: &str) -> BTreeMap<String, (String, String, Vec<String>)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"]["name"] == image || r["target"]["kind"] == "client")
        .map(|r| {
            // Results without evidence leave the field out.
            let evidence = r["evidence"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|e| format!("{} = {}", e["at"].as_str().unwrap(), e["value"]))
                        .collect()
                })
                .unwrap_or_default();
            (
                r["rule"].as_str().unwrap().to_string(),
                (
                    r["status"].as_str().unwrap().to_string(),
                    r["message"].as_str().unwrap().to_string(),
                    evidence,
                ),
            )
        })
        .collect()
}

const INSECURE_DOCKERFILE: &str = "FROM $IMAGE
COPY helper /usr/local/bin/helper
RUN chmod 4755 /usr/local/bin/helper
ADD id_ed25519 /root/.ssh/id_ed25519
ENV API_TOKEN=hunter2hunter2 GREETING=hello
EXPOSE 22 8080
CMD [\"sleep\", \"3600\"]
";

const HARDENED_DOCKERFILE: &str = "FROM $IMAGE
COPY helper /usr/local/bin/helper
USER 10001:10001
HEALTHCHECK --interval=30s CMD [\"true\"]
CMD [\"sleep\", \"3600\"]
";

const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQy
-----END OPENSSH PRIVATE KEY-----
";

#[test]
fn built_images_are_judged_from_config_history_and_files() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    let insecure = "dockward-test/insecure-image:1";
    let hardened = "dockward-test/hardened-image:1";
    let insecure_context = build_image(
        &env,
        insecure,
        INSECURE_DOCKERFILE,
        &[("helper", "#!/bin/sh\necho hi\n"), ("id_ed25519", KEY)],
    );
    let hardened_context = build_image(
        &env,
        hardened,
        HARDENED_DOCKERFILE,
        &[("helper", "#!/bin/sh\necho hi\n")],
    );

    // An image the daemon does not have is a bad argument.
    let out = dockward(
        &["audit", "--image", "dwlive-no-such-image:1", "--format", "json"],
        &[("DOCKER_HOST", &env.host)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dockward: no such image: dwlive-no-such-image:1\n"
    );

    // One image, for CI right after `docker build`: only the image rules, exit 1 on findings.
    let out = dockward(
        &["audit", "--image", insecure, "--format", "json"],
        &[("DOCKER_HOST", &env.host)],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_report(&out);
    assert_eq!(report["source"]["containers"], 0);
    assert_eq!(report["source"]["images"], 1);
    let got = image_verdicts(&report, insecure);
    let row = |status: &str, message: &str, evidence: &[&str]| {
        (
            status.to_string(),
            message.to_string(),
            evidence.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        )
    };
    let base = &env.image;
    let want: BTreeMap<String, (String, String, Vec<String>)> = [
        (
            "IM0001",
            row(
                "fail",
                "the image sets no user, so its containers run as root",
                &["/Config/User = \"\""],
            ),
        ),
        (
            "IM0002",
            row(
                "fail",
                "the image has no health check",
                &["/Config/Healthcheck = null"],
            ),
        ),
        (
            "IM0003",
            row(
                "fail",
                "the image environment holds secrets: API_TOKEN",
                &["/Config/Env/1 = \"API_TOKEN=hu**** (14 characters) (a secret by its name)\""],
            ),
        ),
        (
            "IM0004",
            row(
                "fail",
                "the image exposes port 22/tcp (SSH)",
                &["/Config/ExposedPorts = [\"22/tcp\",\"8080/tcp\"]"],
            ),
        ),
        (
            "IM0005",
            row(
                "fail",
                &format!("1 build step(s) use ADD (1 step of base image {base} left out)"),
                &[],
            ),
        ),
        (
            "IM0006",
            row(
                "fail",
                "1 setuid/setgid file(s): /usr/local/bin/helper",
                &["/usr/local/bin/helper = \"mode 4755, layer 2\""],
            ),
        ),
        (
            "IM0007",
            row(
                "fail",
                "1 key or credential file(s): /root/.ssh/id_ed25519",
                &["/root/.ssh/id_ed25519 = \"private key, layer 3\""],
            ),
        ),
        (
            "IM0008",
            row(
                "fail",
                "DOCKER_CONTENT_TRUST is not set, so unsigned images are pulled and run",
                &["env/DOCKER_CONTENT_TRUST = null"],
            ),
        ),
    ]
    .into_iter()
    .map(|(rule, row)| (rule.to_string(), row))
    .collect();
    // The ADD step's history line names a content hash; compare its shape, not the hash.
    let mut got = got;
    let add = got.get_mut("IM0005").unwrap();
    assert_eq!(add.2.len(), 1);
    assert!(
        add.2[0].starts_with("history/3/CreatedBy = \"/bin/sh -c #(nop) ADD file:")
            && add.2[0].ends_with(" in /root/.ssh/id_ed25519\""),
        "{}",
        add.2[0]
    );
    add.2.clear();
    assert_eq!(got, want);

    // The hardened image passes every image rule, content trust included when it is on.
    let out = dockward(
        &["audit", "--image", hardened, "--format", "json"],
        &[("DOCKER_HOST", &env.host), ("DOCKER_CONTENT_TRUST", "1")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = json_report(&out);
    let statuses: BTreeMap<String, String> = image_verdicts(&report, hardened)
        .into_iter()
        .map(|(rule, (status, _, _))| (rule, status))
        .collect();
    let all_pass: BTreeMap<String, String> = (1..=8)
        .map(|n| (format!("IM000{n}"), "pass".to_string()))
        .collect();
    assert_eq!(statuses, all_pass);

    // The whole-daemon audit covers both images, used or not, and the base they share; each
    // image is one target.
    let out = dockward(
        &["audit", "--only", "images", "--format", "json"],
        &[("DOCKER_HOST", &env.host)],
    );
    let report = json_report(&out);
    let mut images: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "IM0001")
        .map(|r| r["target"]["name"].as_str().unwrap().to_string())
        .collect();
    images.sort();
    for image in [insecure, hardened, base.as_str()] {
        assert!(
            images.iter().any(|i| i == image),
            "{image} not audited: {images:?}"
        );
    }

    // `--no-image-files` skips the archive: the file rules are not applicable.
    let out = dockward(
        &[
            "audit",
            "--image",
            insecure,
            "--no-image-files",
            "--format",
            "json",
        ],
        &[("DOCKER_HOST", &env.host)],
    );
    let got = image_verdicts(&json_report(&out), insecure);
    assert_eq!(got["IM0006"].0, "not_applicable");
    assert_eq!(
        got["IM0006"].1,
        "the image's files were not read (--no-image-files)"
    );

    // A missing image is an error naming it, and the exit code says dockward could not judge.
    let out = dockward(
        &["audit", "--image", "dockward-test/missing:1", "--format", "json"],
        &[("DOCKER_HOST", &env.host)],
    );
    let report = json_report(&out);
    let got = image_verdicts(&report, "dockward-test/missing:1");
    assert_eq!(
        got["IM0001"],
        (
            "error".to_string(),
            "no such image: dockward-test/missing:1".to_string(),
            vec![]
        )
    );

    // The same rule set judges the Dockerfiles: what the image shows, the lint finds at its line.
    let lint = |context: &PathBuf| {
        let path = context.join("Dockerfile");
        let out = dockward(&["lint", path.to_str().unwrap(), "--format", "json"], &[]);
        json_report(&out)["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "fail")
            .map(|r| {
                format!(
                    "{} {}:{}",
                    r["rule"].as_str().unwrap(),
                    r["location"]["line"],
                    r["location"]["column"]
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        lint(&insecure_context),
        [
            "DF0001 1:1",
            "DF0006 1:1",
            "DF0011 3:11",
            "DF0002 4:1",
            "DF0004 4:5",
            "DF0004 5:5",
            "DF0012 6:8"
        ]
    );
    assert_eq!(lint(&hardened_context), Vec::<String>::new());
    for tag in [insecure, hardened] {
        docker(&env.host, &["rmi", tag]);
    }
}

/// A policy on a live daemon: a custom Rego rule judges the real containers, and a waiver
/// selecting by label accepts one real failure, reported as waived with its reason.
#[test]
fn a_policy_with_a_rego_rule_and_waivers_judges_live_containers() {
    let _serial = serial();
    let Some(env) = live_env() else { return };
    remove_test_containers(&env.host, "policy");
    create(
        &env,
        &env.host,
        "policy",
        "dwlive-policy-agent",
        Some("none"),
        &["--pid=host".into(), "--label".into(), "team=observability".into()],
        true,
    );
    create(
        &env,
        &env.host,
        "policy",
        "dwlive-policy-app",
        Some("none"),
        &[],
        true,
    );
    let dir = env.work.join("policy-live");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("org.rego"),
        "package dockward.custom\n\nimport rego.v1\n\n\
         deny contains {\"id\": \"ORG001\", \"message\": \"team images come from registry.example.com\"} if {\n\
         \tinput.kind == \"container\"\n\
         \tnot startswith(input.workload.image.value, \"registry.example.com/\")\n}\n",
    )
    .unwrap();
    let policy = dir.join("dockward.toml");
    std::fs::write(
        &policy,
        "rego = [\"org.rego\"]\n\n\
         [[waiver]]\nrules = [\"host-pid\"]\nlabels = [\"team=observability\"]\nreason = \"the agent reads host processes\"\n\n\
         [[waiver]]\nrules = [\"custom/ORG001\"]\ncontainers = [\"dwlive-policy-app\"]\nreason = \"moves to the registry next quarter\"\n",
    )
    .unwrap();
    let policy = policy.display().to_string();
    let output = dockward(
        &[
            "audit",
            "-c",
            "dwlive-policy-agent",
            "-c",
            "dwlive-policy-app",
            "--policy",
            &policy,
            "--format",
            "json",
        ],
        &[("DOCKER_HOST", &env.host)],
    );
    let report = json_report(&output);
    assert_eq!(output.status.code(), Some(1), "the containers fail other rules");
    // (rule, container) → (status, waived reason)
    let judged: BTreeMap<(String, String), (String, Option<String>)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            (r["rule"] == "custom/ORG001" || r["rule"] == "CT0015") && r["target"]["kind"] == "container"
        })
        .map(|r| {
            (
                (
                    r["rule"].as_str().unwrap().to_string(),
                    r["target"]["name"].as_str().unwrap().to_string(),
                ),
                (
                    r["status"].as_str().unwrap().to_string(),
                    r["waived"]["reason"].as_str().map(str::to_string),
                ),
            )
        })
        .collect();
    let row = |rule: &str, name: &str, status: &str, waived: Option<&str>| {
        (
            (rule.to_string(), name.to_string()),
            (status.to_string(), waived.map(str::to_string)),
        )
    };
    assert_eq!(
        judged,
        BTreeMap::from([
            row(
                "CT0015",
                "dwlive-policy-agent",
                "fail",
                Some("the agent reads host processes")
            ),
            row("CT0015", "dwlive-policy-app", "pass", None),
            row("custom/ORG001", "dwlive-policy-agent", "fail", None),
            row(
                "custom/ORG001",
                "dwlive-policy-app",
                "fail",
                Some("moves to the registry next quarter")
            ),
        ])
    );
    let finding = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "custom/ORG001" && r["target"]["name"] == "dwlive-policy-agent")
        .unwrap();
    assert_eq!(finding["message"], "team images come from registry.example.com");
    assert_eq!(finding["severity"], "high");
    assert!(finding["target"]["id"].as_str().is_some_and(|id| id.len() == 64));
    assert_eq!(report["summary"]["waived"], 2);
    let waivers: Vec<(&str, u64)> = report["policy"]["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["state"].as_str().unwrap(), w["matched"].as_u64().unwrap()))
        .collect();
    assert_eq!(waivers, [("active", 1), ("active", 1)]);
    assert_eq!(report["policy"]["path"], policy);
    remove_test_containers(&env.host, "policy");
}
