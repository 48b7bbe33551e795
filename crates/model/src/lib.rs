//! dockward's facts: the normalized, serializable description of what was observed.
//!
//! Collectors and parsers produce these types; rules read them and never do I/O themselves.
//! Everything here is plain data so a [`Snapshot`] written by `dockward collect` can be audited
//! later with exactly the same result as a live run.
#![warn(missing_docs)]

pub mod config;
pub mod daemon;
pub mod dockerfile;
pub mod fact;
pub mod host;
pub mod image;
pub mod reference;
pub mod request;
pub mod result;
pub mod seccomp;
pub mod security_opt;
pub mod snapshot;
pub mod source;
pub mod workload;

pub use config::{
    ConfigFile, ConfigFileState, ConfigProblem, ConfigProblemKind, DaemonConfig, DaemonProcess, Setting,
    SystemdUnit,
};
pub use daemon::{DaemonFacts, FileId, HostSocket, InfoFacts, OverlayNetwork, Sprawl, SwarmFacts};
pub use fact::{Fact, Provenance};
pub use host::{
    Account, AuditFacts, AuditRule, AuditTarget, FileFacts, FileStat, FileState, HostFacts, Listener,
    ListenerProbe, MountPoint, Observed, SocketAccess,
};
pub use image::{HistoryEntry, ImageFacts, ImageFile, ImageFilesystem, SecretFile};
pub use request::{Action, ApiRequest, BuildSpec, ExecSpec, PluginChange, ResourceUpdate};
pub use result::{
    Evidence, Location, RuleResult, Severity, Status, Suppression, Target, TargetKind, Verdict, Waived,
};
pub use seccomp::{ArchMapEntry, SeccompProfile, SeccompProfileFile, SyscallRule};
pub use snapshot::{ClientFacts, CollectionError, Snapshot};
pub use source::SourceError;
pub use workload::{
    ContainerType, Device, DeviceRequest, Healthcheck, JoinTarget, JoinableNamespace, KubernetesFacts, Mount,
    NamespaceMode, Origin, PodLevel, PodVolume, PortBinding, ResolvedJoin, RestartPolicy, SeLinuxOptions,
    Ulimit, Workload,
};
