//! Importer checks (SKR-MATCHES-KSR, SKR-KSK-PINNED, SKR-SIG-WINDOW), trust
//! anchor files, and the checks the text dialect cannot feed: each check passes
//! on the real root SKR/KSR pair and fails on a crafted input.

use ksr::check::anchor::{self, TrustAnchor};
use ksr::check::import;
use ksr::check::{self, CheckResult, Context, Outcome};
use ksr::format::{self, Format};
use ksr::model::Document;
use ksr::policy::{Policy, Span};
use ksr::schema::Schema;
use ksr::testkit::{assert_fails_only, date, fixture, resign, sign_skr, KsrBuilder, TestKey};
use ksr::xml::ParseOptions;
use std::path::PathBuf;
mod common;

const SKR: &str = "skr-root-2017-q2-0.xml";
const KSR: &str = "ksr-root-2017-q2-0.xml";
const DAY: i64 = 86_400;

/// The published DS (SHA-256) of the root KSKs 19036 (KSK-2010) and 20326 (KSK-2017).
const DS_19036: &str = "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5";
const DS_20326: &str = "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";

fn key_digest(id: &str, tag: u16, digest: &str) -> String {
    format!(
        "<KeyDigest id=\"{id}\" validFrom=\"2010-07-15T00:00:00+00:00\">\n<KeyTag>{tag}</KeyTag>\n<Algorithm>8</Algorithm>\n<DigestType>2</DigestType>\n<Digest>{digest}</Digest>\n</KeyDigest>\n"
    )
}

fn anchor_xml(zone: &str, digests: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TrustAnchor id=\"test\" source=\"ksr tests\">\n<Zone>{zone}</Zone>\n{}</TrustAnchor>\n",
        digests.concat()
    )
}

fn anchor(zone: &str, digests: &[String]) -> TrustAnchor {
    anchor::parse(anchor_xml(zone, digests).as_bytes(), "root-anchors.xml").unwrap()
}

fn text_data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/format_data")
        .join(name)
}

fn read_text(name: &str) -> (Document, Format) {
    format::read_file(&text_data(name), &ParseOptions::default()).unwrap()
}

fn assert_fail(r: &CheckResult, name: &str, needle: &str) {
    assert_eq!(r.name, name);
    assert_eq!(r.outcome, Outcome::Fail, "{}", r.detail);
    assert!(
        r.detail.contains(needle),
        "{name} should mention {needle:?}: {}",
        r.detail
    );
}

fn assert_pass(r: &CheckResult, name: &str) {
    assert_eq!(r.name, name);
    assert_eq!(r.outcome, Outcome::Pass, "{}", r.detail);
}

// ---- SKR-MATCHES-KSR ------------------------------------------------------

#[test]
fn real_skr_answers_real_ksr() {
    let (skr, ksr) = (fixture(SKR), fixture(KSR));
    let r = import::matches_ksr(&skr, Format::IanaXml, Some((&ksr, Format::IanaXml)));
    assert_pass(&r, import::MATCHES_KSR);
    assert!(
        r.detail.contains("23e34059-7725-46a8-a7d2-662d657aab2b"),
        "{}",
        r.detail
    );
    let none = import::matches_ksr(&skr, Format::IanaXml, None);
    assert_eq!(none.outcome, Outcome::Skip);
    assert!(none.detail.contains("--request"));
}

#[test]
fn skr_missing_a_requested_zsk_fails() {
    // The KSR asks for ZSK 15768 in slot 4 as well; the real SKR does not carry it.
    let skr = fixture(SKR);
    let mut ksr = fixture(KSR);
    let extra = ksr.bundles[8]
        .keys
        .iter()
        .find(|k| k.key_tag == 15768)
        .unwrap()
        .clone();
    ksr.bundles[3].keys.push(extra);
    let r = import::matches_ksr(&skr, Format::IanaXml, Some((&ksr, Format::IanaXml)));
    assert_fail(&r, import::MATCHES_KSR, "slot 4");
    assert!(
        r.detail.contains("ZSK 15768") && r.detail.contains("is missing"),
        "{}",
        r.detail
    );
}

