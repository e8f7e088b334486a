//! One scenario per upstream rule the profiles follow (issue 9, items 1-11),
//! each named after the upstream function it follows. Every one of them failed
//! on the model before the profiles followed the code.

use super::*;
use crate::attacker::{Attack, AttackKind};
use crate::clock::{Instant, DAY, HOUR};
use crate::key::KeyMask;
use crate::publisher::{Action, Event, Rrset, Timeline};
use crate::resolver::{next_probe_delay, simulate, Jitter, Observer, Persistence, ResolverRun};
use crate::state::{KeyEvent, KeyState};
use crate::trust_point::{Fetch, Status, TrustPoint};

const OLD: usize = 0;
const NEW: usize = 1;

#[derive(Default)]
struct Log {
    changes: Vec<(Instant, usize, KeyState, KeyEvent)>,
    probes: Vec<(Instant, Fetch)>,
    failing: Vec<(Instant, bool)>,
    insecure: Vec<(Instant, bool)>,
    stopped: Vec<Instant>,
}
impl Observer for Log {
    fn key_change(&mut self, t: Instant, k: usize, _: KeyState, to: KeyState, e: KeyEvent) {
        self.changes.push((t, k, to, e));
    }
    fn probe(&mut self, t: Instant, o: Fetch, _: bool) {
        self.probes.push((t, o));
    }
    fn failing(&mut self, t: Instant, f: bool) {
        self.failing.push((t, f));
    }
    fn insecure(&mut self, t: Instant, i: bool) {
        self.insecure.push((t, i));
    }
    fn stopped(&mut self, t: Instant, _: &'static str) {
        self.stopped.push(t);
    }
}
impl Log {
    /// When `key` first reached `state`.
    fn first(&self, key: usize, state: KeyState) -> Option<Instant> {
        self.changes
            .iter()
            .find(|c| c.1 == key && c.2 == state)
            .map(|c| c.0)
    }
}

/// A timeline from (day, action, key) with root parameters (TTL 2 days,
/// 21-day RRSIGs re-signed every 10 days), or the TTL given.
fn timeline(ttl: i64, evs: &[(f64, Action, usize)]) -> Timeline {
    let e: Vec<Event> = evs
        .iter()
        .map(|(d, a, k)| Event {
            at: (d * DAY as f64) as i64,
            action: *a,
            key: *k,
            source: String::new(),
        })
        .collect();
    Timeline::from_events(&e, ttl, 21 * DAY, 10 * DAY, 400 * DAY).unwrap()
}

/// OLD signs from day 0; NEW published on day 10 (pre-publish only).
fn prepublish() -> Timeline {
    use Action::*;
    timeline(
        2 * DAY,
        &[(0.0, Publish, OLD), (0.0, Sign, OLD), (10.0, Publish, NEW)],
    )
}

fn run<'a>(p: &'a Params, attacks: &'a [Attack]) -> ResolverRun<'a> {
    ResolverRun {
        params: p,
        trusted: 1 << OLD,
        start: 0,
        end: 120 * DAY,
        outages: &[],
        restarts: &[],
        persistence: Persistence::Normal,
        skew: 0,
        seed: 7,
        attacks,
    }
}

fn sim(r: &ResolverRun, tl: &Timeline) -> Log {
    let mut log = Log::default();
    simulate(r, tl, &mut log);
    log
}

fn rrset(published: KeyMask, signing: KeyMask, revoked: KeyMask, ttl: i64) -> Rrset {
    Rrset {
        published,
        signing,
        revoked,
        ttl,
        inception: -100 * DAY,
        expiration: 1000 * DAY,
    }
}

fn nothing() -> impl FnMut(usize, KeyState, KeyState, KeyEvent) {
    |_, _, _, _| {}
}

