//! `dockward authz package DIR`: a managed plugin (`docker plugin create NAME DIR`) built from the
//! running binary, so no registry is needed: `DIR/config.json` and `DIR/rootfs/` holding the
//! binary, the shared libraries it links (as `ldd` lists them, the dynamic loader included) and
//! the mount points.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What to package.
#[derive(Clone, Debug)]
pub struct PackageOptions {
    /// The directory to write.
    pub dir: PathBuf,
    /// The socket's file name in `/run/docker/plugins` inside the plugin.
    pub socket_name: String,
    /// The daemon's socket on the host, mounted for lookups.
    pub docker_socket: PathBuf,
    /// The profile the plugin starts with (`DOCKWARD_PROFILE`, settable before enabling).
    pub profile: String,
    /// The mode the plugin starts with (`DOCKWARD_MODE`).
    pub mode: String,
}

/// Why the package could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// A file operation failed.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The directory is not empty.
    #[error("{0} exists and is not empty; give a new directory")]
    NotEmpty(PathBuf),
    /// The socket name is unusable.
    #[error("--socket-name {0:?} must be a plain file name")]
    SocketName(String),
    /// `ldd` failed.
    #[error("cannot list the shared libraries of {binary} with ldd: {message}")]
    Ldd {
        /// The binary.
        binary: PathBuf,
        /// What went wrong.
        message: String,
    },
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> PackageError + 'a {
    move |source| PackageError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// The plugin's `config.json`.
pub fn config_json(options: &PackageOptions) -> serde_json::Value {
    let socket = format!("/run/docker/plugins/{}", options.socket_name);
    serde_json::json!({
        "description": "dockward: denies insecure containers before they exist (Engine API authorization)",
        "documentation": "https://github.com/dockward/dockward/blob/main/docs/authz.md",
        "entrypoint": [
            "/dockward", "authz", "serve",
            "--socket", socket,
            "--host-root", "/host",
            "--docker-host", "unix:///run/docker.sock"
        ],
        "env": [
            {"name": "DOCKWARD_PROFILE", "description": "baseline, restricted, cis-level1 or cis-level2", "settable": ["value"], "value": options.profile},
            {"name": "DOCKWARD_MODE", "description": "enforce or audit", "settable": ["value"], "value": options.mode},
            {"name": "DOCKWARD_DECISION_LOG", "description": "where decisions are logged (- is the daemon's log)", "settable": ["value"], "value": "-"},
            {"name": "DOCKWARD_POLICY", "description": "a policy file as the plugin sees the host: /host/PATH (empty: none)", "settable": ["value"], "value": ""}
        ],
        "interface": {"types": ["docker.authz/1.0"], "socket": options.socket_name},
        "network": {"type": "none"},
        "workdir": "/",
        "mounts": [
            {
                "name": "docker-socket",
                "description": "the daemon's socket, for lookups (image users, joined containers, volumes)",
                "source": options.docker_socket.display().to_string(),
                "destination": "/run/docker.sock",
                "type": "bind",
                "options": ["rbind", "rw"]
            },
            {
                "name": "host-root",
                "description": "the host's filesystem, read-only, to resolve symbolic links of bind sources",
                "source": "/",
                "destination": "/host",
                "type": "bind",
                "options": ["rbind", "ro"]
            }
        ],
        "linux": {"capabilities": [], "allowAllDevices": false, "devices": null}
    })
}

/// The shared libraries `ldd` lists for `binary`: absolute paths, the loader included.
pub fn shared_libraries(ldd_output: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in ldd_output.lines() {
        let line = line.trim();
        // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` or `/lib64/ld-linux-x86-64.so.2 (0x...)`;
        // the vDSO has no file.
        let path = match line.split_once("=>") {
            Some((_, target)) => target.trim(),
            None => line,
        };
        let path = path.split(" (").next().unwrap_or("").trim();
        if path.starts_with('/') {
            out.push(PathBuf::from(path));
        }
    }
    out
}

/// Writes the package.
///
/// # Errors
/// The directory cannot be written, or the libraries cannot be listed.
pub fn package(options: &PackageOptions) -> Result<Vec<PathBuf>, PackageError> {
    if options.socket_name.is_empty()
        || options.socket_name.contains('/')
        || options.socket_name.starts_with('.')
    {
        return Err(PackageError::SocketName(options.socket_name.clone()));
    }
    let dir = &options.dir;
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(PackageError::NotEmpty(dir.clone()));
    }
    let rootfs = dir.join("rootfs");
    for sub in ["host", "run/docker/plugins", "proc", "dev", "sys", "tmp", "etc"] {
        let path = rootfs.join(sub);
        std::fs::create_dir_all(&path).map_err(io("create", &path))?;
    }
    // Mount point for the daemon's socket (a file, since the source is not a directory).
    let socket_point = rootfs.join("run/docker.sock");
    std::fs::write(&socket_point, b"").map_err(io("create", &socket_point))?;
    let exe = PathBuf::from("/proc/self/exe");
    let binary = rootfs.join("dockward");
    std::fs::copy(&exe, &binary).map_err(io("copy the binary to", &binary))?;
    let mut written = vec![binary.clone()];
    // The copy, not /proc/self/exe, which in ldd's own process would name ldd's interpreter.
    let ldd = Command::new("ldd")
        .arg(&binary)
        .output()
        .map_err(|e| PackageError::Ldd {
            binary: binary.clone(),
            message: e.to_string(),
        })?;
    let listing = String::from_utf8_lossy(&ldd.stdout);
    // A static binary: ldd says so and exits 1; nothing to copy.
    let libraries = if ldd.status.success() {
        shared_libraries(&listing)
    } else {
        Vec::new()
    };
    for library in libraries {
        let relative = library.strip_prefix("/").unwrap_or(&library);
        let target = rootfs.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io("create", parent))?;
        }
        // Copies the file a link names, under the name the loader asks for.
        std::fs::copy(&library, &target).map_err(io("copy the library", &library))?;
        written.push(target);
    }
    let config = dir.join("config.json");
    let text = serde_json::to_string_pretty(&config_json(options)).unwrap_or_default();
    std::fs::write(&config, text + "\n").map_err(io("write", &config))?;
    written.push(config);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldd_lines_give_library_paths() {
        let out = "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n\tlibmissing.so => not found\n";
        assert_eq!(
            shared_libraries(out),
            [
                PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2")
            ]
        );
    }
}
