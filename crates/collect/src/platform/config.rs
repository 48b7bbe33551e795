//! The running daemon's configuration: its command line, its configuration file and the systemd
//! unit that starts it, merged as dockerd merges them, with every inconsistency recorded.

use std::collections::BTreeMap;

use dockward_model::{
    ConfigFile, ConfigFileState, ConfigProblem, ConfigProblemKind, DaemonConfig, DaemonProcess, Fact,
    InfoFacts, Provenance, Setting, SystemdUnit,
};

use crate::config_files::read_daemon_json;
use crate::parse::dockerd_args::{ParsedArgs, parse_dockerd_args};
use crate::parse::procfs;
use crate::parse::systemd::{UnitText, expand, parse_environment_file, parse_service};

use super::fs::HostFs;
use super::process::FoundDaemon;

/// Where systemd looks for unit files, most important first.
const UNIT_DIRS: [&str; 5] = [
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
];

/// The unit file systemd would load for `name`, if any.
pub fn unit_file(fs: &HostFs, name: &str) -> Option<String> {
    UNIT_DIRS
        .iter()
        .map(|dir| format!("{dir}/{name}"))
        .find(|path| fs.exists(path))
}

/// Drop-in files for `name`, in the order systemd applies them (by file name; a file in a more
/// important directory hides one of the same name in a less important one).
fn drop_ins(fs: &HostFs, name: &str) -> Vec<String> {
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for dir in UNIT_DIRS.iter().rev() {
        let dir = format!("{dir}/{name}.d");
        for file in fs
            .list(&dir)
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f.ends_with(".conf"))
        {
            by_name.insert(file.clone(), format!("{dir}/{file}"));
        }
    }
    by_name.into_values().collect()
}

fn argument(index: usize) -> Provenance {
    Provenance::Argument {
        program: "dockerd".into(),
        index,
    }
}

/// The configuration file dockerd reads: `--config-file`, else the default for a root or a
/// rootless daemon.
fn config_path(args: &ParsedArgs, uid: u32, environ: &BTreeMap<String, String>) -> (String, bool) {
    if let Some((path, _)) = &args.config_file {
        return (path.clone(), true);
    }
    if uid == 0 {
        return ("/etc/docker/daemon.json".into(), false);
    }
    let base = environ
        .get("XDG_CONFIG_HOME")
        .cloned()
        .or_else(|| environ.get("HOME").map(|home| format!("{home}/.config")))
        .unwrap_or_else(|| "/root/.config".into());
    (format!("{base}/docker/daemon.json"), false)
}

