//! The publisher's view of a roll: for every step, the earliest time it is safe
//! for every RFC 5011 resolver, the rule that decides it, and a verdict.
//!
//! The waits follow draft-ietf-dnsop-rfc5011-security-considerations (never an
//! RFC), re-derived here. The worst-case resolver:
//! - may be fed the last RRset signed *without* the new key until that RRSIG
//!   expires (a replay resets its hold-down): sigExpirationTimeRemaining, at most
//!   the full RRSIG validity;
//! - then sees the new key at its next refresh: activeRefresh;
//! - waits the add hold-down, max(30 days, TTL);
//! - trusts the key at its first refresh at or after the hold-down ends; with
//!   refreshes every activeRefresh since the first sighting that is
//!   activeRefreshOffset = (-holdDown) mod activeRefresh later;
//! - and may lose a couple of queries: safetyMargin = 2 x retryTime.
//!
//! addWait = addHoldDown + sigExpirationTimeRemaining + activeRefresh + activeRefreshOffset + safetyMargin.
//! The removal of a revoked key waits the same way with the remove hold-down.

use crate::clock::{Duration, Instant, DAY};
use crate::key::{bits, KeyMask, KeySet};
use crate::publisher::{Action, Step, Timeline};
use crate::refresh::{query_interval, retry_interval, RefreshBounds};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlanParams {
    pub ttl: Duration,
    pub validity: Duration,
    pub add_holddown: Duration,
    pub remove_holddown: Duration,
    /// Overrides the default 2 x retryTime.
    pub safety_margin: Option<Duration>,
}

impl PlanParams {
    pub fn for_trust_point(ttl: Duration, validity: Duration) -> PlanParams {
        PlanParams {
            ttl,
            validity,
            add_holddown: crate::holddown::ADD_HOLDDOWN,
            remove_holddown: crate::holddown::REMOVE_HOLDDOWN,
            safety_margin: None,
        }
    }
    /// RFC 5011 2.3 query interval for a fresh RRSIG of full validity.
    pub fn active_refresh(&self) -> Duration {
        query_interval(self.ttl, self.validity, &RefreshBounds::default())
    }
    pub fn retry(&self) -> Duration {
        retry_interval(self.ttl, self.validity, &RefreshBounds::default())
    }
    pub fn safety(&self) -> Duration {
        self.safety_margin.unwrap_or(2 * self.retry())
    }
    fn offset(&self, holddown: Duration) -> Duration {
        let r = self.active_refresh();
        (r - holddown % r) % r
    }
    /// Wait between publishing a key and relying on it alone.
    pub fn add_wait(&self) -> Duration {
        let hd = self.add_holddown.max(self.ttl);
        hd + self.validity + self.active_refresh() + self.offset(hd) + self.safety()
    }
    /// Wait between revoking a key and removing it.
    pub fn remove_wait(&self) -> Duration {
        let hd = self.remove_holddown;
        hd + self.validity + self.active_refresh() + self.offset(hd) + self.safety()
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
                              addWait = hold-down + remaining RRSIG validity + active refresh + offset + safety margin after it was published",
            Rule::RevokeAfterTrust => "revoking a trust anchor before its successor can be trusted leaves resolvers with no anchor \
                                       (the trust point is deleted)",
            Rule::RemoveWait => "a revoked key must stay published (self-signed) for remove hold-down + remaining RRSIG validity + \
                                 active refresh + offset + safety margin so every resolver sees the revocation",
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
    pub params: PlanParams,
    pub add_wait: Duration,
    pub remove_wait: Duration,
    pub active_refresh: Duration,
    pub safety_margin: Duration,
    pub steps: Vec<StepVerdict>,
}

impl PlanReport {
    pub fn safe(&self) -> bool {
        self.steps.iter().all(|s| s.safe)
    }
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
            pub_since[k].map(|p| p + add_wait)
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
            let mut checks: Vec<(Rule, Option<Instant>, bool)> = Vec::new();
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
                            checks.push((Rule::RemoveWait, Some(ra + remove_wait), true));
                        }
                    }
                    Action::Sign | Action::Unsign => {}
                }
                if matches!(s.action, Action::Publish | Action::Sign | Action::Unsign) {
                    checks.push((Rule::AlgorithmSignatures, alg_ok.then_some(t), false));
                }
            }
            let fails = |e: &Option<Instant>| e.map_or(true, |e| e > t);
            // The deciding rule: among failures the one that lets the step happen
            // last (never = last); otherwise the timing rule that binds hardest;
            // otherwise a structural rule; otherwise none. Ties go to the later
            // (more specific) rule.
            let latest = |it: &mut dyn Iterator<Item = &(Rule, Option<Instant>, bool)>| {
                it.max_by_key(|(_, e, _)| {
                    e.map_or(Instant::MAX, |e| {
                        if e == Instant::MIN {
                            Instant::MIN + 1
                        } else {
                            e
                        }
                    })
                })
                .map(|(r, e, _)| (*r, *e))
            };
            let (rule, earliest) = latest(&mut checks.iter().filter(|c| fails(&c.1)))
                .or_else(|| latest(&mut checks.iter().filter(|c| c.2)))
                .or_else(|| checks.first().map(|c| (c.0, c.1)))
                .unwrap_or((Rule::NoConstraint, Some(t)));
            let failed_checks: Vec<Rule> =
                checks.iter().filter(|c| fails(&c.1)).map(|c| c.0).collect();
            let mut failed: Vec<Rule> = vec![];
            if !failed_checks.is_empty() {
                failed.push(rule);
                failed.extend(failed_checks.iter().copied().filter(|r| *r != rule));
            }
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
        params: *params,
        add_wait,
        remove_wait,
        active_refresh: params.active_refresh(),
        safety_margin: params.safety(),
        steps: out,
    }
}

