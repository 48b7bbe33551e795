//! SIGHUP re-reads the settings file and the policy it names (a test binary of its own: the
//! signal reaches every server in the process).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::time::{Duration, Instant};

use common::{TempDir, authz_req, body_of, exchange, plugin, post};
use dockward_authz::settings::SettingsSource;
use serde_json::Value;

const HOST_PID: &str = r#"{"Image":"busybox","HostConfig":{"PidMode":"host"}}"#;

async fn create(socket: &std::path::Path, name: &str) -> Value {
    let req = authz_req(
        "POST",
        &format!("/v1.41/containers/create?name={name}"),
        Some(HOST_PID),
    );
    let answer = exchange(socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
    serde_json::from_str(body_of(&answer)).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_puts_the_policy_the_settings_file_names_in_force() {
    let dir = TempDir::new("sighup");
    // Two policies; the settings file names the first, then the second. The poll watches the
    // policy in force only, so the switch is SIGHUP's doing.
    std::fs::write(dir.join("strict.toml"), "").unwrap();
    std::fs::write(
        dir.join("exceptions.toml"),
        "[[waiver]]\nrules = [\"host-pid\"]\ncontainers = [\"node-exporter*\"]\nreason = \"reads host processes\"\n",
    )
    .unwrap();
    let config = dir.join("authz.conf");
    std::fs::write(&config, "policy = strict.toml\n").unwrap();
    let daemon = common::daemon(vec![]);
    let server = plugin(
        &dir.join("p.sock"),
        SettingsSource {
            config: Some(config.clone()),
            ..SettingsSource::default()
        },
        &daemon.path,
    );
    // Answering proves the accept loop (and its signal handlers) runs.
    assert_eq!(create(&server.socket, "node-exporter-1").await["Allow"], false);
    assert_eq!(server.engine.settings().policy, Some(dir.join("strict.toml")));

    std::fs::write(&config, "policy = exceptions.toml\n").unwrap();
    let status = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.engine.reload_status().reloaded == 0 {
        assert!(Instant::now() < deadline, "SIGHUP did not reload");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.engine.settings().policy, Some(dir.join("exceptions.toml")));
    assert_eq!(create(&server.socket, "node-exporter-1").await["Allow"], true);

    // A settings file naming a broken policy: refused, the exceptions stay in force.
    std::fs::write(
        dir.join("broken.toml"),
        "[[waiver]]\nrules = [\"no-such-rule\"]\nreason = \"x\"\n",
    )
    .unwrap();
    std::fs::write(&config, "policy = broken.toml\n").unwrap();
    let status = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    while server.engine.reload_status().failed == 0 {
        assert!(Instant::now() < deadline, "SIGHUP did not try to reload");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let why = server.engine.reload_status().last_failure.unwrap();
    assert!(
        why.starts_with(&format!(
            "policy reload failed, keeping the previous policy: {}:2:",
            dir.join("broken.toml").display()
        )),
        "{why}"
    );
    assert_eq!(server.engine.settings().policy, Some(dir.join("exceptions.toml")));
    assert_eq!(create(&server.socket, "node-exporter-1").await["Allow"], true);
}
