//! The YAML tree with positions: never panics, stays within its node budget, and every position
//! it hands out (nodes, the sites that pulled them in, errors) lies inside the file.
#![no_main]

use dockward_collect::yaml::{Limits, Node, load_all};
use libfuzzer_sys::fuzz_target;

fn check(node: &Node, lines: u32, seen: &mut usize) {
    *seen += 1;
    assert!(node.at.line >= 1 && node.at.line <= lines, "line {} of {lines}", node.at.line);
    assert!(node.at.column >= 1);
    for site in &node.via {
        assert!(site.line >= 1 && site.line <= lines);
    }
    for (k, v) in node.entries() {
        check(k, lines, seen);
        check(v, lines, seen);
    }
    for item in node.items() {
        check(item, lines, seen);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Lines as the parser counts them: a final line without a newline counts too.
    let lines = u32::try_from(text.split(['\n', '\r']).count()).unwrap_or(u32::MAX).max(1);
    let limits = Limits {
        max_nodes: 20_000,
        ..Limits::default()
    };
    match load_all("f.yaml", text, &limits) {
        Ok(docs) => {
            let mut seen = 0;
            for doc in &docs {
                check(&doc.root, lines, &mut seen);
                let _ = doc.root.to_json();
            }
            assert!(seen <= limits.max_nodes + docs.len(), "{seen} nodes");
        }
        Err(e) => assert!(e.line <= lines, "error at line {} of {lines}", e.line),
    }
});
