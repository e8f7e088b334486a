//! Every KSR check against a crafted input that fails exactly that check. Inputs
//! are the real root fixtures mutated through the model; where a mutation would
//! also break a signature, the document is synthetic and re-signed with the test
//! kit's software keys. Where the root's own numbers make a check follow from
//! another (overlap = validity - interval), the crafted input is the operator's
//! stricter policy instead.

use ksr::check::{check_ksr, Context, Outcome, Report};
use ksr::model::{flags, Document};
use ksr::policy::{Policy, Span};
use ksr::testkit::{
    assert_fails_only, assert_no_failure, date, fixture, resign, KsrBuilder, TestKey,
};
use time::Duration;

const DAY: i64 = 86_400;

fn ksr() -> Document {
    fixture("ksr-root-2017-q2-0.xml")
}
fn previous() -> Document {
    fixture("skr-root-2017-q1-0.xml")
}

/// The real KSR against the real previous SKR at the real ceremony's time.
fn run(doc: &Document, prev: &Document, policy: &Policy) -> Report {
    check_ksr(
        doc,
        &Context::new(policy, date("2017-03-20")).with_previous(prev),
    )
}

fn shift(doc: &mut Document, slots: std::ops::RangeInclusive<usize>, days: i64) {
    for b in &mut doc.bundles[slots] {
        b.inception += Duration::days(days);
        b.expiration += Duration::days(days);
    }
}

#[test]
fn real_fixtures_pass_every_check() {
    let r = run(&ksr(), &previous(), &Policy::root());
    assert_no_failure(&r);
    assert!(
        r.results.iter().all(|c| c.outcome == Outcome::Pass),
        "{:#?}",
        r.lines()
    );
    assert_eq!(r.results.len(), 18);
}

#[test]
fn without_a_previous_skr_the_chain_checks_skip_with_a_reason() {
    let r = check_ksr(&ksr(), &Context::new(&Policy::root(), date("2017-03-20")));
    assert_no_failure(&r);
    for name in [
        "KSR-ID",
        "KSR-CHAIN-KEYS",
        "KSR-CHAIN-OVERLAP",
        "KSR-POLICY-SAFETY",
    ] {
        let c = r.get(name).unwrap();
        assert_eq!(c.outcome, Outcome::Skip, "{name}");
        assert!(c.detail.contains("--previous-skr"), "{name}: {}", c.detail);
    }
}

#[test]
fn ksr_domain_fails_for_a_zone_the_operator_does_not_run() {
    // Synthetic KSR for cz., properly signed for cz., checked by an operator of `.`.
    let start = date("2030-01-01");
    let b = KsrBuilder::new("cz.", start);
    let doc = b.build();
    let mut policy = b.policy(&[]);
    let at = date("2029-12-20");
    assert_no_failure(&check_ksr(&doc, &Context::new(&policy, at)));
    policy.domains = vec![".".into()];
    assert_fails_only(
        &check_ksr(&doc, &Context::new(&policy, at)),
        "KSR-DOMAIN",
        "\"cz.\"",
    );

    // And the real root KSR for an operator of cz. only.
    let mut cz = Policy::root();
    cz.domains = vec!["cz.".into()];
    assert_fails_only(&run(&ksr(), &previous(), &cz), "KSR-DOMAIN", "\".\"");
}

#[test]
fn ksr_id_fails_when_it_repeats_the_previous_skr_id() {
    let prev = previous();
    let mut doc = ksr();
    doc.id = prev.id.clone();
    assert_fails_only(&run(&doc, &prev, &Policy::root()), "KSR-ID", &prev.id);
}

#[test]
fn ksr_bundle_unique_fails_on_a_reused_bundle_id() {
    let mut doc = ksr();
    doc.bundles[2].id = doc.bundles[1].id.clone();
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-BUNDLE-UNIQUE",
        "slot 3 (3ea61ea1)",
    );

    let prev = previous();
    let mut doc = ksr();
    doc.bundles[4].id = prev.bundles[8].id.clone();
    assert_fails_only(
        &run(&doc, &prev, &Policy::root()),
        "KSR-BUNDLE-UNIQUE",
        "previous SKR's slot 9",
    );
}

#[test]
fn ksr_bundle_keys_fails_on_a_wrong_key_tag() {
    let mut doc = ksr();
    doc.bundles[3].keys[0].key_tag = 14797;
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-BUNDLE-KEYS",
        "slot 4 (cfe81083) ZSK 14797",
    );
}

