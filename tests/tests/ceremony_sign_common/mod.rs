//! Shared set-up for the `ceremony_sign_*` end-to-end tests: a fresh SoftHSM2
//! token in a temp directory (made with `ceremony hsm init --softhsm`), keys made
//! with `ceremony keygen`, and runners for the built `ceremony` and `ksr` binaries
//! that fail the test if a PIN shows in any output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use e2e::softhsm::{ok, text, SoftHsm};

/// One token in its own SoftHSM2 directory (see `e2e::softhsm::SoftHsm`, which
/// this derefs to), with PINs unique to the run so every output can be searched
/// for them.
pub struct Hsm {
    pub softhsm: SoftHsm,
    pub token: String,
}

impl std::ops::Deref for Hsm {
    type Target = SoftHsm;
    fn deref(&self) -> &SoftHsm {
        &self.softhsm
    }
}

pub fn ksr_cmd() -> Command {
    Command::new(e2e::binary("ksr"))
}

impl Hsm {
    /// A new token labelled `label` in its own SoftHSM2 directory.
    pub fn new(label: &str) -> Hsm {
        Hsm {
            softhsm: SoftHsm::new(label),
            token: label.into(),
        }
    }

    /// `ceremony ARGS --token TOKEN --pin-file FILE` against this token.
    pub fn ceremony(&self, args: &[&str]) -> Command {
        self.softhsm.with_token(&self.token, args)
    }

    /// Runs `ceremony` and checks that neither PIN shows in its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.output(self.ceremony(args))
    }

    /// Runs a prepared command and checks that neither PIN shows in its output.
    pub fn output(&self, mut c: Command) -> Output {
        let o = c.output().unwrap();
        self.assert_no_pin(&o);
        o
    }

    /// `ceremony keygen` of a KSK (flags 257) or ZSK (256).
    pub fn keygen(&self, label: &str, algorithm: &str, bits: Option<u32>, zone: &str, flags: u16) {
        let mut args = vec![
            "keygen",
            "--label",
            label,
            "--algorithm",
            algorithm,
            "--zone",
            zone,
        ];
        let bits = bits.map(|b| b.to_string());
        if let Some(b) = &bits {
            args.extend(["--bits", b.as_str()]);
        }
        let f = flags.to_string();
        args.extend(["--flags", f.as_str()]);
        ok(self.run(&args));
    }
}

/// SHA-256 hex of a file, as `--expect-sha256` wants it.
pub fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    ksr::digest::sha256(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `ksr verify` must pass every check (exit 0, no FAIL line).
pub fn ksr_verify_passes(file: &Path, extra: &[&str]) -> String {
    let o = ksr_cmd()
        .arg("verify")
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(
        o.status.code(),
        Some(0),
        "ksr verify {}: {}",
        file.display(),
        text(&o)
    );
    assert!(!out.lines().any(|l| l.starts_with("FAIL")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("PASS")), "{out}");
    out
}

/// A policy for `example.test.` written as TOML: the root's shape (9 bundles,
/// 10-day interval, 21-day validity) with ECDSA ZSKs, and the KSK algorithms given.
pub fn example_policy(ksk_algorithms: &[ksr::model::AlgorithmPolicy]) -> ksr::policy::Policy {
    use ksr::model::{AlgorithmParams, AlgorithmPolicy};
    let mut p = ksr::policy::Policy::root();
    p.domains = vec!["example.test.".into()];
    p.zsk_algorithms = vec![AlgorithmPolicy {
        algorithm: 13,
        params: AlgorithmParams::Ecdsa { size: 256 },
    }];
    p.ksk_algorithms = ksk_algorithms.to_vec();
    p.dnskey_ttl = 3600;
    p
}

pub fn write_policy(dir: &Path, name: &str, p: &ksr::policy::Policy) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, p.to_toml()).unwrap();
    path
}

