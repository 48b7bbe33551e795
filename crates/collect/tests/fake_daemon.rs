//! Collector faults against a fake daemon on a unix socket: containers that vanish between list
//! and inspect, an `/info` that fails, a broken inspect document, a socket that is not there.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use common::{FakeDaemon, Reply, not_found, rand_suffix, serve, serve_with};
use dockward_collect::{Client, Endpoint, ImageSelection, Limits, Options, collect_snapshot};

fn inspect(id: &str, name: &str, extra: serde_json::Value) -> String {
    let mut doc = serde_json::json!({"Id": id, "Name": format!("/{name}"), "State": {"Status": "running"},
        "HostConfig": {"NetworkMode": "none"}, "Config": {"User": ""}, "Mounts": []});
    if let (Some(doc), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
        doc.extend(extra.clone());
    }
    doc.to_string()
}

const INFO: &str = r#"{"ServerVersion":"20.10.24","SecurityOptions":["name=seccomp,profile=default"]}"#;

fn client(path: PathBuf) -> Client {
    Client::new(Endpoint::Unix { path }, Duration::from_secs(5)).unwrap()
}

fn fake_client(daemon: &FakeDaemon) -> Client {
    client(daemon.path.clone())
}

#[tokio::test]
async fn vanished_and_malformed_containers_become_errors_and_the_rest_is_collected() {
    let daemon = serve(vec![
        ("/_ping", 200, "OK".into()),
        ("/info", 200, INFO.into()),
        (
            "/containers/json",
            200,
            r#"[{"Id":"aaa","Names":["/web"]},{"Id":"bbb","Names":["/gone"]},{"Id":"ccc","Names":["/broken"]}]"#.into(),
        ),
        ("/containers/aaa/json", 200, inspect("aaa", "web", serde_json::json!({}))),
        ("/containers/bbb/json", 404, r#"{"message":"No such container: bbb"}"#.into()),
        ("/containers/ccc/json", 200, r#"["ccc"]"#.into()),
    ]);
    let options = Options {
        images: ImageSelection::Skip,
        ..Options::default()
    };
    let snapshot = collect_snapshot(&fake_client(&daemon), &options).await.unwrap();
    assert_eq!(snapshot.containers.len(), 1);
    assert_eq!(snapshot.containers[0].origin.name(), "web");
    assert_eq!(snapshot.errors.len(), 2);
    assert_eq!(snapshot.errors[0].target.name, "gone");
    assert_eq!(snapshot.errors[0].target.id.as_deref(), Some("bbb"));
    assert_eq!(
        snapshot.errors[0].reason,
        "no such container: it was removed after it was listed"
    );
    assert_eq!(snapshot.errors[1].target.name, "broken");
    assert!(
        snapshot.errors[1]
            .reason
            .starts_with("cannot decode inspect of container broken: invalid type: sequence, expected a map"),
        "{}",
        snapshot.errors[1].reason
    );
    assert_eq!(snapshot.daemon.info.as_ref().unwrap().server_version, "20.10.24");
    assert_eq!(
        snapshot.daemon.endpoint,
        format!("unix://{}", daemon.path.display())
    );
    // The daemon's own socket is known, with its identity, for the socket-mount rule.
    assert_eq!(snapshot.daemon.sockets[0].path, daemon.path.display().to_string());
    assert!(snapshot.daemon.sockets[0].id.is_some());
}

#[tokio::test]
async fn failing_info_is_recorded_not_fatal() {
    let daemon = serve(vec![
        ("/_ping", 200, "OK".into()),
        ("/info", 500, r#"{"message":"boom"}"#.into()),
        (
            "/containers/json?all=1",
            200,
            r#"[{"Id":"aaa","Names":["/web"]}]"#.into(),
        ),
        (
            "/containers/aaa/json",
            200,
            inspect("aaa", "web", serde_json::json!({})),
        ),
    ]);
    let options = Options {
        all: true,
        ..Options::default()
    };
    let snapshot = collect_snapshot(&fake_client(&daemon), &options).await.unwrap();
    assert_eq!(snapshot.containers.len(), 1);
    assert!(snapshot.daemon.info.is_none());
    assert_eq!(
        snapshot.daemon.info_error.as_deref(),
        Some("GET /info: the daemon answered 500: boom")
    );
    assert!(snapshot.all_containers);
    assert_eq!(snapshot.containers_listed, Some(1), "what the list answered");
}

#[tokio::test]
async fn joins_to_uncollected_containers_are_fetched_and_volumes_resolved() {
    let daemon = serve(vec![
        ("/_ping", 200, "OK".into()),
        ("/info", 200, INFO.into()),
        (
            "/containers/app/json",
            200,
            inspect(
                "a1",
                "app",
                serde_json::json!({"HostConfig": {"NetworkMode": "container:n1", "PidMode": "container:ghost"},
                "Mounts": [{"Type": "volume", "Name": "hostetc", "Source": "/var/lib/docker/volumes/hostetc/_data",
                            "Destination": "/cfg", "RW": true, "Propagation": ""}]}),
            ),
        ),
        ("/containers/n1/json", 200, inspect("n1", "netowner", serde_json::json!({"HostConfig": {"NetworkMode": "host"}}))),
        ("/containers/ghost/json", 404, r#"{"message":"No such container: ghost"}"#.into()),
        (
            "/volumes",
            200,
            r#"{"Volumes":[{"Name":"hostetc","Driver":"local","Options":{"type":"none","o":"bind","device":"/etc"}},
                          {"Name":"plain","Driver":"local","Options":null}]}"#
                .into(),
        ),
    ]);
    let options = Options {
        containers: vec!["app".into()],
        ..Options::default()
    };
    let snapshot = collect_snapshot(&fake_client(&daemon), &options).await.unwrap();
    let app = &snapshot.containers[0];
    assert_eq!(
        snapshot.containers.len(),
        1,
        "join targets are resolved, not audited"
    );
    assert_eq!(app.network_mode.is_host(), Some(true));
    assert_eq!(
        app.network_mode
            .join
            .as_ref()
            .unwrap()
            .resolved
            .as_ref()
            .unwrap()
            .name,
        "netowner"
    );
    assert_eq!(
        app.pid_mode.is_host(),
        None,
        "an uninspectable join target stays unresolved"
    );
    assert_eq!(app.mounts[0].bind_device.as_deref(), Some("/etc"));
    assert_eq!(app.mounts[0].host_path(), Some("/etc"));
}

#[tokio::test]
async fn selectors_that_cannot_name_a_container_are_errors() {
    let daemon = serve(vec![("/_ping", 200, "OK".into()), ("/info", 200, INFO.into())]);
    let options = Options {
        containers: vec!["../../info".into(), "nope".into()],
        images: ImageSelection::Skip,
        ..Options::default()
    };
    let snapshot = collect_snapshot(&fake_client(&daemon), &options).await.unwrap();
    assert_eq!(snapshot.errors.len(), 2);
    assert_eq!(
        snapshot.errors[0].reason,
        "\"../../info\" is not a valid container name or id"
    );
    assert_eq!(snapshot.errors[1].reason, "no such container");
    assert!(
        snapshot.errors.iter().all(|e| e.named_nothing),
        "bad arguments, not faults"
    );
}

#[tokio::test]
async fn something_that_is_not_a_docker_api_fails_the_collection() {
    let daemon = serve(vec![(
        "/_ping",
        400,
        "Client sent an HTTP request to an HTTPS server.".into(),
    )]);
    let err = collect_snapshot(&fake_client(&daemon), &Options::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /_ping: the daemon answered 400: Client sent an HTTP request to an HTTPS server."
    );
}

#[tokio::test]
async fn a_missing_socket_says_so() {
    let path = std::env::temp_dir().join("dockward-no-such-dir/docker.sock");
    let err = collect_snapshot(&client(path.clone()), &Options::default())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "cannot connect to the Docker daemon at unix://{}: no such socket",
            path.display()
        )),
        "{message}"
    );
}

