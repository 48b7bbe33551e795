//! Parsers for the files and kernel tables the host and daemon collectors read. Pure: text in,
//! structures out; positions kept for provenance; bad input gives an error, never a panic.

pub mod audit_rules;
pub mod dockerd_args;
pub mod dockerfile;
pub mod gojson;
#[cfg(test)]
mod gojson_oracle;
pub mod json;
pub mod procfs;
pub mod shell;
pub mod systemd;