#[test]
fn ksr_bundle_keys_fails_on_a_ksk_flag_in_a_ksr() {
    let start = date("2030-01-01");
    let b = KsrBuilder::new(".", start);
    let mut doc = b.build();
    let policy = b.policy(&[]);
    let key = &mut doc.bundles[4].keys[0];
    key.flags = flags::KSK;
    key.key_tag = ksr::dnssec::key_tag(key);
    let zsk1 = &b.zsks[1];
    resign(&mut doc, &[zsk1]);
    let r = check_ksr(&doc, &Context::new(&policy, date("2029-12-20")));
    assert_fails_only(&r, "KSR-BUNDLE-KEYS", "flags 257");
    assert!(r.get("KSR-BUNDLE-KEYS").unwrap().detail.contains("slot 5"));
}

#[test]
fn ksr_bundle_keys_fails_on_a_ttl_other_than_the_policy() {
    let mut policy = Policy::root();
    policy.dnskey_ttl = 86_400;
    assert_fails_only(
        &run(&ksr(), &previous(), &policy),
        "KSR-BUNDLE-KEYS",
        "TTL 172800",
    );
}

#[test]
fn ksr_bundle_pop_fails_when_signatures_are_swapped() {
    let mut doc = ksr();
    let sigs = &mut doc.bundles[0].signatures;
    let a = sigs[0].signature_data.clone();
    sigs[0].signature_data = std::mem::replace(&mut sigs[1].signature_data, a);
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-BUNDLE-POP",
        "slot 1 (dc1bc68c)",
    );
}

#[test]
fn ksr_bundle_pop_fails_when_a_key_did_not_sign() {
    let mut doc = ksr();
    doc.bundles[8].signatures.pop();
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-BUNDLE-POP",
        "slot 9 (dbd2a673) ZSK 15768",
    );
}

#[test]
fn ksr_bundle_count_fails_on_a_dropped_bundle() {
    // Drop the last bundle; relax only what follows from the drop (cycle and
    // distinct ZSKs), so the count is what fails.
    let mut doc = ksr();
    doc.bundles.pop();
    let mut policy = Policy::root();
    policy.cycle_duration = Span {
        min: 70 * DAY,
        max: 81 * DAY,
    };
    policy.distinct_keys = Some(2);
    assert_fails_only(
        &run(&doc, &previous(), &policy),
        "KSR-BUNDLE-COUNT",
        "8 bundles, the policy wants 9",
    );
}

#[test]
fn ksr_bundle_cycle_duration_fails_when_intervals_add_up_too_long() {
    // Two 11-day intervals, each within P9D..P11D, make an 82-day cycle.
    let mut doc = ksr();
    shift(&mut doc, 2..=8, 1);
    shift(&mut doc, 5..=8, 1);
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-BUNDLE-CYCLE-DURATION",
        "P82D",
    );
}

#[test]
fn ksr_policy_keys_fails_on_a_second_key_in_slot_two() {
    // Bundle 2 gets bundle 1's keys and signatures: same RRset, so they verify.
    let mut doc = ksr();
    doc.bundles[1].keys = doc.bundles[0].keys.clone();
    doc.bundles[1].signatures = doc.bundles[0].signatures.clone();
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-POLICY-KEYS",
        "slot 2 (3ea61ea1) has 2 ZSKs",
    );
}

#[test]
fn ksr_policy_keys_fails_on_the_distinct_key_count() {
    let mut policy = Policy::root();
    policy.distinct_keys = Some(2);
    assert_fails_only(
        &run(&ksr(), &previous(), &policy),
        "KSR-POLICY-KEYS",
        "3 distinct ZSKs",
    );
}

#[test]
fn ksr_policy_alg_fails_on_a_deprecated_algorithm_request() {
    let mut doc = ksr();
    doc.zsk_policy.algorithms[0].algorithm = 5;
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-POLICY-ALG",
        "RSASHA1",
    );
}

#[test]
fn ksr_policy_alg_fails_on_keys_the_operator_does_not_approve() {
    // A root-shaped KSR with Ed25519 ZSKs, for an operator approving RSASHA256 only.
    let start = date("2030-01-01");
    let doc = KsrBuilder::new(".", start).build();
    let r = check_ksr(&doc, &Context::new(&Policy::root(), date("2029-12-20")));
    assert_fails_only(&r, "KSR-POLICY-ALG", "ED25519");
}

#[test]
fn ksr_policy_sig_validity_fails_on_a_longer_bundle() {
    let mut doc = ksr();
    doc.bundles[4].expiration += Duration::days(1);
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-POLICY-SIG-VALIDITY",
        "slot 5 (a3e8f6ca): validity P22D",
    );
}

