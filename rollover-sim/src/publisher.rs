//! The publisher: the trust point's DNSKEY RRset over time, which keys are in
//! it, which carry the REVOKE bit, and which keys sign it.
//!
//! A timeline is a list of [`Version`]s, each in force from its start until the
//! next one. It is built from scenario events (`publish`, `sign`, `unsign`,
//! `revoke`, `remove`) with periodic re-signing, or replayed from SKR bundles.

use crate::clock::{Duration, Instant};
use crate::key::{bits, KeyMask, KeySet};
use serde::Serialize;

/// The DNSKEY RRset as served at some moment (only what RFC 5011 looks at).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Rrset {
    /// SEP keys in the RRset (with or without the REVOKE bit).
    pub published: KeyMask,
    /// The subset published with the REVOKE bit.
    pub revoked: KeyMask,
    /// Keys whose RRSIG covers the RRset.
    pub signing: KeyMask,
    /// Original TTL of the RRset.
    pub ttl: Duration,
    /// RRSIG inception and expiration.
    pub inception: Instant,
    pub expiration: Instant,
}

impl Rrset {
    /// Keys present without the REVOKE bit: what "the key is in the RRset" means for
    /// NewKey/KeyPres/KeyRem (a revoked DNSKEY is a different record).
    pub fn present(&self) -> KeyMask {
        self.published & !self.revoked
    }
    /// Keys whose signature can validate the RRset for a resolver that trusts them.
    pub fn validating_signers(&self) -> KeyMask {
        self.signing & self.published & !self.revoked
    }
    /// Revoked keys that signed the RRset themselves: the only revocations that count.
    pub fn self_signed_revocations(&self) -> KeyMask {
        self.revoked & self.signing & self.published
    }
    /// Whether a resolver whose clock reads `now` accepts the RRSIG's validity window.
    pub fn signature_current(&self, now: Instant) -> bool {
        self.inception <= now && now <= self.expiration
    }
}

/// What changed in the RRset at a version boundary, for the publisher's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Action {
    #[serde(rename = "publish")]
    Publish,
    #[serde(rename = "sign")]
    Sign,
    #[serde(rename = "unsign")]
    Unsign,
    #[serde(rename = "revoke")]
    Revoke,
    #[serde(rename = "remove")]
    Remove,
}

impl Action {
    pub fn parse(s: &str) -> Result<Action, String> {
        match s {
            "publish" => Ok(Action::Publish),
            "sign" => Ok(Action::Sign),
            "unsign" => Ok(Action::Unsign),
            "revoke" => Ok(Action::Revoke),
            "remove" => Ok(Action::Remove),
            _ => Err(format!(
                "unknown action {s:?}; use publish, sign, unsign, revoke or remove"
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Action::Publish => "publish",
            Action::Sign => "sign",
            Action::Unsign => "unsign",
            Action::Revoke => "revoke",
            Action::Remove => "remove",
        }
    }
}

/// A publisher event that cannot happen in the RRset as it stands then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    /// Index of the event in the slice given to [`Timeline::from_events`].
    pub index: usize,
    /// What is wrong, e.g. "a key must be published before it signs".
    pub message: String,
}

/// One publisher event as a scenario states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: Instant,
    pub action: Action,
    pub key: usize,
    /// Where it came from, for messages (`scenario.toml line 31`).
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub from: Instant,
    pub rrset: Rrset,
    /// Where this RRset came from (scenario line, SKR bundle, or "re-sign").
    pub source: String,
}

/// A change of the RRset: one key, one action, at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    #[serde(serialize_with = "crate::clock::ser::instant")]
    pub at: Instant,
    pub action: Action,
    pub key: usize,
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Timeline {
    pub versions: Vec<Version>,
}

