//! What a UI (or the answers file) sends the engine. The engine checks every
//! command against the current step; nothing lets a step be skipped.

use serde::Deserialize;

/// A sign-off key on an officer's personal token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOffToken {
    /// The script's token name (its PIN comes from the token's PIN file or the prompt).
    pub token: String,
    pub key_label: String,
}

/// A command for the current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The typed confirmation (`yes`, or the exact phrase of an irreversible step).
    Confirm { typed: String },
    /// The out-of-band value for a verify step (hex SHA-256 or PGP words).
    Answer { text: String },
    /// A sign-off by `person` in `role`. With `key`, the engine signs the audit
    /// chain head with that person's enrolled key (which must be theirs).
    SignOff {
        role: String,
        person: String,
        key: Option<SignOffToken>,
    },
    /// Record a deviation for the current step and move past it.
    Deviation(DeviationRequest),
}

/// A deviation: why, who approved it (a quorum of named people), what was done instead.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviationRequest {
    pub reason: String,
    /// The quorum (a script quorum id) that approved it.
    pub quorum: String,
    /// People of that quorum's role who approved it.
    pub approved_by: Vec<String>,
    pub instead: String,
}
