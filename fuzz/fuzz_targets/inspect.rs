//! The container inspect normalizer, and the resolution of `container:` namespace joins.
#![no_main]

use dockward_collect::inspect::{resolve_joins, workload_from_inspect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(workload) = workload_from_inspect(data, "container fuzz") else {
        return;
    };
    // The container joining itself and a copy of itself: chains must end.
    let mut workloads = vec![workload.clone(), workload.clone()];
    resolve_joins(&mut workloads, &[workload]);
});
