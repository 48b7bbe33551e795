//! CIS 1.1.2: who can control the daemon.

use crate::facts::{host_facts, observed, on_host};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// Who can use the daemon's unix socket: its owner, the members of its group (listed in
    /// `/etc/group`, or having it as their primary group in `/etc/passwd`), and everyone when it is
    /// world-writable. With `--trusted-users a,b` (or the policy option `trusted-users`, `[options]`
    /// in the policy file) it fails for anyone not listed; without that list it is not applicable
    /// and lists the users, since only a person can say who is trusted. A socket only root can use
    /// passes.
    ///
    /// ## Why it matters
    /// Access to the Docker socket is root on the host: a member of the `docker` group can start a
    /// privileged container with `/` mounted. Group membership is often handed out for convenience.
    ///
    /// ## How to fix
    /// Remove users who should not be root from the group (`gpasswd -d USER docker`), give the others
    /// sudo rules that are logged, or use rootless Docker per user.
    pub static RULE = Rule {
        id: "HO0002",
        name: "socket-users",
        title: "Only trusted users are allowed to control the Docker daemon",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:1.1.2"],
        fix: "remove untrusted users from the socket's group (gpasswd -d USER docker) and keep the socket mode 0660 or stricter",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let access = match host_facts(ctx)
        .and_then(|h| observed(&h.socket_access, "who can reach the daemon's socket is"))
    {
        Ok(access) => access,
        Err(unknown) => return on_host(ctx, unknown),
    };
    let a = &access.value;
    let evidence = Evidence::new(
        access.at.to_string(),
        serde_json::json!({
            "owner": a.stat.user.clone().unwrap_or_else(|| a.stat.uid.to_string()),
            "group": a.stat.group.clone().unwrap_or_else(|| a.stat.gid.to_string()),
            "mode": format!("{:04o}", a.stat.mode),
            "members": a.group_members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        }),
    );
    let mut users: Vec<String> = Vec::new();
    if a.stat.uid != 0 {
        users.push(
            a.stat
                .user
                .clone()
                .unwrap_or_else(|| format!("uid {}", a.stat.uid)),
        );
    }
    users.extend(a.group_members.iter().map(|m| m.name.clone()));
    users.sort();
    users.dedup();
    let everyone = a.stat.mode & 0o006 != 0;
    if everyone {
        return on_host(
            ctx,
            Verdict::fail(format!(
                "every user can use {} (mode {:04o})",
                a.socket, a.stat.mode
            ))
            .with_evidence([evidence]),
        );
    }
    if users.is_empty() {
        return on_host(
            ctx,
            Verdict::pass(format!("only root can use {}", a.socket)).with_evidence([evidence]),
        );
    }
    let Some(trusted) = &ctx.settings.trusted_users else {
        return on_host(
            ctx,
            Verdict::not_applicable(format!(
                "{} can use {} as root; pass --trusted-users to judge them",
                users.join(", "),
                a.socket
            ))
            .with_evidence([evidence]),
        );
    };
    let untrusted: Vec<&String> = users.iter().filter(|u| !trusted.contains(u)).collect();
    let verdict = if untrusted.is_empty() {
        Verdict::pass(format!(
            "only trusted users can use {}: {}",
            a.socket,
            users.join(", ")
        ))
    } else {
        let names: Vec<&str> = untrusted.iter().map(|u| u.as_str()).collect();
        Verdict::fail(format!(
            "users not in the trusted list can use {}: {}",
            a.socket,
            names.join(", ")
        ))
    };
    on_host(ctx, verdict.with_evidence([evidence]))
}
