//! Running `ksr` in the tests: in-process on a `FakeEnv` (the production path
//! of `ksr::cli::run`), or as a real process for what only a process shows.
#![allow(dead_code)]

use ksr::env::FakeEnv;
use ksr::model::Time;

/// An exit status as `std::process::ExitStatus` reads it.
#[derive(Debug, Clone, Copy)]
pub struct Status(pub i32);

impl Status {
    pub fn code(&self) -> Option<i32> {
        Some(self.0)
    }
    pub fn success(&self) -> bool {
        self.0 == 0
    }
}

/// What an in-process run left: exit status, stdout and stderr bytes.
#[derive(Debug)]
pub struct Run {
    pub status: Status,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// `ksr ARGS` in-process on a fresh `FakeEnv` (clock at 2026-01-01T00:00:00Z).
pub fn ksr(args: &[&str]) -> Run {
    ksr_on(&FakeEnv::new(), args)
}

/// `ksr ARGS` in-process with the clock at `now`.
pub fn ksr_at(now: Time, args: &[&str]) -> Run {
    ksr_on(&FakeEnv::new().at(now), args)
}

/// `ksr ARGS` in-process on `env`.
pub fn ksr_on(env: &FakeEnv, args: &[&str]) -> Run {
    let mut all = vec!["ksr"];
    all.extend_from_slice(args);
    let o = test_support::run_on(env, &all, |a, e| ksr::cli::run(a, e));
    Run {
        status: Status(o.code),
        stdout: o.stdout.into_bytes(),
        stderr: o.stderr.into_bytes(),
    }
}

/// `ksr ARGS` as a real process (the built binary).
pub fn ksr_process(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ksr"))
        .args(args)
        .output()
        .expect("ksr runs")
}

/// An SKR for a KSR from 2030-01-01 signed under a built-in schema by two
/// Ed25519 KSKs, `Kc` (current) and `Kn` (next): the schemas that publish or
/// revoke a second KSK.
pub struct TwoKsks {
    pub builder: ksr::testkit::KsrBuilder,
    pub current: ksr::testkit::TestKey,
    pub next: ksr::testkit::TestKey,
    pub skr: ksr::Document,
}

impl TwoKsks {
    /// Signs the KSR of `zone` under the built-in schema `schema`.
    pub fn sign(zone: &str, schema: &str) -> TwoKsks {
        use ksr::testkit::{date, sign_skr, KsrBuilder, TestKey};
        let builder = KsrBuilder::new(zone, date("2030-01-01"));
        let current = TestKey::ed25519("c").named("Kc");
        let next = TestKey::ed25519("n").named("Kn");
        let schema = ksr::schema::Schema::builtin(schema).unwrap();
        let skr = sign_skr(&builder.build(), &schema, &current, Some(&next));
        TwoKsks {
            builder,
            current,
            next,
            skr,
        }
    }

    /// The SKR as XML in `dir` under `name`; its path.
    pub fn write(&self, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, ksr::xml::write(&self.skr)).unwrap();
        path
    }
}

/// The one FAIL line of a `ksr verify` run that must exit 1 with exactly one
/// check failed.
pub fn one_failure(o: &Run) -> String {
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let fails: Vec<&str> = out.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fails.len(), 1, "{out}");
    fails[0].to_string()
}
