//! auditd rules files and `auditctl -l` output.
#![no_main]

use dockward_collect::parse::audit_rules::parse_audit_rules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The collector reads `auditctl -l` output lossily; rules files must be UTF-8.
    let text = String::from_utf8_lossy(data);
    let _ = parse_audit_rules(&text, "/etc/audit/rules.d/docker.rules");
});
