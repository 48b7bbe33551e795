//! Finds Dockerfiles under the paths given to `dockward lint`.

use std::path::{Path, PathBuf};

/// Whether a file name is a Dockerfile's: `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`,
/// `*.dockerfile`, `Containerfile`, `Containerfile.*`.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["dockerfile", "containerfile"]
        .iter()
        .any(|base| lower == *base || lower.starts_with(&format!("{base}.")))
        || lower.ends_with(".dockerfile")
}

/// A path that could not be searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// The Dockerfiles named by `paths`, in a stable order: files as given (whatever their name),
/// and Dockerfiles found in directories recursively, skipping what `.gitignore`, `.ignore` and
/// git's exclude files exclude, and `.git` itself. Hidden directories are searched
/// (`.devcontainer/Dockerfile`).
pub fn find_dockerfiles(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<SearchError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut found, &mut errors),
            Ok(_) => found.push(path.clone()),
            Err(e) => errors.push(SearchError {
                path: path.clone(),
                message: e.to_string(),
            }),
        }
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|p| seen.insert(p.clone()));
    (found, errors)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>, errors: &mut Vec<SearchError>) {
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file() || t.is_symlink());
                if is_file && entry.file_name().to_str().is_some_and(is_dockerfile_name) {
                    found.push(entry.into_path());
                }
            }
            Err(e) => errors.push(SearchError {
                path: dir.to_path_buf(),
                message: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for name in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.prod",
            "api.Dockerfile",
            "web.dockerfile",
            "Containerfile",
            "Containerfile.dev",
        ] {
            assert!(is_dockerfile_name(name), "{name}");
        }
        for name in [
            "Dockerfiles",
            "README.md",
            "Dockerfile-old",
            "docker-compose.yml",
            ".dockerignore",
        ] {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }

    #[test]
    fn walks_directories_and_honours_gitignore() {
        let dir = std::env::temp_dir().join(format!("dockward-find-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in [
            "Dockerfile",
            "svc/api.Dockerfile",
            ".devcontainer/Dockerfile",
            "build/Dockerfile",
            "svc/notes.txt",
            ".git/Dockerfile",
        ] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "FROM scratch\n").expect("write");
        }
        std::fs::write(dir.join(".gitignore"), "build/\n").expect("write");
        let (found, errors) = find_dockerfiles(std::slice::from_ref(&dir));
        let relative: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&dir).expect("under dir").display().to_string())
            .collect();
        assert_eq!(
            relative,
            [".devcontainer/Dockerfile", "Dockerfile", "svc/api.Dockerfile"]
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (found, errors) = find_dockerfiles(&[dir.join("svc/notes.txt"), dir.join("missing")]);
        assert_eq!(found, [dir.join("svc/notes.txt")]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, dir.join("missing"));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