/// Item 1, Unbound autotrust.c `autr_holddown_exceed` (from
/// `autr_process_prime`): with the answer withheld from before the hold-down
/// ends, the pending key still becomes Valid at a probe with no answer.
#[test]
fn autr_holddown_exceed_promotes_at_a_probe_without_answer() {
    let withhold = [Attack {
        kind: AttackKind::Withhold,
        from: 38 * DAY,
        to: 50 * DAY,
    }];
    let tl = prepublish();
    let u = Profile::Unbound.params();
    let log = sim(&run(&u, &withhold), &tl);
    let valid = log.first(NEW, KeyState::Valid).expect("trusted");
    assert!((40 * DAY..50 * DAY).contains(&valid), "{}", valid / HOUR);
    let probe = log.probes.iter().find(|p| p.0 == valid).unwrap();
    assert_eq!(probe.1, Fetch::NoAnswer, "promoted without an answer");
    // The RFC needs a fresh validated fetch: not before the attack ends.
    let r = Profile::Rfc5011.params();
    let log = sim(&run(&r, &withhold), &tl);
    let valid = log.first(NEW, KeyState::Valid).unwrap();
    assert!((50 * DAY..51 * DAY).contains(&valid), "{}", valid / HOUR);
}

/// Item 2, BIND zone.c `keyfetch_done`: an answer that does not validate (a
/// replay of an RRset with NEW whose RRSIG has expired) restarts the pending
/// key's acceptance timer; the RFC model ignores it.
#[test]
fn keyfetch_done_restarts_pending_timer_on_unvalidated_answer() {
    // Captured on day 12 (signed day 10, expires day 31), replayed day 35.
    let replay = [Attack {
        kind: AttackKind::Replay { captured: 12 * DAY },
        from: 35 * DAY,
        to: 35 * DAY + 1,
    }];
    let tl = prepublish();
    let b = Profile::Bind.params();
    let log = sim(&run(&b, &replay), &tl);
    assert!(log.probes.contains(&(35 * DAY, Fetch::Expired)));
    assert_eq!(log.first(NEW, KeyState::Valid), Some(65 * DAY));
    // The RFC model ignores it (its hourly retry after the expired answer
    // moves its refreshes by an hour).
    let r = Profile::Rfc5011.params();
    let log = sim(&run(&r, &replay), &tl);
    assert_eq!(log.first(NEW, KeyState::Valid), Some(40 * DAY + HOUR));
}

/// Item 3, BIND zone.c `keyfetch_done` and Knot Resolver ta_update.lua
/// `ta_present`: the acceptance timer is now + hold-down, no TTL term.
#[test]
fn keyfetch_done_and_ta_present_have_no_ttl_term() {
    let r = rrset(0b11, 1 << OLD, 0, 40 * DAY);
    for (profile, end) in [
        (Profile::Rfc5011, 40 * DAY),
        (Profile::Bind, 30 * DAY),
        (Profile::KnotResolver, 30 * DAY),
    ] {
        let mut tp = TrustPoint::new(1 << OLD);
        tp.initializing = false;
        tp.observe(&r, 0, 0, &profile.params(), &mut nothing());
        assert_eq!(tp.slots[NEW].timer, end, "{profile:?}");
    }
}

/// Item 3, BIND zone.c `set_refreshkeytimer`: the refresh after a secure fetch
/// is no later than the end of a running hold-down, so BIND trusts the key
/// when the hold-down ends rather than at its next regular refresh.
#[test]
fn set_refreshkeytimer_refreshes_when_the_holddown_ends() {
    use Action::*;
    // TTL 8 days: a refresh every 4 days (0, 4, 8, 12, ...); NEW published on
    // day 10 is first seen on day 12, its hold-down ends on day 42.
    let tl = timeline(
        8 * DAY,
        &[(0.0, Publish, OLD), (0.0, Sign, OLD), (10.0, Publish, NEW)],
    );
    let b = Profile::Bind.params();
    assert_eq!(
        sim(&run(&b, &[]), &tl).first(NEW, KeyState::Valid),
        Some(42 * DAY)
    );
    let r = Profile::Rfc5011.params();
    assert_eq!(
        sim(&run(&r, &[]), &tl).first(NEW, KeyState::Valid),
        Some(44 * DAY)
    );
}

