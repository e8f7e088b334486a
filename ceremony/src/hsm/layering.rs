//! The modules of `hsm` import each other in one direction only: this test
//! reads their sources, collects every `super::NAME` and `crate::hsm::NAME`
//! reference between sibling files, and fails on any cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Sibling modules each `hsm` file refers to (`mod` is `mod.rs` itself).
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/hsm");
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if name == "layering" {
                continue; // this test, not a module of the library
            }
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    let names: BTreeSet<String> = files.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, text) in &files {
        // Test code may reach anywhere; only the module's own code counts.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let mut to = BTreeSet::new();
        for prefix in ["super::", "crate::hsm::"] {
            for (i, _) in code.match_indices(prefix) {
                let rest = &code[i + prefix.len()..];
                let target: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // `super::{a, b}` names several siblings at once.
                let targets: Vec<String> = if rest.starts_with('{') {
                    let inner = &rest[1..rest.find('}').unwrap()];
                    inner
                        .split(',')
                        .map(|t| t.trim().split("::").next().unwrap().to_string())
                        .collect()
                } else {
                    vec![target]
                };
                for t in targets {
                    // A name that is not a sibling file is a re-export of mod.rs.
                    let t = if names.contains(&t) { t } else { "mod".into() };
                    if t != *name {
                        to.insert(t);
                    }
                }
            }
        }
        if name == "mod" {
            // mod.rs reaches its children by plain paths (`pub use token::Token`).
            for n in &names {
                if n != "mod"
                    && (code.contains(&format!("use {n}::")) || code.contains(&format!(" {n}::")))
                {
                    to.insert(n.clone());
                }
            }
        }
        graph.insert(name.clone(), to);
    }
    graph
}

/// The first cycle found by depth-first search, as a path of module names.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = stack.iter().position(|s| s == n) {
            let mut c = stack[pos..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn hsm_modules_import_each_other_without_a_circle() {
    let graph = edges();
    assert!(graph.len() >= 10, "found the hsm files: {graph:?}");
    // The check sees real edges (so it could fail): keygen uses token and
    // inventory, and mod.rs re-exports token.
    assert!(graph["keygen"].contains("token") && graph["keygen"].contains("inventory"));
    assert!(graph["mod"].contains("token"), "{graph:?}");
    assert_eq!(cycle(&graph), None, "import circle among hsm modules");
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        cycle(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    g.get_mut("c").unwrap().clear();
    assert_eq!(cycle(&g), None);
}