impl Timeline {
    /// Builds the timeline from events. Signatures are made whenever the RRset
    /// changes and again every `resign_every`, each valid for `validity`.
    /// An error names the offending event by its index in `events`.
    pub fn from_events(
        events: &[Event],
        ttl: Duration,
        validity: Duration,
        resign_every: Duration,
        end: Instant,
    ) -> Result<Timeline, EventError> {
        // Stable: events at the same time apply in the order they are written.
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|i| events[*i].at);
        let mut versions: Vec<Version> = Vec::new();
        let mut cur = Rrset {
            ttl,
            ..Rrset::default()
        };
        let mut last_signed: Option<Instant> = None;
        let mut i = 0;
        loop {
            let next_event = order.get(i).map(|e| events[*e].at);
            let next_resign = last_signed
                .map(|t| t + resign_every)
                .filter(|_| resign_every > 0);
            let t = match (next_event, next_resign) {
                (Some(e), Some(r)) => e.min(r),
                (Some(e), None) => e,
                (None, Some(r)) => r,
                (None, None) => break,
            };
            if t > end {
                break;
            }
            let mut source = String::from("re-sign");
            let mut sources = Vec::new();
            while i < order.len() && events[order[i]].at == t {
                let e = &events[order[i]];
                let bit: KeyMask = 1 << e.key;
                let err = |why: &str| EventError {
                    index: order[i],
                    message: why.to_string(),
                };
                match e.action {
                    Action::Publish => {
                        if cur.published & bit != 0 {
                            return Err(err("the key is already published"));
                        }
                        cur.published |= bit;
                    }
                    Action::Sign => {
                        if cur.published & bit == 0 {
                            return Err(err("a key must be published before it signs"));
                        }
                        cur.signing |= bit;
                    }
                    Action::Unsign => cur.signing &= !bit,
                    Action::Revoke => {
                        if cur.published & bit == 0 {
                            return Err(err("only a published key can be revoked"));
                        }
                        // RFC 5011 2.1: the revoked key signs the RRset itself.
                        cur.revoked |= bit;
                        cur.signing |= bit;
                    }
                    Action::Remove => {
                        cur.published &= !bit;
                        cur.signing &= !bit;
                        cur.revoked &= !bit;
                    }
                }
                sources.push(e.source.clone());
                i += 1;
            }
            if !sources.is_empty() {
                source = sources.join(", ");
            }
            cur.inception = t;
            cur.expiration = t + validity;
            last_signed = Some(t);
            match versions.last_mut() {
                Some(v) if v.from == t => {
                    v.rrset = cur;
                    v.source = source;
                }
                _ => versions.push(Version {
                    from: t,
                    rrset: cur,
                    source,
                }),
            }
        }
        Ok(Timeline { versions })
    }

    /// The RRset in force at `t` (empty before the first version).
    pub fn at(&self, t: Instant) -> Rrset {
        match self.index_at(t) {
            Some(i) => self.versions[i].rrset,
            None => Rrset::default(),
        }
    }

    pub fn index_at(&self, t: Instant) -> Option<usize> {
        let n = self.versions.partition_point(|v| v.from <= t);
        n.checked_sub(1)
    }

    /// The RRset changes key by key, in time order (re-signing alone is no step).
    pub fn steps(&self) -> Vec<Step> {
        let mut out = Vec::new();
        let mut prev = Rrset::default();
        for v in &self.versions {
            let r = v.rrset;
            let mut push = |mask: KeyMask, action| {
                for k in bits(mask) {
                    out.push(Step {
                        at: v.from,
                        action,
                        key: k,
                        source: v.source.clone(),
                    });
                }
            };
            push(r.published & !prev.published, Action::Publish);
            push(r.revoked & !prev.revoked, Action::Revoke);
            push(
                r.signing & !prev.signing & !(r.revoked & !prev.revoked),
                Action::Sign,
            );
            push(prev.signing & !r.signing & r.published, Action::Unsign);
            push(prev.published & !r.published, Action::Remove);
            prev = r;
        }
        out
    }

    /// Keys ever published.
    pub fn keys_seen(&self) -> KeyMask {
        self.versions.iter().fold(0, |m, v| m | v.rrset.published)
    }

    /// A readable one-liner of an RRset.
    pub fn describe(keys: &KeySet, r: &Rrset) -> String {
        let names = |m| keys.names(m).join("+");
        format!(
            "published {} / signing {}{}",
            names(r.published & !r.revoked),
            names(r.signing),
            if r.revoked != 0 {
                format!(" / revoked {}", names(r.revoked))
            } else {
                String::new()
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::DAY;

    fn ev(at: Instant, action: Action, key: usize) -> Event {
        Event {
            at,
            action,
            key,
            source: "test".into(),
        }
    }

    #[test]
    fn events_build_versions_and_resign() {
        let tl = Timeline::from_events(
            &[
                ev(0, Action::Publish, 0),
                ev(0, Action::Sign, 0),
                ev(15 * DAY, Action::Publish, 1),
            ],
            2 * DAY,
            21 * DAY,
            10 * DAY,
            30 * DAY,
        )
        .unwrap();
        let froms: Vec<_> = tl.versions.iter().map(|v| v.from / DAY).collect();
        assert_eq!(froms, vec![0, 10, 15, 25]);
        assert_eq!(tl.at(12 * DAY).expiration, 31 * DAY);
        assert_eq!(tl.at(16 * DAY).published, 0b11);
        assert_eq!(tl.at(-1).published, 0);
    }

    #[test]
    fn revoke_self_signs() {
        let tl = Timeline::from_events(
            &[
                ev(0, Action::Publish, 0),
                ev(0, Action::Sign, 0),
                ev(5, Action::Revoke, 0),
            ],
            100,
            1000,
            0,
            10,
        )
        .unwrap();
        let r = tl.at(5);
        assert_eq!(r.self_signed_revocations(), 1);
        assert_eq!(r.present(), 0);
        assert_eq!(r.validating_signers(), 0);
    }

    #[test]
    fn signing_before_publishing_is_refused() {
        let err = Timeline::from_events(
            &[ev(0, Action::Publish, 1), ev(0, Action::Sign, 0)],
            1,
            1,
            0,
            1,
        )
        .unwrap_err();
        assert_eq!(err.index, 1, "names the offending event");
        assert!(err.message.contains("published before it signs"), "{err:?}");
        let err = Timeline::from_events(
            &[ev(5, Action::Publish, 0), ev(0, Action::Publish, 0)],
            1,
            1,
            0,
            10,
        )
        .unwrap_err();
        assert_eq!(
            (err.index, err.message.as_str()),
            (0, "the key is already published"),
            "the later event is the one at fault, whatever the file order"
        );
    }

    #[test]
    fn steps_diff_versions() {
        let tl = Timeline::from_events(
            &[
                ev(0, Action::Publish, 0),
                ev(0, Action::Sign, 0),
                ev(5, Action::Publish, 1),
                ev(9, Action::Sign, 1),
                ev(9, Action::Unsign, 0),
                ev(12, Action::Revoke, 0),
                ev(20, Action::Remove, 0),
            ],
            100,
            1000,
            0,
            30,
        )
        .unwrap();
        let s: Vec<_> = tl.steps().iter().map(|s| (s.at, s.action, s.key)).collect();
        assert_eq!(
            s,
            vec![
                (0, Action::Publish, 0),
                (0, Action::Sign, 0),
                (5, Action::Publish, 1),
                (9, Action::Sign, 1),
                (9, Action::Unsign, 0),
                (12, Action::Revoke, 0),
                (20, Action::Remove, 0)
            ]
        );
    }
}