pub fn p256() -> ksr::model::AlgorithmPolicy {
    ksr::model::AlgorithmPolicy {
        algorithm: 13,
        params: ksr::model::AlgorithmParams::Ecdsa { size: 256 },
    }
}
pub fn ed25519() -> ksr::model::AlgorithmPolicy {
    ksr::model::AlgorithmPolicy {
        algorithm: 15,
        params: ksr::model::AlgorithmParams::None,
    }
}
pub fn rsa2048() -> ksr::model::AlgorithmPolicy {
    ksr::model::AlgorithmPolicy {
        algorithm: 8,
        params: ksr::model::AlgorithmParams::Rsa {
            size: 2048,
            exponent: 65537,
        },
    }
}

/// `ceremony request` for example.test. with the given ZSK labels.
pub fn request(
    hsm: &Hsm,
    policy: &Path,
    zsks: &[&str],
    from: &str,
    to: &str,
    out: &Path,
) -> Output {
    let mut args = vec![
        "request",
        "--zone",
        "example.test.",
        "--from",
        from,
        "--to",
        to,
    ];
    for z in zsks {
        args.extend(["--zsk", z]);
    }
    let mut c = hsm.ceremony(&args);
    c.arg("--policy").arg(policy).arg("--out").arg(out);
    hsm.output(c)
}

/// `ceremony sign-ksr` with `--expect-sha256` of the KSR; `extra` adds flags.
pub fn sign(hsm: &Hsm, ksr: &Path, out: &Path, extra: &[&str]) -> Output {
    let hash = sha256_hex(ksr);
    let mut c = hsm.ceremony(&["sign-ksr"]);
    c.arg(ksr)
        .arg("--out")
        .arg(out)
        .args(["--expect-sha256", &hash])
        .args(extra);
    hsm.output(c)
}

/// Names of everything in `dir` (outputs go to their own directory so a failed run
/// can be shown to leave neither the SKR nor a temp file).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// A fresh empty output directory inside the token's temp dir.
pub fn out_dir(hsm: &Hsm, name: &str) -> PathBuf {
    let d = hsm.path(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Knot DNS's `keymgr import-skr` into a scratch zone: an independent validator of
/// the KSK signatures (DOMAIN.md 4: the dependable oracle). The SKR is rewritten in
/// the Knot text dialect first. None when Knot is not installed.
pub fn knot_import_skr(skr: &Path, zone: &str, work: &Path) -> Option<Output> {
    if Command::new("keymgr").arg("--version").output().is_err() {
        eprintln!("SKIP knot cross-check: keymgr (Knot DNS) not installed");
        return None;
    }
    std::fs::create_dir_all(work).unwrap();
    let d = work.display();
    let conf = work.join("knot.conf");
    std::fs::write(
        &conf,
        format!(
            "server:\n  rundir: {d}\ndatabase:\n  storage: {d}\npolicy:\n  - id: offline\n    algorithm: ecdsap256sha256\n    manual: on\n    offline-ksk: on\n    dnskey-ttl: 3600\n    zone-max-ttl: 3600\nzone:\n  - domain: {zone}\n    storage: {d}\n    dnssec-signing: on\n    dnssec-policy: offline\n"
        ),
    )
    .unwrap();
    let keymgr = |args: &[&str]| {
        Command::new("keymgr")
            .arg("-c")
            .arg(&conf)
            .arg(zone)
            .args(args)
            .output()
            .unwrap()
    };
    ok(keymgr(&["generate", "ksk=no", "zsk=yes"]));
    let doc = ksr::xml::parse_file(skr, &ksr::xml::ParseOptions { max_size: 64 << 20 }).unwrap();
    let text = ksr::dialect::TextDocument::from_document(&doc, ksr::format::Format::Knot);
    let knot_skr = work.join("skr.knot");
    std::fs::write(&knot_skr, ksr::dialect::write(&text)).unwrap();
    Some(keymgr(&["import-skr", knot_skr.to_str().unwrap()]))
}
