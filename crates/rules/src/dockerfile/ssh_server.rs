//! An SSH server in the image.

use dockward_model::dockerfile::{Args, Dockerfile};

use super::{clean, fail_at, installed_packages, instructions_named, package_name, run_commands};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `EXPOSE 22` (also `22/tcp`), and `RUN` commands that install an SSH server:
    /// `openssh-server`, `dropbear` (and `dropbear-bin`), or Alpine's `openssh` (which includes
    /// `sshd`). SSH clients (`openssh-client`) pass.
    ///
    /// ## Why it matters
    /// An SSH daemon in a container is one more service to patch, configure and protect with
    /// keys, and it bypasses Docker's own access control and audit trail. `docker exec` gives
    /// operators a shell without any of that (CIS 5.7 asks for no sshd in containers).
    ///
    /// ## How to fix
    /// Remove the SSH server and `EXPOSE 22`; use `docker exec -it <container> sh` to get in.
    pub static RULE = Rule {
        id: "DF0012",
        name: "ssh-server",
        title: "Images do not run an SSH server",
        severity: Severity::Medium,
        references: &[],
        fix: "remove the SSH server and EXPOSE 22; use docker exec instead",
        check: Check::Dockerfile(check),
    };
}

const SSH_SERVER_PACKAGES: [&str; 4] = ["openssh-server", "dropbear", "dropbear-bin", "openssh-server-pam"];

fn check(_ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let mut findings = Vec::new();
    for expose in instructions_named(df, "EXPOSE") {
        if let Args::Words { words } = &expose.args {
            for word in words {
                let (port, protocol) = word.text.split_once('/').unwrap_or((&word.text, "tcp"));
                if port == "22" && protocol.eq_ignore_ascii_case("tcp") {
                    findings.push(fail_at(df, word.pos, "EXPOSE 22 publishes SSH"));
                }
            }
        }
    }
    for (_, command) in run_commands(df) {
        let alpine = command.program() == Some("apk");
        for package in installed_packages(command).unwrap_or_default() {
            let name = package_name(&package.text);
            if SSH_SERVER_PACKAGES.contains(&name) || (alpine && name == "openssh") {
                findings.push(fail_at(
                    df,
                    package.pos,
                    format!("RUN installs the SSH server {name}"),
                ));
            }
        }
    }
    if findings.is_empty() {
        clean("no SSH server is installed or exposed")
    } else {
        findings
    }
}
