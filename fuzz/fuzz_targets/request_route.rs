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
        }
        Err(e) => assert!(!e.reason.is_empty()),
    }
});
