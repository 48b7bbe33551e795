//! CIS 5.6: sensitive host directories mounted into the container.

use crate::prelude::*;

use super::{is_within, mount_evidence, normalize_path};

/// Host directories whose exposure lets a container read or change the host system; every
/// top-level directory whose name starts with `lib` (`/lib`, `/lib32`, `/lib64`, `/libx32`)
/// counts too.
pub const SENSITIVE_DIRECTORIES: [&str; 10] = [
    "/", "/boot", "/dev", "/etc", "/proc", "/sys", "/usr", "/run", "/var/run", "/lib",
];

/// Files a container must not reach through any directory that holds them.
const DOCKER_SOCKETS: [&str; 2] = ["/var/run/docker.sock", "/run/docker.sock"];
const CONTAINERD_SOCKETS: [&str; 2] = [
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
];

/// Where Docker keeps its data when the daemon does not say otherwise.
const DEFAULT_DATA_ROOT: &str = "/var/lib/docker";

/// Where containerd keeps every container's snapshots and state.
const CONTAINERD_ROOT: &str = "/var/lib/containerd";

declare_rule! {
    /// ## What it checks
    /// Every host path mounted into the container: bind mounts (`-v /host:/ctr`, `--mount
    /// type=bind`) and local volumes backed by a host directory (`--opt o=bind --opt device=/host`).
    /// It fails when a path is `/`, `/boot`, `/dev`, `/etc`, `/lib*` (`/lib`, `/lib32`, `/lib64`,
    /// `/libx32` …), `/proc`, `/sys`, `/usr`, `/run` or `/var/run`, or lies below one of them
    /// (`/etc/ssl`, `/proc/1/root`); when it is the daemon's data root (`/info` `DockerRootDir`,
    /// and Docker's default `/var/lib/docker`) or containerd's (`/var/lib/containerd`), or lies
    /// below one of them; and when it is a directory
    /// holding the Docker or containerd socket or the data root (`/var`, `/var/lib`, the parent of
    /// a data root elsewhere). Paths are compared after resolving `.`, `..`, repeated and trailing
    /// slashes and, where the host filesystem is readable, symbolic links (the authorization
    /// plugin resolves them on the host): both the written and the resolved path are judged.
    /// Read-only mounts fail too, since they still expose host secrets and configuration; the
    /// message says whether the mount is writable. When the daemon's data root is unknown (`/info`
    /// unreadable), a bind mount that is not otherwise sensitive is an error, not a pass. For a
    /// compose service or a Kubernetes container the data root is Docker's default (a file does
    /// not say which daemon it will run on).
    ///
    /// The policy option `sensitive-host-paths` (`[options]` in the policy file) adds host paths
    /// to the built-in list: a mount of one of them, of a path below one, or of a directory that
    /// holds one fails too, and the message names it as sensitive by policy.
    ///
    /// ## Why it matters
    /// A writable `/etc`, `/usr` or `/` lets the container change the host's users, services and
    /// binaries; `/proc` and `/sys` reach into the kernel and other processes; even read-only they
    /// leak keys and configuration.
    ///
    /// ## How to fix
    /// Mount only the application's own data directories, or copy the needed files into the image
    /// or a named volume. Use `:ro` where a host file really must be shared.
    pub static RULE = Rule {
        id: "CT0007",
        name: "sensitive-host-mount",
        title: "Sensitive host system directories are not mounted",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:5.6"],
        fix: "remove the mount of the host system directory; mount only application data, read-only where possible",
        check: Check::Container(ContainerCheck {
            needs: &["/Mounts"],
            check,
        }),
    };
}

