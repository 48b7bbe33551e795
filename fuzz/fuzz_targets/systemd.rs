//! systemd unit files with drop-ins, EnvironmentFile= contents and `$VAR` expansion of ExecStart=.
//! The input is split at NUL bytes into the unit and its drop-ins.
#![no_main]

use std::collections::BTreeMap;

use dockward_collect::parse::systemd::{UnitText, expand, parse_environment_file, parse_service};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files: Vec<UnitText<'_>> = text
        .split('\0')
        .take(4)
        .map(|text| UnitText {
            path: "/lib/systemd/system/docker.service",
            text,
        })
        .collect();
    let service = parse_service(&files);
    let env: BTreeMap<String, String> = parse_environment_file(text)
        .into_iter()
        .chain(service.environment.iter().map(|(k, v, _)| (k.clone(), v.clone())))
        .collect();
    if let Some((words, _)) = &service.exec_start {
        let _ = expand(words, &env);
    }
});
