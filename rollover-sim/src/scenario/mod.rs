//! Scenario files (TOML): the trust point, its keys, the publisher's events or
//! SKRs, the resolvers and the attacker. Every reference is checked on load and
//! errors name the file and line.

mod ctx;
mod raw;
mod resolvers;
#[cfg(test)]
mod tests;

use crate::attacker::Attack;
use crate::clock::{Duration, Instant, DAY};
use crate::error::{line_of, InputError};
use crate::key::{KeyMask, KeySet};
use crate::plan::PlanParams;
use crate::profile::Params;
use crate::publisher::{Action, Event, Timeline};
use crate::resolver::{Persistence, ResolverRun};
use ctx::Ctx;
use raw::RawScenario;
use std::path::{Path, PathBuf};

/// One resolver as the scenario describes it.
#[derive(Debug, Clone)]
pub struct ResolverSpec {
    pub name: String,
    pub params: Params,
    pub trusted: KeyMask,
    pub start: Instant,
    pub outages: Vec<(Instant, Instant)>,
    pub restarts: Vec<Instant>,
    pub persistence: Persistence,
    pub skew: Duration,
    pub seed: u64,
    pub attacks: Vec<Attack>,
    pub line: usize,
}

impl ResolverSpec {
    pub fn run<'a>(&'a self, end: Instant) -> ResolverRun<'a> {
        ResolverRun {
            params: &self.params,
            trusted: self.trusted,
            start: self.start,
            end,
            outages: &self.outages,
            restarts: &self.restarts,
            persistence: self.persistence,
            skew: self.skew,
            seed: self.seed,
            attacks: &self.attacks,
        }
    }
    /// Whether the scenario deliberately breaks this resolver (outage or attack).
    pub fn has_outage_or_attack(&self) -> bool {
        !self.outages.is_empty() || !self.attacks.is_empty()
    }
}

/// The most state resets (`reset-every`) one resolver may have between start
/// and end: hourly for a year is 8,760. Every reset is kept in the run's
/// timeline, so `reset-every = "1s"` would otherwise grow without bound.
pub const MAX_RESETS: u64 = 10_000;

/// The most state resets all resolvers of a scenario may have together.
pub const MAX_RESETS_TOTAL: u64 = 200_000;

/// The most re-signings (`resign-every`) a publisher timeline may have between
/// its first event and the end: hourly for 11 years is 96,432. Every re-sign
/// is a version kept in the timeline, so `resign-every = "1s"` would otherwise
/// grow without bound.
pub const MAX_RESIGNS: u64 = 100_000;

/// The most probes one resolver may make between its start and the end, as
/// [`probe_bound`] counts them: hourly for 114 years, so the RFC 5011 2.3
/// one-hour floor never reaches it within the longest span (68 years). Every
/// probe is kept in the run's report.
pub const MAX_PROBES: u64 = 1_000_000;

/// The timer knobs (`timers = { ... }`) whose value is a duration.
const DURATION_TIMERS: &[&str] = &[
    "add-holddown",
    "hold-down-time",
    "remove-holddown",
    "del-holddown",
    "keep-missing",
    "refresh-floor",
    "query-cap",
    "retry-cap",
    "refresh",
    "refresh-time",
];

/// A duration timer knob must be positive and at most 2^31 - 1 seconds: a
/// zero refresh would probe without end, a negative hold-down would accept
/// a key at once. (`keep-missing = "forever"` or `0` means no limit.)
pub(crate) fn check_timer(name: &str, value: &str) -> Result<(), String> {
    if !DURATION_TIMERS.contains(&name)
        || (name == "keep-missing" && (value == "forever" || value == "0"))
    {
        return Ok(());
    }
    let d = crate::clock::parse_duration(value)?;
    if d <= 0 {
        return Err(format!("must be positive, not {value:?}"));
    }
    if d > ctx::MAX_DURATION {
        return Err(format!(
            "{value:?} is longer than 2^31 - 1 seconds (about 68 years)"
        ));
    }
    Ok(())
}

/// How many periodic resets `spec` has between its start and `end`.
fn resets_of(spec: &ResolverSpec, end: Instant) -> u64 {
    match spec.persistence {
        Persistence::ResetEvery(every) if every > 0 => {
            (end.saturating_sub(spec.start).max(0) / every) as u64
        }
        _ => 0,
    }
}

/// The shortest mean interval between two probes that `p` allows: the fixed
/// refresh, else the refresh floor (RFC 5011 2.3 falls to it once the RRSIG
/// expiry is past), shortened by half the jitter on average.
pub fn shortest_probe_interval(p: &Params) -> Duration {
    let d = p.fixed_refresh.unwrap_or(p.refresh.floor).max(1);
    (d * (200 - i64::from(p.jitter_percent.min(100))) / 200).max(1)
}

