//! The ceremony engine: follows a [`Script`] step by step, drives the
//! operations of `crate::ops` through the caller's [`Prompter`], records every
//! step in the hash-chained audit log, and keeps a [`State`] that any face of
//! the ceremony renders (the terminal UI, the non-interactive runner). It knows
//! nothing of terminals.
//!
//! The loop a face runs:
//!
//! ```text
//! let mut e = Engine::start(script, options, clock)?;
//! loop {
//!     e.advance(prompter)?;               // runs what needs no one
//!     render(e.state());                  // e.state().awaiting says what is needed
//!     if e.state().awaiting == Awaiting::Closed { break }
//!     e.send(command_from_user, prompter)?;
//! }
//! ```
//!
//! - [`state`]: what a UI renders.
//! - [`command`]: what a UI sends.
//! - `step`: running one step and what it needs; `ops_map`: script
//!   operations onto `crate::ops`; `journal`: the audit records of a
//!   ceremony and reading them back for `--resume`; `signoff`: key sign-offs;
//!   [`sweep`]: stale temp files of the script's outputs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ksr::env::Prompter;

use crate::audit::{AppendError, AuditLog, Clock};
use crate::script::Script;

pub mod answers;
mod apply;
pub mod command;
mod drive;
pub mod journal;
mod ops_map;
pub mod progress;
pub mod signoff;
pub mod state;
mod step;
pub mod sweep;

pub use command::{Command, DeviationRequest, SignOffToken};
pub use state::{Awaiting, State, StepStatus};

/// How to run a script.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The script file (its SHA-256 is recorded when the ceremony starts).
    pub script_path: PathBuf,
    pub audit_log: PathBuf,
    /// The PKCS#11 module for every token of the script.
    pub module: PathBuf,
    /// `${var}` values overriding the script's `[vars]`.
    pub vars: BTreeMap<String, String>,
    /// Continue a ceremony whose log already has steps (after a crash).
    pub resume: bool,
}

/// Why the engine stopped.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The command does not fit the current step (wrong phrase, unknown person,
    /// a non-enrolled key, a deviation without its quorum). The step stays.
    #[error("{0}")]
    Refused(String),
    /// The audit log cannot be opened or written: the ceremony cannot go on.
    #[error("{0}")]
    Audit(AppendError),
    /// The log does not belong to this script, or the token does not match it.
    #[error("{0}")]
    Mismatch(String),
    /// Unusable script or option.
    #[error("{0}")]
    Input(String),
}

impl EngineError {
    /// The exit code, mapped like `crate::error::Error`.
    pub fn exit_code(&self) -> i32 {
        match self {
            EngineError::Refused(_) | EngineError::Mismatch(_) => ksr::env::exit::CHECK_FAILED,
            EngineError::Audit(AppendError::Broken(..)) => ksr::env::exit::CHECK_FAILED,
            _ => ksr::env::exit::UNUSABLE,
        }
    }
}

impl From<AppendError> for EngineError {
    fn from(e: AppendError) -> EngineError {
        EngineError::Audit(e)
    }
}

/// A clock the engine can own.
pub type BoxClock = Box<dyn Clock + Send>;

/// Progress within the current step (what has been given so far).
#[derive(Debug, Default, Clone)]
struct StepProgress {
    confirmed: bool,
    verified: bool,
    /// The operation (or the step's action) is done and recorded.
    acted: bool,
    /// `(role, person)` who signed off.
    signed: Vec<(String, String)>,
    /// Why the step cannot go on without a deviation.
    blocked: Option<String>,
}

/// A ceremony in progress.
pub struct Engine {
    script: Script,
    options: RunOptions,
    log: AuditLog<BoxClock>,
    state: State,
    progress: StepProgress,
    /// After `--resume`: results of the operations done before, checked against the token.
    resume_checks: Option<BTreeMap<String, serde_json::Value>>,
    /// Told of a long operation's progress while it runs.
    progress_sink: Option<progress::ProgressSink>,
}

impl Engine {
    /// Opens the audit log (creating it, or with `resume` reading what it
    /// says was done), checks the tokens match it, and positions at the first
    /// step not yet completed. A log with steps and no `resume` is refused.
    pub fn start(
        script: Script,
        options: RunOptions,
        clock: BoxClock,
    ) -> Result<Engine, EngineError> {
        step::start(script, options, clock)
    }

    /// The state a UI renders.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Reports a long operation's progress (bundles signed of total) while it
    /// runs, when `state()` cannot be read; the last report is also in
    /// `state().progress` afterwards.
    pub fn on_progress(&mut self, sink: progress::ProgressSink) {
        self.progress_sink = Some(sink);
    }

    pub fn script(&self) -> &Script {
        &self.script
    }

    /// Applies a command to the current step. A refused command leaves
    /// everything as it was (and says why).
    pub fn send(&mut self, cmd: Command, prompter: &dyn Prompter) -> Result<(), EngineError> {
        apply::send(self, cmd, prompter)
    }

    /// Runs what needs no one (operations whose confirmation is in, automatic
    /// verifications, the close) until the state awaits a person or is closed.
    /// A failed operation is recorded and leaves the step awaiting a deviation.
    pub fn advance(&mut self, prompter: &dyn Prompter) -> Result<(), EngineError> {
        drive::advance(self, prompter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_can_run_on_its_own_thread() {
        // A UI keeps the terminal on one thread and the engine on another.
        fn is_send<T: Send>() {}
        is_send::<Engine>();
        is_send::<State>();
        is_send::<Command>();
    }
}