#[test]
fn skr_with_an_extra_zsk_fails() {
    // The KSR no longer asks for ZSK 61045 in slot 1; the SKR still carries it.
    let skr = fixture(SKR);
    let mut ksr = fixture(KSR);
    ksr.bundles[0].keys.retain(|k| k.key_tag != 61045);
    let r = import::matches_ksr(&skr, Format::IanaXml, Some((&ksr, Format::IanaXml)));
    assert_fail(&r, import::MATCHES_KSR, "extra ZSK 61045");
}

#[test]
fn skr_answering_another_request_fails() {
    let skr = fixture(SKR);
    let mut ksr = fixture(KSR);
    ksr.id = "00000000-0000-0000-0000-000000000000".into();
    let r = import::matches_ksr(&skr, Format::IanaXml, Some((&ksr, Format::IanaXml)));
    assert_fail(&r, import::MATCHES_KSR, "is not the KSR's id");

    let mut ksr = fixture(KSR);
    ksr.bundles[2].id = "0bad1d00-0000-0000-0000-000000000000".into();
    let r = import::matches_ksr(&skr, Format::IanaXml, Some((&ksr, Format::IanaXml)));
    assert_fail(&r, import::MATCHES_KSR, "no SKR bundle has id 0bad1d00");
    assert!(r.detail.contains("was not requested"), "{}", r.detail);

    let mut ksr = fixture(KSR);
    ksr.bundles[5].expiration += time::Duration::days(1);
    let r = import::matches_ksr(&skr, Format::IanaXml, Some((&ksr, Format::IanaXml)));
    assert_fail(&r, import::MATCHES_KSR, "slot 6");
    assert!(
        r.detail.contains("differs from the requested"),
        "{}",
        r.detail
    );

    let mut ksr = fixture(KSR);
    ksr.domain = "cz.".into();
    let r = import::matches_ksr(&skr, Format::IanaXml, Some((&ksr, Format::IanaXml)));
    assert_fail(&r, import::MATCHES_KSR, "the KSR for \"cz.\"");

    // A ZSK with another TTL is not the requested DNSKEY.
    let mut ksr = fixture(KSR);
    ksr.bundles[1].keys[0].ttl = 3600;
    let r = import::matches_ksr(&skr, Format::IanaXml, Some((&ksr, Format::IanaXml)));
    assert_fail(&r, import::MATCHES_KSR, "TTL 172800 in the SKR");
}

#[test]
fn knot_skr_answers_knot_ksr_by_snapshot_time() {
    let (ksr, kf) = read_text("knot-example.test.ksr");
    let (skr, sf) = read_text("knot-example.test.skr");
    assert_eq!((kf, sf), (Format::Knot, Format::Knot));
    let r = import::matches_ksr(&skr, sf, Some((&ksr, kf)));
    assert_pass(&r, import::MATCHES_KSR);
    assert!(
        r.detail.contains("all 5 KSR snapshots") && r.detail.contains("13 SKR snapshots"),
        "{}",
        r.detail
    );
    assert!(r.detail.contains("not compared"), "{}", r.detail);

    // Knot imports an SKR that lacks its own ZSK; this check does not.
    let mut skr2 = skr.clone();
    skr2.bundles[6].keys.retain(|k| k.key_tag != 44056);
    let r = import::matches_ksr(&skr2, sf, Some((&ksr, kf)));
    assert_fail(&r, import::MATCHES_KSR, "SKR snapshot 7");
    assert!(
        r.detail.contains("ZSK 44056") && r.detail.contains("missing"),
        "{}",
        r.detail
    );

    // A KSR snapshot time that the SKR never answers.
    let mut skr3 = skr.clone();
    skr3.bundles.remove(5);
    let r = import::matches_ksr(&skr3, sf, Some((&ksr, kf)));
    assert_fail(&r, import::MATCHES_KSR, "KSR snapshot 2");
}

