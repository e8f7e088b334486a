use super::*;
use crate::clock::DAY;
use crate::profile::Profile;

const OLD: usize = 0;
const NEW: usize = 1;

fn rrset(published: KeyMask, signing: KeyMask, revoked: KeyMask) -> Rrset {
    Rrset {
        published,
        signing,
        revoked,
        ttl: 2 * DAY,
        inception: -100 * DAY,
        expiration: 1000 * DAY,
    }
}

fn no_sink() -> impl FnMut(usize, KeyState, KeyState, KeyEvent) {
    |_, _, _, _| {}
}

fn rfc() -> Params {
    Profile::Rfc5011.params()
}

/// Fetch `r` every day from `from` to `to` inclusive.
fn daily(tp: &mut TrustPoint, r: &Rrset, from: i64, to: i64, p: &Params) {
    for d in from..=to {
        tp.observe(r, d * DAY, d * DAY, p, &mut no_sink());
    }
}

#[test]
fn new_key_goes_addpend_then_valid_after_holddown_and_a_fresh_fetch() {
    let p = rfc();
    let mut tp = TrustPoint::new(1 << OLD);
    let both = rrset(0b11, 1 << OLD, 0);
    let mut log = Vec::new();
    tp.observe(&both, 0, 0, &p, &mut |k, f, t, e| log.push((k, f, t, e)));
    assert_eq!(
        log,
        vec![(NEW, KeyState::Start, KeyState::AddPend, KeyEvent::NewKey)]
    );
    assert_eq!(tp.slots[NEW].timer, 30 * DAY);
    // Just before the hold-down ends: still pending.
    tp.observe(&both, 30 * DAY - 1, 30 * DAY - 1, &p, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::AddPend);
    // The hold-down alone does nothing: the key is trusted at the next fetch.
    tp.expire(31 * DAY, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::AddPend);
    tp.observe(&both, 30 * DAY, 30 * DAY, &p, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::Valid);
    assert_eq!(tp.anchors(), 0b11);
}

#[test]
fn ttl_longer_than_holddown_extends_it() {
    let p = rfc();
    let mut tp = TrustPoint::new(1 << OLD);
    let mut r = rrset(0b11, 1 << OLD, 0);
    r.ttl = 40 * DAY;
    tp.observe(&r, 0, 0, &p, &mut no_sink());
    assert_eq!(tp.slots[NEW].timer, 40 * DAY);
    tp.observe(&r, 35 * DAY, 35 * DAY, &p, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::AddPend);
}

#[test]
fn unbound_ignores_the_ttl_rule() {
    let p = Profile::Unbound.params();
    let mut tp = TrustPoint::new(1 << OLD);
    let mut r = rrset(0b11, 1 << OLD, 0);
    r.ttl = 40 * DAY;
    tp.observe(&r, 0, 0, &p, &mut no_sink());
    assert_eq!(tp.slots[NEW].timer, 30 * DAY);
}

#[test]
fn pending_key_disappears_and_returns_restarts_holddown() {
    let p = rfc();
    let mut tp = TrustPoint::new(1 << OLD);
    let both = rrset(0b11, 1 << OLD, 0);
    let old_only = rrset(1 << OLD, 1 << OLD, 0);
    daily(&mut tp, &both, 0, 20, &p);
    assert_eq!(tp.state(NEW), KeyState::AddPend);
    tp.observe(&old_only, 21 * DAY, 21 * DAY, &p, &mut no_sink());
    assert_eq!(
        tp.state(NEW),
        KeyState::Start,
        "KeyRem resets the pending key"
    );
    daily(&mut tp, &both, 22, 51, &p);
    assert_eq!(
        tp.state(NEW),
        KeyState::AddPend,
        "new hold-down counts from day 22"
    );
    assert_eq!(tp.slots[NEW].timer, 52 * DAY);
    tp.observe(&both, 52 * DAY, 52 * DAY, &p, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::Valid);
}

#[test]
fn unvalidated_rrset_changes_nothing() {
    let p = rfc();
    let mut tp = TrustPoint::new(1 << OLD);
    // Signed only by the unknown new key: bogus, no NewKey.
    let r = rrset(0b11, 1 << NEW, 0);
    assert_eq!(tp.observe(&r, 0, 0, &p, &mut no_sink()), Fetch::NoAnchor);
    assert_eq!(tp.state(NEW), KeyState::Start);
    // Expired signature: bogus too.
    let mut e = rrset(0b11, 1 << OLD, 0);
    e.expiration = -1;
    assert_eq!(tp.observe(&e, 0, 0, &p, &mut no_sink()), Fetch::Expired);
    assert_eq!(tp.state(NEW), KeyState::Start);
}

