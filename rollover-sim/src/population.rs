//! Population forecasts: N resolvers drawn from a mix of profiles, start times,
//! outages and persistence faults, each simulated independently and folded into
//! per-sample counts.
//!
//! Why it is fast: resolvers never interact, so each one is simulated to the end
//! on the stack (a [`TrustPoint`](crate::trust_point::TrustPoint) is a fixed array
//! of a few bytes per key) and only its *changes* are recorded, as +1/-1 at the
//! first sample at or after the change (difference arrays). Memory is
//! O(threads x samples), independent of N; time is O(N x probes).

use crate::clock::{parse_duration, Duration, Instant, DAY};
use crate::error::{line_of, InputError};
use crate::key::{bits, KeyMask};
use crate::profile::{Params, Profile};
use crate::resolver::{simulate, Jitter, Observer, Persistence, ResolverRun};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use toml::Spanned;

/// Mix defaults when a class does not say: a weekly image restart (the
/// field failure DOMAIN.md describes), and outages from a day to 400 days
/// (long enough to span a whole hold-down and switch).
pub const DEFAULT_RESET_EVERY: Duration = 7 * DAY;
pub const DEFAULT_OUTAGE_MIN: Duration = DAY;
pub const DEFAULT_OUTAGE_MAX: Duration = 400 * DAY;

/// Restarts drawn per resolver are kept on the stack; a mix that would need
/// more over the scenario is refused (see [`check_mix`]).
pub const MAX_RESTARTS: usize = 64;

/// A mean (Julian) year in seconds, for per-year rates.
const YEAR: f64 = 365.25 * DAY as f64;

/// Resolvers a worker simulates between progress updates.
const PROGRESS_BATCH: u64 = 1024;

/// Odd 64-bit multiplier (an MCG constant) that spreads resolver indices over
/// the seed space, so neighbouring resolvers get unrelated random streams.
const INDEX_MIX: u64 = 0xD6E8_FEB8_6659_FD93;

