//! The plugin protocol over a real unix socket, with a fake daemon behind the lookups.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use common::{TempDir, authz_req, body_of, exchange, fake, plugin, post};
use dockward_authz::settings::SettingsSource;

fn no_daemon(dir: &TempDir) -> std::path::PathBuf {
    dir.join("no-daemon.sock")
}

#[tokio::test]
async fn activation_names_the_authz_interface() {
    let dir = TempDir::new("activate");
    let server = plugin(&dir.join("p.sock"), SettingsSource::default(), &no_daemon(&dir));
    let answer = exchange(&server.socket, &post("/Plugin.Activate", "")).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer.contains("content-type: application/vnd.docker.plugins.v1.1+json\r\n"),
        "{answer}"
    );
    assert_eq!(body_of(&answer), r#"{"Implements":["authz"]}"#);
}

#[tokio::test]
async fn an_undecodable_plugin_request_is_denied_with_the_reason() {
    let dir = TempDir::new("garbage");
    let server = plugin(&dir.join("p.sock"), SettingsSource::default(), &no_daemon(&dir));
    let answer = exchange(
        &server.socket,
        &post("/AuthZPlugin.AuthZReq", "{\"RequestMethod\":"),
    )
    .await;
    assert_eq!(
        body_of(&answer),
        r#"{"Allow":false,"Err":"","Msg":"request denied because dockward cannot judge it: the plugin request is not JSON: EOF while parsing a value at line 1 column 17"}"#
    );
    let bad_base64 = r#"{"RequestMethod":"POST","RequestUri":"/containers/create","RequestBody":"e30"}"#;
    let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", bad_base64)).await;
    assert_eq!(
        body_of(&answer),
        r#"{"Allow":false,"Err":"","Msg":"request denied because dockward cannot judge it: the plugin request has a RequestBody that is not base64: Invalid padding"}"#
    );
}

#[tokio::test]
async fn a_huge_plugin_request_is_denied_not_read_whole() {
    let dir = TempDir::new("huge");
    let server = plugin(&dir.join("p.sock"), SettingsSource::default(), &no_daemon(&dir));
    // Announces 9 MiB; the plugin stops reading at its 8 MiB bound and answers.
    let head = "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Length: 9437184\r\nConnection: close\r\n\r\n";
    let mut request = head.as_bytes().to_vec();
    request.extend(std::iter::repeat_n(b' ', 9 << 20));
    let answer = exchange(&server.socket, &request).await;
    assert_eq!(
        body_of(&answer),
        r#"{"Allow":false,"Err":"","Msg":"request denied because dockward cannot judge it: the plugin request is larger than 8388608 bytes"}"#
    );
}

#[tokio::test]
async fn the_response_hook_always_allows() {
    let dir = TempDir::new("res");
    let server = plugin(&dir.join("p.sock"), SettingsSource::default(), &no_daemon(&dir));
    let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZRes", "not even json")).await;
    assert_eq!(body_of(&answer), r#"{"Allow":true,"Err":"","Msg":""}"#);
}

#[tokio::test]
async fn reads_are_allowed_without_asking_the_daemon() {
    let dir = TempDir::new("read");
    // No daemon at all: a read needs no lookup, so it is still allowed.
    let server = plugin(&dir.join("p.sock"), SettingsSource::default(), &no_daemon(&dir));
    let req = authz_req("GET", "/v1.41/containers/json", None);
    let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
    assert_eq!(
        body_of(&answer),
        r#"{"Allow":true,"Err":"","Msg":"GET /containers/json allowed by profile baseline"}"#
    );
}

#[tokio::test]
async fn a_stale_socket_file_is_replaced() {
    let dir = TempDir::new("stale");
    let path = dir.join("p.sock");
    // A socket file nobody listens on, as a killed plugin leaves it.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let server = plugin(&path, SettingsSource::default(), &no_daemon(&dir));
    let answer = exchange(&server.socket, &post("/Plugin.Activate", "")).await;
    assert_eq!(body_of(&answer), r#"{"Implements":["authz"]}"#);
}

#[tokio::test]
async fn a_served_socket_is_not_taken_over() {
    let dir = TempDir::new("inuse");
    let path = dir.join("p.sock");
    let _other = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let err = dockward_authz::socket::bind(&path).err().expect("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "another process is serving {}; stop it first or choose another --socket",
            path.display()
        )
    );
    assert!(path.exists(), "the other process's socket is left alone");
}

#[tokio::test]
async fn the_socket_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode");
    let server = plugin(
        &dir.join("sub/dir/p.sock"),
        SettingsSource::default(),
        &no_daemon(&dir),
    );
    let mode = std::fs::metadata(&server.socket).unwrap().permissions().mode() & 0o777;
    let expected = if dockward_authz::socket::running_as_root() {
        0o600
    } else {
        0o660
    };
    assert_eq!(mode, expected);
}

#[tokio::test]
async fn a_failed_lookup_denies_the_request() {
    let dir = TempDir::new("lookupfail");
    // The daemon answers every lookup with an error.
    let daemon = fake::serve_with(std::sync::Arc::new(|_: &str| {
        fake::Reply::Full(500, bytes::Bytes::from_static(br#"{"message":"boom"}"#))
    }));
    let server = plugin(&dir.join("p.sock"), SettingsSource::default(), &daemon.path);
    let req = authz_req(
        "POST",
        "/v1.41/containers/create",
        Some(r#"{"Image":"busybox","HostConfig":{"NetworkMode":"container:web"}}"#),
    );
    let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
    assert_eq!(
        body_of(&answer),
        r#"{"Allow":false,"Err":"","Msg":"request denied because dockward cannot judge it: a lookup through the daemon failed: GET /containers/web/json: the daemon answered 500: boom"}"#
    );
}

#[tokio::test]
async fn a_privileged_create_is_denied_with_the_rule_and_fix() {
    let dir = TempDir::new("privileged");
    let daemon = common::daemon(vec![]);
    let server = plugin(&dir.join("p.sock"), SettingsSource::default(), &daemon.path);
    let req = authz_req(
        "POST",
        "/v1.41/containers/create?name=bad",
        Some(r#"{"Image":"busybox","HostConfig":{"Privileged":true}}"#),
    );
    let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
    assert_eq!(
        body_of(&answer),
        r#"{"Allow":false,"Err":"","Msg":"POST /containers/create (name bad, image busybox) denied by profile baseline: CT0004 added-capabilities: container is privileged and has every capability (fix: remove --cap-add entries the workload does not need; start from --cap-drop ALL); CT0006 privileged-container: container is privileged (fix: remove --privileged; grant only the needed capability (--cap-add) or device (--device)); CT0021 seccomp-unconfined: container is privileged, so no seccomp profile is applied (fix: remove --security-opt seccomp=unconfined (and --privileged); extend the default profile instead of disabling it); CT0031 systempaths-unconfined: container is privileged, so no path of /proc or /sys is masked or read-only (fix: remove --security-opt systempaths=unconfined (and --privileged))"}"#
    );
}
