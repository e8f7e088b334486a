//! In-process runs of `sign-ksr`, `request` and `trust-anchor` on real SoftHSM2.

mod common;
use common::*;

#[test]
fn sign_ksr_signs_the_root_ksr_after_the_hash_is_confirmed() {
    let t = root_ksk_token("sign-root");
    let ksr_path = fixture(ROOT_KSR);
    let dir = scratch();
    let skr = dir.path().join("skr.xml");
    let args = |extra: &[&str]| -> Vec<String> {
        let extra = [&["--first-in-chain"], extra].concat();
        root_sign_args(s(&ksr_path), s(&skr), &extra)
            .into_iter()
            .map(String::from)
            .collect()
    };
    let go = |env: &FakeEnv, a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        on(env, t, &refs)
    };
    // Wrong words typed back: a failed check, nothing written, nothing signed.
    let env = FakeEnv::new().answer("aardvark adroitness");
    let o = go(&env, args(&[]));
    o.expect_stderr(1, "KSR-HASH-CONFIRM");
    assert!(!o.stdout.contains("Signing"), "{}", o.stdout);
    assert!(!skr.exists());
    assert!(
        env.prompts()[0].starts_with("Compare the KSR's hash"),
        "{:?}",
        env.prompts()
    );

    // All 32 words, read from the submitter's copy.
    let digest = ksr::digest::sha256(&std::fs::read(&ksr_path).unwrap());
    let words = ksr::digest::pgp_words(&digest);
    let env = FakeEnv::new().answer(&words.join(" "));
    let o = go(&env, args(&[]));
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    // The unchecked chain is said first and last.
    assert!(
        o.stdout.starts_with(&format!(
            "WARNING: --first-in-chain: the chain was NOT checked (no previous SKR: \
             KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP, KSR-POLICY-SAFETY and KSR-CHAIN-KEYS-HSM \
             did not run)\nChecks of {}:\n",
            ksr_path.display()
        )),
        "{}",
        o.stdout
    );
    assert!(o.stdout.ends_with("the chain was NOT checked (no previous SKR: KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP, KSR-POLICY-SAFETY and KSR-CHAIN-KEYS-HSM did not run)\n"), "{}", o.stdout);
    assert!(o.stdout.contains(&hex::encode(digest)), "{}", o.stdout);
    assert!(o.stdout.contains("Signing 9 bundles"), "{}", o.stdout);
    assert!(
        o.stdout
            .lines()
            .any(|l| l.starts_with("PASS SKR-MATCHES-KSR")),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains(&sha256_hex(&skr)), "{}", o.stdout);
    let doc = ksr::xml::parse_file(&skr, &Default::default()).unwrap();
    assert_eq!(doc.bundles.len(), 9);
    assert!(doc
        .bundles
        .iter()
        .all(|b| b.signatures[0].key_identifier == "Kroot"));
    let first = std::fs::read(&skr).unwrap();

    // --json: the report on stdout, the check reports and progress on stderr;
    // the same inputs give the same SKR byte for byte.
    std::fs::remove_file(&skr).unwrap();
    let hash = hex::encode(digest);
    let mut a = args(&["--json"]);
    a.extend(["--expect-sha256".to_string(), hash]);
    let o = go(&FakeEnv::new(), a);
    o.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["bundles"], 9);
    assert_eq!(v["signatures"], 9);
    assert_eq!(v["skr_sha256"], sha256_hex(&skr));
    assert!(o.stderr.contains("Signing 9 bundles"), "{}", o.stderr);
    assert_eq!(std::fs::read(&skr).unwrap(), first);

    // A ZSK where a KSK belongs is refused before signing.
    keygen(t, "zsk", "ecdsap256sha256", &["--flags", "256"]);
    std::fs::remove_file(&skr).unwrap();
    let mut a = args(&[]);
    a[5] = "zsk".into();
    let o = go(&FakeEnv::new().answer(&words.join(" ")), a);
    o.expect_stderr(2, "generated as a ZSK");
    assert!(!skr.exists());
}

