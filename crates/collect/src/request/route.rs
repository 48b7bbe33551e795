//! From the method, URI, headers and body the plugin or the proxy receives to an [`ApiRequest`].
//!
//! Pure: no I/O, linear in the size of the request. The caller bounds the body: the plugin gets
//! at most what dockerd forwards (under 1 MiB on 20.10, at most 4 MiB on patched daemons), and
//! the proxy must cap what it buffers and refuse a body over its cap rather than pass a part.
//!
//! The route is read the way dockerd 20.10 routes (moby `api/server/server.go`, gorilla/mux):
//! Go's request-URI parser reduces an absolute-form target to its path and splits the query off
//! at the first `?` (a `#` stays in the path); the router matches the percent-decoded path,
//! redirects an unclean one (`//`, `.`, `..`) and answers 404 to a trailing `/`, so such a path
//! is judged as the clean route it names (stricter, never looser); an optional `/v{[0-9.]+}`
//! prefix selects the API version. Methods match case-sensitively, as Go's mux matches them
//! (observed on 20.10.24: `post /containers/create` and `POST /containers/create/` get 404, a
//! `;` in the query 400 "invalid semicolon separator in query").

use dockward_model::{Action, ApiRequest, BuildSpec, Fact, PluginChange};

use super::body;

/// A request as received: by the authorization plugin (from dockerd's `AuthZPlugin.AuthZReq`)
/// or by the proxy (from the client).
#[derive(Clone, Copy, Debug)]
pub struct RequestParts<'a> {
    /// HTTP method as sent; matched case-sensitively, like dockerd's router.
    pub method: &'a str,
    /// Request URI: origin form (`/v1.41/containers/create?name=x`) or absolute form.
    pub uri: &'a str,
    /// Request headers, in the order received (the plugin gets one value per name, the last).
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

impl Unjudgeable {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// The API version from which `POST /containers/{id}/start` refuses a HostConfig body.
const START_BODY_REFUSED_FROM: &str = "1.24";
/// The API version from which `POST /containers/{id}/update` honours `PidsLimit`.
const UPDATE_PIDS_LIMIT_FROM: &str = "1.40";

/// Turns a received request into an [`ApiRequest`].
///
/// # Errors
/// [`Unjudgeable`] when the request cannot be judged: a URI dockerd would not route, a query it
/// reads differently than it looks, a JSON route whose body did not arrive, a body that is not
/// JSON as dockerd decodes it.
pub fn parse_request(parts: &RequestParts<'_>) -> Result<ApiRequest, Unjudgeable> {
    let target = split_target(parts.uri)?;
    let decoded = decode_path(parts.uri, target.path, target.path_offset)?;
    let cleaned = clean_path(&decoded);
    let (api_version, path) = strip_version(&cleaned);
    let query = parse_query(target.query.unwrap_or(""));

    let mut request = ApiRequest {
        method: parts.method.to_string(),
        path: path.to_string(),
        api_version: api_version.map(str::to_string),
        query: query.pairs,
        user: parts.user.to_string(),
        action: Action::Unknown,
    };
    request.action = if upgrades_to_h2c(parts.headers) || parts.method == "PRI" {
        // An h2c connection (or HTTP/2 prior knowledge) carries gRPC streams dockerd does not
        // authorize, and the proxy passes an upgraded connection through untouched.
        Action::BuildKit
    } else if matches!(parts.method, "GET" | "HEAD") {
        Action::Read
    } else {
        if let Some(problem) = query.problem {
            return Err(Unjudgeable::new(problem.reason(parts.uri)));
        }
        route(parts, &request)?
    };
    Ok(request)
}

/// The parts of a request target, as Go's `url.ParseRequestURI` splits it.
struct Target<'a> {
    /// The raw (still escaped) path.
    path: &'a str,
    /// Where `path` starts in the URI, for error positions.
    path_offset: usize,
    /// The raw query, without the `?`.
    query: Option<&'a str>,
}

