//! SKR checks: the real root SKRs pass; each crafted input fails exactly the
//! check it targets. Synthetic SKRs are signed with the test kit's software KSKs
//! per schema, the way a ceremony would.

use ksr::check::{check_skr, Context, Outcome, Report};
use ksr::model::Document;
use ksr::policy::Policy;
use ksr::schema::{Role, Schema, SlotPlan};
use ksr::testkit::{
    assert_fails_only, assert_no_failure, date, fixture, sign_skr, KsrBuilder, TestKey,
};
use time::Duration;

fn skr() -> Document {
    fixture("skr-root-2017-q2-0.xml")
}
fn previous() -> Document {
    fixture("skr-root-2017-q1-0.xml")
}
fn run(doc: &Document, prev: &Document, policy: &Policy) -> Report {
    check_skr(
        doc,
        &Context::new(policy, date("2017-03-20")).with_previous(prev),
    )
}

fn ksk_c() -> TestKey {
    TestKey::ed25519("ksk-current").named("Kcurrent")
}
fn ksk_n() -> TestKey {
    TestKey::ed25519("ksk-next").named("Knext")
}

/// Two consecutive synthetic quarters: (previous KSR builder, this KSR builder).
/// This quarter starts 90 days after the previous one and continues its ZSKs.
fn quarters() -> (KsrBuilder, KsrBuilder) {
    let z: Vec<TestKey> = (0..4)
        .map(|i| TestKey::ed25519(&format!("zsk{i}")))
        .collect();
    let t0 = date("2030-01-01");
    let prev = KsrBuilder::new("example.", t0).id("q1").zsks(
        z[0..3]
            .iter()
            .map(|k| TestKey::ed25519(&k.key_identifier[8..]))
            .collect(),
    );
    let this = KsrBuilder::new("example.", t0 + Duration::days(90))
        .id("q2")
        .zsks(
            z[1..4]
                .iter()
                .map(|k| TestKey::ed25519(&k.key_identifier[8..]))
                .collect(),
        );
    (prev, this)
}

#[test]
fn real_skr_with_previous_passes_every_check() {
    let r = run(&skr(), &previous(), &Policy::root());
    assert_no_failure(&r);
    // Everything passes but the two KSR-only checks, which say why they skip.
    for c in &r.results {
        let ksr_only = c.name == "KSR-BUNDLE-POP" || c.name == "KSR-POLICY-SIG-HORIZON";
        let want = if ksr_only {
            Outcome::Skip
        } else {
            Outcome::Pass
        };
        assert_eq!(c.outcome, want, "{:#?}", r.lines());
    }
    assert!(r
        .get("SKR-SCHEMA")
        .unwrap()
        .detail
        .contains("built-in schema `normal`"));
    assert!(r
        .get("SKR-VERIFY")
        .unwrap()
        .detail
        .contains("all 9 signatures verify"));
    // The previous SKR on its own passes too (no previous of its own).
    assert_no_failure(&check_skr(
        &previous(),
        &Context::new(&Policy::root(), date("2016-12-20")),
    ));
}

#[test]
fn skr_verify_fails_on_a_corrupted_signature() {
    let mut doc = skr();
    doc.bundles[2].signatures[0].signature_data[10] ^= 1;
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "SKR-VERIFY",
        "slot 3 (ea67fb0d) signature by KSK 19036",
    );
}

#[test]
fn skr_verify_fails_on_a_signature_by_an_unknown_key() {
    let mut doc = skr();
    doc.bundles[6].signatures[0].key_identifier = "Kunknown".into();
    doc.bundles[6].signatures[0].key_tag = 1;
    let r = run(&doc, &previous(), &Policy::root());
    // The bundle then has no KSK signature at all: the schema sees that too.
    assert_eq!(
        r.failures(),
        vec!["SKR-VERIFY", "SKR-SCHEMA"],
        "{:#?}",
        r.lines()
    );
    assert!(r
        .get("SKR-VERIFY")
        .unwrap()
        .detail
        .contains("slot 7 (24f6acb5): no signature by a KSK"));
}

#[test]
fn skr_schema_fails_against_an_explicit_schema() {
    let doc = skr();
    let prev = previous();
    let policy = Policy::root();
    let pre = Schema::builtin("pre-publish").unwrap();
    let r = check_skr(
        &doc,
        &Context::new(&policy, date("2017-03-20"))
            .with_previous(&prev)
            .with_schema(&pre),
    );
    assert_fails_only(
        &r,
        "SKR-SCHEMA",
        "slot 2 (3ea61ea1): schema wants publish C+N, sign C",
    );
    let normal = Schema::builtin("normal").unwrap();
    let r = check_skr(
        &doc,
        &Context::new(&policy, date("2017-03-20"))
            .with_previous(&prev)
            .with_schema(&normal),
    );
    assert_no_failure(&r);
    assert!(r
        .get("SKR-SCHEMA")
        .unwrap()
        .detail
        .starts_with("follows built-in schema `normal`"));
}

