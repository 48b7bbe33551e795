//! The policy file in enforcement: waivers as exceptions, disabled rules, the policy's profile,
//! custom Rego rules in decisions, and the policy re-read when it changes. The plugin (and the
//! proxy) run in this process on fresh sockets, with a fake daemon behind the lookups.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{TempDir, authz_req, body_of, exchange, plugin, post};
use dockward_authz::settings::{LogTarget, Mode, Overrides, ProfileFrom, SettingsSource};
use dockward_rules::Profile;
use serde_json::Value;

/// Every bounded wait here: long enough for a loaded machine, short enough to fail, not hang.
const WAIT: Duration = Duration::from_secs(30);

fn source(policy: &Path, log: &Path) -> SettingsSource {
    SettingsSource {
        config: None,
        overrides: Overrides {
            policy: Some(policy.to_path_buf()),
            decision_log: Some(LogTarget::File(log.to_path_buf())),
            ..Overrides::default()
        },
    }
}

/// A policy directory: `dockward.toml` and Rego modules under `policies/`.
struct PolicyDir {
    dir: TempDir,
}

impl PolicyDir {
    fn new(tag: &str, policy: &str) -> PolicyDir {
        let dir = TempDir::new(tag);
        std::fs::create_dir_all(dir.join("policies")).unwrap();
        let this = PolicyDir { dir };
        this.write("dockward.toml", policy);
        this
    }

    /// Replaces a file whole (a new inode, as editors and config management write).
    fn write(&self, name: &str, text: &str) {
        let path = self.dir.join(name);
        let temporary = self.dir.join(&format!(".{}.new", name.replace('/', "_")));
        std::fs::write(&temporary, text).unwrap();
        std::fs::rename(&temporary, &path).unwrap();
    }

    fn policy(&self) -> PathBuf {
        self.dir.join("dockward.toml")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("decisions.log")
    }

    fn source(&self) -> SettingsSource {
        source(&self.policy(), &self.log())
    }
}

