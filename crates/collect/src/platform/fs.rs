//! The audited host's filesystem: `/`, or a directory where it is mounted (`--host-root`) when
//! dockward runs in a container. Paths in facts are always host paths; only reads are prefixed.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use dockward_model::{FileStat, FileState};

use crate::parse::procfs::{self, GroupEntry, PasswdEntry};

/// Reads the host's files under a root directory.
#[derive(Clone, Debug)]
pub struct HostFs {
    root: PathBuf,
    passwd: Vec<PasswdEntry>,
    groups: Vec<GroupEntry>,
}

impl HostFs {
    /// The host mounted at `root` (`/` for the machine dockward runs on).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let mut fs = HostFs {
            root: root.into(),
            passwd: Vec::new(),
            groups: Vec::new(),
        };
        fs.passwd = fs
            .read("/etc/passwd")
            .map(|t| procfs::parse_passwd(&t))
            .unwrap_or_default();
        fs.groups = fs
            .read("/etc/group")
            .map(|t| procfs::parse_group(&t))
            .unwrap_or_default();
        fs
    }

    /// The root directory, as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a host path is on this machine.
    pub fn local(&self, host_path: &str) -> PathBuf {
        self.root.join(host_path.trim_start_matches('/'))
    }

    /// Where a host path is on this machine with its symbolic links followed inside the host
    /// root: the operating system would follow an absolute link (`/var/run` -> `/run`) to
    /// dockward's own filesystem instead of the host's.
    pub fn followed(&self, host_path: &str) -> PathBuf {
        if self.root == Path::new("/") {
            return self.local(host_path);
        }
        self.local(&self.resolve(host_path))
    }

    /// Reads a host file as text.
    pub fn read(&self, host_path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(self.followed(host_path))
    }

    /// Reads a host file as bytes.
    pub fn read_bytes(&self, host_path: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.followed(host_path))
    }

    /// Whether something exists at the host path (symbolic links followed).
    pub fn exists(&self, host_path: &str) -> bool {
        self.followed(host_path).exists()
    }

    /// The target of a symbolic link, as text.
    pub fn read_link(&self, host_path: &str) -> std::io::Result<String> {
        let (parent, name) = host_path.rsplit_once('/').unwrap_or(("", host_path));
        let parent = if parent.is_empty() {
            "/".to_string()
        } else {
            self.resolve(parent)
        };
        std::fs::read_link(self.local(&parent).join(name)).map(|p| p.display().to_string())
    }

    /// Entry names of a host directory, sorted.
    pub fn list(&self, host_path: &str) -> std::io::Result<Vec<String>> {
        let mut names: Vec<String> = std::fs::read_dir(self.followed(host_path))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    /// The host path with symbolic links resolved inside the host root (a link to `/etc` means the
    /// host's `/etc`, not dockward's).
    pub fn resolve(&self, host_path: &str) -> String {
        let mut resolved: Vec<String> = Vec::new();
        let mut pending: Vec<String> = host_path
            .split('/')
            .filter(|p| !p.is_empty())
            .rev()
            .map(str::to_string)
            .collect();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            resolved.push(part);
            let current = format!("/{}", resolved.join("/"));
            let Ok(target) = std::fs::read_link(self.local(&current)) else {
                continue;
            };
            hops += 1;
            if hops > 40 {
                break;
            }
            resolved.pop();
            let target = target.display().to_string();
            if target.starts_with('/') {
                resolved.clear();
            }
            pending.extend(
                target
                    .split('/')
                    .filter(|p| !p.is_empty())
                    .rev()
                    .map(str::to_string),
            );
        }
        format!("/{}", resolved.join("/"))
    }

    /// Owner, group and mode of a host path (not following a final symbolic link's target for the
    /// mode of the link itself: links are followed, as the daemon does when it opens the file).
    pub fn stat(&self, host_path: &str) -> FileState {
        match std::fs::metadata(self.followed(host_path)) {
            Ok(meta) => {
                let kind = if meta.is_dir() {
                    "directory"
                } else if meta.is_file() {
                    "file"
                } else if meta.file_type().is_socket() {
                    "socket"
                } else {
                    "other"
                };
                FileState::Present(FileStat {
                    kind: kind.into(),
                    uid: meta.uid(),
                    gid: meta.gid(),
                    user: self.user_name(meta.uid()),
                    group: self.group_name(meta.gid()),
                    mode: meta.mode() & 0o7777,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileState::Missing,
            Err(e) => FileState::Unreadable {
                reason: e.to_string(),
            },
        }
    }

    /// The host's name for a uid.
    pub fn user_name(&self, uid: u32) -> Option<String> {
        self.passwd.iter().find(|p| p.uid == uid).map(|p| p.name.clone())
    }

    /// The host's name for a gid.
    pub fn group_name(&self, gid: u32) -> Option<String> {
        self.groups.iter().find(|g| g.gid == gid).map(|g| g.name.clone())
    }

    /// The host's accounts (`/etc/passwd`).
    pub fn passwd(&self) -> &[PasswdEntry] {
        &self.passwd
    }

    /// The host's groups (`/etc/group`).
    pub fn groups(&self) -> &[GroupEntry] {
        &self.groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_inside_the_root() {
        let dir = std::env::temp_dir().join(format!("dockward-fs-{}", std::process::id()));
        // A name that exists under the test root only, never on the machine running the test.
        let only_here = format!("dockward-fs-probe-{}", std::process::id());
        std::fs::create_dir_all(dir.join("var")).unwrap();
        std::fs::create_dir_all(dir.join("run").join(&only_here)).unwrap();
        std::fs::write(dir.join("run").join(&only_here).join("f"), "host file").unwrap();
        std::os::unix::fs::symlink("f", dir.join("run").join(&only_here).join("link")).unwrap();
        let _ = std::fs::remove_file(dir.join("var/run"));
        std::os::unix::fs::symlink("/run", dir.join("var/run")).unwrap();
        let fs = HostFs::new(&dir);
        let through_link = format!("/var/run/{only_here}");
        assert_eq!(fs.resolve(&through_link), format!("/run/{only_here}"));
        assert_eq!(fs.resolve("/var/../var/run/x"), "/run/x");
        assert_eq!(fs.resolve("/etc"), "/etc");
        assert!(fs.exists(&through_link));
        assert_eq!(fs.read(&format!("{through_link}/f")).unwrap(), "host file");
        assert_eq!(fs.list(&through_link).unwrap(), ["f", "link"]);
        assert_eq!(fs.read_link(&format!("{through_link}/link")).unwrap(), "f");
        assert!(matches!(fs.stat(&through_link), FileState::Present(_)));
        assert_eq!(fs.stat("/nope"), FileState::Missing);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
