//! Scenario files (TOML): the trust point, its keys, the publisher's events or
//! SKRs, the resolvers and the attacker. Every reference is checked on load and
//! errors name the file and line.

use crate::attacker::{Attack, AttackKind};
use crate::clock::{parse_duration, parse_instant, Duration, Instant, DAY};
use crate::error::{line_of, InputError};
use crate::key::{parse_algorithm, KeyMask, KeySet, SimKey, MAX_KEYS};
use crate::plan::PlanParams;
use crate::profile::{Params, Profile};
use crate::publisher::{Action, Event, Timeline};
use crate::resolver::{Persistence, ResolverRun};
use base64::Engine;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawScenario {
    trust_point: RawTrustPoint,
    #[serde(default, rename = "key")]
    keys: Vec<Spanned<RawKey>>,
    publisher: Spanned<RawPublisher>,
    #[serde(default, rename = "resolver")]
    resolvers: Vec<Spanned<RawResolver>>,
    #[serde(default, rename = "attack")]
    attacks: Vec<Spanned<RawAttack>>,
    #[serde(default)]
    plan: RawPlan,
    #[serde(default)]
    population: RawPopulation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTrustPoint {
    zone: String,
    dnskey_ttl: Spanned<String>,
    rrsig_validity: Spanned<String>,
    resign_every: Option<Spanned<String>>,
    start: Spanned<String>,
    end: Spanned<String>,
    #[serde(default)]
    seed: u64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StrOrInt {
    Str(String),
    Int(i64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawKey {
    name: String,
    algorithm: Spanned<StrOrInt>,
    /// Base64 DNSKEY public key; generated from the seed when absent.
    public_key: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPublisher {
    #[serde(default, rename = "event")]
    events: Vec<Spanned<RawEvent>>,
    #[serde(default)]
    skrs: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEvent {
    at: Spanned<String>,
    action: Spanned<String>,
    key: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPersistence {
    Word(String),
    Reset {
        #[serde(rename = "reset-every")]
        reset_every: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOutage {
    from: Spanned<String>,
    to: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawResolver {
    name: String,
    profile: Spanned<String>,
    trusted: Spanned<Vec<Spanned<String>>>,
    start: Option<Spanned<String>>,
    #[serde(default)]
    outages: Vec<Spanned<RawOutage>>,
    persistence: Option<Spanned<RawPersistence>>,
    /// Shorthand for `persistence = { reset-every = ... }`.
    reset_every: Option<Spanned<String>>,
    #[serde(default)]
    restarts: Vec<Spanned<String>>,
    clock_skew: Option<Spanned<String>>,
    #[serde(default)]
    timers: BTreeMap<String, Spanned<StrOrInt>>,
    seed: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAttack {
    kind: Spanned<String>,
    resolver: Spanned<String>,
    from: Spanned<String>,
    to: Spanned<String>,
    captured: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPlan {
    safety_margin: Option<Spanned<String>>,
    add_holddown: Option<Spanned<String>>,
    remove_holddown: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPopulation {
    #[serde(default)]
    trusted: Vec<Spanned<String>>,
    start_from: Option<Spanned<String>>,
    start_to: Option<Spanned<String>>,
}

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

struct Ctx<'a> {
    file: String,
    src: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: std::ops::Range<usize>, msg: impl Into<String>) -> InputError {
        InputError::new(&self.file, Some(line_of(self.src, span.start)), msg)
    }
    fn time(&self, s: &Spanned<String>, what: &str) -> Result<Instant, InputError> {
        parse_instant(s.get_ref()).map_err(|e| self.err(s.span(), format!("{what}: {e}")))
    }
    fn dur(&self, s: &Spanned<String>, what: &str) -> Result<Duration, InputError> {
        parse_duration(s.get_ref()).map_err(|e| self.err(s.span(), format!("{what}: {e}")))
    }
    /// A key by name, or by key tag when no key has that name (handy for SKR replays).
    fn key(&self, keys: &KeySet, s: &Spanned<String>) -> Result<usize, InputError> {
        let by_tag = || {
            let tag: u16 = s.get_ref().parse().ok()?;
            let hits: Vec<usize> = (0..keys.keys.len())
                .filter(|i| keys.keys[*i].tag.0 == tag)
                .collect();
            (hits.len() == 1).then(|| hits[0])
        };
        keys.index(s.get_ref()).or_else(by_tag).ok_or_else(|| {
            let known: Vec<_> = keys.keys.iter().map(|k| k.name.as_str()).collect();
            self.err(
                s.span(),
                format!(
                    "unknown key {:?}; keys are: {}",
                    s.get_ref(),
                    known.join(", ")
                ),
            )
        })
    }
    fn keys_mask(&self, keys: &KeySet, list: &[Spanned<String>]) -> Result<KeyMask, InputError> {
        let mut m = 0;
        for k in list {
            m |= 1 << self.key(keys, k)?;
        }
        Ok(m)
    }

    /// The `[[key]]` tables: names, algorithms, given or generated public keys.
    fn keys(&self, raw: &[Spanned<RawKey>], seed: u64) -> Result<KeySet, InputError> {
        let mut keys = KeySet::default();
        for k in raw {
            let kr = k.get_ref();
            if keys.index(&kr.name).is_some() {
                return Err(self.err(k.span(), format!("key {:?} is defined twice", kr.name)));
            }
            if keys.keys.len() == MAX_KEYS {
                return Err(self.err(k.span(), format!("at most {MAX_KEYS} keys per trust point")));
            }
            let alg = match kr.algorithm.get_ref() {
                StrOrInt::Str(s) => parse_algorithm(s),
                StrOrInt::Int(n) => {
                    u8::try_from(*n).map_err(|_| format!("algorithm {n} is not 0..255"))
                }
            }
            .map_err(|e| self.err(kr.algorithm.span(), e))?;
            let key = match &kr.public_key {
                Some(pk) => {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(pk.get_ref().split_whitespace().collect::<String>())
                        .map_err(|e| {
                            self.err(pk.span(), format!("public-key is not base64: {e}"))
                        })?;
                    SimKey::new(&kr.name, alg, bytes)
                }
                None => SimKey::generated(&kr.name, alg, seed),
            };
            keys.keys.push(key);
        }
        Ok(keys)
    }

    /// One `[[resolver]]` table (the `i`th): profile and timer knobs, anchors,
    /// start, outages, persistence, restarts and clock skew.
    fn resolver(
        &self,
        i: usize,
        r: &Spanned<RawResolver>,
        keys: &KeySet,
        start: Instant,
        seed: u64,
    ) -> Result<ResolverSpec, InputError> {
        let rr = r.get_ref();
        let line = line_of(self.src, r.span().start);
        let profile =
            Profile::parse(rr.profile.get_ref()).map_err(|m| self.err(rr.profile.span(), m))?;
        let mut params = profile.params();
        for (name, v) in &rr.timers {
            let value = match v.get_ref() {
                StrOrInt::Str(s) => s.clone(),
                StrOrInt::Int(n) => n.to_string(),
            };
            params
                .set(name, &value)
                .map_err(|m| self.err(v.span(), format!("timers.{name}: {m}")))?;
        }
        let trusted = self.keys_mask(keys, rr.trusted.get_ref())?;
        if trusted == 0 {
            return Err(self.err(
                rr.trusted.span(),
                format!(
                    "resolver {:?} trusts no key; list at least one in trusted",
                    rr.name
                ),
            ));
        }
        let rstart = match &rr.start {
            Some(s) => self.time(s, "start")?,
            None => start,
        };
        let mut outages = Vec::new();
        for o in &rr.outages {
            let (f, t) = (
                self.time(&o.get_ref().from, "outage from")?,
                self.time(&o.get_ref().to, "outage to")?,
            );
            if t <= f {
                return Err(self.err(o.span(), "an outage must end after it starts"));
            }
            outages.push((f, t));
        }
        outages.sort_unstable();
        if outages.windows(2).any(|w| w[1].0 < w[0].1) {
            return Err(self.err(
                r.span(),
                format!("resolver {:?} has overlapping outages; merge them", rr.name),
            ));
        }
        let persistence = self.persistence(rr)?;
        let mut restarts = Vec::new();
        for s in &rr.restarts {
            restarts.push(self.time(s, "restart")?);
        }
        restarts.sort_unstable();
        let skew = match &rr.clock_skew {
            Some(s) => self.dur(s, "clock-skew")?,
            None => 0,
        };
        Ok(ResolverSpec {
            name: rr.name.clone(),
            params,
            trusted,
            start: rstart,
            outages,
            restarts,
            persistence,
            skew,
            // Without a seed of its own: the scenario seed mixed with the
            // resolver's position (2^64 / golden ratio, the usual odd spreader).
            seed: rr
                .seed
                .unwrap_or(seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            attacks: Vec::new(),
            line,
        })
    }

    /// `persistence = "normal" | "read-only" | { reset-every = D }`, or the
    /// `reset-every = D` shorthand.
    fn persistence(&self, rr: &RawResolver) -> Result<Persistence, InputError> {
        let mut persistence = match &rr.persistence {
            None => Persistence::Normal,
            Some(p) => match p.get_ref() {
                RawPersistence::Word(w) if w == "normal" => Persistence::Normal,
                RawPersistence::Word(w) if w == "read-only" => Persistence::ReadOnly,
                RawPersistence::Word(w) => {
                    return Err(self.err(
                        p.span(),
                        format!("unknown persistence {w:?}; use \"normal\", \"read-only\" or {{ reset-every = \"7d\" }}"),
                    ))
                }
                RawPersistence::Reset { reset_every } => {
                    let d = parse_duration(reset_every).map_err(|m| self.err(p.span(), m))?;
                    if d <= 0 {
                        return Err(self.err(p.span(), "reset-every must be positive"));
                    }
                    Persistence::ResetEvery(d)
                }
            },
        };
        if let Some(re) = &rr.reset_every {
            let d = self.dur(re, "reset-every")?;
            if d <= 0 {
                return Err(self.err(re.span(), "reset-every must be positive"));
            }
            persistence = Persistence::ResetEvery(d);
        }
        Ok(persistence)
    }

    /// The `[[attack]]` tables, attached to the resolvers they target.
    fn attach_attacks(
        &self,
        raw: &[Spanned<RawAttack>],
        resolvers: &mut [ResolverSpec],
    ) -> Result<(), InputError> {
        for a in raw {
            let ar = a.get_ref();
            let (from, to) = (self.time(&ar.from, "from")?, self.time(&ar.to, "to")?);
            if to <= from {
                return Err(self.err(a.span(), "an attack must end after it starts"));
            }
            let kind = match (ar.kind.get_ref().as_str(), &ar.captured) {
                ("replay", Some(c)) => AttackKind::Replay {
                    captured: self.time(c, "captured")?,
                },
                ("replay", None) => {
                    return Err(self.err(
                        a.span(),
                        "a replay needs captured = TIME (when the replayed RRset was served)",
                    ))
                }
                ("withhold", _) => AttackKind::Withhold,
                (k, _) => {
                    return Err(self.err(
                        ar.kind.span(),
                        format!("unknown attack kind {k:?}; use replay or withhold"),
                    ))
                }
            };
            let target = ar.resolver.get_ref();
            let mut hit = false;
            for r in resolvers
                .iter_mut()
                .filter(|r| target == "*" || &r.name == target)
            {
                r.attacks.push(Attack { kind, from, to });
                hit = true;
            }
            if !hit {
                return Err(self.err(
                    ar.resolver.span(),
                    format!("no resolver named {target:?} (use a resolver name or \"*\")"),
                ));
            }
        }
        for r in resolvers.iter_mut() {
            r.attacks.sort_by_key(|a| a.from);
        }
        Ok(())
    }
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
        let cx = Ctx {
            file: file.clone(),
            src,
        };
        let tpr = &raw.trust_point;
        let ttl = cx.dur(&tpr.dnskey_ttl, "dnskey-ttl")?;
        let validity = cx.dur(&tpr.rrsig_validity, "rrsig-validity")?;
        if ttl <= 0 || validity <= 0 {
            return Err(cx.err(
                tpr.dnskey_ttl.span(),
                "dnskey-ttl and rrsig-validity must be positive",
            ));
        }
        let resign_every = match &tpr.resign_every {
            Some(s) => cx.dur(s, "resign-every")?,
            None => validity / 2,
        };
        let start = cx.time(&tpr.start, "start")?;
        let end = cx.time(&tpr.end, "end")?;
        if end <= start {
            return Err(cx.err(tpr.end.span(), "end must be after start"));
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
                        source: format!("{} line {}", file, line_of(src, e.span().start)),
                    });
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
        let mut resolvers: Vec<ResolverSpec> = Vec::new();
        for (i, r) in raw.resolvers.iter().enumerate() {
            let name = &r.get_ref().name;
            if resolvers.iter().any(|o| &o.name == name) {
                return Err(cx.err(r.span(), format!("resolver {name:?} is defined twice")));
            }
            resolvers.push(cx.resolver(i, r, &keys, start, seed)?);
        }

        cx.attach_attacks(&raw.attacks, &mut resolvers)?;

        // Plan parameters.
        let mut plan = PlanParams::for_trust_point(ttl, validity);
        if let Some(s) = &raw.plan.safety_margin {
            plan.safety_margin = Some(cx.dur(s, "safety-margin")?);
        }
        if let Some(s) = &raw.plan.add_holddown {
            plan.add_holddown = cx.dur(s, "add-holddown")?;
        }
        if let Some(s) = &raw.plan.remove_holddown {
            plan.remove_holddown = cx.dur(s, "remove-holddown")?;
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
            zone: tpr.zone.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[trust-point]
zone = "example."
dnskey-ttl = "1h"
rrsig-validity = "7d"
start = "2020-01-01"
end = "2020-06-01"

[[key]]
name = "A"
algorithm = "ECDSAP256SHA256"

[[key]]
name = "B"
algorithm = 13

[publisher]
event = [
  { at = "2020-01-01", action = "publish", key = "A" },
  { at = "2020-01-01", action = "sign", key = "A" },
  { at = "2020-02-01", action = "publish", key = "B" },
]

[[resolver]]
name = "r"
profile = "unbound"
trusted = ["A"]
persistence = { reset-every = "7d" }
clock-skew = "-2h"
restarts = ["2020-03-01", "2020-02-01"]
outages = [{ from = "2020-04-01", to = "2020-04-05" }]
timers = { add-holddown = "1d", jitter-percent = 0 }
"#;

    fn parse(src: &str) -> Result<Scenario, InputError> {
        Scenario::parse(src, Path::new("s.toml"))
    }

    #[test]
    fn parses_every_resolver_field() {
        let sc = parse(BASE).unwrap();
        assert_eq!(sc.keys.keys.len(), 2);
        let r = &sc.resolvers[0];
        assert_eq!(r.persistence, Persistence::ResetEvery(7 * DAY));
        assert_eq!(r.skew, -7200);
        assert_eq!(
            r.restarts,
            vec![
                parse_instant("2020-02-01").unwrap(),
                parse_instant("2020-03-01").unwrap()
            ]
        );
        assert_eq!(r.params.add_holddown, DAY);
        assert_eq!(r.params.jitter_percent, 0);
        assert_eq!(r.line, 24);
        // resign-every defaults to half the validity.
        assert_eq!(
            sc.timeline.versions[1].from - sc.timeline.versions[0].from,
            3 * DAY + 12 * 3600
        );
        assert_eq!(sc.population.trusted, 1);
    }

    #[test]
    fn keys_can_be_named_by_tag() {
        let sc = parse(BASE).unwrap();
        let tag = sc.keys.keys[1].tag.0.to_string();
        let sc2 =
            parse(&BASE.replace("trusted = [\"A\"]", &format!("trusted = [\"{tag}\"]"))).unwrap();
        assert_eq!(sc2.resolvers[0].trusted, 0b10);
    }

    #[test]
    fn same_seed_same_keys() {
        let a = parse(BASE).unwrap();
        let b = parse(BASE).unwrap();
        assert_eq!(a.keys.keys[0].tag, b.keys.keys[0].tag);
        let c =
            parse(&BASE.replace("zone = \"example.\"", "zone = \"example.\"\nseed = 9")).unwrap();
        assert_ne!(a.keys.keys[0].public_key, c.keys.keys[0].public_key);
    }

    fn err_of(src: &str) -> InputError {
        parse(src).map(|_| ()).unwrap_err()
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let cases: &[(&str, &str, usize, &str)] = &[
            (
                "key = \"B\" },\n]",
                "key = \"C\" },\n]",
                21,
                "unknown key \"C\"; keys are: A, B",
            ),
            (
                "profile = \"unbound\"",
                "profile = \"pdns\"",
                26,
                "unknown profile",
            ),
            (
                "reset-every = \"7d\"",
                "reset-every = \"0d\"",
                28,
                "reset-every must be positive",
            ),
            (
                "persistence = { reset-every = \"7d\" }",
                "persistence = \"volatile\"",
                28,
                "unknown persistence",
            ),
            (
                "to = \"2020-04-05\"",
                "to = \"2020-03-05\"",
                31,
                "an outage must end after it starts",
            ),
            (
                "jitter-percent = 0",
                "jitter-percent = 300",
                32,
                "jitter-percent",
            ),
            ("algorithm = 13", "algorithm = 300", 15, "not 0..255"),
            (
                "end = \"2020-06-01\"",
                "end = \"2019-06-01\"",
                7,
                "end must be after start",
            ),
            ("trusted = [\"A\"]", "trusted = []", 27, "trusts no key"),
            (
                "clock-skew = \"-2h\"",
                "clock-skew = \"-2x\"",
                29,
                "invalid duration",
            ),
            (
                "zone = \"example.\"",
                "zone = \"example.\"\ncolour = \"red\"",
                4,
                "unknown field `colour`",
            ),
        ];
        for (from, to, line, needle) in cases {
            let src = BASE.replace(from, to);
            assert_ne!(src, BASE, "{from}");
            let e = err_of(&src);
            assert_eq!(e.file, "s.toml");
            assert_eq!(e.line, Some(*line), "{needle}: {e}");
            assert!(e.message.contains(needle), "{needle}: {e}");
        }
    }

    #[test]
    fn publisher_errors() {
        let e = err_of(&BASE.replace(
            "action = \"sign\", key = \"A\"",
            "action = \"sign\", key = \"B\"",
        ));
        assert!(
            e.message
                .contains("sign B: a key must be published before it signs"),
            "{e}"
        );
        assert_eq!(e.line, Some(20), "{e}");
        assert!(e.to_string().starts_with("s.toml:20: sign B:"), "{e}");
        let e = err_of(&BASE.replace("[publisher]\n", "[publisher]\nskrs = [\"x.xml\"]\n"));
        assert!(e.message.contains("not both or neither"), "{e}");
    }

    #[test]
    fn attacks_are_checked_and_attached() {
        let ok = format!("{BASE}\n[[attack]]\nkind = \"replay\"\nresolver = \"*\"\ncaptured = \"2020-01-02\"\nfrom = \"2020-02-02\"\nto = \"2020-02-05\"\n");
        let sc = parse(&ok).unwrap();
        assert_eq!(sc.resolvers[0].attacks.len(), 1);
        assert!(sc.resolvers[0].has_outage_or_attack());
        let e = err_of(&ok.replace("resolver = \"*\"", "resolver = \"nobody\""));
        assert!(e.message.contains("no resolver named \"nobody\""));
        let e = err_of(&ok.replace("captured = \"2020-01-02\"\n", ""));
        assert!(e.message.contains("a replay needs captured"));
        let e = err_of(&ok.replace("kind = \"replay\"", "kind = \"flood\""));
        assert!(e.message.contains("unknown attack kind"));
    }
}
