//! Unit tests of the document builders and the pipeline with a software key store.

use super::pipeline::{self, SignOptions};
use super::soft::SoftStore;
use super::{request, skr};
use crate::sign::confirm::Confirmation;
use ksr::model::{flags, Document};
use ksr::policy::{Policy, Span};
use ksr::schema::Schema;
use ksr::{timefmt, xml};

const DAY: i64 = 86_400;

pub(super) fn policy() -> Policy {
    let mut p = Policy::root();
    p.domains = vec!["example.test.".into()];
    p.bundle_count = 9;
    p.cycle_duration = Span {
        min: 79 * DAY,
        max: 81 * DAY,
    };
    p.keys_per_bundle = Some(vec![2, 1, 1, 1, 1, 1, 1, 1, 2]);
    p.distinct_keys = Some(3);
    p.dnskey_ttl = 3600;
    p.zsk_algorithms = vec![ksr::model::AlgorithmPolicy {
        algorithm: 15,
        params: ksr::model::AlgorithmParams::None,
    }];
    p.ksk_algorithms = p.zsk_algorithms.clone();
    p
}

pub(super) fn store() -> SoftStore {
    let mut s = SoftStore::default();
    for (i, l) in ["zsk-a", "zsk-b", "zsk-c", "zsk-d", "ksk-c", "ksk-n"]
        .iter()
        .enumerate()
    {
        s.add_ed25519(l, i as u8 + 1);
    }
    s
}

fn ksr_for(s: &mut SoftStore, zsks: &[&str], from: &str, to: &str) -> Document {
    let plan = request::RequestPlan {
        zone: "example.test".into(),
        zsks: zsks.iter().map(|z| z.to_string()).collect(),
        from: timefmt::parse_at(from).unwrap(),
        to: timefmt::parse_at(to).unwrap(),
        serial: 1,
    };
    request::build(&plan, &policy(), s).unwrap()
}

fn ksks(s: &mut SoftStore, next: bool) -> skr::Ksks {
    use crate::keystore::KeyStore;
    skr::Ksks {
        current: s.public_key("ksk-c").unwrap(),
        next: if next {
            Some(s.public_key("ksk-n").unwrap())
        } else {
            None
        },
    }
}

#[test]
fn request_layout_is_the_roots() {
    let mut s = store();
    let k = ksr_for(
        &mut s,
        &["zsk-a", "zsk-b", "zsk-c"],
        "2026-01-01",
        "2026-04-01",
    );
    assert_eq!(k.domain, "example.test.");
    let counts: Vec<usize> = k.bundles.iter().map(|b| b.keys.len()).collect();
    assert_eq!(counts, vec![2, 1, 1, 1, 1, 1, 1, 1, 2]);
    assert_eq!(k.bundles[0].keys[0].key_identifier, "zsk-a");
    assert_eq!(k.bundles[8].keys[1].key_identifier, "zsk-c");
    for b in &k.bundles {
        assert_eq!(
            b.signatures.len(),
            b.keys.len(),
            "every key proves possession"
        );
        assert_eq!((b.expiration - b.inception).whole_days(), 21);
    }
    // Content-derived ids: same inputs, same document; other inputs, other ids.
    let again = ksr_for(
        &mut s,
        &["zsk-a", "zsk-b", "zsk-c"],
        "2026-01-01",
        "2026-04-01",
    );
    assert_eq!(xml::write(&k), xml::write(&again));
    let later = ksr_for(
        &mut s,
        &["zsk-a", "zsk-b", "zsk-c"],
        "2026-04-01",
        "2026-07-01",
    );
    assert_ne!(k.id, later.id);
    assert!(k
        .bundles
        .iter()
        .all(|b| later.bundles.iter().all(|l| l.id != b.id)));
    let p = policy();
    let ctx = ksr::check::Context::new(&p, timefmt::parse_at("2025-12-20").unwrap());
    let report = ksr::check::check_ksr(&k, &ctx);
    assert!(!report.failed(), "{}", super::report::render(&report));
}

