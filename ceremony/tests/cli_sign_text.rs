//! In-process `sign-ksr` of a Knot text KSR on real SoftHSM2: the SKR comes
//! back in Knot's dialect (or `--dialect`'s), with re-signing snapshots from
//! the policy's `[snapshot_timing]`; a text KSR that fails a check stops
//! before the token is used, and `--cds` into IANA XML is refused up front.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn knot_ksr() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ksr/tests/format_data/knot-example.test.ksr")
}

/// The operator's policy for Knot's KSR: example.test., ECDSA P-256, its layout.
fn policy(dir: &Path) -> PathBuf {
    use ksr::model::{AlgorithmParams, AlgorithmPolicy};
    let (doc, _) = ksr::format::read_file(&knot_ksr(), &Default::default()).unwrap();
    let starts: Vec<_> = doc.bundles.iter().map(|b| b.inception).collect();
    let gaps: Vec<i64> = starts
        .windows(2)
        .map(|w| (w[1] - w[0]).whole_seconds())
        .collect();
    let cycle = (starts[starts.len() - 1] - starts[0]).whole_seconds();
    let p256 = AlgorithmPolicy {
        algorithm: 13,
        params: AlgorithmParams::Ecdsa { size: 256 },
    };
    let mut p = ksr::policy::Policy::root();
    p.domains = vec!["example.test.".into()];
    p.dnskey_ttl = 3600;
    p.bundle_count = doc.bundles.len();
    p.keys_per_bundle = None;
    p.distinct_keys = None;
    p.cycle_duration = ksr::policy::Span {
        min: cycle,
        max: cycle,
    };
    p.bundle_interval = ksr::policy::Span {
        min: *gaps.iter().min().unwrap(),
        max: *gaps.iter().max().unwrap(),
    };
    p.zsk_algorithms = vec![p256.clone()];
    p.ksk_algorithms = vec![p256];
    p.zsk_publish_safety = 0;
    p.zsk_retire_safety = 0;
    let path = dir.join("policy.toml");
    std::fs::write(&path, p.to_toml()).unwrap();
    path
}

fn words_for(path: &Path) -> String {
    let digest = ksr::digest::sha256(&std::fs::read(path).unwrap());
    ksr::digest::pgp_words(&digest).join(" ")
}

#[test]
fn a_knot_ksr_is_signed_into_a_knot_skr_and_bind_on_request() {
    let t = token("sign-text");
    keygen(t, "Ktext", "ecdsap256sha256", &[]);
    let dir = scratch();
    let policy = policy(dir.path());
    let ksr_path = knot_ksr();
    let sign = |out: &Path, extra: &[&str]| {
        let env = FakeEnv::new().answer(&words_for(&ksr_path));
        let mut a = vec![
            "sign-ksr",
            s(&ksr_path),
            "--out",
            s(out),
            "--ksk-current",
            "Ktext",
            "--schema",
            "normal",
            "--policy",
            s(&policy),
            "--at",
            "2026-11-25",
            "--first-in-chain",
        ];
        a.extend_from_slice(extra);
        on(&env, t, &a)
    };
    let knot = dir.path().join("skr.knot");
    let o = sign(&knot, &[]);
    o.expect_code(0);
    assert!(
        o.stdout.contains("SKIP KSR-ID the Knot text dialect"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("PASS SKR-MATCHES-KSR"), "{}", o.stdout);
    assert!(o.stdout.contains("Knot text dialect"), "{}", o.stdout);
    let skr = ksr::format::read_text_file(&knot, &Default::default()).unwrap();
    assert_eq!(skr.flavor, ksr::format::Format::Knot);
    let ksr_text = ksr::format::read_text_file(&ksr_path, &Default::default()).unwrap();
    assert!(
        skr.snapshots.len() > ksr_text.snapshots.len(),
        "no re-signing snapshots"
    );
    for snap in &skr.snapshots {
        let sigs: Vec<_> = snap.dnskey_signatures().collect();
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].original_ttl, 3600);
    }

    let bind = dir.path().join("skr.bind");
    sign(&bind, &["--dialect", "bind"]).expect_code(0);
    let b = ksr::format::read_text_file(&bind, &Default::default()).unwrap();
    assert_eq!(b.flavor, ksr::format::Format::Bind);
    assert_eq!(b.snapshots.len(), skr.snapshots.len());

    // --cds into IANA XML: refused before anything is asked or signed.
    let xml = dir.path().join("skr.xml");
    let env = FakeEnv::new();
    let o = on(
        &env,
        t,
        &[
            "sign-ksr",
            s(&ksr_path),
            "--out",
            s(&xml),
            "--ksk-current",
            "Ktext",
            "--schema",
            "normal",
            "--policy",
            s(&policy),
            "--dialect",
            "iana",
            "--cds",
            "--first-in-chain",
        ],
    );
    o.expect_stderr(2, "no place for CDS");
    assert!(env.prompts().is_empty(), "{:?}", env.prompts());
    assert!(!xml.exists());
}

#[test]
fn a_text_ksr_that_fails_a_check_stops_before_the_token() {
    let t = token("sign-text-bad");
    keygen(t, "Kbad", "ecdsap256sha256", &[]);
    let dir = scratch();
    let out = dir.path().join("skr.knot");
    // The root policy (the default) does not accept example.test. nor P-256 ZSKs.
    let env = FakeEnv::new();
    let o = on(
        &env,
        t,
        &[
            "sign-ksr",
            s(&knot_ksr()),
            "--out",
            s(&out),
            "--ksk-current",
            "Kbad",
            "--schema",
            "normal",
            "--first-in-chain",
        ],
    );
    o.expect_code(1);
    assert!(o.stdout.contains("FAIL KSR-DOMAIN"), "{}", o.stdout);
    assert!(
        !o.stdout.contains("Checks against the token"),
        "{}",
        o.stdout
    );
    assert!(env.prompts().is_empty(), "{:?}", env.prompts());
    assert!(!out.exists());
}
