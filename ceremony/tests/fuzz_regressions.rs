//! Replays every input the ceremony fuzz targets ever crashed on
//! (`ceremony/tests/fuzz_regressions/TARGET/`), and the shipped scripts and
//! answers files the fuzzer starts from, through the very properties the fuzz
//! targets assert (`fuzz/fuzz_targets/script_properties.rs`, included below).

#[path = "../../fuzz/fuzz_targets/script_properties.rs"]
mod script_properties;

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    out.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"));
    out.sort();
    out
}

/// Runs `property` over every file in `dirs` (relative to the workspace);
/// returns how many it ran.
fn replay(property: fn(&[u8]), dirs: &[&str]) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut n = 0;
    for dir in dirs {
        for f in files(&root.join(dir)) {
            let bytes = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| property(&bytes));
            assert!(outcome.is_ok(), "{} fails its fuzz property", f.display());
            n += 1;
        }
    }
    n
}

#[test]
fn script_inputs_hold() {
    let n = replay(
        script_properties::script,
        &[
            "scripts/ceremonies",
            "ceremony/tests/fuzz_regressions/script",
        ],
    );
    assert!(n >= 4, "the shipped scripts are replayed");
}

#[test]
fn answers_inputs_hold() {
    let n = replay(
        script_properties::answers,
        &[
            "scripts/ceremonies/answers",
            "ceremony/tests/fuzz_regressions/answers",
        ],
    );
    assert!(n >= 2, "the shipped answers files are replayed");
}

/// The properties fail when they should: a script error naming a line past
/// the end would be caught (the replay above is not vacuous).
#[test]
fn the_script_property_runs_the_checks() {
    // A script that parses but fails a cross-reference check: the property
    // walks the problems without a panic.
    let text = "title = \"t\"\nzone = \"example.\"\n[[steps]]\nid = \"a\"\nkind = \"verify\"\nartifact = \"nothing\"\n";
    let script = ceremony::script::parse("t.toml", text).expect("parses");
    assert!(!ceremony::script::check(&script).is_empty());
    script_properties::script(text.as_bytes());
}
