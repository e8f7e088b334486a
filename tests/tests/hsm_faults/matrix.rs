//! The fault matrix's machinery: one row per (command, fault), each run
//! against its own copy of a token set up once per command type, through the
//! fault-injecting module (`test_support::pkcs11_shim`) and the real `ceremony`
//! binary (the module reads its faults from the process environment, so every
//! run is a child process with its own variables).
//!
//! For every row: the command fails with exit 2 and an error naming the
//! operation and the PKCS#11 call; the fault fired exactly where the row says;
//! no output file and no temp file are left; the audit log's end record holds
//! the same error and the log verifies; the token holds exactly the keys it
//! held before (or the one the row says a pulled token leaves, named in the
//! error); and the same command, the fault gone, then succeeds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use test_support::pkcs11_shim::{faulty_module, Fault};
use test_support::process::{stderr, text};
use test_support::softhsm::SoftHsm;

/// The keys on a token as `ceremony inventory --json` lists them, by label
/// (a label listed twice is a duplicated key).
pub type Inventory = BTreeMap<String, Vec<Value>>;

/// What a failed run may leave on the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaves {
    /// Exactly the keys that were there before.
    Nothing,
    /// The token went away before the command could delete the key pair it had
    /// just made: the error names it and how to remove it, and the officer
    /// deletes it before running the command again.
    Key(&'static str),
    /// A restore that stopped after the key was unwrapped and could not be
    /// undone: the same restore, run again, resumes and finishes.
    Restored(&'static str),
}

/// One row of the matrix.
pub struct Case {
    pub name: &'static str,
    pub faults: &'static [Fault],
    /// Each must appear in the error (the operation, the call, what to do).
    pub says: &'static [&'static str],
    pub leaves: Leaves,
}

/// A token set up once for one command type (keys made, files written), which
/// every row copies.
pub struct Setup {
    pub hsm: SoftHsm,
    pub token: &'static str,
    /// The faulty module, built once.
    pub module: PathBuf,
}

impl Setup {
    pub fn new(hsm: SoftHsm, token: &'static str) -> Setup {
        let module = faulty_module(hsm.dir.path());
        Setup { hsm, token, module }
    }
}

/// One row's own token and files.
pub struct Cell<'a> {
    pub setup: &'a Setup,
    pub hsm: SoftHsm,
    /// Where the command's output files go: empty unless the command succeeded.
    pub out: PathBuf,
    pub audit_log: PathBuf,
    fired: PathBuf,
}

