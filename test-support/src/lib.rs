//! What the tests of every crate share: running a tool in-process on a
//! [`FakeEnv`], running the built binaries as processes ([`process`]), real
//! SoftHSM2 tokens ([`softhsm`]), a fault-injecting PKCS#11 module
//! ([`pkcs11_shim`]), Knot as an oracle ([`knot`]), the project's fixtures, file hashes and time constants.
//!
//! It depends on `ksr` only: `ceremony` and `rollover-sim` use it in their own
//! tests, and the binaries are reached as processes.

pub mod knot;
pub mod pkcs11_shim;
pub mod process;
pub mod softhsm;
pub mod tmux;

use ksr::env::FakeEnv;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub use ksr::env::{exit, Env};

/// One day in seconds.
pub const DAY: i64 = 86_400;

/// What a command run in-process left behind.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Panics with the whole outcome unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics with the whole outcome unless the exit code is `code` and
    /// stderr says `needle` (an error, or a warning on success).
    #[track_caller]
    pub fn expect_stderr(&self, code: i32, needle: &str) -> &Self {
        self.expect_code(code);
        assert!(
            self.stderr.contains(needle),
            "{needle:?} not on stderr:\n{}",
            self.stderr
        );
        self
    }
}

/// Runs `run` (a tool's `run(args, env)`) with `args` on `env` and collects
/// the exit code and everything written to stdout and stderr.
pub fn run_on<F>(env: &FakeEnv, args: &[&str], run: F) -> Outcome
where
    F: FnOnce(Vec<String>, &FakeEnv) -> i32,
{
    let code = run(args.iter().map(|s| s.to_string()).collect(), env);
    Outcome {
        code,
        stdout: env.stdout_text(),
        stderr: env.stderr_text(),
    }
}

/// The repository's top directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-support sits in the workspace")
        .to_path_buf()
}

/// A fixture under `tests/fixtures/` (for example `iana-root/ksr-root-2017-q2-0.xml`).
pub fn fixture(relative: &str) -> PathBuf {
    let p = workspace_root().join("tests/fixtures").join(relative);
    assert!(p.exists(), "missing fixture {}", p.display());
    p
}

/// A file that ships in the repository (for example a rollover-sim scenario),
/// by its path from the workspace root.
pub fn repo_file(relative: &str) -> PathBuf {
    let p = workspace_root().join(relative);
    assert!(p.exists(), "missing repository file {}", p.display());
    p
}

/// SHA-256 of a file, lowercase hex.
pub fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    hex::encode(Sha256::digest(bytes))
}

/// Writes a secret file (a PIN file) readable by its owner only, as
/// `ksr::secret::read_pin_file` requires.
pub fn write_private(path: &Path, contents: impl AsRef<[u8]>) {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    // An existing file keeps its mode on open: make it private too.
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
        .unwrap();
    f.write_all(contents.as_ref()).unwrap();
}

/// The names of everything in `dir`, sorted: what a run left there (an
/// output, a temp file) shows in a test's assertion.
pub fn dir_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A FIFO at `path` (`mkfifo`): a special file made in a test's temp dir,
/// never a real /dev node.
pub fn mkfifo(path: &Path) {
    let o = std::process::Command::new("mkfifo")
        .arg(path)
        .output()
        .expect("mkfifo runs");
    assert!(o.status.success(), "{o:?}");
}

/// The id of a process that has exited (and been reaped): the owner of a
/// stale temp file.
pub fn dead_pid() -> u32 {
    let mut c = std::process::Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    pid
}

/// The steps of `scripts/ceremonies/ksr-signing.toml` that record
/// `step-done` in the audit log, in order.
pub const KSR_SIGNING_STEPS: [&str; 8] = [
    "open",
    "activate",
    "login",
    "inventory",
    "compare-ksr-hash",
    "sign",
    "read-back-skr",
    "close",
];

/// The `sign-ksr` options for the 2017 Q2 root KSR signed by the KSK `Kroot`:
/// schema `normal`, at 2017-03-20 (inside the KSR's validity).
pub const ROOT_SIGN_ARGS: [&str; 6] = [
    "--ksk-current",
    "Kroot",
    "--schema",
    "normal",
    "--at",
    "2017-03-20",
];

/// `ceremony keygen --label LABEL --algorithm ALG --zone ZONE`; the caller
/// adds the rest (`--bits`, `--flags`, the token).
pub fn keygen_args<'a>(label: &'a str, algorithm: &'a str, zone: &'a str) -> Vec<&'a str> {
    vec![
        "keygen",
        "--label",
        label,
        "--algorithm",
        algorithm,
        "--zone",
        zone,
    ]
}

/// `ceremony request` of a KSR for `zone` over `zsks` from `from` to `to`,
/// written to `out`; the caller adds the token (and `--policy`, `--force`).
pub fn request_args<'a>(
    zone: &'a str,
    zsks: &[&'a str],
    (from, to): (&'a str, &'a str),
    out: &'a str,
) -> Vec<&'a str> {
    let mut args = vec!["request", "--zone", zone, "--zsk"];
    args.extend_from_slice(zsks);
    args.extend(["--from", from, "--to", to, "--out", out]);
    args
}

/// How many times the audit log text `log` records `step` as done.
pub fn times_done(log: &str, step: &str) -> usize {
    log.matches(&format!("\"event\":\"step-done\",\"command\":\"{step}\""))
        .count()
}

/// A policy for `example.test.` with ECDSA P-256 ZSKs and `ksk` KSKs: the
/// root's shape stretched to `bundles` bundles 10 days apart, one ZSK
/// throughout, signatures allowed up to 20,000 days ahead; the KSR of
/// [`long_request_args`] meets it.
pub fn long_example_policy(
    bundles: usize,
    ksk: ksr::model::AlgorithmPolicy,
) -> ksr::policy::Policy {
    let mut p = ksr::policy::Policy::root();
    p.domains = vec!["example.test.".into()];
    p.zsk_algorithms = vec![ksr::model::AlgorithmPolicy {
        algorithm: 13,
        params: ksr::model::AlgorithmParams::Ecdsa { size: 256 },
    }];
    p.ksk_algorithms = vec![ksk];
    p.dnskey_ttl = 3600;
    p.bundle_count = bundles;
    let cycle = (bundles as i64 * 10 - 10) * DAY;
    p.cycle_duration = ksr::policy::Span {
        min: cycle,
        max: cycle,
    };
    p.keys_per_bundle = None;
    p.distinct_keys = None;
    p.signature_horizon = 20_000 * DAY;
    p
}

/// `ceremony request` of a KSR for `example.test.` over the ZSK `zsk` from
/// 2026-01-01, `bundles` bundles 10 days apart; the caller adds `--policy`
/// and `--out`.
pub fn long_request_args(bundles: usize) -> Vec<String> {
    let end = time::macros::date!(2026 - 01 - 01) + time::Duration::days(bundles as i64 * 10);
    let to = format!(
        "{:04}-{:02}-{:02}",
        end.year(),
        u8::from(end.month()),
        end.day()
    );
    [
        "request",
        "--zone",
        "example.test.",
        "--zsk",
        "zsk",
        "--from",
        "2026-01-01",
        "--to",
        &to,
    ]
    .map(String::from)
    .to_vec()
}
