//! Collector faults against a fake daemon on a unix socket: containers that vanish between list
//! and inspect, an `/info` that fails, a broken inspect document, a socket that is not there.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use dockward_collect::{Client, Endpoint, ImageSelection, Options, collect_snapshot};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::UnixListener;

type Routes = Arc<HashMap<String, (u16, String)>>;

/// A fake daemon's socket; its directory is removed when the test ends.
struct FakeDaemon {
    path: PathBuf,
}

impl Drop for FakeDaemon {
    fn drop(&mut self) {
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Serves `routes` (path with query → status, body) on a fresh socket until the test ends.
fn serve(routes: Vec<(&str, u16, String)>) -> FakeDaemon {
    let dir = std::env::temp_dir().join(format!("dockward-fake-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("docker.sock");
    let routes: Routes = Arc::new(
        routes
            .into_iter()
            .map(|(p, s, b)| (p.to_string(), (s, b)))
            .collect(),
    );
    let listener = UnixListener::bind(&path).unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let routes = Arc::clone(&routes);
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let routes = Arc::clone(&routes);
                    async move {
                        let key = req
                            .uri()
                            .path_and_query()
                            .map(|p| p.to_string())
                            .unwrap_or_default();
                        let (status, body) = routes
                            .get(&key)
                            .cloned()
                            .unwrap_or((404, format!(r#"{{"message":"page not found: {key}"}}"#)));
                        Ok::<_, Infallible>(
                            Response::builder()
                                .status(status)
                                .body(Full::new(Bytes::from(body)))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    FakeDaemon { path }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

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
}
