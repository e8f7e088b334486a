use super::*;
use crate::clock::{DAY, HOUR};
use crate::key::SimKey;
use crate::publisher::Event;

fn keys(algs: &[u8]) -> KeySet {
    KeySet {
        keys: algs
            .iter()
            .enumerate()
            .map(|(i, a)| SimKey {
                name: format!("K{i}"),
                algorithm: *a,
                public_key: vec![],
                tag: crate::key::KeyTag(i as u16),
                revoked_tag: crate::key::KeyTag(0),
            })
            .collect(),
    }
}

fn tl(evs: &[(i64, Action, usize)]) -> Timeline {
    let e: Vec<Event> = evs
        .iter()
        .map(|(d, a, k)| Event {
            at: d * DAY,
            action: *a,
            key: *k,
            source: String::new(),
        })
        .collect();
    Timeline::from_events(&e, 2 * DAY, 21 * DAY, 10 * DAY, 1000 * DAY).unwrap()
}

#[test]
fn root_waits() {
    let p = PlanParams::for_trust_point(2 * DAY, 21 * DAY);
    assert_eq!(p.active_refresh(), DAY);
    assert_eq!(p.retry(), 2 * DAY / 10);
    // The draft's lookup table: successRate 0.9, 1,000,000 resolvers -> 6.
    assert_eq!(p.retry_count_wait(), 6);
    // 30 + 21 + 1 + 1 + 6 x 4.8 h
    assert_eq!(
        p.add_terms(),
        WaitTerms {
            holddown: 30 * DAY,
            sig_expiration_remaining: 21 * DAY,
            active_refresh: DAY,
            timing_safety_margin: DAY,
            retry_safety_margin: 6 * (2 * DAY / 10),
        }
    );
    assert_eq!(p.add_wait(), 54 * DAY + 4 * HOUR + 48 * 60);
    // The removal wait (remWaitTime) has no hold-down term.
    assert_eq!(p.remove_terms().holddown, 0);
    assert_eq!(p.remove_wait(), p.add_wait() - 30 * DAY);
}

/// The draft's own worked root example (appendix, "Real World Example: The 2017
/// Root KSK Key Roll"): hold-down 30 days, 21-day signatures, TTL 2 days, the
/// retrySafetyMargin left out: addWaitTime = 30 + 21 + 1 + 1 = 53 days.
#[test]
fn draft_13_worked_root_example() {
    let mut p = PlanParams::for_trust_point(2 * DAY, 21 * DAY);
    p.safety_margin = Some(0);
    assert_eq!(p.add_wait(), 53 * DAY);
    // The same formula for the revoked key: 21 + 1 + 1 (the draft's prose says
    // 26 days, which its own formula does not give; docs/rfc5011.md notes it).
    assert_eq!(p.remove_wait(), 23 * DAY);
}

#[test]
fn retry_count_wait_follows_the_drafts_table() {
    let mut p = PlanParams::for_trust_point(2 * DAY, 21 * DAY);
    for (rate, n, want) in [
        (0.01, 10_000, 917),
        (0.5, 10_000, 14),
        (0.9, 100_000, 5),
        (0.95, 10_000, 4),
        (0.99, 1_000_000, 3),
        (0.999, 100_000_000, 3),
    ] {
        p.success_rate = rate;
        p.resolvers = n;
        assert_eq!(p.retry_count_wait(), want, "{rate} {n}");
    }
}

#[test]
fn legacy_offset_only_on_request() {
    let mut p = PlanParams::for_trust_point(2 * DAY, 21 * DAY);
    p.add_holddown = 30 * DAY + 6 * HOUR;
    p.safety_margin = Some(0);
    assert_eq!(p.add_terms().timing_safety_margin, DAY);
    p.legacy_offset = true;
    // Refreshes every day from the first sighting: the first one at or after
    // the hold-down's end is 18 hours after it.
    assert_eq!(p.add_terms().timing_safety_margin, 18 * HOUR);
    assert_eq!(
        p.add_wait(),
        30 * DAY + 6 * HOUR + 21 * DAY + DAY + 18 * HOUR
    );
    // A TTL longer than the hold-down replaces it (RFC 5011 2.4.1).
    p.ttl = 40 * DAY;
    assert_eq!(p.add_terms().holddown, 40 * DAY);
}

/// The plan of a timeline with root parameters (TTL 2 days, 21-day RRSIGs).
fn root_check(t: &Timeline, algs: &[u8]) -> PlanReport {
    check(
        t,
        &keys(algs),
        &PlanParams::for_trust_point(2 * DAY, 21 * DAY),
    )
}

#[test]
fn the_deciding_rule_is_the_failure_that_binds_last() {
    let t = 100;
    // Two failures: the later one decides, "never" is latest of all.
    let (r, e, f) = decide(
        &[
            (Rule::AddWait, Some(150), true),
            (Rule::RevokeAfterTrust, Some(200), true),
        ],
        t,
    );
    assert_eq!((r, e), (Rule::RevokeAfterTrust, Some(200)));
    assert_eq!(f, vec![Rule::RevokeAfterTrust, Rule::AddWait]);
    let (r, e, _) = decide(
        &[
            (Rule::AddWait, Some(150), true),
            (Rule::AlgorithmSignatures, None, false),
        ],
        t,
    );
    assert_eq!((r, e), (Rule::AlgorithmSignatures, None));
    // Nothing fails: the timing rule that binds hardest is shown, safe.
    let (r, e, f) = decide(
        &[
            (Rule::FiveKeys, Some(t), false),
            (Rule::AddWait, Some(60), true),
            (Rule::RemoveWait, Some(80), true),
        ],
        t,
    );
    assert_eq!((r, e, f), (Rule::RemoveWait, Some(80), vec![]));
    // Exactly at the earliest time is safe.
    assert!(decide(&[(Rule::AddWait, Some(t), true)], t).2.is_empty());
    assert_eq!(decide(&[], t), (Rule::NoConstraint, Some(t), vec![]));
}

