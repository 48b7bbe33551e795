//! Compose projects: the input split at NUL bytes into `compose.yaml`, `compose.override.yaml`
//! and `.env`, loaded as a project (interpolation, extends, include, merge, mapping), then every
//! container rule on its services. Every position handed out must be a line and column of a file
//! the project read.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use dockward_collect::compose::{ComposeOptions, load_project};
use dockward_model::Provenance;
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("dockward-fuzz-compose-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir
    })
}

fn check(p: &Provenance, files: &[String]) {
    if let Provenance::File { path, line, column, via } = p {
        assert!(*line >= 1 && *column >= 1, "position {p:?}");
        assert!(files.contains(path), "{path} is not a file of the project: {files:?}");
        for v in via {
            assert!(v.line >= 1 && v.column >= 1, "via {v:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0);
    let dir = dir();
    let names = ["compose.yaml", "compose.override.yaml", ".env"];
    for name in names {
        let _ = std::fs::remove_file(dir.join(name));
    }
    for (name, part) in names.iter().zip(&mut parts) {
        std::fs::write(dir.join(name), part).expect("writable");
    }
    let files = [dir.join(names[0]), dir.join(names[1])];
    let mut options = ComposeOptions::default();
    options.environment.insert("HOME".into(), "/home/fuzz".into());
    options.environment.insert("A".into(), "a".into());
    let project = load_project(&files, &options);
    for w in &project.workloads {
        if let Some(at) = w.origin.declared_at() {
            check(at, &project.files);
        }
        check(&w.privileged.at, &project.files);
        check(&w.user.at, &project.files);
        for m in &w.mounts {
            check(&m.at, &project.files);
        }
        for p in &w.ports {
            check(&p.at, &project.files);
        }
    }
    let _ = dockward_rules::lint::evaluate_workloads(
        &project.workloads,
        &project.errors,
        &dockward_rules::Settings::default(),
    );
});