#[tokio::test]
async fn image_faults_become_errors_or_unknown_facts_and_the_rest_is_collected() {
    let image = serde_json::json!({"Id": "sha256:aaa", "RepoTags": ["app:1"],
        "Config": {"User": "app", "Env": ["PATH=/bin"], "ExposedPorts": {"8080/tcp": {}}}});
    let base = serde_json::json!({"Id": "sha256:bbb", "RepoTags": ["base:1"], "Config": {}});
    let history = |steps: &[&str]| {
        // The API lists the newest step first.
        let entries: Vec<serde_json::Value> = steps
            .iter()
            .enumerate()
            .rev()
            .map(|(i, s)| serde_json::json!({"Created": i, "CreatedBy": s, "Size": 1}))
            .collect();
        serde_json::Value::from(entries).to_string()
    };
    let daemon = serve(vec![
        ("/_ping", 200, "OK".into()),
        ("/info", 200, INFO.into()),
        ("/containers/json", 200, "[]".into()),
        (
            "/containers/json?all=1",
            200,
            r#"[{"Id":"c1","Names":["/web"],"ImageID":"sha256:aaa"}]"#.into(),
        ),
        (
            "/images/json",
            200,
            r#"[{"Id":"sha256:aaa"},{"Id":"sha256:bbb"},{"Id":"sha256:ccc"}]"#.into(),
        ),
        ("/images/sha256:aaa/json", 200, image.to_string()),
        (
            "/images/sha256:aaa/history",
            200,
            history(&["ADD file:x in /", "RUN make", "COPY . /app"]),
        ),
        (
            "/images/sha256:aaa/get",
            500,
            r#"{"message":"disk on fire"}"#.into(),
        ),
        ("/images/sha256:bbb/json", 200, base.to_string()),
        (
            "/images/sha256:bbb/history",
            200,
            history(&["ADD file:x in /", "RUN make"]),
        ),
        ("/images/sha256:bbb/get", 200, "not a tar archive at all".into()),
        (
            "/images/sha256:ccc/json",
            404,
            r#"{"message":"No such image: sha256:ccc"}"#.into(),
        ),
    ]);
    let snapshot = collect_snapshot(&fake_client(&daemon), &Options::default())
        .await
        .unwrap();
    let names: Vec<&str> = snapshot.images.iter().map(|i| i.tags[0].as_str()).collect();
    assert_eq!(names, ["app:1", "base:1"]);
    let app = &snapshot.images[0];
    assert_eq!(app.used_by, ["web"]);
    assert_eq!(app.user.value, "app");
    assert_eq!(app.exposed_ports.value, ["8080/tcp"]);
    assert_eq!((app.base_history, app.base_image.as_deref()), (2, Some("base:1")));
    let dockward_model::Observed::Known(history) = &app.history else {
        panic!("history unread: {:?}", app.history)
    };
    let steps: Vec<&str> = history.value.iter().map(|h| h.created_by.as_str()).collect();
    assert_eq!(
        steps,
        ["ADD file:x in /", "RUN make", "COPY . /app"],
        "oldest first"
    );
    let reason = |image: &dockward_model::ImageFacts| match &image.filesystem {
        Some(dockward_model::Observed::Unknown { reason }) => reason.clone(),
        other => panic!("expected an unknown filesystem, got {other:?}"),
    };
    assert_eq!(
        reason(app),
        "GET /images/sha256:aaa/get: the daemon answered 500: disk on fire"
    );
    assert!(
        reason(&snapshot.images[1]).starts_with("not a tar archive"),
        "{}",
        reason(&snapshot.images[1])
    );
    assert_eq!(snapshot.errors.len(), 1);
    assert_eq!(snapshot.errors[0].target.kind, dockward_model::TargetKind::Image);
    assert_eq!(snapshot.errors[0].target.name, "sha256:ccc");
    assert_eq!(snapshot.errors[0].reason, "no such image: sha256:ccc");
    assert!(
        !snapshot.errors[0].named_nothing,
        "listed, then removed: not a bad argument"
    );
}

