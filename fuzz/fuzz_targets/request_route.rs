//! `request::parse_request`: method, URI, headers and body as the plugin or the proxy receives
//! them. Input: one flag byte (bit 0: a body was passed on, bit 1: the body is complete), then
//! the method line, the URI line, `Name: value` header lines, an empty line and the body.
#![no_main]

use dockward_collect::request::{RequestParts, parse_request};
use dockward_model::Action;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => (rest, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n');
    let method = lines.next().unwrap_or("");
    let uri = lines.next().unwrap_or("");
    let headers: Vec<(String, String)> = lines
        .map(|l| match l.split_once(':') {
            Some((k, v)) => (k.to_string(), v.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect();
    let parts = RequestParts {
        method,
        uri,
        headers: &headers,
        body: (flags & 1 != 0).then_some(body),
        user: "",
        body_complete: flags & 2 != 0,
    };
    match parse_request(&parts) {
        Ok(request) => {
            // The routed path is clean and rooted, the version prefix is digits and dots.
            let path = request.path.as_str();
            assert!(path.starts_with('/'), "{path:?}");
            assert!(path == "/" || !path.ends_with('/'), "{path:?}");
            assert!(
                path == "/"
                    || !path
                        .split('/')
                        .skip(1)
                        .any(|s| s.is_empty() || s == "." || s == ".."),
                "{path:?}"
            );
            assert!(!path.chars().any(char::is_control), "{path:?}");
            if let Some(v) = &request.api_version {
                assert!(!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
            }
            assert_eq!(request.method, method);
            // Reads are reads unless the connection upgrades to h2c.
            if matches!(method, "GET" | "HEAD") {
                assert!(
                    matches!(request.action, Action::Read | Action::BuildKit),
                    "{:?}",
                    request.action
                );
            }
            // Only an exact, upper-case method changes state in a known way.
            if !matches!(
                method,
                "POST" | "PUT" | "DELETE" | "OPTIONS" | "GET" | "HEAD" | "PRI"
            ) {
                assert!(
                    matches!(
                        request.action,
                        Action::Unknown | Action::BuildKit | Action::Plugin(_)
                    ),
                    "{method:?}: {:?}",
                    request.action
                );
            }
            // Normalizing is idempotent: the routed form, written out again, routes the same.
            let mut again = String::new();
            if let Some(v) = &request.api_version {
                again.push_str("/v");
                again.push_str(v);
            }
            again.push_str(&encode(&request.path, b"/"));
            if !request.query.is_empty() {
                let pairs: Vec<String> = request
                    .query
                    .iter()
                    .map(|(k, v)| format!("{}={}", encode(k, b""), encode(v, b"")))
                    .collect();
                again.push('?');
                again.push_str(&pairs.join("&"));
            }
            let reparsed = parse_request(&RequestParts { uri: &again, ..parts });
            assert_eq!(reparsed.as_ref().ok(), Some(&request), "{uri:?} -> {again:?}");
        }
        Err(e) => assert!(!e.reason.is_empty()),
    }
});

/// Percent-encodes every byte but unreserved ones and `keep`.
fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
