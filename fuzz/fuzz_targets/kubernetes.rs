//! The Kubernetes manifest loader: any input loads without a panic, every position it hands out
//! (workloads, facts, mounts, ports, errors) lies inside the file, and a file with workloads is a
//! manifest.
#![no_main]

use dockward_collect::kubernetes::{load_manifest, yaml_lines};
use dockward_model::{Origin, Provenance};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let manifest = load_manifest("m.yaml", text);
    // A position may be just past the last line (an error or an empty node at the end).
    let lines = u32::try_from(yaml_lines(text).count() + 1).unwrap_or(u32::MAX);
    let inside = |p: &Provenance| match p {
        Provenance::File { path, line, column, via } => {
            assert_eq!(path, "m.yaml");
            assert!(*line >= 1 && *line <= lines && *column >= 1, "{p:?} outside {lines} lines");
            for v in via {
                assert!(v.line >= 1 && v.line <= lines, "{v:?} outside {lines} lines");
            }
        }
        other => panic!("not a file position: {other:?}"),
    };
    for e in &manifest.errors {
        assert!(e.line <= lines, "{e}");
    }
    assert!(manifest.workloads.is_empty() || manifest.is_manifest);
    for w in &manifest.workloads {
        let Origin::Kubernetes { object_kind, name, container, display, at, .. } = &w.origin else {
            panic!("not a Kubernetes origin");
        };
        assert_eq!(*display, format!("{object_kind}/{name}/{container}"));
        inside(at);
        for p in [&w.image.at, &w.user.at, &w.privileged.at, &w.security_opt.at, &w.memory.at, &w.nano_cpus.at] {
            inside(p);
        }
        for m in &w.mounts {
            inside(&m.at);
        }
        for p in &w.ports {
            inside(&p.at);
        }
        let k = w.kubernetes.as_ref().expect("Kubernetes facts");
        for v in &k.volumes {
            inside(&v.at);
        }
        for h in &k.probe_hosts {
            inside(&h.at);
        }
    }
});