fn not_routable(uri: &str) -> Unjudgeable {
    Unjudgeable::new(format!(
        "the request URI {uri:?} is neither a path nor an absolute URL with a path; dockerd \
         routes no such request, so it cannot be judged"
    ))
}

fn split_target(uri: &str) -> Result<Target<'_>, Unjudgeable> {
    if uri.is_empty() {
        return Err(Unjudgeable::new("the request has no URI, so it cannot be judged"));
    }
    if uri.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(Unjudgeable::new(format!(
            "the request URI {uri:?} holds a control character; dockerd refuses it, so it cannot \
             be judged"
        )));
    }
    if uri == "*" {
        return Ok(Target {
            path: uri,
            path_offset: 0,
            query: None,
        });
    }
    // Scheme: a letter, then letters, digits, `+`, `-`, `.`, up to a `:`; anything else before
    // a `:` means there is no scheme, and a leading `:` is an error.
    let mut rest_offset = 0;
    let mut has_scheme = false;
    for (i, b) in uri.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(not_routable(uri)),
            b':' => {
                has_scheme = true;
                rest_offset = i + 1;
                break;
            }
            _ => break,
        }
    }
    let rest = &uri[rest_offset..];
    // Go keeps a lone trailing `?` as an empty query and otherwise cuts at the first `?`.
    let (mut path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let mut path_offset = rest_offset;
    if !path.starts_with('/') {
        // Opaque (`http:x`) or relative: no path the router can match.
        return Err(not_routable(uri));
    }
    if has_scheme && path.starts_with("//") {
        let after = &path[2..];
        match after.find('/') {
            Some(slash) => {
                path_offset += 2 + slash;
                path = &after[slash..];
            }
            None => return Err(not_routable(uri)),
        }
    }
    Ok(Target {
        path,
        path_offset,
        query,
    })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `%XX` decoding; `plus_is_space` for query components. Returns the offset of a bad escape.
fn percent_decode(raw: &str, plus_is_space: bool) -> Result<Vec<u8>, usize> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let high = bytes.get(i + 1).copied().and_then(hex);
                let low = bytes.get(i + 2).copied().and_then(hex);
                match (high, low) {
                    (Some(high), Some(low)) => out.push((high << 4) | low),
                    _ => return Err(i),
                }
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn decode_path(uri: &str, raw: &str, offset: usize) -> Result<String, Unjudgeable> {
    let bytes = percent_decode(raw, false).map_err(|at| {
        Unjudgeable::new(format!(
            "the request URI {uri:?} has an invalid percent-escape at byte {}; dockerd refuses \
             it, so it cannot be judged",
            offset + at
        ))
    })?;
    let path = String::from_utf8(bytes).map_err(|_| {
        Unjudgeable::new(format!(
            "the request path of {uri:?} is not UTF-8 once percent-decoded; dockerd routes no \
             such path, so it cannot be judged"
        ))
    })?;
    // A NUL or newline cannot be in a container name, and the router's `.*` does not match a
    // newline: no client sends these, so they can only be an attempt to confuse.
    if path.chars().any(char::is_control) {
        return Err(Unjudgeable::new(format!(
            "the request path {path:?} holds a control character once decoded; dockerd routes no \
             such path, so it cannot be judged"
        )));
    }
    Ok(path)
}

/// Go's `path.Clean` on a rooted path (the router roots it first), without the trailing slash
/// the router would keep: `/containers/create/` is judged as the create route it resembles.
fn clean_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for s in &segments {
        out.push('/');
        out.push_str(s);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// Splits the router's `/v{version:[0-9.]+}` prefix off a cleaned path.
fn strip_version(path: &str) -> (Option<&str>, &str) {
    if let Some(after) = path.strip_prefix("/v")
        && let Some(slash) = after.find('/')
    {
        let version = &after[..slash];
        if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return (Some(version), &after[slash..]);
        }
    }
    (None, path)
}

/// Go's `versions.LessThan`: dot-separated integers, a missing or unparsable part is 0.
fn version_less(version: &str, other: &str) -> bool {
    fn part(s: Option<&str>) -> u64 {
        // Only digits reach here (the router's `[0-9.]+`); Go's Atoi saturates on overflow.
        s.map_or(0, |s| {
            s.bytes().fold(0u64, |n, b| {
                n.saturating_mul(10)
                    .saturating_add(u64::from(b.wrapping_sub(b'0')))
            })
        })
    }
    let mut a = version.split('.');
    let mut b = other.split('.');
    loop {
        let (x, y) = (a.next(), b.next());
        if x.is_none() && y.is_none() {
            return false;
        }
        let (x, y) = (part(x), part(y));
        if x != y {
            return x < y;
        }
    }
}

/// Why a query is not read by dockerd the way it looks.
enum QueryProblem {
    Semicolon,
    Escape,
    NotUtf8,
}

impl QueryProblem {
    fn reason(&self, uri: &str) -> String {
        match self {
            QueryProblem::Semicolon => format!(
                "the query of {uri:?} holds a `;`: Go 1.17 and later drop such pairs, older \
                 dockerds split on it, so it cannot be judged"
            ),
            QueryProblem::Escape => format!(
                "the query of {uri:?} has an invalid percent-escape; dockerd drops such pairs, so \
                 it cannot be judged"
            ),
            QueryProblem::NotUtf8 => {
                format!("the query of {uri:?} is not UTF-8 once decoded, so it cannot be judged")
            }
        }
    }
}

struct Query {
    pairs: Vec<(String, String)>,
    /// The first pair dockerd would not read as written.
    problem: Option<QueryProblem>,
}

/// Go's `url.ParseQuery`: `&`-separated pairs, empty pieces skipped, `+` and `%XX` decoded;
/// pairs with a `;` or a bad escape are dropped and remembered.
fn parse_query(raw: &str) -> Query {
    let mut query = Query {
        pairs: Vec::new(),
        problem: None,
    };
    for piece in raw.split('&') {
        if piece.contains(';') {
            query.problem.get_or_insert(QueryProblem::Semicolon);
            continue;
        }
        if piece.is_empty() {
            continue;
        }
        let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
        let (Ok(key), Ok(value)) = (percent_decode(key, true), percent_decode(value, true)) else {
            query.problem.get_or_insert(QueryProblem::Escape);
            continue;
        };
        match (String::from_utf8(key), String::from_utf8(value)) {
            (Ok(key), Ok(value)) => query.pairs.push((key, value)),
            _ => {
                query.problem.get_or_insert(QueryProblem::NotUtf8);
            }
        }
    }
    query
}

/// The first value of a header, by case-insensitive name (dockerd's `Header.Get`).
fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn upgrades_to_h2c(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("upgrade"))
        .flat_map(|(_, v)| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("h2c"))
}

