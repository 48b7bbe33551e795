//! Rules judging the owner and permissions of the daemon's files (CIS Docker Benchmark 1.6.0
//! section 3), at the paths the running daemon actually uses.

use dockward_model::host::role;
use dockward_model::{Evidence, FileFacts, FileStat, FileState, Target, TargetKind, Verdict};

use crate::facts::{daemon_config, host_facts, on_host};
use crate::rule::{Context, Judged};

pub mod containerd_socket_ownership;
pub mod containerd_socket_permissions;
pub mod daemon_json_ownership;
pub mod daemon_json_permissions;
pub mod docker_service_ownership;
pub mod docker_service_permissions;
pub mod docker_socket_ownership;
pub mod docker_socket_permissions;
pub mod docker_socket_unit_ownership;
pub mod docker_socket_unit_permissions;
pub mod etc_default_docker_ownership;
pub mod etc_default_docker_permissions;
pub mod etc_docker_ownership;
pub mod etc_docker_permissions;
pub mod etc_sysconfig_docker_ownership;
pub mod etc_sysconfig_docker_permissions;
pub mod registry_cert_ownership;
pub mod registry_cert_permissions;
pub mod tls_ca_ownership;
pub mod tls_ca_permissions;
pub mod tls_cert_ownership;
pub mod tls_cert_permissions;
pub mod tls_key_ownership;
pub mod tls_key_permissions;

/// Which files a rule judges.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Files {
    /// The file with this role (see [`role`]).
    Role(&'static str),
    /// Every file below `/etc/docker/certs.d`.
    RegistryCerts,
    /// The daemon's unix API sockets.
    ApiSockets,
}

/// Who must own a file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Owner {
    /// The group must be root, or the daemon's socket group (`--group`, default `docker`).
    socket_group: bool,
}

impl Owner {
    /// uid 0, gid 0.
    pub(crate) const ROOT: Owner = Owner { socket_group: false };
    /// uid 0, and the daemon's socket group (or root).
    pub(crate) const ROOT_DOCKER: Owner = Owner { socket_group: true };
}

/// Roles whose path comes from the daemon's configuration: without it they are unknown.
const CONFIGURED: [&str; 4] = [
    role::TLS_CA_CERT,
    role::TLS_CERT,
    role::TLS_KEY,
    role::DAEMON_JSON,
];

/// The files a rule judges, or the verdicts when there are none to judge.
fn select<'a>(ctx: &Context<'a>, files: Files) -> Result<Vec<&'a FileFacts>, Vec<Judged>> {
    let host = host_facts(ctx).map_err(|unknown| on_host(ctx, unknown))?;
    match files {
        Files::Role(name) => match host.files.get(name) {
            Some(file) => Ok(vec![file]),
            None if CONFIGURED.contains(&name) => {
                if let Err(unknown) = daemon_config(ctx) {
                    return Err(on_host(ctx, unknown));
                }
                Err(on_host(
                    ctx,
                    Verdict::not_applicable(format!("the daemon's configuration names no {name} file")),
                ))
            }
            None => Err(on_host(
                ctx,
                Verdict::error(format!("the path of {name} could not be determined")),
            )),
        },
        Files::RegistryCerts => match host.registry_certs.as_result() {
            Ok(certs) if certs.value.is_empty() => Err(on_host(
                ctx,
                Verdict::not_applicable("there are no registry certificates below /etc/docker/certs.d"),
            )),
            Ok(certs) => Ok(certs.value.iter().collect()),
            Err(reason) => Err(on_host(
                ctx,
                Verdict::error(format!("registry certificates could not be listed: {reason}")),
            )),
        },
        Files::ApiSockets if host.api_sockets.is_empty() => Err(on_host(
            ctx,
            Verdict::not_applicable("the daemon serves its API on no unix socket"),
        )),
        Files::ApiSockets => Ok(host.api_sockets.iter().collect()),
    }
}

fn file_target(file: &FileFacts) -> Target {
    Target {
        kind: TargetKind::File,
        name: file.path.clone(),
        id: None,
    }
}

