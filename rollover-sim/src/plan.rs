//! The publisher's view of a roll: for every step, the earliest time it is safe
//! for every RFC 5011 resolver, the rule that decides it, and a verdict.
//!
//! The waits follow the final revision of "Security Considerations for RFC5011
//! Publishers", draft-ietf-dnsop-rfc5011-security-considerations-13 (July 2018;
//! it expired and never became an RFC), its "Wait Timer Based Calculation"
//! sections (docs/rfc5011.md walks through them):
//!
//!   addWaitTime = addHoldDownTime + sigExpirationTimeRemaining + activeRefresh
//!                 + timingSafetyMargin + retrySafetyMargin
//!   remWaitTime = sigExpirationTimeRemaining + activeRefresh
//!                 + timingSafetyMargin + retrySafetyMargin
//!
//! with timingSafetyMargin = activeRefresh (the largest of activeRefreshOffset,
//! clockskewDriftMargin and retryDriftMargin) and retrySafetyMargin =
//! retryCountWait x retryTime, retryCountWait = log base 1/(1 - successRate) of
//! numResolvers (the draft's lookup table). Earlier revisions used activeRefreshOffset alone as the
//! timing margin; `legacy_offset` keeps that for comparison.

use crate::clock::{Duration, Instant};
use crate::key::{bits, KeyMask, KeySet};
use crate::publisher::{Action, Step, Timeline};
use crate::refresh::{query_interval, retry_interval, RefreshBounds};
use serde::Serialize;

/// The draft revision the waits follow.
pub const DRAFT: &str = "draft-ietf-dnsop-rfc5011-security-considerations-13";

/// Default retrySafetyMargin inputs: a 90 % chance that one retry succeeds and
/// a million resolvers give retryCountWait 6 (the draft's lookup table).
pub const DEFAULT_SUCCESS_RATE: f64 = 0.9;
pub const DEFAULT_RESOLVERS: u64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlanParams {
    pub ttl: Duration,
    pub validity: Duration,
    pub add_holddown: Duration,
    /// RFC 5011's remove hold-down; the draft's removal wait does not use it.
    pub remove_holddown: Duration,
    /// Sets retrySafetyMargin directly (scenario `safety-margin`).
    pub safety_margin: Option<Duration>,
    /// successRate and numResolvers of the draft's retryCountWait.
    pub success_rate: f64,
    pub resolvers: u64,
    /// timingSafetyMargin = activeRefreshOffset, as earlier revisions had it.
    pub legacy_offset: bool,
}

impl PlanParams {
    pub fn for_trust_point(ttl: Duration, validity: Duration) -> PlanParams {
        PlanParams {
            ttl,
            validity,
            add_holddown: crate::holddown::ADD_HOLDDOWN,
            remove_holddown: crate::holddown::REMOVE_HOLDDOWN,
            safety_margin: None,
            success_rate: DEFAULT_SUCCESS_RATE,
            resolvers: DEFAULT_RESOLVERS,
            legacy_offset: false,
        }
    }
    /// RFC 5011 2.3 query interval for a fresh RRSIG of full validity.
    pub fn active_refresh(&self) -> Duration {
        query_interval(self.ttl, self.validity, &RefreshBounds::default())
    }
    /// RFC 5011 2.3 retryTime for a fresh RRSIG.
    pub fn retry(&self) -> Duration {
        retry_interval(self.ttl, self.validity, &RefreshBounds::default())
    }
    /// retryCountWait = ceil(log(numResolvers) / log(1 / (1 - successRate))).
    pub fn retry_count_wait(&self) -> u32 {
        let p = self.success_rate.clamp(1e-9, 1.0 - 1e-9);
        let n = (self.resolvers.max(1) as f64).ln() / (1.0 / (1.0 - p)).ln();
        // A hair below an integer is that integer (log of a power of ten).
        (n - 1e-9).ceil().max(0.0) as u32
    }
    /// retrySafetyMargin = retryCountWait x retryTime, unless set.
    pub fn retry_margin(&self) -> Duration {
        self.safety_margin
            .unwrap_or_else(|| Duration::from(self.retry_count_wait()).saturating_mul(self.retry()))
    }
    fn terms(&self, holddown: Duration) -> WaitTerms {
        let refresh = self.active_refresh();
        WaitTerms {
            holddown,
            // Worst case: the last RRSIG made before the change has its full validity left.
            sig_expiration_remaining: self.validity,
            active_refresh: refresh,
            timing_safety_margin: if self.legacy_offset {
                // activeRefreshOffset: from the hold-down's end to the next refresh.
                (refresh - holddown % refresh) % refresh
            } else {
                refresh
            },
            retry_safety_margin: self.retry_margin(),
        }
    }
    /// Terms of the wait between publishing a key and relying on it alone; the
    /// hold-down is max(add hold-down, TTL) (RFC 5011 2.4.1).
    pub fn add_terms(&self) -> WaitTerms {
        self.terms(self.add_holddown.max(self.ttl))
    }
    /// Terms of the wait between revoking a key and removing it: the draft's
    /// remWaitTime has no hold-down term, revocation being immediate.
    pub fn remove_terms(&self) -> WaitTerms {
        self.terms(0)
    }
    /// Wait between publishing a key and relying on it alone.
    pub fn add_wait(&self) -> Duration {
        self.add_terms().total()
    }
    /// Wait between revoking a key and removing it.
    pub fn remove_wait(&self) -> Duration {
        self.remove_terms().total()
    }
}