/// Item 4, Knot Resolver ta_update.lua: `hold_down_time` is also the revoked
/// key's timer (`ta_present`), `keep_removed` counts Removed keys (`update`),
/// and `refresh_time` replaces the retry as well (`refresh_plan`).
#[test]
fn ta_update_knobs_are_what_ta_update_lua_does() {
    let mut k = Profile::KnotResolver.params();
    k.set("hold-down-time", "864000").unwrap();
    assert_eq!((k.add_holddown, k.remove_holddown), (10 * DAY, 10 * DAY));
    assert_eq!(k.keep_missing, Some(40 * DAY));
    assert!(
        k.set("remove-holddown", "5").is_err(),
        "no such knob in Knot"
    );
    k.set("keep-removed", "2").unwrap();
    assert_eq!(k.keep_removed, 2);
    k.set("refresh", "3600").unwrap();
    let seen = rrset(1, 1, 0, 2 * DAY);
    let mut j = Jitter::new(1);
    for outcome in [Fetch::Validated, Fetch::NoAnswer, Fetch::Expired] {
        assert_eq!(next_probe_delay(&k, &seen, 0, outcome, None, &mut j), HOUR);
    }
    // Revoked with the hold-down timer, then remembered as Removed (keep 2).
    let mut tp = TrustPoint::new(0b11);
    let revoke = rrset(0b11, 0b11, 1 << OLD, 2 * DAY);
    tp.observe(&revoke, 0, 0, &k, &mut nothing());
    assert_eq!(tp.slots[OLD].timer, 10 * DAY);
    tp.observe(&revoke, 10 * DAY, 10 * DAY, &k, &mut nothing());
    assert_eq!(tp.state(OLD), KeyState::Removed);
}

/// Item 5, Knot Resolver ta_update.lua `ta_present`: a revoked key that did
/// not sign the RRset is taken as revoked; Unbound (`check_contains_revoked`)
/// and BIND (`revocable`) need the self-signature.
#[test]
fn ta_present_revokes_without_self_signature() {
    // OLD published revoked, the RRset signed by NEW only.
    let r = rrset(0b11, 1 << NEW, 1 << OLD, 2 * DAY);
    for (profile, want) in [
        (Profile::KnotResolver, KeyState::Revoked),
        (Profile::Unbound, KeyState::Missing),
        (Profile::Bind, KeyState::Missing),
        (Profile::Rfc5011, KeyState::Missing),
    ] {
        let mut tp = TrustPoint::new(0b11);
        tp.initializing = false;
        tp.observe(&r, 0, 0, &profile.params(), &mut nothing());
        assert_eq!(tp.state(OLD), want, "{profile:?}");
    }
}

/// Item 6, Unbound `autr_tp_remove` vs BIND `fail_secure`: revoking the only
/// anchor before NEW is trusted leaves Unbound (and the RFC) insecure and BIND
/// failing. Knot Resolver revokes only from an answer that validated
/// (`active_refresh` updates on NOERROR only), and this one does not: it keeps
/// OLD and fails; its `kr_ta_del` path needs a validated update that leaves no
/// anchor.
#[test]
fn autr_tp_remove_is_insecure_fail_secure_is_failing() {
    use Action::*;
    let tl = timeline(
        2 * DAY,
        &[
            (0.0, Publish, OLD),
            (0.0, Sign, OLD),
            (10.0, Publish, NEW),
            (20.0, Sign, NEW),
            (20.0, Revoke, OLD),
        ],
    );
    for (profile, insecure) in [
        (Profile::Unbound, true),
        (Profile::KnotResolver, false),
        (Profile::Rfc5011, true),
        (Profile::Bind, false),
    ] {
        let p = profile.params();
        let log = sim(&run(&p, &[]), &tl);
        // The first probe on or after day 20 (Unbound's are jittered).
        let at = log.probes.iter().find(|p| p.0 >= 20 * DAY).unwrap().0;
        assert!(at < 21 * DAY);
        if insecure {
            assert_eq!(log.insecure, vec![(at, true)], "{profile:?}");
            // Until its next probe sees the revocation it fails, then goes insecure.
            let brief = vec![(20 * DAY, true), (at, false)];
            assert!(
                log.failing.is_empty() || log.failing == brief,
                "{profile:?}: {:?}",
                log.failing
            );
        } else {
            assert_eq!(log.failing, vec![(20 * DAY, true)], "{profile:?}");
            assert_eq!(at, 20 * DAY);
            assert!(log.insecure.is_empty());
        }
    }
}

