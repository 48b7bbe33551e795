//! Asks a TCP listener of the daemon, over loopback only, whether it serves the API without TLS.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

use dockward_model::ListenerProbe;

/// Probes the listener at `address:port` with a plain-HTTP `GET /_ping`. Only wildcard and loopback
/// listeners are probed, always through a loopback address: dockward sends nothing beyond
/// 127.0.0.0/8 and ::1.
pub fn probe(address: IpAddr, port: u16) -> ListenerProbe {
    let target = match address {
        IpAddr::V4(v4) if v4.is_unspecified() || v4.is_loopback() => {
            IpAddr::V4(if v4.is_loopback() { v4 } else { Ipv4Addr::LOCALHOST })
        }
        IpAddr::V6(v6) if v6.is_unspecified() || v6.is_loopback() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => {
            return ListenerProbe::NotProbed {
                reason: format!("bound to {other}; dockward sends nothing beyond loopback"),
            };
        }
    };
    match ask(SocketAddr::new(target, port)) {
        Ok(answer) => judge(&answer),
        // A TLS server that gets plain text usually closes the connection or sends an alert.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            ListenerProbe::TlsRequired
        }
        Err(e) => ListenerProbe::Other {
            detail: format!("no answer over {target}: {e}"),
        },
    }
}

fn ask(addr: SocketAddr) -> std::io::Result<Vec<u8>> {
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\nUser-Agent: dockward-probe\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.take(4096).read_to_end(&mut answer)?;
    if answer.is_empty() {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(answer)
}

/// Reads the answer: the Docker API says `OK` with an `Api-Version` header; a TLS listener answers
/// plain HTTP with 400 "Client sent an HTTP request to an HTTPS server" or a TLS alert.
fn judge(answer: &[u8]) -> ListenerProbe {
    let text = String::from_utf8_lossy(answer);
    let lower = text.to_ascii_lowercase();
    if !text.starts_with("HTTP/") {
        return ListenerProbe::TlsRequired;
    }
    if lower.contains("http request to an https server") {
        return ListenerProbe::TlsRequired;
    }
    if (text.starts_with("HTTP/1.1 200") || text.starts_with("HTTP/1.0 200"))
        && lower.contains("api-version:")
    {
        return ListenerProbe::PlainApi;
    }
    let status = text.lines().next().unwrap_or_default().to_string();
    ListenerProbe::Other {
        detail: format!("answered \"{status}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read() {
        let api = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";
        assert_eq!(judge(api), ListenerProbe::PlainApi);
        let tls = b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";
        assert_eq!(judge(tls), ListenerProbe::TlsRequired);
        assert_eq!(judge(b"\x15\x03\x01\x00\x02\x02\x46"), ListenerProbe::TlsRequired);
        assert_eq!(
            judge(b"HTTP/1.1 404 Not Found\r\n\r\n"),
            ListenerProbe::Other {
                detail: "answered \"HTTP/1.1 404 Not Found\"".into()
            }
        );
    }

    #[test]
    fn only_loopback_and_wildcards_are_probed() {
        let outside = probe("10.1.2.3".parse().unwrap(), 2375);
        assert_eq!(
            outside,
            ListenerProbe::NotProbed {
                reason: "bound to 10.1.2.3; dockward sends nothing beyond loopback".into()
            }
        );
    }
}