#[test]
fn request_refuses_bad_plans() {
    let mut s = store();
    let mut plan = request::RequestPlan {
        zone: "example.test.".into(),
        zsks: vec![],
        from: timefmt::parse_at("2026-01-01").unwrap(),
        to: timefmt::parse_at("2026-04-01").unwrap(),
        serial: 0,
    };
    let refused = |plan: &request::RequestPlan, s: &mut SoftStore, needle: &str| {
        let e = request::build(plan, &policy(), s).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        assert!(e.to_string().contains(needle), "{needle:?} in {e}");
    };
    refused(&plan, &mut s, "one to three --zsk");
    plan.zsks = vec!["zsk-a".into(), "zsk-a".into()];
    refused(&plan, &mut s, "given twice");
    plan.zsks = vec!["a".into(), "b".into(), "c".into(), "d".into()];
    refused(&plan, &mut s, "not 4");
    plan.zsks = vec!["nope".into()];
    assert!(matches!(
        request::build(&plan, &policy(), &mut s),
        Err(crate::error::Error::KeyNotFound(_))
    ));
    plan.zsks = vec!["zsk-a".into()];
    plan.to = plan.from;
    refused(&plan, &mut s, "shorter than one bundle interval");
    plan.to = plan.from + time::Duration::days(20);
    plan.zone = "bad..zone".into();
    refused(&plan, &mut s, "--zone");
}

/// KSK labels (published, signing, revoked) of one slot.
type Marks = (Vec<String>, Vec<String>, Vec<String>);

/// (publish, sign, revoke) marks per slot as label lists.
fn marks(skr: &Document) -> Vec<Marks> {
    skr.bundles
        .iter()
        .map(|b| {
            let ksks: Vec<_> = b.keys.iter().filter(|k| k.is_ksk()).collect();
            (
                ksks.iter().map(|k| k.key_identifier.clone()).collect(),
                b.signatures
                    .iter()
                    .map(|s| s.key_identifier.clone())
                    .collect(),
                ksks.iter()
                    .filter(|k| k.flags == flags::KSK_REVOKED)
                    .map(|k| k.key_identifier.clone())
                    .collect(),
            )
        })
        .collect()
}

