//! CIS 5.8: privileged host ports published.

use crate::prelude::*;

use super::port_evidence;

declare_rule! {
    /// ## What it checks
    /// The host side of every published port (`-p HOST:CONTAINER`). It fails when a host port, or
    /// the start of a host port range, is below 1024. Port 1024 itself is not privileged. Random
    /// host ports (`-p 80`, `-P`) are always above 1024.
    ///
    /// ## Why it matters
    /// Ports below 1024 are reserved for services the host administrator runs; a container that
    /// claims one can impersonate such a service (SSH, DNS, HTTP) to clients of the host.
    ///
    /// ## How to fix
    /// Publish on a host port of 1024 or above (`-p 8080:80`) and put a proxy in front if clients
    /// need the standard port.
    pub static RULE = Rule {
        id: "CT0008",
        name: "privileged-host-port",
        title: "Privileged ports are not mapped within containers",
        severity: Severity::Low,
        references: &["cis-docker-1.6.0:5.8"],
        fix: "publish on a host port of 1024 or above, e.g. -p 8080:80",
        check: Check::Container(ContainerCheck {
            needs: &["/HostConfig/PortBindings", "/NetworkSettings/Ports"],
            check,
        }),
    };
}

/// The lowest host port of a `HostPort` value (`"80"`, `"8000-8010"`); `None` for a random port.
fn lowest_port(host_port: &str) -> Option<u32> {
    let first = host_port.split('-').next()?.trim();
    first.parse::<u32>().ok().filter(|p| *p != 0)
}

fn check(_ctx: &Context<'_>, w: &Workload) -> Verdict {
    let privileged: Vec<_> = w
        .ports
        .iter()
        .filter(|p| lowest_port(&p.host_port).is_some_and(|port| port < 1024))
        .collect();
    if privileged.is_empty() {
        return Verdict::pass("no privileged host port is published");
    }
    let list: Vec<String> = privileged
        .iter()
        .map(|p| format!("{} -> {}", p.host_port, p.container_port))
        .collect();
    Verdict::fail(format!(
        "privileged host ports are published: {}",
        list.join(", ")
    ))
    .with_evidence(privileged.iter().map(|p| port_evidence(p)))
}

#[cfg(test)]
mod tests {
    use super::lowest_port;

    #[test]
    fn host_port_forms() {
        assert_eq!(lowest_port("80"), Some(80));
        assert_eq!(lowest_port("1000-1100"), Some(1000));
        assert_eq!(lowest_port(""), None);
        assert_eq!(lowest_port("0"), None);
    }
}
