//! "Never a pass without the fact": a fake daemon answers inspect with each part of the real
//! Docker 20.10 document missing, `null` or of the wrong type, and with single fields spoiled.
//! Every rule that needs the spoiled fact must be `error` with the reason; every other rule must
//! judge exactly as it does on the intact document; and a snapshot must keep all of that.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::{FakeDaemon, Reply, not_found, serve_with};
use dockward_collect::{Client, Endpoint, ImageSelection, Options, collect_snapshot};
use dockward_model::{RuleResult, Snapshot, Status};
use dockward_rules::{Check, RULES, Settings, evaluate};
use serde_json::{Value, json};

const BASE: &str = include_str!("../../rules/tests/fixtures/base.inspect.json");
const INFO: &str =
    r#"{"ServerVersion":"20.10.24","SecurityOptions":["name=apparmor","name=seccomp,profile=default"]}"#;

/// Serves `routes` (path without query → body, status 200) on a fresh socket.
fn serve(routes: HashMap<String, String>) -> FakeDaemon {
    serve_with(Arc::new(move |key: &str| {
        let path = key.split('?').next().unwrap_or(key);
        match routes.get(path) {
            Some(body) => Reply::Full(200, Bytes::from(body.clone())),
            None => not_found(key),
        }
    }))
}

/// How a variant spoils the base document.
enum Spoil {
    Intact,
    /// The value at `path` (keys from the root) is removed.
    Remove(&'static [&'static str]),
    /// The value at `path` is replaced.
    Set(&'static [&'static str], Value),
}

struct Variant {
    name: &'static str,
    spoil: Spoil,
    /// The pointer the rules' needs are matched against, and the reason they must report.
    unknown: Option<(&'static str, &'static str)>,
}