/// Days, for messages.
pub fn days(d: Duration) -> f64 {
    d as f64 / DAY as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::HOUR;
    use crate::key::SimKey;
    use crate::publisher::Event;

    fn keys(algs: &[u8]) -> KeySet {
        KeySet {
            keys: algs
                .iter()
                .enumerate()
                .map(|(i, a)| SimKey {
                    name: format!("K{i}"),
                    algorithm: *a,
                    public_key: vec![],
                    tag: crate::key::KeyTag(i as u16),
                    revoked_tag: crate::key::KeyTag(0),
                })
                .collect(),
        }
    }

    fn tl(evs: &[(i64, Action, usize)]) -> Timeline {
        let e: Vec<Event> = evs
            .iter()
            .map(|(d, a, k)| Event {
                at: d * DAY,
                action: *a,
                key: *k,
                source: String::new(),
            })
            .collect();
        Timeline::from_events(&e, 2 * DAY, 21 * DAY, 10 * DAY, 1000 * DAY).unwrap()
    }

    #[test]
    fn root_waits() {
        let p = PlanParams::for_trust_point(2 * DAY, 21 * DAY);
        assert_eq!(p.active_refresh(), DAY);
        assert_eq!(p.retry(), 2 * DAY / 10);
        // 30 + 21 + 1 + 0 + 9.6 h
        assert_eq!(p.add_wait(), 52 * DAY + 9 * HOUR + 36 * 60);
        assert_eq!(p.remove_wait(), p.add_wait());
    }

    #[test]
    fn offset_when_holddown_is_not_a_multiple_of_the_refresh() {
        let mut p = PlanParams::for_trust_point(2 * DAY, 21 * DAY);
        p.add_holddown = 30 * DAY + 6 * HOUR;
        p.safety_margin = Some(0);
        assert_eq!(
            p.add_wait(),
            30 * DAY + 6 * HOUR + 21 * DAY + DAY + 18 * HOUR
        );
    }

    use Action::*;

    #[test]
    fn a_patient_roll_is_safe() {
        let t = tl(&[
            (0, Publish, 0),
            (0, Sign, 0),
            (10, Publish, 1),
            (100, Sign, 1),
            (100, Unsign, 0),
            (200, Revoke, 0),
            (260, Remove, 0),
        ]);
        let r = check(
            &t,
            &keys(&[8, 8]),
            &PlanParams::for_trust_point(2 * DAY, 21 * DAY),
        );
        assert!(r.safe(), "{:#?}", r.steps);
    }

    #[test]
    fn early_switch_fails_add_wait() {
        let t = tl(&[
            (0, Publish, 0),
            (0, Sign, 0),
            (10, Publish, 1),
            (40, Sign, 1),
            (40, Unsign, 0),
        ]);
        let r = check(
            &t,
            &keys(&[8, 8]),
            &PlanParams::for_trust_point(2 * DAY, 21 * DAY),
        );
        assert!(!r.safe());
        let bad: Vec<_> = r.steps.iter().filter(|s| !s.safe).collect();
        assert!(bad.iter().all(|s| s.rule == Rule::AddWait));
        assert_eq!(bad[0].earliest, Some(10 * DAY + r.add_wait));
    }

    #[test]
    fn early_revoke_fails_revoke_after_trust() {
        let t = tl(&[
            (0, Publish, 0),
            (0, Sign, 0),
            (10, Publish, 1),
            (10, Sign, 1),
            (30, Revoke, 0),
        ]);
        let r = check(
            &t,
            &keys(&[8, 8]),
            &PlanParams::for_trust_point(2 * DAY, 21 * DAY),
        );
        let rev = r.steps.iter().find(|s| s.step.action == Revoke).unwrap();
        assert!(!rev.safe);
        assert!(rev.failed.contains(&Rule::RevokeAfterTrust));
    }

    #[test]
    fn early_removal_of_a_revoked_key_fails_remove_wait() {
        let t = tl(&[
            (0, Publish, 0),
            (0, Sign, 0),
            (10, Publish, 1),
            (100, Sign, 1),
            (100, Unsign, 0),
            (200, Revoke, 0),
            (210, Remove, 0),
        ]);
        let r = check(
            &t,
            &keys(&[8, 8]),
            &PlanParams::for_trust_point(2 * DAY, 21 * DAY),
        );
        let rm = r.steps.iter().find(|s| s.step.action == Remove).unwrap();
        assert_eq!((rm.safe, rm.rule), (false, Rule::RemoveWait));
    }

    #[test]
    fn unsigned_new_algorithm_fails_algorithm_signatures() {
        let t = tl(&[(0, Publish, 0), (0, Sign, 0), (10, Publish, 1)]);
        let r = check(
            &t,
            &keys(&[8, 13]),
            &PlanParams::for_trust_point(2 * DAY, 21 * DAY),
        );
        let p = r
            .steps
            .iter()
            .find(|s| s.step.action == Publish && s.step.key == 1)
            .unwrap();
        assert_eq!(
            (p.safe, p.rule, p.earliest),
            (false, Rule::AlgorithmSignatures, None)
        );
    }

    #[test]
    fn a_sixth_key_fails_five_keys() {
        let t = tl(&[
            (0, Publish, 0),
            (0, Sign, 0),
            (1, Publish, 1),
            (1, Publish, 2),
            (1, Publish, 3),
            (1, Publish, 4),
            (2, Publish, 5),
        ]);
        let r = check(
            &t,
            &keys(&[8; 6]),
            &PlanParams::for_trust_point(2 * DAY, 21 * DAY),
        );
        assert!(r
            .steps
            .iter()
            .filter(|s| !s.safe)
            .all(|s| s.rule == Rule::FiveKeys && s.step.key == 5));
        assert!(!r.safe());
    }
}
