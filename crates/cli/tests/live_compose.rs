//! Live test: a compose service and the container made from it get the same verdicts. Debian's
//! docker-compose 1.29 creates the services of `live-compose/compose.yaml` on the private daemon of
//! `scripts/test.sh`, `docker create` makes the same containers from the equivalent flags (also
//! for `live-compose/newer/compose.yaml`, whose keys docker-compose 1.29 does not know), and
//! `dockward lint` of the files must give, rule by rule, the status `dockward audit` gives the
//! containers. The containers are only created, never started (privileged ones cannot start in
//! this sandbox), and on `--network none` (bridge networking is off on the private daemon).
//!
//! Outside `scripts/test.sh` this test prints why it did not run; under `CI=true` a missing
//! daemon or docker-compose is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const LABEL: &str = "dockward-live-test=compose";

/// Which fixture a service is in.
#[derive(Clone, Copy, PartialEq)]
enum File {
    /// `live-compose/compose.yaml`: docker-compose creates its containers, and so does
    /// `docker create`.
    Compose,
    /// `live-compose/newer/compose.yaml`: keys docker-compose 1.29 does not know; only
    /// `docker create`.
    Newer,
}

struct Service {
    name: &'static str,
    file: File,
    /// The `docker create` flags equivalent to the service's keys (besides what every service
    /// has: `--network none`, the label and `sleep 86400`); `{socket}` is the daemon's socket.
    flags: &'static [&'static str],
    /// Rules that must fail on every side: what the service is about, so a mapping lost on both
    /// sides alike cannot pass unnoticed.
    fails: &'static [&'static str],
    /// Rules that must pass on every side (for the hardened service).
    passes: &'static [&'static str],
    /// Where lint and audit differ by design on this service: rule, lint's status, the audit's
    /// status, and why.
    differs: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const SERVICES: &[Service] = &[
    Service {
        name: "privileged",
        file: File::Compose,
        flags: &["--privileged"],
        fails: &["CT0004", "CT0005", "CT0006", "CT0021", "CT0031", "CT0032"],
        passes: &[],
        differs: &[],
    },
    Service {
        name: "cap-sys-admin",
        file: File::Compose,
        flags: &["--cap-add", "SYS_ADMIN"],
        fails: &["CT0004", "CT0005"],
        passes: &["CT0006"],
        differs: &[],
    },
    Service {
        name: "pid-host",
        file: File::Compose,
        flags: &["--pid", "host"],
        fails: &["CT0015"],
        passes: &["CT0016"],
        differs: &[],
    },
    Service {
        name: "docker-socket",
        file: File::Compose,
        flags: &["--mount", "type=bind,source={socket},target=/var/run/docker.sock"],
        fails: &["CT0028"],
        passes: &[],
        // The audit knows the daemon's own socket from its endpoint, and CT0007 counts it among
        // the sensitive host paths; a file knows only the default socket paths (CT0028 judges
        // any path named docker.sock, on both sides).
        differs: &[(
            "CT0007",
            "pass",
            "fail",
            "the test daemon's socket is at a private path only the audit knows",
        )],
    },
    Service {
        name: "seccomp-equals",
        file: File::Compose,
        flags: &["--security-opt", "seccomp=unconfined"],
        fails: &["CT0021"],
        passes: &[],
        differs: &[],
    },
    Service {
        name: "seccomp-colon",
        file: File::Compose,
        flags: &["--security-opt", "seccomp:unconfined"],
        fails: &["CT0021"],
        passes: &[],
        differs: &[],
    },
    Service {
        name: "hardened",
        file: File::Compose,
        flags: &[
            "--user",
            "10001:10001",
            "--read-only",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges:true",
            "--pids-limit",
            "64",
            "--memory",
            "64m",
            "--cpu-shares",
            "512",
            "--restart",
            "on-failure:3",
            "--health-cmd",
            "true",
            "-p",
            "127.0.0.1:8080:80",
        ],
        fails: &[],
        passes: &[
            "CT0001", "CT0004", "CT0005", "CT0006", "CT0010", "CT0011", "CT0012", "CT0013", "CT0014",
            "CT0023", "CT0025", "CT0032",
        ],
        differs: &[],
    },
    Service {
        name: "port-all-interfaces",
        file: File::Compose,
        flags: &["-p", "3000"],
        fails: &["CT0013"],
        passes: &["CT0008"],
        differs: &[],
    },
    Service {
        name: "root-ipc-devices",
        file: File::Compose,
        flags: &[
            "--user",
            "root",
            "--ipc",
            "host",
            "--device",
            "/dev/null:/dev/xnull",
            "--ulimit",
            "nofile=100:200",
            "--restart",
            "always",
            "--no-healthcheck",
        ],
        fails: &["CT0001", "CT0014", "CT0016", "CT0017", "CT0018", "CT0024"],
        passes: &[],
        differs: &[],
    },
    Service {
        name: "uts-host",
        file: File::Newer,
        flags: &["--uts", "host"],
        fails: &["CT0020"],
        passes: &[],
        differs: &[],
    },
    Service {
        name: "cgroup-private",
        file: File::Newer,
        flags: &["--cgroupns", "private"],
        fails: &[],
        passes: &["CT0029"],
        differs: &[],
    },
    Service {
        name: "deploy-limits",
        file: File::Newer,
        flags: &[
            "--cpus",
            "0.5",
            "--memory",
            "64m",
            "--pids-limit",
            "64",
            "--restart",
            "on-failure:3",
        ],
        fails: &[],
        passes: &["CT0010", "CT0011", "CT0014", "CT0025"],
        differs: &[],
    },
];

