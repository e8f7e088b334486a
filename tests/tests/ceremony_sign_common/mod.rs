//! Shared set-up for the `ceremony_sign_*` end-to-end tests: a fresh SoftHSM2
//! token in a temp directory (made with `ceremony hsm init --softhsm`), keys made
//! with `ceremony keygen`, and runners for the built `ceremony` and `ksr` binaries
//! that fail the test if a PIN shows in any output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use test_support::knot::KnotZone;
pub use test_support::process::{ok, text};
pub use test_support::sha256_hex;
pub use test_support::softhsm::SoftHsm;

/// One token in its own SoftHSM2 directory (see `test_support::softhsm::SoftHsm`, which
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
    test_support::process::command("ksr")
}

impl Hsm {
    /// A new token labelled `label` in its own SoftHSM2 directory.
    pub fn new(label: &str) -> Hsm {
        Hsm {
            softhsm: SoftHsm::new_by_ceremony(label),
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
        let mut args = test_support::keygen_args(label, algorithm, zone);
        let bits = bits.map(|b| b.to_string());
        if let Some(b) = &bits {
            args.extend(["--bits", b.as_str()]);
        }
        let f = flags.to_string();
        args.extend(["--flags", f.as_str()]);
        ok(self.run(&args));
    }
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
/// Without `--previous-skr` in `extra` the run states `--first-in-chain`.
pub fn sign(hsm: &Hsm, ksr: &Path, out: &Path, extra: &[&str]) -> Output {
    let hash = sha256_hex(ksr);
    let mut c = hsm.ceremony(&["sign-ksr"]);
    c.arg(ksr)
        .arg("--out")
        .arg(out)
        .args(["--expect-sha256", &hash])
        .args(extra);
    if !extra.contains(&"--previous-skr") {
        c.arg("--first-in-chain");
    }
    hsm.output(c)
}

/// Names of everything in `dir` (outputs go to their own directory so a failed run
/// can be shown to leave neither the SKR nor a temp file).
#[allow(unused_imports)]
pub use test_support::dir_names as entries;

/// A fresh empty output directory inside the token's temp dir.
pub fn out_dir(hsm: &Hsm, name: &str) -> PathBuf {
    let d = hsm.path(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Knot DNS's `keymgr import-skr` into a scratch zone: an independent validator
/// of the KSK signatures (docs/formats.md, "Knot"). The SKR is rewritten in the
/// Knot text dialect first. Fails the test when Knot is not installed: a
/// cross-check that cannot run must not pass.
pub fn knot_import_skr(skr: &Path, zone: &str) -> (KnotZone, Output) {
    let knot = KnotZone::new(zone, "ecdsap256sha256", 3600);
    ok(knot.keymgr(&["generate", "ksk=no", "zsk=yes"]));
    let doc = ksr::xml::parse_file(skr, &ksr::xml::ParseOptions { max_size: 64 << 20 }).unwrap();
    let text = ksr::dialect::TextDocument::from_document(&doc, ksr::format::Format::Knot);
    let knot_skr = knot.path("skr.knot");
    std::fs::write(&knot_skr, ksr::dialect::write(&text)).unwrap();
    let o = knot.import_skr(&knot_skr);
    (knot, o)
}
