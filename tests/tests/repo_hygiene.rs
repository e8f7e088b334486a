//! Everything the tests read ships in the repository: no source file of any
//! crate names a path outside it, and the end-to-end tests reach fixtures only
//! through `test_support::fixture` (which asserts the file exists).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                sources(&p, out);
            }
        } else if name.ends_with(".rs") || name.ends_with(".toml") || !name.contains('.') {
            out.push(p);
        }
    }
}

fn workspace_files() -> Vec<PathBuf> {
    let root = test_support::workspace_root();
    let mut v = Vec::new();
    for dir in [
        "ksr",
        "ceremony",
        "rollover-sim",
        "tests",
        "test-support",
        "scripts",
    ] {
        sources(&root.join(dir), &mut v);
    }
    assert!(v.len() > 50, "found only {} files", v.len());
    v
}

#[test]
fn no_source_reads_a_path_outside_the_repository() {
    // Spelled in pieces so this file does not match itself.
    let outside = [["/work", "/"].concat(), ["..", "/shared/"].concat()];
    let mut hits = Vec::new();
    for f in workspace_files() {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if outside.iter().any(|o| line.contains(o.as_str())) {
                hits.push(format!("{}:{}: {line}", f.display(), n + 1));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "paths outside the repository:\n{}",
        hits.join("\n")
    );
}

#[test]
fn end_to_end_tests_reach_fixtures_through_test_support() {
    let root = test_support::workspace_root();
    let mut files = Vec::new();
    sources(&root.join("tests/tests"), &mut files);
    let direct = ["fixtures", "/"].concat();
    let mut hits = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains(&direct) && !line.contains("fixture(") {
                hits.push(format!("{}:{}: {line}", f.display(), n + 1));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "fixture paths built by hand:\n{}",
        hits.join("\n")
    );
    // And the helper refuses what is not there.
    let r = std::panic::catch_unwind(|| test_support::fixture("iana-root/no-such-file.xml"));
    assert!(r.is_err());
}
