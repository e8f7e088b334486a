//! One simulated resolver over time: an event loop on an injected clock that
//! merges the publisher's changes, the resolver's probes, outages, restarts,
//! state resets and attacks. No fixed time step: it jumps from event to event.

use crate::attacker::{self, Attack};
use crate::clock::{Agenda, Duration, Instant};
use crate::key::KeyMask;
use crate::profile::{Params, UnwritableState};
use crate::publisher::{Rrset, Timeline};
use crate::refresh::{query_interval, retry_interval};
use crate::state::{KeyEvent, KeyState};
use crate::trust_point::{Fetch, Status, TrustPoint};
use serde::Serialize;

/// What happens to the resolver's 5011 state across restarts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Persistence {
    /// State is saved and survives restarts.
    #[serde(rename = "normal")]
    Normal,
    /// State cannot be saved: every restart starts from the configured anchors.
    #[serde(rename = "read-only")]
    ReadOnly,
    /// An image that restarts from its baked-in anchors every so often.
    #[serde(rename = "reset-every")]
    ResetEvery(Duration),
}

/// Everything that defines one resolver's run; slices so a population can pass
/// stack buffers instead of allocating.
#[derive(Debug, Clone, Copy)]
pub struct ResolverRun<'a> {
    pub params: &'a Params,
    /// Configured (initial) trust anchors.
    pub trusted: KeyMask,
    pub start: Instant,
    pub end: Instant,
    /// Sorted, non-overlapping `[from, to)` periods when the resolver is down.
    pub outages: &'a [(Instant, Instant)],
    /// Sorted restart times.
    pub restarts: &'a [Instant],
    pub persistence: Persistence,
    /// Resolver clock minus true time.
    pub skew: Duration,
    /// Seeds probe jitter.
    pub seed: u64,
    pub attacks: &'a [Attack],
}

