//! Issue 11, item 10: key-tag collisions fail KEY-TAG-UNIQUE. The colliding keys
//! are real Ed25519 keys found by grinding seeds (a 16-bit tag collides within a
//! few hundred keys), so every input is otherwise a valid, correctly signed KSR
//! or SKR and KEY-TAG-UNIQUE is the only check that fails.

use ksr::check::{check_ksr, check_skr, Context};
use ksr::dnssec::key_tag;
use ksr::schema::Schema;
use ksr::testkit::{assert_fails_only, assert_no_failure, date, sign_skr, KsrBuilder, TestKey};
use std::collections::HashMap;
use std::process::Command;

const TTL: u32 = 172_800;

fn zsk(seed: &str) -> TestKey {
    TestKey::ed25519(seed)
}

/// Two different ZSKs with the same tag.
fn colliding_zsks() -> (TestKey, TestKey) {
    let mut seen: HashMap<u16, String> = HashMap::new();
    for i in 0..100_000 {
        let seed = format!("grind-zsk-{i}");
        let tag = key_tag(&zsk(&seed).zsk(TTL));
        if let Some(first) = seen.get(&tag) {
            return (zsk(first), zsk(&seed));
        }
        seen.insert(tag, seed);
    }
    unreachable!("a 16-bit tag collides long before 100000 keys");
}

/// A KSK and a ZSK whose tag equals the KSK's tag (`revoked` false) or the
/// tag the KSK takes with its REVOKE bit set (`revoked` true).
fn zsk_matching_ksk(revoked: bool) -> (TestKey, TestKey) {
    let mut ksk_tags: HashMap<u16, String> = HashMap::new();
    for i in 0..1_000 {
        let seed = format!("grind-ksk-{i}");
        let k = TestKey::ed25519(&seed);
        let tag = if revoked {
            key_tag(&k.revoked_ksk(TTL))
        } else {
            key_tag(&k.ksk(TTL))
        };
        ksk_tags.insert(tag, seed);
    }
    for i in 0..1_000_000 {
        let seed = format!("grind-zsk-vs-ksk-{i}");
        let tag = key_tag(&zsk(&seed).zsk(TTL));
        if let Some(ksk) = ksk_tags.get(&tag) {
            return (TestKey::ed25519(ksk).named("Kgrind"), zsk(&seed));
        }
    }
    unreachable!("a match among 1000 KSK tags is found within a few hundred ZSKs");
}

fn at() -> ksr::model::Time {
    date("2029-12-20")
}

#[test]
fn two_zsks_sharing_a_tag_in_one_bundle_fail() {
    let (a, b) = colliding_zsks();
    let tag = key_tag(&a.zsk(TTL));
    // Slot 1 carries keys 0 and 1: the collision is inside one bundle.
    let builder = KsrBuilder::new(".", date("2030-01-01")).zsks(vec![a, b, zsk("third")]);
    let doc = builder.build();
    let policy = builder.policy(&[]);
    let report = check_ksr(&doc, &Context::new(&policy, at()));
    assert_fails_only(&report, "KEY-TAG-UNIQUE", &format!("key tag {tag}"));
    assert!(report
        .get("KEY-TAG-UNIQUE")
        .unwrap()
        .detail
        .contains("slot 1"));
}

#[test]
fn two_zsks_sharing_a_tag_in_different_bundles_fail() {
    let (a, b) = colliding_zsks();
    let tag = key_tag(&a.zsk(TTL));
    // Key 0 only in slot 1, key 2 only in slot 9: never in the same bundle.
    let builder = KsrBuilder::new(".", date("2030-01-01")).zsks(vec![a, zsk("middle"), b]);
    let doc = builder.build();
    let report = check_ksr(&doc, &Context::new(&builder.policy(&[]), at()));
    assert_fails_only(&report, "KEY-TAG-UNIQUE", &format!("key tag {tag}"));
    let detail = &report.get("KEY-TAG-UNIQUE").unwrap().detail;
    assert!(
        detail.contains("slot 9") && detail.contains("slot 1"),
        "{detail}"
    );
}