fn v(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

#[test]
fn schemas_publish_sign_and_revoke_per_slot() {
    let mut s = store();
    let k = ksr_for(
        &mut s,
        &["zsk-a", "zsk-b", "zsk-c"],
        "2026-01-01",
        "2026-04-01",
    );
    let p = policy();
    let (c, n) = ("ksk-c", "ksk-n");
    let cases: Vec<(&str, [Marks; 3])> = vec![
        (
            "normal",
            [
                (v(&[c]), v(&[c]), v(&[])),
                (v(&[c]), v(&[c]), v(&[])),
                (v(&[c]), v(&[c]), v(&[])),
            ],
        ),
        (
            "pre-publish",
            [
                (v(&[c]), v(&[c]), v(&[])),
                (v(&[c, n]), v(&[c]), v(&[])),
                (v(&[c, n]), v(&[c]), v(&[])),
            ],
        ),
        (
            "rollover",
            [
                (v(&[c, n]), v(&[c]), v(&[])),
                (v(&[c, n]), v(&[n]), v(&[])),
                (v(&[c, n]), v(&[n]), v(&[])),
            ],
        ),
        (
            "revoke",
            [
                (v(&[c, n]), v(&[n]), v(&[])),
                (v(&[c, n]), v(&[c, n]), v(&[c])),
                (v(&[n]), v(&[n]), v(&[])),
            ],
        ),
    ];
    for (name, want) in cases {
        let schema = Schema::builtin(name).unwrap();
        let ks = ksks(&mut s, schema.uses_next());
        let out = skr::build(&k, &schema, &p, &ks, &mut s, &mut |_, _| {}).unwrap();
        let m = marks(&out);
        assert_eq!(m[0], want[0], "{name} first slot");
        for mid in &m[1..8] {
            assert_eq!(*mid, want[1], "{name} middle slot");
        }
        assert_eq!(m[8], want[2], "{name} last slot");
        let ctx = ksr::check::Context::new(&p, timefmt::parse_at("2025-12-20").unwrap());
        let verified = ksr::check::skr::verify(&out, &ctx);
        assert_eq!(
            verified.outcome,
            ksr::check::Outcome::Pass,
            "{name}: {}",
            verified.detail
        );
        for b in &out.bundles {
            for sig in &b.signatures {
                let key = b
                    .keys
                    .iter()
                    .find(|k| k.key_identifier == sig.key_identifier)
                    .unwrap();
                assert_eq!(
                    sig.key_tag,
                    ksr::dnssec::key_tag(key),
                    "revoked keys sign with their revoked tag"
                );
                assert_eq!((sig.ttl, sig.original_ttl, sig.labels), (3600, 3600, 2));
                assert_eq!((sig.inception, sig.expiration), (b.inception, b.expiration));
                assert_eq!(sig.signers_name, "example.test.");
            }
        }
        assert_eq!(out.zsk_policy, k.zsk_policy, "the ZSK policy is echoed");
        assert!(out.ksk_policy.is_some());
        // Deterministic (Ed25519 is): same inputs, same bytes.
        let again = skr::build(&k, &schema, &p, &ks, &mut s, &mut |_, _| {}).unwrap();
        assert_eq!(xml::write(&out), xml::write(&again));
    }
}

#[test]
fn schema_and_key_mismatches_are_usage_errors() {
    let mut s = store();
    let k = ksr_for(&mut s, &["zsk-a"], "2026-01-01", "2026-04-01");
    let p = policy();
    let roll = Schema::builtin("rollover").unwrap();
    let e = skr::build(&k, &roll, &p, &ksks(&mut s, false), &mut s, &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("--ksk-next"), "{e}");
    let normal = Schema::builtin("normal").unwrap();
    let e = skr::build(&k, &normal, &p, &ksks(&mut s, true), &mut s, &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("drop --ksk-next"), "{e}");
}

fn opts(dir: &std::path::Path, ksr_path: &std::path::Path) -> SignOptions {
    SignOptions {
        ksr: ksr_path.to_path_buf(),
        out: dir.join("skr.xml"),
        ksk_current: "ksk-c".into(),
        ksk_next: None,
        schema: "normal".into(),
        previous_skr: None,
        policy: policy(),
        at: timefmt::parse_at("2025-12-20").unwrap(),
        max_size: xml::DEFAULT_MAX_SIZE,
        dialect: None,
        cds: false,
        sessions: None,
        force: false,
        open_during_checks: false,
        ksr_bytes: None,
        previous_skr_bytes: None,
    }
}

/// A KSR of three ZSKs in a temp dir, ready for the pipeline.
pub(super) struct Case {
    pub dir: tempfile::TempDir,
    pub ksr: Document,
    pub ksr_path: std::path::PathBuf,
    pub bytes: Vec<u8>,
    pub hash: String,
    pub opts: SignOptions,
}

pub(super) fn case() -> Case {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store();
    let ksr = ksr_for(
        &mut s,
        &["zsk-a", "zsk-b", "zsk-c"],
        "2026-01-01",
        "2026-04-01",
    );
    let ksr_path = dir.path().join("ksr.xml");
    let bytes = xml::write(&ksr);
    std::fs::write(&ksr_path, &bytes).unwrap();
    let hash = hex::encode(ksr::digest::sha256(&bytes));
    let opts = opts(dir.path(), &ksr_path);
    Case {
        dir,
        ksr,
        ksr_path,
        bytes,
        hash,
        opts,
    }
}

#[test]
fn pipeline_writes_a_verified_skr_or_nothing() {
    let Case {
        dir,
        ksr: k,
        ksr_path,
        bytes,
        hash,
        opts: o,
    } = case();

    // Hash mismatch: exit 1, nothing signed or written.
    let mut log = Vec::new();
    let e = pipeline::sign_ksr(
        &o,
        || Ok(store()),
        Confirmation::Expect(&"0".repeat(64)),
        &mut log,
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(!o.out.exists());

    // Device gone after 3 signatures: an HSM error, no file.
    let e = pipeline::sign_ksr(
        &o,
        || {
            let mut st = store();
            st.fail_after = Some(3);
            Ok(st)
        },
        Confirmation::Expect(&hash),
        &mut log,
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(!o.out.exists());
    assert!(
        std::fs::read_dir(dir.path()).unwrap().count() == 1,
        "no temp file left behind"
    );

    // Missing key: exit 2, named.
    let mut bad = o.clone();
    bad.ksk_current = "ksk-x".into();
    let e = pipeline::sign_ksr(&bad, || Ok(store()), Confirmation::Expect(&hash), &mut log)
        .unwrap_err();
    assert!(e.to_string().contains("ksk-x"));

    // A check failure (wrong --at puts expirations past the horizon): exit 1, no
    // file, and the token is never opened (no PIN asked for a KSR that cannot be signed).
    let never = || -> crate::error::Result<SoftStore> { panic!("the token was opened") };
    let mut late = o.clone();
    late.at = timefmt::parse_at("2027-01-01").unwrap();
    let e = pipeline::sign_ksr(&late, never, Confirmation::Expect(&hash), &mut log).unwrap_err();
    assert_eq!(e.exit_code(), 1, "{e}");
    assert!(!o.out.exists());

    // --out naming the KSR itself is refused before anything happens.
    let mut same = o.clone();
    same.out = ksr_path.clone();
    let e = pipeline::sign_ksr(&same, || Ok(store()), Confirmation::Expect(&hash), &mut log)
        .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(std::fs::read(&ksr_path).unwrap(), bytes);

    // A schema that does not fit the KSKs given, or an SKR given as the KSR, is
    // refused before the token is opened (no PIN is asked for).
    let mut nowhere = o.clone();
    nowhere.out = dir.path().join("no-such-dir").join("skr.xml");
    let e = pipeline::sign_ksr(&nowhere, never, Confirmation::Expect(&hash), &mut log).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.to_string().contains("cannot write in the directory"),
        "{e}"
    );
    let mut roll = o.clone();
    roll.schema = "rollover".into();
    let e = pipeline::sign_ksr(&roll, never, Confirmation::Expect(&hash), &mut log).unwrap_err();
    assert!(e.to_string().contains("--ksk-next"), "{e}");
    let mut same_next = roll.clone();
    same_next.ksk_next = Some(roll.ksk_current.clone());
    let e =
        pipeline::sign_ksr(&same_next, never, Confirmation::Expect(&hash), &mut log).unwrap_err();
    assert!(e.to_string().contains("the same key"), "{e}");
    let skr_path = dir.path().join("an-skr.xml");
    let mut response = k.clone();
    response.kind = ksr::model::Kind::Response;
    response.ksk_policy = Some(response.zsk_policy.clone());
    std::fs::write(&skr_path, xml::write(&response)).unwrap();
    let mut swapped = o.clone();
    swapped.ksr = skr_path.clone();
    let e = pipeline::sign_ksr(&swapped, never, Confirmation::Expect(&hash), &mut log).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("is an SKR (Response)"), "{e}");
    std::fs::remove_file(&skr_path).unwrap();

    // The good run.
    let signed =
        pipeline::sign_ksr(&o, || Ok(store()), Confirmation::Expect(&hash), &mut log).unwrap();
    let written = std::fs::read(&o.out).unwrap();
    assert_eq!(ksr::digest::sha256(&written), signed.skr_sha256);
    assert_eq!(signed.signatures, 9);
    let text = String::from_utf8(log).unwrap();
    assert!(text.contains(&hex::encode(signed.skr_sha256)));
}

#[test]
fn key_ttl_differing_from_policy_is_a_check_failure() {
    let mut s = store();
    let k = ksr_for(&mut s, &["zsk-a"], "2026-01-01", "2026-04-01");
    let mut p = policy();
    assert_eq!(
        pipeline::check_key_ttl(&k, &p).outcome,
        ksr::check::Outcome::Pass
    );
    p.dnskey_ttl = 7200;
    let r = pipeline::check_key_ttl(&k, &p);
    assert_eq!(r.outcome, ksr::check::Outcome::Fail);
    assert!(r.detail.contains("3600"));
}

#[test]
fn chain_keys_must_be_on_the_token() {
    let mut s = store();
    let k = ksr_for(&mut s, &["zsk-a"], "2026-01-01", "2026-04-01");
    let schema = Schema::builtin("normal").unwrap();
    let ks = ksks(&mut s, false);
    let prev = skr::build(&k, &schema, &policy(), &ks, &mut s, &mut |_, _| {}).unwrap();
    let r = pipeline::check_chain_keys_hsm(Some(&prev), &mut s).unwrap();
    assert_eq!(r.outcome, ksr::check::Outcome::Pass, "{}", r.detail);
    // A token without ksk-c, and one whose ksk-c is a different key.
    let mut other = SoftStore::default();
    let r = pipeline::check_chain_keys_hsm(Some(&prev), &mut other).unwrap();
    assert_eq!(r.outcome, ksr::check::Outcome::Fail);
    assert!(r.detail.contains("not on this token"));
    other.add_ed25519("ksk-c", 99);
    let r = pipeline::check_chain_keys_hsm(Some(&prev), &mut other).unwrap();
    assert_eq!(r.outcome, ksr::check::Outcome::Fail);
    assert!(r.detail.contains("different public key"));
    let r = pipeline::check_chain_keys_hsm(None, &mut other).unwrap();
    assert_eq!(r.outcome, ksr::check::Outcome::Skip);
}

#[test]
fn trust_anchor_of_ksk_2010() {
    // KSK-2010 as published in the 2017-q2 SKR; its DS is in root-anchors.xml.
    let skr = xml::parse_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/iana-root/skr-root-2017-q2-0.xml"),
        &xml::ParseOptions::default(),
    )
    .unwrap();
    let key = skr.bundles[0]
        .keys
        .iter()
        .find(|k| k.key_identifier == "Kjqmt7v")
        .unwrap();
    assert_eq!(key.key_tag, 19036);
    let ds = super::trust_anchor::ds_records(".", key).unwrap();
    assert!(
        ds.starts_with(
            ". IN DS 19036 8 2 49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5\n"
        ),
        "{ds}"
    );
    let doc =
        super::trust_anchor::xml(".", key, timefmt::parse_at("2010-07-15").unwrap(), None).unwrap();
    assert!(doc.contains("<KeyDigest id=\"Kjqmt7v\" validFrom=\"2010-07-15T00:00:00+00:00\">"));
    assert!(doc.contains(
        "<Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>"
    ));
    assert!(doc.contains("<Zone>.</Zone>"));
    // The id is derived from the content (same inputs, same bytes), and attribute
    // text is escaped.
    let id = doc.split("TrustAnchor id=\"").nth(1).unwrap();
    assert_eq!(id.find('"'), Some(36), "UUID-shaped: {doc}");
    let again = super::trust_anchor::xml(
        ".",
        key,
        timefmt::parse_at("2010-07-15").unwrap(),
        Some("https://x.test/a?b=1&c=<2>"),
    )
    .unwrap();
    assert!(
        again.contains("source=\"https://x.test/a?b=1&amp;c=&lt;2&gt;\""),
        "{again}"
    );
    assert!(again.contains(&doc.lines().nth(1).unwrap()[..50]));
}