/// Receives what happens, in time order.
pub trait Observer {
    fn key_change(
        &mut self,
        _t: Instant,
        _key: usize,
        _from: KeyState,
        _to: KeyState,
        _event: KeyEvent,
    ) {
    }
    fn probe(&mut self, _t: Instant, _outcome: Fetch, _attacked: bool) {}
    /// The resolver cannot validate the real RRset (`true`) or can again (`false`).
    fn failing(&mut self, _t: Instant, _failing: bool) {}
    /// The trust point was deleted (`true`): answers are insecure, not failed.
    fn insecure(&mut self, _t: Instant, _insecure: bool) {}
    /// The resolver stopped for good (or never started); `up(false)` follows.
    fn stopped(&mut self, _t: Instant, _why: &'static str) {}
    /// The set of trust anchors changed.
    fn anchors(&mut self, _t: Instant, _anchors: KeyMask) {}
    fn up(&mut self, _t: Instant, _up: bool) {}
}

/// Agenda sources, in tie-break order: the publisher changes first so a probe at
/// the same instant sees the new RRset; a return from outage before a restart.
const PUBLISHER: usize = 0;
const OUTAGE: usize = 1;
const RESTART: usize = 2;
const RESET: usize = 3;
const PROBE: usize = 4;

/// splitmix64: tiny, fast, deterministic jitter source.
#[derive(Debug, Clone, Copy)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Jitter {
        Jitter(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// `interval` shortened by up to `percent` %.
    pub fn apply(&mut self, interval: Duration, percent: u8) -> Duration {
        if percent == 0 || interval <= 0 {
            return interval;
        }
        let span = interval * percent as i64 / 100;
        interval - (self.next_u64() % (span as u64 + 1)) as i64
    }
}

/// The time until the next probe after a fetch with `outcome` of `seen`;
/// `timer`: the earliest running hold-down of the trust point, if any.
pub fn next_probe_delay(
    p: &Params,
    seen: &Rrset,
    clock: Instant,
    outcome: Fetch,
    timer: Option<Duration>,
    jitter: &mut Jitter,
) -> Duration {
    let to_expiry = seen.expiration - clock;
    let d = if let Some(fixed) = p.fixed_refresh {
        // Knot Resolver refresh_plan: refresh_time replaces retries too.
        fixed
    } else if outcome.ok() {
        let q = query_interval(seen.ttl, to_expiry, &p.refresh);
        // BIND set_refreshkeytimer: never later than a running hold-down's end.
        match timer {
            Some(t) if p.refresh_at_holddown_end && t > 0 => q.min(t),
            _ => q,
        }
    } else if p.bind_retry {
        match outcome {
            // BIND minimal_update -> refresh_time(retry) without an RRSIG: the hour.
            Fetch::NoAnswer => p.refresh.floor,
            // BIND keyfetch_done: an answer that did not validate gets the normal
            // refresh_time, which ignores an expiry already past.
            _ => query_interval(
                seen.ttl,
                if to_expiry > 0 {
                    to_expiry
                } else {
                    Duration::MAX
                },
                &p.refresh,
            ),
        }
    } else {
        retry_interval(seen.ttl, to_expiry, &p.refresh)
    };
    jitter.apply(d.max(1), p.jitter_percent)
}

/// Runs one resolver from `run.start` to `run.end`; returns resolver-events processed.
pub fn simulate<O: Observer>(run: &ResolverRun, timeline: &Timeline, obs: &mut O) -> u64 {
    let p = run.params;
    let mut tp = TrustPoint::new(run.trusted);
    let mut jitter = Jitter::new(run.seed);
    let mut agenda = Agenda::default();
    let mut events: u64 = 0;

    let mut vi = timeline.index_at(run.start);
    let honest = |vi: Option<usize>| vi.map(|i| timeline.versions[i].rrset).unwrap_or_default();
    let mut real = honest(vi);
    let next_version = |vi: Option<usize>| {
        let n = vi.map_or(0, |i| i + 1);
        timeline.versions.get(n).map(|v| v.from)
    };
    agenda.set(PUBLISHER, next_version(vi));

    let mut oi = run.outages.partition_point(|o| o.1 <= run.start);
    let mut up = run.outages.get(oi).map_or(true, |o| o.0 > run.start);
    // Outage edges: next start if up, else the current outage's end.
    let outage_edge = |oi: usize, up: bool| run.outages.get(oi).map(|o| if up { o.0 } else { o.1 });
    agenda.set(OUTAGE, outage_edge(oi, up));
    let mut ri = run.restarts.partition_point(|r| *r <= run.start);
    agenda.set(RESTART, run.restarts.get(ri).copied());
    if let Persistence::ResetEvery(every) = run.persistence {
        if every > 0 {
            agenda.set(RESET, Some(run.start + every));
        }
    }
    let read_only = run.persistence == Persistence::ReadOnly;
    let mut stopped = false;
    if read_only && p.unwritable_state == UnwritableState::RefuseStart {
        // BIND configure_view / Knot Resolver add_file: no start without a
        // writable state directory.
        obs.stopped(run.start, "refused to start: state directory not writable");
        obs.up(run.start, false);
        return 0;
    }
    if up {
        agenda.set(PROBE, Some(run.start));
    }
    obs.up(run.start, up);
    obs.anchors(run.start, tp.anchors());
    let mut failing = false;
    let mut insecure = false;
    let mut anchors = tp.anchors();
    let mut last_seen = real;

    while let Some((t, src)) = agenda.next() {
        if t > run.end {
            break;
        }
        events += 1;
        let mut sink = |k, f, to, e| obs.key_change(t, k, f, to, e);
        match src {
            PUBLISHER => {
                vi = Some(vi.map_or(0, |i| i + 1));
                real = honest(vi);
                agenda.set(PUBLISHER, next_version(vi));
            }
            OUTAGE => {
                if up {
                    up = false;
                    agenda.set(PROBE, None);
                } else {
                    up = true;
                    oi += 1;
                    // Coming back is a restart.
                    if run.persistence != Persistence::Normal {
                        tp.reset(run.trusted, &mut sink);
                    }
                    agenda.set(PROBE, Some(t));
                }
                agenda.set(OUTAGE, outage_edge(oi, up));
                obs.up(t, up);
            }
            RESTART => {
                ri += 1;
                agenda.set(RESTART, run.restarts.get(ri).copied());
                if up {
                    if run.persistence != Persistence::Normal {
                        tp.reset(run.trusted, &mut sink);
                    }
                    agenda.set(PROBE, Some(t));
                }
            }
            RESET => {
                if let Persistence::ResetEvery(every) = run.persistence {
                    agenda.set(RESET, Some(t + every));
                }
                if up {
                    tp.reset(run.trusted, &mut sink);
                    agenda.set(PROBE, Some(t));
                }
            }
            _ => {
                let clock = t + run.skew;
                let (resp, attacked) = if run.attacks.is_empty() {
                    (Some(real), false)
                } else {
                    attacker::response(run.attacks, timeline, &real, t)
                };
                if let Some(r) = resp {
                    last_seen = r;
                }
                let outcome = tp.fetch(resp.as_ref(), t, clock, p, &mut sink);
                obs.probe(t, outcome, attacked);
                if read_only
                    && p.unwritable_state == UnwritableState::ExitOnWrite
                    && resp.is_some()
                    && p.auto_update
                {
                    // Unbound autr_write_file: fatal_exit when the file cannot be written.
                    stopped = true;
                    up = false;
                    agenda = Agenda::default();
                    obs.stopped(t, "exited: cannot write the trust-anchor file");
                    obs.up(t, false);
                } else if outcome == Fetch::Deleted {
                    // Unbound autr_tp_remove: a deleted trust point is not probed
                    // again (until a restart or reset brings the anchors back).
                    agenda.set(PROBE, None);
                } else {
                    let timer = tp.next_timer(t).map(|e| e - t);
                    let delay = next_probe_delay(p, &last_seen, clock, outcome, timer, &mut jitter);
                    let mut next = t + delay;
                    if run.attacks.is_empty() && outcome.ok() && tp.quiescent(&real) {
                        // Until the next other event, each probe sees the same RRset
                        // and changes nothing: run them here, with the same times
                        // and jitter, without the agenda.
                        let horizon = (0..PROBE)
                            .filter_map(|i| agenda.get(i))
                            .min()
                            .unwrap_or(Instant::MAX)
                            .min(run.end + 1);
                        while next < horizon && real.signature_current(next + run.skew) {
                            events += 1;
                            obs.probe(next, Fetch::Validated, false);
                            next += next_probe_delay(
                                p,
                                &real,
                                next + run.skew,
                                Fetch::Validated,
                                None,
                                &mut jitter,
                            );
                        }
                    }
                    agenda.set(PROBE, Some(next));
                }
            }
        }
        if tp.anchors() != anchors {
            anchors = tp.anchors();
            obs.anchors(t, anchors);
        }
        let status = tp.status(&real, t + run.skew);
        let now_failing = up && status == Status::Failing;
        if now_failing != failing {
            failing = now_failing;
            obs.failing(t, failing);
        }
        let now_insecure = up && status == Status::Insecure;
        if now_insecure != insecure {
            insecure = now_insecure;
            obs.insecure(t, insecure);
        }
        if stopped {
            break;
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::DAY;
    use crate::profile::Profile;
    use crate::publisher::{Action, Event};

    #[derive(Default)]
    struct Log {
        changes: Vec<(Instant, usize, KeyState)>,
        failing: Vec<(Instant, bool)>,
        probes: Vec<(Instant, Fetch)>,
    }
    impl Observer for Log {
        fn key_change(&mut self, t: Instant, key: usize, _f: KeyState, to: KeyState, _e: KeyEvent) {
            self.changes.push((t, key, to));
        }
        fn probe(&mut self, t: Instant, outcome: Fetch, _a: bool) {
            self.probes.push((t, outcome));
        }
        fn failing(&mut self, t: Instant, f: bool) {
            self.failing.push((t, f));
        }
    }

    /// Simulates `run` over `tl`, recording everything.
    fn log_of(run: &ResolverRun, tl: &Timeline) -> Log {
        let mut log = Log::default();
        simulate(run, tl, &mut log);
        log
    }

    /// Old key 0 signing from day 0; key 1 published day 10, signs alone from `switch`.
    fn roll(switch: i64) -> Timeline {
        let ev = |d: i64, action, key| Event {
            at: d * DAY,
            action,
            key,
            source: String::new(),
        };
        Timeline::from_events(
            &[
                ev(0, Action::Publish, 0),
                ev(0, Action::Sign, 0),
                ev(10, Action::Publish, 1),
                ev(switch, Action::Sign, 1),
                ev(switch, Action::Unsign, 0),
            ],
            2 * DAY,
            21 * DAY,
            10 * DAY,
            400 * DAY,
        )
        .unwrap()
    }

    fn base(p: &Params) -> ResolverRun<'_> {
        ResolverRun {
            params: p,
            trusted: 1,
            start: 0,
            end: 200 * DAY,
            outages: &[],
            restarts: &[],
            persistence: Persistence::Normal,
            skew: 0,
            seed: 1,
            attacks: &[],
        }
    }

    #[test]
    fn online_resolver_follows_the_roll() {
        let p = Profile::Rfc5011.params();
        let log = log_of(&base(&p), &roll(100));
        assert!(log.failing.is_empty(), "{:?}", log.failing);
        assert_eq!(log.changes[0], (10 * DAY, 1, KeyState::AddPend));
        assert_eq!(log.changes[1], (40 * DAY, 1, KeyState::Valid));
        // Daily probes (TTL 2 days).
        assert_eq!(log.probes[1].0 - log.probes[0].0, DAY);
    }

    #[test]
    fn resolver_down_across_the_switch_fails_on_return() {
        let p = Profile::Rfc5011.params();
        let outages = [(5 * DAY, 120 * DAY)];
        let log = log_of(
            &ResolverRun {
                outages: &outages,
                ..base(&p)
            },
            &roll(100),
        );
        assert_eq!(log.failing, vec![(120 * DAY, true)]);
        assert!(log.changes.is_empty());
    }

    #[test]
    fn resolver_down_across_the_switch_after_trusting_is_fine() {
        let p = Profile::Rfc5011.params();
        let outages = [(60 * DAY, 120 * DAY)];
        let log = log_of(
            &ResolverRun {
                outages: &outages,
                ..base(&p)
            },
            &roll(100),
        );
        assert!(log.failing.is_empty());
    }

    #[test]
    fn read_only_state_loses_the_new_key_on_restart() {
        let p = Profile::Rfc5011.params();
        let restarts = [150 * DAY];
        let run = ResolverRun {
            restarts: &restarts,
            persistence: Persistence::ReadOnly,
            ..base(&p)
        };
        let log = log_of(&run, &roll(100));
        assert_eq!(log.failing, vec![(150 * DAY, true)]);
    }

    #[test]
    fn weekly_image_reset_never_completes_the_holddown() {
        let p = Profile::Rfc5011.params();
        let run = ResolverRun {
            persistence: Persistence::ResetEvery(7 * DAY),
            ..base(&p)
        };
        let log = log_of(&run, &roll(100));
        assert!(!log.changes.iter().any(|c| c.2 == KeyState::Valid));
        assert_eq!(log.failing, vec![(100 * DAY, true)]);
    }

    #[test]
    fn failed_fetches_retry_sooner() {
        let p = Profile::Rfc5011.params();
        let attacks = [Attack {
            kind: crate::attacker::AttackKind::Withhold,
            from: 0,
            to: 2 * DAY,
        }];
        let log = log_of(
            &ResolverRun {
                attacks: &attacks,
                end: 3 * DAY,
                ..base(&p)
            },
            &roll(100),
        );
        assert_eq!(log.probes[0], (0, Fetch::NoAnswer));
        // retry = min(1 day, TTL/10, expiry/10) = 4.8 hours
        assert_eq!(log.probes[1].0, 2 * DAY / 10);
    }

    #[test]
    fn replayed_old_rrset_resets_the_holddown() {
        use crate::attacker::AttackKind;
        let p = Profile::Rfc5011.params();
        // Captured on day 5 (before key 1, signature valid to day 21), replayed days 12..22.
        let attacks = [Attack {
            kind: AttackKind::Replay { captured: 5 * DAY },
            from: 12 * DAY,
            to: 22 * DAY,
        }];
        let log = log_of(
            &ResolverRun {
                attacks: &attacks,
                ..base(&p)
            },
            &roll(100),
        );
        let key1: Vec<_> = log
            .changes
            .iter()
            .filter(|c| c.1 == 1)
            .map(|c| (c.0 / DAY, c.2))
            .collect();
        assert_eq!(key1[0], (10, KeyState::AddPend));
        assert_eq!(
            key1[1],
            (12, KeyState::Start),
            "the replay resets the pending key"
        );
        // What was served on day 5 was signed on day 0 and expires on day 21:
        // from then on the replay no longer validates.
        assert!(log
            .probes
            .iter()
            .any(|(t, o)| *t >= 21 * DAY && *t < 22 * DAY && *o == Fetch::Expired));
        assert_eq!(key1[2], (22, KeyState::AddPend));
        assert_eq!(key1[3], (52, KeyState::Valid));
    }

    #[test]
    fn unbound_jitter_stays_within_90_to_100_percent() {
        let p = Profile::Unbound.params();
        let log = log_of(&base(&p), &roll(100));
        let gaps: Vec<_> = log.probes.windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(
            gaps.iter().all(|g| *g <= DAY && *g >= DAY * 9 / 10),
            "{gaps:?}"
        );
        assert!(gaps.iter().any(|g| *g < DAY));
    }
}

#[cfg(test)]
mod fast_path {
    use super::*;
    use crate::attacker::{Attack, AttackKind};
    use crate::clock::DAY;
    use crate::profile::Profile;
    use crate::publisher::{Action, Event};

    #[derive(Default, PartialEq, Debug)]
    struct Trace(Vec<(Instant, String)>);
    impl Observer for Trace {
        fn key_change(&mut self, t: Instant, k: usize, _: KeyState, to: KeyState, _: KeyEvent) {
            self.0.push((t, format!("{k} {to:?}")));
        }
        fn probe(&mut self, t: Instant, o: Fetch, _: bool) {
            self.0.push((t, format!("{o:?}")));
        }
        fn failing(&mut self, t: Instant, f: bool) {
            self.0.push((t, format!("failing {f}")));
        }
    }

    /// Quiet probes run without the agenda give the same probes, times and
    /// changes as the agenda (an attack that never fires turns the fast path off).
    #[test]
    fn quiet_probes_match_the_agenda() {
        let ev = |d: i64, action, key| Event {
            at: d * DAY,
            action,
            key,
            source: String::new(),
        };
        let tl = Timeline::from_events(
            &[
                ev(0, Action::Publish, 0),
                ev(0, Action::Sign, 0),
                ev(40, Action::Publish, 1),
                ev(150, Action::Sign, 1),
                ev(150, Action::Unsign, 0),
            ],
            2 * DAY,
            21 * DAY,
            10 * DAY,
            400 * DAY,
        )
        .unwrap();
        let never = [Attack {
            kind: AttackKind::Withhold,
            from: 500 * DAY,
            to: 501 * DAY,
        }];
        for profile in Profile::ALL {
            let p = profile.params();
            let run = |attacks| ResolverRun {
                params: &p,
                trusted: 1,
                start: 0,
                end: 300 * DAY,
                outages: &[(200 * DAY, 210 * DAY)],
                restarts: &[],
                persistence: Persistence::Normal,
                skew: 0,
                seed: 11,
                attacks,
            };
            let (mut fast, mut slow) = (Trace::default(), Trace::default());
            let nf = simulate(&run(&[]), &tl, &mut fast);
            let ns = simulate(&run(&never), &tl, &mut slow);
            assert_eq!(fast, slow, "{profile:?}");
            assert_eq!(nf, ns, "{profile:?}: same event count");
        }
    }
}
