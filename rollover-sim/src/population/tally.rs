//! Per-thread aggregation of resolver changes into difference arrays.

use crate::clock::Instant;
use crate::key::{bits, KeyMask};
use crate::resolver::Observer;
use std::collections::BTreeMap;

/// Per-thread aggregation: difference arrays over the sample times.
pub(super) struct Tally<'a> {
    samples: &'a [Instant],
    pub(super) existing: Vec<i64>,
    pub(super) up: Vec<i64>,
    pub(super) failing: Vec<i64>,
    pub(super) trusting: Vec<Vec<i64>>,
    pub(super) signals: BTreeMap<KeyMask, Vec<i64>>,
    // The current resolver.
    pub(super) cur_up: bool,
    pub(super) cur_anchors: KeyMask,
    pub(super) class_counts: Vec<u64>,
    pub(super) events: u64,
}

impl<'a> Tally<'a> {
    pub(super) fn new(samples: &'a [Instant], nkeys: usize, nclasses: usize) -> Tally<'a> {
        let z = || vec![0i64; samples.len() + 1];
        Tally {
            samples,
            existing: z(),
            up: z(),
            failing: z(),
            trusting: (0..nkeys).map(|_| z()).collect(),
            signals: BTreeMap::new(),
            cur_up: false,
            cur_anchors: 0,
            class_counts: vec![0; nclasses],
            events: 0,
        }
    }
    /// First sample at or after `t`.
    pub(super) fn idx(&self, t: Instant) -> usize {
        self.samples.partition_point(|s| *s < t)
    }
    fn signal(&mut self, i: usize, anchors: KeyMask, delta: i64) {
        let n = self.samples.len() + 1;
        self.signals.entry(anchors).or_insert_with(|| vec![0; n])[i] += delta;
    }
    pub(super) fn merge(&mut self, o: Tally) {
        let add = |a: &mut Vec<i64>, b: &Vec<i64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.existing, &o.existing);
        add(&mut self.up, &o.up);
        add(&mut self.failing, &o.failing);
        for (a, b) in self.trusting.iter_mut().zip(&o.trusting) {
            add(a, b);
        }
        for (m, v) in o.signals {
            let n = v.len();
            add(self.signals.entry(m).or_insert_with(|| vec![0; n]), &v);
        }
        for (a, b) in self.class_counts.iter_mut().zip(&o.class_counts) {
            *a += b;
        }
        self.events += o.events;
    }
}

impl Observer for Tally<'_> {
    fn up(&mut self, t: Instant, up: bool) {
        let i = self.idx(t);
        if up != self.cur_up {
            let d = if up { 1 } else { -1 };
            self.up[i] += d;
            let a = self.cur_anchors;
            self.signal(i, a, d);
            self.cur_up = up;
        }
    }
    fn anchors(&mut self, t: Instant, anchors: KeyMask) {
        let i = self.idx(t);
        let old = self.cur_anchors;
        for k in bits(old & !anchors) {
            self.trusting[k][i] -= 1;
        }
        for k in bits(anchors & !old) {
            self.trusting[k][i] += 1;
        }
        if self.cur_up {
            self.signal(i, old, -1);
            self.signal(i, anchors, 1);
        }
        self.cur_anchors = anchors;
    }
    fn failing(&mut self, t: Instant, failing: bool) {
        let i = self.idx(t);
        self.failing[i] += if failing { 1 } else { -1 };
    }
}
