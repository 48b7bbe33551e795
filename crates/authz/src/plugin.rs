//! The authorization plugin: Docker's plugin protocol (HTTP/1.1 POSTs of JSON) on a unix socket.
//!
//! `/Plugin.Activate` answers `{"Implements":["authz"]}`. `/AuthZPlugin.AuthZReq` carries the
//! client's request before dockerd handles it: every decision is made there. `/AuthZPlugin.AuthZRes`
//! carries the daemon's answer *after* the handler ran: denying there would only hide an answer
//! whose action (a container created, a volume removed) already happened, and would break
//! clients that then cannot read an error, so it always allows.
//!
//! A plugin request that cannot be read (not JSON, bad base64, too large, too slow) is answered
//! with a deny that says why; it never crashes or hangs the plugin.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::UnixStream;
use tokio::sync::watch;

use crate::engine::{Engine, Received};

/// The largest plugin request read: dockerd sends at most a 4 MiB body, base64-encoded, plus
/// headers.
pub const MAX_PLUGIN_REQUEST: usize = 8 << 20;
/// How long a plugin request's body may take to arrive.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// The media type of Docker's plugin protocol answers.
pub const PLUGIN_CONTENT_TYPE: &str = "application/vnd.docker.plugins.v1.1+json";

/// Serves one connection from dockerd.
pub async fn serve_connection(engine: Arc<Engine>, stream: UnixStream, stopping: watch::Receiver<bool>) {
    let service = service_fn(move |req: Request<Incoming>| {
        let engine = Arc::clone(&engine);
        async move { Ok::<_, Infallible>(handle(&engine, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = crate::server::stopped(stopping) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

fn reply(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(PLUGIN_CONTENT_TYPE),
    );
    response
}

/// The `AuthZReq`/`AuthZRes` answer.
pub fn authz_reply(allow: bool, msg: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({"Allow": allow, "Msg": msg, "Err": ""});
    reply(StatusCode::OK, body.to_string())
}

/// Reads a plugin request's body; `Err` completes "the plugin request …".
async fn read_bounded(body: Incoming) -> Result<Bytes, String> {
    match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_PLUGIN_REQUEST).collect()).await {
        Err(_) => Err(format!("did not arrive within {} s", BODY_TIMEOUT.as_secs())),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            Err(format!("is larger than {MAX_PLUGIN_REQUEST} bytes"))
        }
        Ok(Err(e)) => Err(format!("could not be read: {e}")),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

async fn handle(engine: &Engine, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if req.method() != Method::POST {
        return reply(
            StatusCode::METHOD_NOT_ALLOWED,
            serde_json::json!({"Err": "plugin methods are called with POST"}).to_string(),
        );
    }
    let path = req.uri().path().to_string();
    match path.as_str() {
        "/Plugin.Activate" => {
            let _ = read_bounded(req.into_body()).await;
            reply(StatusCode::OK, r#"{"Implements":["authz"]}"#.to_string())
        }
        "/AuthZPlugin.AuthZReq" => match read_bounded(req.into_body()).await {
            Err(reason) => authz_reply(false, &engine.refuse_unreadable(&reason).message),
            Ok(bytes) => match PluginRequest::decode(&bytes) {
                Err(reason) => authz_reply(false, &engine.refuse_unreadable(&reason).message),
                Ok(request) => {
                    let verdict = engine.judge(&request.received()).await;
                    authz_reply(verdict.allow, &verdict.message)
                }
            },
        },
        "/AuthZPlugin.AuthZRes" => {
            // Read so the connection stays usable; what it says cannot change what happened.
            let _ = read_bounded(req.into_body()).await;
            authz_reply(true, "")
        }
        other => reply(
            StatusCode::NOT_FOUND,
            serde_json::json!({"Err": format!("dockward does not implement the plugin method {other}")})
                .to_string(),
        ),
    }
}

/// The fields of dockerd's `authorization.Request` that dockward reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PluginRequest {
    /// `RequestMethod`.
    pub method: String,
    /// `RequestUri` (also accepted: the documented `RequestURI`).
    pub uri: String,
    /// `RequestHeaders` (also accepted: the documented `RequestHeader`), sorted by name.
    pub headers: Vec<(String, String)>,
    /// `RequestBody`, base64-decoded; `None` when absent or empty.
    pub body: Option<Vec<u8>>,
    /// `User`.
    pub user: String,
    /// `UserAuthNMethod`.
    pub authn: String,
}

/// Go's `encoding/json` reads `[]byte` as standard base64 with padding, ignoring line breaks,
/// and does not insist that unused trailing bits are zero.
const GO_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
);

impl PluginRequest {
    /// Decodes the JSON dockerd sends; keys match case-insensitively, as Go decodes them.
    /// `Err` says what is wrong, completing "the plugin request …".
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("is not JSON: {e}"))?;
        let Value::Object(map) = value else {
            return Err("is not a JSON object".into());
        };
        let mut out = PluginRequest::default();
        let text = |key: &str, v: &Value| -> Result<String, String> {
            match v {
                Value::String(s) => Ok(s.clone()),
                Value::Null => Ok(String::new()),
                _ => Err(format!("has a {key} that is not a string")),
            }
        };
        for (key, v) in &map {
            match key.to_ascii_lowercase().as_str() {
                "requestmethod" => out.method = text("RequestMethod", v)?,
                "requesturi" => out.uri = text("RequestUri", v)?,
                "user" => out.user = text("User", v)?,
                "userauthnmethod" => out.authn = text("UserAuthNMethod", v)?,
                "requestbody" => {
                    let Value::String(encoded) = v else {
                        text("RequestBody", v)?;
                        continue;
                    };
                    let encoded = encoded.as_bytes();
                    let cleaned;
                    let encoded = if encoded.iter().any(|b| matches!(b, b'\r' | b'\n')) {
                        cleaned = encoded
                            .iter()
                            .copied()
                            .filter(|b| !matches!(b, b'\r' | b'\n'))
                            .collect::<Vec<u8>>();
                        &cleaned[..]
                    } else {
                        encoded
                    };
                    let body = GO_BASE64
                        .decode(encoded)
                        .map_err(|e| format!("has a RequestBody that is not base64: {e}"))?;
                    out.body = (!body.is_empty()).then_some(body);
                }
                "requestheaders" | "requestheader" => match v {
                    Value::Null => {}
                    Value::Object(headers) => {
                        for (name, value) in headers {
                            let Value::String(value) = value else {
                                return Err(format!("has a header {name} whose value is not a string"));
                            };
                            out.headers.push((name.clone(), value.clone()));
                        }
                    }
                    _ => return Err("has RequestHeaders that are not an object".into()),
                },
                _ => {}
            }
        }
        if out.method.is_empty() {
            return Err("has no RequestMethod".into());
        }
        if out.uri.is_empty() {
            return Err("has no RequestUri".into());
        }
        out.headers.sort();
        Ok(out)
    }

    /// As the engine takes it: the plugin may have been sent no body although the client sent
    /// one (dockerd withholds bodies it does not forward).
    pub fn received(&self) -> Received<'_> {
        Received {
            method: &self.method,
            uri: &self.uri,
            headers: &self.headers,
            body: self.body.as_deref(),
            body_complete: false,
            user: &self.user,
            authn: &self.authn,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decodes_both_spellings_case_insensitively() {
        let r = PluginRequest::decode(
            br#"{"requestmethod":"POST","RequestURI":"/v1.41/containers/create","RequestHeader":{"Content-Type":"application/json"},"RequestBody":"e30=","user":"alice","UserAuthNMethod":"TLS"}"#,
        )
        .unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.uri, "/v1.41/containers/create");
        assert_eq!(
            r.headers,
            [("Content-Type".to_string(), "application/json".to_string())]
        );
        assert_eq!(r.body.as_deref(), Some(&b"{}"[..]));
        assert_eq!((r.user.as_str(), r.authn.as_str()), ("alice", "TLS"));
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        assert!(
            PluginRequest::decode(b"{")
                .unwrap_err()
                .starts_with("is not JSON: ")
        );
        assert_eq!(PluginRequest::decode(b"[]").unwrap_err(), "is not a JSON object");
        assert_eq!(
            PluginRequest::decode(br#"{"RequestMethod":"POST","RequestUri":"/x","RequestBody":"!!"}"#)
                .unwrap_err(),
            "has a RequestBody that is not base64: Invalid symbol 33, offset 0."
        );
        assert_eq!(
            PluginRequest::decode(br#"{"RequestUri":"/x"}"#).unwrap_err(),
            "has no RequestMethod"
        );
        assert_eq!(
            PluginRequest::decode(br#"{"RequestMethod":"GET","RequestUri":"/x","RequestHeaders":{"A":1}}"#)
                .unwrap_err(),
            "has a header A whose value is not a string"
        );
    }
}
