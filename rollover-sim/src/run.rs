//! `run`: every scenario resolver simulated in full detail.

use crate::clock::{format_instant, Instant};
use crate::key::{bits, KeyMask, MAX_KEYS};
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub from: Instant,
    #[serde(serialize_with = "crate::clock::ser::opt_instant")]
    pub to: Option<Instant>,
    /// Why the resolver cannot validate the RRset served when the period starts,
    /// with the RFC 5011 rule that keeps each signing key from being an anchor.
    pub cause: String,
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
    /// Periods with the trust point deleted (no anchor left and the profile
    /// deletes it): answers are insecure, not failed, and not validated either.
    pub insecure: Vec<Period>,
    /// When and why the resolver stopped for good (or never started).
    #[serde(serialize_with = "crate::clock::ser::opt_instant")]
    pub stopped_at: Option<Instant>,
    pub stopped: Option<String>,
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
    /// Failed, went insecure, or stopped: at some point it did not validate.
    pub fn failed(&self) -> bool {
        !self.failures.is_empty() || !self.insecure.is_empty() || self.stopped.is_some()
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
    spec: &'a ResolverSpec,
    /// The resolver's key states as its key changes report them.
    states: [KeyState; MAX_KEYS],
    r: ResolverReport,
}

/// Why a key that signs the RRset is not one of this resolver's trust anchors.
fn not_an_anchor(state: KeyState) -> &'static str {
    match state {
        KeyState::Start => {
            "unknown here (never seen in a validated RRset, or forgotten: on a reset, or by a \
             profile that forgets removed keys)"
        }
        KeyState::AddPend => {
            "still in its add hold-down here (RFC 5011 2.4.1: trusted only after it)"
        }
        KeyState::Revoked => "revoked here (RFC 5011 2.1: revocation is permanent)",
        KeyState::Removed => {
            "removed here (revoked past its remove hold-down, or missing past keep-missing)"
        }
        KeyState::Valid | KeyState::Missing => "a trust anchor",
    }
}