impl<'a> Cell<'a> {
    /// A fresh cell: a copy of the set-up's token, an empty output directory.
    pub fn new(setup: &'a Setup) -> Cell<'a> {
        let hsm = setup.hsm.copy();
        let out = hsm.path("out");
        std::fs::create_dir(&out).unwrap();
        Cell {
            setup,
            audit_log: hsm.path("audit.jsonl"),
            fired: hsm.path("fired.log"),
            out,
            hsm,
        }
    }

    /// `ceremony ARGS --token T --pin-file F --module FAULTY --audit-log LOG`.
    pub fn ceremony(&self, args: &[&str]) -> Command {
        let mut c = self.hsm.with_token(self.setup.token, args);
        c.arg("--module")
            .arg(&self.setup.module)
            .arg("--audit-log")
            .arg(&self.audit_log);
        c
    }

    /// A path in the output directory.
    pub fn out_file(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }
}

/// `ceremony inventory --json` straight on SoftHSM (not through the faulty module).
pub fn inventory(hsm: &SoftHsm, token: &str) -> Inventory {
    let o = hsm.run(token, &["inventory", "--json"]);
    assert_eq!(o.status.code(), Some(0), "inventory: {}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut by_label = Inventory::new();
    for k in v["keys"].as_array().unwrap() {
        let label = k["label"].as_str().unwrap().to_string();
        by_label.entry(label).or_default().push(k.clone());
    }
    by_label
}

/// Names of everything in `dir`.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The audit log's last record, after checking that `ceremony audit verify` passes.
fn last_record_of_verified_log(case: &str, log: &Path) -> Value {
    let o = test_support::process::command("ceremony")
        .args(["audit", "verify"])
        .arg(log)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "[{case}] audit verify: {}",
        text(&o)
    );
    let bytes = std::fs::read(log).unwrap();
    let last = bytes
        .split(|b| *b == b'\n')
        .rfind(|l| !l.is_empty())
        .unwrap();
    serde_json::from_slice(last).unwrap()
}

/// What `inventory` must hold after a successful rerun, given the one before.
pub type AfterRerun<'a> = &'a dyn Fn(&Inventory, &Inventory);

/// Runs every row: `command` builds the row's command on its cell (the same
/// for the faulty run and the rerun); `after_rerun` checks the token once the
/// rerun succeeded. Panics naming the row that broke.
pub fn run(
    setup: &Setup,
    cases: &[Case],
    command: &dyn Fn(&Cell) -> Command,
    after_rerun: AfterRerun,
) {
    let before = inventory(&setup.hsm, setup.token);
    for case in cases {
        run_case(setup, case, &before, command, after_rerun);
    }
}

fn run_case(
    setup: &Setup,
    case: &Case,
    before: &Inventory,
    command: &dyn Fn(&Cell) -> Command,
    after_rerun: AfterRerun,
) {
    let name = case.name;
    let cell = Cell::new(setup);

    // The faulty run.
    let mut c = command(&cell);
    c.env("FAULTY_FAIL", Fault::env_value(case.faults))
        .env("FAULTY_LOG", &cell.fired);
    let o = c.output().unwrap();
    cell.hsm.assert_no_pin(&o);
    assert_eq!(o.status.code(), Some(2), "[{name}] exit code: {}", text(&o));
    let err = stderr(&o);
    // Shown with --nocapture: the matrix's error texts side by side.
    eprintln!("[{name}] {}", err.lines().next().unwrap_or_default());
    for phrase in case.says {
        assert!(
            err.contains(phrase),
            "[{name}] expected {phrase:?} in: {}",
            text(&o)
        );
    }
    assert!(!err.contains("panicked"), "[{name}] {}", text(&o));
    let fired = std::fs::read_to_string(&cell.fired).unwrap_or_default();
    let first = case.faults[0];
    assert!(
        fired.starts_with(&format!("{} {} {}\n", first.function, first.n, first.rv)),
        "[{name}] the fault fired elsewhere or not at all: {fired:?}\n{}",
        text(&o)
    );
    assert_eq!(
        entries(&cell.out),
        Vec::<String>::new(),
        "[{name}] files left"
    );

    // The audit log holds the failure, word for word, and verifies.
    let end = last_record_of_verified_log(name, &cell.audit_log);
    assert_eq!(end["event"], "end", "[{name}] {end}");
    assert_eq!(end["outcome"]["exit"], 2, "[{name}] {end}");
    let recorded = end["outcome"]["error"].as_str().unwrap_or_default();
    assert!(
        !recorded.is_empty() && err.contains(recorded),
        "[{name}] the end record's error {recorded:?} is not the one reported: {err}"
    );
    assert_eq!(end["files"], Value::Array(vec![]), "[{name}] {end}");

    // The token: nothing lost, nothing duplicated, nothing half-made unnamed.
    let now = inventory(&cell.hsm, setup.token);
    match case.leaves {
        Leaves::Nothing => assert_eq!(&now, before, "[{name}] the token changed"),
        Leaves::Key(label) | Leaves::Restored(label) => {
            let mut expected = before.clone();
            let left = now
                .get(label)
                .unwrap_or_else(|| panic!("[{name}] expected {label:?} left: {now:?}"));
            expected.insert(label.to_string(), left.clone());
            assert_eq!(now, expected, "[{name}] only {label:?} is new");
            assert_eq!(left.len(), 1, "[{name}] {label:?} once");
            assert!(
                err.contains(label),
                "[{name}] the error names {label:?}: {err}"
            );
        }
    }
    if let Leaves::Key(label) = case.leaves {
        let o = cell.hsm.run(
            setup.token,
            &["delete", "--label", label, "--confirm", label],
        );
        assert_eq!(o.status.code(), Some(0), "[{name}] delete: {}", text(&o));
        assert_eq!(&inventory(&cell.hsm, setup.token), before, "[{name}]");
    }

    // The same command without the fault succeeds, and the log still verifies.
    let o: Output = command(&cell).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "[{name}] rerun: {}", text(&o));
    let end = last_record_of_verified_log(name, &cell.audit_log);
    assert_eq!(end["outcome"]["exit"], 0, "[{name}] {end}");
    after_rerun(before, &inventory(&cell.hsm, setup.token));
}
