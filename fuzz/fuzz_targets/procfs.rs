//! The /proc tables and account files the host collector reads: every parser gets the same input.
#![no_main]

use dockward_collect::parse::procfs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = procfs::parse_cmdline(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = procfs::parse_net_unix(text);
    let _ = procfs::parse_net_tcp(text, false);
    let _ = procfs::parse_net_tcp(text, true);
    let mounts = procfs::parse_mountinfo(text);
    for path in [
        "/",
        "/var/lib/docker",
        "/var/lib/docker/",
        "",
        "relative",
        "/a/../b",
    ] {
        let _ = procfs::mount_holding(&mounts, path);
    }
    if let Some(mount) = mounts.first() {
        let _ = procfs::mount_holding(&mounts, &mount.mount_point);
    }
    let _ = procfs::parse_passwd(text);
    let _ = procfs::parse_group(text);
    for field in ["Uid", "Seccomp", ""] {
        let _ = procfs::parse_status_field(text, field);
    }
    let _ = procfs::systemd_unit_of(text);
    let _ = procfs::socket_inode(text);
    let _ = procfs::kernel_config_value(text, "CONFIG_SECCOMP_FILTER");
});