/// Item 7, Unbound `autr_cleanup_keys` (and `remove_missing_trustanchors`):
/// a key dropped after keep-missing is forgotten, so when it returns it starts
/// over as a new key; under the RFC it stays Missing and comes back Valid.
#[test]
fn autr_cleanup_keys_forgets_removed_keys() {
    let u = Profile::Unbound.params();
    let new_only = rrset(1 << NEW, 1 << NEW, 0, 2 * DAY);
    let both = rrset(0b11, 1 << NEW, 0, 2 * DAY);
    let mut tp = TrustPoint::new(0b11);
    tp.observe(&new_only, 0, 0, &u, &mut nothing());
    tp.observe(&new_only, 367 * DAY, 367 * DAY, &u, &mut nothing());
    assert_eq!(
        tp.state(OLD),
        KeyState::Start,
        "forgotten, not 'revoked here'"
    );
    tp.observe(&both, 368 * DAY, 368 * DAY, &u, &mut nothing());
    assert_eq!(tp.state(OLD), KeyState::AddPend, "starts over");
    let r = Profile::Rfc5011.params();
    let mut tp = TrustPoint::new(0b11);
    tp.observe(&new_only, 0, 0, &r, &mut nothing());
    tp.observe(&both, 368 * DAY, 368 * DAY, &r, &mut nothing());
    assert_eq!(tp.state(OLD), KeyState::Valid);
}

/// Item 7, BIND zone.c `keyfetch_done` ("Revoked key ... has returned"): a
/// revoked key published again without the REVOKE bit is re-added with a new
/// acceptance timer; under the RFC revocation is permanent.
#[test]
fn keyfetch_done_readds_a_revoked_key_that_returns() {
    let revoke = rrset(0b11, 0b11, 1 << OLD, 2 * DAY);
    let back = rrset(0b11, 1 << NEW, 0, 2 * DAY);
    for (profile, want) in [
        (Profile::Bind, KeyState::AddPend),
        (Profile::Rfc5011, KeyState::Revoked),
    ] {
        let p = profile.params();
        let mut tp = TrustPoint::new(0b11);
        tp.initializing = false;
        tp.observe(&revoke, 0, 0, &p, &mut nothing());
        tp.observe(&back, DAY, DAY, &p, &mut nothing());
        assert_eq!(tp.state(OLD), want, "{profile:?}");
    }
}

/// Item 8, Unbound `autr_write_file` (`fatal_exit`) and BIND server.c
/// `configure_view` (managed-keys-directory not writable): with read-only
/// state Unbound stops at its first probe, BIND never starts.
#[test]
fn autr_write_file_exits_and_configure_view_refuses_to_start() {
    let tl = prepublish();
    let u = Profile::Unbound.params();
    let ro = |p| ResolverRun {
        persistence: Persistence::ReadOnly,
        ..run(p, &[])
    };
    let log = sim(&ro(&u), &tl);
    assert_eq!(log.stopped, vec![0]);
    assert_eq!(log.probes.len(), 1);
    let b = Profile::Bind.params();
    let log = sim(&ro(&b), &tl);
    assert_eq!(log.stopped, vec![0]);
    assert!(log.probes.is_empty());
    // The RFC model has no rule: it runs on.
    let r = Profile::Rfc5011.params();
    assert!(sim(&ro(&r), &tl).stopped.is_empty());
}

/// Item 9, RFC 5011 section 2.2: when every key that validated a pending key
/// is revoked, the pending key's hold-down starts over.
#[test]
fn rfc5011_section_2_2_revoked_validators_restart_the_holddown() {
    const X: usize = 2;
    // NEW first seen in an RRset signed by OLD only.
    let first = rrset(0b111, 1 << OLD, 0, 2 * DAY);
    // Day 10: OLD revoked (self-signed), the RRset signed by X.
    let revoke = rrset(0b111, 1 << OLD | 1 << X, 1 << OLD, 2 * DAY);
    let p = Profile::Rfc5011.params();
    let mut tp = TrustPoint::new(1 << OLD | 1 << X);
    tp.observe(&first, 0, 0, &p, &mut nothing());
    assert_eq!(tp.slots[NEW].timer, 30 * DAY);
    tp.observe(&revoke, 10 * DAY, 10 * DAY, &p, &mut nothing());
    assert_eq!(tp.state(NEW), KeyState::AddPend);
    assert_eq!(tp.slots[NEW].timer, 40 * DAY, "starts over on day 10");
    // Unbound has no such rule.
    let u = Profile::Unbound.params();
    let mut tp = TrustPoint::new(1 << OLD | 1 << X);
    tp.observe(&first, 0, 0, &u, &mut nothing());
    tp.observe(&revoke, 10 * DAY, 10 * DAY, &u, &mut nothing());
    assert_eq!(tp.slots[NEW].timer, 30 * DAY);
}