fn read_environ(fs: &HostFs, pid: u32) -> BTreeMap<String, String> {
    let bytes = fs.read_bytes(&format!("/proc/{pid}/environ")).unwrap_or_default();
    procfs::parse_cmdline(&bytes)
        .into_iter()
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

/// Reads and merges the configuration of the daemon process `found`.
pub fn daemon_config(
    fs: &HostFs,
    found: &FoundDaemon,
    info: Option<&InfoFacts>,
) -> Result<DaemonConfig, String> {
    let pid = found.pid;
    let cmdline = fs
        .read_bytes(&format!("/proc/{pid}/cmdline"))
        .map_err(|e| format!("cannot read the command line of dockerd (pid {pid}): {e}"))?;
    let argv = procfs::parse_cmdline(&cmdline);
    let status = fs.read(&format!("/proc/{pid}/status")).unwrap_or_default();
    let uid = procfs::parse_status_field(&status, "Uid")
        .and_then(|uids| uids.split_whitespace().nth(1))
        .and_then(|euid| euid.parse().ok())
        .unwrap_or(0);
    let exe = fs
        .read_link(&format!("/proc/{pid}/exe"))
        .ok()
        .map(|e| e.trim_end_matches(" (deleted)").to_string());
    let systemd_unit = fs
        .read(&format!("/proc/{pid}/cgroup"))
        .ok()
        .and_then(|c| procfs::systemd_unit_of(&c));
    let environ = read_environ(fs, pid);
    let args = parse_dockerd_args(&argv);

    let (path, explicit) = config_path(&args, uid, &environ);
    let mut settings: BTreeMap<String, Setting> = BTreeMap::new();
    let mut problems: Vec<ConfigProblem> = Vec::new();
    let state = match fs.read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ConfigFileState::Missing,
        Err(e) => ConfigFileState::Unreadable {
            reason: e.to_string(),
        },
        Ok(text) => match read_daemon_json(&path, &text) {
            Err(e) => ConfigFileState::Invalid { reason: e.reason() },
            Ok((read, found)) => {
                settings = read;
                problems = found;
                ConfigFileState::Read
            }
        },
    };

    for arg in &args.settings {
        let at = argument(arg.index);
        if let Some(in_file) = settings.get(arg.key) {
            problems.push(ConfigProblem {
                kind: ConfigProblemKind::FlagAndFile,
                key: Some(arg.key.to_string()),
                message: format!(
                    "{} is set both as a flag ({at}) and in the configuration file ({})",
                    arg.key, in_file.at
                ),
                at: vec![at.clone(), in_file.at.clone()],
            });
        }
        // The flag is what the running daemon got, whatever the file says now.
        settings.insert(
            arg.key.to_string(),
            Setting {
                value: arg.value.clone(),
                at,
            },
        );
    }

    let unit = systemd_unit.as_deref().and_then(|name| read_unit(fs, name));
    if let Some(exec) = unit.as_ref().and_then(|u| u.exec_start.as_ref()) {
        compare_with_unit(&args, exec, &mut problems);
    }
    if let Some(info) = info {
        let configured = settings
            .get("live-restore")
            .and_then(|s| s.value.as_bool())
            .unwrap_or(false);
        if configured != info.live_restore.value {
            let at: Vec<Provenance> = settings
                .get("live-restore")
                .map(|s| s.at.clone())
                .into_iter()
                .collect();
            problems.push(ConfigProblem {
                kind: ConfigProblemKind::LiveDiffers,
                key: Some("live-restore".into()),
                message: format!(
                    "the configuration sets live-restore to {configured} but the running daemon reports {} (reload pending)",
                    info.live_restore.value
                ),
                at,
            });
        }
    }

    Ok(DaemonConfig {
        process: DaemonProcess {
            pid,
            exe,
            uid,
            argv,
            found_by: found.found_by.clone(),
            systemd_unit,
        },
        config_file: ConfigFile {
            path,
            explicit,
            state,
        },
        settings,
        unit,
        problems,
    })
}

/// Reads the unit `name` with its drop-ins.
fn read_unit(fs: &HostFs, name: &str) -> Option<SystemdUnit> {
    let fragment = unit_file(fs, name)?;
    let drop_ins = drop_ins(fs, name);
    let texts: Vec<(String, String)> = std::iter::once(&fragment)
        .chain(&drop_ins)
        .filter_map(|path| fs.read(path).ok().map(|text| (path.clone(), text)))
        .collect();
    let units: Vec<UnitText<'_>> = texts.iter().map(|(path, text)| UnitText { path, text }).collect();
    let service = parse_service(&units);
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for (file, _optional, _) in &service.environment_files {
        if let Ok(text) = fs.read(file) {
            env.extend(parse_environment_file(&text));
        }
    }
    env.extend(service.environment.iter().map(|(k, v, _)| (k.clone(), v.clone())));
    let exec_start = service.exec_start.map(|(words, at)| Fact {
        value: expand(&words, &env),
        at,
    });
    Some(SystemdUnit {
        name: name.to_string(),
        fragment,
        drop_ins,
        exec_start,
    })
}

/// Records where the unit would start dockerd differently from how it runs.
fn compare_with_unit(running: &ParsedArgs, exec: &Fact<Vec<String>>, problems: &mut Vec<ConfigProblem>) {
    let planned = parse_dockerd_args(&exec.value);
    let as_map = |args: &ParsedArgs| -> BTreeMap<&str, serde_json::Value> {
        args.settings.iter().map(|s| (s.key, s.value.clone())).collect()
    };
    let (now, next) = (as_map(running), as_map(&planned));
    let keys: std::collections::BTreeSet<&str> = now.keys().chain(next.keys()).copied().collect();
    let differing: Vec<String> = keys
        .into_iter()
        .filter(|k| now.get(k) != next.get(k))
        .map(|k| {
            let show = |v: Option<&serde_json::Value>| v.map_or("unset".to_string(), |v| v.to_string());
            format!("{k}: running {}, unit {}", show(now.get(k)), show(next.get(k)))
        })
        .collect();
    if !differing.is_empty() {
        problems.push(ConfigProblem {
            kind: ConfigProblemKind::UnitDiffers,
            key: None,
            message: format!(
                "the systemd unit would start dockerd differently from how it runs now ({}); restart pending",
                differing.join("; ")
            ),
            at: vec![exec.at.clone()],
        });
    }
}
