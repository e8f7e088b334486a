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
    /// The RRSIG had expired on the resolver's clock.
    Expired,
    /// The RRSIG's inception was still ahead on the resolver's clock (a clock
    /// behind, or a replayed RRset signed after the probe).
    NotYetValid,
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
            Fetch::NotYetValid => "signature not yet valid",
            Fetch::NoAnchor => "not signed by a trust anchor",
            Fetch::NoAnswer => "no answer",
            Fetch::Deleted => "trust point deleted",
        }
    }
}

/// The outcome of an RRSIG outside its validity at `clock`: before its
/// inception, or past its expiration (RFC 4035 5.3.1 checks both).
fn outside_validity(r: &Rrset, clock: Instant) -> Fetch {
    if clock < r.inception {
        Fetch::NotYetValid
    } else {
        Fetch::Expired
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

    /// Whether fetching `rrset` again would change nothing: every tracked key is
    /// a Valid anchor present in it, nothing new, nothing revoked, and it
    /// validates. (Its signature window is the caller's to check.)
    pub fn quiescent(&self, rrset: &Rrset) -> bool {
        !self.deleted
            && !self.initializing
            && rrset.revoked == 0
            && rrset.present() == self.tracked
            && self.anchors == self.tracked
            && rrset.validating_signers() & self.anchors != 0
    }

    /// Whether a trust anchor is Missing from the latest validated RRset.
    pub fn has_missing(&self) -> bool {
        bits(self.anchors).any(|k| self.slots[k].state == KeyState::Missing)
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
                Some(r) if !r.signature_current(clock) => outside_validity(r, clock),
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
            return outside_validity(rrset, clock);
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
                (KeyState::Start, true)
                    if self.tracked.count_ones() < p.max_keys as u32
                        && self.set(k, KeyEvent::NewKey, sink) =>
                {
                    self.slots[k].timer = if p.ttl_extends_holddown {
                        add_holddown_end(now, ttl, p.add_holddown)
                    } else {
                        now + p.add_holddown
                    };
                    self.slots[k].sightings = 1;
                    self.slots[k].validated_by = validators;
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
                            || bits(self.anchors)
                                .any(|i| self.slots[i].state == KeyState::Valid)) =>
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
mod tests;
