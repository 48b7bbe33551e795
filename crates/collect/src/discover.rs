//! Sorts the paths given to `dockward lint` by what each file is: Dockerfiles, compose projects,
//! Kubernetes manifests, daemon.json files and seccomp profiles.
//!
//! Directories are searched recursively, skipping what `.gitignore`, `.ignore` and git's exclude
//! files exclude (as for Dockerfiles, [`crate::dockerfiles`]): Dockerfiles and compose files by
//! name, with the override files `docker compose` applies to each compose file; `daemon.json` by
//! name; YAML and JSON files that mention `apiVersion` and `kind` as Kubernetes manifest
//! candidates (the loader decides: a file none of whose documents carries both is skipped
//! silently); JSON with `defaultAction` as seccomp profiles. A file named explicitly is judged
//! by what it holds, or as `--kind` says.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::compose::{is_compose_file_name, is_override_file_name, override_siblings};
use crate::config_files::looks_like_seccomp_profile;
use crate::dockerfiles::{SearchError, is_dockerfile_name};

/// What a file given to `dockward lint` is (`--kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A Dockerfile or Containerfile (`dockerfile`).
    Dockerfile,
    /// A compose file (`compose`).
    Compose,
    /// A Kubernetes manifest (`kubernetes`).
    Kubernetes,
    /// A daemon configuration file (`daemon-json`).
    DaemonJson,
    /// A seccomp profile (`seccomp`).
    Seccomp,
}

impl SourceKind {
    /// Every kind with the name `--kind` takes.
    pub const ALL: [(&'static str, SourceKind); 5] = [
        ("dockerfile", SourceKind::Dockerfile),
        ("compose", SourceKind::Compose),
        ("kubernetes", SourceKind::Kubernetes),
        ("daemon-json", SourceKind::DaemonJson),
        ("seccomp", SourceKind::Seccomp),
    ];

    /// Parses a `--kind` name.
    pub fn parse(name: &str) -> Option<SourceKind> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// The name `--kind` takes.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, k)| *k == self).map_or("", |(n, _)| n)
    }
}

/// The files to lint, by kind, each list in a stable order (paths as given, directories in file
/// name order), without duplicates.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Discovered {
    /// Dockerfiles.
    pub dockerfiles: Vec<PathBuf>,
    /// Compose projects: each the files `docker compose` would merge, in order (a compose file
    /// and its override files).
    pub compose: Vec<Vec<PathBuf>>,
    /// Kubernetes manifests, and YAML/JSON files found in directories that may be ones (the
    /// loader tells: `is_manifest`).
    pub manifests: Vec<PathBuf>,
    /// Manifests named explicitly (or with `--kind kubernetes`): a file among them that turns out
    /// to be no manifest is reported, not skipped.
    pub explicit_manifests: Vec<PathBuf>,
    /// daemon.json files.
    pub daemon_json: Vec<PathBuf>,
    /// Seccomp profiles.
    pub seccomp: Vec<PathBuf>,
    /// Paths that could not be searched, and files named explicitly whose kind could not be
    /// told.
    pub errors: Vec<SearchError>,
}

impl Discovered {
    /// Whether nothing lintable was found.
    pub fn is_empty(&self) -> bool {
        self.dockerfiles.is_empty()
            && self.compose.is_empty()
            && self.manifests.is_empty()
            && self.daemon_json.is_empty()
            && self.seccomp.is_empty()
    }
}

/// How much of a YAML or JSON file found in a directory is read to tell what it is: a manifest
/// names `apiVersion` and `kind` near its top, and a file larger than this is still handed to
/// its loader, which reports it.
const SNIFF_BYTES: u64 = 1 << 20;