/// The media type of a Content-Type value, as Go's `mime.ParseMediaType` returns it (lower case,
/// without parameters).
fn media_type(content_type: &str) -> String {
    let base = content_type.split(';').next().unwrap_or("");
    base.trim().to_lowercase()
}

/// The declared `Content-Length`, when it frames the body: Go ignores (and deletes) it when a
/// `Transfer-Encoding` is present, and refuses a value that is not all digits.
fn content_length(headers: &[(String, String)]) -> Option<u64> {
    if header(headers, "transfer-encoding").is_some() {
        return None;
    }
    let value = header(headers, "content-length")?.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// The first value of a query parameter (`r.Form.Get`, `r.FormValue`).
fn first<'q>(request: &'q ApiRequest, key: &str) -> &'q str {
    request
        .query
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// The body of a JSON route: `Some` to judge, `None` when it is truly empty (the proxy holds
/// it all, and dockerd answers an empty body with "EOF", changing nothing).
fn json_body<'b>(parts: &RequestParts<'b>, route: &str) -> Result<Option<&'b [u8]>, Unjudgeable> {
    match parts.body {
        Some(body) if !body.is_empty() => {
            same_length(parts.headers, body, route)?;
            Ok(Some(body))
        }
        _ if parts.body_complete => Ok(None),
        _ => Err(withheld(parts.headers, route)),
    }
}

