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
                    let delay = if p.bind_retry && outcome.ok() && tp.has_missing() {
                        // BIND keyfetch_done: "Active key ... unexpectedly missing"
                        // sets that key's refresh to now + one hour.
                        jitter.apply(p.refresh.floor, p.jitter_percent)
                    } else {
                        next_probe_delay(p, &last_seen, clock, outcome, timer, &mut jitter)
                    };
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
mod tests;