// Bounded time and memory: frozen, trickling, endless and vanishing daemons. The limits in
// these tests are small (1–3 s) so each run proves it ends; the assertions are on the outcome.

fn limited(daemon: &FakeDaemon, timeout: u64, deadline: u64) -> Client {
    Client::with_limits(
        Endpoint::Unix {
            path: daemon.path.clone(),
        },
        Limits {
            timeout: Duration::from_secs(timeout),
            deadline: Duration::from_secs(deadline),
            ..Limits::default()
        },
    )
    .unwrap()
}

fn listing(count: usize) -> String {
    let items: Vec<serde_json::Value> = (0..count)
        .map(|i| serde_json::json!({"Id": format!("c{i}"), "Names": [format!("/c{i}")]}))
        .collect();
    serde_json::Value::from(items).to_string()
}

/// Containers only: no images, no host files.
fn containers_only(concurrency: usize) -> Options {
    Options {
        images: ImageSelection::Skip,
        inspect_host: false,
        concurrency,
        ..Options::default()
    }
}

fn endpoint_of(daemon: &FakeDaemon) -> String {
    format!("unix://{}", daemon.path.display())
}

#[tokio::test]
async fn a_daemon_that_never_answers_ends_the_run_within_the_timeout() {
    let daemon = serve_with(Arc::new(|_: &str| Reply::Freeze));
    let err = collect_snapshot(&limited(&daemon, 1, 30), &Options::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("GET /_ping to {}: no answer within 1 s", endpoint_of(&daemon))
    );
}

