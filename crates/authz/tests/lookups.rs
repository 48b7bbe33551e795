//! What the plugin looks up before the rules judge a request: joined containers, VolumesFrom,
//! bind-backed volumes, symbolic links on the host, the image's user and its uid. A fake daemon
//! answers the lookups.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use bytes::Bytes;
use common::{INFO, TempDir, authz_req, body_of, exchange, fake, plugin, post};
use dockward_authz::settings::{Overrides, SettingsSource};
use dockward_rules::profile::Profile;
use serde_json::{Value, json};

const BASE: &str = include_str!("../../rules/tests/fixtures/base.inspect.json");

/// A container's inspect document: the recorded one with this name, id and changes.
fn inspect(name: &str, id: &str, patch: Value) -> String {
    let mut doc: Value = serde_json::from_str(BASE).unwrap();
    doc["Name"] = format!("/{name}").into();
    doc["Id"] = id.into();
    merge(&mut doc, &patch);
    doc.to_string()
}

fn merge(doc: &mut Value, patch: &Value) {
    match (doc, patch) {
        (Value::Object(doc), Value::Object(patch)) => {
            for (k, v) in patch {
                merge(doc.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (doc, patch) => *doc = patch.clone(),
    }
}

fn restricted() -> SettingsSource {
    SettingsSource {
        config: None,
        overrides: Overrides {
            profile: Some(Profile::Restricted),
            ..Overrides::default()
        },
    }
}

async fn decide(settings: SettingsSource, daemon: &fake::FakeDaemon, body: &str) -> Value {
    let dir = TempDir::new("lookups");
    let server = plugin(&dir.join("p.sock"), settings, &daemon.path);
    let req = authz_req("POST", "/v1.41/containers/create?name=new", Some(body));
    let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
    serde_json::from_str(body_of(&answer)).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

fn msg(reply: &Value) -> &str {
    reply["Msg"].as_str().unwrap()
}

const ETC_AT_X: &str = "POST /containers/create (name new, image busybox) denied by profile baseline: \
    CT0007 sensitive-host-mount: sensitive host directories are mounted: /etc at /x (writable) \
    (fix: remove the mount of the host system directory; mount only application data, read-only where possible)";

const ROOT_FIX: &str = "(fix: set a non-root user: docker run --user UID:GID, or USER in the Dockerfile)";

#[tokio::test]
async fn a_join_of_a_container_in_the_hosts_namespace_is_denied_through_a_chain() {
    // new -> container:mid -> container:web -> host
    let daemon = common::daemon(vec![
        (
            "/containers/mid/json",
            200,
            inspect(
                "mid",
                &"b".repeat(64),
                json!({"HostConfig": {"PidMode": "container:web"}}),
            ),
        ),
        (
            "/containers/web/json",
            200,
            inspect("web", &"c".repeat(64), json!({"HostConfig": {"PidMode": "host"}})),
        ),
    ]);
    let reply = decide(
        SettingsSource::default(),
        &daemon,
        r#"{"Image":"busybox","HostConfig":{"PidMode":"container:mid"}}"#,
    )
    .await;
    assert_eq!(
        msg(&reply),
        "POST /containers/create (name new, image busybox) denied by profile baseline: CT0015 host-pid: \
         container joins the PID namespace of container mid, which is the host's \
         (fix: do not join (--pid=container:…) a container that uses the host's PID namespace)"
    );
    assert_eq!(reply["Allow"], false, "{reply}");
}

#[tokio::test]
async fn a_join_of_an_ordinary_container_is_allowed() {
    let daemon = common::daemon(vec![(
        "/containers/web/json",
        200,
        inspect("web", &"c".repeat(64), json!({})),
    )]);
    let reply = decide(
        SettingsSource::default(),
        &daemon,
        r#"{"Image":"busybox","HostConfig":{"PidMode":"container:web","NetworkMode":"container:web"}}"#,
    )
    .await;
    assert_eq!(reply["Allow"], true, "{reply}");
}

#[tokio::test]
async fn volumes_from_a_container_with_a_sensitive_bind_is_denied() {
    let daemon = common::daemon(vec![(
        "/containers/data/json",
        200,
        inspect(
            "data",
            &"d".repeat(64),
            json!({"Mounts": [{"Type": "bind", "Source": "/etc", "Destination": "/host-etc", "RW": true, "Propagation": "rprivate"}]}),
        ),
    )]);
    let reply = decide(
        SettingsSource::default(),
        &daemon,
        r#"{"Image":"busybox","HostConfig":{"VolumesFrom":["data:ro"]}}"#,
    )
    .await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(
        msg(&reply),
        "POST /containers/create (name new, image busybox) denied by profile baseline: \
         CT0007 sensitive-host-mount: sensitive host directories are mounted: /etc at /host-etc (read-only) \
         (fix: remove the mount of the host system directory; mount only application data, read-only where possible)"
    );
}

#[tokio::test]
async fn a_named_volume_that_binds_a_host_directory_is_judged_as_that_bind() {
    let daemon = common::daemon(vec![(
        "/volumes/hostetc",
        200,
        json!({"Name": "hostetc", "Driver": "local", "Options": {"type": "none", "o": "bind", "device": "/etc"}}).to_string(),
    )]);
    let reply = decide(
        SettingsSource::default(),
        &daemon,
        r#"{"Image":"busybox","HostConfig":{"Binds":["hostetc:/x"]}}"#,
    )
    .await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(msg(&reply), ETC_AT_X);
    // An ordinary named volume, and one that does not exist yet, are fine.
    let plain = common::daemon(vec![(
        "/volumes/data",
        200,
        json!({"Name": "data", "Driver": "local", "Options": null}).to_string(),
    )]);
    let reply = decide(
        SettingsSource::default(),
        &plain,
        r#"{"Image":"busybox","HostConfig":{"Binds":["data:/x","fresh:/y"]}}"#,
    )
    .await;
    assert_eq!(reply["Allow"], true, "{reply}");
}

#[tokio::test]
async fn a_bind_through_a_symbolic_link_is_judged_on_its_target() {
    let dir = TempDir::new("symlink");
    std::os::unix::fs::symlink("/etc", dir.join("innocent")).unwrap();
    let daemon = common::daemon(vec![]);
    let body =
        json!({"Image": "busybox", "HostConfig": {"Binds": [format!("{}/innocent:/x", dir.0.display())]}});
    let reply = decide(SettingsSource::default(), &daemon, &body.to_string()).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(msg(&reply), ETC_AT_X);
}

/// A `docker save` archive (OCI layout) of one layer holding `/etc/passwd`.
fn image_archive(passwd: &str) -> Vec<u8> {
    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            builder.append_data(&mut header, path, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }
    let layer = tar_of(&[("etc/passwd", passwd.as_bytes())]);
    let manifest = json!([{"Config": "config.json", "Layers": ["layer.tar"]}]).to_string();
    tar_of(&[("layer.tar", &layer), ("manifest.json", manifest.as_bytes())])
}

fn image_daemon(user: &str, passwd: &str) -> fake::FakeDaemon {
    let image = json!({"Id": format!("sha256:{}", "e".repeat(64)), "Size": 1000, "Config": {"User": user}})
        .to_string();
    let archive = Bytes::from(image_archive(passwd));
    fake::serve_with(std::sync::Arc::new(move |key: &str| match key {
        "/info" => fake::Reply::Full(200, Bytes::from_static(INFO.as_bytes())),
        "/images/app/json" => fake::Reply::Full(200, Bytes::from(image.clone())),
        k if k.starts_with("/images/sha256:") && k.ends_with("/get") => {
            fake::Reply::Full(200, archive.clone())
        }
        other => fake::not_found(other),
    }))
}

const HARDENED: &str = r#"{"Image":"app","HostConfig":{"CapDrop":["ALL"],"SecurityOpt":["no-new-privileges"],"PidsLimit":100,"Memory":67108864}}"#;

#[tokio::test]
async fn restricted_takes_the_users_uid_from_the_images_passwd() {
    // The image runs as "admin", which its /etc/passwd makes uid 0.
    let daemon = image_daemon("admin", "root:x:0:0::/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\n");
    let reply = decide(restricted(), &daemon, HARDENED).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(
        msg(&reply),
        format!(
            "POST /containers/create (name new, image app) denied by profile restricted: CT0001 runs-as-root: \
             container runs as root (user \"admin\" is uid 0 in the image) {ROOT_FIX}"
        )
    );
    // The same name as an ordinary user is allowed.
    let daemon = image_daemon(
        "admin",
        "root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/:/bin/sh\n",
    );
    let reply = decide(restricted(), &daemon, HARDENED).await;
    assert_eq!(reply["Allow"], true, "{reply}");
}

#[tokio::test]
async fn restricted_denies_an_image_that_runs_as_root() {
    let daemon = image_daemon("", "root:x:0:0::/root:/bin/sh\n");
    let reply = decide(restricted(), &daemon, HARDENED).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(
        msg(&reply),
        format!(
            "POST /containers/create (name new, image app) denied by profile restricted: CT0001 runs-as-root: \
             neither the request nor the image sets a user, so the container runs as root {ROOT_FIX}"
        )
    );
}

#[tokio::test]
async fn an_image_not_pulled_yet_is_judged_with_what_is_known_and_said_so() {
    let daemon = common::daemon(vec![]);
    let body = HARDENED.replace("\"app\"", "\"missing\"");
    let reply = decide(restricted(), &daemon, &body).await;
    assert_eq!(reply["Allow"], false, "{reply}");
    assert_eq!(
        msg(&reply),
        format!(
            "POST /containers/create (name new, image missing) denied by profile restricted: CT0001 runs-as-root: \
             neither the request nor the image sets a user, so the container runs as root {ROOT_FIX} \
             (note: image missing is not on the daemon, so the user it runs as is unknown)"
        )
    );
}

#[tokio::test]
async fn every_plugin_change_is_denied_whatever_the_plugin_is_called() {
    let dir = TempDir::new("selfprotect");
    let daemon = common::daemon(vec![]);
    let server = plugin(&dir.join("p.sock"), SettingsSource::default(), &daemon.path);
    for (method, uri) in [
        ("POST", "/v1.41/plugins/dockward/disable"),
        ("POST", "/plugins/dockward:latest/disable?force=1"),
        ("POST", "/v1.41/plugins/3f2a9c/disable"),
        ("POST", "/plugins/registry.local%2Fteam%2Fdockward:1.0/set"),
        ("DELETE", "/v1.41/plugins/dockward:latest?force=1"),
        ("POST", "/v1.41/plugins/dockward/upgrade?remote=x"),
    ] {
        let req = authz_req(method, uri, Some("[]"));
        let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
        let reply: Value = serde_json::from_str(body_of(&answer)).unwrap();
        assert_eq!(reply["Allow"], false, "{method} {uri}: {reply}");
    }
}

#[tokio::test]
async fn audit_mode_allows_and_logs_what_enforce_would_deny() {
    let dir = TempDir::new("audit");
    let log = dir.join("decisions.log");
    let daemon = common::daemon(vec![]);
    let settings = SettingsSource {
        config: None,
        overrides: Overrides {
            mode: Some(dockward_authz::settings::Mode::Audit),
            decision_log: Some(dockward_authz::settings::LogTarget::File(log.clone())),
            ..Overrides::default()
        },
    };
    let server = plugin(&dir.join("p.sock"), settings, &daemon.path);
    let req = authz_req(
        "POST",
        "/v1.41/containers/create?name=bad",
        Some(r#"{"Image":"busybox","HostConfig":{"Privileged":true}}"#),
    );
    let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
    let reply: Value = serde_json::from_str(body_of(&answer)).unwrap();
    assert_eq!(reply["Allow"], true, "{reply}");
    // The writer thread appends the line; wait for it (bounded).
    let mut line = String::new();
    for _ in 0..1500 {
        line = std::fs::read_to_string(&log).unwrap_or_default();
        if line.ends_with('\n') {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let record: Value = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(record["verdict"], "would-deny");
    assert_eq!(record["mode"], "audit");
    assert_eq!(record["profile"], "baseline");
    assert_eq!(record["route"], "POST /containers/create");
    assert_eq!(record["container"], "bad");
    assert_eq!(record["image"], "busybox");
    let ids: Vec<&str> = record["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["CT0004", "CT0006", "CT0021", "CT0031"]);
    assert_eq!(record["rules"][1]["status"], "fail");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&log).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[tokio::test]
async fn a_legacy_start_is_judged_with_the_containers_own_user() {
    let start =
        r#"{"CapDrop":["ALL"],"SecurityOpt":["no-new-privileges"],"PidsLimit":100,"Memory":67108864}"#;
    for (user, allow) in [("1000", true), ("", false)] {
        let daemon = common::daemon(vec![(
            "/containers/web/json",
            200,
            inspect("web", &"f".repeat(64), json!({"Config": {"User": user}})),
        )]);
        let dir = TempDir::new("legacystart");
        let server = plugin(&dir.join("p.sock"), restricted(), &daemon.path);
        let req = authz_req("POST", "/v1.23/containers/web/start", Some(start));
        let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
        let reply: Value = serde_json::from_str(body_of(&answer)).unwrap();
        assert_eq!(reply["Allow"], allow, "user {user:?}: {reply}");
        if !allow {
            assert_eq!(
                msg(&reply),
                format!(
                    "POST /containers/web/start (name web, image dwbase:1) denied by profile restricted: \
                     CT0001 runs-as-root: neither the request nor the image sets a user, so the container runs as root {ROOT_FIX}"
                )
            );
        }
    }
}

#[tokio::test]
async fn restricted_exec_inherits_the_containers_user() {
    for (user, allow) in [("1000", true), ("", false)] {
        let daemon = common::daemon(vec![(
            "/containers/web/json",
            200,
            inspect("web", &"f".repeat(64), json!({"Config": {"User": user}})),
        )]);
        let dir = TempDir::new("execuser");
        let server = plugin(&dir.join("p.sock"), restricted(), &daemon.path);
        let req = authz_req("POST", "/v1.41/containers/web/exec", Some(r#"{"Cmd":["sh"]}"#));
        let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
        let reply: Value = serde_json::from_str(body_of(&answer)).unwrap();
        assert_eq!(reply["Allow"], allow, "user {user:?}: {reply}");
        if !allow {
            assert_eq!(
                msg(&reply),
                "POST /containers/web/exec (container web) denied by profile restricted: RQ0002 exec-as-root: \
                 exec runs as the container's user, which is root (no user is set) \
                 (fix: run docker exec --user UID:GID with a non-root user)"
            );
        }
    }
}

/// A host tree (for `--host-root`) where a dockerd with `flags` serves `socket`.
fn host_with_daemon(dir: &TempDir, socket: &std::path::Path, flags: &[&str]) -> std::path::PathBuf {
    let root = dir.join("host");
    let write = |path: &str, text: &str| {
        let path = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let mut argv = vec![
        "dockerd".to_string(),
        "--host".into(),
        format!("unix://{}", socket.display()),
    ];
    argv.extend(flags.iter().map(|f| f.to_string()));
    write("/proc/4242/comm", "dockerd\n");
    write("/proc/4242/cmdline", &(argv.join("\0") + "\0"));
    write(
        "/proc/net/unix",
        &format!(
            "Num       RefCount Protocol Flags    Type St Inode Path\n\
             0000000000000000: 00000002 00000000 00010000 0001 01 9001 {}\n",
            socket.display()
        ),
    );
    std::fs::create_dir_all(root.join("proc/4242/fd")).unwrap();
    std::os::unix::fs::symlink("socket:[9001]", root.join("proc/4242/fd/3")).unwrap();
    root
}

#[tokio::test]
async fn the_daemons_own_defaults_count_as_the_audit_counts_them() {
    // No no-new-privileges in the request: only the daemon's --no-new-privileges supplies it.
    let body = r#"{"Image":"busybox","User":"1000","HostConfig":{"CapDrop":["ALL"],"PidsLimit":100,"Memory":67108864}}"#;
    for (flags, allow) in [(&["--no-new-privileges"][..], true), (&[][..], false)] {
        let daemon = common::daemon(vec![]);
        let dir = TempDir::new("daemonconfig");
        let root = host_with_daemon(&dir, &daemon.path, flags);
        let server = common::plugin_on_host(&dir.join("p.sock"), restricted(), &daemon.path, &root);
        let req = authz_req("POST", "/v1.41/containers/create?name=new", Some(body));
        let answer = exchange(&server.socket, &post("/AuthZPlugin.AuthZReq", &req)).await;
        let reply: Value = serde_json::from_str(body_of(&answer)).unwrap();
        assert_eq!(reply["Allow"], allow, "{flags:?}: {reply}");
        if !allow {
            assert_eq!(
                msg(&reply),
                "POST /containers/create (name new, image busybox) denied by profile restricted: \
                 CT0023 new-privileges-allowed: neither the container nor the daemon sets no-new-privileges \
                 (fix: run with --security-opt no-new-privileges (or dockerd --no-new-privileges))"
            );
        }
    }
}
