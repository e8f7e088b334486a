//! One resolver's RFC 5011 view of one trust point: a state, a sighting count
//! and one timer per key, in a fixed-size array (no heap), so a million of them
//! can be simulated without allocation. Profile rules are read from [`Params`];
//! docs/rfc5011.md says which upstream function each one follows.

use crate::clock::Instant;
use crate::holddown::{add_holddown_end, remove_holddown_end};
use crate::key::{bits, KeyMask, MAX_KEYS};
use crate::profile::{NoAnchorLeft, Params};
use crate::publisher::Rrset;
use crate::state::{transition, KeyEvent, KeyState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeySlot {
    pub state: KeyState,
    /// Validated sightings while AddPend (saturating).
    pub sightings: u8,
    /// AddPend: end of the add hold-down. Revoked: end of the remove hold-down.
    /// Missing: when it went missing.
    pub timer: Instant,
    /// AddPend: the trust anchors that validated the RRset where it was first
    /// seen (RFC 5011 2.2).
    pub validated_by: KeyMask,
}

/// The outcome of one fetch of the DNSKEY RRset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Fetch {
    /// Validated by a trust anchor; state updated.
    Validated,
    /// The RRSIG was outside its validity window on the resolver's clock.
    Expired,
    /// No signature by a current trust anchor.
    NoAnchor,
    /// No answer (resolver could not reach the servers, or an attacker withheld it).
    NoAnswer,
    /// The trust point was deleted (no anchor left): nothing is validated or tracked.
    Deleted,
}

impl Fetch {
    pub fn ok(self) -> bool {
        self == Fetch::Validated
    }
    pub fn name(self) -> &'static str {
        match self {
            Fetch::Validated => "validated",
            Fetch::Expired => "signature expired",
            Fetch::NoAnchor => "not signed by a trust anchor",
            Fetch::NoAnswer => "no answer",
            Fetch::Deleted => "trust point deleted",
        }
    }
}

/// What the resolver makes of the zone's real RRset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    /// Validates with a trust anchor.
    #[serde(rename = "validating")]
    Validating,
    /// The trust point was deleted: answers come back unvalidated (no AD), not
    /// failed. Not validating, but not failing either.
    #[serde(rename = "insecure")]
    Insecure,
    /// Cannot validate: every answer fails (SERVFAIL).
    #[serde(rename = "failing")]
    Failing,
}

type Sink<'a> = dyn FnMut(usize, KeyState, KeyState, KeyEvent) + 'a;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustPoint {
    pub slots: [KeySlot; MAX_KEYS],
    /// Keys in Valid or Missing.
    anchors: KeyMask,
    /// Keys not in Start.
    tracked: KeyMask,
    /// Set after (re)initialisation from configured anchors, until the first
    /// validated fetch (used by profiles that bootstrap, e.g. BIND).
    pub initializing: bool,
    /// No anchor left and the profile deletes the trust point: insecure.
    pub deleted: bool,
}

impl TrustPoint {
    /// A resolver configured with `initial` anchors (Valid), knowing nothing else.
    pub fn new(initial: KeyMask) -> TrustPoint {
        let mut tp = TrustPoint {
            slots: [KeySlot::default(); MAX_KEYS],
            anchors: 0,
            tracked: 0,
            initializing: true,
            deleted: false,
        };
        for k in bits(initial) {
            tp.slots[k].state = KeyState::Valid;
        }
        tp.anchors = initial;
        tp.tracked = initial;
        tp
    }

    /// Keys that validate: Valid or Missing.
    pub fn anchors(&self) -> KeyMask {
        self.anchors
    }

    pub fn state(&self, key: usize) -> KeyState {
        self.slots[key].state
    }

    /// Whether this resolver, with its clock at `clock`, can validate `rrset`.
    pub fn validates(&self, rrset: &Rrset, clock: Instant) -> bool {
        !self.deleted
            && rrset.signature_current(clock)
            && rrset.validating_signers() & self.anchors != 0
    }

    /// Validating, insecure (trust point deleted) or failing, for `rrset`.
    pub fn status(&self, rrset: &Rrset, clock: Instant) -> Status {
        if self.deleted {
            Status::Insecure
        } else if self.validates(rrset, clock) {
            Status::Validating
        } else {
            Status::Failing
        }
    }

    fn set(&mut self, k: usize, event: KeyEvent, sink: &mut Sink) -> bool {
        let from = self.slots[k].state;
        let Some(to) = transition(from, event) else {
            return false;
        };
        self.slots[k].state = to;
        let bit: KeyMask = 1 << k;
        if to.is_anchor() {
            self.anchors |= bit;
        } else {
            self.anchors &= !bit;
        }
        if to == KeyState::Start {
            self.tracked &= !bit;
            self.slots[k] = KeySlot::default();
        } else {
            self.tracked |= bit;
        }
        sink(k, from, to, event);
        true
    }

