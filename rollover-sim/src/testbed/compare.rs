//! Observed against predicted: the model's key states and validation at each
//! sample, and the verdict (follows the model / deviates / broke validation).

use super::handle::Answer;
use crate::clock::{format_instant, Instant};
use crate::run::ResolverReport;
use crate::state::KeyState;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the validation probes showed at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Validation {
    /// The signed name validated (AD) and the bogus name SERVFAILed.
    Validating,
    /// The signed name came back without AD: no trust anchor applies any more.
    Insecure,
    /// The signed name failed (SERVFAIL or no answer).
    Failing,
    /// The bogus name was answered: the resolver is not validating at all.
    NotValidating,
}

impl Validation {
    pub fn judge(signed: Answer, bogus: Answer) -> Validation {
        match (signed, bogus) {
            (Answer::Secure, Answer::ServFail) => Validation::Validating,
            (Answer::Secure, _) => Validation::NotValidating,
            (Answer::Insecure, _) => Validation::Insecure,
            _ => Validation::Failing,
        }
    }
}

/// One look at a resolver.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub at: Instant,
    /// A checkpoint (just before a publisher step, or the end) is where observed
    /// and predicted states must agree.
    pub checkpoint: bool,
    pub observed: BTreeMap<String, KeyState>,
    pub predicted: BTreeMap<String, KeyState>,
    pub signed: Answer,
    pub bogus: Answer,
    pub insecure: Answer,
    pub validation: Validation,
    /// Whether the model says validation works at this moment.
    pub predicted_validating: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// Every checkpoint matched the model and validation held where it should.
    Follows,
    /// Observed states differ from the model's at a checkpoint.
    Deviates {
        at: String,
        resolver: String,
        model: String,
    },
    /// Validation failed where the model says it works.
    Broke { at: String, what: String },
}

impl Verdict {
    pub fn ok(&self) -> bool {
        matches!(self, Verdict::Follows)
    }
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Follows => "follows the model",
            Verdict::Deviates { .. } => "deviates from the model",
            Verdict::Broke { .. } => "broke validation",
        }
    }
}

/// The model's state of every key at `t`.
pub fn predicted_at(
    model: &ResolverReport,
    names: &[String],
    t: Instant,
) -> BTreeMap<String, KeyState> {
    let mut m: BTreeMap<String, KeyState> = names
        .iter()
        .map(|n| {
            let s = if model.trusted.contains(n) {
                KeyState::Valid
            } else {
                KeyState::Start
            };
            (n.clone(), s)
        })
        .collect();
    for c in model.key_changes.iter().take_while(|c| c.at <= t) {
        m.insert(c.key.clone(), c.to);
    }
    m
}

pub fn predicted_validating(model: &ResolverReport, t: Instant) -> bool {
    !model
        .failures
        .iter()
        .any(|p| p.from <= t && p.to.map_or(true, |to| t < to))
}

/// Observed states by key name from states by key tag. A key the resolver no
/// longer lists was forgotten (Start). Only a resolver that remembers Removed
/// keys (`Params::keep_removed` > 0, the RFC) reports a revoked or missing key
/// that left its records as Removed; Unbound (`autr_cleanup_keys`), BIND
/// (deleted at the end of the removal timer) and Knot Resolver
/// (`keep_removed = 0`) forget it, as the model does (docs/rfc5011.md).
pub fn observed_names(
    by_tag: &BTreeMap<u16, KeyState>,
    tags: &[(String, u16, u16)],
    before: Option<&BTreeMap<String, KeyState>>,
    remembers_removed: bool,
) -> BTreeMap<String, KeyState> {
    tags.iter()
        .map(|(name, tag, revoked_tag)| {
            let s = by_tag.get(tag).or_else(|| by_tag.get(revoked_tag)).copied();
            let s = s.unwrap_or_else(|| match before.and_then(|b| b.get(name)) {
                Some(KeyState::Revoked | KeyState::Removed | KeyState::Missing)
                    if remembers_removed =>
                {
                    KeyState::Removed
                }
                _ => KeyState::Start,
            });
            (name.clone(), s)
        })
        .collect()
}

fn states_text(m: &BTreeMap<String, KeyState>) -> String {
    m.iter()
        .map(|(k, s)| format!("{k} {}", s.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The verdict over all samples: the first broken validation wins over the
/// first deviation, since it is what operators feel.
pub fn verdict(samples: &[Sample]) -> Verdict {
    for s in samples {
        let broke = match s.validation {
            Validation::Validating => false,
            Validation::NotValidating => true,
            Validation::Insecure | Validation::Failing => s.predicted_validating,
        };
        if broke {
            return Verdict::Broke {
                at: format_instant(s.at),
                what: format!(
                    "signed name {:?}, bogus name {:?}: {:?} where the model says it validates",
                    s.signed, s.bogus, s.validation
                ),
            };
        }
    }
    for s in samples.iter().filter(|s| s.checkpoint) {
        if s.observed != s.predicted {
            return Verdict::Deviates {
                at: format_instant(s.at),
                resolver: states_text(&s.observed),
                model: states_text(&s.predicted),
            };
        }
        if !s.predicted_validating && s.validation == Validation::Validating {
            return Verdict::Deviates {
                at: format_instant(s.at),
                resolver: "validates".into(),
                model: "validation fails".into(),
            };
        }
    }
    Verdict::Follows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(
        at: Instant,
        checkpoint: bool,
        obs: KeyState,
        pred: KeyState,
        v: Validation,
    ) -> Sample {
        Sample {
            at,
            checkpoint,
            observed: [("A".to_string(), obs)].into(),
            predicted: [("A".to_string(), pred)].into(),
            signed: Answer::Secure,
            bogus: Answer::ServFail,
            insecure: Answer::Insecure,
            validation: v,
            predicted_validating: true,
            error: None,
        }
    }

    #[test]
    fn verdicts() {
        use KeyState::*;
        let ok = sample(0, true, Valid, Valid, Validation::Validating);
        assert!(verdict(std::slice::from_ref(&ok)).ok());
        let off = sample(1, false, AddPend, Valid, Validation::Validating);
        assert!(
            verdict(&[ok.clone(), off]).ok(),
            "only checkpoints compare states"
        );
        let dev = sample(2, true, AddPend, Valid, Validation::Validating);
        assert!(matches!(
            verdict(&[ok.clone(), dev.clone()]),
            Verdict::Deviates { .. }
        ));
        let broke = sample(3, false, Valid, Valid, Validation::Failing);
        assert!(matches!(verdict(&[dev, broke]), Verdict::Broke { .. }));
        assert_eq!(
            Validation::judge(Answer::Secure, Answer::Insecure),
            Validation::NotValidating
        );
    }

    #[test]
    fn a_key_gone_after_revocation_is_removed_or_forgotten() {
        let tags = vec![("A".to_string(), 10, 138), ("B".to_string(), 20, 148)];
        let before: BTreeMap<String, KeyState> = [
            ("A".into(), KeyState::Revoked),
            ("B".into(), KeyState::AddPend),
        ]
        .into();
        let m = observed_names(&BTreeMap::new(), &tags, Some(&before), true);
        assert_eq!(m["A"], KeyState::Removed);
        assert_eq!(m["B"], KeyState::Start);
        let m = observed_names(&BTreeMap::new(), &tags, Some(&before), false);
        assert_eq!(m["A"], KeyState::Start, "forgotten");
        let m = observed_names(&[(138, KeyState::Revoked)].into(), &tags, None, false);
        assert_eq!(m["A"], KeyState::Revoked);
    }
}
