//! Rules judging one Engine API request as the authorization plugin and the proxy see it:
//! what a request does besides creating a container (exec, update, builds, plugins, routes
//! dockward does not know). Requests that create containers are judged by the container rules.

pub mod buildkit_session;
pub mod exec_as_root;
pub mod host_network_build;
pub mod plugin_change;
pub mod privileged_exec;
pub mod unknown_route;
pub mod update_lifts_limit;