/// `POST /containers/create?name=NAME` with `body`, as dockerd sends it to the plugin.
async fn create(socket: &Path, name: &str, body: &str) -> Value {
    let req = authz_req(
        "POST",
        &format!("/v1.41/containers/create?name={name}"),
        Some(body),
    );
    let answer = exchange(socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
    serde_json::from_str(body_of(&answer)).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

const HOST_PID: &str = r#"{"Image":"busybox","HostConfig":{"PidMode":"host"}}"#;
const PLAIN: &str = r#"{"Image":"busybox"}"#;

/// The decision logged for the container `name` (the last one), waiting for the log writer.
fn logged(log: &Path, name: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let found = text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .rfind(|d| d["container"] == name);
        if let Some(found) = found {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "no decision for {name} in {}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

const WAIVER: &str = r#"
[[waiver]]
rules = ["host-pid"]
containers = ["node-exporter*"]
reason = "reads host processes"
expires = 2999-12-31
"#;

#[tokio::test]
async fn a_waiver_allows_the_request_it_names_and_no_other() {
    let p = PolicyDir::new("waiver", WAIVER);
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);

    let reply = create(&server.socket, "node-exporter-1", HOST_PID).await;
    assert_eq!(reply["Allow"], true, "{reply}");
    let decision = logged(&p.log(), "node-exporter-1");
    assert_eq!(decision["verdict"], "allow");
    assert_eq!(decision["policy"], p.policy().display().to_string());
    assert_eq!(decision["rules"].as_array().unwrap().len(), 1, "{decision}");
    let rule = &decision["rules"][0];
    assert_eq!(rule["id"], "CT0015");
    assert_eq!(rule["name"], "host-pid");
    assert_eq!(rule["status"], "fail");
    assert_eq!(
        rule["waived"],
        serde_json::json!({
            "reason": "reads host processes",
            "at": format!("{}:2:1", p.policy().display()),
            "expires": "2999-12-31",
        })
    );
    assert_eq!(
        decision["reason"],
        format!(
            "POST /containers/create (name node-exporter-1, image busybox) allowed by profile baseline \
             (note: CT0015 host-pid waived by {}:2:1: reads host processes)",
            p.policy().display()
        )
    );

    // Another name: the same setting is denied, with the message dockerd shows unchanged.
    let reply = create(&server.socket, "web", HOST_PID).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(
        reply["Msg"],
        "POST /containers/create (name web, image busybox) denied by profile baseline: CT0015 host-pid: \
         container shares the host's PID namespace (fix: remove --pid=host)"
    );
    let decision = logged(&p.log(), "web");
    assert_eq!(decision["verdict"], "deny");
    assert!(decision["rules"][0].get("waived").is_none(), "{decision}");
}

#[tokio::test]
async fn an_expired_waiver_denies_and_says_it_expired() {
    let p = PolicyDir::new(
        "expired",
        r#"
[[waiver]]
rules = ["CT0015"]
containers = ["node-exporter*"]
reason = "reads host processes"
expires = 2020-06-30
"#,
    );
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let reply = create(&server.socket, "node-exporter-1", HOST_PID).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(
        reply["Msg"],
        format!(
            "POST /containers/create (name node-exporter-1, image busybox) denied by profile baseline: \
             CT0015 host-pid: container shares the host's PID namespace (fix: remove --pid=host) \
             (note: the waiver at {}:2:1 for CT0015 host-pid expired on 2020-06-30)",
            p.policy().display()
        )
    );
    let decision = logged(&p.log(), "node-exporter-1");
    assert_eq!(decision["verdict"], "deny");
    assert!(decision["rules"][0].get("waived").is_none(), "{decision}");
    assert_eq!(
        decision["rules"][0]["waiver_expired"],
        serde_json::json!({
            "reason": "reads host processes",
            "at": format!("{}:2:1", p.policy().display()),
            "expires": "2020-06-30",
        })
    );
}

const SELECTOR_WAIVERS: &str = r#"
[[waiver]]
rules = ["host-pid"]
labels = ["team=monitoring"]
reason = "the monitoring team's agents read host processes"

[[waiver]]
rules = ["host-network"]
images = ["registry.example.com/agents/*"]
reason = "agents answer on the host's network"
"#;

#[tokio::test]
async fn a_label_selector_matches_the_labels_of_the_create() {
    let p = PolicyDir::new("labels", SELECTOR_WAIVERS);
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let labelled = r#"{"Image":"busybox","Labels":{"team":"monitoring"},"HostConfig":{"PidMode":"host"}}"#;
    let reply = create(&server.socket, "agent-a", labelled).await;
    assert_eq!(reply["Allow"], true, "{reply}");
    assert_eq!(
        logged(&p.log(), "agent-a")["rules"][0]["waived"]["reason"],
        "the monitoring team's agents read host processes"
    );
    let other_label = r#"{"Image":"busybox","Labels":{"team":"web"},"HostConfig":{"PidMode":"host"}}"#;
    let reply = create(&server.socket, "agent-b", other_label).await;
    assert_eq!(reply["Allow"], false, "{reply}");
}

#[tokio::test]
async fn an_image_selector_matches_the_image_of_the_create() {
    let p = PolicyDir::new("images", SELECTOR_WAIVERS);
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let agent = r#"{"Image":"registry.example.com/agents/net:1","HostConfig":{"NetworkMode":"host"}}"#;
    let reply = create(&server.socket, "agent-c", agent).await;
    assert_eq!(reply["Allow"], true, "{reply}");
    assert_eq!(
        logged(&p.log(), "agent-c")["rules"][0]["waived"]["reason"],
        "agents answer on the host's network"
    );
    let other_image = r#"{"Image":"registry.example.com/web/net:1","HostConfig":{"NetworkMode":"host"}}"#;
    let reply = create(&server.socket, "agent-d", other_image).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    // A waiver for one rule leaves the request's other failures denying.
    let both = r#"{"Image":"registry.example.com/agents/net:1","HostConfig":{"NetworkMode":"host","PidMode":"host"}}"#;
    let reply = create(&server.socket, "agent-e", both).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(
        reply["Msg"],
        format!(
            "POST /containers/create (name agent-e, image registry.example.com/agents/net:1) denied by profile \
             baseline: CT0015 host-pid: container shares the host's PID namespace (fix: remove --pid=host) \
             (note: CT0009 host-network waived by {}:7:1: agents answer on the host's network)",
            p.policy().display()
        )
    );
}

#[tokio::test]
async fn a_disabled_rule_never_denies_and_the_policy_profile_applies() {
    let p = PolicyDir::new(
        "disable",
        "profile = \"restricted\"\n[rules]\ndisable = [\"host-pid\", \"CT0010\"]\n",
    );
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let settings = server.engine.settings();
    assert_eq!(
        (settings.profile, settings.profile_from),
        (Profile::Restricted, ProfileFrom::Policy)
    );
    let body = r#"{"Image":"busybox","User":"1000","HostConfig":{"PidMode":"host"}}"#;
    let reply = create(&server.socket, "disabled", body).await;
    let decision = logged(&p.log(), "disabled");
    assert_eq!(decision["profile"], "restricted");
    let ids: Vec<&str> = decision["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // Restricted's other rules still judge; the two disabled ones are not asked.
    assert_eq!(ids, ["CT0023", "CT0025", "CT0032"], "{reply}");
    assert!(!reply["Msg"].as_str().unwrap().contains("CT0015"), "{reply}");

    // The command line's profile wins over the policy's.
    let dir = TempDir::new("disable-cli");
    let mut cli = p.source();
    cli.overrides.profile = Some(Profile::Baseline);
    let server = plugin(&dir.join("p.sock"), cli, &daemon.path);
    let settings = server.engine.settings();
    assert_eq!(
        (settings.profile, settings.profile_from),
        (Profile::Baseline, ProfileFrom::CommandLine)
    );
    let reply = create(&server.socket, "disabled-baseline", body).await;
    assert_eq!(reply["Allow"], true, "{reply}");
}

const TEAM_MODULE: &str = r#"package dockward.team

import rego.v1

deny contains {"id": "ORG001", "message": "team images come from registry.example.com"} if {
	input.kind == "container"
	not startswith(input.workload.image.value, "registry.example.com/")
}

warn contains {"id": "ORG002", "message": "containers should say who owns them (label owner)"} if {
	input.kind == "container"
	not input.workload.labels.owner
}
"#;

fn rego_policy(tag: &str, extra: &str) -> PolicyDir {
    let p = PolicyDir::new(tag, &format!("rego = [\"policies/*.rego\"]\n{extra}"));
    p.write("policies/team.rego", TEAM_MODULE);
    p
}

#[tokio::test]
async fn a_rego_deny_denies_with_its_namespaced_id() {
    let p = rego_policy("rego-deny", "");
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let reply = create(
        &server.socket,
        "outsider",
        r#"{"Image":"busybox","Labels":{"owner":"a"}}"#,
    )
    .await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(
        reply["Msg"],
        "POST /containers/create (name outsider, image busybox) denied by profile baseline: \
         custom/ORG001: team images come from registry.example.com"
    );
    let decision = logged(&p.log(), "outsider");
    assert_eq!(decision["verdict"], "deny");
    assert_eq!(
        decision["rules"],
        serde_json::json!([{
            "id": "custom/ORG001",
            "name": "",
            "status": "fail",
            "message": "team images come from registry.example.com",
            "module": p.dir.join("policies/team.rego").display().to_string(),
        }])
    );
}

#[tokio::test]
async fn a_rego_deny_is_waivable_like_a_built_in_rule() {
    let p = rego_policy(
        "rego-waiver",
        "[[waiver]]\nrules = [\"custom/ORG001\"]\ncontainers = [\"vendor-*\"]\nreason = \"the vendor ships its own image\"\n",
    );
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let body = r#"{"Image":"busybox","Labels":{"owner":"a"}}"#;
    let reply = create(&server.socket, "vendor-tool", body).await;
    assert_eq!(reply["Allow"], true, "{reply}");
    assert_eq!(
        logged(&p.log(), "vendor-tool")["rules"][0]["waived"]["reason"],
        "the vendor ships its own image"
    );
    let reply = create(&server.socket, "tool", body).await;
    assert_eq!(reply["Allow"], false, "{reply}");
}

#[tokio::test]
async fn a_rego_warn_is_logged_and_allowed() {
    let p = rego_policy("rego-warn", "");
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let reply = create(
        &server.socket,
        "teamapp",
        r#"{"Image":"registry.example.com/app:1"}"#,
    )
    .await;
    assert_eq!(reply["Allow"], true, "{reply}");
    let decision = logged(&p.log(), "teamapp");
    assert_eq!(decision["verdict"], "allow");
    assert_eq!(decision["rules"], serde_json::json!([]));
    assert_eq!(
        decision["warnings"],
        serde_json::json!([{
            "id": "custom/ORG002",
            "severity": "low",
            "message": "containers should say who owns them (label owner)",
            "module": p.dir.join("policies/team.rego").display().to_string(),
        }])
    );
}

#[tokio::test]
async fn a_rego_runtime_error_denies_as_an_error() {
    let p = PolicyDir::new("rego-error", "rego = [\"policies/*.rego\"]\n");
    p.write(
        "policies/broken.rego",
        "package dockward.broken\n\nimport rego.v1\n\ndeny contains {\"id\": \"ORG009\", \"message\": \"numeric image\"} if {\n\tto_number(input.workload.image.value) > 1\n}\n",
    );
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let reply = create(&server.socket, "any", PLAIN).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    let msg = reply["Msg"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "POST /containers/create (name any, image busybox) denied by profile baseline: \
             custom/dockward.broken could not judge it: "
        ),
        "{msg}"
    );
    let decision = logged(&p.log(), "any");
    assert_eq!(decision["verdict"], "deny");
    assert_eq!(decision["rules"][0]["id"], "custom/dockward.broken");
    assert_eq!(decision["rules"][0]["status"], "error");
    assert!(
        decision["rules"][0]["message"]
            .as_str()
            .unwrap()
            .contains("could not parse string as number"),
        "{decision}"
    );
}

#[tokio::test]
async fn audit_mode_logs_what_a_rego_rule_would_deny() {
    let p = rego_policy("rego-audit", "");
    let daemon = common::daemon(vec![]);
    let mut settings = p.source();
    settings.overrides.mode = Some(Mode::Audit);
    let server = plugin(&p.dir.join("p.sock"), settings, &daemon.path);
    let reply = create(
        &server.socket,
        "audited",
        r#"{"Image":"busybox","Labels":{"owner":"a"}}"#,
    )
    .await;
    assert_eq!(reply["Allow"], true, "{reply}");
    let decision = logged(&p.log(), "audited");
    assert_eq!(decision["verdict"], "would-deny");
    assert_eq!(decision["rules"][0]["id"], "custom/ORG001");
}

#[tokio::test]
async fn the_proxy_applies_waivers_too() {
    let p = PolicyDir::new("proxy", WAIVER);
    let daemon = common::daemon(vec![
        (
            "/v1.41/containers/create?name=node-exporter-1",
            201,
            r#"{"Id":"abc","Warnings":[]}"#.to_string(),
        ),
        (
            "/v1.41/containers/create?name=web",
            201,
            r#"{"Id":"def","Warnings":[]}"#.to_string(),
        ),
    ]);
    let server = common::proxy(&p.dir.join("proxy.sock"), p.source(), &daemon.path);
    let send = |name: &str| {
        format!(
            "POST /v1.41/containers/create?name={name} HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{HOST_PID}",
            HOST_PID.len()
        )
    };
    let answer = exchange(&server.socket, send("node-exporter-1").as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 201 "), "{answer}");
    assert_eq!(logged(&p.log(), "node-exporter-1")["verdict"], "allow");
    let answer = exchange(&server.socket, send("web").as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 403 "), "{answer}");
}

/// Asks until the answer for `name` is `allow` (the poll picked a change up), within `WAIT`.
async fn wait_for_allow(socket: &Path, name: &str, body: &str, want: bool) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let reply = create(socket, name, body).await;
        if reply["Allow"] == want {
            return reply;
        }
        assert!(
            Instant::now() < deadline,
            "still {reply} after {} s",
            WAIT.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the engine has refused `failed` reloads.
async fn wait_for_failed_reloads(server: &common::Running, failed: u64) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let status = server.engine.reload_status();
        if status.failed >= failed {
            return status.last_failure.unwrap();
        }
        assert!(Instant::now() < deadline, "no failed reload: {status:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_policy_is_picked_up_and_a_broken_edit_keeps_the_previous_one() {
    let p = PolicyDir::new("reload", "");
    let daemon = common::daemon(vec![]);
    let server = plugin(&p.dir.join("p.sock"), p.source(), &daemon.path);
    let reply = create(&server.socket, "node-exporter-1", HOST_PID).await;
    assert_eq!(reply["Allow"], false, "{reply}");

    p.write("dockward.toml", WAIVER);
    wait_for_allow(&server.socket, "node-exporter-1", HOST_PID, true).await;
    assert_eq!(server.engine.reload_status().failed, 0);

    // A broken edit: reported with its position, the waiver stays in force.
    p.write("dockward.toml", &format!("profile = \"nonsense\"\n{WAIVER}"));
    let why = wait_for_failed_reloads(&server, 1).await;
    assert!(
        why.starts_with(&format!(
            "policy reload failed, keeping the previous policy: {}:1:11: ",
            p.policy().display()
        )),
        "{why}"
    );
    let reply = create(&server.socket, "node-exporter-1", HOST_PID).await;
    assert_eq!(reply["Allow"], true, "{reply}");

    // A Rego module named by the policy is watched too: added, then broken, then fixed.
    p.write("policies/team.rego", TEAM_MODULE);
    p.write(
        "dockward.toml",
        &format!("rego = [\"policies/*.rego\"]\n{WAIVER}"),
    );
    let reply = wait_for_allow(&server.socket, "node-exporter-1", HOST_PID, false).await;
    assert_eq!(
        reply["Msg"],
        "POST /containers/create (name node-exporter-1, image busybox) denied by profile baseline: \
         custom/ORG001: team images come from registry.example.com \
         (note: CT0015 host-pid waived by "
            .to_string()
            + &p.policy().display().to_string()
            + ":3:1: reads host processes)"
    );
    let failed = server.engine.reload_status().failed;
    p.write("policies/team.rego", "package dockward.team\n\ndeny contains {\n");
    let why = wait_for_failed_reloads(&server, failed + 1).await;
    assert!(
        why.starts_with("policy reload failed, keeping the previous policy: "),
        "{why}"
    );
    assert!(why.contains("team.rego"), "{why}");
    let reply = create(&server.socket, "node-exporter-1", HOST_PID).await;
    assert_eq!(reply["Allow"], false, "the previous module still judges: {reply}");
    p.write(
        "policies/team.rego",
        &TEAM_MODULE.replace("registry.example.com/\")", "\")"),
    );
    wait_for_allow(&server.socket, "node-exporter-1", HOST_PID, true).await;
}

#[tokio::test]
async fn an_invalid_policy_stops_the_start_with_its_position() {
    let p = PolicyDir::new("invalid", "[[waiver]]\nrules = [\"host-pid\"]\nreason = 3\n");
    let lookups = dockward_authz::lookup::Lookups::new(dockward_authz::lookup::LookupConfig {
        endpoint: dockward_collect::Endpoint::Unix {
            path: p.dir.join("none.sock"),
        },
        timeout: Duration::from_secs(5),
        host_root: "/".into(),
    });
    let err = dockward_authz::engine::Engine::new(p.source(), lookups, "plugin", Duration::from_secs(5))
        .err()
        .expect("refused");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("invalid policy: {}:3:", p.policy().display())),
        "{text}"
    );
}