#[test]
fn policy_defined_schema_is_used_by_name() {
    use ksr::schema::{Role, SlotPlan};
    let dir = tempfile::tempdir().unwrap();
    let mut s = store();
    let k = ksr_for(
        &mut s,
        &["zsk-a", "zsk-b", "zsk-c"],
        "2026-01-01",
        "2026-04-01",
    );
    let ksr_path = dir.path().join("ksr.xml");
    let bytes = xml::write(&k);
    std::fs::write(&ksr_path, &bytes).unwrap();
    // Both KSKs published everywhere; both sign only the last slot.
    let both = vec![Role::Current, Role::Next];
    let plan = |sign: Vec<Role>| SlotPlan {
        publish: both.clone(),
        sign,
        revoke: vec![],
    };
    let mut o = opts(dir.path(), &ksr_path);
    o.policy.schemas.push(Schema {
        name: "double-last".into(),
        first: plan(vec![Role::Current]),
        middle: plan(vec![Role::Current]),
        last: plan(both.clone()),
    });
    o.schema = "double-last".into();
    o.ksk_next = Some("ksk-n".into());
    let hash = hex::encode(ksr::digest::sha256(&bytes));
    let signed = pipeline::sign_ksr(
        &o,
        || Ok(store()),
        Confirmation::Expect(&hash),
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(signed.signatures, 10);
    let skr = xml::parse_file(&o.out, &xml::ParseOptions::default()).unwrap();
    assert_eq!(marks(&skr)[8].1, v(&["ksk-c", "ksk-n"]));
    // Unknown schema names are a usage error naming the built-in ones.
    std::fs::remove_file(&o.out).unwrap();
    o.schema = "nope".into();
    let e = pipeline::sign_ksr(
        &o,
        || Ok(store()),
        Confirmation::Expect(&hash),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("pre-publish"), "{e}");
}

#[test]
fn request_layout_with_one_and_two_zsks() {
    let mut s = store();
    let one = ksr_for(&mut s, &["zsk-a"], "2026-01-01", "2026-04-01");
    assert!(one
        .bundles
        .iter()
        .all(|b| b.keys.len() == 1 && b.keys[0].key_identifier == "zsk-a"));
    // Two ZSKs: the second is pre-published in the last slot only.
    let two = ksr_for(&mut s, &["zsk-a", "zsk-b"], "2026-01-01", "2026-04-01");
    let ids: Vec<Vec<&str>> = two
        .bundles
        .iter()
        .map(|b| b.keys.iter().map(|k| k.key_identifier.as_str()).collect())
        .collect();
    assert_eq!(ids[0], ["zsk-a"]);
    assert_eq!(ids[7], ["zsk-a"]);
    assert_eq!(ids[8], ["zsk-a", "zsk-b"]);
    // Bundles start every policy interval (midpoint of P9D..P11D) while a whole interval fits.
    let starts: Vec<i64> = two
        .bundles
        .iter()
        .map(|b| (b.inception - two.bundles[0].inception).whole_days())
        .collect();
    assert_eq!(starts, [0, 10, 20, 30, 40, 50, 60, 70, 80]);
}

#[test]
fn a_bad_signature_from_the_token_stops_the_run() {
    let mut s = store();
    let k = ksr_for(&mut s, &["zsk-a"], "2026-01-01", "2026-04-01");
    let schema = Schema::builtin("normal").unwrap();
    let ks = ksks(&mut s, false);
    s.corrupt_after = Some(s.signed + 4);
    let e = skr::build(&k, &schema, &policy(), &ks, &mut s, &mut |_, _| {}).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("does not verify"), "{e}");
}