#[tokio::test]
async fn a_daemon_that_freezes_after_the_list_ends_the_run_with_an_error_per_container() {
    let frozen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let daemon = serve_with(Arc::new(move |key: &str| {
        if frozen.load(Ordering::SeqCst) {
            return Reply::Freeze;
        }
        match key {
            "/_ping" => Reply::Full(200, Bytes::from_static(b"OK")),
            "/containers/json" => {
                frozen.store(true, Ordering::SeqCst);
                Reply::Full(200, Bytes::from(listing(300)))
            }
            _ => Reply::Freeze,
        }
    }));
    let snapshot = collect_snapshot(&limited(&daemon, 1, 600), &containers_only(16))
        .await
        .unwrap();
    let endpoint = endpoint_of(&daemon);
    assert!(snapshot.containers.is_empty());
    assert_eq!(snapshot.errors.len(), 300);
    let (mut timed_out, mut not_sent) = (0, 0);
    for (i, error) in snapshot.errors.iter().enumerate() {
        assert_eq!(error.target.name, format!("c{i}"));
        let path = format!("/containers/c{i}/json");
        if error.reason == format!("GET {path} to {endpoint}: no answer within 1 s") {
            timed_out += 1;
        } else {
            assert_eq!(
                error.reason,
                format!(
                    "GET {path} not sent: the daemon at {endpoint} stopped answering \
                     (no answer to GET /_ping within 1 s)"
                )
            );
            not_sent += 1;
        }
    }
    // Each of the 16 connections waits out one timeout at most (none when `/info` already
    // found the daemon frozen); the rest is not asked.
    assert!(timed_out <= 16, "{timed_out} timed out");
    assert_eq!(not_sent, 300 - timed_out);
    // What came after the inspections was not collected either, and says why.
    let Some(dockward_model::Observed::Unknown { reason }) = &snapshot.daemon.sprawl else {
        panic!("sprawl: {:?}", snapshot.daemon.sprawl)
    };
    assert_eq!(
        reason,
        &format!(
            "GET /containers/json?all=1 not sent: the daemon at {endpoint} stopped answering \
             (no answer to GET /_ping within 1 s)"
        )
    );
}

