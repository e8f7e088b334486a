//! Must show (issue 3): an RSA-2048 KSK on SoftHSM signs the real root KSR
//! 2017-q2-0 (schema normal, --at 2017-03-20) and `ksr verify` of the SKR passes
//! every check; the same inputs give a byte-identical SKR.
//!
//! `--previous-skr skr-root-2017-q1-0.xml` is not given for the good run: that SKR's
//! last bundle was signed by the real KSK-2010 (Kjqmt7v), whose private key is not on
//! our token, so KSR-CHAIN-KEYS-HSM must (and does, see below) refuse it; chaining
//! with a previous SKR is shown by the two-KSK test, where we hold the keys.

mod ceremony_sign_common;
use ceremony_sign_common::*;

const KSR: &str = "iana-root/ksr-root-2017-q2-0.xml";

#[test]
fn rsa2048_ksk_signs_the_real_root_ksr_deterministically() {
    let hsm = Hsm::new("root-ksk");
    hsm.keygen("Kroot2048", "rsasha256", Some(2048), ".", 257);
    let ksr = test_support::fixture(KSR);
    let out = out_dir(&hsm, "out");
    let skr = out.join("skr-root-2017-q2-0.xml");
    let args = [
        "--ksk-current",
        "Kroot2048",
        "--schema",
        "normal",
        "--at",
        "2017-03-20",
    ];
    let o = ok(sign(&hsm, &ksr, &skr, &args));
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    // The KSR's hash and the SKR's hash, each with its PGP words.
    assert!(stdout.contains(&sha256_hex(&ksr)), "{stdout}");
    assert!(stdout.contains(&sha256_hex(&skr)), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.trim_start().starts_with("1 ")),
        "PGP words shown: {stdout}"
    );
    // Before the rename, the new SKR was checked to answer exactly this KSR.
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("PASS SKR-MATCHES-KSR")),
        "{stdout}"
    );

    let report = ksr_verify_passes(&skr, &["--at", "2017-03-20"]);
    assert!(report.contains("SKR-VERIFY"), "{report}");

    // The SKR carries the KSR's 9 bundles, each signed by our KSK only.
    let doc = ksr::xml::parse_file(&skr, &Default::default()).unwrap();
    let req = ksr::xml::parse_file(&ksr, &Default::default()).unwrap();
    assert_eq!(doc.kind, ksr::Kind::Response);
    assert_eq!(doc.id, req.id);
    assert_eq!(doc.bundles.len(), 9);
    for (b, r) in doc.bundles.iter().zip(&req.bundles) {
        assert_eq!(b.id, r.id);
        assert_eq!(b.signatures.len(), 1);
        let s = &b.signatures[0];
        assert_eq!(s.key_identifier, "Kroot2048");
        assert_eq!(
            (s.labels, s.original_ttl, s.signers_name.as_str()),
            (0, 172800, ".")
        );
        assert_eq!((s.inception, s.expiration), (r.inception, r.expiration));
        let ksk = b
            .keys
            .iter()
            .find(|k| k.key_identifier == "Kroot2048")
            .unwrap();
        assert_eq!((ksk.flags, ksk.ttl, ksk.algorithm), (257, 172800, 8));
        for z in &r.keys {
            assert!(b.keys.contains(z), "ZSK {} unchanged", z.key_tag);
        }
    }
    assert_eq!(doc.zsk_policy, req.zsk_policy);

    // Deterministic: a second run gives the same bytes.
    let skr2 = out.join("again.xml");
    ok(sign(&hsm, &ksr, &skr2, &args));
    assert_eq!(
        std::fs::read(&skr).unwrap(),
        std::fs::read(&skr2).unwrap(),
        "SKR bytes differ between runs"
    );
}

#[test]
fn previous_skr_signed_by_a_key_not_on_the_token_is_refused() {
    let hsm = Hsm::new("root-ksk");
    hsm.keygen("Kroot2048", "rsasha256", Some(2048), ".", 257);
    let out = out_dir(&hsm, "out");
    let skr = out.join("skr.xml");
    let prev = test_support::fixture("iana-root/skr-root-2017-q1-0.xml");
    let o = sign(
        &hsm,
        &test_support::fixture(KSR),
        &skr,
        &[
            "--ksk-current",
            "Kroot2048",
            "--schema",
            "normal",
            "--at",
            "2017-03-20",
            "--previous-skr",
            prev.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let all = text(&o);
    assert!(all.contains("FAIL KSR-CHAIN-KEYS-HSM"), "{all}");
    assert!(all.contains("Kjqmt7v"), "names the missing KSK: {all}");
    assert!(
        entries(&out).is_empty(),
        "no SKR written: {:?}",
        entries(&out)
    );
}