/// One kind of resolver in the mix.
#[derive(Debug, Clone, Serialize)]
pub struct Class {
    pub name: String,
    pub weight: f64,
    pub params: Params,
    /// Probability its state directory is not writable.
    pub read_only: f64,
    /// Probability it is an image restarting from stale anchors every `reset_every`.
    pub image_reset: f64,
    pub reset_every: Duration,
    /// Probability of one outage, of uniform length in [outage_min, outage_max].
    pub outage: f64,
    pub outage_min: Duration,
    pub outage_max: Duration,
    pub restarts_per_year: f64,
    /// Clock skew uniform in [-max, +max].
    pub clock_skew_max: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMix {
    class: Vec<Spanned<RawClass>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClass {
    name: String,
    weight: f64,
    profile: Spanned<String>,
    #[serde(default)]
    read_only: f64,
    #[serde(default)]
    image_reset: f64,
    reset_every: Option<String>,
    #[serde(default)]
    outage: f64,
    outage_min: Option<String>,
    outage_max: Option<String>,
    #[serde(default)]
    restarts_per_year: f64,
    clock_skew_max: Option<String>,
    #[serde(default)]
    timers: BTreeMap<String, String>,
}

/// The built-in mix: shares loosely after the resolvers seen during the 2017
/// roll (mostly BIND and Unbound), with small persistence-fault rates. A
/// forecast for a real decision should pass its own `--mix`.
pub fn default_mix() -> Vec<Class> {
    let c = |name: &str, weight, profile: Profile| Class {
        name: name.into(),
        weight,
        params: profile.params(),
        read_only: 0.01,
        image_reset: 0.005,
        reset_every: DEFAULT_RESET_EVERY,
        outage: 0.05,
        outage_min: DEFAULT_OUTAGE_MIN,
        outage_max: DEFAULT_OUTAGE_MAX,
        restarts_per_year: 4.0,
        clock_skew_max: 0,
    };
    vec![
        c("bind", 40.0, Profile::Bind),
        c("unbound", 35.0, Profile::Unbound),
        c("knot-resolver", 10.0, Profile::KnotResolver),
        c("rfc5011", 15.0, Profile::Rfc5011),
    ]
}

pub fn load_mix(path: &Path) -> Result<Vec<Class>, InputError> {
    let file = path.display().to_string();
    let src = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(&file, None, format!("cannot read mix: {e}")))?;
    let raw: RawMix = toml::from_str(&src).map_err(|e| {
        InputError::new(
            &file,
            e.span().map(|s| line_of(&src, s.start)),
            format!("not a valid mix: {}", e.message()),
        )
    })?;
    let mut out = Vec::new();
    for c in &raw.class {
        let line = Some(line_of(&src, c.span().start));
        let r = c.get_ref();
        let err = |m: String| InputError::new(&file, line, format!("class {:?}: {m}", r.name));
        let profile = Profile::parse(r.profile.get_ref()).map_err(err)?;
        let mut params = profile.params();
        for (k, v) in &r.timers {
            params
                .set(k, v)
                .map_err(|m| err(format!("timers.{k}: {m}")))?;
        }
        let dur = |v: &Option<String>, d: Duration| {
            v.as_deref().map_or(Ok(d), parse_duration).map_err(err)
        };
        for (what, p) in [
            ("read-only", r.read_only),
            ("image-reset", r.image_reset),
            ("outage", r.outage),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(err(format!("{what} is a probability, 0..1, not {p}")));
            }
        }
        if r.weight.is_nan() || r.weight <= 0.0 {
            return Err(err(format!("weight must be positive, not {}", r.weight)));
        }
        let class = Class {
            name: r.name.clone(),
            weight: r.weight,
            params,
            read_only: r.read_only,
            image_reset: r.image_reset,
            reset_every: dur(&r.reset_every, DEFAULT_RESET_EVERY)?,
            outage: r.outage,
            outage_min: dur(&r.outage_min, DEFAULT_OUTAGE_MIN)?,
            outage_max: dur(&r.outage_max, DEFAULT_OUTAGE_MAX)?,
            restarts_per_year: r.restarts_per_year.max(0.0),
            clock_skew_max: dur(&r.clock_skew_max, 0)?.abs(),
        };
        if class.reset_every <= 0 || class.outage_min < 0 || class.outage_max < class.outage_min {
            return Err(err(
                "reset-every must be positive and outage-min <= outage-max".into(),
            ));
        }
        out.push(class);
    }
    if out.is_empty() {
        return Err(InputError::new(&file, None, "the mix has no [[class]]"));
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub resolvers: u64,
    pub seed: u64,
    pub threads: usize,
    /// Sampling step of the time series.
    pub step: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signal {
    /// RFC 8145 `_ta-xxxx[-xxxx]` label (or "(none)").
    pub label: String,
    pub counts: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventShare {
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub at: Instant,
    pub step: String,
    /// Resolvers up and failing right after the event.
    pub failing: i64,
    pub failing_share: f64,
    /// The most failing at any sample until the next event.
    pub peak_failing: i64,
    pub peak_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassCount {
    pub name: String,
    pub profile: &'static str,
    pub resolvers: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PopulationReport {
    pub scenario: String,
    pub resolvers: u64,
    pub seed: u64,
    pub classes: Vec<ClassCount>,
    /// Key names with tags, index-aligned with `trusting`.
    pub keys: Vec<String>,
    #[serde(serialize_with = "ser_times")]
    pub times: Vec<Instant>,
    /// Resolvers started by each sample.
    pub existing: Vec<i64>,
    pub up: Vec<i64>,
    pub failing: Vec<i64>,
    /// Per key: resolvers holding it as a trust anchor (Valid or Missing).
    pub trusting: Vec<Vec<i64>>,
    /// Per distinct anchor set: up resolvers that would send that RFC 8145 signal.
    pub signals: Vec<Signal>,
    pub at_events: Vec<EventShare>,
    /// Resolver-events simulated (probes, outage edges, restarts, publisher changes).
    pub events: u64,
}

fn ser_times<S: serde::Serializer>(v: &[Instant], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|t| crate::clock::format_instant(*t)))
}

/// Per-thread aggregation: difference arrays over the sample times.
struct Tally<'a> {
    samples: &'a [Instant],
    existing: Vec<i64>,
    up: Vec<i64>,
    failing: Vec<i64>,
    trusting: Vec<Vec<i64>>,
    signals: BTreeMap<KeyMask, Vec<i64>>,
    // The current resolver.
    cur_up: bool,
    cur_anchors: KeyMask,
    class_counts: Vec<u64>,
    events: u64,
}

impl<'a> Tally<'a> {
    fn new(samples: &'a [Instant], nkeys: usize, nclasses: usize) -> Tally<'a> {
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
    fn idx(&self, t: Instant) -> usize {
        self.samples.partition_point(|s| *s < t)
    }
    fn signal(&mut self, i: usize, anchors: KeyMask, delta: i64) {
        let n = self.samples.len() + 1;
        self.signals.entry(anchors).or_insert_with(|| vec![0; n])[i] += delta;
    }
    fn merge(&mut self, o: Tally) {
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

/// Everything drawn for one resolver, on the stack.
struct Drawn {
    class: usize,
    start: Instant,
    outages: [(Instant, Instant); 1],
    n_outages: usize,
    restarts: [Instant; MAX_RESTARTS],
    n_restarts: usize,
    persistence: Persistence,
    skew: Duration,
    seed: u64,
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

fn draw(index: u64, seed: u64, classes: &[Class], cum: &[f64], sc: &Scenario) -> Drawn {
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

/// Refuses a mix whose restart rate cannot be simulated over this scenario:
/// more than [`MAX_RESTARTS`] expected restarts per resolver.
pub fn check_mix(classes: &[Class], sc: &Scenario) -> Result<(), String> {
    let years = (sc.end - sc.population.start_from) as f64 / YEAR;
    for c in classes {
        let expect = c.restarts_per_year * years;
        if expect.ceil() > MAX_RESTARTS as f64 {
            return Err(format!(
                "class {:?}: restarts-per-year {} gives {:.0} restarts per resolver over the scenario; \
                 at most {MAX_RESTARTS} are simulated, so lower it or shorten the scenario",
                c.name, c.restarts_per_year, expect
            ));
        }
    }
    Ok(())
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

/// For each publisher change (changes at the same instant together): resolvers
/// failing right after it, and the most failing at any sample until the next one.
fn event_shares(
    sc: &Scenario,
    samples: &[Instant],
    up: &[i64],
    failing: &[i64],
) -> Vec<EventShare> {
    let steps = sc.timeline.steps();
    let mut out: Vec<EventShare> = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        let t = steps[i].at;
        let mut desc = Vec::new();
        while i < steps.len() && steps[i].at == t {
            desc.push(format!(
                "{} {}",
                steps[i].action.name(),
                sc.keys.keys[steps[i].key].name
            ));
            i += 1;
        }
        if t < sc.start || t > sc.end {
            continue;
        }
        let next = steps.get(i).map(|s| s.at).unwrap_or(sc.end + 1);
        let si = samples.partition_point(|s| *s < t);
        let sj = samples.partition_point(|s| *s < next);
        let share = |n: i64, j: usize| {
            if up[j] > 0 {
                n as f64 / up[j] as f64
            } else {
                0.0
            }
        };
        let (mut peak, mut peak_share) = (0, 0.0);
        let until = sj.max(si + 1).min(samples.len());
        for (j, f) in failing.iter().enumerate().take(until).skip(si) {
            if *f > peak {
                peak = *f;
                peak_share = share(*f, j);
            }
        }
        out.push(EventShare {
            at: t,
            step: desc.join(", "),
            failing: failing[si],
            failing_share: share(failing[si], si),
            peak_failing: peak,
            peak_share,
        });
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    const SC: &str = r#"
[trust-point]
zone = "."
dnskey-ttl = "2d"
rrsig-validity = "21d"
resign-every = "10d"
start = "2017-07-01"
end = "2018-03-01"

[[key]]
name = "OLD"
algorithm = 8

[[key]]
name = "NEW"
algorithm = 8

[publisher]
event = [
  { at = "2017-07-01", action = "publish", key = "OLD" },
  { at = "2017-07-01", action = "sign", key = "OLD" },
  { at = "2017-07-11", action = "publish", key = "NEW" },
  { at = "2017-11-01", action = "sign", key = "NEW" },
  { at = "2017-11-01", action = "unsign", key = "OLD" },
]

[population]
start-from = "2017-07-01"
start-to = "2017-08-01"
"#;

    fn scenario() -> Scenario {
        Scenario::parse(SC, Path::new("t.toml")).unwrap()
    }

    fn clean(profile: Profile) -> Class {
        Class {
            name: profile.name().into(),
            weight: 1.0,
            params: profile.params(),
            read_only: 0.0,
            image_reset: 0.0,
            reset_every: 7 * DAY,
            outage: 0.0,
            outage_min: DAY,
            outage_max: DAY,
            restarts_per_year: 0.0,
            clock_skew_max: 0,
        }
    }

    fn opt(n: u64, threads: usize) -> Options {
        Options {
            resolvers: n,
            seed: 3,
            threads,
            step: DAY,
        }
    }

    #[test]
    fn healthy_resolvers_all_follow_the_roll() {
        let sc = scenario();
        let mix: Vec<Class> = Profile::ALL.iter().map(|p| clean(*p)).collect();
        let rep = forecast(&sc, &mix, &opt(400, 2), |_| {});
        let last = rep.times.len() - 1;
        assert_eq!(rep.existing[last], 400);
        assert_eq!(rep.up[last], 400);
        assert!(rep.failing.iter().all(|f| *f == 0));
        assert_eq!(rep.trusting[1][last], 400);
        // Started between 2017-07-01 and 08-01: the population grows over July.
        let aug = rep
            .times
            .iter()
            .position(|t| *t == crate::clock::parse_instant("2017-08-02").unwrap())
            .unwrap();
        assert!(rep.existing[10] < 400 && rep.existing[aug] == 400);
        assert_eq!(rep.classes.iter().map(|c| c.resolvers).sum::<u64>(), 400);
        assert!(
            rep.classes.iter().all(|c| c.resolvers > 50),
            "{:?}",
            rep.classes
        );
        // Signals: everyone ends up sending the same two-key set... until OLD goes
        // missing; it is never revoked here, so it stays an anchor (Missing).
        let both = rep
            .signals
            .iter()
            .find(|s| s.label.matches('-').count() == 2)
            .unwrap();
        assert_eq!(both.counts[last], 400);
    }

    #[test]
    fn images_that_reset_weekly_all_fail_after_the_switch() {
        let sc = scenario();
        let mut c = clean(Profile::Rfc5011);
        c.image_reset = 1.0;
        let rep = forecast(&sc, &[c], &opt(300, 2), |_| {});
        let switch = rep
            .at_events
            .iter()
            .find(|e| e.step.contains("sign NEW"))
            .unwrap();
        assert_eq!(switch.failing, 300);
        assert!((switch.failing_share - 1.0).abs() < 1e-12);
        assert_eq!(rep.at_events[1].failing, 0, "fine before the switch");
    }

    #[test]
    fn outages_show_as_resolvers_down() {
        let sc = scenario();
        let mut c = clean(Profile::Rfc5011);
        c.outage = 1.0;
        c.outage_min = 400 * DAY;
        c.outage_max = 400 * DAY;
        let rep = forecast(&sc, &[c], &opt(200, 1), |_| {});
        let last = rep.times.len() - 1;
        assert_eq!(rep.existing[last], 200);
        assert_eq!(rep.up[last], 0, "every outage lasts past the end");
        assert!(rep.up.iter().any(|u| *u > 0));
    }

    #[test]
    fn threads_do_not_change_the_result() {
        let sc = scenario();
        let mix = default_mix();
        let a = forecast(&sc, &mix, &opt(500, 1), |_| {});
        let b = forecast(&sc, &mix, &opt(500, 3), |_| {});
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        let c = forecast(
            &sc,
            &mix,
            &Options {
                seed: 4,
                ..opt(500, 3)
            },
            |_| {},
        );
        assert_ne!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&c).unwrap()
        );
    }

    #[test]
    fn too_many_restarts_are_refused_not_truncated() {
        let sc = scenario();
        let mut c = clean(Profile::Rfc5011);
        // The scenario spans 8 months: 90 a year is about 60 restarts.
        c.restarts_per_year = 90.0;
        assert!(check_mix(&[c.clone()], &sc).is_ok());
        c.restarts_per_year = 120.0;
        let e = check_mix(&[c.clone()], &sc).unwrap_err();
        assert!(e.contains("at most 64"), "{e}");
        assert!(check_mix(&default_mix(), &sc).is_ok());
    }

    #[test]
    fn samples_include_every_publisher_change() {
        let sc = scenario();
        let s = sample_times(&sc, 7 * DAY);
        for st in sc.timeline.steps() {
            assert!(s.contains(&st.at));
        }
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn mix_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        std::fs::write(
            &p,
            "[[class]]\nname = \"a\"\nweight = 1\nprofile = \"bind\"\nread-only = 2\n",
        )
        .unwrap();
        let e = load_mix(&p).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("read-only is a probability"), "{e}");
        std::fs::write(&p, "[[class]]\nname = \"a\"\nweight = 1\nprofile = \"bind\"\ntimers = { mkeytimers = \"x\" }\n").unwrap();
        assert!(load_mix(&p).unwrap_err().message.contains("mkeytimers"));
        std::fs::write(
            &p,
            "[[class]]\nname = \"a\"\nweight = 0\nprofile = \"bind\"\n",
        )
        .unwrap();
        assert!(load_mix(&p)
            .unwrap_err()
            .message
            .contains("weight must be positive"));
    }
}