fn stat_evidence(file: &FileFacts, stat: &FileStat) -> Evidence {
    Evidence::new(
        file.path.clone(),
        serde_json::json!({
            "owner": stat.user.clone().unwrap_or_else(|| stat.uid.to_string()),
            "uid": stat.uid,
            "group": stat.group.clone().unwrap_or_else(|| stat.gid.to_string()),
            "gid": stat.gid,
            "mode": format!("{:04o}", stat.mode),
            "origin": file.origin,
        }),
    )
}

/// Judges each file with `judge`, reporting missing and unreadable files honestly.
fn each_file(ctx: &Context<'_>, files: Files, judge: impl Fn(&FileStat) -> Verdict) -> Vec<Judged> {
    let files = match select(ctx, files) {
        Ok(files) => files,
        Err(judged) => return judged,
    };
    files
        .into_iter()
        .map(|file| {
            let verdict = match &file.state {
                FileState::Missing => Verdict::not_applicable(format!("{} does not exist", file.path)),
                FileState::Unreadable { reason } => {
                    Verdict::error(format!("{} could not be examined: {reason}", file.path))
                }
                FileState::Present(stat) => judge(stat).with_evidence([stat_evidence(file, stat)]),
            };
            Judged {
                target: file_target(file),
                verdict,
            }
        })
        .collect()
}

fn name_of(name: Option<&String>, id: u32) -> String {
    name.cloned().unwrap_or_else(|| id.to_string())
}

/// The shared check of the ownership rules.
pub(crate) fn ownership_check(ctx: &Context<'_>, files: Files, owner: Owner) -> Vec<Judged> {
    let socket_group = ctx
        .daemon
        .config
        .as_ref()
        .and_then(|c| c.str("group").map(|(g, _)| g.to_string()))
        .unwrap_or_else(|| "docker".to_string());
    each_file(ctx, files, |stat| {
        let user = name_of(stat.user.as_ref(), stat.uid);
        let group = name_of(stat.group.as_ref(), stat.gid);
        let group_ok =
            stat.gid == 0 || (owner.socket_group && stat.group.as_deref() == Some(socket_group.as_str()));
        let wanted = if owner.socket_group {
            format!("root:{socket_group}")
        } else {
            "root:root".to_string()
        };
        if stat.uid == 0 && group_ok {
            Verdict::pass(format!("owned by {user}:{group}"))
        } else {
            Verdict::fail(format!("owned by {user}:{group}, not {wanted}"))
        }
    })
}

/// Names the permission bits in `bits`.
fn describe_bits(bits: u32) -> String {
    let mut parts = Vec::new();
    for (mask, name) in [(0o4000, "setuid"), (0o2000, "setgid"), (0o1000, "sticky")] {
        if bits & mask != 0 {
            parts.push(name.to_string());
        }
    }
    for (shift, who) in [(6, "owner"), (3, "group"), (0, "others")] {
        let rwx = (bits >> shift) & 0o7;
        if rwx != 0 {
            let perms: String = [(4, 'r'), (2, 'w'), (1, 'x')]
                .iter()
                .filter(|(b, _)| rwx & b != 0)
                .map(|(_, c)| *c)
                .collect();
            parts.push(format!("{who} {perms}"));
        }
    }
    parts.join(", ")
}

/// The shared check of the permission rules: no bit beyond `max`.
pub(crate) fn permissions_check(ctx: &Context<'_>, files: Files, max: u32) -> Vec<Judged> {
    each_file(ctx, files, |stat| {
        let extra = stat.mode & 0o7777 & !max;
        if extra == 0 {
            Verdict::pass(format!("mode {:04o} grants nothing beyond {max:04o}", stat.mode))
        } else {
            Verdict::fail(format!(
                "mode {:04o} grants more than {max:04o}: {}",
                stat.mode,
                describe_bits(extra)
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::describe_bits;

    #[test]
    fn extra_bits_are_named() {
        assert_eq!(0o607 & !0o644, 0o003);
        assert_eq!(describe_bits(0o607 & 0o7777 & !0o644), "others wx");
        assert_eq!(describe_bits(0o4020), "setuid, group w");
        assert_eq!(describe_bits(0o077), "group rwx, others rwx");
    }
}