/// Item 10, Unbound `add_key`, BIND `keyfetch_done`, Knot `ta_present`: no
/// resolver caps the number of keys, so a sixth key is tracked too.
#[test]
fn add_key_has_no_five_key_cap() {
    let r = rrset(0b11_1111, 1, 0, 2 * DAY);
    for profile in Profile::ALL {
        let mut tp = TrustPoint::new(1);
        tp.initializing = false;
        tp.observe(&r, 0, 0, &profile.params(), &mut nothing());
        assert_eq!(tp.state(5), KeyState::AddPend, "{profile:?}");
    }
}

/// Item 11, BIND zone.c `keyfetch_done` ("Pending key ... unexpectedly
/// missing"): a pending key missing from a secure RRset stays pending, its
/// timer restarted; the RFC returns it to Start.
#[test]
fn keyfetch_done_keeps_a_missing_pending_key_pending() {
    let both = rrset(0b11, 1 << OLD, 0, 2 * DAY);
    let old_only = rrset(1 << OLD, 1 << OLD, 0, 2 * DAY);
    let b = Profile::Bind.params();
    let mut tp = TrustPoint::new(1 << OLD);
    tp.initializing = false;
    tp.observe(&both, 0, 0, &b, &mut nothing());
    tp.observe(&old_only, 5 * DAY, 5 * DAY, &b, &mut nothing());
    assert_eq!(tp.state(NEW), KeyState::AddPend);
    assert_eq!(tp.slots[NEW].timer, 35 * DAY);
    let r = Profile::Rfc5011.params();
    let mut tp = TrustPoint::new(1 << OLD);
    tp.observe(&both, 0, 0, &r, &mut nothing());
    tp.observe(&old_only, 5 * DAY, 5 * DAY, &r, &mut nothing());
    assert_eq!(tp.state(NEW), KeyState::Start);
}

/// Item 11, BIND zone.c `refresh_time` / `minimal_update`: after an expired
/// RRSIG the next refresh is the normal one (TTL/2, the past expiry ignored),
/// not an hourly retry; after no answer it is the hour.
#[test]
fn refresh_time_after_an_expired_rrsig_is_the_normal_refresh() {
    let mut seen = rrset(1, 1, 0, 2 * DAY);
    seen.expiration = -DAY;
    let mut j = Jitter::new(1);
    let b = Profile::Bind.params();
    assert_eq!(
        next_probe_delay(&b, &seen, 0, Fetch::Expired, None, &mut j),
        DAY
    );
    assert_eq!(
        next_probe_delay(&b, &seen, 0, Fetch::NoAnswer, None, &mut j),
        HOUR
    );
    let r = Profile::Rfc5011.params();
    assert_eq!(
        next_probe_delay(&r, &seen, 0, Fetch::Expired, None, &mut j),
        HOUR
    );
}

/// The resolver's view of the real RRset after the trust point is deleted.
#[test]
fn a_deleted_trust_point_is_insecure_not_validating() {
    let mut tp = TrustPoint::new(1);
    tp.deleted = true;
    assert_eq!(tp.status(&rrset(1, 1, 0, 2 * DAY), 0), Status::Insecure);
}

/// BIND zone.c `keyfetch_done` ("Active key ... unexpectedly missing"): while a
/// trusted key is missing BIND refreshes every hour; the RFC keeps its daily
/// query interval.
#[test]
fn keyfetch_done_refreshes_hourly_while_an_active_key_is_missing() {
    use Action::*;
    // OLD and NEW both trusted from the start; NEW withdrawn on day 10.
    let tl = timeline(
        2 * DAY,
        &[
            (0.0, Publish, OLD),
            (0.0, Publish, NEW),
            (0.0, Sign, OLD),
            (10.0, Remove, NEW),
        ],
    );
    let gap = |profile: Profile| {
        let p = profile.params();
        let r = ResolverRun {
            trusted: 0b11,
            end: 12 * DAY,
            ..run(&p, &[])
        };
        let log = sim(&r, &tl);
        let after: Vec<Instant> = log
            .probes
            .iter()
            .map(|p| p.0)
            .filter(|t| *t > 10 * DAY)
            .collect();
        after[1] - after[0]
    };
    assert_eq!(gap(Profile::Bind), HOUR);
    assert_eq!(gap(Profile::Rfc5011), DAY);
}
