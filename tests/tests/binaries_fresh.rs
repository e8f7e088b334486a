//! The binaries the end-to-end tests run are built from the current sources:
//! `test_support::process::binary` runs cargo before handing one out, so no
//! test here can pass against a stale `ksr`, `ceremony` or `rollover-sim`.

use std::path::Path;
use std::time::SystemTime;

use test_support::process::{binary, ensure_built};
use test_support::workspace_root;

/// The newest modification time of any file under `dir`.
fn newest(dir: &Path) -> (SystemTime, String) {
    let mut best = (SystemTime::UNIX_EPOCH, String::new());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else if meta.modified().unwrap() > best.0 {
                best = (meta.modified().unwrap(), e.path().display().to_string());
            }
        }
    }
    best
}

/// Every source a binary is built from: its own crate, and ksr (which the
/// other two link). Manifests and Cargo.lock are left out: cargo rebuilds a
/// binary only when what it links changes, so a lock file touched for another
/// crate's dependency is rightly newer than a fresh binary.
fn sources(package: &str) -> Vec<std::path::PathBuf> {
    let root = workspace_root();
    vec![root.join(package).join("src"), root.join("ksr/src")]
}

#[test]
fn every_binary_is_at_least_as_new_as_its_sources() {
    for (package, bin) in [
        ("ksr", "ksr"),
        ("ceremony", "ceremony"),
        ("rollover-sim", "rollover-sim"),
    ] {
        let built = std::fs::metadata(binary(bin)).unwrap().modified().unwrap();
        for src in sources(package) {
            let (newest, file) = if src.is_dir() {
                newest(&src)
            } else {
                let m = std::fs::metadata(&src).unwrap().modified().unwrap();
                (m, src.display().to_string())
            };
            assert!(
                built >= newest,
                "{bin} is older than {file}: the runner handed out a stale binary"
            );
        }
    }
}

#[test]
fn the_runner_asks_cargo_for_every_binary_in_the_tests_profile() {
    let build = ensure_built();
    // Cargo's closing line names the profile; the binaries sit next to the
    // test's own executable directory, in the same target directory.
    assert!(build.log.contains("Finished"), "{}", build.log);
    let exe = std::env::current_exe().unwrap();
    assert!(
        exe.starts_with(&build.layout.target_dir),
        "{} outside {}",
        exe.display(),
        build.layout.target_dir.display()
    );
    for bin in test_support::process::BINARIES {
        assert_eq!(binary(bin).parent().unwrap(), build.layout.bin_dir, "{bin}");
    }
}