    /// Forget everything (state not persisted): back to the configured anchors.
    pub fn reset<S: FnMut(usize, KeyState, KeyState, KeyEvent) + ?Sized>(
        &mut self,
        initial: KeyMask,
        sink: &mut S,
    ) {
        let fresh = TrustPoint::new(initial);
        for k in bits(self.tracked | initial) {
            let (from, to) = (self.slots[k].state, fresh.slots[k].state);
            if from != to {
                sink(k, from, to, KeyEvent::Reset);
            }
        }
        *self = fresh;
    }

    /// Timer-driven events that need no fetch: RemTime.
    pub fn expire<S: FnMut(usize, KeyState, KeyState, KeyEvent)>(
        &mut self,
        now: Instant,
        sink: &mut S,
    ) {
        for k in bits(self.tracked) {
            let slot = self.slots[k];
            if slot.state == KeyState::Revoked && now >= slot.timer {
                self.set(k, KeyEvent::RemTime, sink);
            }
        }
    }

    /// The earliest running add or remove hold-down after `now` (BIND
    /// `set_refreshkeytimer` refreshes then).
    pub fn next_timer(&self, now: Instant) -> Option<Instant> {
        bits(self.tracked)
            .map(|k| self.slots[k])
            .filter(|s| matches!(s.state, KeyState::AddPend | KeyState::Revoked))
            .map(|s| s.timer)
            .filter(|t| *t > now)
            .min()
    }

    /// Pending keys past their hold-down with enough sightings become Valid.
    fn promote(&mut self, now: Instant, p: &Params, sink: &mut Sink) {
        for k in bits(self.tracked) {
            let s = self.slots[k];
            if s.state == KeyState::AddPend && now >= s.timer && s.sightings >= p.min_sightings {
                self.set(k, KeyEvent::AddTime, sink);
            }
        }
    }

    /// Revokes `keys`: anchors go to Revoked; pending keys are dropped.
    fn revoke(&mut self, keys: KeyMask, now: Instant, p: &Params, sink: &mut Sink) {
        for k in bits(keys & self.tracked) {
            if self.slots[k].state == KeyState::AddPend {
                self.set(k, KeyEvent::PendingRevoked, sink);
            } else if self.set(k, KeyEvent::RevBit, sink) {
                self.slots[k].timer = remove_holddown_end(now, p.remove_holddown);
            }
        }
        if p.reset_on_validators_revoked {
            let gone = bits(self.tracked)
                .filter(|i| matches!(self.slots[*i].state, KeyState::Revoked | KeyState::Removed))
                .fold(0 as KeyMask, |m, i| m | 1 << i);
            for k in bits(self.tracked) {
                let s = self.slots[k];
                if s.state == KeyState::AddPend
                    && s.validated_by != 0
                    && s.validated_by & !gone == 0
                {
                    self.set(k, KeyEvent::ValidatorsRevoked, sink);
                }
            }
        }
    }

    /// BIND `keyfetch_done`, answer not secure: pending keys it shows restart
    /// their acceptance timer.
    fn unvalidated(&mut self, rrset: &Rrset, now: Instant, p: &Params) {
        if !p.unvalidated_resets_pending {
            return;
        }
        for k in bits(rrset.present() & self.tracked) {
            if self.slots[k].state == KeyState::AddPend {
                self.slots[k].timer = self.slots[k].timer.max(now + p.add_holddown);
            }
        }
    }

    /// Forgets Removed keys beyond what the profile remembers, then deletes
    /// the trust point if no anchor is left and the profile does that.
    fn tidy(&mut self, p: &Params, sink: &mut Sink) {
        if p.keep_removed != u8::MAX {
            let mut kept = 0;
            for k in bits(self.tracked) {
                if self.slots[k].state == KeyState::Removed {
                    if kept < p.keep_removed {
                        kept += 1;
                    } else {
                        self.set(k, KeyEvent::Forget, sink);
                    }
                }
            }
        }
        if self.anchors == 0 && p.no_anchor_left == NoAnchorLeft::Insecure {
            self.deleted = true;
        }
    }

    /// One fetch that returned `rrset`; see [`TrustPoint::fetch`].
    pub fn observe<S: FnMut(usize, KeyState, KeyState, KeyEvent)>(
        &mut self,
        rrset: &Rrset,
        now: Instant,
        clock: Instant,
        p: &Params,
        sink: &mut S,
    ) -> Fetch {
        self.fetch(Some(rrset), now, clock, p, sink)
    }

