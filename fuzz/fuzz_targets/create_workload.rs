//! A create body to a Workload (and the same bytes as a legacy start, a service, a volume, an
//! exec and an update body): never panics, and every fact points into the body's canonical form.
#![no_main]

use dockward_collect::request::body;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(w) = body::create_workload(data, Some("1.41"), "POST /containers/create", "fuzz") {
        for m in &w.mounts {
            assert!(m.at.to_string().starts_with('/'), "{:?}", m.at);
        }
        serde_json::to_string(&w).expect("a Workload serializes");
    }
    let _ = body::start_workload(data, Some("1.23"), "POST /containers/{id}/start", "fuzz");
    let _ = body::service_workload(data, Some("1.44"), "POST /services/create");
    let _ = body::volume_workload(data, "POST /volumes/create");
    let _ = body::exec_spec(data, "fuzz");
    let _ = body::resource_update(data, "fuzz");
});