/// Sorts `paths` (files and directories) by kind. With `kind`, every file named explicitly is
/// taken to be of that kind, and directories yield only files of that kind.
pub fn discover(paths: &[PathBuf], kind: Option<SourceKind>) -> Discovered {
    let mut found = Discovered::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, kind, &mut found),
            Ok(_) => {
                let named = kind.or_else(|| kind_by_content(path));
                match named {
                    Some(SourceKind::Compose) => found.compose.push(vec![path.clone()]),
                    Some(SourceKind::Kubernetes) => {
                        found.manifests.push(path.clone());
                        found.explicit_manifests.push(path.clone());
                    }
                    Some(other) => push(&mut found, other, path.clone()),
                    None => found.errors.push(SearchError {
                        path: path.clone(),
                        message: "not a compose file, a Kubernetes manifest (no document carries apiVersion and kind), a daemon.json or a seccomp profile; --kind says which it is".into(),
                    }),
                }
            }
            Err(e) => found.errors.push(SearchError {
                path: path.clone(),
                message: e.to_string(),
            }),
        }
    }
    dedup(&mut found.dockerfiles);
    dedup(&mut found.manifests);
    dedup(&mut found.explicit_manifests);
    dedup(&mut found.daemon_json);
    dedup(&mut found.seccomp);
    let mut seen = std::collections::HashSet::new();
    found.compose.retain(|project| seen.insert(project.clone()));
    found
}

fn push(found: &mut Discovered, kind: SourceKind, path: PathBuf) {
    match kind {
        SourceKind::Dockerfile => found.dockerfiles.push(path),
        SourceKind::Compose => found.compose.push(vec![path]),
        SourceKind::Kubernetes => found.manifests.push(path),
        SourceKind::DaemonJson => found.daemon_json.push(path),
        SourceKind::Seccomp => found.seccomp.push(path),
    }
}

fn dedup(paths: &mut Vec<PathBuf>) {
    let mut seen = std::collections::HashSet::new();
    paths.retain(|p| seen.insert(p.clone()));
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or_default()
}

fn yaml_or_json(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json"].iter().any(|e| lower.ends_with(e))
}