/// Rules a file cannot answer when it leaves their key unset, by design: `dockward lint` says
/// `not_applicable` for them, and the audit's verdict is not compared. A service that sets the
/// key is compared like any other rule.
const FILE_NOT_APPLICABLE: &[(&str, &str)] = &[(
    "CT0029",
    "without `cgroup:`, Docker's default cgroup namespace depends on the host's cgroup version \
     (private on v2, the host's on v1), which a file does not tell",
)];

/// Rules the audit cannot judge on this daemon (it lacks the feature the rule is about): the
/// audit says `not_applicable`; a file says nothing about the daemon it will run on, so lint's
/// verdict is not compared.
const DAEMON_NOT_APPLICABLE: &[(&str, &str)] = &[
    ("CT0002", "the test daemon reports no AppArmor support"),
    ("CT0003", "the test daemon runs without SELinux support"),
];

struct Env {
    host: String,
    image: String,
}

fn live_env() -> Option<Env> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let Some(host) = var("DOCKWARD_TEST_DOCKER_HOST") else {
        assert!(
            !ci,
            "CI=true but DOCKWARD_TEST_DOCKER_HOST is not set: live tests need the private daemons of scripts/test.sh"
        );
        eprintln!("compose live test skipped: DOCKWARD_TEST_DOCKER_HOST is not set (run scripts/test.sh)");
        return None;
    };
    let out = Command::new("docker")
        .args(["-H", &host, "version"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "daemon at {host} is unreachable: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // scripts/test.sh installs it: with the daemons there, its absence is a failure.
    let compose = Command::new("docker-compose").arg("version").output();
    assert!(
        compose.as_ref().is_ok_and(|o| o.status.success()),
        "docker-compose is not installed (scripts/test.sh installs Debian's docker-compose): {compose:?}"
    );
    Some(Env {
        host,
        image: var("DOCKWARD_TEST_IMAGE").expect("DOCKWARD_TEST_IMAGE"),
    })
}

fn socket_path(host: &str) -> String {
    host.strip_prefix("unix://").unwrap().to_string()
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn docker(host: &str, args: &[&str]) -> String {
    let out = run(Command::new("docker").arg("-H").arg(host).args(args));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn remove_containers(host: &str) {
    let ids = docker(host, &["ps", "-aq", "--filter", &format!("label={LABEL}")]);
    if !ids.is_empty() {
        let mut args = vec!["rm", "-f"];
        args.extend(ids.lines());
        docker(host, &args);
    }
}

/// Removes the test's containers when the test ends, also when it fails.
struct Cleanup<'a>(&'a str);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["-H", self.0, "ps", "-aq", "--filter", &format!("label={LABEL}")])
            .output()
            .map(|out| {
                let ids = String::from_utf8_lossy(&out.stdout).to_string();
                if !ids.trim().is_empty() {
                    let _ = Command::new("docker")
                        .args(["-H", self.0, "rm", "-f"])
                        .args(ids.split_whitespace())
                        .output();
                }
            });
    }
}

