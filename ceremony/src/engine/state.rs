//! What the engine owns and a UI renders: the steps and where the ceremony
//! is, who is in the room and who signed off, the tokens, the current
//! instructions, the artifacts with their hashes and PGP words, check results,
//! deviations and progress. Plain data (`serde::Serialize`): a terminal UI, the
//! non-interactive runner and `--json` all read the same state.

use serde::Serialize;

/// Where a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    Pending,
    /// The current step.
    Active,
    /// Its operation is running.
    Running,
    /// Done, and its sign-offs are in.
    Done,
    /// It failed; the ceremony stops until a deviation is recorded.
    Failed,
    /// Begun in an earlier run that died before it ended (see `Interrupted`).
    Interrupted,
    /// Not done as scripted; a recorded deviation says what was done instead.
    Deviated,
}

impl StepStatus {
    /// A word for the status, so no UI relies on colour alone.
    pub fn word(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Active => "current",
            StepStatus::Running => "running",
            StepStatus::Done => "done",
            StepStatus::Failed => "FAILED",
            StepStatus::Interrupted => "INTERRUPTED",
            StepStatus::Deviated => "DEVIATED",
        }
    }
}

/// One step as the UI lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepView {
    pub id: String,
    pub title: String,
    /// `instruction`, `checklist`, `operation`, `verify`, `sign-off`.
    pub kind: &'static str,
    /// The operation's name for operation steps (`sign-ksr`).
    pub op: Option<&'static str>,
    pub irreversible: bool,
    pub status: StepStatus,
    /// Line of the step in the script.
    pub line: usize,
    /// When it finished (RFC 3339 with `Z`).
    pub finished: Option<String>,
}

/// A person in a role, and whether their sign-off can be proven by a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonView {
    pub name: String,
    pub enrolled_key: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleView {
    pub id: String,
    pub name: String,
    pub people: Vec<PersonView>,
}

/// How a sign-off proves who gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum SignOffMethod {
    /// By name only: the report marks it so.
    Name,
    /// A signature over the audit chain head by the person's enrolled key.
    Key {
        /// Hex SHA-256 of the key's DNSKEY public key field.
        key_sha256: String,
    },
}

/// A sign-off given for a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignOffView {
    pub step: String,
    pub role: String,
    pub person: String,
    pub method: SignOffMethod,
    pub time: String,
}

/// A token the script uses, as last seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenStatus {
    /// The script's name for it.
    pub name: String,
    pub label: String,
    /// `not checked`, `present`, `logged in`, `absent`, or an error.
    pub state: String,
    /// Keys the last inventory saw (labels).
    pub keys: Vec<String>,
}

/// What the current step needs from the people at the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "awaiting")]
pub enum Awaiting {
    /// Nothing: `Engine::advance` can go on.
    Nothing,
    /// A typed confirmation. `phrase` when it must be typed exactly (an
    /// irreversible operation: its key label or the step id), else `yes`.
    Confirm { phrase: String, irreversible: bool },
    /// An out-of-band value (a hash as hex or PGP words) for a verify step.
    Answer { question: String },
    /// Sign-offs: who may still sign and how many more are needed.
    SignOff {
        /// `(role id, people who may sign)` still missing.
        missing: Vec<(String, Vec<String>)>,
        /// Quorum sign-offs still needed (0 when only roles are missing).
        need: usize,
    },
    /// A step failed or was interrupted: only a deviation moves on.
    Deviation { why: String },
    /// The ceremony is closed.
    Closed,
}

/// A file the ceremony read or produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactView {
    pub name: String,
    pub path: String,
    pub sha256: String,
    /// The SHA-256 as PGP words, to read aloud.
    pub pgp_words: String,
    /// Step that produced it, `None` for a ceremony input.
    pub step: Option<String>,
}

/// A named check and its outcome (verify steps, token matches log, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckView {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

/// A recorded deviation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviationView {
    pub step: String,
    pub reason: String,
    pub approved_by: Vec<String>,
    pub instead: String,
    pub time: String,
}

/// A long operation's progress (bundles signed of total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub what: String,
    pub done: usize,
    pub total: usize,
}

/// The current step's instructions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Instructions {
    pub title: String,
    pub text: String,
    pub checklist: Vec<String>,
}

/// Everything a UI shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    pub title: String,
    pub zone: String,
    pub script: String,
    pub audit_log: String,
    pub steps: Vec<StepView>,
    /// Index into `steps` of the current step; `None` once closed.
    pub current: Option<usize>,
    pub roles: Vec<RoleView>,
    pub signoffs: Vec<SignOffView>,
    pub tokens: Vec<TokenStatus>,
    pub instructions: Instructions,
    pub awaiting: Awaiting,
    pub artifacts: Vec<ArtifactView>,
    /// Failed checks first.
    pub checks: Vec<CheckView>,
    pub deviations: Vec<DeviationView>,
    pub progress: Option<Progress>,
    /// The audit log's head hash and its PGP words.
    pub head: String,
    pub head_words: String,
    /// Messages for the operator (what just happened), newest last.
    pub messages: Vec<String>,
}

impl State {
    /// Steps done (or deviated) of all steps.
    pub fn completed(&self) -> (usize, usize) {
        let done = self
            .steps
            .iter()
            .filter(|s| matches!(s.status, StepStatus::Done | StepStatus::Deviated))
            .count();
        (done, self.steps.len())
    }

    /// Checks with the failed ones first (the order a UI lists them).
    pub fn checks_fail_first(&self) -> Vec<&CheckView> {
        let mut v: Vec<_> = self.checks.iter().collect();
        v.sort_by_key(|c| c.passed);
        v
    }
}
