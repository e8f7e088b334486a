//! RFC 5011 section 4: the states a resolver keeps per trust-point key, the
//! events that move them, and the transition table. Profiles add their own
//! deviations on top (see `profile`), never by editing this table.

use serde::Serialize;

/// RFC 5011 section 4.2 key states. The discriminants are Unbound's on-disk numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[repr(u8)]
pub enum KeyState {
    /// Not known to the resolver (never seen, or forgotten after a reset).
    #[default]
    Start = 0,
    /// Seen in a validated RRset; waiting out the add hold-down.
    AddPend = 1,
    /// A trust anchor.
    Valid = 2,
    /// A trust anchor that the latest validated RRset did not contain.
    Missing = 3,
    /// Revoked by a self-signed RRset: never trusted again.
    Revoked = 4,
    /// Revoked for longer than the remove hold-down (or dropped by a profile rule).
    Removed = 5,
}

impl KeyState {
    /// Only Valid and Missing keys validate (RFC 5011 section 4.2).
    pub fn is_anchor(self) -> bool {
        matches!(self, KeyState::Valid | KeyState::Missing)
    }
    pub fn name(self) -> &'static str {
        match self {
            KeyState::Start => "Start",
            KeyState::AddPend => "AddPend",
            KeyState::Valid => "Valid",
            KeyState::Missing => "Missing",
            KeyState::Revoked => "Revoked",
            KeyState::Removed => "Removed",
        }
    }
}

/// RFC 5011 section 4.1 events, plus the ones profiles and persistence add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum KeyEvent {
    /// A validated RRset contains a key the resolver does not know.
    NewKey,
    /// A validated RRset contains a Missing key again.
    KeyPres,
    /// A validated RRset lacks the key.
    KeyRem,
    /// The add hold-down has passed and a fresh validated RRset still has the key.
    AddTime,
    /// The remove hold-down of a revoked key has passed.
    RemTime,
    /// A validated, self-signed RRset shows the key with the REVOKE bit.
    RevBit,
    /// Profile rule: a Missing key dropped after the profile's keep-missing time.
    MissingExpired,
    /// Profile rule: a key trusted at once (BIND's first fetch after initial-key).
    Bootstrap,
    /// Persistence fault: state forgotten, back to the configured anchors.
    Reset,
    /// Profile rule: a Removed key forgotten (Unbound `autr_cleanup_keys`, BIND
    /// deletes the KEYDATA, Knot Resolver `keep_removed`); it starts over if it returns.
    Forget,
    /// Profile rule: a Revoked key published again without the REVOKE bit is
    /// re-added with a new hold-down (BIND `keyfetch_done`).
    Readd,
    /// RFC 5011 2.2: every key that validated the pending key was revoked, so
    /// its acceptance stops and the hold-down starts over.
    ValidatorsRevoked,
    /// Profile rule: a pending key revoked is deleted (BIND `keyfetch_done`).
    PendingRevoked,
}

/// The RFC 5011 table (section 4.2). `None`: the event does not apply in that state.
pub fn transition(state: KeyState, event: KeyEvent) -> Option<KeyState> {
    use KeyEvent::*;
    use KeyState::*;
    match (state, event) {
        (Start, NewKey) => Some(AddPend),
        (AddPend, KeyRem) => Some(Start),
        (AddPend, AddTime) => Some(Valid),
        (Valid, KeyRem) => Some(Missing),
        (Valid, RevBit) => Some(Revoked),
        (Missing, KeyPres) => Some(Valid),
        (Missing, RevBit) => Some(Revoked),
        (Revoked, RemTime) => Some(Removed),
        (Missing, MissingExpired) => Some(Removed),
        (Start | AddPend, Bootstrap) => Some(Valid),
        (Removed, Forget) => Some(Start),
        (Revoked, Readd) => Some(AddPend),
        (AddPend, ValidatorsRevoked | PendingRevoked) => Some(Start),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::KeyEvent::*;
    use super::KeyState::*;
    use super::*;

    #[test]
    fn rfc5011_table() {
        let ok = [
            (Start, NewKey, AddPend),
            (AddPend, KeyRem, Start),
            (AddPend, AddTime, Valid),
            (Valid, KeyRem, Missing),
            (Valid, RevBit, Revoked),
            (Missing, KeyPres, Valid),
            (Missing, RevBit, Revoked),
            (Revoked, RemTime, Removed),
        ];
        for (s, e, to) in ok {
            assert_eq!(transition(s, e), Some(to), "{s:?} --{e:?}");
        }
        // Every other RFC pair is not a transition.
        let states = [Start, AddPend, Valid, Missing, Revoked, Removed];
        let events = [NewKey, KeyPres, KeyRem, AddTime, RemTime, RevBit];
        for s in states {
            for e in events {
                if !ok.iter().any(|(a, b, _)| *a == s && *b == e) {
                    assert_eq!(transition(s, e), None, "{s:?} --{e:?} must be ignored");
                }
            }
        }
    }

    #[test]
    fn revocation_is_permanent() {
        // Under the RFC table; only profile events (Forget, Readd) leave Removed/Revoked.
        for e in [NewKey, KeyPres, AddTime, Bootstrap, ValidatorsRevoked] {
            assert_eq!(transition(Revoked, e), None);
            assert_eq!(transition(Removed, e), None);
        }
    }

    #[test]
    fn only_valid_and_missing_are_anchors() {
        assert!(Valid.is_anchor() && Missing.is_anchor());
        assert!(
            !Start.is_anchor()
                && !AddPend.is_anchor()
                && !Revoked.is_anchor()
                && !Removed.is_anchor()
        );
    }
}
