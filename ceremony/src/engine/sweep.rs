//! Temp files that a killed run left beside the ceremony's outputs
//! (`ksr::output`: `.NAME.PID.RANDOM.tmp`, inert, never renamed into place):
//! removed when the ceremony starts, before any step, and told to the
//! officer, as single commands do in their preflight.

use std::path::{Path, PathBuf};

use super::Engine;
use crate::script::{OpKind, StepKind};

/// The operator's message for one removed file (the wording of single
/// commands, without the tool's name).
pub fn message(stale: &Path) -> String {
    format!(
        "removed stale temp file {} (left by a run that was killed)",
        stale.display()
    )
}

impl Engine {
    /// Sweeps the stale temp files of every file a step of the script
    /// writes (its outputs; a SoftHSM `init` also writes `softhsm2.conf`),
    /// left by processes that are gone; temp files of running processes stay.
    /// Each removed file becomes a message in the state; returns them.
    pub fn sweep_stale_temps(&mut self) -> Vec<PathBuf> {
        let mut targets: Vec<PathBuf> = Vec::new();
        for step in &self.script.steps {
            let StepKind::Operation(o) = &step.kind else {
                continue;
            };
            targets.extend(step.outputs.values().map(|a| self.path(a)));
            if o.op == OpKind::Init {
                let softhsm = self
                    .script
                    .tokens
                    .get(&o.token)
                    .and_then(|t| t.softhsm.as_ref());
                targets.extend(softhsm.map(|d| Path::new(d).join("softhsm2.conf")));
            }
        }
        targets.sort();
        targets.dedup();
        let removed: Vec<PathBuf> = targets
            .iter()
            .flat_map(|t| ksr::output::sweep_stale_temps(t))
            .collect();
        self.state
            .messages
            .extend(removed.iter().map(|p| message(p)));
        removed
    }
}