#[tokio::test]
async fn inspects_that_hang_on_a_live_daemon_end_at_the_deadline() {
    let daemon = serve_with(Arc::new(|key: &str| match key {
        "/_ping" => Reply::Full(200, Bytes::from_static(b"OK")),
        "/containers/json" => Reply::Full(200, Bytes::from(listing(40))),
        "/containers/json?all=1" => Reply::Full(200, Bytes::from(listing(40))),
        _ => Reply::Freeze,
    }));
    let snapshot = collect_snapshot(&limited(&daemon, 1, 3), &containers_only(1))
        .await
        .unwrap();
    let endpoint = endpoint_of(&daemon);
    assert!(snapshot.containers.is_empty());
    assert_eq!(snapshot.errors.len(), 40);
    let deadline = |path: &str| format!("the run's deadline of 3 s passed before GET {path} was complete");
    let mut timed_out = 0;
    for (i, error) in snapshot.errors.iter().enumerate() {
        let path = format!("/containers/c{i}/json");
        if error.reason == format!("GET {path} to {endpoint}: no answer within 1 s") {
            timed_out += 1;
        } else {
            assert_eq!(error.reason, deadline(&path), "container {i}");
        }
    }
    assert!(timed_out <= 3, "{timed_out} timed out");
    assert_eq!(snapshot.errors[39].reason, deadline("/containers/c39/json"));
}

/// Lists container `aaa` (named `bad_name`, answered with `bad`) and a healthy `bbb` ("web").
fn bad_and_good(bad_name: &str, bad: Reply) -> FakeDaemon {
    let list = format!(r#"[{{"Id":"aaa","Names":["/{bad_name}"]}},{{"Id":"bbb","Names":["/web"]}}]"#);
    serve_with(Arc::new(move |key: &str| match key {
        "/_ping" => Reply::Full(200, Bytes::from_static(b"OK")),
        "/containers/json" => Reply::Full(200, Bytes::from(list.clone())),
        "/containers/aaa/json" => bad.clone(),
        "/containers/bbb/json" => Reply::Full(200, Bytes::from(inspect("bbb", "web", serde_json::json!({})))),
        key => not_found(key),
    }))
}

#[tokio::test]
async fn an_endless_inspect_answer_is_an_error_naming_the_endpoint_and_the_cap() {
    let daemon = bad_and_good("endless", Reply::Endless);
    let snapshot = collect_snapshot(&fake_client(&daemon), &containers_only(2))
        .await
        .unwrap();
    assert_eq!(snapshot.containers.len(), 1);
    assert_eq!(snapshot.containers[0].origin.name(), "web");
    assert_eq!(snapshot.errors.len(), 1);
    assert_eq!(snapshot.errors[0].target.name, "endless");
    assert_eq!(
        snapshot.errors[0].reason,
        format!(
            "GET /containers/aaa/json to {}: the answer exceeds the cap of 16 MiB",
            endpoint_of(&daemon)
        )
    );
}

#[tokio::test]
async fn an_endless_container_list_is_an_error_naming_the_cap() {
    let daemon = serve_with(Arc::new(|key: &str| match key {
        "/_ping" => Reply::Full(200, Bytes::from_static(b"OK")),
        "/containers/json" => Reply::Endless,
        key => not_found(key),
    }));
    // A small list cap keeps the test's memory small; the default is 256 MiB.
    let client = Client::with_limits(
        Endpoint::Unix {
            path: daemon.path.clone(),
        },
        Limits {
            list_cap: 1 << 20,
            ..Limits::default()
        },
    )
    .unwrap();
    let err = collect_snapshot(&client, &containers_only(2)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "GET /containers/json to {}: the answer exceeds the cap of 1 MiB",
            endpoint_of(&daemon)
        )
    );
}