/// The most probes `p` can make between `start` and `end`.
pub fn probe_bound(p: &Params, start: Instant, end: Instant) -> u64 {
    (end.saturating_sub(start).max(0) / shortest_probe_interval(p)) as u64
}

/// The refusal of a resolver whose timers allow more than [`MAX_PROBES`]
/// probes, at the timer knob that sets the shortest interval.
fn too_many_probes(
    cx: &Ctx,
    r: &toml::Spanned<raw::RawResolver>,
    spec: &ResolverSpec,
    probes: u64,
) -> InputError {
    let knobs: &[&str] = if spec.params.fixed_refresh.is_some() {
        &["refresh", "refresh-time"]
    } else {
        &["mkeytimers", "refresh-floor"]
    };
    // Knobs apply in name order, so the last one given is the one in force.
    let knob = r
        .get_ref()
        .timers
        .iter()
        .rfind(|(k, _)| knobs.contains(&k.as_str()));
    let every = crate::clock::format_duration(shortest_probe_interval(&spec.params));
    let (span, what, fix) = match knob {
        Some((k, v)) => {
            let value = match v.get_ref() {
                raw::StrOrInt::Str(s) => format!("{s:?}"),
                raw::StrOrInt::Int(n) => n.to_string(),
            };
            (
                v.span(),
                format!("timers.{k} {value}"),
                format!("a longer {k} or"),
            )
        }
        None => (
            r.span(),
            "its refresh floor".to_string(),
            "a later start or".to_string(),
        ),
    };
    cx.err(
        span,
        format!(
            "resolver {:?}: {what} lets it probe every {every}, up to {probes} probes between its start and end, \
             more than the {MAX_PROBES} a run keeps; use {fix} a shorter span",
            spec.name
        ),
    )
}

/// Population defaults the scenario can set.
#[derive(Debug, Clone)]
pub struct PopulationDefaults {
    pub trusted: KeyMask,
    pub start_from: Instant,
    pub start_to: Instant,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub path: PathBuf,
    pub zone: String,
    pub ttl: Duration,
    pub validity: Duration,
    pub start: Instant,
    pub end: Instant,
    pub seed: u64,
    pub keys: KeySet,
    pub timeline: Timeline,
    pub resolvers: Vec<ResolverSpec>,
    pub plan: PlanParams,
    pub population: PopulationDefaults,
}

