//! dockward's collectors: the only code that talks to the Docker daemon or reads the host.
//!
//! [`collect_snapshot`] turns a live daemon into a [`dockward_model::Snapshot`]; the normalizer in
//! [`inspect`] is pure and also used by rule tests to turn recorded inspect documents into facts.
#![warn(missing_docs)]

pub mod client;
pub mod compose;
pub mod config_files;
pub mod discover;
pub mod dockerfiles;
pub mod endpoint;
mod engine;
mod error;
mod host;
pub mod image_fs;
mod images;
pub mod inspect;
pub mod kubernetes;
pub mod labels;
pub mod parse;
pub mod platform;
pub mod request;
pub mod yaml;

pub use client::{Client, Limits};
pub use endpoint::{Endpoint, Environment};
pub use engine::{
    Options, client_facts, collect_snapshot, info_from_json, now_rfc3339, platform_without_api,
};
pub use error::CollectError;
pub use host::{daemon_sockets, inspect_mount_sources};
pub use images::{ImageSelection, image_passwd};
