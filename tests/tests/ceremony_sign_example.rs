//! Must show (issue 3): ECDSA P-256 and Ed25519 KSKs on SoftHSM sign a KSR that
//! `ceremony request` made for `example.test.` with ECDSA ZSKs on the token, under
//! a policy for example.test. written here; `ksr verify` passes every check.
//! Also: `ceremony trust-anchor` for those KSKs.

mod ceremony_sign_common;
use ceremony_sign_common::*;
use std::path::Path;
use std::process::Output;

const FROM: &str = "2026-01-01";
const TO: &str = "2026-04-02";
const AT: &str = "2025-12-20";
const ZSKS: [&str; 3] = ["zsk-1", "zsk-2", "zsk-3"];

/// `sign-ksr` of `ksr` into `out` with the KSK `ksk`, schema `normal`, at
/// [`AT`], under `policy`.
fn sign_normal(hsm: &Hsm, ksr: &Path, out: &Path, ksk: &str, policy: &Path) -> Output {
    sign(
        hsm,
        ksr,
        out,
        &[
            "--ksk-current",
            ksk,
            "--schema",
            "normal",
            "--at",
            AT,
            "--policy",
            policy.to_str().unwrap(),
        ],
    )
}

#[test]
fn p256_and_ed25519_ksks_sign_a_requested_ksr() {
    let hsm = Hsm::new("example");
    for z in ZSKS {
        hsm.keygen(z, "ecdsap256sha256", None, "example.test.", 256);
    }
    hsm.keygen("ksk-p256", "ecdsap256sha256", None, "example.test.", 257);
    hsm.keygen("ksk-ed", "ed25519", None, "example.test.", 257);
    let policy = write_policy(
        hsm.dir.path(),
        "example.toml",
        &example_policy(&[p256(), ed25519()]),
    );
    let ksr_path = hsm.path("ksr-example.xml");
    ok(request(&hsm, &policy, &ZSKS, FROM, TO, &ksr_path));

    // The request is a valid KSR under the policy: root-like layout, ZSK proofs verify.
    let report = ksr_verify_passes(
        &ksr_path,
        &["--policy", policy.to_str().unwrap(), "--at", AT],
    );
    assert!(report.contains("PASS KSR-BUNDLE-POP"), "{report}");
    let req = ksr::xml::parse_file(&ksr_path, &Default::default()).unwrap();
    assert_eq!(req.domain, "example.test.");
    let per_slot: Vec<usize> = req.bundles.iter().map(|b| b.keys.len()).collect();
    assert_eq!(per_slot, [2, 1, 1, 1, 1, 1, 1, 1, 2]);
    // Deterministic ids: the same request again gives the same file.
    let again = hsm.path("ksr-again.xml");
    ok(request(&hsm, &policy, &ZSKS, FROM, TO, &again));
    let (a, b) = (
        ksr::xml::parse_file(&again, &Default::default()).unwrap(),
        &req,
    );
    assert_eq!(a.id, b.id);
    assert_eq!(
        a.bundles.iter().map(|x| &x.id).collect::<Vec<_>>(),
        b.bundles.iter().map(|x| &x.id).collect::<Vec<_>>()
    );

    for (ksk, alg) in [("ksk-p256", 13u8), ("ksk-ed", 15u8)] {
        let out = out_dir(&hsm, &format!("out-{ksk}"));
        let skr = out.join("skr.xml");
        ok(sign_normal(&hsm, &ksr_path, &skr, ksk, &policy));
        ksr_verify_passes(&skr, &["--policy", policy.to_str().unwrap(), "--at", AT]);
        // An independent validator (Knot DNS) accepts the signatures, and refuses
        // a copy with one signature damaged.
        let (_, o) = knot_import_skr(&skr, "example.test.");
        assert!(o.status.success(), "knot import-skr: {}", text(&o));
        let mut bad = ksr::xml::parse_file(&skr, &Default::default()).unwrap();
        bad.bundles[4].signatures[0].signature_data[7] ^= 1;
        let bad_path = out.join("damaged.xml");
        std::fs::write(&bad_path, ksr::xml::write(&bad)).unwrap();
        let (_, o) = knot_import_skr(&bad_path, "example.test.");
        assert!(
            !o.status.success(),
            "knot accepted a damaged signature: {}",
            text(&o)
        );
        let doc = ksr::xml::parse_file(&skr, &Default::default()).unwrap();
        for bundle in &doc.bundles {
            let s = &bundle.signatures[0];
            assert_eq!(
                (s.algorithm, s.labels, s.original_ttl, s.ttl),
                (alg, 2, 3600, 3600),
                "{ksk}"
            );
            assert_eq!(s.signers_name, "example.test.");
        }
        if alg == 15 {
            // Ed25519 is deterministic: a second run gives the same bytes.
            let skr2 = out.join("skr2.xml");
            ok(sign_normal(&hsm, &ksr_path, &skr2, ksk, &policy));
            assert_eq!(std::fs::read(&skr).unwrap(), std::fs::read(&skr2).unwrap());
        }
    }

    // A ZSK TTL that differs from the policy is a failed check, never overridden.
    let mut other = example_policy(&[p256(), ed25519()]);
    other.dnskey_ttl = 7200;
    let other = write_policy(hsm.dir.path(), "ttl7200.toml", &other);
    let out = out_dir(&hsm, "out-ttl");
    let o = sign_normal(&hsm, &ksr_path, &out.join("skr.xml"), "ksk-ed", &other);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("TTL 3600"), "{}", text(&o));
    assert!(entries(&out).is_empty());

    // A ZSK named as the KSK (and a KSK as a ZSK) is refused before anything is signed.
    let o = sign_normal(&hsm, &ksr_path, &out.join("skr.xml"), "zsk-1", &policy);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("generated as a ZSK"), "{}", text(&o));
    assert!(entries(&out).is_empty());
    let o = request(&hsm, &policy, &["ksk-ed"], FROM, TO, &out.join("ksr.xml"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("generated as a KSK"), "{}", text(&o));
    assert!(entries(&out).is_empty());
}

