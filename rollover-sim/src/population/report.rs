//! What a forecast returns: counts per sample, RFC 8145 signals and the share
//! of resolvers failing at each publisher change.

use crate::clock::Instant;
use crate::scenario::Scenario;
use serde::Serialize;

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

/// For each publisher change (changes at the same instant together): resolvers
/// failing right after it, and the most failing at any sample until the next one.
pub(super) fn event_shares(
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
