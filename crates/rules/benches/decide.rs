//! What one enforcement decision costs: a create request under the restricted profile (every
//! container rule of the profile judged), timed over many rounds. Prints nanoseconds per decision;
//! bench/authz.sh compares the plugin's whole answer with a do-nothing plugin's.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark: a panic is the report

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use dockward_collect::info_from_json;
use dockward_collect::inspect::workload_from_inspect;
use dockward_model::{Action, ApiRequest, DaemonFacts, HostSocket, Origin};
use dockward_rules::decide::decide;
use dockward_rules::profile::Profile;
use dockward_rules::{Context, Settings};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn main() {
    let daemon = DaemonFacts {
        endpoint: "unix:///var/run/docker.sock".into(),
        info: Some(info_from_json(&fixture("base.info.json")).unwrap()),
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
    let mut w = workload_from_inspect(&fixture("base.inspect.json"), "bench").unwrap();
    w.origin = Origin::Request {
        route: "POST /containers/create".into(),
        name: "web".into(),
    };
    w.apparmor_profile = None;
    w.process_label = None;
    let insecure = w.clone();
    // A hardened container: every rule runs to a pass.
    w.user.value = "10001:10001".into();
    w.memory.value = 256 << 20;
    w.pids_limit.value = Some(100);
    w.security_opt.value = vec!["no-new-privileges".into()];
    w.cap_drop.value = vec!["ALL".into()];
    w.cgroupns_mode.mode = "private".into();
    for (label, workload) in [("hardened (allowed)", w), ("docker defaults (denied)", insecure)] {
        let request = ApiRequest {
            method: "POST".into(),
            path: "/containers/create".into(),
            api_version: Some("1.41".into()),
            query: Vec::new(),
            user: String::new(),
            action: Action::Container(Box::new(workload)),
        };
        for profile in Profile::ALL {
            let rounds = 20_000;
            // Warm the profile's rule selection and the caches.
            for _ in 0..1000 {
                black_box(decide(&ctx, black_box(&request), profile));
            }
            let start = Instant::now();
            for _ in 0..rounds {
                let decision = decide(&ctx, black_box(&request), profile);
                black_box(decision.message());
            }
            let per = start.elapsed().as_nanos() / rounds;
            println!("{label:<26} {profile:<10} {per:>7} ns per decision (with its message)");
        }
    }
}