#[test]
fn valid_key_goes_missing_and_comes_back() {
    let p = rfc();
    let mut tp = TrustPoint::new(0b11);
    tp.observe(&rrset(1 << NEW, 1 << NEW, 0), 0, 0, &p, &mut no_sink());
    assert_eq!(tp.state(OLD), KeyState::Missing);
    assert!(tp.anchors() & 1 != 0, "Missing keys still validate");
    // RFC profile keeps Missing keys indefinitely.
    tp.observe(
        &rrset(1 << NEW, 1 << NEW, 0),
        900 * DAY,
        900 * DAY,
        &p,
        &mut no_sink(),
    );
    assert_eq!(tp.state(OLD), KeyState::Missing);
    tp.observe(
        &rrset(0b11, 1 << NEW, 0),
        901 * DAY,
        901 * DAY,
        &p,
        &mut no_sink(),
    );
    assert_eq!(tp.state(OLD), KeyState::Valid, "KeyPres");
}

#[test]
fn self_signed_revocation_revokes_then_removes_after_30_days() {
    let p = rfc();
    let mut tp = TrustPoint::new(0b11);
    let r = rrset(0b11, 0b11, 1 << OLD);
    assert_eq!(tp.observe(&r, 0, 0, &p, &mut no_sink()), Fetch::Validated);
    assert_eq!(tp.state(OLD), KeyState::Revoked);
    assert_eq!(tp.anchors(), 1 << NEW);
    tp.expire(30 * DAY - 1, &mut no_sink());
    assert_eq!(tp.state(OLD), KeyState::Revoked);
    tp.expire(30 * DAY, &mut no_sink());
    assert_eq!(tp.state(OLD), KeyState::Removed, "RemTime");
    // Permanent: the unrevoked key reappearing is not trusted again.
    tp.observe(
        &rrset(0b11, 1 << NEW, 0),
        31 * DAY,
        31 * DAY,
        &p,
        &mut no_sink(),
    );
    assert_eq!(tp.state(OLD), KeyState::Removed);
}

#[test]
fn revocation_without_self_signature_is_ignored() {
    let p = rfc();
    let mut tp = TrustPoint::new(0b11);
    // OLD shown with the REVOKE bit but signed only by NEW.
    let r = rrset(0b11, 1 << NEW, 1 << OLD);
    assert_eq!(tp.observe(&r, 0, 0, &p, &mut no_sink()), Fetch::Validated);
    assert_ne!(tp.state(OLD), KeyState::Revoked);
    // The unrevoked DNSKEY is absent, so the key is merely Missing (still an anchor).
    assert_eq!(tp.state(OLD), KeyState::Missing);
}

#[test]
fn revoking_the_only_anchor_deletes_the_trust_point() {
    let p = rfc();
    let mut tp = TrustPoint::new(1 << OLD);
    let r = rrset(0b11, 0b11, 1 << OLD);
    assert_eq!(tp.observe(&r, 0, 0, &p, &mut no_sink()), Fetch::Deleted);
    assert_eq!(tp.state(OLD), KeyState::Revoked);
    assert_eq!(tp.anchors(), 0);
    assert!(tp.deleted);
    assert_eq!(tp.status(&r, 0), crate::trust_point::Status::Insecure);
    assert_eq!(
        tp.state(NEW),
        KeyState::Start,
        "the new key never gets a chance"
    );
}

#[test]
fn revoked_pending_key_is_dropped() {
    let p = rfc();
    let mut tp = TrustPoint::new(1 << OLD);
    tp.observe(&rrset(0b11, 1 << OLD, 0), 0, 0, &p, &mut no_sink());
    tp.observe(&rrset(0b11, 0b11, 1 << NEW), DAY, DAY, &p, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::Start);
}

#[test]
fn max_keys_knob_still_caps_when_set() {
    let mut p = rfc();
    p.set("max-keys", "5").unwrap();
    let mut tp = TrustPoint::new(1);
    let r = rrset(0b111111, 1, 0);
    tp.observe(&r, 0, 0, &p, &mut no_sink());
    assert_eq!(tp.tracked.count_ones(), 5, "the sixth key is not tracked");
    assert_eq!(tp.state(5), KeyState::Start);
}

#[test]
fn clock_skew_makes_current_signatures_look_expired() {
    let p = rfc();
    let mut tp = TrustPoint::new(1);
    let mut r = rrset(1, 1, 0);
    r.inception = 0;
    r.expiration = 21 * DAY;
    assert_eq!(
        tp.observe(&r, DAY, DAY + 30 * DAY, &p, &mut no_sink()),
        Fetch::Expired
    );
    assert_eq!(
        tp.observe(&r, DAY, DAY, &p, &mut no_sink()),
        Fetch::Validated
    );
}

