//! Engine API requests as the authorization plugin or the proxy receives them, turned into
//! [`dockward_model::ApiRequest`]s: pure, no I/O.
//!
//! [`route`] normalizes the URI the way dockerd routes it and maps the route to an
//! [`dockward_model::Action`]; [`body`] reads the JSON bodies of the routes that create or
//! change containers, services, volumes and exec instances.

pub mod body;
pub mod route;

pub use route::{RequestParts, Unjudgeable, parse_request};
