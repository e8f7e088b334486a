//! In-process runs of `ceremony::cli::run` on a `FakeEnv` against real SoftHSM2.
//!
//! SoftHSM reads `SOFTHSM2_CONF` from the process environment when the module
//! is initialised, so each test binary makes ONE token directory (on first use)
//! and points the variable at it before any test touches the module; each test
//! initialises its own token label in it. The module is process-wide state, so
//! runs are serialised by a lock.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

pub use ksr::env::FakeEnv;
#[allow(unused_imports)]
pub use test_support::{fixture, run_on, sha256_hex, Outcome};

/// The shared SoftHSM directory (holding `softhsm2.conf`) and its PIN files.
pub struct Hsm {
    pub dir: PathBuf,
    pub conf: PathBuf,
    pub pin_file: PathBuf,
    pub so_pin_file: PathBuf,
    pub pin: String,
    pub so_pin: String,
}

pub fn lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The process's SoftHSM directory, created and configured once.
pub fn hsm() -> &'static Hsm {
    static HSM: OnceLock<Hsm> = OnceLock::new();
    HSM.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("ceremony-inprocess-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        let dir = dir.canonicalize().unwrap();
        let tokens = dir.join("tokens");
        std::fs::create_dir_all(&tokens).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(&conf, ceremony::hsm::softhsm::conf_text(&tokens)).unwrap();
        // Set before any test loads the module (every run goes through `hsm()`).
        std::env::set_var("SOFTHSM2_CONF", &conf);
        let pin = format!("user-{}-pin", std::process::id());
        let so_pin = format!("so-{}-pin", std::process::id());
        let pin_file = dir.join("user.pin");
        let so_pin_file = dir.join("so.pin");
        test_support::write_private(&pin_file, format!("{pin}\n"));
        test_support::write_private(&so_pin_file, format!("{so_pin}\n"));
        Hsm {
            dir,
            conf,
            pin_file,
            so_pin_file,
            pin,
            so_pin,
        }
    })
}

/// `ceremony ARGS` in-process on `env`.
pub fn ceremony(env: &FakeEnv, args: &[&str]) -> Outcome {
    let h = hsm();
    let _serial = lock();
    let out = run_on(env, args, |args, env| {
        ceremony::cli::run(std::iter::once("ceremony".to_string()).chain(args), env)
    });
    // No PIN ever reaches the output.
    for text in [&out.stdout, &out.stderr] {
        assert!(
            !text.contains(&h.pin) && !text.contains(&h.so_pin),
            "PIN leaked: {text}"
        );
    }
    out
}

/// `ceremony ARGS` on a fresh default env.
pub fn run(args: &[&str]) -> Outcome {
    ceremony(&FakeEnv::new(), args)
}

/// A fresh temp directory for a test's files.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A token labelled `label` with both PINs set from the shared PIN files.
pub fn token(label: &str) -> &'static str {
    let h = hsm();
    let o = run(&[
        "hsm",
        "init",
        "--softhsm",
        s(&h.dir),
        "--label",
        label,
        "--so-pin-file",
        s(&h.so_pin_file),
        "--pin-file",
        s(&h.pin_file),
    ]);
    o.expect_code(0);
    assert_eq!(o.stdout, format!("SOFTHSM2_CONF={}\n", h.conf.display()));
    Box::leak(label.to_string().into_boxed_str())
}

/// `ARGS --token TOKEN --pin-file PIN` on `env`.
pub fn on(env: &FakeEnv, token: &str, args: &[&str]) -> Outcome {
    let h = hsm();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--token", token, "--pin-file", s(&h.pin_file)]);
    ceremony(env, &all)
}

/// `ARGS --token TOKEN --pin-file PIN` on a fresh env.
pub fn with_token(token: &str, args: &[&str]) -> Outcome {
    on(&FakeEnv::new(), token, args)
}

/// Generates a key and returns the run's outcome (asserted successful).
pub fn keygen(token: &str, label: &str, algorithm: &str, extra: &[&str]) -> Outcome {
    let mut args = test_support::keygen_args(label, algorithm, ".");
    args.extend(extra);
    let o = with_token(token, &args);
    o.expect_code(0);
    o
}

/// `inventory --json` of `token`, parsed.
pub fn inventory(token: &str, zone: &str) -> serde_json::Value {
    let o = with_token(token, &["inventory", "--json", "--zone", zone]);
    o.expect_code(0);
    serde_json::from_str(&o.stdout).unwrap()
}

/// The inventory entry of `label`.
pub fn key_entry(token: &str, label: &str) -> serde_json::Value {
    let inv = inventory(token, ".");
    inv["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["label"] == label)
        .unwrap_or_else(|| panic!("{label} not in {inv}"))
        .clone()
}

/// `run SCRIPT --audit-log LOG --non-interactive --answers ANSWERS`: a
/// scripted ceremony with every answer from a file.
pub fn answered<'a>(script: &'a Path, log: &'a Path, answers: &'a Path) -> [&'a str; 7] {
    [
        "run",
        s(script),
        "--audit-log",
        s(log),
        "--non-interactive",
        "--answers",
        s(answers),
    ]
}

/// The answers to the room script of the report and escape tests (steps
/// `open`, `lights` with a deviation, `compare-ksr` answered `sha`), `mark`
/// put into every free text and into Ana's and Ivo's names (as their script
/// spells them); `second` is the other officer approving the deviation.
pub fn room_answers(mark: &str, sha: &str, second: &str) -> String {
    format!(
        r#"[steps.open]
confirm = "yes{mark}"
signoff = [{{ role = "iw", person = "Ivo{mark} Witness" }}]
[steps.lights.deviation]
reason = "the checklist sheet{mark} was missing"
quorum = "two"
approved_by = ["Ana{mark}", "{second}"]
instead = "checked{mark} aloud and noted in the room log"
[steps.compare-ksr]
answer = "{sha}"
signoff = [{{ role = "co", person = "Ana{mark}" }}, {{ role = "co", person = "Bashir" }}]
"#
    )
}

/// `trust-anchor --ksk KSK --zone . --valid-from 2026-01-01 EXTRA`.
pub fn trust_anchor_args<'a>(ksk: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "trust-anchor",
        "--ksk",
        ksk,
        "--zone",
        ".",
        "--valid-from",
        "2026-01-01",
    ];
    a.extend_from_slice(extra);
    a
}

/// `sign-ksr KSR --out OUT` with the KSK `Kroot`, schema `normal`, at
/// 2017-03-20 (inside the 2017 Q2 root KSR's validity), then `extra`.
pub fn root_sign_args<'a>(ksr: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["sign-ksr", ksr, "--out", out];
    a.extend(test_support::ROOT_SIGN_ARGS);
    a.extend_from_slice(extra);
    a
}

/// The 2017 Q2 root KSR (fixture path).
pub const ROOT_KSR: &str = "iana-root/ksr-root-2017-q2-0.xml";

/// A token labelled `label` holding the RSA-2048 root KSK `Kroot`, the KSK
/// [`root_sign_args`] signs with.
pub fn root_ksk_token(label: &str) -> &'static str {
    let t = token(label);
    keygen(t, "Kroot", "rsasha256", &["--bits", "2048"]);
    t
}