impl Scenario {
    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path)
            .map_err(|e| InputError::new(&file, None, format!("cannot read scenario: {e}")))?;
        Scenario::parse(&src, path)
    }

    pub fn parse(src: &str, path: &Path) -> Result<Scenario, InputError> {
        let file = path.display().to_string();
        let raw: RawScenario = toml::from_str(src).map_err(|e| {
            let line = e.span().map(|s| line_of(src, s.start));
            InputError::new(
                &file,
                line,
                format!("not a valid scenario: {}", e.message()),
            )
        })?;
        let cx = Ctx::new(file.clone(), src);
        let tpr = &raw.trust_point;
        let zone = cx.zone(&tpr.zone)?;
        let ttl = cx.positive_dur(&tpr.dnskey_ttl, "dnskey-ttl")?;
        let validity = cx.positive_dur(&tpr.rrsig_validity, "rrsig-validity")?;
        let resign_every = match &tpr.resign_every {
            Some(s) => cx.positive_dur(s, "resign-every")?,
            None => (validity / 2).max(1),
        };
        let start = cx.time(&tpr.start, "start")?;
        let end = cx.time(&tpr.end, "end")?;
        if end <= start {
            return Err(cx.err(tpr.end.span(), "end must be after start"));
        }
        if end - start > ctx::MAX_DURATION {
            return Err(cx.err(
                tpr.end.span(),
                "end is more than 2^31 - 1 seconds (about 68 years) after start; simulate a shorter span",
            ));
        }
        let seed = tpr.seed;

        let mut keys = cx.keys(&raw.keys, seed)?;

        // Publisher.
        let pubr = raw.publisher.get_ref();
        let timeline = match (pubr.events.is_empty(), pubr.skrs.is_empty()) {
            (false, true) => {
                let mut events = Vec::new();
                for e in &pubr.events {
                    let er = e.get_ref();
                    let action = Action::parse(er.action.get_ref()).map_err(|m| cx.err(er.action.span(), m))?;
                    events.push(Event {
                        at: cx.time(&er.at, "at")?,
                        action,
                        key: cx.key(&keys, &er.key)?,
                        source: format!("{} line {}", file, cx.line(e.span().start)),
                    });
                }
                if let Some(first) = events.iter().map(|e| e.at).min().filter(|t| *t <= end) {
                    let resigns = ((end - first) / resign_every) as u64;
                    if resigns > MAX_RESIGNS {
                        let (span, what) = match &tpr.resign_every {
                            Some(s) => (s.span(), format!("resign-every {:?}", s.get_ref())),
                            None => (
                                tpr.rrsig_validity.span(),
                                format!(
                                    "resign-every (by default half the rrsig-validity: {})",
                                    crate::clock::format_duration(resign_every)
                                ),
                            ),
                        };
                        return Err(cx.err(
                            span,
                            format!(
                                "{what} makes {resigns} re-signs between the first event and end, more than \
                                 the {MAX_RESIGNS} a timeline keeps; use a longer resign-every or a shorter span"
                            ),
                        ));
                    }
                }
                Timeline::from_events(&events, ttl, validity, resign_every, end).map_err(|e| {
                    let ev = &events[e.index];
                    cx.err(
                        pubr.events[e.index].span(),
                        format!("{} {}: {}", ev.action.name(), keys.keys[ev.key].name, e.message),
                    )
                })?
            }
            (true, false) => {
                let base = path.parent().unwrap_or(Path::new("."));
                let paths: Vec<(PathBuf, usize)> =
                    pubr.skrs.iter().map(|s| (base.join(s.get_ref()), line_of(src, s.span().start))).collect();
                crate::skr::timeline_from_skrs(&paths, &mut keys, &file)?
            }
            _ => {
                return Err(cx.err(
                    raw.publisher.span(),
                    "[publisher] needs either [[publisher.event]] entries or skrs = [...], not both or neither",
                ))
            }
        };

        // Resolvers.
        // Names are checked through a set: a scan per resolver made loading
        // 200,000 of them quadratic.
        let mut resolvers: Vec<ResolverSpec> = Vec::with_capacity(raw.resolvers.len());
        let mut names = std::collections::HashSet::with_capacity(raw.resolvers.len());
        let mut resets: u64 = 0;
        for (i, r) in raw.resolvers.iter().enumerate() {
            let name = r.get_ref().name.as_str();
            if !names.insert(name) {
                return Err(cx.err(r.span(), format!("resolver {name:?} is defined twice")));
            }
            let spec = cx.resolver(i, r, &keys, start, seed)?;
            let own = resets_of(&spec, end);
            if own > MAX_RESETS {
                return Err(cx.err(
                    r.span(),
                    format!(
                        "resolver {name:?}: reset-every makes {own} state resets between start and end, \
                         more than the {MAX_RESETS} a run keeps; use a longer reset-every"
                    ),
                ));
            }
            let probes = probe_bound(&spec.params, spec.start, end);
            if probes > MAX_PROBES {
                return Err(too_many_probes(&cx, r, &spec, probes));
            }
            resets = resets.saturating_add(own);
            if resets > MAX_RESETS_TOTAL {
                return Err(cx.err(
                    r.span(),
                    format!(
                        "the resolvers' reset-every values make more than {MAX_RESETS_TOTAL} state resets in all \
                         between start and end (the run would keep every one); use a longer reset-every or fewer resolvers"
                    ),
                ));
            }
            resolvers.push(spec);
        }

        cx.attach_attacks(&raw.attacks, &mut resolvers)?;

        // Plan parameters.
        let mut plan = PlanParams::for_trust_point(ttl, validity);
        if let Some(s) = &raw.plan.safety_margin {
            plan.safety_margin = Some(cx.positive_dur(s, "safety-margin")?);
        }
        if let Some(s) = &raw.plan.add_holddown {
            plan.add_holddown = cx.positive_dur(s, "add-holddown")?;
        }
        if let Some(s) = &raw.plan.remove_holddown {
            plan.remove_holddown = cx.positive_dur(s, "remove-holddown")?;
        }

        // Population defaults: the keys signing the first RRset are the configured anchors.
        let pr = &raw.population;
        let trusted = if pr.trusted.is_empty() {
            timeline
                .versions
                .first()
                .map(|v| v.rrset.validating_signers())
                .unwrap_or(0)
        } else {
            cx.keys_mask(&keys, &pr.trusted)?
        };
        let population = PopulationDefaults {
            trusted,
            start_from: match &pr.start_from {
                Some(s) => cx.time(s, "start-from")?,
                None => start,
            },
            start_to: match &pr.start_to {
                Some(s) => cx.time(s, "start-to")?,
                None => start,
            },
        };

        Ok(Scenario {
            path: path.to_path_buf(),
            zone,
            ttl,
            validity,
            start,
            end,
            seed,
            keys,
            timeline,
            resolvers,
            plan,
            population,
        })
    }

    /// Days from start to end, for reports.
    pub fn days(&self) -> i64 {
        (self.end - self.start) / DAY
    }
}