fn fixture(file: File) -> &'static str {
    match file {
        File::Compose => "live-compose/compose.yaml",
        File::Newer => "live-compose/newer/compose.yaml",
    }
}

fn json_report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// target name → rule → (status, message), container rules (CT…) only.
type Verdicts = BTreeMap<String, BTreeMap<String, (String, String)>>;

fn container_verdicts(report: &Value) -> Verdicts {
    let mut all = Verdicts::new();
    for r in report["results"].as_array().unwrap() {
        let rule = r["rule"].as_str().unwrap();
        if !rule.starts_with("CT") {
            continue;
        }
        let target = r["target"]["name"].as_str().unwrap().to_string();
        let previous = all.entry(target.clone()).or_default().insert(
            rule.to_string(),
            (
                r["status"].as_str().unwrap().to_string(),
                r["message"].as_str().unwrap().to_string(),
            ),
        );
        assert!(previous.is_none(), "{target} {rule}: two results");
    }
    all
}

fn dockward(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockward"));
    cmd.args(args).current_dir(dir);
    for name in [
        "DOCKER_HOST",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
        "DOCKER_CONTEXT",
    ] {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

#[test]
fn compose_services_and_their_containers_get_the_same_verdicts() {
    let Some(env) = live_env() else { return };
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let socket = socket_path(&env.host);
    let vars = [
        ("DOCKWARD_TEST_IMAGE", env.image.as_str()),
        ("DOCKWARD_TEST_SOCKET", socket.as_str()),
    ];
    remove_containers(&env.host);
    let _cleanup = Cleanup(&env.host);

    // The compose file's containers, made by docker-compose itself (`up --no-start` is what
    // `create` became; neither starts anything).
    run(Command::new("docker-compose")
        .args(["-H", &env.host, "--project-name", "dwcompose", "--file"])
        .arg(data.join(fixture(File::Compose)))
        .args(["up", "--no-start"])
        .envs(vars));
    // The same settings as `docker create` flags.
    for service in SERVICES {
        let name = format!("dwcreate-{}", service.name);
        let mut args: Vec<String> = vec![
            "create".into(),
            "--name".into(),
            name,
            "--label".into(),
            LABEL.into(),
            "--network".into(),
            "none".into(),
        ];
        args.extend(service.flags.iter().map(|f| f.replace("{socket}", &socket)));
        args.extend([env.image.clone(), "sleep".into(), "86400".into()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        docker(&env.host, &refs);
    }

    // The audit of every container made.
    let mut audit_args = vec![
        "audit".to_string(),
        "-H".into(),
        env.host.clone(),
        "--only".into(),
        "containers".into(),
        "--format".into(),
        "json".into(),
    ];
    for service in SERVICES {
        audit_args.extend(["--container".into(), format!("dwcreate-{}", service.name)]);
        if service.file == File::Compose {
            audit_args.extend(["--container".into(), format!("dwcompose-{}", service.name)]);
        }
    }
    let refs: Vec<&str> = audit_args.iter().map(String::as_str).collect();
    let audit_out = dockward(&data, &refs, &[]);
    assert_eq!(
        audit_out.status.code(),
        Some(1),
        "failing results exit with 1: {}",
        String::from_utf8_lossy(&audit_out.stderr)
    );
    let audit = container_verdicts(&json_report(&audit_out));
    // docker-compose and the flags make the same containers: the audit cannot tell them apart,
    // messages included (this keeps the flags below honest equivalents of the compose keys).
    for service in SERVICES.iter().filter(|s| s.file == File::Compose) {
        let composed = format!("dwcompose-{}", service.name);
        let created = format!("dwcreate-{}", service.name);
        assert_eq!(
            audit.get(&composed),
            audit.get(&created),
            "{composed} (docker-compose) and {created} (docker create) differ"
        );
    }

    // The lint of both files.
    let mut lint = Verdicts::new();
    for file in [File::Compose, File::Newer] {
        let out = dockward(&data, &["lint", fixture(file), "--format", "json"], &vars);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: failing results exit with 1: {}",
            fixture(file),
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json_report(&out);
        let errors: Vec<&Value> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "error")
            .collect();
        assert!(errors.is_empty(), "{}: errors: {errors:#?}", fixture(file));
        for r in report["results"].as_array().unwrap() {
            assert_eq!(r["target"]["kind"], "compose-service", "{r:#}");
        }
        lint.extend(container_verdicts(&report));
    }
    let services: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
    assert_eq!(
        lint.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut sorted = services.clone();
            sorted.sort_unstable();
            sorted
        },
        "one lint target per service"
    );

    let mut mismatches = Vec::new();
    let mut file_not_applicable = std::collections::BTreeSet::new();
    for service in SERVICES {
        let linted = &lint[service.name];
        let mut containers = vec![format!("dwcreate-{}", service.name)];
        if service.file == File::Compose {
            containers.push(format!("dwcompose-{}", service.name));
        }
        for container in &containers {
            let audited = audit
                .get(container)
                .unwrap_or_else(|| panic!("{container} was not audited"));
            assert_eq!(
                linted.keys().collect::<Vec<_>>(),
                audited.keys().collect::<Vec<_>>(),
                "{}: lint and audit judge the same container rules",
                service.name
            );
            for (rule, (audit_status, audit_message)) in audited {
                let (lint_status, lint_message) = &linted[rule];
                if lint_status == "not_applicable" && FILE_NOT_APPLICABLE.iter().any(|(r, _)| r == rule) {
                    file_not_applicable.insert(rule.as_str());
                    continue;
                }
                if let Some((_, reason)) = DAEMON_NOT_APPLICABLE.iter().find(|(r, _)| r == rule) {
                    if audit_status != "not_applicable" {
                        mismatches.push(format!(
                            "{container} {rule}: audit says {audit_status} ({audit_message}), want not_applicable: {reason}"
                        ));
                    }
                    continue;
                }
                if let Some((_, want_lint, want_audit, reason)) =
                    service.differs.iter().find(|(r, ..)| r == rule)
                {
                    if (lint_status.as_str(), audit_status.as_str()) != (*want_lint, *want_audit) {
                        mismatches.push(format!(
                            "{} vs {container} {rule}: lint {lint_status}, audit {audit_status}; want lint {want_lint}, audit {want_audit} ({reason})",
                            service.name
                        ));
                    }
                    continue;
                }
                if lint_status != audit_status {
                    mismatches.push(format!(
                        "{} vs {container} {rule}: lint {lint_status} ({lint_message}), audit {audit_status} ({audit_message})",
                        service.name
                    ));
                }
            }
        }
        for (rules, want) in [(service.fails, "fail"), (service.passes, "pass")] {
            for rule in rules {
                let (status, message) = &linted[*rule];
                if status != want {
                    mismatches.push(format!(
                        "{} {rule}: lint says {status} ({message}), want {want}",
                        service.name
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "verdicts differ:\n{}",
        mismatches.join("\n")
    );
    // Each exception is needed: some service leaves its key unset.
    assert_eq!(
        file_not_applicable.into_iter().collect::<Vec<_>>(),
        FILE_NOT_APPLICABLE.iter().map(|(r, _)| *r).collect::<Vec<_>>()
    );
}