fn variants() -> Vec<Variant> {
    let mut out = vec![Variant {
        name: "intact",
        spoil: Spoil::Intact,
        unknown: None,
    }];
    // Each part, missing, null and wrong-typed.
    let parts: [(&str, &'static [&'static str], &str, [&'static str; 3]); 7] = [
        (
            "hostconfig",
            &["HostConfig"],
            "/HostConfig",
            [
                "the daemon's answer lacks /HostConfig",
                "/HostConfig is null in the daemon's answer",
                "/HostConfig is not an object in the daemon's answer (it is a string)",
            ],
        ),
        (
            "config",
            &["Config"],
            "/Config",
            [
                "the daemon's answer lacks /Config",
                "/Config is null in the daemon's answer",
                "/Config is not an object in the daemon's answer (it is a string)",
            ],
        ),
        (
            "state",
            &["State"],
            "/State",
            [
                "the daemon's answer lacks /State",
                "/State is null in the daemon's answer",
                "/State is not an object in the daemon's answer (it is a string)",
            ],
        ),
        (
            "networksettings",
            &["NetworkSettings"],
            "/NetworkSettings",
            [
                "the daemon's answer lacks /NetworkSettings",
                "/NetworkSettings is null in the daemon's answer",
                "/NetworkSettings is not an object in the daemon's answer (it is a string)",
            ],
        ),
        (
            "mounts",
            &["Mounts"],
            "/Mounts",
            [
                "the daemon's answer lacks /Mounts",
                "/Mounts is null in the daemon's answer",
                "/Mounts is not a list in the daemon's answer (it is a string)",
            ],
        ),
        (
            "apparmor",
            &["AppArmorProfile"],
            "/AppArmorProfile",
            [
                "the daemon's answer lacks /AppArmorProfile",
                "/AppArmorProfile is null in the daemon's answer",
                "/AppArmorProfile is not a string in the daemon's answer (invalid type: boolean `true`, expected a string)",
            ],
        ),
        (
            "processlabel",
            &["ProcessLabel"],
            "/ProcessLabel",
            [
                "the daemon's answer lacks /ProcessLabel",
                "/ProcessLabel is null in the daemon's answer",
                "/ProcessLabel is not a string in the daemon's answer (invalid type: boolean `true`, expected a string)",
            ],
        ),
    ];
    for (name, path, pointer, [missing, null, wrong]) in parts {
        let wrong_value = if name == "apparmor" || name == "processlabel" {
            json!(true)
        } else {
            json!("yes")
        };
        out.push(Variant {
            name: leak(format!("{name}-missing")),
            spoil: Spoil::Remove(path),
            unknown: Some((pointer, missing)),
        });
        out.push(Variant {
            name: leak(format!("{name}-null")),
            spoil: Spoil::Set(path, Value::Null),
            unknown: Some((pointer, null)),
        });
        out.push(Variant {
            name: leak(format!("{name}-wrong")),
            spoil: Spoil::Set(path, wrong_value),
            unknown: Some((pointer, wrong)),
        });
    }
    // Single fields the API always sends: only the rules reading them are spoiled.
    out.push(Variant {
        name: "privileged-wrong",
        spoil: Spoil::Set(&["HostConfig", "Privileged"], json!("yes")),
        unknown: Some((
            "/HostConfig/Privileged",
            "/HostConfig/Privileged is not a boolean in the daemon's answer (invalid type: string \"yes\", expected a boolean)",
        )),
    });
    out.push(Variant {
        name: "privileged-missing",
        spoil: Spoil::Remove(&["HostConfig", "Privileged"]),
        unknown: Some((
            "/HostConfig/Privileged",
            "the daemon's answer lacks /HostConfig/Privileged",
        )),
    });
    out.push(Variant {
        name: "user-null",
        spoil: Spoil::Set(&["Config", "User"], Value::Null),
        unknown: Some(("/Config/User", "/Config/User is null in the daemon's answer")),
    });
    out.push(Variant {
        name: "usernsmode-missing",
        spoil: Spoil::Remove(&["HostConfig", "UsernsMode"]),
        unknown: Some((
            "/HostConfig/UsernsMode",
            "the daemon's answer lacks /HostConfig/UsernsMode",
        )),
    });
    out
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn document(index: usize, variant: &Variant) -> Value {
    let mut doc: Value = serde_json::from_str(BASE).unwrap();
    doc["Id"] = json!(format!("{index:064x}"));
    doc["Name"] = json!(format!("/{}", variant.name));
    let target = |doc: &mut Value, path: &[&str]| -> (serde_json::Map<String, Value>, String) {
        let mut at = &mut *doc;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        (at.as_object().unwrap().clone(), path[path.len() - 1].to_string())
    };
    let write = |doc: &mut Value, path: &[&str], map: serde_json::Map<String, Value>| {
        let mut at = &mut *doc;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        *at = Value::Object(map);
    };
    match &variant.spoil {
        Spoil::Intact => {}
        Spoil::Remove(path) => {
            let (mut map, key) = target(&mut doc, path);
            assert!(map.remove(&key).is_some(), "{path:?} is in the base document");
            write(&mut doc, path, map);
        }
        Spoil::Set(path, value) => {
            let (mut map, key) = target(&mut doc, path);
            assert!(
                map.insert(key, value.clone()).is_some(),
                "{path:?} is in the base document"
            );
            write(&mut doc, path, map);
        }
    }
    doc
}

/// Whether a rule needing `need` is spoiled by an unknown `pointer` (one within the other).
fn touches(need: &str, pointer: &str) -> bool {
    let within = |a: &str, b: &str| a == b || a.strip_prefix(b).is_some_and(|r| r.starts_with('/'));
    within(need, pointer) || within(pointer, need)
}

fn container_results<'a>(results: &'a [RuleResult], name: &str) -> HashMap<&'a str, &'a RuleResult> {
    results
        .iter()
        .filter(|r| r.target.name == name && r.rule.starts_with("CT"))
        .map(|r| (r.rule.as_ref(), r))
        .collect()
}

async fn collect(variants: &[Variant]) -> (Snapshot, FakeDaemon) {
    let mut routes = HashMap::new();
    routes.insert("/_ping".to_string(), "OK".to_string());
    routes.insert("/info".to_string(), INFO.to_string());
    let mut list = Vec::new();
    for (index, variant) in variants.iter().enumerate() {
        let doc = document(index, variant);
        let id = doc["Id"].as_str().unwrap().to_string();
        list.push(json!({"Id": id, "Names": [format!("/{}", variant.name)]}));
        routes.insert(format!("/containers/{id}/json"), doc.to_string());
    }
    routes.insert("/containers/json".to_string(), Value::Array(list).to_string());
    let daemon = serve(routes);
    let client = Client::new(
        Endpoint::Unix {
            path: daemon.path.clone(),
        },
        Duration::from_secs(5),
    )
    .unwrap();
    let options = Options {
        images: ImageSelection::Skip,
        all: true,
        ..Options::default()
    };
    let snapshot = collect_snapshot(&client, &options).await.unwrap();
    (snapshot, daemon)
}

#[tokio::test]
async fn a_fact_the_daemon_did_not_send_is_an_error_for_the_rules_that_need_it_and_only_those() {
    let variants = variants();
    let (snapshot, _daemon) = collect(&variants).await;
    assert!(snapshot.errors.is_empty(), "{:?}", snapshot.errors);
    assert_eq!(snapshot.containers.len(), variants.len());
    let results = evaluate(&snapshot, &Settings::default());
    let intact = container_results(&results, "intact");
    // The rules the default selection judges (the Pod Security controls are opt-in).
    let container_rules: Vec<_> = RULES
        .iter()
        .filter(|r| Settings::default().selects(r))
        .filter_map(|r| match r.check {
            Check::Container(c) => Some((r.id, c.needs)),
            _ => None,
        })
        .collect();
    assert_eq!(intact.len(), container_rules.len());

    let mut spoiled_rules = 0;
    for variant in &variants {
        let judged = container_results(&results, variant.name);
        assert_eq!(judged.len(), container_rules.len(), "{}", variant.name);
        for (id, needs) in &container_rules {
            let got = judged[id];
            match variant.unknown {
                Some((pointer, reason)) if needs.iter().any(|n| touches(n, pointer)) => {
                    spoiled_rules += 1;
                    assert_eq!(
                        (got.status, got.message.as_str()),
                        (Status::Error, reason),
                        "{id} on {}",
                        variant.name
                    );
                    assert!(
                        got.evidence.is_empty(),
                        "{id} on {}: no evidence of what was not read",
                        variant.name
                    );
                }
                _ => {
                    let want = intact[id];
                    assert_eq!(
                        (got.status, &got.message, &got.evidence),
                        (want.status, &want.message, &want.evidence),
                        "{id} on {} is judged as on the intact document",
                        variant.name
                    );
                }
            }
        }
    }
    // Every part spoils some rules (so the comparison above is not vacuous) …
    assert!(spoiled_rules > 60, "{spoiled_rules}");

    // … and the representative ones say exactly what was not read.
    let privileged = |name: &str| {
        let r = container_results(&results, name)["CT0006"];
        (r.status, r.message.clone())
    };
    assert_eq!(
        privileged("intact"),
        (Status::Pass, "container is not privileged".to_string())
    );
    assert_eq!(
        privileged("hostconfig-missing"),
        (Status::Error, "the daemon's answer lacks /HostConfig".to_string())
    );
    assert_eq!(
        privileged("hostconfig-null"),
        (
            Status::Error,
            "/HostConfig is null in the daemon's answer".to_string()
        )
    );
    assert_eq!(
        privileged("hostconfig-wrong"),
        (
            Status::Error,
            "/HostConfig is not an object in the daemon's answer (it is a string)".to_string()
        )
    );
    assert_eq!(privileged("config-missing").0, Status::Pass);
    let rule = |name: &str, id: &str| container_results(&results, name)[id].status;
    // Without HostConfig the user is still known; without Config the namespaces still are.
    assert_eq!(rule("hostconfig-missing", "CT0001"), rule("intact", "CT0001"));
    assert_eq!(rule("config-missing", "CT0001"), Status::Error);
    assert_eq!(rule("config-missing", "CT0009"), Status::Pass);
    assert_eq!(rule("mounts-null", "CT0028"), Status::Error);
    assert_eq!(rule("mounts-null", "CT0007"), Status::Error);
    assert_eq!(rule("networksettings-missing", "CT0013"), Status::Error);
    assert_eq!(rule("networksettings-missing", "CT0026"), Status::Error);
    assert_eq!(rule("privileged-wrong", "CT0005"), Status::Error);
    assert_eq!(rule("privileged-wrong", "CT0012"), rule("intact", "CT0012"));
}

#[tokio::test]
async fn a_snapshot_keeps_what_was_not_read() {
    let variants: Vec<Variant> = variants()
        .into_iter()
        .filter(|v| {
            matches!(
                v.name,
                "intact" | "hostconfig-null" | "mounts-wrong" | "privileged-missing"
            )
        })
        .collect();
    let (snapshot, _daemon) = collect(&variants).await;
    let text = serde_json::to_string(&snapshot).unwrap();
    let reread: Snapshot = serde_json::from_str(&text).unwrap();
    assert_eq!(reread.containers, snapshot.containers);
    let hc_null = reread
        .containers
        .iter()
        .find(|w| w.origin.name() == "hostconfig-null")
        .unwrap();
    assert_eq!(
        hc_null.unknown.iter().collect::<Vec<_>>(),
        [(
            &"/HostConfig".to_string(),
            &"/HostConfig is null in the daemon's answer".to_string()
        )]
    );
    let judged = |s: &Snapshot| -> Vec<(String, String, Status, String)> {
        evaluate(s, &Settings::default())
            .into_iter()
            .map(|r| (r.rule.to_string(), r.target.name.clone(), r.status, r.message))
            .collect()
    };
    let before = judged(&snapshot);
    assert_eq!(judged(&reread), before);
    assert!(before.contains(&(
        "CT0006".into(),
        "privileged-missing".into(),
        Status::Error,
        "the daemon's answer lacks /HostConfig/Privileged".into()
    )));
    // An intact container records nothing unknown, so its snapshot form is unchanged.
    assert!(!text.contains(r#""unknown":{}"#));
}