fn vanishing_after(inspects: usize) -> FakeDaemon {
    let served = Arc::new(AtomicUsize::new(0));
    serve_with(Arc::new(move |key: &str| match key {
        "/_ping" => Reply::Full(200, Bytes::from_static(b"OK")),
        "/containers/json" => Reply::Full(200, Bytes::from(listing(300))),
        key => match key
            .strip_prefix("/containers/")
            .and_then(|k| k.strip_suffix("/json"))
        {
            Some(id) if served.fetch_add(1, Ordering::SeqCst) < inspects => {
                Reply::Full(200, Bytes::from(inspect(id, id, serde_json::json!({}))))
            }
            Some(_) => Reply::Vanish,
            None => not_found(key),
        },
    }))
}

#[tokio::test]
async fn a_daemon_that_vanishes_mid_run_keeps_what_was_collected() {
    let daemon = vanishing_after(100);
    let snapshot = collect_snapshot(&fake_client(&daemon), &containers_only(1))
        .await
        .unwrap();
    let endpoint = endpoint_of(&daemon);
    assert_eq!(snapshot.containers.len(), 100);
    assert_eq!(snapshot.containers[99].origin.name(), "c99");
    assert_eq!(snapshot.errors.len(), 200);
    assert_eq!(snapshot.errors[0].target.name, "c100");
    assert!(
        snapshot.errors[0].reason.starts_with(&format!(
            "request GET /containers/c100/json to {endpoint} failed: "
        )),
        "{}",
        snapshot.errors[0].reason
    );
    for (i, error) in snapshot.errors.iter().enumerate().skip(1) {
        assert_eq!(error.target.name, format!("c{}", 100 + i));
        assert_eq!(
            error.reason,
            format!(
                "not inspected: the connection to the daemon was lost: cannot connect to the Docker daemon \
                 at {endpoint}: no such socket (is the daemon running?)"
            )
        );
    }
}

#[tokio::test]
async fn a_daemon_that_vanishes_under_concurrent_inspects_keeps_what_was_collected() {
    let daemon = vanishing_after(100);
    let snapshot = collect_snapshot(&fake_client(&daemon), &containers_only(8))
        .await
        .unwrap();
    // Answers in flight when the daemon went may be lost, at most one per other connection.
    assert!(
        (93..=100).contains(&snapshot.containers.len()),
        "{} collected",
        snapshot.containers.len()
    );
    assert_eq!(snapshot.containers.len() + snapshot.errors.len(), 300);
}

/// A `docker save` archive of one empty layer holding a setuid file.
fn archive() -> Bytes {
    let tar_of = |files: &[(&str, u32, &[u8])]| {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, mode, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Regular);
            header.set_mode(*mode);
            header.set_size(data.len() as u64);
            builder.append_data(&mut header, path, *data).unwrap();
        }
        builder.into_inner().unwrap()
    };
    let layer = tar_of(&[("bin/su", 0o4755, b"x")]);
    Bytes::from(tar_of(&[
        ("aaa/layer.tar", 0o644, &layer),
        ("cfg.json", 0o644, br#"{"rootfs":{"type":"layers"}}"#),
        (
            "manifest.json",
            0o644,
            br#"[{"Config":"cfg.json","RepoTags":["app:1"],"Layers":["aaa/layer.tar"]}]"#,
        ),
    ]))
}

