//! A state directory that turns read-only under a running resolver (the
//! test bed's `persistence = "read-only"`). The model's read-only state is
//! unwritable from the start (`Params::unwritable_state`); here the resolver
//! started with a writable directory, so the test bed runs the model with
//! normal persistence and predicts the stop from what each resolver does on
//! its next write (docs/rfc5011.md, "Test bed evidence"):
//! - Unbound: `autr_write_file` (validator/autotrust.c) calls `fatal_exit` at
//!   the first probe with an answer; the profile's `exit-on-write`.
//! - Knot Resolver 5.6: `update` (daemon/lua/trust_anchors.lua.in) calls
//!   `keyset_write`, whose `assert(io.open(...))` fails outside any protected
//!   call: kresd aborts ("PANIC: unprotected error in call to Lua API") at the
//!   first refresh with an answer. At a restart `add_file` refuses the
//!   directory (the profile's `refuse-start`).
//! - BIND: runs on and keeps validating with the anchors it has, but learns
//!   nothing: `keyfetch_done` (lib/dns/zone.c) commits each change to the
//!   managed-keys zone through its journal, which cannot be opened
//!   ("managed-keys.bind.jnl: open: permission denied"), so no key changes
//!   state. Restarted, it exits (bin/named/server.c `configure_view`).

use super::implementation::Implementation;
use crate::clock::Instant;
use crate::run::ResolverReport;
use crate::trust_point::Fetch;

/// What a resolver does once its state directory is read-only while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhileRunning {
    /// Exits at its next state write: the first probe with an answer.
    ExitOnWrite,
    /// Runs on with its key states frozen; refuses to start again at its
    /// next restart.
    FrozenRefuseRestart,
}

impl Implementation {
    pub fn readonly_while_running(self) -> WhileRunning {
        match self {
            Implementation::Unbound | Implementation::KnotResolver => WhileRunning::ExitOnWrite,
            Implementation::Bind => WhileRunning::FrozenRefuseRestart,
        }
    }
}

/// The model's prediction for a directory read-only from `from` on (model
/// run with normal persistence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prediction {
    /// From then on the key states stay as they were.
    pub frozen: Instant,
    /// The resolver stops (`None`: it runs on to the end).
    pub stop: Option<Instant>,
}

pub fn predict(
    imp: Implementation,
    model: &ResolverReport,
    from: Instant,
    restarts: &[Instant],
) -> Prediction {
    match imp.readonly_while_running() {
        WhileRunning::ExitOnWrite => {
            let stop = model
                .probes
                .iter()
                .find(|p| {
                    p.at > from && p.outcome != Fetch::NoAnswer && p.outcome != Fetch::Deleted
                })
                .map(|p| p.at);
            Prediction {
                frozen: stop.unwrap_or(Instant::MAX),
                stop,
            }
        }
        WhileRunning::FrozenRefuseRestart => Prediction {
            frozen: from,
            stop: restarts.iter().copied().find(|r| *r > from),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::Probe;

    fn model(probes: &[(Instant, Fetch)]) -> ResolverReport {
        ResolverReport {
            name: "r".into(),
            profile: "unbound",
            line: 1,
            trusted: vec![],
            deliberately_broken: false,
            key_changes: vec![],
            probes: probes
                .iter()
                .map(|(at, outcome)| Probe {
                    at: *at,
                    outcome: *outcome,
                    attacked: false,
                })
                .collect(),
            failures: vec![],
            insecure: vec![],
            stopped_at: None,
            stopped: None,
            anchor_sets: vec![],
            events: 0,
        }
    }

    #[test]
    fn exits_at_the_first_answer_after_the_directory_turns_read_only() {
        let m = model(&[
            (0, Fetch::Validated),
            (5, Fetch::NoAnswer),
            (9, Fetch::Expired),
        ]);
        let p = predict(Implementation::Unbound, &m, 1, &[]);
        assert_eq!((p.frozen, p.stop), (9, Some(9)));
        assert_eq!(
            predict(Implementation::KnotResolver, &m, 0, &[]).stop,
            Some(9)
        );
        assert_eq!(predict(Implementation::Unbound, &m, 9, &[]).stop, None);
    }

    #[test]
    fn bind_freezes_and_stops_at_its_next_restart() {
        let m = model(&[(0, Fetch::Validated), (5, Fetch::Validated)]);
        let p = predict(Implementation::Bind, &m, 1, &[20, 30]);
        assert_eq!((p.frozen, p.stop), (1, Some(20)));
        assert_eq!(predict(Implementation::Bind, &m, 1, &[]).stop, None);
    }
}