/// A body shorter or longer than its declared length is not the body dockerd reads.
fn same_length(headers: &[(String, String)], body: &[u8], route: &str) -> Result<(), Unjudgeable> {
    match content_length(headers) {
        Some(declared) if usize::try_from(declared).ok() != Some(body.len()) => {
            Err(Unjudgeable::new(format!(
                "{route}: the body has {} bytes but its Content-Length says {declared}, so it is \
                 not the body dockerd reads; it cannot be judged",
                body.len()
            )))
        }
        _ => Ok(()),
    }
}

/// A JSON route that arrived at the plugin without a body. dockerd 20.10 forwards no body of
/// 1 MiB or more, with a length header or chunked (then without one), so neither header says
/// whether a body exists.
fn withheld(headers: &[(String, String)], route: &str) -> Unjudgeable {
    match header(headers, "content-type") {
        Some(ct) if media_type(ct) != "application/json" => Unjudgeable::new(format!(
            "{route} arrived without a body; dockerd passes a body to plugins only when its \
             Content-Type is application/json, and this request's is {ct:?} (dockerd itself \
             reads the first of repeated Content-Type headers), so it cannot be judged"
        )),
        Some(_) => Unjudgeable::new(format!(
            "{route} arrived without a body; dockerd 20.10 withholds bodies of 1 MiB or more \
             from plugins, so it cannot be judged"
        )),
        None => Unjudgeable::new(format!(
            "{route} arrived without a body; dockerd passes a body to plugins only when its \
             Content-Type is application/json, and this request has none, so it cannot be judged"
        )),
    }
}

fn body_error(route: &str, error: impl std::fmt::Display) -> Unjudgeable {
    Unjudgeable::new(format!("{route}: {error}"))
}

/// `/containers/{name:.*}/{verb}` and the like: the router's `.*` takes everything up to the
/// last segment.
fn name_and_verb<'p>(path: &'p str, prefix: &str) -> Option<(&'p str, &'p str)> {
    path.strip_prefix(prefix)?.rsplit_once('/')
}

