//! Signing schemas: per slot, which KSK is published, which signs, which is
//! revoked (DOMAIN.md section 3). C = current KSK, N = next KSK.
//!
//! STUB: shape fixed, to be completed (owner: ksr-checks work).

/// Which of the ceremony's KSKs a slot action names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Current,
    Next,
}

/// What happens to the KSKs in one slot. A revoked key is published with flags
/// 385 and, when it also signs, signs with its revoked key tag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlotPlan {
    pub publish: Vec<Role>,
    pub sign: Vec<Role>,
    pub revoke: Vec<Role>,
}

/// A named schema: the first slot, every middle slot, and the last slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub name: String,
    pub first: SlotPlan,
    pub middle: SlotPlan,
    pub last: SlotPlan,
}

impl Schema {
    /// normal, pre-publish, rollover, revoke, publish+, rollover+, revoke+.
    pub fn builtin(name: &str) -> Option<Schema> {
        let _ = name;
        todo!()
    }

    pub fn builtin_names() -> &'static [&'static str] {
        &["normal", "pre-publish", "rollover", "revoke", "publish+", "rollover+", "revoke+"]
    }

    /// The plan for slot `index` (0-based) of `count` slots.
    pub fn slot(&self, index: usize, count: usize) -> &SlotPlan {
        if index == 0 {
            &self.first
        } else if index + 1 == count {
            &self.last
        } else {
            &self.middle
        }
    }

    /// Whether this schema needs a next KSK at all.
    pub fn uses_next(&self) -> bool {
        [&self.first, &self.middle, &self.last]
            .iter()
            .any(|p| p.publish.contains(&Role::Next) || p.sign.contains(&Role::Next))
    }
}