#[test]
fn ksr_policy_sig_validity_uses_the_operator_policy_not_the_ksr_claim() {
    // The KSR claims 21 days; an operator wanting 20 days fails it.
    let mut policy = Policy::root();
    policy.signature_validity = Span {
        min: 20 * DAY,
        max: 20 * DAY,
    };
    policy.validity_overlap = Span {
        min: 9 * DAY,
        max: 12 * DAY,
    };
    let r = run(&ksr(), &previous(), &policy);
    assert_fails_only(&r, "KSR-POLICY-SIG-VALIDITY", "P21D outside P20D..P20D");
}

#[test]
fn ksr_policy_sig_overlap_fails_against_a_stricter_operator() {
    // With 21-day validity and 9..11-day intervals the overlap is always 10..12
    // days, so the operator's overlap range is what makes the input fail.
    let mut policy = Policy::root();
    policy.validity_overlap = Span {
        min: 12 * DAY,
        max: 12 * DAY,
    };
    let r = check_ksr(&ksr(), &Context::new(&policy, date("2017-03-20")));
    assert_fails_only(
        &r,
        "KSR-POLICY-SIG-OVERLAP",
        "slot 1 (dc1bc68c) and slot 2 (3ea61ea1) overlap by P11D",
    );
}

#[test]
fn ksr_policy_bundle_intervals_fails_on_a_12_day_step() {
    let mut doc = ksr();
    shift(&mut doc, 4..=7, 2);
    shift(&mut doc, 8..=8, 1);
    assert_fails_only(
        &run(&doc, &previous(), &Policy::root()),
        "KSR-POLICY-BUNDLE-INTERVALS",
        "slot 5 (a3e8f6ca) starts P12D",
    );
}

#[test]
fn ksr_policy_sig_horizon_fails_too_early_and_too_late() {
    let doc = ksr();
    let prev = previous();
    let policy = Policy::root();
    let early = check_ksr(
        &doc,
        &Context::new(&policy, date("2017-01-01")).with_previous(&prev),
    );
    assert_fails_only(
        &early,
        "KSR-POLICY-SIG-HORIZON",
        "slot 9 (dbd2a673) expires P191D",
    );
    let late = check_ksr(
        &doc,
        &Context::new(&policy, date("2017-05-01")).with_previous(&prev),
    );
    assert_fails_only(&late, "KSR-POLICY-SIG-HORIZON", "slot 1 (dc1bc68c) expired");
}

#[test]
fn ksr_chain_keys_fails_in_both_directions() {
    let doc = ksr();
    // A key of the previous SKR's last bundle missing from the first new bundle.
    let mut prev = previous();
    let extra = doc.bundles[8].keys[1].clone();
    assert_eq!(extra.key_tag, 15768);
    prev.bundles[8].keys.push(extra);
    assert_fails_only(
        &run(&doc, &prev, &Policy::root()),
        "KSR-CHAIN-KEYS",
        "ZSK 15768",
    );
    assert!(run(&doc, &prev, &Policy::root())
        .get("KSR-CHAIN-KEYS")
        .unwrap()
        .detail
        .contains("is missing from slot 1"));

    // A key of the first new bundle that the previous SKR's last bundle lacks.
    let mut prev = previous();
    prev.bundles[8].keys.retain(|k| k.key_tag != 61045);
    let r = run(&doc, &prev, &Policy::root());
    assert_fails_only(&r, "KSR-CHAIN-KEYS", "ZSK 61045");
    assert!(r
        .get("KSR-CHAIN-KEYS")
        .unwrap()
        .detail
        .contains("is not in previous SKR slot 9"));
}

#[test]
fn ksr_chain_overlap_fails_when_the_previous_skr_ends_early() {
    let mut prev = previous();
    prev.bundles[8].expiration -= Duration::days(2);
    assert_fails_only(
        &run(&ksr(), &prev, &Policy::root()),
        "KSR-CHAIN-OVERLAP",
        "overlap by P8D",
    );
}

#[test]
fn ksr_policy_safety_fails_when_the_incoming_zsk_was_published_too_late() {
    // ZSK 14796 first appears in the previous SKR's last bundle; publishing it 4
    // days later leaves 17 days before 61045 goes, under 10 + 10 days of safety.
    let mut prev = previous();
    prev.bundles[8].inception += Duration::days(4);
    assert_fails_only(
        &run(&ksr(), &prev, &Policy::root()),
        "KSR-POLICY-SAFETY",
        "ZSK 61045",
    );
    let r = run(&ksr(), &prev, &Policy::root());
    assert!(
        r.get("KSR-POLICY-SAFETY").unwrap().detail.contains("P17D"),
        "{:?}",
        r.lines()
    );
}