/// Through the full SKR report: an SKR signed properly but for another KSR fails
/// SKR-MATCHES-KSR and nothing else.
#[test]
fn testkit_skr_for_another_ksr_fails_only_matches_ksr() {
    let b = KsrBuilder::new("example.test.", date("2030-01-01"));
    let ksk = TestKey::ecdsa_p256(0).named("Kexample");
    let policy = b.policy(&[&ksk]);
    let ksr = b.build();
    let skr = sign_skr(&ksr, &Schema::builtin("normal").unwrap(), &ksk, None);
    let other = KsrBuilder::new("example.test.", date("2030-01-01"))
        .zsks(
            (0..3)
                .map(|i| TestKey::ed25519(&format!("other{i}")))
                .collect(),
        )
        .build();
    let ctx = Context::new(&policy, date("2030-01-05"));
    let mut report = check::check(&skr, &ctx);
    report.results.push(import::matches_ksr(
        &skr,
        Format::IanaXml,
        Some((&ksr, Format::IanaXml)),
    ));
    assert!(!report.failed(), "{}", report.lines().join("\n"));
    report.results.pop();
    report.results.push(import::matches_ksr(
        &skr,
        Format::IanaXml,
        Some((&other, Format::IanaXml)),
    ));
    assert_fails_only(&report, import::MATCHES_KSR, "slot 1");
}

// ---- SKR-KSK-PINNED -------------------------------------------------------

#[test]
fn real_skr_is_signed_by_pinned_19036() {
    let skr = fixture(SKR);
    assert_pass(
        &import::ksk_pinned(&skr, &[19036], None),
        import::KSK_PINNED,
    );
    let a = anchor(".", &[key_digest("Kjqmt7v", 19036, DS_19036)]);
    let r = import::ksk_pinned(&skr, &[], Some(&a));
    assert_pass(&r, import::KSK_PINNED);
    assert!(
        r.detail.contains("19036 (trust anchor KeyDigest Kjqmt7v"),
        "{}",
        r.detail
    );
    // Both root KSKs in the anchor, as in root-anchors.xml since 2017.
    let a = anchor(
        ".",
        &[
            key_digest("Kjqmt7v", 19036, DS_19036),
            key_digest("Klajeyz", 20326, DS_20326),
        ],
    );
    assert_pass(&import::ksk_pinned(&skr, &[], Some(&a)), import::KSK_PINNED);
    let r = import::ksk_pinned(&skr, &[], None);
    assert_eq!(r.outcome, Outcome::Skip);
}

#[test]
fn unpinned_ksk_fails() {
    let skr = fixture(SKR);
    let r = import::ksk_pinned(&skr, &[20326], None);
    assert_fail(
        &r,
        import::KSK_PINNED,
        "KSK 19036 signs slot(s) 1,2,3,4,5,6,7,8,9 but it is not pinned",
    );

    let a = anchor(".", &[key_digest("Klajeyz", 20326, DS_20326)]);
    assert_fail(
        &import::ksk_pinned(&skr, &[], Some(&a)),
        import::KSK_PINNED,
        "KSK 19036",
    );

    // Right tag, wrong digest: a key with a colliding tag is not pinned.
    let wrong = DS_19036.replace("49AAC11D", "49AAC11E");
    let a = anchor(".", &[key_digest("Kjqmt7v", 19036, &wrong)]);
    assert_fail(
        &import::ksk_pinned(&skr, &[], Some(&a)),
        import::KSK_PINNED,
        "DS digest differs",
    );

    // The anchor of another zone pins nothing here.
    let a = anchor("cz.", &[key_digest("Kjqmt7v", 19036, DS_19036)]);
    assert_fail(
        &import::ksk_pinned(&skr, &[], Some(&a)),
        import::KSK_PINNED,
        "the trust anchor is for zone cz., the SKR for .",
    );
}

#[test]
fn revoked_ksk_is_pinned_by_its_unrevoked_identity() {
    let t = common::TwoKsks::sign("example.", "revoke");
    let (c, n, skr) = (&t.current, &t.next, &t.skr);
    let (tc, tn, tr) = (
        c.ksk(172_800).key_tag,
        n.ksk(172_800).key_tag,
        c.revoked_ksk(172_800).key_tag,
    );
    assert_ne!(tc, tr);
    assert_pass(
        &import::ksk_pinned(skr, &[tc, tn], None),
        import::KSK_PINNED,
    );
    let r = import::ksk_pinned(skr, &[tr, tn], None);
    assert_fail(
        &r,
        import::KSK_PINNED,
        &format!("pin the key by its unrevoked tag {tc}"),
    );
    let r = import::ksk_pinned(skr, &[tc], None);
    assert_fail(&r, import::KSK_PINNED, &format!("KSK {tn}"));
}

