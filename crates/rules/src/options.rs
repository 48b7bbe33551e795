//! Rule options: the thresholds and allow-lists of the rules that have them, set in the policy
//! file's `[options]` table. Each `None` (or empty list) means the rule's built-in default.

/// The options of every rule that takes one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOptions {
    /// Capabilities a container may add without failing `added-capabilities` (CT0004), upper
    /// case without the `CAP_` prefix (`NET_BIND_SERVICE`); `None` for none.
    pub allowed_capabilities: Option<Vec<String>>,
    /// Host paths that `sensitive-host-mount` (CT0007) fails on, besides its built-in list.
    pub sensitive_host_paths: Vec<String>,
    /// How strict a container's PIDs limit must at least be (policy `min-pids-limit`):
    /// `pids-unlimited` (CT0025) fails a limit above it, as it fails no limit; `None` for any
    /// positive limit.
    pub min_pids_limit: Option<i64>,
    /// Registries base images and container images may come from (`registry.example.com`,
    /// `docker.io/library`: a registry, optionally with a repository prefix matched by whole path
    /// components), judged by the opt-in rules `untrusted-registry` (CT0033),
    /// `image-untrusted-registry` (IM0009) and `untrusted-base-image` (DF0020) on references
    /// normalized as Docker does (`dockward_model::reference`); `None` leaves them
    /// not applicable.
    pub trusted_registries: Option<Vec<String>>,
}