#[test]
fn all_checks_run_and_report_every_failure() {
    // Several independent faults: each is reported, none stops the others.
    let prev = previous();
    let mut doc = ksr();
    doc.id = prev.id.clone();
    doc.bundles[2].id = doc.bundles[1].id.clone();
    doc.bundles[3].keys[0].key_tag = 1;
    let r = run(&doc, &prev, &Policy::root());
    assert_eq!(r.results.len(), 18);
    assert_eq!(
        r.failures(),
        vec!["KSR-ID", "KSR-BUNDLE-UNIQUE", "KSR-BUNDLE-KEYS"]
    );
}

#[test]
fn synthetic_ksrs_pass_for_every_algorithm_and_any_zone() {
    let start = date("2030-01-01");
    let sets: Vec<(&str, Vec<TestKey>)> = vec![
        (
            "example.test.",
            vec![
                TestKey::ed25519("a"),
                TestKey::ed25519("b"),
                TestKey::ed25519("c"),
            ],
        ),
        (
            "cz.",
            vec![
                TestKey::ecdsa_p256(0),
                TestKey::ecdsa_p256(1),
                TestKey::ed25519("c"),
            ],
        ),
        (
            ".",
            vec![
                TestKey::rsa2048(0, 8),
                TestKey::rsa2048(1, 8),
                TestKey::rsa2048(2, 8),
            ],
        ),
        (
            "a.b.example.",
            vec![
                TestKey::rsa2048(0, 10),
                TestKey::rsa2048(1, 10),
                TestKey::rsa2048(2, 10),
            ],
        ),
    ];
    for (domain, keys) in sets {
        let b = KsrBuilder::new(domain, start).zsks(keys);
        let doc = b.build();
        let r = check_ksr(&doc, &Context::new(&b.policy(&[]), date("2029-12-20")));
        assert_no_failure(&r);
        // Written and re-read, it still passes.
        let again =
            ksr::xml::parse(&ksr::xml::write(&doc), "synthetic", &Default::default()).unwrap();
        assert_eq!(again, doc);
    }
}

#[test]
fn ksr_bundle_keys_fails_when_an_identifier_names_two_keys() {
    // ZSK 15768 in slot 9 relabelled with 14796's keyIdentifier (its signature
    // too, so the proof of possession still finds and verifies it).
    let mut doc = ksr();
    let b = &mut doc.bundles[8];
    let name = b
        .keys
        .iter()
        .find(|k| k.key_tag == 14796)
        .unwrap()
        .key_identifier
        .clone();
    let k = b.keys.iter_mut().find(|k| k.key_tag == 15768).unwrap();
    let old = std::mem::replace(&mut k.key_identifier, name.clone());
    b.signatures
        .iter_mut()
        .filter(|s| s.key_identifier == old)
        .for_each(|s| s.key_identifier = name.clone());
    let r = run(&doc, &previous(), &Policy::root());
    assert_fails_only(&r, "KSR-BUNDLE-KEYS", "slot 9 (dbd2a673)");
    assert!(r
        .get("KSR-BUNDLE-KEYS")
        .unwrap()
        .detail
        .contains("names a different key in slot 1"));
}

#[test]
fn ksr_bundle_pop_names_the_right_slots_when_verification_is_split_over_threads() {
    // 300 bundles: long enough for the verification to be split over the cores;
    // damaged signatures in the first, a middle and the last bundle must still be
    // reported in slot order with their own slot numbers.
    let builder = KsrBuilder::new("example.test.", date("2030-01-01")).bundles(300);
    let mut doc = builder.build();
    for i in [0, 150, 299] {
        let s = &mut doc.bundles[i].signatures[0].signature_data;
        s[0] ^= 0xff;
    }
    let policy = builder.policy(&[]);
    let report = check_ksr(&doc, &Context::new(&policy, date("2029-12-01")));
    let pop = report.get("KSR-BUNDLE-POP").unwrap();
    assert_eq!(pop.outcome, Outcome::Fail, "{}", pop.detail);
    let at = |slot: &str| {
        pop.detail
            .find(&format!("slot {slot} ("))
            .unwrap_or_else(|| panic!("slot {slot} not named: {}", pop.detail))
    };
    assert!(
        at("1") < at("151") && at("151") < at("300"),
        "{}",
        pop.detail
    );
    assert!(!pop.detail.contains("slot 2 ("), "{}", pop.detail);
    // The same document checked twice gives the same words.
    let again = check_ksr(&doc, &Context::new(&policy, date("2029-12-01")));
    assert_eq!(again.get("KSR-BUNDLE-POP"), Some(pop));
}