use Action::*;

/// K0 published and signing from day 0, K1 published on day 10, then `rest`.
fn k1_published_then(rest: &[(i64, Action, usize)]) -> Timeline {
    let mut evs = vec![(0, Publish, 0), (0, Sign, 0), (10, Publish, 1)];
    evs.extend_from_slice(rest);
    tl(&evs)
}

/// A roll that waits long enough at every step: K1 signs from day 100, K0 is
/// revoked on day 200 and removed on day 260.
fn patient_roll() -> Timeline {
    k1_published_then(&[
        (100, Sign, 1),
        (100, Unsign, 0),
        (200, Revoke, 0),
        (260, Remove, 0),
    ])
}

/// K1 takes over signing on day 40, 30 days after it was published.
fn early_switch() -> Timeline {
    k1_published_then(&[(40, Sign, 1), (40, Unsign, 0)])
}

#[test]
fn a_patient_roll_is_safe() {
    let t = patient_roll();
    let r = root_check(&t, &[8, 8]);
    assert!(r.safe(), "{:#?}", r.steps);
}

#[test]
fn early_switch_fails_add_wait() {
    let t = early_switch();
    let r = root_check(&t, &[8, 8]);
    assert!(!r.safe());
    let bad: Vec<_> = r.steps.iter().filter(|s| !s.safe).collect();
    assert!(bad.iter().all(|s| s.rule == Rule::AddWait));
    assert_eq!(bad[0].earliest, Some(10 * DAY + r.add_wait));
}

#[test]
fn early_revoke_fails_revoke_after_trust() {
    let t = k1_published_then(&[(10, Sign, 1), (30, Revoke, 0)]);
    let r = root_check(&t, &[8, 8]);
    let rev = r.steps.iter().find(|s| s.step.action == Revoke).unwrap();
    assert!(!rev.safe);
    assert!(rev.failed.contains(&Rule::RevokeAfterTrust));
}

#[test]
fn early_removal_of_a_revoked_key_fails_remove_wait() {
    let t = k1_published_then(&[
        (100, Sign, 1),
        (100, Unsign, 0),
        (200, Revoke, 0),
        (210, Remove, 0),
    ]);
    let r = root_check(&t, &[8, 8]);
    let rm = r.steps.iter().find(|s| s.step.action == Remove).unwrap();
    assert_eq!((rm.safe, rm.rule), (false, Rule::RemoveWait));
}

#[test]
fn unsigned_new_algorithm_fails_algorithm_signatures() {
    let t = k1_published_then(&[]);
    let r = root_check(&t, &[8, 13]);
    let p = r
        .steps
        .iter()
        .find(|s| s.step.action == Publish && s.step.key == 1)
        .unwrap();
    assert_eq!(
        (p.safe, p.rule, p.earliest),
        (false, Rule::AlgorithmSignatures, None)
    );
}

#[test]
fn a_sixth_key_fails_five_keys() {
    let t = tl(&[
        (0, Publish, 0),
        (0, Sign, 0),
        (1, Publish, 1),
        (1, Publish, 2),
        (1, Publish, 3),
        (1, Publish, 4),
        (2, Publish, 5),
    ]);
    let r = root_check(&t, &[8; 6]);
    assert!(r
        .steps
        .iter()
        .filter(|s| !s.safe)
        .all(|s| s.rule == Rule::FiveKeys && s.step.key == 5));
    assert!(!r.safe());
}

// Issue 11, item 13: no input can make a wait shorter or wrap it around.
#[test]
fn absurd_durations_saturate_and_never_make_a_step_safe() {
    let t = patient_roll();
    let ks = keys(&[8, 8]);
    // A validity near the top of i64: the sum of the terms overflows.
    let mut p = PlanParams::for_trust_point(2 * DAY, i64::MAX - DAY);
    assert_eq!(p.add_wait(), Duration::MAX);
    assert_eq!(p.remove_wait(), Duration::MAX);
    let r = check(&t, &ks, &p);
    assert!(!r.safe(), "an overflowing wait must not read as safe");
    let switch = r
        .steps
        .iter()
        .find(|s| s.step.action == Sign && s.step.key == 1);
    assert!(!switch.unwrap().safe);
    // A safety margin near the top alone, too.
    p = PlanParams::for_trust_point(2 * DAY, 21 * DAY);
    p.safety_margin = Some(Duration::MAX - DAY);
    assert_eq!(p.add_wait(), Duration::MAX);
    assert!(!check(&t, &ks, &p).safe());
    // A negative margin (refused when loading; here built directly) never
    // shortens the wait below its other terms.
    p.safety_margin = Some(-1000 * DAY);
    let terms = p.add_terms();
    assert_eq!(terms.retry_safety_margin, -1000 * DAY);
    assert_eq!(
        p.add_wait(),
        terms.holddown
            + terms.sig_expiration_remaining
            + terms.active_refresh
            + terms.timing_safety_margin
    );
    assert!(
        !check(&early_switch(), &ks, &p).safe(),
        "the early switch stays unsafe"
    );
}