    /// One fetch that returned `rrset` (`None`: no answer). `now` is true time
    /// (timers), `clock` the resolver's own clock (signature validity); they
    /// differ by clock skew.
    pub fn fetch<S: FnMut(usize, KeyState, KeyState, KeyEvent)>(
        &mut self,
        rrset: Option<&Rrset>,
        now: Instant,
        clock: Instant,
        p: &Params,
        sink: &mut S,
    ) -> Fetch {
        if self.deleted {
            return Fetch::Deleted;
        }
        let sink: &mut Sink = sink;
        if !p.auto_update {
            // A static anchor: validation only, no state.
            return match rrset {
                None => Fetch::NoAnswer,
                Some(r) if !r.signature_current(clock) => Fetch::Expired,
                Some(r) if r.validating_signers() & self.anchors == 0 => Fetch::NoAnchor,
                Some(_) => Fetch::Validated,
            };
        }
        self.expire(now, &mut &mut *sink);
        if p.promote_without_answer {
            // Unbound autr_process_prime: autr_holddown_exceed before the answer.
            self.promote(now, p, sink);
        }
        let Some(rrset) = rrset else {
            return Fetch::NoAnswer;
        };
        if !rrset.signature_current(clock) {
            self.unvalidated(rrset, now, p);
            return Fetch::Expired;
        }
        // RFC 5011 2.1: a revocation counts only when the revoked key signed the
        // RRset itself; it is immediate and needs no other signature.
        if p.revoke_needs_self_signature {
            self.revoke(rrset.self_signed_revocations(), now, p, sink);
            if self.anchors == 0 {
                self.tidy(p, sink);
                if self.deleted {
                    return Fetch::Deleted;
                }
            }
        }
        let validators = rrset.validating_signers() & self.anchors;
        if validators == 0 {
            self.unvalidated(rrset, now, p);
            return Fetch::NoAnchor;
        }
        if !p.revoke_needs_self_signature {
            // Knot Resolver ta_present: the REVOKE bit of a validated RRset is enough.
            self.revoke(rrset.revoked & rrset.published, now, p, sink);
        }
        let present = rrset.present();
        if self.initializing && p.bootstrap_all_sep {
            for k in bits(present) {
                self.set(k, KeyEvent::Bootstrap, sink);
            }
        }
        self.initializing = false;
        let ttl = rrset.ttl;
        for k in bits(present | self.tracked) {
            let slot = self.slots[k];
            let here = present & (1 << k) != 0;
            match (slot.state, here) {
                (KeyState::Start, true) => {
                    if self.tracked.count_ones() < p.max_keys as u32
                        && self.set(k, KeyEvent::NewKey, sink)
                    {
                        self.slots[k].timer = if p.ttl_extends_holddown {
                            add_holddown_end(now, ttl, p.add_holddown)
                        } else {
                            now + p.add_holddown
                        };
                        self.slots[k].sightings = 1;
                        self.slots[k].validated_by = validators;
                    }
                }
                (KeyState::AddPend, true) => {
                    let s = slot.sightings.saturating_add(1);
                    self.slots[k].sightings = s;
                    // Trust only on a fresh validated fetch after the hold-down.
                    if now >= slot.timer && s >= p.min_sightings {
                        self.set(k, KeyEvent::AddTime, sink);
                    }
                }
                (KeyState::Missing, true) => {
                    self.set(k, KeyEvent::KeyPres, sink);
                }
                (KeyState::Revoked, true) if p.readd_unrevoked => {
                    // BIND: "Revoked key ... has returned: starting 30-day acceptance timer".
                    self.set(k, KeyEvent::Readd, sink);
                    self.slots[k].timer = now + p.add_holddown;
                    self.slots[k].sightings = 1;
                    self.slots[k].validated_by = validators;
                }
                (KeyState::AddPend, false) if p.missing_pending_stays => {
                    // BIND: "Pending key ... unexpectedly missing: restarting 30-day acceptance timer".
                    self.slots[k].timer = slot.timer.max(now + p.add_holddown);
                }
                (KeyState::AddPend, false) => {
                    // RFC 5011 2.2: a validated RRset without the pending key resets it.
                    self.set(k, KeyEvent::KeyRem, sink);
                }
                (KeyState::Valid, false) => {
                    self.set(k, KeyEvent::KeyRem, sink);
                    self.slots[k].timer = now;
                }
                // Profile rule: a key still missing after keep-missing is dropped
                // (checked, like the implementations do, on a fetch that lacks it).
                (KeyState::Missing, false)
                    if p.keep_missing.is_some_and(|keep| now >= slot.timer + keep)
                        && (!p.keep_missing_needs_valid
                            || bits(self.anchors).any(|i| self.slots[i].state == KeyState::Valid)) =>
                {
                    self.set(k, KeyEvent::MissingExpired, sink);
                }
                _ => {}
            }
        }
        self.tidy(p, sink);
        Fetch::Validated
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(tp.observe(&r, 0, 0, &p, &mut no_sink()), Fetch::NoAnchor);
        assert_eq!(tp.state(OLD), KeyState::Revoked);
        assert_eq!(tp.anchors(), 0);
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
    fn five_key_limit() {
        let p = rfc();
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
        tp.observe(&new_only, 120 * DAY, 120 * DAY, &p, &mut no_sink());
        assert_eq!(tp.state(OLD), KeyState::Removed, "Knot: 4x hold-down");
        // Unbound keeps Missing keys for 366 days.
        let u = Profile::Unbound.params();
        let mut tp = TrustPoint::new(0b11);
        tp.observe(&new_only, 0, 0, &u, &mut no_sink());
        tp.observe(&new_only, 365 * DAY, 365 * DAY, &u, &mut no_sink());
        assert_eq!(tp.state(OLD), KeyState::Missing);
        tp.observe(&new_only, 366 * DAY, 366 * DAY, &u, &mut no_sink());
        assert_eq!(tp.state(OLD), KeyState::Removed);
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
}