#[test]
fn trust_anchor_files_are_read_strictly() {
    let good = anchor_xml(".", &[key_digest("Kjqmt7v", 19036, DS_19036)]);
    let a = anchor::parse(good.as_bytes(), "ra.xml").unwrap();
    assert_eq!(a.zone, ".");
    assert_eq!(a.digests[0].key_tag, 19036);
    assert_eq!(
        a.digests[0].valid_from.as_deref(),
        Some("2010-07-15T00:00:00+00:00")
    );
    assert_eq!(hex::encode_upper(&a.digests[0].digest), DS_19036);

    let e = anchor::parse(
        good.replace("<DigestType>2</DigestType>\n", "").as_bytes(),
        "ra.xml",
    )
    .unwrap_err();
    assert!(
        e.starts_with("ra.xml:4:") && e.contains("missing DigestType"),
        "{e}"
    );
    let e = anchor::parse(good.replace(DS_19036, "49AZ").as_bytes(), "ra.xml").unwrap_err();
    assert!(
        e.contains("TrustAnchor/KeyDigest/Digest") && e.contains("malformed hex"),
        "{e}"
    );
    let e = anchor::parse(good.replace("19036", "70000").as_bytes(), "ra.xml").unwrap_err();
    assert!(e.contains("KeyTag"), "{e}");
    let doctype = good.replace(
        "<TrustAnchor",
        "<!DOCTYPE TrustAnchor [<!ENTITY x \"y\">]>\n<TrustAnchor",
    );
    let e = anchor::parse(doctype.as_bytes(), "ra.xml").unwrap_err();
    assert!(e.contains("DOCTYPE"), "{e}");
    let e = anchor::parse(anchor_xml(".", &[]).as_bytes(), "ra.xml").unwrap_err();
    assert!(e.contains("no KeyDigest"), "{e}");
    let e = anchor::parse(b"<KSR/>", "ra.xml").unwrap_err();
    assert!(e.contains("TrustAnchor"), "{e}");
}

// ---- SKR-SIG-WINDOW -------------------------------------------------------

#[test]
fn real_skr_window_at_mid_quarter() {
    let skr = fixture(SKR);
    let r = import::sig_window(&skr, date("2017-04-15"), DAY);
    assert_pass(&r, import::SIG_WINDOW);
    assert!(
        r.detail.contains("slot 2 (3ea61ea1) is in force"),
        "{}",
        r.detail
    );
    assert!(r.detail.contains("least: P11D"), "{}", r.detail);
    // Imported ahead of time: nothing in force yet, the margins still hold.
    let r = import::sig_window(&skr, date("2017-03-20"), DAY);
    assert_pass(&r, import::SIG_WINDOW);
    assert!(
        r.detail.contains("no bundle is in force yet"),
        "{}",
        r.detail
    );
}

#[test]
fn expired_skr_fails_the_window() {
    let skr = fixture(SKR);
    let r = import::sig_window(&skr, date("2017-07-20"), DAY);
    assert_fail(
        &r,
        import::SIG_WINDOW,
        "slot 9 (dbd2a673) is in force at 2017-07-20",
    );
}

#[test]
fn margin_larger_than_what_is_left_fails() {
    // Every root signature outlives the next inception by 11 days; ask for 12.
    let skr = fixture(SKR);
    let r = import::sig_window(&skr, date("2017-04-15"), 12 * DAY);
    assert_fail(
        &r,
        import::SIG_WINDOW,
        "only P11D after slot 2 (3ea61ea1) takes over",
    );
}