fn walk(dir: &Path, only: Option<SourceKind>, found: &mut Discovered) {
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    let wanted = |kind: SourceKind| only.is_none_or(|k| k == kind);
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                found.errors.push(SearchError {
                    path: dir.to_path_buf(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file() || t.is_symlink()) {
            continue;
        }
        let path = entry.path();
        let name = file_name(path);
        if is_dockerfile_name(name) {
            if wanted(SourceKind::Dockerfile) {
                found.dockerfiles.push(path.to_path_buf());
            }
        } else if is_compose_file_name(name) {
            if wanted(SourceKind::Compose) {
                let mut project = vec![path.to_path_buf()];
                project.extend(override_siblings(path));
                found.compose.push(project);
            }
        } else if is_override_file_name(name) {
            // Merged into the project of the file it overrides, never a project of its own.
        } else if name == "daemon.json" {
            if wanted(SourceKind::DaemonJson) {
                found.daemon_json.push(path.to_path_buf());
            }
        } else if yaml_or_json(name) {
            let head = read_head(path, SNIFF_BYTES);
            if is_manifest_candidate(&head) {
                if wanted(SourceKind::Kubernetes) {
                    found.manifests.push(path.to_path_buf());
                }
            } else if name.to_ascii_lowercase().ends_with(".json")
                && looks_like_seccomp_profile(&head)
                && wanted(SourceKind::Seccomp)
            {
                found.seccomp.push(path.to_path_buf());
            }
        }
    }
}

/// The first `limit` bytes of a file, as text (lossy); empty when it cannot be read (its
/// loader reports why, if it is read at all).
fn read_head(path: &Path, limit: u64) -> String {
    let mut bytes = Vec::new();
    // Only regular files: opening a FIFO would block.
    if std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && let Ok(file) = std::fs::File::open(path)
    {
        let _ = file.take(limit).read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// What a file named explicitly is, by its name and content: a Dockerfile or daemon.json by
/// name; a compose file when it has a top-level `services` key; a manifest when it mentions
/// `apiVersion` and `kind`; a seccomp profile when it is JSON with `defaultAction` or
/// `syscalls`; a compose file by name; any other YAML or JSON file is unknown (`None`); any
/// other file a Dockerfile, as `dockward lint FILE` has always taken it.
fn kind_by_content(path: &Path) -> Option<SourceKind> {
    let name = file_name(path);
    if is_dockerfile_name(name) {
        return Some(SourceKind::Dockerfile);
    }
    if name == "daemon.json" {
        return Some(SourceKind::DaemonJson);
    }
    let head = read_head(path, SNIFF_BYTES);
    if has_top_level_key(&head, "services") {
        return Some(SourceKind::Compose);
    }
    if is_manifest_candidate(&head) {
        return Some(SourceKind::Kubernetes);
    }
    if looks_like_seccomp_profile(&head) {
        return Some(SourceKind::Seccomp);
    }
    if is_compose_file_name(name) || is_override_file_name(name) {
        return Some(SourceKind::Compose);
    }
    if yaml_or_json(name) {
        return None;
    }
    Some(SourceKind::Dockerfile)
}

/// Whether text mentions both `apiVersion` and `kind` as keys: the cheap test before a file
/// found in a directory is loaded as a manifest.
fn is_manifest_candidate(text: &str) -> bool {
    mentions_key(text, "apiVersion") && mentions_key(text, "kind")
}

/// Whether `key` appears as a mapping key anywhere: `key:` after indentation or a `- `, or
/// `"key"` followed by a colon (JSON, flow style).
fn mentions_key(text: &str, key: &str) -> bool {
    text.lines().any(|line| {
        let rest = line.trim_start().trim_start_matches("- ").trim_start();
        let rest = rest
            .strip_prefix('"')
            .and_then(|r| r.strip_prefix(key))
            .and_then(|r| r.strip_prefix('"'))
            .or_else(|| rest.strip_prefix(key));
        rest.is_some_and(|r| r.trim_start().starts_with(':'))
    }) || json_key(text, key)
}

/// Whether `"key"` followed by a colon occurs anywhere (JSON written on one line).
fn json_key(text: &str, key: &str) -> bool {
    let quoted = format!("\"{key}\"");
    text.match_indices(&quoted)
        .any(|(i, _)| text[i + quoted.len()..].trim_start().starts_with(':'))
}

/// Whether `key` is a key of the top-level mapping: `key:` at the start of a line, or in JSON
/// `"key":` (compose files written as JSON).
fn has_top_level_key(text: &str, key: &str) -> bool {
    let json = text.trim_start().starts_with('{');
    text.lines().any(|line| {
        line.strip_prefix(key)
            .or_else(|| {
                line.strip_prefix('"')
                    .and_then(|l| l.strip_prefix(key))
                    .and_then(|l| l.strip_prefix('"'))
            })
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    }) || (json && json_key(text, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dockward-discover-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (file, content) in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, content).expect("write");
        }
        dir
    }

    fn rel(dir: &Path, paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.strip_prefix(dir).expect("under dir").display().to_string())
            .collect()
    }

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

    #[test]
    fn a_directory_yields_each_kind_with_compose_overrides_merged() {
        let dir = tree(
            "walk",
            &[
                ("Dockerfile", "FROM scratch\n"),
                ("compose.yaml", "services: {}\n"),
                ("compose.override.yaml", "services: {}\n"),
                ("svc/api.compose.yml", "services: {}\n"),
                ("lone/docker-compose.override.yml", "services: {}\n"),
                ("k8s/web.yaml", DEPLOYMENT),
                (
                    "k8s/list.json",
                    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}",
                ),
                ("k8s/values.yaml", "replicas: 3\nimage: web\n"),
                ("etc/daemon.json", "{}"),
                ("profiles/strict.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}"),
                ("package.json", "{\"name\": \"x\"}"),
                ("ignored/k.yaml", DEPLOYMENT),
                (".gitignore", "ignored/\n"),
            ],
        );
        let found = discover(std::slice::from_ref(&dir), None);
        assert_eq!(rel(&dir, &found.dockerfiles), ["Dockerfile"]);
        let projects: Vec<Vec<String>> = found.compose.iter().map(|p| rel(&dir, p)).collect();
        assert_eq!(
            projects,
            [
                vec!["compose.yaml", "compose.override.yaml"],
                vec!["svc/api.compose.yml"]
            ]
        );
        assert_eq!(rel(&dir, &found.manifests), ["k8s/list.json", "k8s/web.yaml"]);
        assert!(found.explicit_manifests.is_empty());
        assert_eq!(rel(&dir, &found.daemon_json), ["etc/daemon.json"]);
        assert_eq!(rel(&dir, &found.seccomp), ["profiles/strict.json"]);
        assert!(found.errors.is_empty(), "{:?}", found.errors);

        let only = discover(std::slice::from_ref(&dir), Some(SourceKind::Kubernetes));
        assert_eq!(rel(&dir, &only.manifests), ["k8s/list.json", "k8s/web.yaml"]);
        assert!(only.dockerfiles.is_empty() && only.compose.is_empty() && only.seccomp.is_empty());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn a_file_named_explicitly_is_judged_by_its_content() {
        let dir = tree(
            "explicit",
            &[
                ("app.yml", "version: '3'\nservices:\n  web:\n    image: nginx\n"),
                ("deploy.yml", DEPLOYMENT),
                ("profile.json", "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n"),
                ("values.yaml", "replicas: 3\n"),
                ("build.txt", "FROM scratch\n"),
                ("compose.override.yaml", "x-empty: true\n"),
            ],
        );
        let paths: Vec<PathBuf> = [
            "app.yml",
            "deploy.yml",
            "profile.json",
            "values.yaml",
            "build.txt",
            "compose.override.yaml",
            "missing.yaml",
        ]
        .iter()
        .map(|f| dir.join(f))
        .collect();
        let found = discover(&paths, None);
        assert_eq!(
            found.compose,
            [vec![dir.join("app.yml")], vec![dir.join("compose.override.yaml")]]
        );
        assert_eq!(found.manifests, [dir.join("deploy.yml")]);
        assert_eq!(found.explicit_manifests, [dir.join("deploy.yml")]);
        assert_eq!(found.seccomp, [dir.join("profile.json")]);
        assert_eq!(found.dockerfiles, [dir.join("build.txt")]);
        let errors: Vec<(String, &str)> = found
            .errors
            .iter()
            .map(|e| {
                (
                    rel(&dir, std::slice::from_ref(&e.path))[0].clone(),
                    e.message.as_str(),
                )
            })
            .collect();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].0, "values.yaml");
        assert!(
            errors[0]
                .1
                .starts_with("not a compose file, a Kubernetes manifest")
        );
        assert_eq!(errors[1].0, "missing.yaml");

        let forced = discover(&[dir.join("values.yaml")], Some(SourceKind::Kubernetes));
        assert_eq!(forced.manifests, [dir.join("values.yaml")]);
        assert_eq!(forced.explicit_manifests, [dir.join("values.yaml")]);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn the_key_tests_never_panic_on_odd_text() {
        // A small deterministic generator over the characters the tests look at (quotes,
        // colons, dashes, multi-byte text): the sniffers slice text at match positions.
        let alphabet: Vec<char> = "\"{}:- \n\tapiVersionkindservicesé€𝄞".chars().collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for i in 0..(state % 48) {
                let index = ((state >> (i % 50)) as usize).wrapping_add(i as usize) % alphabet.len();
                text.push(alphabet[index]);
            }
            let _ = is_manifest_candidate(&text);
            let _ = has_top_level_key(&text, "services");
        }
    }

    #[test]
    fn keys_are_told_from_text() {
        assert!(is_manifest_candidate("- apiVersion: v1\n  kind: Pod\n"));
        assert!(is_manifest_candidate("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}"));
        assert!(!is_manifest_candidate("# apiVersion and kind\nfoo: 1\n"));
        assert!(has_top_level_key(
            "x-a: &a\n  b: 1\nservices:\n  web: {}\n",
            "services"
        ));
        assert!(!has_top_level_key("spec:\n  services:\n    - a\n", "services"));
        assert!(has_top_level_key("{\"services\": {}}", "services"));
        assert_eq!(SourceKind::parse("daemon-json"), Some(SourceKind::DaemonJson));
        assert_eq!(SourceKind::Seccomp.name(), "seccomp");
    }
}
