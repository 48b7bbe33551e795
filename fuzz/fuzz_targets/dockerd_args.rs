//! dockerd's command line, as read from /proc/PID/cmdline (NUL-separated words).
#![no_main]

use dockward_collect::parse::dockerd_args::parse_dockerd_args;
use dockward_collect::parse::procfs::parse_cmdline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let argv = parse_cmdline(data);
    let parsed = parse_dockerd_args(&argv);
    for key in ["config-file", "host", "tlsverify", "default-ulimit", "log-opt"] {
        let _ = parsed.get(key);
    }
});
