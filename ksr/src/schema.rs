//! Signing schemas: per slot, which KSK is published, which signs, which is
//! revoked (docs/checks.md, signing schemas). C = current KSK, N = next KSK.
//!
//! A schema names roles, not keys: the ceremony binds C and N to real keys, and
//! the SKR checks infer the binding from the document.

use serde::{Deserialize, Serialize};

/// Which of the ceremony's KSKs a slot action names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    #[serde(rename = "current", alias = "C", alias = "Current")]
    Current,
    #[serde(rename = "next", alias = "N", alias = "Next")]
    Next,
}

impl Role {
    /// `C` or `N`, as the schema table writes it.
    pub fn letter(self) -> &'static str {
        match self {
            Role::Current => "C",
            Role::Next => "N",
        }
    }
}

/// What happens to the KSKs in one slot.
///
/// The DNSKEY RRset of the slot holds every key in `publish` (flags 257) and
/// every key in `revoke` (published with flags 385). A key never appears in
/// both. `sign` lists the keys whose RRSIG the bundle carries; a revoked key
/// that signs does so with its revoked key tag.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotPlan {
    #[serde(default)]
    pub publish: Vec<Role>,
    #[serde(default)]
    pub sign: Vec<Role>,
    #[serde(default)]
    pub revoke: Vec<Role>,
}

impl SlotPlan {
    fn new(publish: &[Role], revoke: &[Role], sign: &[Role]) -> SlotPlan {
        SlotPlan {
            publish: publish.to_vec(),
            sign: sign.to_vec(),
            revoke: revoke.to_vec(),
        }
    }

    /// Every role in the slot's DNSKEY RRset, revoked or not, sorted.
    pub fn published(&self) -> Vec<Role> {
        let mut all: Vec<Role> = self.publish.iter().chain(&self.revoke).copied().collect();
        all.sort();
        all.dedup();
        all
    }

    /// A plan is usable when every signer is in the RRset and no role is both
    /// published plainly and revoked.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(r) = self.publish.iter().find(|r| self.revoke.contains(r)) {
            return Err(format!("{} is both published and revoked", r.letter()));
        }
        let published = self.published();
        if let Some(r) = self.sign.iter().find(|r| !published.contains(r)) {
            return Err(format!("{} signs but is not published", r.letter()));
        }
        if self.sign.is_empty() {
            return Err("no KSK signs".into());
        }
        Ok(())
    }

    /// `publish C+N, revoke C, sign N` style, for messages.
    pub fn describe(&self) -> String {
        let join = |roles: &[Role]| {
            roles
                .iter()
                .map(|r| r.letter())
                .collect::<Vec<_>>()
                .join("+")
        };
        let mut s = format!("publish {}", join(&self.publish));
        if !self.revoke.is_empty() {
            s.push_str(&format!(", revoke {}", join(&self.revoke)));
        }
        s.push_str(&format!(", sign {}", join(&self.sign)));
        s
    }
}

/// A named schema: the first slot, every middle slot, and the last slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    pub name: String,
    pub first: SlotPlan,
    pub middle: SlotPlan,
    pub last: SlotPlan,
}

impl Schema {
    /// normal, pre-publish, rollover, revoke, publish+, rollover+, revoke+.
    pub fn builtin(name: &str) -> Option<Schema> {
        use Role::{Current as C, Next as N};
        let p = SlotPlan::new;
        let (first, middle, last) = match name {
            "normal" => (p(&[C], &[], &[C]), p(&[C], &[], &[C]), p(&[C], &[], &[C])),
            "pre-publish" => (
                p(&[C], &[], &[C]),
                p(&[C, N], &[], &[C]),
                p(&[C, N], &[], &[C]),
            ),
            "rollover" => (
                p(&[C, N], &[], &[C]),
                p(&[C, N], &[], &[N]),
                p(&[C, N], &[], &[N]),
            ),
            "revoke" => (
                p(&[C, N], &[], &[N]),
                p(&[N], &[C], &[C, N]),
                p(&[N], &[], &[N]),
            ),
            "publish+" => (
                p(&[C, N], &[], &[C]),
                p(&[C, N], &[], &[C]),
                p(&[C, N], &[], &[C]),
            ),
            "rollover+" => (
                p(&[C, N], &[], &[N]),
                p(&[C, N], &[], &[N]),
                p(&[C, N], &[], &[N]),
            ),
            "revoke+" => (
                p(&[N], &[], &[N]),
                p(&[N], &[C], &[C, N]),
                p(&[N], &[], &[N]),
            ),
            _ => return None,
        };
        Some(Schema {
            name: name.to_string(),
            first,
            middle,
            last,
        })
    }

    pub fn builtin_names() -> &'static [&'static str] {
        &[
            "normal",
            "pre-publish",
            "rollover",
            "revoke",
            "publish+",
            "rollover+",
            "revoke+",
        ]
    }

    /// All seven built-in schemas, in table order.
    pub fn builtins() -> Vec<Schema> {
        Self::builtin_names()
            .iter()
            .filter_map(|n| Self::builtin(n))
            .collect()
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
            .any(|p| p.published().contains(&Role::Next) || p.sign.contains(&Role::Next))
    }

    /// Checks every slot plan (see [`SlotPlan::validate`]).
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("schema name is empty".into());
        }
        for (which, plan) in [
            ("first", &self.first),
            ("middle", &self.middle),
            ("last", &self.last),
        ] {
            plan.validate()
                .map_err(|e| format!("schema {:?}, {which} slot: {e}", self.name))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::{Current as C, Next as N};

    #[test]
    fn seven_builtins_match_the_domain_table() {
        let all = Schema::builtins();
        assert_eq!(all.len(), 7);
        for s in &all {
            s.validate().unwrap();
        }
        let revoke = Schema::builtin("revoke").unwrap();
        assert_eq!(revoke.slot(0, 9).publish, vec![C, N]);
        assert_eq!(revoke.slot(0, 9).sign, vec![N]);
        assert_eq!(revoke.slot(4, 9).publish, vec![N]);
        assert_eq!(revoke.slot(4, 9).revoke, vec![C]);
        assert_eq!(revoke.slot(4, 9).sign, vec![C, N]);
        assert_eq!(revoke.slot(8, 9).published(), vec![N]);
        let pre = Schema::builtin("pre-publish").unwrap();
        assert_eq!(pre.slot(0, 9).published(), vec![C]);
        assert_eq!(pre.slot(1, 9).published(), vec![C, N]);
        assert_eq!(pre.slot(8, 9).sign, vec![C]);
        let rp = Schema::builtin("revoke+").unwrap();
        assert_eq!(rp.slot(0, 9).published(), vec![N]);
        assert!(!Schema::builtin("normal").unwrap().uses_next());
        assert!(Schema::builtin("publish+").unwrap().uses_next());
        assert!(Schema::builtin("bogus").is_none());
    }

    #[test]
    fn invalid_plans_are_refused() {
        let bad = SlotPlan {
            publish: vec![C],
            sign: vec![N],
            revoke: vec![],
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .contains("N signs but is not published"));
        let both = SlotPlan {
            publish: vec![C],
            sign: vec![C],
            revoke: vec![C],
        };
        assert!(both.validate().is_err());
    }
}