#[test]
fn request_builds_a_ksr_from_zsks_on_the_token() {
    let t = token("request");
    keygen(t, "zsk", "ecdsap256sha256", &["--flags", "256"]);
    keygen(t, "ksk", "ecdsap256sha256", &[]);
    let dir = scratch();
    let out = dir.path().join("ksr.xml");
    let o = with_token(
        t,
        &test_support::request_args(
            "example.test",
            &["zsk"],
            ("2026-01-01", "2026-04-01"),
            s(&out),
        ),
    );
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    let doc = ksr::xml::parse_file(&out, &Default::default()).unwrap();
    assert_eq!(doc.domain, "example.test.");
    let d = ksr::digest::sha256(&std::fs::read(&out).unwrap());
    assert_eq!(
        o.stdout,
        format!(
            "Wrote {} ({} bundles, zone example.test.)\n{}",
            out.display(),
            doc.bundles.len(),
            ksr::digest::read_aloud(&d)
        )
    );
    assert!(!doc.bundles.is_empty());
    // The ZSK on the token is in every bundle, with its proof-of-possession.
    let zsk = key_entry(t, "zsk");
    assert!(doc
        .bundles
        .iter()
        .all(|b| b.keys[0].key_tag as u64 == zsk["key_tag"].as_u64().unwrap()));
    // A KSK given as a ZSK, and a bad time, are refused.
    let o = with_token(
        t,
        &[
            "request",
            "--zone",
            "example.test",
            "--zsk",
            "ksk",
            "--from",
            "2026-01-01",
            "--to",
            "2026-04-01",
            "--out",
            s(&out),
            "--force",
        ],
    );
    o.expect_stderr(2, "generated as a KSK");
    let o = with_token(
        t,
        &[
            "request",
            "--zone",
            "example.test",
            "--zsk",
            "zsk",
            "--from",
            "soon",
            "--to",
            "2026-04-01",
            "--out",
            s(&out),
        ],
    );
    o.expect_code(2);
    assert!(
        o.stderr.starts_with("ceremony: --from \"soon\""),
        "{}",
        o.stderr
    );
}

#[test]
fn trust_anchor_writes_xml_and_ds_records() {
    let t = token("anchor");
    keygen(t, "ksk", "ecdsap256sha256", &[]);
    let k = key_entry(t, "ksk");
    let tag = k["key_tag"].as_u64().unwrap();
    let o = with_token(t, &trust_anchor_args("ksk", &[]));
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    assert!(o.stdout.starts_with("<?xml"), "{}", o.stdout);
    assert!(
        o.stdout.contains(&format!("<KeyTag>{tag}</KeyTag>")),
        "{}",
        o.stdout
    );
    // The DS (SHA-256) is the one inventory computes from the token's key.
    let ds2 = format!(
        ". IN DS {tag} 13 2 {}\n",
        k["ds"]["digest"].as_str().unwrap()
    );
    assert!(o.stdout.contains(&ds2), "{}", o.stdout);
    assert!(
        o.stdout.contains(&format!(". IN DS {tag} 13 4 ")),
        "{}",
        o.stdout
    );
    // --out: the XML to the file, the DS records to stdout.
    let dir = scratch();
    let out = dir.path().join("anchor.xml");
    let o = with_token(t, &trust_anchor_args("ksk", &["--out", s(&out)]));
    o.expect_code(0);
    assert!(
        o.stdout
            .starts_with(&format!("Wrote {}\n. IN DS {tag} 13 2 ", out.display())),
        "{}",
        o.stdout
    );
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("<TrustAnchor"));
    // A key that is not a KSK.
    keygen(t, "zsk", "ed25519", &["--flags", "256"]);
    let o = with_token(t, &trust_anchor_args("zsk", &[]));
    o.expect_stderr(2, "generated as a ZSK");
    // XML cannot carry a control character: refused before anything is
    // written; markup characters are escaped and the file reads back.
    let hostile = dir.path().join("hostile.xml");
    let o = with_token(
        t,
        &trust_anchor_args(
            "ksk",
            &["--source", "https://x/\u{1b}[2K", "--out", s(&hostile)],
        ),
    );
    o.expect_stderr(2, "U+001B is a control character");
    assert!(!hostile.exists());
    let o = with_token(
        t,
        &trust_anchor_args(
            "ksk",
            &["--source", "https://x/?a=1&b=<2>\"", "--out", s(&hostile)],
        ),
    );
    o.expect_code(0);
    let ta = ksr::check::anchor::read_file(&hostile).unwrap();
    assert_eq!(ta.digests[0].key_tag as u64, tag);
    let label = test_support::keygen_args("e\u{1b}[31mvil", "ed25519", ".");
    with_token(t, &label).expect_stderr(2, "U+001B is a control character");
}