/// What a mounted host path exposes.
enum Exposure {
    /// A system directory or a path below one.
    System,
    /// A path inside a data root: which one, and its path.
    InsideDataRoot(&'static str, String),
    /// A directory holding a protected file or directory: what it is, and its path.
    Holds(&'static str, String),
    /// A protected file or directory itself.
    Is(&'static str),
    /// One of the policy's sensitive host paths, or a path below it: which one.
    Policy(String),
}

/// What the policy's sensitive paths are called where a directory holds one.
const POLICY_PATH: &str = "a sensitive path of the policy";

/// Whether `path` (normalized) is or lies below a sensitive system directory.
fn is_system(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    path == "/"
        || first.starts_with("lib")
        || SENSITIVE_DIRECTORIES
            .iter()
            .any(|dir| *dir != "/" && is_within(path, dir))
}

/// The protected places whose holders must not be mounted, with what they are.
fn protected(ctx: &Context<'_>, data_root: Option<&str>) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(8);
    for socket in DOCKER_SOCKETS {
        out.push(("the Docker socket", socket.to_string()));
    }
    for socket in &ctx.daemon.sockets {
        out.push(("the Docker socket", normalize_path(&socket.path)));
    }
    for socket in CONTAINERD_SOCKETS {
        out.push(("the containerd socket", socket.to_string()));
    }
    out.push(("the daemon's data root", DEFAULT_DATA_ROOT.to_string()));
    if let Some(root) = data_root {
        out.push(("the daemon's data root", root.to_string()));
    }
    out.push(("containerd's data root", CONTAINERD_ROOT.to_string()));
    for path in &ctx.settings.options.sensitive_host_paths {
        out.push((POLICY_PATH, normalize_path(path)));
    }
    out
}

fn exposure(path: &str, protected: &[(&'static str, String)]) -> Option<Exposure> {
    if is_system(path) {
        return Some(Exposure::System);
    }
    if let Some((_, listed)) = protected
        .iter()
        .find(|(what, listed)| *what == POLICY_PATH && is_within(path, listed))
    {
        return Some(Exposure::Policy(listed.clone()));
    }
    if let Some((what, _)) = protected.iter().find(|(_, p)| p == path) {
        return Some(Exposure::Is(what));
    }
    let mut roots = protected.iter().filter(|(what, _)| what.ends_with("data root"));
    if let Some((what, root)) = roots.find(|(_, root)| is_within(path, root)) {
        return Some(Exposure::InsideDataRoot(what, root.clone()));
    }
    protected
        .iter()
        .find(|(_, held)| is_within(held, path))
        .map(|(what, held)| Exposure::Holds(what, held.clone()))
}

fn check(ctx: &Context<'_>, w: &Workload) -> Verdict {
    // The daemon's own data root, when /info gave it; Docker's default is protected anyway.
    let (data_root, unknown_root) = match ctx.daemon.info.as_ref() {
        // Docker's default data root is always protected; a file names no daemon.
        None if w.origin.is_file() => (None, None),
        Some(info) if !info.docker_root_dir.value.is_empty() => {
            (Some(normalize_path(&info.docker_root_dir.value)), None)
        }
        Some(_) => (None, Some("/info does not report DockerRootDir".to_string())),
        None => (
            None,
            Some(
                ctx.daemon
                    .info_error
                    .clone()
                    .unwrap_or_else(|| "/info was not read".to_string()),
            ),
        ),
    };
    let protected = protected(ctx, data_root.as_deref());
    let mut found = Vec::new();
    let mut evidence = Vec::new();
    let mut unjudged = Vec::new();
    for mount in &w.mounts {
        let Some(host) = mount.host_path() else {
            continue;
        };
        let hit = [Some(host), mount.source_realpath.as_deref()]
            .into_iter()
            .flatten()
            .map(normalize_path)
            .find_map(|path| exposure(&path, &protected).map(|e| (path, e)));
        let at = if mount.destination.is_empty() {
            String::new()
        } else {
            format!(" at {}", mount.destination)
        };
        let Some((path, exposure)) = hit else {
            unjudged.push(format!("{}{at}", normalize_path(host)));
            continue;
        };
        // A volume being created has no destination yet.
        let mode = if mount.read_only { "read-only" } else { "writable" };
        let what = match exposure {
            Exposure::System => String::new(),
            Exposure::InsideDataRoot(what, root) => format!(", inside {what} {root}"),
            Exposure::Holds(POLICY_PATH, held) => {
                format!(", holds {held}, sensitive by policy (sensitive-host-paths)")
            }
            Exposure::Holds(what, held) => format!(", holds {what} {held}"),
            Exposure::Is(what) => format!(", {what}"),
            Exposure::Policy(listed) if listed == path => {
                ", sensitive by policy (sensitive-host-paths)".to_string()
            }
            Exposure::Policy(listed) => {
                format!(", inside {listed}, sensitive by policy (sensitive-host-paths)")
            }
        };
        found.push(format!("{path}{at} ({mode}{what})"));
        evidence.push(mount_evidence(mount));
    }
    if !found.is_empty() {
        return Verdict::fail(format!(
            "sensitive host directories are mounted: {}",
            found.join(", ")
        ))
        .with_evidence(evidence);
    }
    if let (Some(reason), false) = (unknown_root, unjudged.is_empty()) {
        return Verdict::error(format!(
            "the daemon's data root is unknown ({reason}), so it is not known whether {} holds it",
            unjudged.join(", ")
        ));
    }
    Verdict::pass("no sensitive host directory is mounted")
}
