//! Population forecasts: N resolvers drawn from a mix of profiles, start times,
//! outages and persistence faults, each simulated independently and folded into
//! per-sample counts.
//!
//! Why it is fast: resolvers never interact, so each one is simulated to the end
//! on the stack (a [`TrustPoint`](crate::trust_point::TrustPoint) is a fixed array
//! of a few bytes per key) and only its *changes* are recorded, as +1/-1 at the
//! first sample at or after the change (difference arrays). Memory is
//! O(threads x samples), independent of N; time is O(N x probes).

mod draw;
mod mix;
mod report;
mod tally;
#[cfg(test)]
mod tests;

pub use mix::{
    check_mix, default_mix, load_mix, Class, DEFAULT_OUTAGE_MAX, DEFAULT_OUTAGE_MIN,
    DEFAULT_RESET_EVERY, MAX_RESTARTS,
};
pub use report::{ClassCount, EventShare, PopulationReport, Signal};

use crate::clock::{Duration, Instant};
use crate::resolver::{simulate, ResolverRun};
use crate::scenario::Scenario;
use draw::draw;
use report::event_shares;
use std::sync::atomic::{AtomicU64, Ordering};
use tally::Tally;

/// Resolvers a worker simulates between progress updates.
const PROGRESS_BATCH: u64 = 1024;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub resolvers: u64,
    pub seed: u64,
    pub threads: usize,
    /// Sampling step of the time series.
    pub step: Duration,
}

/// Sample times: every `step` from start to end, plus every publisher change.
pub fn sample_times(sc: &Scenario, step: Duration) -> Vec<Instant> {
    let mut v: Vec<Instant> = Vec::new();
    let mut t = sc.start;
    while t <= sc.end {
        v.push(t);
        t += step.max(1);
    }
    for s in sc.timeline.steps() {
        if s.at >= sc.start && s.at <= sc.end {
            v.push(s.at);
        }
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// Runs the forecast. `progress` is called from the calling thread with the
/// number of resolvers done so far.
pub fn forecast(
    sc: &Scenario,
    classes: &[Class],
    opt: &Options,
    mut progress: impl FnMut(u64),
) -> PopulationReport {
    let samples = sample_times(sc, opt.step);
    let mut cum = Vec::new();
    let mut acc = 0.0;
    for c in classes {
        acc += c.weight;
        cum.push(acc);
    }
    let threads = opt.threads.max(1) as u64;
    let done = AtomicU64::new(0);
    let nkeys = sc.keys.keys.len();
    let trusted = sc.population.trusted;
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                let (samples, cum, done) = (&samples, &cum, &done);
                s.spawn(move || {
                    let mut tally = Tally::new(samples, nkeys, classes.len());
                    let lo = opt.resolvers * w / threads;
                    let hi = opt.resolvers * (w + 1) / threads;
                    for i in lo..hi {
                        let d = draw(i, opt.seed, classes, cum, sc);
                        let run = ResolverRun {
                            params: &classes[d.class].params,
                            trusted,
                            start: d.start,
                            end: sc.end,
                            outages: &d.outages[..d.n_outages],
                            restarts: &d.restarts[..d.n_restarts],
                            persistence: d.persistence,
                            skew: d.skew,
                            seed: d.seed,
                            attacks: &[],
                        };
                        let i0 = tally.idx(d.start);
                        tally.existing[i0] += 1;
                        tally.cur_up = false;
                        tally.cur_anchors = 0;
                        tally.class_counts[d.class] += 1;
                        tally.events += simulate(&run, &sc.timeline, &mut tally);
                        if (i - lo) % PROGRESS_BATCH == PROGRESS_BATCH - 1 {
                            done.fetch_add(PROGRESS_BATCH, Ordering::Relaxed);
                        }
                    }
                    tally
                })
            })
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            progress(done.load(Ordering::Relaxed));
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        handles
            .into_iter()
            .map(|h| h.join().expect("worker panicked"))
            .collect()
    });
    progress(opt.resolvers);
    let mut total = Tally::new(&samples, nkeys, classes.len());
    for t in tallies {
        total.merge(t);
    }
    let prefix = |v: &Vec<i64>| {
        let mut acc = 0;
        v[..samples.len()]
            .iter()
            .map(|x| {
                acc += x;
                acc
            })
            .collect::<Vec<i64>>()
    };
    let existing = prefix(&total.existing);
    let up = prefix(&total.up);
    let failing = prefix(&total.failing);
    let trusting: Vec<Vec<i64>> = total.trusting.iter().map(prefix).collect();
    let mut signals: Vec<Signal> = total
        .signals
        .iter()
        .map(|(m, v)| Signal {
            label: sc.keys.ta_label(*m),
            counts: prefix(v),
        })
        .filter(|s| s.counts.iter().any(|c| *c != 0))
        .collect();
    signals.sort_by(|a, b| a.label.cmp(&b.label));
    let at_events = event_shares(sc, &samples, &up, &failing);
    PopulationReport {
        scenario: sc.path.display().to_string(),
        resolvers: opt.resolvers,
        seed: opt.seed,
        classes: classes
            .iter()
            .zip(&total.class_counts)
            .map(|(c, n)| ClassCount {
                name: c.name.clone(),
                profile: c.params.profile.name(),
                resolvers: *n,
            })
            .collect(),
        keys: sc
            .keys
            .keys
            .iter()
            .map(|k| format!("{} ({})", k.name, k.tag))
            .collect(),
        times: samples.clone(),
        existing,
        up,
        failing,
        trusting,
        signals,
        at_events,
        events: total.events,
    }
}
