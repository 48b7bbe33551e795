//! Which daemon to talk to, resolved the way the Docker CLI resolves it.
//!
//! Precedence: an explicit `--host`, then `DOCKER_HOST`, then `DOCKER_CONTEXT`, then the
//! `currentContext` of `$DOCKER_CONFIG/config.json`, then the default socket. TLS follows
//! `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` (or the context's TLS material).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::CollectError;

/// The default Docker socket.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Where and how to reach a daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A unix socket on this host.
    Unix {
        /// Socket path.
        path: PathBuf,
    },
    /// TCP, optionally with TLS.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// TLS material, when TLS is used.
        tls: Option<TlsFiles>,
    },
}

/// Client TLS material: the CA that signs the daemon's certificate, and the client key pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// CA certificate (`ca.pem`).
    pub ca: PathBuf,
    /// Client certificate (`cert.pem`).
    pub cert: PathBuf,
    /// Client key (`key.pem`).
    pub key: PathBuf,
}

impl TlsFiles {
    /// The conventional file names in a directory.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Unix { path } => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp { host, port, tls } => {
                let scheme = if tls.is_some() { "tcp+tls" } else { "tcp" };
                if host.contains(':') {
                    write!(f, "{scheme}://[{host}]:{port}")
                } else {
                    write!(f, "{scheme}://{host}:{port}")
                }
            }
        }
    }
}

/// The environment the resolution reads; a struct so tests need not touch the process's.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// `DOCKER_HOST`.
    pub docker_host: Option<String>,
    /// `DOCKER_CONTEXT`.
    pub docker_context: Option<String>,
    /// `DOCKER_TLS_VERIFY`.
    pub tls_verify: Option<String>,
    /// `DOCKER_TLS`.
    pub tls: Option<String>,
    /// `DOCKER_CERT_PATH`.
    pub cert_path: Option<String>,
    /// `DOCKER_CONFIG`.
    pub docker_config: Option<String>,
    /// `HOME`.
    pub home: Option<String>,
}

impl Environment {
    /// Reads the process environment.
    pub fn from_process() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Self {
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            tls_verify: var("DOCKER_TLS_VERIFY"),
            tls: var("DOCKER_TLS"),
            cert_path: var("DOCKER_CERT_PATH"),
            docker_config: var("DOCKER_CONFIG"),
            home: var("HOME"),
        }
    }

    fn config_dir(&self) -> Option<PathBuf> {
        self.docker_config
            .as_ref()
            .map(PathBuf::from)
            .or_else(|| self.home.as_ref().map(|h| Path::new(h).join(".docker")))
    }
}

/// Resolves the endpoint from an explicit host (`--host`) and the environment.
pub fn resolve(explicit_host: Option<&str>, env: &Environment) -> Result<Endpoint, CollectError> {
    if let Some(host) = explicit_host.or(env.docker_host.as_deref()) {
        let tls = env_tls(env)?;
        return parse_host(host, tls);
    }
    let context = match &env.docker_context {
        Some(name) => Some(name.clone()),
        None => current_context(env)?,
    };
    match context.as_deref() {
        None | Some("default") => parse_host(&format!("unix://{DEFAULT_SOCKET}"), None),
        Some(name) => context_endpoint(name, env),
    }
}

fn env_tls(env: &Environment) -> Result<Option<TlsFiles>, CollectError> {
    if env.tls_verify.is_some() {
        let dir = env
            .cert_path
            .as_ref()
            .map(PathBuf::from)
            .or_else(|| env.config_dir())
            .ok_or_else(|| {
                CollectError::Endpoint(
                    "DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is".into(),
                )
            })?;
        return Ok(Some(TlsFiles::in_dir(&dir)));
    }
    if env.tls.is_some() {
        return Err(CollectError::Endpoint(
            "DOCKER_TLS without DOCKER_TLS_VERIFY asks for TLS without verifying the daemon's certificate, \
             which dockward does not do; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH"
                .into(),
        ));
    }
    Ok(None)
}

/// Parses a `DOCKER_HOST` value.
pub fn parse_host(host: &str, tls: Option<TlsFiles>) -> Result<Endpoint, CollectError> {
    let invalid = |why: &str| CollectError::Endpoint(format!("invalid Docker host \"{host}\": {why}"));
    let (scheme, rest) = host
        .split_once("://")
        .ok_or_else(|| invalid("expected unix://PATH or tcp://HOST:PORT"))?;
    match scheme {
        "unix" => {
            if rest.is_empty() {
                return Err(invalid("no socket path"));
            }
            Ok(Endpoint::Unix {
                path: PathBuf::from(rest),
            })
        }
        "tcp" | "http" | "https" => {
            let authority = rest.split('/').next().unwrap_or_default();
            let default_port = if tls.is_some() || scheme == "https" {
                2376
            } else {
                2375
            };
            let (host_part, port) = split_host_port(authority).ok_or_else(|| invalid("bad host or port"))?;
            if host_part.is_empty() {
                return Err(invalid("no host name"));
            }
            if scheme == "https" && tls.is_none() {
                return Err(invalid("https needs DOCKER_TLS_VERIFY and client certificates"));
            }
            Ok(Endpoint::Tcp {
                host: host_part.to_string(),
                port: port.unwrap_or(default_port),
                tls,
            })
        }
        "ssh" => Err(invalid(
            "ssh endpoints are not supported yet; forward the socket with ssh -L and use unix://",
        )),
        "npipe" => Err(invalid("named pipes exist only on Windows")),
        "fd" => Err(invalid("fd:// is a daemon listen address, not a client endpoint")),
        _ => Err(invalid("unknown scheme")),
    }
}