#[test]
fn a_clock_behind_the_inception_is_not_yet_valid_not_expired() {
    let mut r = rrset(1, 1, 0);
    r.inception = 10 * DAY;
    r.expiration = 31 * DAY;
    let mut static_anchor = rfc();
    static_anchor.auto_update = false;
    for p in [rfc(), static_anchor] {
        let mut tp = TrustPoint::new(1);
        let got = tp.fetch(Some(&r), 11 * DAY, 8 * DAY, &p, &mut |_, _, _, _| {});
        assert_eq!(got, Fetch::NotYetValid, "auto-update {}", p.auto_update);
        assert_eq!(got.name(), "signature not yet valid");
        let got = tp.fetch(Some(&r), 11 * DAY, 32 * DAY, &p, &mut |_, _, _, _| {});
        assert_eq!(got.name(), "signature expired");
    }
}

#[test]
fn bind_bootstraps_every_sep_key_on_first_fetch() {
    let p = Profile::Bind.params();
    let mut tp = TrustPoint::new(1 << OLD);
    tp.observe(&rrset(0b11, 1 << OLD, 0), 0, 0, &p, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::Valid);
    // Only on the first fetch: a later key waits the hold-down.
    tp.observe(&rrset(0b111, 1 << OLD, 0), DAY, DAY, &p, &mut no_sink());
    assert_eq!(tp.state(2), KeyState::AddPend);
}

#[test]
fn unbound_needs_two_sightings_even_with_zero_holddown() {
    let mut p = Profile::Unbound.params();
    p.add_holddown = 0;
    let mut r = rrset(0b11, 1, 0);
    r.ttl = 0;
    let mut tp = TrustPoint::new(1);
    tp.observe(&r, 0, 0, &p, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::AddPend);
    tp.observe(&r, 1, 1, &p, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::Valid);
    let mut p3 = p;
    p3.min_sightings = 3;
    let mut tp = TrustPoint::new(1);
    tp.observe(&r, 0, 0, &p3, &mut no_sink());
    tp.observe(&r, 1, 1, &p3, &mut no_sink());
    assert_eq!(tp.state(NEW), KeyState::AddPend);
}

#[test]
fn keep_missing_drops_missing_keys() {
    let p = Profile::KnotResolver.params();
    let mut tp = TrustPoint::new(0b11);
    tp.observe(&rrset(1 << NEW, 1 << NEW, 0), 0, 0, &p, &mut no_sink());
    assert_eq!(tp.state(OLD), KeyState::Missing);
    let new_only = rrset(1 << NEW, 1 << NEW, 0);
    tp.observe(&new_only, 120 * DAY - 1, 120 * DAY - 1, &p, &mut no_sink());
    assert_eq!(tp.state(OLD), KeyState::Missing);
    // Back just in time: KeyPres, not removal.
    let mut back = tp;
    back.observe(
        &rrset(0b11, 1 << NEW, 0),
        130 * DAY,
        130 * DAY,
        &p,
        &mut no_sink(),
    );
    assert_eq!(back.state(OLD), KeyState::Valid);
    let mut log = Vec::new();
    tp.observe(&new_only, 120 * DAY, 120 * DAY, &p, &mut |k, _, t, e| {
        log.push((k, t, e))
    });
    // Knot: removed after 4x hold-down, and not remembered (keep_removed 0).
    assert_eq!(
        log,
        vec![
            (OLD, KeyState::Removed, KeyEvent::MissingExpired),
            (OLD, KeyState::Start, KeyEvent::Forget)
        ]
    );
    // Unbound keeps Missing keys for 366 days.
    let u = Profile::Unbound.params();
    let mut tp = TrustPoint::new(0b11);
    tp.observe(&new_only, 0, 0, &u, &mut no_sink());
    tp.observe(&new_only, 365 * DAY, 365 * DAY, &u, &mut no_sink());
    assert_eq!(tp.state(OLD), KeyState::Missing);
    tp.observe(&new_only, 366 * DAY, 366 * DAY, &u, &mut no_sink());
    assert_eq!(tp.state(OLD), KeyState::Start, "removed, then forgotten");
}

#[test]
fn reset_returns_to_configured_anchors() {
    let p = rfc();
    let mut tp = TrustPoint::new(1);
    daily(&mut tp, &rrset(0b11, 1, 0), 0, 30, &p);
    assert_eq!(tp.state(NEW), KeyState::Valid);
    let mut log = Vec::new();
    tp.reset(1, &mut |k, f, t, e| log.push((k, f, t, e)));
    assert_eq!(
        log,
        vec![(NEW, KeyState::Valid, KeyState::Start, KeyEvent::Reset)]
    );
    assert_eq!(tp, TrustPoint::new(1));
}