/// The SKR checks of a root SKR signed by `ksk` over `z` and two other ZSKs.
fn skr_checks(ksk: &TestKey, z: TestKey) -> ksr::check::Report {
    let builder =
        KsrBuilder::new(".", date("2030-01-01")).zsks(vec![z, zsk("other-1"), zsk("other-2")]);
    let skr = sign_skr(
        &builder.build(),
        &Schema::builtin("normal").unwrap(),
        ksk,
        None,
    );
    check_skr(&skr, &Context::new(&builder.policy(&[ksk]), at()))
}

#[test]
fn a_zsk_with_the_signing_ksks_tag_fails_on_the_skr() {
    let (ksk, z) = zsk_matching_ksk(false);
    let tag = key_tag(&ksk.ksk(TTL));
    let report = skr_checks(&ksk, z);
    assert_fails_only(&report, "KEY-TAG-UNIQUE", &format!("key tag {tag}"));
}

#[test]
fn a_zsk_with_a_ksks_revoked_tag_fails() {
    let (ksk, z) = zsk_matching_ksk(true);
    let revoked = key_tag(&ksk.revoked_ksk(TTL));
    assert_ne!(revoked, key_tag(&ksk.ksk(TTL)));
    let report = skr_checks(&ksk, z);
    assert_fails_only(&report, "KEY-TAG-UNIQUE", &format!("key tag {revoked}"));
    assert!(report
        .get("KEY-TAG-UNIQUE")
        .unwrap()
        .detail
        .contains("REVOKE bit"));
}

#[test]
fn a_ksr_zsk_with_the_previous_skrs_ksk_tag_fails() {
    // The KSKs a KSR meets are those of the previous SKR it continues.
    let (ksk, z) = zsk_matching_ksk(false);
    let tag = key_tag(&ksk.ksk(TTL));
    let prev_builder =
        KsrBuilder::new(".", date("2029-10-03")).zsks(vec![zsk("p0"), zsk("p1"), zsk("p2")]);
    let prev = sign_skr(
        &prev_builder.build(),
        &Schema::builtin("normal").unwrap(),
        &ksk,
        None,
    );
    let builder = KsrBuilder::new(".", date("2030-01-01")).zsks(vec![zsk("p2"), z, zsk("n2")]);
    let report = check_ksr(
        &builder.build(),
        &Context::new(&builder.policy(&[&ksk]), at()).with_previous(&prev),
    );
    let c = report.get("KEY-TAG-UNIQUE").unwrap();
    assert_eq!(c.outcome, ksr::check::Outcome::Fail, "{}", c.detail);
    assert!(c.detail.contains(&format!("key tag {tag}")), "{}", c.detail);
    assert!(c.detail.contains("previous SKR"), "{}", c.detail);
}

#[test]
fn distinct_tags_and_the_same_key_across_bundles_pass() {
    let ksk = TestKey::ed25519("ksk-current").named("Kcurrent");
    let builder = KsrBuilder::new(".", date("2030-01-01"));
    let doc = builder.build();
    let policy = builder.policy(&[&ksk]);
    assert_no_failure(&check_ksr(&doc, &Context::new(&policy, at())));
    // A revoke schema publishes the same KSK revoked and unrevoked: no clash.
    let next = TestKey::ed25519("ksk-next").named("Knext");
    let skr = sign_skr(&doc, &Schema::builtin("revoke").unwrap(), &ksk, Some(&next));
    let report = check_skr(&skr, &Context::new(&builder.policy(&[&ksk, &next]), at()));
    let c = report.get("KEY-TAG-UNIQUE").unwrap();
    assert_eq!(c.outcome, ksr::check::Outcome::Pass, "{}", c.detail);
}

#[test]
fn ksr_verify_reports_the_collision_and_exits_1() {
    let (a, b) = colliding_zsks();
    let builder = KsrBuilder::new(".", date("2030-01-01")).zsks(vec![a, b, zsk("third")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ksr.xml");
    std::fs::write(&path, ksr::xml::write(&builder.build())).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ksr"))
        .args(["verify", "--at", "2029-12-20"])
        .arg(&path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("FAIL KEY-TAG-UNIQUE")),
        "{out}"
    );
}