/// Splits `host:port`, `[v6]:port`, `host`.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port.parse().ok()?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host, Some(port.parse().ok()?))),
        Some(_) => None,
        None => Some((authority, None)),
    }
}

fn current_context(env: &Environment) -> Result<Option<String>, CollectError> {
    let Some(dir) = env.config_dir() else {
        return Ok(None);
    };
    let path = dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(CollectError::Io { path, source }),
    };
    let config: serde_json::Value = serde_json::from_str(&text).map_err(|source| CollectError::Json {
        what: path.display().to_string(),
        source,
    })?;
    Ok(config
        .get("currentContext")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .map(str::to_string))
}

fn context_endpoint(name: &str, env: &Environment) -> Result<Endpoint, CollectError> {
    let dir = env.config_dir().ok_or_else(|| {
        CollectError::Endpoint(format!(
            "context \"{name}\": neither DOCKER_CONFIG nor HOME is set"
        ))
    })?;
    let digest = hex::encode(Sha256::digest(name.as_bytes()));
    let meta_path = dir.join("contexts").join("meta").join(&digest).join("meta.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => CollectError::Endpoint(format!(
            "context \"{name}\" does not exist ({} is missing)",
            meta_path.display()
        )),
        _ => CollectError::Io {
            path: meta_path.clone(),
            source,
        },
    })?;
    let meta: serde_json::Value = serde_json::from_str(&text).map_err(|source| CollectError::Json {
        what: meta_path.display().to_string(),
        source,
    })?;
    let docker = &meta["Endpoints"]["docker"];
    let host = docker["Host"]
        .as_str()
        .ok_or_else(|| CollectError::Endpoint(format!("context \"{name}\" has no docker endpoint host")))?;
    if docker["SkipTLSVerify"].as_bool() == Some(true) {
        return Err(CollectError::Endpoint(format!(
            "context \"{name}\" skips TLS verification, which dockward does not do"
        )));
    }
    let tls_dir = dir.join("contexts").join("tls").join(&digest).join("docker");
    let tls = tls_dir
        .join("ca.pem")
        .exists()
        .then(|| TlsFiles::in_dir(&tls_dir));
    parse_host(host, tls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_and_tcp_hosts() {
        assert_eq!(
            parse_host("unix:///run/docker.sock", None).unwrap(),
            Endpoint::Unix {
                path: "/run/docker.sock".into()
            }
        );
        assert_eq!(
            parse_host("tcp://127.0.0.1:2375", None).unwrap(),
            Endpoint::Tcp {
                host: "127.0.0.1".into(),
                port: 2375,
                tls: None
            }
        );
        assert_eq!(
            parse_host("tcp://[::1]", None).unwrap(),
            Endpoint::Tcp {
                host: "::1".into(),
                port: 2375,
                tls: None
            }
        );
        let tls = TlsFiles::in_dir(Path::new("/certs"));
        assert_eq!(
            parse_host("tcp://localhost", Some(tls.clone())).unwrap(),
            Endpoint::Tcp {
                host: "localhost".into(),
                port: 2376,
                tls: Some(tls)
            }
        );
    }

    #[test]
    fn unsupported_hosts_say_why() {
        let err = parse_host("ssh://me@box", None).unwrap_err().to_string();
        assert!(err.contains("ssh endpoints are not supported"), "{err}");
        let err = parse_host("/var/run/docker.sock", None).unwrap_err().to_string();
        assert!(err.contains("expected unix://PATH or tcp://HOST:PORT"), "{err}");
        let err = parse_host("tcp://host:notaport", None).unwrap_err().to_string();
        assert!(err.contains("bad host or port"), "{err}");
    }

    #[test]
    fn docker_host_beats_contexts_and_tls_follows_the_environment() {
        let env = Environment {
            docker_host: Some("tcp://127.0.0.1:2376".into()),
            docker_context: Some("remote".into()),
            tls_verify: Some("1".into()),
            cert_path: Some("/certs".into()),
            ..Environment::default()
        };
        assert_eq!(
            resolve(None, &env).unwrap(),
            Endpoint::Tcp {
                host: "127.0.0.1".into(),
                port: 2376,
                tls: Some(TlsFiles::in_dir(Path::new("/certs")))
            }
        );
        assert_eq!(
            resolve(Some("unix:///x.sock"), &env).unwrap(),
            Endpoint::Unix {
                path: "/x.sock".into()
            }
        );
    }

    #[test]
    fn named_context_is_read_from_the_config_dir() {
        let dir = std::env::temp_dir().join(format!("dockward-ctx-{}", std::process::id()));
        let digest = hex::encode(Sha256::digest(b"remote"));
        let meta_dir = dir.join("contexts/meta").join(&digest);
        std::fs::create_dir_all(&meta_dir).unwrap();
        std::fs::write(
            meta_dir.join("meta.json"),
            r#"{"Name":"remote","Endpoints":{"docker":{"Host":"unix:///ctx.sock","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        std::fs::write(dir.join("config.json"), r#"{"currentContext":"remote"}"#).unwrap();
        let env = Environment {
            docker_config: Some(dir.display().to_string()),
            ..Environment::default()
        };
        assert_eq!(
            resolve(None, &env).unwrap(),
            Endpoint::Unix {
                path: "/ctx.sock".into()
            }
        );
        let env = Environment {
            docker_context: Some("default".into()),
            ..env
        };
        assert_eq!(
            resolve(None, &env).unwrap(),
            Endpoint::Unix {
                path: DEFAULT_SOCKET.into()
            }
        );
        let env = Environment {
            docker_context: Some("missing".into()),
            ..env
        };
        assert!(
            resolve(None, &env)
                .unwrap_err()
                .to_string()
                .contains("context \"missing\" does not exist")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