#[test]
fn trust_anchor_xml_and_ds() {
    let hsm = Hsm::new("ta");
    hsm.keygen("ksk-ta", "ecdsap256sha256", None, "example.test.", 257);
    let out = hsm.path("root-anchors.xml");
    let mut c = hsm.ceremony(&[
        "trust-anchor",
        "--ksk",
        "ksk-ta",
        "--zone",
        "example.test.",
        "--valid-from",
        "2026-01-01",
    ]);
    let o = ok(c.arg("--out").arg(&out).output().unwrap());
    let xml = std::fs::read_to_string(&out).unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    // The DS line (SHA-256) and the XML agree on tag, algorithm and digest.
    let ds = stdout
        .lines()
        .find(|l| l.contains(" IN DS ") && l.split_whitespace().nth(5) == Some("2"))
        .expect(&stdout);
    let f: Vec<&str> = ds.split_whitespace().collect();
    assert_eq!(f[0], "example.test.");
    assert!(xml.contains("<Zone>example.test.</Zone>"), "{xml}");
    assert!(xml.contains(&format!("<KeyTag>{}</KeyTag>", f[3])), "{xml}");
    assert!(xml.contains("<Algorithm>13</Algorithm>"), "{xml}");
    assert!(xml.contains("<DigestType>2</DigestType>"));
    assert!(xml.contains(&format!("<Digest>{}</Digest>", f[6])), "{xml}");
    assert!(
        xml.contains("<KeyDigest id=\"ksk-ta\" validFrom=\"2026-01-01T00:00:00+00:00\">"),
        "{xml}"
    );
    // The DS digest is the one keygen printed for the same key.
    let inv = ok(hsm.run(&["inventory", "--json", "--zone", "example.test."]));
    assert!(
        String::from_utf8_lossy(&inv.stdout)
            .to_uppercase()
            .contains(f[6]),
        "{}",
        text(&inv)
    );
    // Missing key: exit 2, named.
    let o = hsm.run(&[
        "trust-anchor",
        "--ksk",
        "nope",
        "--zone",
        "example.test.",
        "--valid-from",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("nope"));
}