/// A single-segment `{id}` (the router's default `[^/]+`).
fn segment<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    path.strip_prefix(prefix)
        .filter(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// The route table: what a state-changing request does. Each harmless route says why.
fn route(parts: &RequestParts<'_>, request: &ApiRequest) -> Result<Action, Unjudgeable> {
    let path = request.path.as_str();
    let route = request.route();
    let version = request.api_version.as_deref();

    // Any change to plugins: pull, create, enable, disable, remove, set, upgrade, push. A
    // disabled managed authz plugin drops out of dockerd's chain, so the rules must see these.
    if parts.method != "OPTIONS" && (path == "/plugins" || path.starts_with("/plugins/")) {
        return Ok(Action::Plugin(plugin_change(parts.method, path, request)));
    }

    let action = match (parts.method, path) {
        ("POST", "/containers/create") => match json_body(parts, &route)? {
            Some(body) => {
                let name = first(request, "name");
                let workload =
                    body::create_workload(body, version, &route, name).map_err(|e| body_error(&route, e))?;
                Action::Container(Box::new(workload))
            }
            None => Action::Allowed,
        },
        ("POST", "/build") => build(parts, request, &route)?,
        // BuildKit's session and gRPC streams are not authorized by dockerd.
        ("POST", "/session" | "/grpc") => Action::BuildKit,
        ("POST", "/volumes/create") => match json_body(parts, &route)? {
            Some(body) => Action::Volume(Box::new(
                body::volume_workload(body, &route).map_err(|e| body_error(&route, e))?,
            )),
            None => Action::Allowed,
        },
        ("POST", "/services/create") => service(parts, version, &route)?,
        // Pull and import (`fromImage`, `fromSrc`), `docker load` (a tar the plugin never sees)
        // and prunes: images and data only; what runs from them is judged at create.
        ("POST", "/images/create" | "/images/load" | "/images/prune") => Action::Allowed,
        // Prunes remove only what is unused.
        ("POST", "/containers/prune" | "/volumes/prune" | "/networks/prune") => Action::Allowed,
        ("POST", "/build/prune" | "/build/cancel") => Action::Allowed,
        // An image from a container's filesystem and config: what runs from it is judged at
        // create (including the `USER` it records).
        ("POST", "/commit") => Action::Allowed,
        // Checks registry credentials; dockerd never passes its body (passwords) to plugins.
        ("POST", "/auth") => Action::Allowed,
        // Networks: a container cannot be connected to the host network after create (dockerd
        // refuses), and drivers are the daemon's.
        ("POST", "/networks/create") => Action::Allowed,
        // Secrets and configs are data; only the services that mount them, judged, read them.
        ("POST", "/secrets/create" | "/configs/create") => Action::Allowed,
        // Leaving, updating the swarm's settings and unlocking a manager run no container.
        ("POST", "/swarm/leave" | "/swarm/update" | "/swarm/unlock") => Action::Allowed,
        // Creating or joining a swarm lets other managers schedule tasks here, and dockerd runs
        // them without asking the plugin: not harmless, and not a container to judge.
        ("POST", "/swarm/init" | "/swarm/join") => Action::Unknown,
        // CORS preflight: dockerd answers it and does nothing.
        ("OPTIONS", _) => Action::Allowed,
        ("POST", _) => post_with_names(parts, request, &route)?,
        // Writes a tar (invisible to plugins) into a container's filesystem, and through it into
        // the mounts the create was judged with.
        ("PUT", _) if name_and_verb(path, "/containers/").is_some_and(|(_, v)| v == "archive") => {
            Action::Allowed
        }
        ("DELETE", _) => delete(path),
        _ => Action::Unknown,
    };
    Ok(action)
}

/// POST routes that name an object in the path.
fn post_with_names(
    parts: &RequestParts<'_>,
    request: &ApiRequest,
    route: &str,
) -> Result<Action, Unjudgeable> {
    let path = request.path.as_str();
    let version = request.api_version.as_deref();
    if let Some((name, verb)) = name_and_verb(path, "/containers/") {
        return Ok(match verb {
            "start" => start(parts, request, route, name)?,
            "exec" => match json_body(parts, route)? {
                Some(body) => Action::Exec(body::exec_spec(body, name).map_err(|e| body_error(route, e))?),
                None => Action::Allowed,
            },
            "update" => match json_body(parts, route)? {
                Some(body) => {
                    let mut update = body::resource_update(body, name).map_err(|e| body_error(route, e))?;
                    // dockerd ignores `PidsLimit` from clients older than API 1.40.
                    if version.is_some_and(|v| version_less(v, UPDATE_PIDS_LIMIT_FROM)) {
                        update.pids_limit = None;
                    }
                    Action::Update(update)
                }
                None => Action::Allowed,
            },
            // Signals, state changes of an existing container, streams of it, a new name;
            // `copy` only reads (and errors out since API 1.24).
            "kill" | "pause" | "unpause" | "restart" | "stop" | "wait" | "resize" | "attach" | "rename"
            | "copy" => Action::Allowed,
            // Experimental CRIU checkpoints write to a host directory the request names.
            _ => Action::Unknown,
        });
    }
    if let Some((_, verb)) = name_and_verb(path, "/exec/") {
        // Starting or resizing an exec instance that was judged when it was created.
        return Ok(match verb {
            "start" | "resize" => Action::Allowed,
            _ => Action::Unknown,
        });
    }
    if let Some((_, verb)) = name_and_verb(path, "/images/") {
        // Tag and push change registry names, not what runs here.
        return Ok(match verb {
            "tag" | "push" => Action::Allowed,
            _ => Action::Unknown,
        });
    }
    if let Some((_, verb)) = name_and_verb(path, "/networks/") {
        // See `/networks/create`: no route to the host's network namespace.
        return Ok(match verb {
            "connect" | "disconnect" => Action::Allowed,
            _ => Action::Unknown,
        });
    }
    if let Some(rest) = path.strip_suffix("/update") {
        if segment(rest, "/services/").is_some() {
            return service(parts, version, route);
        }
        // A node's role, availability and labels; secrets and configs are data (see create).
        if segment(rest, "/nodes/").is_some()
            || segment(rest, "/secrets/").is_some()
            || segment(rest, "/configs/").is_some()
        {
            return Ok(Action::Allowed);
        }
    }
    Ok(Action::Unknown)
}

/// `DELETE` routes: removing objects runs nothing (plugins are handled before).
fn delete(path: &str) -> Action {
    // The checkpoint router comes first and takes `dir`, a host directory, to remove from.
    if let Some(rest) = path.strip_prefix("/containers/")
        && let Some((container, checkpoint)) = rest.split_once("/checkpoints/")
        && !container.contains('/')
        && !checkpoint.is_empty()
        && !checkpoint.contains('/')
    {
        return Action::Unknown;
    }
    let removes_by_any_name = ["/containers/", "/images/", "/networks/", "/volumes/"]
        .iter()
        .any(|prefix| path.strip_prefix(prefix).is_some_and(|n| !n.is_empty()));
    let removes_by_id = ["/services/", "/nodes/", "/secrets/", "/configs/"]
        .iter()
        .any(|prefix| segment(path, prefix).is_some());
    if removes_by_any_name || removes_by_id {
        Action::Allowed
    } else {
        Action::Unknown
    }
}

/// `POST /containers/{id}/start`. Before API 1.24 a body is a HostConfig that replaces the
/// container's, so it is judged like a create; dockerd reads it only when the declared length
/// is over 7 bytes or unknown (chunked), and from 1.24 on refuses such a body.
fn start(
    parts: &RequestParts<'_>,
    request: &ApiRequest,
    route: &str,
    id: &str,
) -> Result<Action, Unjudgeable> {
    if !first(request, "checkpoint").is_empty() || !first(request, "checkpoint-dir").is_empty() {
        // Restoring an experimental CRIU checkpoint from a directory the request names.
        return Ok(Action::Unknown);
    }
    let version = request.api_version.as_deref();
    let legacy = version.is_some_and(|v| version_less(v, START_BODY_REFUSED_FROM));
    if !legacy {
        return Ok(Action::Allowed);
    }
    if content_length(parts.headers).is_some_and(|n| n <= 7) {
        return Ok(Action::Allowed);
    }
    match parts.body {
        Some(body) if !body.is_empty() => {
            same_length(parts.headers, body, route)?;
            let workload =
                body::start_workload(body, version, route, id).map_err(|e| body_error(route, e))?;
            Ok(Action::Container(Box::new(workload)))
        }
        // The whole body is empty: dockerd starts the container as it is (or fails on EOF).
        _ if parts.body_complete => Ok(Action::Allowed),
        _ => Err(withheld(parts.headers, route)),
    }
}

fn service(parts: &RequestParts<'_>, version: Option<&str>, route: &str) -> Result<Action, Unjudgeable> {
    Ok(match json_body(parts, route)? {
        Some(body) => Action::Service(Box::new(
            body::service_workload(body, version, route).map_err(|e| body_error(route, e))?,
        )),
        None => Action::Allowed,
    })
}

/// `POST /build`: the Dockerfile is in a tar the plugin never sees; the options are in the query,
/// unless a form body supplies them (Go's `FormValue` reads a urlencoded or multipart body first;
/// Debian's 20.10.24 did not take `networkmode` or `t` from such a body when tried, but the
/// source says it may, so such a build is not judged on its query alone).
fn build(parts: &RequestParts<'_>, request: &ApiRequest, route: &str) -> Result<Action, Unjudgeable> {
    if let Some(ct) = header(parts.headers, "content-type") {
        let media = media_type(ct);
        if media == "application/x-www-form-urlencoded" || media == "multipart/form-data" {
            return Err(Unjudgeable::new(format!(
                "{route} has the form Content-Type {ct:?}: dockerd reads build options from such \
                 a body, which plugins never see, so it cannot be judged"
            )));
        }
    }
    // The plugin sees the last of repeated Content-Type headers, dockerd the first: a build whose
    // context comes from `remote` needs no body, so one that may carry a body could be carrying
    // form options (with a local context a form body would consume the context).
    // The proxy sees every header, so the check above covers it.
    let remote = !first(request, "remote").is_empty();
    if remote && !parts.body_complete && content_length(parts.headers) != Some(0) {
        return Err(Unjudgeable::new(format!(
            "{route} builds from `remote` but may carry a body: dockerd reads build options from \
             a form body, which plugins never see, so it cannot be judged"
        )));
    }
    if first(request, "version") == "2" {
        // A BuildKit build: `RUN --network=host` and the like live in the Dockerfile.
        return Ok(Action::BuildKit);
    }
    Ok(Action::Build(BuildSpec {
        network_mode: Fact::at_pointer(first(request, "networkmode").to_string(), "?networkmode"),
    }))
}

/// Any state-changing request under `/plugins`, by the plugin router's routes.
fn plugin_change(method: &str, path: &str, request: &ApiRequest) -> PluginChange {
    let change = |plugin: &str, action: &str| PluginChange {
        plugin: plugin.to_string(),
        action: action.to_string(),
    };
    let rest = path.strip_prefix("/plugins/").unwrap_or("");
    match (method, rest) {
        ("POST", "pull") => {
            // dockerd names the plugin `name`, or after `remote` when `name` is empty.
            let name = first(request, "name");
            let plugin = if name.is_empty() {
                first(request, "remote")
            } else {
                name
            };
            change(plugin, "pull")
        }
        ("POST", "create") => change(first(request, "name"), "create"),
        ("DELETE", name) if !name.is_empty() => change(name, "remove"),
        ("POST", _) => match rest.rsplit_once('/') {
            Some((name, verb @ ("enable" | "disable" | "push" | "upgrade" | "set"))) => change(name, verb),
            Some((name, _)) => change(name, "other"),
            None => change(rest, "other"),
        },
        _ => match rest.rsplit_once('/') {
            Some((name, _)) => change(name, "other"),
            None => change(rest, "other"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_version_comparison() {
        assert!(version_less("1.23", "1.24"));
        assert!(version_less("1.23.99", "1.24"));
        assert!(!version_less("1.24", "1.24"));
        assert!(!version_less("1.24.0", "1.24"));
        assert!(version_less("1..30", "1.24"));
        assert!(!version_less("2", "1.24"));
        assert!(version_less(".", "1.24"));
        assert!(!version_less("1.99999999999999999999999", "1.24"));
    }

    #[test]
    fn clean_is_go_path_clean_rooted() {
        for (raw, clean) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/a/./b/../c/", "/a/c"),
            ("/../a", "/a"),
            ("*", "/*"),
            ("/a//b", "/a/b"),
        ] {
            assert_eq!(clean_path(raw), clean, "{raw}");
        }
    }

    #[test]
    fn version_prefix_needs_digits_and_a_following_segment() {
        assert_eq!(strip_version("/v1.41/x"), (Some("1.41"), "/x"));
        assert_eq!(strip_version("/v1.41"), (None, "/v1.41"));
        assert_eq!(strip_version("/v/x"), (None, "/v/x"));
        assert_eq!(strip_version("/v1a/x"), (None, "/v1a/x"));
    }
}