impl Recorder<'_> {
    /// Why the RRset served at `t` does not validate for this resolver.
    fn cause(&self, t: Instant) -> String {
        let rrset = self.sc.timeline.at(t);
        let clock = t + self.spec.skew;
        if !rrset.signature_current(clock) {
            return format!(
                "the RRSIG (valid {} to {}) is outside its validity on the resolver's clock ({})",
                format_instant(rrset.inception),
                format_instant(rrset.expiration),
                format_instant(clock)
            );
        }
        let keys = &self.sc.keys;
        let signers = rrset.validating_signers();
        if signers == 0 {
            return "no key signs the DNSKEY RRset".into();
        }
        let why: Vec<String> = bits(signers)
            .map(|k| {
                format!(
                    "{}, which is {}",
                    keys.keys[k].name,
                    not_an_anchor(self.states[k])
                )
            })
            .collect();
        let anchors: KeyMask = (0..keys.keys.len())
            .filter(|k| self.states[*k].is_anchor())
            .fold(0, |m, k| m | 1 << k);
        let held = if anchors == 0 {
            "it has no trust anchor left".to_string()
        } else {
            let names: Vec<String> = bits(anchors)
                .map(|k| {
                    let name = &keys.keys[k].name;
                    if rrset.self_signed_revocations() & (1 << k) != 0 {
                        format!("{name} (which this RRset revokes)")
                    } else {
                        name.clone()
                    }
                })
                .collect();
            format!("its trust anchors are {}", names.join(", "))
        };
        format!("the RRset is signed only by {}; {}", why.join("; "), held)
    }
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
        self.states[key] = to;
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
            let cause = self.cause(t);
            self.r.failures.push(Period {
                from: t,
                to: None,
                cause,
            });
        } else if let Some(p) = self.r.failures.last_mut() {
            p.to = Some(t);
            if p.from == t {
                // Failing only between two events at the same instant (the
                // publisher's change, then the probe that deletes the trust point).
                self.r.failures.pop();
            }
        }
    }
    fn insecure(&mut self, t: Instant, insecure: bool) {
        if insecure {
            self.r.insecure.push(Period {
                from: t,
                to: None,
                cause: "no trust anchor left (all revoked or removed): the profile deletes the \
                        trust point and the zone is treated as unsigned"
                    .into(),
            });
        } else if let Some(p) = self.r.insecure.last_mut() {
            p.to = Some(t);
        }
    }
    fn stopped(&mut self, t: Instant, why: &'static str) {
        self.r.stopped_at = Some(t);
        self.r.stopped = Some(why.to_string());
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
    let mut states = [KeyState::Start; MAX_KEYS];
    for k in bits(spec.trusted) {
        states[k] = KeyState::Valid;
    }
    let mut rec = Recorder {
        sc,
        spec,
        states,
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
            insecure: vec![],
            stopped_at: None,
            stopped: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn shipped(name: &str) -> Scenario {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name);
        Scenario::load(&p).unwrap_or_else(|e| panic!("{e}"))
    }

    fn resolver<'a>(rep: &'a RunReport, name: &str) -> &'a ResolverReport {
        rep.resolvers.iter().find(|r| r.name == name).unwrap()
    }

    #[test]
    fn a_failure_names_why_the_signer_is_not_an_anchor() {
        let rep = run(&shipped("offline-holddown.toml"));
        let f = &resolver(&rep, "offline-through-holddown").failures;
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].cause
                .contains("KSK-2017, which is still in its add hold-down"),
            "{}",
            f[0].cause
        );
        assert!(f[0].cause.ends_with("its trust anchors are KSK-2010"));
        assert!(resolver(&rep, "always-online").failures.is_empty());
        assert!(
            rep.unexpected_failures().is_empty(),
            "only the broken one fails"
        );

        let rep = run(&shipped("readonly-state.toml"));
        let f = &resolver(&rep, "state-lost-on-restart").failures[0];
        assert!(
            f.cause.contains("KSK-2017, which is unknown here"),
            "{}",
            f.cause
        );
        // Unbound exits at its first write, BIND never starts (item 8).
        let u = resolver(&rep, "unbound-read-only");
        assert_eq!(u.stopped_at, Some(rep.start));
        assert!(u.stopped.as_deref().unwrap().contains("cannot write"));
        assert_eq!(u.probes.len(), 1);
        let b = resolver(&rep, "bind-read-only");
        assert!(b.probes.is_empty() && b.stopped.as_deref().unwrap().contains("refused to start"));
        assert!(resolver(&rep, "saved-state-restarted").failures.is_empty());
        assert_eq!(rep.unexpected_failures().len(), 3);

        let rep = run(&shipped("early-revoke.toml"));
        // RFC 5011 4.2 deletes the trust point: insecure, not failing; BIND
        // (fail_secure) fails.
        let rfc = resolver(&rep, "always-online");
        assert!(rfc.failures.is_empty() && rfc.insecure.len() == 1);
        let f = &resolver(&rep, "bind").failures[0];
        assert!(
            f.cause.contains("KSK-2010 (which this RRset revokes)"),
            "{}",
            f.cause
        );
    }

    /// BIND zone.c `keyfetch_done` under a replay: the replayed answers restart
    /// the pending key's timer, so BIND fails at the early switch too.
    #[test]
    fn keyfetch_done_bind_fails_under_the_replay() {
        let rep = run(&shipped("replay-attack.toml"));
        let b = resolver(&rep, "bind-victim");
        assert_eq!(b.failures.len(), 1);
        assert_eq!(format_instant(b.failures[0].from), "2017-08-20T00:00:00Z");
        assert!(resolver(&rep, "bystander").failures.is_empty());
    }

    #[test]
    fn a_skewed_clock_fails_on_signature_validity() {
        let src = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/offline-holddown.toml"),
        )
        .unwrap()
        .replace(
            "outages = [{ from = \"2017-07-05\", to = \"2017-09-10\" }]",
            "clock-skew = \"30d\"",
        );
        let sc = Scenario::parse(&src, Path::new("skew.toml")).unwrap();
        let rep = run(&sc);
        let r = resolver(&rep, "offline-through-holddown");
        assert!(!r.deliberately_broken);
        assert_eq!(r.failures[0].from, sc.start);
        assert!(
            r.failures[0]
                .cause
                .contains("outside its validity on the resolver's clock"),
            "{}",
            r.failures[0].cause
        );
        assert_eq!(rep.unexpected_failures().len(), 1);
    }
}
