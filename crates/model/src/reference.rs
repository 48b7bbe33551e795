//! Image references (`nginx:1.25`, `ghcr.io/org/app@sha256:…`) normalized as Docker normalizes
//! them (the distribution library's `ParseNormalizedNamed`): the registry a reference pulls from
//! and the repository in it. `nginx` is `docker.io/library/nginx`; `index.docker.io` is
//! `docker.io`; the first path component is a registry only when it has a `.` or a `:`, is
//! `localhost`, or has upper case letters (which repositories cannot).

/// The registry and the repository of an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageName {
    /// The registry host (and port), lower case: `docker.io`, `registry.example.com:5000`.
    pub registry: String,
    /// The repository path, without tag or digest: `library/nginx`, `org/app`.
    pub repository: String,
}

impl ImageName {
    /// `registry/repository`: `docker.io/library/nginx`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// Whether the image comes from `entry`: a registry (`registry.example.com`,
    /// `index.docker.io`), optionally with a repository prefix (`docker.io/library`,
    /// `ghcr.io/org`) that must match whole path components. Registries compare in any case.
    pub fn comes_from(&self, entry: &str) -> bool {
        let entry = entry.trim().trim_end_matches('/');
        let (registry, prefix) = entry.split_once('/').unwrap_or((entry, ""));
        if registry.is_empty() || normalize_registry(registry) != self.registry {
            return false;
        }
        registry_prefix_matches(&self.repository, prefix)
    }
}

/// Whether `repository` is `prefix` or lies below it (whole path components); an empty prefix
/// matches every repository.
pub fn registry_prefix_matches(repository: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || repository == prefix
        || repository
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Docker Hub's registry, as references name it after normalizing.
pub const DOCKER_HUB: &str = "docker.io";

fn normalize_registry(registry: &str) -> String {
    let lower = registry.to_ascii_lowercase();
    if lower == "index.docker.io" || lower == "registry-1.docker.io" {
        DOCKER_HUB.to_string()
    } else {
        lower
    }
}

/// Whether a reference is an image id rather than a name: `sha256:…` or 64 hex digits. (A short
/// id cannot be told from a name, and is read as one.)
fn is_image_id(reference: &str) -> bool {
    reference.starts_with("sha256:")
        || (reference.len() == 64 && reference.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The registry and repository of `reference`; `None` for an empty reference, an image id, or
/// one with an empty path component (`a//b`, `/x`), which names no repository.
pub fn parse_image_name(reference: &str) -> Option<ImageName> {
    let reference = reference.trim();
    if reference.is_empty() || is_image_id(reference) {
        return None;
    }
    let name = reference.split_once('@').map_or(reference, |(name, _)| name);
    let (registry, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (normalize_registry(first), rest)
        }
        _ => (DOCKER_HUB.to_string(), name),
    };
    // The tag follows the last component's `:` (a registry's port is not in `path`).
    let path = match path.rsplit_once('/') {
        Some((head, last)) => {
            let last = last.split_once(':').map_or(last, |(repo, _)| repo);
            format!("{head}/{last}")
        }
        None => path.split_once(':').map_or(path, |(repo, _)| repo).to_string(),
    };
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return None;
    }
    let repository = if registry == DOCKER_HUB && !path.contains('/') {
        format!("library/{path}")
    } else {
        path
    };
    Some(ImageName { registry, repository })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(reference: &str) -> Option<(String, String)> {
        parse_image_name(reference).map(|n| (n.registry, n.repository))
    }

    fn name(registry: &str, repository: &str) -> Option<(String, String)> {
        Some((registry.to_string(), repository.to_string()))
    }

    #[test]
    fn references_normalize_like_docker() {
        assert_eq!(parsed("nginx"), name("docker.io", "library/nginx"));
        assert_eq!(parsed("nginx:1.25"), name("docker.io", "library/nginx"));
        assert_eq!(parsed("nginx@sha256:abcd"), name("docker.io", "library/nginx"));
        assert_eq!(parsed("nginx:1@sha256:abcd"), name("docker.io", "library/nginx"));
        assert_eq!(parsed("docker.io/nginx"), name("docker.io", "library/nginx"));
        assert_eq!(
            parsed("index.docker.io/library/nginx"),
            name("docker.io", "library/nginx")
        );
        assert_eq!(parsed("bitnami/redis:7"), name("docker.io", "bitnami/redis"));
        assert_eq!(parsed("ghcr.io/org/app:v1"), name("ghcr.io", "org/app"));
        assert_eq!(parsed("localhost/app"), name("localhost", "app"));
        assert_eq!(
            parsed("Registry.Example.com:5000/team/app:2"),
            name("registry.example.com:5000", "team/app")
        );
        assert_eq!(parsed("localhost:5000/app"), name("localhost:5000", "app"));
        assert_eq!(parsed(""), None);
        assert_eq!(parsed("sha256:0123"), None);
        assert_eq!(parsed(&"a".repeat(64)), None);
        assert_eq!(parsed("a//b"), None);
        assert_eq!(parsed("/x"), None);
        assert_eq!(parsed("ghcr.io/"), None);
    }

    #[test]
    fn entries_match_registries_and_whole_repository_prefixes() {
        let hub = parse_image_name("nginx").unwrap();
        assert!(hub.comes_from("docker.io"));
        assert!(hub.comes_from("index.docker.io"));
        assert!(hub.comes_from("docker.io/library"));
        assert!(hub.comes_from("Docker.IO/library/"));
        assert!(!hub.comes_from("docker.io/lib"));
        assert!(!hub.comes_from("ghcr.io"));
        assert!(!hub.comes_from(""));
        let team = parse_image_name("registry.example.com/team/app").unwrap();
        assert!(team.comes_from("registry.example.com"));
        assert!(team.comes_from("registry.example.com/team"));
        assert!(!team.comes_from("registry.example.com/te"));
        assert!(!team.comes_from("example.com"));
        assert_eq!(team.full_name(), "registry.example.com/team/app");
    }
}
