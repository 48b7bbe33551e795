//! `parse_request`: the URI normalization, the route table and the body rules, including every
//! bypass form the authorization plugin and the proxy must see through.

use dockward_collect::request::{RequestParts, Unjudgeable, parse_request};
use dockward_model::{Action, ApiRequest, Origin, PluginChange, Workload};

const PRIVILEGED: &[u8] = br#"{"Image":"alpine","HostConfig":{"Privileged":true}}"#;
const JSON: (&str, &str) = ("Content-Type", "application/json");

/// A request as the plugin sees it (dockerd may have withheld the body).
fn plugin(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<ApiRequest, Unjudgeable> {
    parse(method, uri, headers, body, false)
}

/// A request as the proxy sees it (the whole body).
fn proxy(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<ApiRequest, Unjudgeable> {
    parse(method, uri, headers, body, true)
}

fn parse(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    body_complete: bool,
) -> Result<ApiRequest, Unjudgeable> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    parse_request(&RequestParts {
        method,
        uri,
        headers: &headers,
        body,
        user: "",
        body_complete,
    })
}

fn ok(result: Result<ApiRequest, Unjudgeable>) -> ApiRequest {
    match result {
        Ok(request) => request,
        Err(e) => panic!("unexpectedly unjudgeable: {e}"),
    }
}

fn reason(result: Result<ApiRequest, Unjudgeable>) -> String {
    match result {
        Ok(request) => panic!("expected unjudgeable, got {request:?}"),
        Err(e) => {
            assert_eq!(e.to_string(), e.reason, "Display is the reason");
            e.reason
        }
    }
}

fn workload(request: &ApiRequest) -> &Workload {
    match &request.action {
        Action::Container(w) | Action::Service(w) | Action::Volume(w) => w,
        other => panic!("expected a workload, got {other:?}"),
    }
}

fn origin(route: &str, name: &str) -> Origin {
    Origin::Request {
        route: route.to_string(),
        name: name.to_string(),
    }
}

/// A privileged create under every URI spelling dockerd routes to `POST /containers/create`.
fn assert_privileged_create(uri: &str, version: Option<&str>) {
    let request = ok(plugin("POST", uri, &[JSON], Some(PRIVILEGED)));
    assert_eq!(request.path, "/containers/create", "{uri}");
    assert_eq!(request.route(), "POST /containers/create", "{uri}");
    assert_eq!(request.api_version.as_deref(), version, "{uri}");
    assert!(
        matches!(request.action, Action::Container(_)),
        "{uri}: {:?}",
        request.action
    );
    assert!(workload(&request).privileged.value, "{uri}");
}

#[test]
fn percent_encoded_route_is_the_create_route() {
    assert_privileged_create("/containers/%63reate", None);
    assert_privileged_create("/v1.41/%63ontainers%2Fcreate", Some("1.41"));
}

#[test]
fn three_part_version_prefix_is_stripped() {
    assert_privileged_create("/v1.41.0/containers/create", Some("1.41.0"));
}

#[test]
fn repeated_slashes_and_trailing_slash_are_cleaned() {
    assert_privileged_create("//containers//create/", None);
    assert_privileged_create("/v1.41//containers/create", Some("1.41"));
}

#[test]
fn dot_segments_are_cleaned() {
    assert_privileged_create("/containers/./create", None);
    assert_privileged_create("/containers/x/../create", None);
    assert_privileged_create("/containers/x/%2e%2e/create", None);
    assert_privileged_create("/../../containers/create", None);
}

#[test]
fn absolute_form_is_reduced_to_its_path() {
    let request = ok(plugin(
        "POST",
        "http://localhost/v1.41/containers/create?name=x",
        &[JSON],
        Some(PRIVILEGED),
    ));
    assert_eq!(request.path, "/containers/create");
    assert_eq!(request.api_version.as_deref(), Some("1.41"));
    assert_eq!(request.query, vec![("name".to_string(), "x".to_string())]);
    let w = workload(&request);
    assert!(w.privileged.value);
    assert_eq!(w.origin, origin("POST /containers/create", "x"));
    // Any scheme, with or without an authority, as Go's request-URI parser reads it.
    assert_privileged_create("unix://docker.sock/containers/create", None);
    assert_privileged_create("HTTPS://user@h:1/v1.40/containers/create", Some("1.40"));
    assert_privileged_create("http:/containers/create", None);
}

#[test]
fn query_is_split_off_and_decoded() {
    let request = ok(plugin(
        "POST",
        "/containers/create?name=a+b%21&&=v&name=second&flag",
        &[JSON],
        Some(PRIVILEGED),
    ));
    assert_eq!(
        request.query,
        vec![
            ("name".to_string(), "a b!".to_string()),
            (String::new(), "v".to_string()),
            ("name".to_string(), "second".to_string()),
            ("flag".to_string(), String::new()),
        ]
    );
    // dockerd's `r.Form.Get("name")` is the first value.
    assert_eq!(
        workload(&request).origin,
        origin("POST /containers/create", "a b!")
    );
}

#[test]
fn query_that_looks_like_auth_does_not_withhold_judging() {
    // B1: the 2018 daemon withheld the body when the raw URI ended in `/auth`.
    assert_eq!(
        reason(plugin("POST", "/containers/create?x=/auth", &[JSON], None)),
        "POST /containers/create arrived without a body; dockerd 20.10 withholds bodies of 1 MiB \
         or more from plugins, so it cannot be judged"
    );
    let request = ok(plugin(
        "POST",
        "/containers/create?x=/auth",
        &[JSON],
        Some(PRIVILEGED),
    ));
    assert!(workload(&request).privileged.value);
}

#[test]
fn legacy_start_with_a_host_config_is_judged_like_a_create() {
    let length = PRIVILEGED.len().to_string();
    let request = ok(plugin(
        "POST",
        "/v1.23/containers/abc/start",
        &[JSON, ("Content-Length", &length)],
        Some(PRIVILEGED),
    ));
    assert_eq!(request.path, "/containers/abc/start");
    assert_eq!(request.api_version.as_deref(), Some("1.23"));
    let w = workload(&request);
    assert!(matches!(request.action, Action::Container(_)));
    assert!(w.privileged.value);
    assert_eq!(w.origin, origin("POST /containers/abc/start", "abc"));
    // Chunked: the plugin sees no length, dockerd decodes the body.
    let request = ok(plugin(
        "POST",
        "/v1.12/containers/abc/start",
        &[JSON],
        Some(PRIVILEGED),
    ));
    assert!(workload(&request).privileged.value);
    // Go's version comparison: missing or empty parts count as 0.
    let request = ok(plugin(
        "POST",
        "/v1..30/containers/abc/start",
        &[JSON],
        Some(PRIVILEGED),
    ));
    assert!(workload(&request).privileged.value);
}

#[test]
fn start_bodies_dockerd_ignores_or_refuses_are_allowed() {
    // API 1.24 and later refuse a start body; no version prefix means the daemon's own (1.41).
    for uri in [
        "/v1.24/containers/abc/start",
        "/v1.41/containers/abc/start",
        "/v1.24.0/containers/abc/start",
        "/containers/abc/start",
    ] {
        let action = ok(plugin("POST", uri, &[JSON], Some(PRIVILEGED))).action;
        assert_eq!(action, Action::Allowed, "{uri}");
    }
    // 1.23.99 is older than 1.24.
    let request = ok(plugin(
        "POST",
        "/v1.23.99/containers/abc/start?x=1",
        &[JSON],
        Some(PRIVILEGED),
    ));
    assert!(workload(&request).privileged.value);
    // A legacy start with at most 7 bytes of declared length: dockerd reads no body.
    let request = ok(plugin(
        "POST",
        "/v1.23/containers/abc/start",
        &[JSON, ("Content-Length", "2")],
        Some(b"{}"),
    ));
    assert_eq!(request.action, Action::Allowed);
    let request = ok(plugin(
        "POST",
        "/v1.23/containers/abc/start",
        &[("Content-Length", "0")],
        None,
    ));
    assert_eq!(request.action, Action::Allowed);
}

#[test]
fn a_length_header_beside_transfer_encoding_does_not_frame_the_body() {
    // Go reads such a body chunked and drops the length: dockerd decodes this HostConfig.
    let request = ok(proxy(
        "POST",
        "/v1.23/containers/abc/start",
        &[JSON, ("Content-Length", "2"), ("Transfer-Encoding", "chunked")],
        Some(PRIVILEGED),
    ));
    assert!(workload(&request).privileged.value);
    // A Content-Length Go refuses frames nothing either.
    let request = ok(proxy(
        "POST",
        "/v1.23/containers/abc/start",
        &[JSON, ("Content-Length", "+2")],
        Some(PRIVILEGED),
    ));
    assert!(workload(&request).privileged.value);
}

#[test]
fn a_body_that_disagrees_with_its_length_is_unjudgeable() {
    assert_eq!(
        reason(proxy(
            "POST",
            "/containers/create",
            &[JSON, ("Content-Length", "10")],
            Some(PRIVILEGED),
        )),
        "POST /containers/create: the body has 51 bytes but its Content-Length says 10, so it \
         is not the body dockerd reads; it cannot be judged"
    );
}

#[test]
fn legacy_start_without_a_visible_body_is_unjudgeable() {
    // No length header: chunked (withheld when 1 MiB or more) or no body at all; the plugin
    // cannot tell.
    assert_eq!(
        reason(plugin("POST", "/v1.23/containers/abc/start", &[JSON], None)),
        "POST /containers/abc/start arrived without a body; dockerd 20.10 withholds bodies of 1 \
         MiB or more from plugins, so it cannot be judged"
    );
    assert_eq!(
        reason(plugin(
            "POST",
            "/v1.23/containers/abc/start",
            &[JSON, ("Content-Length", "2097152")],
            Some(b""),
        )),
        "POST /containers/abc/start arrived without a body; dockerd 20.10 withholds bodies of 1 \
         MiB or more from plugins, so it cannot be judged"
    );
    // The proxy holds the whole body: an empty one changes nothing.
    let request = ok(proxy("POST", "/v1.23/containers/abc/start", &[], None));
    assert_eq!(request.action, Action::Allowed);
}

#[test]
fn start_restoring_a_checkpoint_is_unknown() {
    let request = ok(plugin(
        "POST",
        "/containers/abc/start?checkpoint-dir=/var/lib/x&checkpoint=c1",
        &[],
        None,
    ));
    assert_eq!(request.action, Action::Unknown);
}

#[test]
fn create_without_a_body_is_unjudgeable() {
    let withheld = "POST /containers/create arrived without a body; dockerd 20.10 withholds \
                    bodies of 1 MiB or more from plugins, so it cannot be judged";
    // With a length header (an oversized body dockerd did not pass on).
    assert_eq!(
        reason(plugin(
            "POST",
            "/v1.41/containers/create",
            &[JSON, ("Content-Length", "1048576")],
            None,
        )),
        withheld
    );
    // Chunked style: neither Content-Length nor Transfer-Encoding reaches the plugin.
    assert_eq!(
        reason(plugin("POST", "/containers/create", &[JSON], Some(b""))),
        withheld
    );
    // Even a declared length of 0 does not make the plugin's empty body certain.
    assert_eq!(
        reason(plugin(
            "POST",
            "/containers/create",
            &[JSON, ("Content-Length", "0")],
            None,
        )),
        withheld
    );
    // Not JSON as the plugin sees it: dockerd passed nothing on, and may read another header.
    assert_eq!(
        reason(plugin(
            "POST",
            "/containers/create",
            &[("Content-Type", "text/plain")],
            None,
        )),
        "POST /containers/create arrived without a body; dockerd passes a body to plugins only \
         when its Content-Type is application/json, and this request's is \"text/plain\" \
         (dockerd itself reads the first of repeated Content-Type headers), so it cannot be judged"
    );
    assert_eq!(
        reason(plugin("POST", "/containers/create", &[], None)),
        "POST /containers/create arrived without a body; dockerd passes a body to plugins only \
         when its Content-Type is application/json, and this request has none, so it cannot be \
         judged"
    );
}

#[test]
fn empty_complete_body_is_what_dockerd_refuses() {
    // The proxy holds the whole (empty) body: dockerd answers "EOF" and changes nothing.
    for (method, uri) in [
        ("POST", "/containers/create"),
        ("POST", "/containers/web/exec"),
        ("POST", "/containers/web/update"),
        ("POST", "/volumes/create"),
        ("POST", "/services/create"),
        ("POST", "/services/s1/update?version=3"),
    ] {
        let request = ok(proxy(method, uri, &[JSON], Some(b"")));
        assert_eq!(request.action, Action::Allowed, "{uri}");
        assert_eq!(
            reason(plugin(method, uri, &[JSON], Some(b""))),
            format!(
                "{method} {} arrived without a body; dockerd 20.10 withholds bodies of 1 MiB or \
                 more from plugins, so it cannot be judged",
                uri.split('?').next().unwrap_or(uri)
            )
        );
    }
}

#[test]
fn content_type_is_parsed_as_a_mime_type() {
    for ct in [
        "Application/JSON; charset=UTF-8",
        " application/json ",
        "application/json;charset=utf-8;",
    ] {
        let request = ok(plugin(
            "POST",
            "/containers/create",
            &[("Content-Type", ct)],
            Some(PRIVILEGED),
        ));
        assert!(workload(&request).privileged.value, "{ct}");
        // Parsed as JSON: the reason is the withheld body, not the media type.
        assert_eq!(
            reason(plugin(
                "POST",
                "/containers/create",
                &[("content-type", ct)],
                None
            )),
            "POST /containers/create arrived without a body; dockerd 20.10 withholds bodies of \
             1 MiB or more from plugins, so it cannot be judged",
            "{ct}"
        );
    }
    // A body that arrives under another type is still judged as the JSON dockerd reads.
    let request = ok(plugin(
        "POST",
        "/containers/create",
        &[("Content-Type", "text/plain")],
        Some(PRIVILEGED),
    ));
    assert!(workload(&request).privileged.value);
}

#[test]
fn h2c_upgrade_and_buildkit_routes_are_buildkit() {
    for (method, uri, headers) in [
        ("GET", "/_ping", vec![("Upgrade", "h2c")]),
        (
            "POST",
            "/containers/create",
            vec![("upgrade", "websocket, H2C"), JSON],
        ),
        ("POST", "/session", vec![("Upgrade", "h2c")]),
        ("POST", "/v1.41/session", vec![]),
        ("POST", "/grpc", vec![]),
        ("PRI", "*", vec![]),
    ] {
        let request = ok(plugin(method, uri, &headers, None));
        assert_eq!(request.action, Action::BuildKit, "{method} {uri}");
    }
}

fn plugin_change(plugin: &str, action: &str) -> Action {
    Action::Plugin(PluginChange {
        plugin: plugin.to_string(),
        action: action.to_string(),
    })
}

#[test]
fn plugin_changes_name_the_plugin_and_what_is_done() {
    for (method, uri, expected) in [
        (
            "POST",
            "/plugins/dockward/disable",
            plugin_change("dockward", "disable"),
        ),
        (
            "POST",
            "/v1.41/plugins/dockward:latest/disable?force=1",
            plugin_change("dockward:latest", "disable"),
        ),
        (
            "POST",
            "/plugins/registry.local/team/dockward:1/set",
            plugin_change("registry.local/team/dockward:1", "set"),
        ),
        ("POST", "/plugins/x/enable", plugin_change("x", "enable")),
        ("POST", "/plugins/x/upgrade", plugin_change("x", "upgrade")),
        ("POST", "/plugins/x/push", plugin_change("x", "push")),
        ("DELETE", "/plugins/x", plugin_change("x", "remove")),
        (
            "DELETE",
            "/v1.41/plugins/dockward:latest?force=1",
            plugin_change("dockward:latest", "remove"),
        ),
        (
            "POST",
            "/plugins/pull?remote=vieux/sshfs:latest&name=sshfs",
            plugin_change("sshfs", "pull"),
        ),
        (
            "POST",
            "/plugins/pull?remote=vieux/sshfs:latest",
            plugin_change("vieux/sshfs:latest", "pull"),
        ),
        (
            "POST",
            "/plugins/create?name=evil",
            plugin_change("evil", "create"),
        ),
        ("POST", "/plugins/x/frobnicate", plugin_change("x", "other")),
        ("PUT", "/plugins", plugin_change("", "other")),
    ] {
        let request = ok(plugin(method, uri, &[JSON], Some(b"[]")));
        assert_eq!(request.action, expected, "{method} {uri}");
    }
    // Reads of plugins stay reads.
    let request = ok(plugin("GET", "/plugins/privileges?remote=x", &[], None));
    assert_eq!(request.action, Action::Read);
}

#[test]
fn unknown_routes_and_methods_are_unknown() {
    for (method, uri) in [
        ("POST", "/containers/json"),
        ("POST", "/frobnicate"),
        ("PATCH", "/containers/create"),
        ("post", "/containers/create"),
        ("Post", "/containers/abc/exec"),
        ("POST", "/containers/create#fragment"),
        ("POST", "/v1.41/v1.41/containers/create"),
        ("POST", "/swarm/join"),
        ("POST", "/swarm/init"),
        ("POST", "/containers/abc/checkpoints"),
        ("DELETE", "/containers/abc/checkpoints/c1?dir=/etc"),
    ] {
        let request = ok(plugin(method, uri, &[JSON], Some(PRIVILEGED)));
        assert_eq!(request.action, Action::Unknown, "{method} {uri}");
    }
}

#[test]
fn reads_are_reads_even_with_a_body() {
    for (method, uri) in [
        ("GET", "/containers/json"),
        ("GET", "/v1.41/containers/abc/archive?path=/etc"),
        ("HEAD", "/_ping"),
        ("GET", "/containers/create"),
    ] {
        let request = ok(plugin(method, uri, &[JSON], Some(PRIVILEGED)));
        assert_eq!(request.action, Action::Read, "{method} {uri}");
    }
}

#[test]
fn known_harmless_state_changes_are_allowed() {
    for (method, uri) in [
        ("POST", "/images/create?fromImage=alpine&tag=3"),
        ("POST", "/images/load"),
        ("POST", "/images/alpine:3/tag?repo=x"),
        ("POST", "/images/registry:5000/alpine/push"),
        ("POST", "/images/prune"),
        ("DELETE", "/images/alpine"),
        ("POST", "/containers/web/stop"),
        ("POST", "/containers/web/kill?signal=KILL"),
        ("POST", "/containers/web/restart"),
        ("POST", "/containers/web/pause"),
        ("POST", "/containers/web/unpause"),
        ("POST", "/containers/web/wait"),
        ("POST", "/containers/web/attach?stream=1"),
        ("POST", "/containers/web/resize?h=1&w=2"),
        ("POST", "/containers/web/rename?name=x"),
        ("POST", "/containers/prune"),
        ("DELETE", "/containers/web?force=1"),
        ("PUT", "/containers/web/archive?path=/tmp"),
        ("POST", "/commit?container=web"),
        ("POST", "/exec/0123/start"),
        ("POST", "/exec/0123/resize"),
        ("POST", "/networks/create"),
        ("POST", "/networks/n1/connect"),
        ("POST", "/networks/n1/disconnect"),
        ("POST", "/networks/prune"),
        ("DELETE", "/networks/n1"),
        ("DELETE", "/volumes/v1"),
        ("POST", "/volumes/prune"),
        ("POST", "/build/prune"),
        ("POST", "/build/cancel?id=x"),
        ("POST", "/auth"),
        ("POST", "/v1.41/auth"),
        ("POST", "/secrets/create"),
        ("POST", "/secrets/s1/update?version=1"),
        ("DELETE", "/secrets/s1"),
        ("POST", "/configs/create"),
        ("POST", "/configs/c1/update?version=1"),
        ("DELETE", "/configs/c1"),
        ("POST", "/swarm/leave?force=1"),
        ("POST", "/swarm/update?version=1"),
        ("POST", "/swarm/unlock"),
        ("POST", "/nodes/n1/update?version=1"),
        ("DELETE", "/nodes/n1"),
        ("DELETE", "/services/s1"),
        ("OPTIONS", "/containers/create"),
    ] {
        // Without a body: none of these routes has one to judge.
        let request = ok(plugin(method, uri, &[], None));
        assert_eq!(request.action, Action::Allowed, "{method} {uri}");
    }
}

#[test]
fn json_routes_map_to_their_actions() {
    let request = ok(plugin(
        "POST",
        "/v1.41/containers/web/exec",
        &[JSON],
        Some(br#"{"Cmd":["sh"],"Privileged":true,"User":"root"}"#),
    ));
    let Action::Exec(exec) = &request.action else {
        panic!("expected exec, got {:?}", request.action)
    };
    assert_eq!(exec.container, "web");
    assert!(exec.privileged.value);
    assert_eq!(exec.user.value, "root");

    let request = ok(plugin(
        "POST",
        "/volumes/create",
        &[JSON],
        Some(br#"{"Name":"v","Driver":"local"}"#),
    ));
    assert!(matches!(request.action, Action::Volume(_)));
    for uri in ["/services/create", "/v1.41/services/s1/update?version=4"] {
        let request = ok(plugin(
            "POST",
            uri,
            &[JSON],
            Some(br#"{"TaskTemplate":{"ContainerSpec":{"Image":"alpine"}}}"#),
        ));
        assert!(matches!(request.action, Action::Service(_)), "{uri}");
    }
}

#[test]
fn update_pids_limit_is_ignored_before_api_1_40() {
    let body: &[u8] = br#"{"PidsLimit":-1}"#;
    let update = |uri: &str| match ok(plugin("POST", uri, &[JSON], Some(body))).action {
        Action::Update(update) => update,
        other => panic!("expected update, got {other:?}"),
    };
    let old = update("/v1.39/containers/web/update");
    assert_eq!(old.container, "web");
    assert_eq!(old.pids_limit, None);
    let new = update("/v1.40/containers/web/update");
    assert_eq!(new.pids_limit.map(|f| f.value), Some(-1));
    let current = update("/containers/web/update");
    assert_eq!(current.pids_limit.map(|f| f.value), Some(-1));
}

#[test]
fn builds_are_judged_on_the_query_dockerd_reads() {
    let build = |uri: &str, headers: &[(&str, &str)]| match ok(plugin("POST", uri, headers, None)).action {
        Action::Build(spec) => spec.network_mode.value,
        other => panic!("{uri}: expected a build, got {other:?}"),
    };
    let tar = ("Content-Type", "application/x-tar");
    assert_eq!(build("/build?networkmode=host&t=x", &[tar]), "host");
    assert_eq!(build("/v1.41/build", &[tar]), "");
    // `r.FormValue` is the first value.
    assert_eq!(
        build("/build?networkmode=bridge&networkmode=host", &[tar]),
        "bridge"
    );
    assert_eq!(build("/build?networkmode=%68ost", &[tar]), "host");
    // A remote build without a body.
    assert_eq!(
        build(
            "/build?remote=http://127.0.0.1/Dockerfile",
            &[("Content-Length", "0")]
        ),
        ""
    );
    // BuildKit builds (`version=2`) run what the invisible Dockerfile says.
    let request = ok(plugin("POST", "/build?version=2&session=x", &[tar], None));
    assert_eq!(request.action, Action::BuildKit);
}

#[test]
fn build_options_a_form_body_could_carry_are_unjudgeable() {
    assert_eq!(
        reason(plugin(
            "POST",
            "/build?remote=http://127.0.0.1/Dockerfile",
            &[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            None,
        )),
        "POST /build has the form Content-Type \"application/x-www-form-urlencoded; \
         charset=utf-8\": dockerd reads build options from such a body, which plugins never see, \
         so it cannot be judged"
    );
    assert_eq!(
        reason(plugin(
            "POST",
            "/build",
            &[("Content-Type", "Multipart/Form-Data; boundary=x")],
            None,
        )),
        "POST /build has the form Content-Type \"Multipart/Form-Data; boundary=x\": dockerd \
         reads build options from such a body, which plugins never see, so it cannot be judged"
    );
    // Behind a repeated Content-Type the plugin sees only the last one: a remote build that
    // may carry a body could carry build options.
    assert_eq!(
        reason(plugin(
            "POST",
            "/build?remote=http://127.0.0.1/Dockerfile",
            &[("Content-Type", "application/x-tar")],
            None,
        )),
        "POST /build builds from `remote` but may carry a body: dockerd reads build options \
         from a form body, which plugins never see, so it cannot be judged"
    );
}

#[test]
fn malformed_uris_are_unjudgeable() {
    assert_eq!(
        reason(plugin("POST", "/containers/%zzcreate", &[], None)),
        "the request URI \"/containers/%zzcreate\" has an invalid percent-escape at byte 12; \
         dockerd refuses it, so it cannot be judged"
    );
    assert_eq!(
        reason(plugin("POST", "/containers/create%2", &[], None)),
        "the request URI \"/containers/create%2\" has an invalid percent-escape at byte 18; \
         dockerd refuses it, so it cannot be judged"
    );
    assert_eq!(
        reason(plugin("POST", "/containers/create%00", &[], None)),
        "the request path \"/containers/create\\0\" holds a control character once decoded; \
         dockerd routes no such path, so it cannot be judged"
    );
    assert_eq!(
        reason(plugin("POST", "/containers/%ff/start", &[], None)),
        "the request path of \"/containers/%ff/start\" is not UTF-8 once percent-decoded; \
         dockerd routes no such path, so it cannot be judged"
    );
    assert_eq!(
        reason(plugin("POST", "/containers/create\u{7f}", &[], None)),
        "the request URI \"/containers/create\\u{7f}\" holds a control character; dockerd \
         refuses it, so it cannot be judged"
    );
    for uri in [
        "containers/create",
        "http:containers/create",
        ":/x",
        "http://host",
    ] {
        assert_eq!(
            reason(plugin("POST", uri, &[], None)),
            format!(
                "the request URI {uri:?} is neither a path nor an absolute URL with a path; \
                 dockerd routes no such request, so it cannot be judged"
            )
        );
    }
    assert_eq!(
        reason(plugin("POST", "", &[], None)),
        "the request has no URI, so it cannot be judged"
    );
}

#[test]
fn queries_dockerd_reads_differently_are_unjudgeable_on_state_changes() {
    assert_eq!(
        reason(plugin("POST", "/build?t=x;networkmode=host", &[], None)),
        "the query of \"/build?t=x;networkmode=host\" holds a `;`: Go 1.17 and later drop such \
         pairs, older dockerds split on it, so it cannot be judged"
    );
    assert_eq!(
        reason(plugin("POST", "/build?networkmode=%zz", &[], None)),
        "the query of \"/build?networkmode=%zz\" has an invalid percent-escape; dockerd drops \
         such pairs, so it cannot be judged"
    );
    assert_eq!(
        reason(plugin("POST", "/build?networkmode=%ff", &[], None)),
        "the query of \"/build?networkmode=%ff\" is not UTF-8 once decoded, so it cannot be \
         judged"
    );
    // Reads stay reads; the bad pairs are dropped as Go drops them.
    let request = ok(plugin("GET", "/containers/json?a=1;b=2&c=%zz&d=4", &[], None));
    assert_eq!(request.action, Action::Read);
    assert_eq!(request.query, vec![("d".to_string(), "4".to_string())]);
}

#[test]
fn user_is_carried() {
    let headers = Vec::new();
    let request = ok(parse_request(&RequestParts {
        method: "GET",
        uri: "/info",
        headers: &headers,
        body: None,
        user: "alice",
        body_complete: false,
    }));
    assert_eq!(request.user, "alice");
    assert_eq!(request.method, "GET");
}

#[test]
fn a_body_dockerd_would_refuse_is_unjudgeable_with_the_body_reader_reason() {
    use dockward_collect::request::body;
    for body in [
        &b"{\"Image\":"[..],
        b"[1,2]",
        b"{\"HostConfig\":{\"Privileged\":\"yes\"}}",
    ] {
        let expected = match body::create_workload(body, Some("1.41"), "POST /containers/create", "") {
            Ok(w) => panic!("the body reader accepted {body:?}: {w:?}"),
            Err(e) => format!("POST /containers/create: {e}"),
        };
        assert_eq!(
            reason(plugin("POST", "/v1.41/containers/create", &[JSON], Some(body))),
            expected
        );
    }
}

#[test]
fn plugin_names_are_percent_decoded() {
    // The self-protection compares the plugin's own name: it must see the name dockerd acts on.
    for uri in [
        "/plugins/dock%77ard/disable",
        "/v1.41/plugins/dockward/./disable",
        "http://x/plugins/dockward%2Fdisable",
    ] {
        let request = ok(plugin("POST", uri, &[], None));
        assert_eq!(request.action, plugin_change("dockward", "disable"), "{uri}");
    }
}

#[test]
fn the_first_of_repeated_content_types_is_the_one_dockerd_reads() {
    // The proxy sees every header: dockerd would parse the form body for build options.
    assert_eq!(
        reason(proxy(
            "POST",
            "/build?remote=http://127.0.0.1/Dockerfile",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Content-Type", "application/x-tar"),
            ],
            Some(b"networkmode=host"),
        )),
        "POST /build has the form Content-Type \"application/x-www-form-urlencoded\": dockerd \
         reads build options from such a body, which plugins never see, so it cannot be judged"
    );
    assert_eq!(
        reason(plugin(
            "POST",
            "/containers/create",
            &[("Content-Type", "text/plain"), JSON],
            None,
        )),
        "POST /containers/create arrived without a body; dockerd passes a body to plugins only \
         when its Content-Type is application/json, and this request's is \"text/plain\" \
         (dockerd itself reads the first of repeated Content-Type headers), so it cannot be judged"
    );
}