#[test]
fn every_builtin_schema_is_recognised_from_its_signing_pattern() {
    let (_, q) = quarters();
    let ksr_doc = q.build();
    let (c, n) = (ksk_c(), ksk_n());
    let policy = q.policy(&[&c, &n]);
    for name in Schema::builtin_names() {
        let schema = Schema::builtin(name).unwrap();
        let doc = sign_skr(&ksr_doc, &schema, &c, Some(&n));
        let r = check_skr(&doc, &Context::new(&policy, date("2030-03-01")));
        assert_no_failure(&r);
        let detail = &r.get("SKR-SCHEMA").unwrap().detail;
        assert!(
            detail.contains(&format!("schema `{name}`")),
            "{name}: {detail}"
        );
        // Given explicitly, it is followed.
        let r = check_skr(
            &doc,
            &Context::new(&policy, date("2030-03-01")).with_schema(&schema),
        );
        assert_no_failure(&r);
        // And the written file reads back the same.
        let again = ksr::xml::parse(&ksr::xml::write(&doc), "skr", &Default::default()).unwrap();
        assert_eq!(again, doc);
    }
    // Revoked keys sign with their revoked tag (tag + 128 here too).
    let doc = sign_skr(&ksr_doc, &Schema::builtin("revoke").unwrap(), &c, Some(&n));
    let revoked = doc.bundles[3].keys.iter().find(|k| k.is_revoked()).unwrap();
    assert_eq!(
        revoked.key_tag,
        ksr::dnssec::key_tag(&c.ksk(172_800)).wrapping_add(128)
    );
    assert!(doc.bundles[3]
        .signatures
        .iter()
        .any(|s| s.key_tag == revoked.key_tag));
}

#[test]
fn skr_schema_fails_when_a_slot_misses_a_signature() {
    let (_, q) = quarters();
    let (c, n) = (ksk_c(), ksk_n());
    let policy = q.policy(&[&c, &n]);
    let mut doc = sign_skr(&q.build(), &Schema::builtin("normal").unwrap(), &c, None);
    // Slot 5 is published by C but signed by nobody... and slot 6 gets N published.
    doc.bundles[4].keys.push(n.ksk(172_800));
    let keys = doc.bundles[4].keys.clone();
    let b = &doc.bundles[4];
    doc.bundles[4].signatures = vec![c.rrsig(
        "example.",
        &c.ksk(172_800),
        &keys,
        b.inception,
        b.expiration,
    )];
    let r = check_skr(&doc, &Context::new(&policy, date("2030-03-01")));
    assert_fails_only(&r, "SKR-SCHEMA", "slot 5");
    assert!(r
        .get("SKR-SCHEMA")
        .unwrap()
        .detail
        .contains("matches no schema; closest is `normal`"));
}

#[test]
fn a_schema_defined_in_the_policy_is_recognised() {
    use Role::{Current as C, Next as N};
    let (_, q) = quarters();
    let (c, n) = (ksk_c(), ksk_n());
    let mut policy = q.policy(&[&c, &n]);
    let both = SlotPlan {
        publish: vec![C, N],
        sign: vec![C, N],
        revoke: vec![],
    };
    let double = Schema {
        name: "double-sign".into(),
        first: both.clone(),
        middle: both.clone(),
        last: both,
    };
    policy.schemas.push(double.clone());
    let doc = sign_skr(&q.build(), &double, &c, Some(&n));
    let r = check_skr(&doc, &Context::new(&policy, date("2030-03-01")));
    assert_no_failure(&r);
    assert!(
        r.get("SKR-SCHEMA")
            .unwrap()
            .detail
            .contains("policy schema `double-sign`"),
        "{:?}",
        r.lines()
    );
    // Without it in the policy, nothing matches.
    policy.schemas.clear();
    assert_fails_only(
        &check_skr(&doc, &Context::new(&policy, date("2030-03-01"))),
        "SKR-SCHEMA",
        "matches no schema",
    );
}

#[test]
fn skr_no_gaps_fails_when_a_signature_starts_after_its_bundle() {
    let (_, q) = quarters();
    let c = ksk_c();
    let policy = q.policy(&[&c]);
    let mut doc = sign_skr(&q.build(), &Schema::builtin("normal").unwrap(), &c, None);
    let b = &doc.bundles[3];
    let (keys, inc, exp) = (
        b.keys.clone(),
        b.inception + Duration::days(1),
        b.expiration,
    );
    doc.bundles[3].signatures = vec![c.rrsig("example.", &c.ksk(172_800), &keys, inc, exp)];
    assert_fails_only(
        &check_skr(&doc, &Context::new(&policy, date("2030-03-01"))),
        "SKR-NO-GAPS",
        "slot 4",
    );
}

