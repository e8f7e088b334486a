//! Drawing one resolver from the mix: class, start, outage, restarts,
//! persistence fault and clock skew, from a per-resolver random stream.

use super::mix::{Class, MAX_RESTARTS, YEAR};
use crate::clock::{Duration, Instant};
use crate::resolver::{Jitter, Persistence};
use crate::scenario::Scenario;

/// Odd 64-bit multiplier (an MCG constant) that spreads resolver indices over
/// the seed space, so neighbouring resolvers get unrelated random streams.
const INDEX_MIX: u64 = 0xD6E8_FEB8_6659_FD93;

/// Everything drawn for one resolver, on the stack.
pub(super) struct Drawn {
    pub(super) class: usize,
    pub(super) start: Instant,
    pub(super) outages: [(Instant, Instant); 1],
    pub(super) n_outages: usize,
    pub(super) restarts: [Instant; MAX_RESTARTS],
    pub(super) n_restarts: usize,
    pub(super) persistence: Persistence,
    pub(super) skew: Duration,
    pub(super) seed: u64,
}

fn unit(r: &mut Jitter) -> f64 {
    (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn uniform(r: &mut Jitter, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        lo + (r.next_u64() % ((hi - lo) as u64 + 1)) as i64
    }
}

pub(super) fn draw(index: u64, seed: u64, classes: &[Class], cum: &[f64], sc: &Scenario) -> Drawn {
    let mut r = Jitter::new(seed ^ index.wrapping_mul(INDEX_MIX));
    r.next_u64();
    let x = unit(&mut r) * cum.last().copied().unwrap_or(1.0);
    let class = cum.partition_point(|c| *c <= x).min(classes.len() - 1);
    let c = &classes[class];
    let pd = &sc.population;
    let start = uniform(&mut r, pd.start_from, pd.start_to);
    let mut d = Drawn {
        class,
        start,
        outages: [(0, 0)],
        n_outages: 0,
        restarts: [0; MAX_RESTARTS],
        n_restarts: 0,
        persistence: Persistence::Normal,
        skew: 0,
        seed: r.next_u64(),
    };
    let u = unit(&mut r);
    if u < c.read_only {
        d.persistence = Persistence::ReadOnly;
    } else if u < c.read_only + c.image_reset {
        d.persistence = Persistence::ResetEvery(c.reset_every);
    }
    if unit(&mut r) < c.outage {
        let len = uniform(&mut r, c.outage_min, c.outage_max).max(1);
        let from = uniform(&mut r, start, sc.end);
        d.outages[0] = (from, from + len);
        d.n_outages = 1;
    }
    let years = (sc.end - start) as f64 / YEAR;
    let expect = c.restarts_per_year * years;
    let mut n = expect.floor() as usize;
    if unit(&mut r) < expect.fract() {
        n += 1;
    }
    // check_mix keeps the expectation within MAX_RESTARTS; the rounding up cannot pass it.
    n = n.min(MAX_RESTARTS);
    for i in 0..n {
        d.restarts[i] = uniform(&mut r, start, sc.end);
    }
    d.restarts[..n].sort_unstable();
    d.n_restarts = n;
    if c.clock_skew_max > 0 {
        d.skew = uniform(&mut r, -c.clock_skew_max, c.clock_skew_max);
    }
    d
}