/// The terms of a publisher wait, named as in the draft, so a report can show the sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WaitTerms {
    /// addHoldDownTime (0 for a removal).
    pub holddown: Duration,
    /// sigExpirationTimeRemaining: how long a replayed RRset from before the
    /// change still validates; bounded by the RRSIG validity.
    pub sig_expiration_remaining: Duration,
    /// activeRefresh: RFC 5011 2.3 query interval.
    pub active_refresh: Duration,
    /// timingSafetyMargin: activeRefresh (or activeRefreshOffset with the legacy flag).
    pub timing_safety_margin: Duration,
    /// retrySafetyMargin: retryCountWait x retryTime unless the scenario sets it.
    pub retry_safety_margin: Duration,
}

impl WaitTerms {
    /// The sum, never shorter than any term: a negative term counts as zero
    /// and the sum saturates, so no input can make a wait shorter (an
    /// overflow wrapping to a negative wait would make every step "safe").
    pub fn total(&self) -> Duration {
        [
            self.holddown,
            self.sig_expiration_remaining,
            self.active_refresh,
            self.timing_safety_margin,
            self.retry_safety_margin,
        ]
        .iter()
        .fold(0, |sum: Duration, t| sum.saturating_add((*t).max(0)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Rule {
    /// The first RRset: the configured anchors.
    #[serde(rename = "initial")]
    Initial,
    /// No timing constraint on this step.
    #[serde(rename = "no-constraint")]
    NoConstraint,
    /// The RRset must be signed by a key every resolver can already trust.
    #[serde(rename = "add-wait")]
    AddWait,
    /// A key may be revoked only once a successor can be trusted.
    #[serde(rename = "revoke-after-trust")]
    RevokeAfterTrust,
    /// A revoked key stays published until every resolver has seen the revocation.
    #[serde(rename = "remove-wait")]
    RemoveWait,
    /// RFC 5011 2.4: resolvers need only track 5 SEP keys.
    #[serde(rename = "five-keys")]
    FiveKeys,
    /// RFC 4035 2.2: an RRSIG for each algorithm in the DNSKEY RRset.
    #[serde(rename = "algorithm-signatures")]
    AlgorithmSignatures,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::Initial => "initial",
            Rule::NoConstraint => "no-constraint",
            Rule::AddWait => "add-wait",
            Rule::RevokeAfterTrust => "revoke-after-trust",
            Rule::RemoveWait => "remove-wait",
            Rule::FiveKeys => "five-keys",
            Rule::AlgorithmSignatures => "algorithm-signatures",
        }
    }
    pub fn explain(self) -> &'static str {
        match self {
            Rule::Initial => "the starting RRset; its signers are the configured trust anchors",
            Rule::NoConstraint => "safe at any time",
            Rule::AddWait => "the RRset must stay signed by a key every resolver trusts: a new key is trusted everywhere only \
                              addWaitTime = addHoldDownTime + sigExpirationTimeRemaining + activeRefresh + timingSafetyMargin + \
                              retrySafetyMargin after it was published (draft-ietf-dnsop-rfc5011-security-considerations-13)",
            Rule::RevokeAfterTrust => "revoking a trust anchor before its successor can be trusted leaves resolvers with no anchor \
                                       (the trust point is deleted)",
            Rule::RemoveWait => "a revoked key must stay published (self-signed) for remWaitTime = sigExpirationTimeRemaining + \
                                 activeRefresh + timingSafetyMargin + retrySafetyMargin so every resolver sees the revocation \
                                 (draft-ietf-dnsop-rfc5011-security-considerations-13)",
            Rule::FiveKeys => "RFC 5011 2.4 only requires resolvers to track 5 SEP keys",
            Rule::AlgorithmSignatures => "RFC 4035 2.2: the DNSKEY RRset needs an RRSIG by a key of each algorithm it contains",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepVerdict {
    pub step: Step,
    pub key_name: String,
    /// Earliest safe time; `None`: never safe as planned (the RRset itself is wrong).
    #[serde(serialize_with = "crate::clock::ser::opt_instant")]
    pub earliest: Option<Instant>,
    pub rule: Rule,
    pub safe: bool,
    /// Every rule that failed (the deciding one first).
    pub failed: Vec<Rule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    /// The draft revision whose formulas give the waits.
    pub draft: &'static str,
    pub params: PlanParams,
    pub add_wait: Duration,
    pub remove_wait: Duration,
    pub add_terms: WaitTerms,
    pub remove_terms: WaitTerms,
    /// retryTime (RFC 5011 2.3) for a fresh RRSIG.
    pub retry: Duration,
    /// retryCountWait from successRate and numResolvers (the draft's lookup table).
    pub retry_count_wait: u32,
    pub steps: Vec<StepVerdict>,
}

impl PlanReport {
    pub fn safe(&self) -> bool {
        self.steps.iter().all(|s| s.safe)
    }
}

/// One rule applied to one step: (rule, earliest time the rule allows the step
/// or `None` for never, whether the rule is about timing).
type Check = (Rule, Option<Instant>, bool);

/// The verdict on a step planned at `t`: the deciding rule with its earliest
/// time, and every rule that fails (the deciding one first, empty when safe).
/// The deciding rule: among failures the one that lets the step happen last
/// (never = last); otherwise the timing rule that binds hardest; otherwise a
/// structural rule; otherwise none. Ties go to the later (more specific) rule.
fn decide(checks: &[Check], t: Instant) -> (Rule, Option<Instant>, Vec<Rule>) {
    let fails = |c: &&Check| c.1.map_or(true, |e| e > t);
    // `Instant::MIN` (an initial anchor, trusted from the start) still ranks
    // above "no time at all" so a timing rule wins over a structural one.
    let latest = |it: &mut dyn Iterator<Item = &Check>| {
        it.max_by_key(|(_, e, _)| e.map_or(Instant::MAX, |e| e.max(Instant::MIN + 1)))
            .map(|(r, e, _)| (*r, *e))
    };
    let (rule, earliest) = latest(&mut checks.iter().filter(fails))
        .or_else(|| latest(&mut checks.iter().filter(|c| c.2)))
        .or_else(|| checks.first().map(|c| (c.0, c.1)))
        .unwrap_or((Rule::NoConstraint, Some(t)));
    let mut failed: Vec<Rule> = Vec::new();
    let failing: Vec<Rule> = checks.iter().filter(fails).map(|c| c.0).collect();
    if !failing.is_empty() {
        failed.push(rule);
        failed.extend(failing.into_iter().filter(|r| *r != rule));
    }
    (rule, earliest, failed)
}

pub fn check(timeline: &Timeline, keys: &KeySet, params: &PlanParams) -> PlanReport {
    let add_wait = params.add_wait();
    let remove_wait = params.remove_wait();
    let initial: KeyMask = timeline
        .versions
        .first()
        .map(|v| v.rrset.validating_signers())
        .unwrap_or(0);
    let first_at = timeline.versions.first().map(|v| v.from);
    // Per key: start of its current unrevoked publication, and when it was revoked.
    let mut pub_since: [Option<Instant>; crate::key::MAX_KEYS] = [None; crate::key::MAX_KEYS];
    let mut revoked_at: [Option<Instant>; crate::key::MAX_KEYS] = [None; crate::key::MAX_KEYS];
    let trust_time = |k: usize, pub_since: &[Option<Instant>]| -> Option<Instant> {
        if initial & (1 << k) != 0 {
            Some(Instant::MIN)
        } else {
            pub_since[k].map(|p| p.saturating_add(add_wait))
        }
    };
    let steps = timeline.steps();
    let mut out = Vec::new();
    let mut si = 0;
    for v in &timeline.versions {
        let r = v.rrset;
        let here: Vec<Step> = steps[si..]
            .iter()
            .take_while(|s| s.at == v.from)
            .cloned()
            .collect();
        si += here.len();
        if here.is_empty() {
            continue;
        }
        for k in bits(r.present()) {
            pub_since[k].get_or_insert(v.from);
        }
        for k in bits(!r.present()) {
            if k < crate::key::MAX_KEYS {
                pub_since[k] = None;
            }
        }
        for k in bits(r.revoked) {
            revoked_at[k].get_or_insert(v.from);
        }
        // The RRset as a whole after this version's steps.
        let signers = r.validating_signers();
        let signer_trust = bits(signers)
            .filter_map(|k| trust_time(k, &pub_since))
            .min();
        let algs_published: Vec<u8> = bits(r.present()).map(|k| keys.keys[k].algorithm).collect();
        let algs_signing: Vec<u8> = bits(signers).map(|k| keys.keys[k].algorithm).collect();
        let alg_ok = algs_published.iter().all(|a| algs_signing.contains(a));
        for s in here {
            let t = s.at;
            // (rule, earliest safe time or None for never, whether the rule is about timing)
            let mut checks: Vec<Check> = Vec::new();
            if Some(t) == first_at {
                checks.push((Rule::Initial, Some(t), false));
            } else {
                // Any change that leaves the RRset signed only by keys not yet
                // trusted everywhere is an early switch.
                if signers & initial == 0 {
                    checks.push((Rule::AddWait, signer_trust, true));
                }
                match s.action {
                    Action::Publish => {
                        checks.push((
                            Rule::FiveKeys,
                            (r.published.count_ones() <= 5).then_some(t),
                            false,
                        ));
                    }
                    Action::Revoke => {
                        let others = r.present() & !(1 << s.key);
                        let succ = bits(others).filter_map(|k| trust_time(k, &pub_since)).min();
                        checks.push((Rule::RevokeAfterTrust, succ, true));
                    }
                    Action::Remove => {
                        if let Some(ra) = revoked_at[s.key] {
                            let at = ra.saturating_add(remove_wait);
                            checks.push((Rule::RemoveWait, Some(at), true));
                        }
                    }
                    Action::Sign | Action::Unsign => {}
                }
                if matches!(s.action, Action::Publish | Action::Sign | Action::Unsign) {
                    checks.push((Rule::AlgorithmSignatures, alg_ok.then_some(t), false));
                }
            }
            let (rule, earliest, failed) = decide(&checks, t);
            let earliest = earliest.map(|e| {
                if e == Instant::MIN {
                    t.min(first_at.unwrap_or(t))
                } else {
                    e
                }
            });
            out.push(StepVerdict {
                key_name: keys.keys[s.key].name.clone(),
                step: s,
                earliest,
                rule,
                safe: failed.is_empty(),
                failed,
            });
        }
    }
    PlanReport {
        draft: DRAFT,
        params: *params,
        add_wait,
        remove_wait,
        add_terms: params.add_terms(),
        remove_terms: params.remove_terms(),
        retry: params.retry(),
        retry_count_wait: params.retry_count_wait(),
        steps: out,
    }
}

#[cfg(test)]
mod tests;