#[test]
fn skr_no_gaps_fails_on_a_gap_between_bundles() {
    let mut doc = skr();
    for b in &mut doc.bundles[5..] {
        b.inception += Duration::days(12);
        b.expiration += Duration::days(12);
    }
    let r = run(&doc, &previous(), &Policy::root());
    let gaps = r.get("SKR-NO-GAPS").unwrap();
    assert_eq!(gaps.outcome, Outcome::Fail);
    assert!(
        gaps.detail.contains("gap of P1D between slot 5 (a3e8f6ca)"),
        "{}",
        gaps.detail
    );
    // A gap is also an overlap out of range, and the moved bundle's interval.
    assert_eq!(
        r.failures(),
        vec![
            "KSR-BUNDLE-CYCLE-DURATION",
            "KSR-POLICY-SIG-OVERLAP",
            "KSR-POLICY-BUNDLE-INTERVALS",
            "SKR-NO-GAPS"
        ]
    );
}

#[test]
fn ksk_retire_safety_fails_when_the_previous_signer_vanishes() {
    // The previous SKR was signed by another KSK, which the new SKR drops at once.
    let other = TestKey::rsa2048(0, 8).named("Kother");
    let mut prev = previous();
    for b in &mut prev.bundles {
        for k in b.keys.iter_mut().filter(|k| k.is_ksk()) {
            *k = other.ksk(172_800);
        }
        for s in &mut b.signatures {
            s.key_identifier = "Kother".into();
            s.key_tag = other.ksk(172_800).key_tag;
        }
    }
    let r = run(&skr(), &prev, &Policy::root());
    assert_fails_only(
        &r,
        "KSR-POLICY-SAFETY",
        "stops signing at slot 1 (dc1bc68c)",
    );
    assert!(r
        .get("KSR-POLICY-SAFETY")
        .unwrap()
        .detail
        .contains("less than retire safety P28D"));
}

#[test]
fn ksk_publish_safety_fails_when_a_new_key_signs_unannounced() {
    let (p, q) = quarters();
    let (c, n) = (ksk_c(), ksk_n());
    let mut policy = q.policy(&[&c, &n]);
    policy.ksk_publish_safety = 10 * 86_400;
    let prev = sign_skr(&p.build(), &Schema::builtin("normal").unwrap(), &c, None);
    let at = date("2030-03-01");

    // normal -> pre-publish -> rollover: N is published a whole quarter before it signs.
    let pre = sign_skr(
        &q.build(),
        &Schema::builtin("pre-publish").unwrap(),
        &c,
        Some(&n),
    );
    assert_no_failure(&check_skr(
        &pre,
        &Context::new(&policy, at).with_previous(&prev),
    ));

    // normal -> rollover+: N signs in slot 1 without ever having been published.
    let bad = sign_skr(
        &q.build(),
        &Schema::builtin("rollover+").unwrap(),
        &c,
        Some(&n),
    );
    let r = check_skr(&bad, &Context::new(&policy, at).with_previous(&prev));
    assert_fails_only(&r, "KSR-POLICY-SAFETY", "KSK");
    assert!(
        r.get("KSR-POLICY-SAFETY")
            .unwrap()
            .detail
            .contains("published only PT0S before"),
        "{:?}",
        r.lines()
    );
    // With the previous SKR, C and N are told apart: rollover+, not publish+.
    assert!(
        r.get("SKR-SCHEMA")
            .unwrap()
            .detail
            .contains("schema `rollover+`"),
        "{:?}",
        r.lines()
    );
}

#[test]
fn a_whole_root_style_roll_passes_across_quarters() {
    // pre-publish -> rollover -> revoke, each checked against the one before.
    let z: Vec<TestKey> = (0..6)
        .map(|i| TestKey::ed25519(&format!("roll-zsk{i}")))
        .collect();
    let t0 = date("2031-01-01");
    let (c, n) = (ksk_c(), ksk_n());
    let mut prev: Option<Document> = None;
    for (q, name) in ["pre-publish", "rollover", "revoke"].iter().enumerate() {
        let b = KsrBuilder::new("example.", t0 + Duration::days(90 * q as i64))
            .id(&format!("roll-{q}"))
            .zsks(
                z[q..q + 3]
                    .iter()
                    .map(|k| TestKey::ed25519(&k.key_identifier[8..]))
                    .collect(),
            );
        let policy = b.policy(&[&c, &n]);
        let doc = sign_skr(&b.build(), &Schema::builtin(name).unwrap(), &c, Some(&n));
        let mut ctx = Context::new(&policy, t0);
        if let Some(p) = &prev {
            ctx = ctx.with_previous(p);
        }
        let r = check_skr(&doc, &ctx);
        assert_no_failure(&r);
        assert!(
            r.get("SKR-SCHEMA")
                .unwrap()
                .detail
                .contains(&format!("`{name}`")),
            "{:?}",
            r.lines()
        );
        prev = Some(doc);
    }
}
