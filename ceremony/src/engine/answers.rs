//! The answers file of `ceremony run --non-interactive`: confirmations, typed
//! values and sign-offs per step, for automation and tests. It never holds a
//! PIN (PINs come from the PIN files the script names, or the no-echo prompt).
//!
//! ```toml
//! [steps.compare-ksr-hash]
//! answer = "3b5c…"                      # or the PGP words
//! [steps.generate-ksk]
//! confirm = "ksk-2026"
//! [steps.activate]
//! signoff = [{ role = "co", person = "Alice" }, { role = "co", person = "Bob", token = "alice-card", key_label = "signoff" }]
//! [steps.activate.deviation]           # only when the step cannot be done as scripted
//! reason = "…"; quorum = "…"; approved_by = ["…"]; instead = "…"
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::command::{Command, DeviationRequest, SignOffToken};
use super::state::Awaiting;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    #[serde(default)]
    pub steps: BTreeMap<String, StepAnswers>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepAnswers {
    pub confirm: Option<String>,
    pub answer: Option<String>,
    #[serde(default)]
    pub signoff: Vec<SignOffAnswer>,
    pub deviation: Option<DeviationRequest>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOffAnswer {
    pub role: String,
    pub person: String,
    pub token: Option<String>,
    pub key_label: Option<String>,
}

impl Answers {
    pub fn parse(text: &str) -> Result<Answers, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The next command for step `step` awaiting `awaiting`; `given` counts the
    /// sign-offs of this step already sent. `None`: the file has no answer.
    pub fn next(&self, step: &str, awaiting: &Awaiting, given: usize) -> Option<Command> {
        let a = self.steps.get(step)?;
        // A deviation for a step is what the people decided instead of it.
        if let (Some(d), false) = (
            &a.deviation,
            matches!(awaiting, Awaiting::Nothing | Awaiting::Closed),
        ) {
            return Some(Command::Deviation(d.clone()));
        }
        match awaiting {
            Awaiting::Confirm { .. } => a.confirm.clone().map(|typed| Command::Confirm { typed }),
            Awaiting::Answer { .. } => a.answer.clone().map(|text| Command::Answer { text }),
            Awaiting::SignOff { .. } => a.signoff.get(given).map(|s| Command::SignOff {
                role: s.role.clone(),
                person: s.person.clone(),
                key: match (&s.token, &s.key_label) {
                    (Some(t), Some(l)) => Some(SignOffToken {
                        token: t.clone(),
                        key_label: l.clone(),
                    }),
                    _ => None,
                },
            }),
            Awaiting::Deviation { .. } => a.deviation.clone().map(Command::Deviation),
            Awaiting::Nothing | Awaiting::Closed => None,
        }
    }
}
