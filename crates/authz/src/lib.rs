//! dockward's enforcement: an authorization plugin for dockerd and a filtering proxy in front of
//! the daemon's socket. Both decide with the same rules as `dockward audit`: a request is parsed
//! the way dockerd reads it, what it refers to is looked up, and the profile's rules decide.
#![warn(missing_docs)]

pub mod engine;
pub mod log;
pub mod lookup;
pub mod package;
pub mod plugin;
pub mod policy;
pub mod proxy;
pub mod run;
pub mod server;
pub mod settings;
pub mod socket;