/// The .ke 2015 failure: a bundle whose signatures run out hours after the next
/// bundle's inception. Signed properly and consistent (so SKR-NO-GAPS holds), under
/// a policy loose enough for it: only SKR-SIG-WINDOW fails.
#[test]
fn signatures_expiring_right_after_the_next_inception_fail_only_the_window() {
    let b = KsrBuilder::new("example.test.", date("2030-01-01"));
    let ksk = TestKey::ecdsa_p256(0).named("Kexample");
    let mut policy: Policy = b.policy(&[&ksk]);
    policy.signature_validity = Span {
        min: 10 * DAY,
        max: 21 * DAY,
    };
    policy.validity_overlap = Span {
        min: 0,
        max: 11 * DAY,
    };
    let mut skr = sign_skr(&b.build(), &Schema::builtin("normal").unwrap(), &ksk, None);
    let next = skr.bundles[3].inception;
    let short = next + time::Duration::hours(12);
    skr.bundles[2].expiration = short;
    for s in &mut skr.bundles[2].signatures {
        s.expiration = short;
    }
    resign(&mut skr, &[&ksk]);
    let ctx = Context::new(&policy, date("2030-01-05"));
    let mut report = check::check(&skr, &ctx);
    report.results.push(import::sig_window(
        &skr,
        date("2030-01-05"),
        policy.min_signature_remaining,
    ));
    assert_fails_only(&report, import::SIG_WINDOW, "slot 3");
    assert!(report
        .get(import::SIG_WINDOW)
        .unwrap()
        .detail
        .contains("only PT12H after slot 4"));
    // With a 6-hour margin the same SKR is acceptable.
    let r = import::sig_window(&skr, date("2030-01-05"), 6 * 3600);
    assert_pass(&r, import::SIG_WINDOW);
}

#[test]
fn policy_margin_is_read_from_toml() {
    let root = Policy::root();
    assert_eq!(root.min_signature_remaining, DAY);
    assert!(
        !root.to_toml().contains("min_remaining"),
        "default stays implicit"
    );
    let text = root.to_toml().replace(
        "horizon = \"P180D\"",
        "horizon = \"P180D\"\nmin_remaining = \"P2D\"",
    );
    let p = Policy::from_toml_str(&text, "p.toml").unwrap();
    assert_eq!(p.min_signature_remaining, 2 * DAY);
    assert_eq!(Policy::from_toml_str(&p.to_toml(), "again").unwrap(), p);
    let bad = text.replace("\"P2D\"", "\"2 days\"");
    let e = Policy::from_toml_str(&bad, "p.toml").unwrap_err();
    assert!(e.contains("signatures.min_remaining"), "{e}");
}

// ---- the text dialect: checks without their data skip ----------------------

#[test]
fn text_dialect_skips_what_it_cannot_know() {
    let (ksr, f) = read_text("knot-example.test.ksr");
    assert_eq!(ksr.bundles[0].id, "20261125190413");
    let policy = Policy::root();
    let ctx = Context::new(&policy, date("2026-11-26"));
    let mut report = check::check(&ksr, &ctx);
    // Without the adjustment, a Knot KSR would fail proof of possession it never carries.
    assert_eq!(
        report.get(check::bundle::POP).unwrap().outcome,
        Outcome::Fail
    );
    import::apply_text_dialect_limits(&mut report, &ksr, f, None);
    for (name, needle) in [
        (check::bundle::POP, "no proof-of-possession"),
        (check::header::ID, "no document id"),
        (check::bundle::UNIQUE, "no bundle ids"),
        (check::timing::VALIDITY, "no bundle expiration"),
        (check::timing::OVERLAP, "no bundle expiration"),
        (check::timing::HORIZON, "no bundle expiration"),
    ] {
        let r = report.get(name).unwrap();
        assert_eq!(r.outcome, Outcome::Skip, "{name}: {}", r.detail);
        assert!(
            r.detail.contains(needle) && r.detail.contains("Knot text dialect"),
            "{}",
            r.detail
        );
    }
    // Real data still counts: the root policy refuses this domain.
    assert_eq!(
        report.get(check::header::DOMAIN).unwrap().outcome,
        Outcome::Fail
    );

    // A text previous SKR: its (made-up) expirations and id are not judged.
    let xml = fixture(SKR);
    let (prev, pf) = read_text("knot-example.test.skr");
    let ctx = Context::new(&policy, date("2017-03-20")).with_previous(&prev);
    let mut report = check::check(&xml, &ctx);
    import::apply_text_dialect_limits(&mut report, &xml, Format::IanaXml, Some(pf));
    assert_eq!(
        report.get(check::chain::OVERLAP).unwrap().outcome,
        Outcome::Skip
    );
    assert_eq!(
        report.get(check::header::ID).unwrap().outcome,
        Outcome::Skip
    );
    assert!(report
        .get(check::bundle::UNIQUE)
        .unwrap()
        .detail
        .contains("not compared"));
}