fn image_daemon(size: u64, archive: Reply) -> FakeDaemon {
    let image = serde_json::json!({"Id": "sha256:aaa", "RepoTags": ["app:1"], "Size": size, "Config": {}});
    serve_with(Arc::new(move |key: &str| match key {
        "/_ping" => Reply::Full(200, Bytes::from_static(b"OK")),
        "/containers/json" | "/containers/json?all=1" => Reply::Full(200, Bytes::from_static(b"[]")),
        "/images/json" => Reply::Full(200, Bytes::from_static(br#"[{"Id":"sha256:aaa"}]"#)),
        "/images/sha256:aaa/json" => Reply::Full(200, Bytes::from(image.to_string())),
        "/images/sha256:aaa/history" => Reply::Full(200, Bytes::from_static(b"[]")),
        "/images/sha256:aaa/get" => archive.clone(),
        key => not_found(key),
    }))
}

fn images_only() -> Options {
    Options {
        images: ImageSelection::Only(vec!["sha256:aaa".into()]),
        skip_containers: true,
        inspect_host: false,
        ..Options::default()
    }
}

#[tokio::test]
async fn an_archive_that_trickles_forever_ends_at_the_deadline_and_says_so() {
    let daemon = image_daemon(1000, Reply::Trickle);
    let snapshot = collect_snapshot(&limited(&daemon, 1, 3), &images_only())
        .await
        .unwrap();
    let reason = "image archive not read: skipped for time (the run's deadline of 3 s passed \
                  before GET /images/sha256:aaa/get was complete)";
    assert_eq!(
        snapshot.images[0].filesystem,
        Some(dockward_model::Observed::Unknown {
            reason: reason.into()
        })
    );
    assert_eq!(
        snapshot.warnings,
        [
            "1 image archive not read, skipped for time (the run's deadline of 3 s passed; \
          raise --deadline): app:1"
        ]
    );
    let results = dockward_rules::evaluate(&snapshot, &dockward_rules::Settings::default());
    let setuid = results
        .iter()
        .find(|r| r.name == "image-setuid-files")
        .expect("setuid rule judged");
    assert_eq!(setuid.status, dockward_model::Status::Error);
    assert_eq!(
        setuid.message,
        format!("could not read the image's files: {reason}")
    );
}

#[tokio::test]
async fn a_large_archive_slow_to_start_is_waited_for_in_proportion_to_its_size() {
    // 500 MB at 50 MB/s: 10 s more than the 1 s timeout for the first byte.
    let daemon = image_daemon(500_000_000, Reply::Delayed(Duration::from_secs(2), archive()));
    let snapshot = collect_snapshot(&limited(&daemon, 1, 60), &images_only())
        .await
        .unwrap();
    let Some(dockward_model::Observed::Known(fs)) = &snapshot.images[0].filesystem else {
        panic!("archive not read: {:?}", snapshot.images[0].filesystem)
    };
    let setuid: Vec<&str> = fs.value.setuid_files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(setuid, ["/bin/su"]);
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
}

#[tokio::test]
async fn a_socket_path_that_is_a_regular_file_says_not_a_socket() {
    let dir = std::env::temp_dir().join(format!(
        "dockward-notsock-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("docker.sock");
    std::fs::write(&path, "").unwrap();
    let err = collect_snapshot(&client(path.clone()), &Options::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot connect to the Docker daemon at unix://{0}: not a socket: {0} is a regular file",
            path.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_answer_that_stops_midway_is_an_error_and_a_live_daemon_is_still_asked() {
    let daemon = bad_and_good("stuck", Reply::Stall);
    // One connection: the stuck answer comes first, and the ping after it finds the daemon alive.
    let snapshot = collect_snapshot(&limited(&daemon, 1, 60), &containers_only(1))
        .await
        .unwrap();
    assert_eq!(snapshot.errors.len(), 1);
    assert_eq!(snapshot.errors[0].target.name, "stuck");
    assert_eq!(
        snapshot.errors[0].reason,
        format!(
            "GET /containers/aaa/json to {}: the answer stopped, no data within 1 s",
            endpoint_of(&daemon)
        )
    );
    assert_eq!(snapshot.containers.len(), 1);
    assert_eq!(snapshot.containers[0].origin.name(), "web");
}
