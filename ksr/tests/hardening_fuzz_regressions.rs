//! Replays every input the fuzzer ever crashed on (`ksr/tests/fuzz_regressions/
//! TARGET/`), and the seed corpus, through the very properties the fuzz targets
//! assert (`fuzz/fuzz_targets/properties.rs`, included below). A crash found by
//! `scripts/fuzz` becomes a test by copying its input here.

#[path = "../../fuzz/fuzz_targets/properties.rs"]
mod properties;

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    out.retain(|p| p.is_file());
    out.sort();
    out
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `property` over every file in `dirs`; returns how many it ran.
fn replay(property: fn(&[u8]), dirs: &[&str]) -> usize {
    let mut n = 0;
    for dir in dirs {
        for f in files(&root().join(dir)) {
            let bytes = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| property(&bytes));
            assert!(outcome.is_ok(), "{} fails its fuzz property", f.display());
            n += 1;
        }
    }
    n
}

#[test]
fn xml_inputs_hold() {
    let n = replay(
        properties::xml,
        &["tests/fixtures/iana-root", "ksr/tests/fuzz_regressions/xml"],
    );
    assert!(n >= 5);
}

#[test]
fn dialect_inputs_hold() {
    let n = replay(
        properties::dialect,
        &[
            "ksr/tests/format_data",
            "fuzz/seeds/dialect",
            "ksr/tests/fuzz_regressions/dialect",
        ],
    );
    assert!(n >= 4);
}

#[test]
fn policy_inputs_hold() {
    let n = replay(
        properties::policy,
        &["ksr/policies", "ksr/tests/fuzz_regressions/policy"],
    );
    assert!(n >= 1);
}

#[test]
fn verify_inputs_hold() {
    let n = replay(
        properties::verify,
        &[
            "tests/fixtures/iana-root",
            "ksr/tests/format_data",
            "ksr/tests/fuzz_regressions/verify",
        ],
    );
    assert!(n >= 8);
}
