//! KEY-TAG-UNIQUE: no two different keys a resolver may see together share a
//! key tag. Validators pick candidate DNSKEYs by the RRSIG's key tag (RFC 4034
//! 3.1.6, 5.1), and RFC 5011 trust-anchor state is keyed by it, so a ZSK that
//! shares a KSK's tag, or the tag that KSK takes once its REVOKE bit is set,
//! confuses both. Same meaning as the ceremony's key-generation refusal: a KSK
//! claims its tag and its revoked tag; a ZSK claims its tag.

use super::{key_identity, key_label, slot_label, CheckResult, Context};
use crate::dnssec;
use crate::model::{flags, Bundle, Document, Key};

pub const UNIQUE: &str = "KEY-TAG-UNIQUE";

/// A key as resolvers tell keys apart: its identity and the tags it claims.
struct Claim<'a> {
    key: &'a Key,
    /// Where the key was seen first, for messages.
    place: String,
    /// Tag with the REVOKE bit clear, and (KSKs only) with it set.
    tags: Vec<u16>,
}

/// The tags a key claims, computed from the key (the stated `keyTag` is
/// KSR-BUNDLE-KEYS' concern).
pub fn claimed_tags(key: &Key) -> Vec<u16> {
    let mut plain = key.clone();
    plain.flags &= !flags::REVOKE;
    let mut tags = vec![dnssec::key_tag(&plain)];
    if key.is_ksk() {
        let mut revoked = key.clone();
        revoked.flags |= flags::REVOKE;
        tags.push(dnssec::key_tag(&revoked));
    }
    tags
}

/// Every clash between different keys among `keys` (each with where it was
/// seen, written out only for a key not seen before), as messages. The same
/// key seen twice, revoked or not, is no clash.
pub fn collisions<'a, P: std::fmt::Display>(
    keys: impl IntoIterator<Item = (P, &'a Key)>,
) -> Vec<String> {
    let mut claims: Vec<Claim> = Vec::new();
    let mut problems = Vec::new();
    for (place, key) in keys {
        if claims
            .iter()
            .any(|c| key_identity(c.key) == key_identity(key))
        {
            continue;
        }
        let tags = claimed_tags(key);
        for other in &claims {
            if let Some(t) = tags.iter().find(|t| other.tags.contains(t)) {
                problems.push(format!(
                    "{place} {} and {} {} both claim key tag {t}{}",
                    key_label(key),
                    other.place,
                    key_label(other.key),
                    revoked_note(*t, key, other.key),
                ));
            }
        }
        claims.push(Claim {
            key,
            place: place.to_string(),
            tags,
        });
    }
    problems
}

/// Names whose revoked tag is involved, if any.
fn revoked_note(tag: u16, a: &Key, b: &Key) -> String {
    let revoked = |k: &Key| k.is_ksk() && claimed_tags(k).get(1) == Some(&tag);
    match (revoked(a), revoked(b)) {
        (false, false) => String::new(),
        _ => " (a KSK's tag once its REVOKE bit is set)".into(),
    }
}

/// KEY-TAG-UNIQUE over the document's bundles (each bundle, then across them)
/// and the previous SKR's keys when given (they are published alongside the
/// first new bundles).
pub fn unique(doc: &Document, ctx: &Context) -> CheckResult {
    let prev = ctx
        .previous_skr
        .map(|p| p.bundles.as_slice())
        .unwrap_or(&[]);
    let keys = placed(true, prev).chain(placed(false, &doc.bundles));
    let count = prev
        .iter()
        .chain(&doc.bundles)
        .map(|b| b.keys.len())
        .sum::<usize>();
    CheckResult::from_problems(
        UNIQUE,
        collisions(keys),
        format!(
            "no two different keys share a key tag or a KSK's revoked tag ({count} keys{})",
            if ctx.previous_skr.is_some() {
                ", the previous SKR's included"
            } else {
                ""
            }
        ),
    )
}

/// Where a key was seen: in the previous SKR or not, slot index, bundle
/// (written out only for messages).
struct Place<'a>(bool, usize, &'a Bundle);

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Place(previous, i, b) = *self;
        if previous {
            f.write_str("previous SKR ")?;
        }
        f.write_str(&slot_label(i, b))
    }
}

/// Every key of `bundles` with its place.
fn placed(previous: bool, bundles: &[Bundle]) -> impl Iterator<Item = (Place<'_>, &Key)> {
    bundles
        .iter()
        .enumerate()
        .flat_map(move |(i, b)| b.keys.iter().map(move |k| (Place(previous, i, b), k)))
}
