//! Running the workspace's binaries as processes, for the few end-to-end tests
//! that must see a real process (exit status, signals, pipes, PIN files).
//!
//! [`binary`] never hands out a stale binary: the first call in a test process
//! runs `cargo build --workspace --bins` with the cargo that runs the tests,
//! into the same target directory and profile as the test itself. Cargo
//! rebuilds whatever changed and does nothing otherwise, so `cargo test -p e2e`
//! alone always runs binaries built from the current sources. It is the same
//! command the README and `scripts/test` build with, so the features cargo
//! unifies are the same and the binary under test is the one users get (a
//! narrower `-p` list would resolve features differently and build a second
//! variant of every crate).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The binaries of the workspace the end-to-end tests run.
pub const BINARIES: [&str; 3] = ["ksr", "ceremony", "rollover-sim"];

/// Where a test's own executable says the build went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildLayout {
    /// The cargo target directory (the one holding `CACHEDIR.TAG`).
    pub target_dir: PathBuf,
    /// `--target TRIPLE` when the tests were cross-built.
    pub triple: Option<String>,
    /// The profile directory's name: `debug`, `release` or a custom profile.
    pub profile_dir: String,
    /// Where the binaries land.
    pub bin_dir: PathBuf,
}

impl BuildLayout {
    /// Reads the layout off an executable path such as
    /// `target/debug/deps/rollover_run-0123abcd` (or `target/TRIPLE/debug/...`).
    pub fn from_exe(exe: &Path) -> BuildLayout {
        let mut bin_dir = exe
            .parent()
            .expect("the test executable has a directory")
            .to_path_buf();
        if bin_dir.ends_with("deps") {
            bin_dir.pop();
        }
        let profile_dir = bin_dir
            .file_name()
            .expect("a profile directory")
            .to_string_lossy()
            .into_owned();
        let above = bin_dir.parent().expect("a target directory").to_path_buf();
        // Cargo marks the top of every target directory with CACHEDIR.TAG; a
        // directory between it and the profile is the target triple.
        let (target_dir, triple) = if above.join("CACHEDIR.TAG").exists() {
            (above, None)
        } else {
            let triple = above.file_name().map(|n| n.to_string_lossy().into_owned());
            (
                above.parent().expect("a target directory").to_path_buf(),
                triple,
            )
        };
        BuildLayout {
            target_dir,
            triple,
            profile_dir,
            bin_dir,
        }
    }

    /// The layout of the running test.
    pub fn current() -> BuildLayout {
        BuildLayout::from_exe(&std::env::current_exe().expect("the test knows its executable"))
    }

    /// The cargo profile that writes into [`Self::profile_dir`].
    pub fn profile(&self) -> &str {
        match self.profile_dir.as_str() {
            "debug" => "dev",
            other => other,
        }
    }

    /// The `cargo build` that brings every binary in this layout up to date.
    pub fn build_command(&self, cargo: &str) -> Command {
        let mut c = Command::new(cargo);
        c.args(["build", "--workspace", "--bins"]);
        // Cargo gives a test process variables that describe the test's own
        // package. Handed on, they would look like a changed environment to
        // build scripts that watch them (ring watches CARGO_MANIFEST_DIR), and
        // every run would rebuild half the dependency tree twice.
        for (name, _) in std::env::vars_os() {
            if is_set_by_cargo_for_the_test(&name.to_string_lossy()) {
                c.env_remove(&name);
            }
        }
        c.arg("--profile").arg(self.profile());
        c.arg("--target-dir").arg(&self.target_dir);
        if let Some(t) = &self.triple {
            c.args(["--target", t]);
        }
        c.arg("--manifest-path")
            .arg(crate::workspace_root().join("Cargo.toml"));
        c
    }
}

