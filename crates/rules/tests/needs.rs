//! Container rules declare every fact they read (`ContainerCheck::needs`): a rule that read an
//! undeclared fact would judge a placeholder when the daemon's answer lacked it. For each fact the
//! inspect normalizer reads, the real Docker 20.10 document is given a risky value there; every
//! rule whose verdict changes reads that fact, so it must declare it.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::{read_json, workload};

use dockward_collect::info_from_json;
use dockward_model::{DaemonFacts, HostSocket};
use dockward_rules::{Check, Context, RULES, Settings};
use serde_json::{Value, json};

/// Each fact as a pointer, and a patch giving it a value some rule judges differently.
fn risky_facts() -> Vec<(&'static str, Value)> {
    let hc = |key: &str, value: Value| json!({"HostConfig": {key: value}});
    vec![
        ("/HostConfig/Privileged", hc("Privileged", json!(true))),
        ("/HostConfig/CapAdd", hc("CapAdd", json!(["SYS_ADMIN"]))),
        ("/HostConfig/CapDrop", hc("CapDrop", json!(["ALL"]))),
        (
            "/HostConfig/SecurityOpt",
            hc(
                "SecurityOpt",
                json!(["seccomp=unconfined", "label=disable", "no-new-privileges"]),
            ),
        ),
        ("/HostConfig/PidMode", hc("PidMode", json!("host"))),
        ("/HostConfig/IpcMode", hc("IpcMode", json!("host"))),
        ("/HostConfig/UTSMode", hc("UTSMode", json!("host"))),
        ("/HostConfig/NetworkMode", hc("NetworkMode", json!("host"))),
        ("/HostConfig/UsernsMode", hc("UsernsMode", json!("host"))),
        (
            "/HostConfig/Devices",
            hc(
                "Devices",
                json!([{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"}]),
            ),
        ),
        (
            "/HostConfig/DeviceCgroupRules",
            hc("DeviceCgroupRules", json!(["a *:* rwm"])),
        ),
        (
            "/HostConfig/DeviceRequests",
            hc("DeviceRequests", json!([{"Driver": "nvidia", "Count": -1}])),
        ),
        ("/HostConfig/ReadonlyRootfs", hc("ReadonlyRootfs", json!(true))),
        ("/HostConfig/Memory", hc("Memory", json!(1_073_741_824))),
        ("/HostConfig/CpuShares", hc("CpuShares", json!(512))),
        ("/HostConfig/NanoCpus", hc("NanoCpus", json!(1_000_000_000))),
        ("/HostConfig/CpuQuota", hc("CpuQuota", json!(50_000))),
        ("/HostConfig/CpusetCpus", hc("CpusetCpus", json!("0"))),
        ("/HostConfig/PidsLimit", hc("PidsLimit", json!(64))),
        (
            "/HostConfig/PortBindings",
            hc(
                "PortBindings",
                json!({"80/tcp": [{"HostIp": "", "HostPort": "80"}]}),
            ),
        ),
        ("/HostConfig/PublishAllPorts", hc("PublishAllPorts", json!(true))),
        (
            "/HostConfig/RestartPolicy",
            hc("RestartPolicy", json!({"Name": "always", "MaximumRetryCount": 0})),
        ),
        ("/HostConfig/CgroupParent", hc("CgroupParent", json!("/custom"))),
        (
            "/HostConfig/Ulimits",
            hc("Ulimits", json!([{"Name": "nofile", "Soft": 1, "Hard": 2}])),
        ),
        ("/HostConfig/CgroupnsMode", hc("CgroupnsMode", json!("private"))),
        (
            "/HostConfig/Sysctls",
            hc("Sysctls", json!({"kernel.msgmax": "65536"})),
        ),
        ("/HostConfig/MaskedPaths", hc("MaskedPaths", json!([]))),
        ("/HostConfig/ReadonlyPaths", hc("ReadonlyPaths", json!([]))),
        ("/Config/User", json!({"Config": {"User": "1000"}})),
        (
            "/Config/Healthcheck",
            json!({"Config": {"Healthcheck": {"Test": ["CMD", "true"]}}}),
        ),
        (
            "/Mounts",
            json!({"Mounts": [{"Type": "bind", "Source": "/var/run/docker.sock",
                "Destination": "/var/run/docker.sock", "RW": true, "Propagation": "rshared"}]}),
        ),
        (
            "/NetworkSettings/Networks",
            json!({"NetworkSettings": {"Networks": {"none": null, "bridge": {}}}}),
        ),
        (
            "/NetworkSettings/Ports",
            json!({"NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "80"}]}}}),
        ),
        ("/AppArmorProfile", json!({"AppArmorProfile": "unconfined"})),
        (
            "/ProcessLabel",
            json!({"ProcessLabel": "system_u:system_r:container_t:s0:c1,c2"}),
        ),
    ]
}

fn touches(need: &str, pointer: &str) -> bool {
    let within = |a: &str, b: &str| a == b || a.strip_prefix(b).is_some_and(|r| r.starts_with('/'));
    within(need, pointer) || within(pointer, need)
}

#[test]
fn every_fact_a_container_rule_reads_is_among_its_needs() {
    let mut info = read_json("base.info.json");
    info["SecurityOptions"] = json!(["name=apparmor", "name=seccomp,profile=default", "name=selinux"]);
    let daemon = DaemonFacts {
        endpoint: "unix:///var/run/docker.sock".into(),
        info: Some(info_from_json(info.to_string().as_bytes()).unwrap()),
        sockets: vec![HostSocket {
            path: "/var/run/docker.sock".into(),
            id: None,
        }],
        ..DaemonFacts::default()
    };
    let settings = Settings::default();
    let ctx = Context {
        daemon: &daemon,
        host: None,
        host_error: None,
        client: None,
        settings: &settings,
    };
    let base = workload(&Value::Null);
    assert!(base.unknown.is_empty(), "{:?}", base.unknown);
    let mut undeclared = Vec::new();
    for (pointer, patch) in risky_facts() {
        let risky = workload(&patch);
        assert!(risky.unknown.is_empty(), "{pointer}: {:?}", risky.unknown);
        let mut readers = 0;
        for rule in RULES {
            let Check::Container(check) = rule.check else {
                continue;
            };
            let before = format!("{:?}", check.judge(&ctx, &base));
            let after = format!("{:?}", check.judge(&ctx, &risky));
            if before != after {
                readers += 1;
                if !check.needs.iter().any(|need| touches(need, pointer)) {
                    undeclared.push(format!("{} reads {pointer} but does not need it", rule.id));
                }
            }
        }
        // Otherwise the risky value proves nothing about this fact.
        assert!(readers > 0, "no rule judges {pointer} differently");
    }
    assert!(undeclared.is_empty(), "{}", undeclared.join("\n"));
}
