//! Must show (issue 12): `ceremony sign-ksr --sessions N` signs over N PKCS#11
//! sessions of a real SoftHSM token and writes the same SKR as `--sessions 1`:
//! byte for byte for the deterministic RSA-2048 and Ed25519, and for ECDSA
//! (randomised on SoftHSM) the same records, with every signature verifying.

mod ceremony_sign_common;
use ceremony_sign_common::*;

const FROM: &str = "2026-01-01";
const TO: &str = "2026-04-02";
const AT: &str = "2025-12-20";

/// Signs `ksr` with the KSKs given (a rollover when two) over 1 and 4 sessions.
fn sign_twice(
    hsm: &Hsm,
    ksr: &std::path::Path,
    policy: &std::path::Path,
    ksks: &[&str],
) -> [std::path::PathBuf; 2] {
    ["1", "4"].map(|sessions| {
        let out = out_dir(hsm, &format!("out-{}-{sessions}", ksks.join("+")));
        let skr = out.join("skr.xml");
        let mut args = vec!["--ksk-current", ksks[0]];
        match ksks.get(1) {
            Some(n) => args.extend(["--ksk-next", n, "--schema", "rollover"]),
            None => args.extend(["--schema", "normal"]),
        }
        args.extend([
            "--at",
            AT,
            "--policy",
            policy.to_str().unwrap(),
            "--sessions",
            sessions,
        ]);
        let o = sign(hsm, ksr, &skr, &args);
        ok(o);
        skr
    })
}

#[test]
fn several_sessions_write_the_same_skr_as_one() {
    let hsm = Hsm::new("sessions");
    for z in ["zsk-1", "zsk-2", "zsk-3"] {
        hsm.keygen(z, "ecdsap256sha256", None, "example.test.", 256);
    }
    hsm.keygen("ksk-rsa-c", "rsasha256", Some(2048), "example.test.", 257);
    hsm.keygen("ksk-rsa-n", "rsasha256", Some(2048), "example.test.", 257);
    hsm.keygen("ksk-ed-c", "ed25519", None, "example.test.", 257);
    hsm.keygen("ksk-ed-n", "ed25519", None, "example.test.", 257);
    hsm.keygen("ksk-p256", "ecdsap256sha256", None, "example.test.", 257);
    let policy = write_policy(
        hsm.dir.path(),
        "example.toml",
        &example_policy(&[rsa2048(), p256(), ed25519()]),
    );
    let ksr_path = hsm.path("ksr.xml");
    ok(request(
        &hsm,
        &policy,
        &["zsk-1", "zsk-2", "zsk-3"],
        FROM,
        TO,
        &ksr_path,
    ));

    for ksks in [
        &["ksk-rsa-c", "ksk-rsa-n"][..],
        &["ksk-ed-c", "ksk-ed-n"],
        &["ksk-ed-c"],
    ] {
        let [one, four] = sign_twice(&hsm, &ksr_path, &policy, ksks);
        let (a, b) = (std::fs::read(&one).unwrap(), std::fs::read(&four).unwrap());
        assert!(!a.is_empty());
        assert!(
            a == b,
            "{ksks:?}: --sessions 1 and --sessions 4 wrote different SKRs"
        );
    }

    let [one, four] = sign_twice(&hsm, &ksr_path, &policy, &["ksk-p256"]);
    for skr in [&one, &four] {
        let report = ksr_verify_passes(skr, &["--policy", policy.to_str().unwrap(), "--at", AT]);
        assert!(report.contains("PASS SKR-VERIFY"), "{report}");
    }
    let read = |p: &std::path::Path| ksr::xml::parse_file(p, &Default::default()).unwrap();
    let (a, b) = (read(&one), read(&four));
    assert_eq!(a.bundles.len(), 9);
    let unsigned = |d: &ksr::Document| {
        let mut d = d.clone();
        for b in &mut d.bundles {
            for s in &mut b.signatures {
                s.signature_data.clear();
            }
        }
        d
    };
    assert_eq!(unsigned(&a), unsigned(&b));
    for (doc, bundle) in [&a, &b]
        .iter()
        .flat_map(|d| d.bundles.iter().map(move |b| (d, b)))
    {
        assert_eq!(bundle.signatures.len(), 1);
        for s in &bundle.signatures {
            let signer = bundle
                .keys
                .iter()
                .find(|k| k.key_identifier == s.key_identifier)
                .unwrap();
            ksr::dnssec::verify_rrsig(&doc.domain, s, &bundle.keys, signer).unwrap();
        }
    }
}
