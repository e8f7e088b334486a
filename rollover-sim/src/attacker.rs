//! An on-path attacker against one resolver (or all): during a window it either
//! replays an RRset the publisher served earlier (with its original, possibly
//! still valid, signatures) or withholds the answer.

use crate::clock::Instant;
use crate::publisher::{Rrset, Timeline};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AttackKind {
    /// Serve the RRset that was in force at `captured`.
    Replay { captured: Instant },
    /// Drop the resolver's DNSKEY queries.
    Withhold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attack {
    pub kind: AttackKind,
    /// Active for fetches at `from <= t < to`.
    pub from: Instant,
    pub to: Instant,
}

/// What a fetch at `t` returns: `None` for no answer.
pub fn response(
    attacks: &[Attack],
    timeline: &Timeline,
    honest: &Rrset,
    t: Instant,
) -> (Option<Rrset>, bool) {
    for a in attacks {
        if a.from <= t && t < a.to {
            return match a.kind {
                AttackKind::Withhold => (None, true),
                AttackKind::Replay { captured } => (Some(timeline.at(captured)), true),
            };
        }
    }
    (Some(*honest), false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publisher::{Action, Event};

    #[test]
    fn replay_serves_the_old_rrset_inside_the_window_only() {
        let ev = |at, action, key| Event {
            at,
            action,
            key,
            source: String::new(),
        };
        let tl = Timeline::from_events(
            &[
                ev(0, Action::Publish, 0),
                ev(0, Action::Sign, 0),
                ev(10, Action::Publish, 1),
            ],
            1,
            100,
            0,
            50,
        )
        .unwrap();
        let attacks = [Attack {
            kind: AttackKind::Replay { captured: 5 },
            from: 20,
            to: 30,
        }];
        let honest = tl.at(25);
        assert_eq!(response(&attacks, &tl, &honest, 25), (Some(tl.at(5)), true));
        assert_eq!(response(&attacks, &tl, &honest, 30), (Some(honest), false));
        let w = [Attack {
            kind: AttackKind::Withhold,
            from: 0,
            to: 10,
        }];
        assert_eq!(response(&w, &tl, &honest, 3), (None, true));
    }
}
