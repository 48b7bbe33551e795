//! From the method, URI, headers and body the plugin or the proxy receives to an [`ApiRequest`].

use dockward_model::{Action, ApiRequest};

/// A request as received: by the authorization plugin (from dockerd's `AuthZPlugin.AuthZReq`)
/// or by the proxy (from the client).
#[derive(Clone, Copy, Debug)]
pub struct RequestParts<'a> {
    /// HTTP method as sent; matched case-sensitively, like dockerd's router.
    pub method: &'a str,
    /// Request URI: origin form (`/v1.41/containers/create?name=x`) or absolute form.
    pub uri: &'a str,
    /// Request headers, in the order received.
    pub headers: &'a [(String, String)],
    /// The body, when one was passed on; the caller bounds its size.
    pub body: Option<&'a [u8]>,
    /// The authenticated user, when the daemon reports one.
    pub user: &'a str,
    /// True when `body` is the whole body (the proxy); false when dockerd may have withheld it
    /// (the plugin: dockerd 20.10 passes no body of 1 MiB or more).
    pub body_complete: bool,
}

/// A request that cannot be judged: it is denied, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Unjudgeable {
    /// Why, in words a person can act on.
    pub reason: String,
}

/// Turns a received request into an [`ApiRequest`].
///
/// # Errors
/// [`Unjudgeable`] when the request cannot be judged.
pub fn parse_request(parts: &RequestParts<'_>) -> Result<ApiRequest, Unjudgeable> {
    let action = match parts.method {
        "GET" | "HEAD" => Action::Read,
        _ => Action::Unknown,
    };
    let (path, _) = parts.uri.split_once('?').unwrap_or((parts.uri, ""));
    Ok(ApiRequest {
        method: parts.method.to_string(),
        path: path.to_string(),
        api_version: None,
        query: Vec::new(),
        user: parts.user.to_string(),
        action,
    })
}
