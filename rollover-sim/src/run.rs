//! `run`: every scenario resolver simulated in full detail.

use crate::clock::Instant;
use crate::key::KeyMask;
use crate::resolver::{simulate, Observer};
use crate::scenario::{ResolverSpec, Scenario};
use crate::state::{KeyEvent, KeyState};
use crate::trust_point::Fetch;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct KeyChange {
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub at: Instant,
    pub key: String,
    pub from: KeyState,
    pub to: KeyState,
    pub event: KeyEvent,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Probe {
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub at: Instant,
    pub outcome: Fetch,
    pub attacked: bool,
}

/// A period without a usable trust anchor; `to: None` means still failing at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub from: Instant,
    #[serde(serialize_with = "crate::clock::ser::opt_instant")]
    pub to: Option<Instant>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResolverReport {
    pub name: String,
    pub profile: &'static str,
    pub line: usize,
    pub trusted: Vec<String>,
    pub deliberately_broken: bool,
    pub key_changes: Vec<KeyChange>,
    pub probes: Vec<Probe>,
    pub failures: Vec<Period>,
    /// (time, anchors) whenever the set of trust anchors changed.
    #[serde(serialize_with = "crate::clock::ser::instant_pairs")]
    pub anchor_sets: Vec<(Instant, Vec<String>)>,
    pub events: u64,
}

impl ResolverReport {
    /// When the key first became Valid.
    pub fn trusted_at(&self, key: &str) -> Option<Instant> {
        self.key_changes
            .iter()
            .find(|c| c.key == key && c.to == KeyState::Valid)
            .map(|c| c.at)
    }
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub scenario: String,
    pub zone: String,
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub start: Instant,
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub end: Instant,
    /// The publisher's steps: (time, action, key).
    pub publisher: Vec<(String, &'static str, String)>,
    pub resolvers: Vec<ResolverReport>,
}

impl RunReport {
    /// Resolvers the scenario did not break on purpose that still failed.
    pub fn unexpected_failures(&self) -> Vec<&ResolverReport> {
        self.resolvers
            .iter()
            .filter(|r| !r.deliberately_broken && r.failed())
            .collect()
    }
}

struct Recorder<'a> {
    sc: &'a Scenario,
    r: ResolverReport,
}

impl Observer for Recorder<'_> {
    fn key_change(
        &mut self,
        t: Instant,
        key: usize,
        from: KeyState,
        to: KeyState,
        event: KeyEvent,
    ) {
        let key = self.sc.keys.keys[key].name.clone();
        self.r.key_changes.push(KeyChange {
            at: t,
            key,
            from,
            to,
            event,
        });
    }
    fn probe(&mut self, t: Instant, outcome: Fetch, attacked: bool) {
        self.r.probes.push(Probe {
            at: t,
            outcome,
            attacked,
        });
    }
    fn failing(&mut self, t: Instant, failing: bool) {
        if failing {
            self.r.failures.push(Period { from: t, to: None });
        } else if let Some(p) = self.r.failures.last_mut() {
            p.to = Some(t);
        }
    }
    fn anchors(&mut self, t: Instant, anchors: KeyMask) {
        let names = self
            .sc
            .keys
            .names(anchors)
            .into_iter()
            .map(String::from)
            .collect();
        self.r.anchor_sets.push((t, names));
    }
}

pub fn run_resolver(sc: &Scenario, spec: &ResolverSpec) -> ResolverReport {
    let mut rec = Recorder {
        sc,
        r: ResolverReport {
            name: spec.name.clone(),
            profile: spec.params.profile.name(),
            line: spec.line,
            trusted: sc
                .keys
                .names(spec.trusted)
                .into_iter()
                .map(String::from)
                .collect(),
            deliberately_broken: spec.has_outage_or_attack(),
            key_changes: vec![],
            probes: vec![],
            failures: vec![],
            anchor_sets: vec![],
            events: 0,
        },
    };
    let n = simulate(&spec.run(sc.end), &sc.timeline, &mut rec);
    rec.r.events = n;
    rec.r
}

pub fn run(sc: &Scenario) -> RunReport {
    RunReport {
        scenario: sc.path.display().to_string(),
        zone: sc.zone.clone(),
        start: sc.start,
        end: sc.end,
        publisher: sc
            .timeline
            .steps()
            .iter()
            .map(|s| {
                (
                    crate::clock::format_instant(s.at),
                    s.action.name(),
                    sc.keys.keys[s.key].name.clone(),
                )
            })
            .collect(),
        resolvers: sc.resolvers.iter().map(|r| run_resolver(sc, r)).collect(),
    }
}