/// The variables cargo sets for a running test (not the user's own
/// configuration such as `CARGO_HOME` or `CARGO_TARGET_DIR`).
fn is_set_by_cargo_for_the_test(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || name.starts_with("CARGO_BIN_EXE_")
        || matches!(
            name,
            "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_TARGET_TMPDIR"
                | "CARGO_RUSTC_CURRENT_DIR"
                | "OUT_DIR"
        )
}

/// What the one build of this test process did.
#[derive(Debug, Clone)]
pub struct Build {
    pub layout: BuildLayout,
    /// Cargo's stderr (its `Compiling`/`Finished` lines).
    pub log: String,
}

/// Builds the binaries once per test process (the first caller waits for cargo,
/// the others wait for the first) and panics with cargo's output if it fails.
pub fn ensure_built() -> &'static Build {
    static BUILD: OnceLock<Build> = OnceLock::new();
    BUILD.get_or_init(|| {
        let layout = BuildLayout::current();
        // CARGO is the cargo running `cargo test`; it is set for test processes.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let o = layout
            .build_command(&cargo)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
        let log = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(
            o.status.success(),
            "building the binaries under test failed:\n{log}"
        );
        Build { layout, log }
    })
}

/// A binary of the workspace (`ksr`, `ceremony`, `rollover-sim`), freshly built
/// from the current sources in the same profile as the test.
pub fn binary(name: &str) -> PathBuf {
    let p = ensure_built().layout.bin_dir.join(name);
    assert!(p.is_file(), "{} was not built", p.display());
    p
}

/// A `Command` for one of the workspace's binaries.
pub fn command(name: &str) -> Command {
    Command::new(binary(name))
}

/// Status, stdout and stderr, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A process's stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A process's stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the process succeeded and returns its output.
#[track_caller]
pub fn ok(o: Output) -> Output {
    assert!(o.status.success(), "command failed: {}", text(&o));
    o
}

/// `ceremony audit verify LOG`, which must accept the log; its output.
#[track_caller]
pub fn audit_verifies(log: &Path) -> Output {
    let o = command("ceremony")
        .args(["audit", "verify"])
        .arg(log)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_does_not_inherit_the_tests_package_variables() {
        // This test process has them (cargo set them); the build must not.
        assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
        let l = BuildLayout::current();
        let c = l.build_command("cargo");
        let removed: Vec<String> = c
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert!(
            removed.iter().any(|k| k == "CARGO_MANIFEST_DIR"),
            "{removed:?}"
        );
        assert!(removed.iter().any(|k| k == "CARGO_PKG_NAME"), "{removed:?}");
        assert!(is_set_by_cargo_for_the_test("OUT_DIR"));
        assert!(!is_set_by_cargo_for_the_test("CARGO_TARGET_DIR"));
        assert!(!is_set_by_cargo_for_the_test("CARGO_HOME"));
    }

    #[test]
    fn layout_of_a_native_test() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("CACHEDIR.TAG"), "").unwrap();
        let exe = root.path().join("debug/deps/rollover_run-0123");
        let l = BuildLayout::from_exe(&exe);
        assert_eq!(l.target_dir, root.path());
        assert_eq!(l.triple, None);
        assert_eq!(l.profile(), "dev");
        assert_eq!(l.bin_dir, root.path().join("debug"));
    }

    #[test]
    fn layout_of_a_cross_built_release_test() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("CACHEDIR.TAG"), "").unwrap();
        let exe = root
            .path()
            .join("x86_64-unknown-linux-musl/release/deps/knot_interop-99");
        let l = BuildLayout::from_exe(&exe);
        assert_eq!(l.target_dir, root.path());
        assert_eq!(l.triple.as_deref(), Some("x86_64-unknown-linux-musl"));
        assert_eq!(l.profile(), "release");
        let args: Vec<String> = l
            .build_command("cargo")
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let joined = args.join(" ");
        assert!(joined.contains("--profile release"), "{joined}");
        assert!(
            joined.contains("--target x86_64-unknown-linux-musl"),
            "{joined}"
        );
        assert!(joined.starts_with("build --workspace --bins"), "{joined}");
    }
}
