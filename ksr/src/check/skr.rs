//! SKR checks: every signature verifies (SKR-VERIFY), each bundle carries the
//! KSKs and signatures its schema says (SKR-SCHEMA), and the signed period has no
//! gaps (SKR-NO-GAPS).

use super::bundle::{verify_signatures, Proof};
use super::{dur, key_identity, key_label, secs, signer_of, slot_label, CheckResult, Context};
use crate::model::{Bundle, Document, Key};
use crate::schema::{Role, Schema, SlotPlan};
use crate::timefmt::format_human;
use std::collections::{BTreeMap, BTreeSet};

pub const VERIFY: &str = "SKR-VERIFY";
pub const SCHEMA: &str = "SKR-SCHEMA";
pub const NO_GAPS: &str = "SKR-NO-GAPS";

/// SKR-VERIFY: every signature names a key of its bundle and verifies over the
/// bundle's DNSKEY RRset; every bundle carries at least one signature by a KSK.
pub fn verify(doc: &Document, _ctx: &Context) -> CheckResult {
    verify_with(doc, Proof::Verify)
}

/// SKR-VERIFY on an SKR read back from what was just built: every signature
/// must be one of `built`'s, each verified when it was made, over the same
/// records; the other conditions as in [`verify`].
pub fn verify_built(doc: &Document, built: &Document) -> CheckResult {
    verify_with(doc, Proof::VerifiedIn(built))
}

fn verify_with(doc: &Document, proof: Proof) -> CheckResult {
    let (verified, mut problems) = verify_signatures(doc, proof);
    for (i, b) in doc.bundles.iter().enumerate() {
        if !b
            .signatures
            .iter()
            .any(|s| signer_of(b, s).is_some_and(|k| k.is_ksk()))
        {
            problems.push(format!("{}: no signature by a KSK", slot_label(i, b)));
        }
    }
    CheckResult::from_problems(
        VERIFY,
        problems,
        format!("all {verified} signatures verify"),
    )
}

type Id<'a> = (u8, &'a [u8]);

/// Which KSKs a bundle publishes plainly, publishes revoked, and is signed by.
#[derive(Debug, PartialEq, Eq)]
struct Facts<'a> {
    plain: BTreeSet<Id<'a>>,
    revoked: BTreeSet<Id<'a>>,
    signers: BTreeSet<Id<'a>>,
}

fn facts(b: &Bundle) -> Facts<'_> {
    let ksks = b.keys.iter().filter(|k| k.is_ksk());
    Facts {
        plain: ksks
            .clone()
            .filter(|k| !k.is_revoked())
            .map(key_identity)
            .collect(),
        revoked: ksks.filter(|k| k.is_revoked()).map(key_identity).collect(),
        signers: b
            .signatures
            .iter()
            .filter_map(|s| signer_of(b, s))
            .filter(|k| k.is_ksk())
            .map(key_identity)
            .collect(),
    }
}

/// Binding of schema roles to the document's KSKs.
pub type Binding<'a> = BTreeMap<Role, (u8, &'a [u8])>;

fn expected<'a>(plan: &SlotPlan, binding: &Binding<'a>) -> Option<Facts<'a>> {
    let map = |roles: &[Role]| -> Option<BTreeSet<Id<'a>>> {
        roles.iter().map(|r| binding.get(r).copied()).collect()
    };
    Some(Facts {
        plain: map(&plan.publish)?,
        revoked: map(&plan.revoke)?,
        signers: map(&plan.sign)?,
    })
}

fn bindings<'a>(ids: &[Id<'a>]) -> Vec<Binding<'a>> {
    match ids {
        [a] => vec![[(Role::Current, *a)].into(), [(Role::Next, *a)].into()],
        [a, b] => vec![
            [(Role::Current, *a), (Role::Next, *b)].into(),
            [(Role::Current, *b), (Role::Next, *a)].into(),
        ],
        _ => vec![],
    }
}

/// Slots (0-based) where the document departs from `schema` under `binding`.
fn mismatches(doc: &Document, schema: &Schema, binding: &Binding) -> Vec<usize> {
    let n = doc.bundles.len();
    (0..n)
        .filter(|&i| expected(schema.slot(i, n), binding).as_ref() != Some(&facts(&doc.bundles[i])))
        .collect()
}

fn all_ksk_ids(doc: &Document) -> Vec<Id<'_>> {
    let mut ids: Vec<Id> = Vec::new();
    for k in doc
        .bundles
        .iter()
        .flat_map(|b| b.keys.iter())
        .filter(|k| k.is_ksk())
    {
        if !ids.contains(&key_identity(k)) {
            ids.push(key_identity(k));
        }
    }
    ids
}

fn find_key<'a>(doc: &'a Document, id: &Id) -> Option<&'a Key> {
    doc.bundles
        .iter()
        .flat_map(|b| b.keys.iter())
        .find(|k| key_identity(k) == *id)
}

fn describe_binding(doc: &Document, binding: &Binding) -> String {
    binding
        .iter()
        .map(|(r, id)| {
            let mut k = find_key(doc, id).cloned().unwrap_or_else(unreachable_key);
            k.flags &= !crate::model::flags::REVOKE;
            k.key_tag = crate::dnssec::key_tag(&k);
            format!("{} = {}", r.letter(), key_label(&k))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn unreachable_key() -> Key {
    Key {
        key_identifier: "?".into(),
        key_tag: 0,
        ttl: 0,
        flags: 257,
        protocol: 3,
        algorithm: 0,
        public_key: vec![],
    }
}

fn describe_facts(doc: &Document, f: &Facts) -> String {
    let names = |s: &BTreeSet<Id>| -> String {
        if s.is_empty() {
            return "none".into();
        }
        s.iter()
            .map(|id| {
                find_key(doc, id)
                    .map(|k| k.key_tag.to_string())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("+")
    };
    let mut t = format!("publishes KSK {}", names(&f.plain));
    if !f.revoked.is_empty() {
        t.push_str(&format!(", revoked {}", names(&f.revoked)));
    }
    t.push_str(&format!(", signed by {}", names(&f.signers)));
    t
}

/// The first schema (the policy's own, then the built-in ones) the SKR follows
/// exactly, with the binding of C and N to its KSKs.
pub fn infer_schema<'a>(
    doc: &'a Document,
    policy: &crate::policy::Policy,
) -> Option<(Schema, Binding<'a>)> {
    let ids = all_ksk_ids(doc);
    for schema in policy.all_schemas() {
        for b in bindings(&ids) {
            if mismatches(doc, &schema, &b).is_empty() {
                return Some((schema, b));
            }
        }
    }
    None
}

/// SKR-SCHEMA: each bundle publishes, revokes and is signed by the KSKs its
/// schema says. With no schema in the context, the schema is inferred from the
/// signing pattern and named.
pub fn schema(doc: &Document, ctx: &Context) -> CheckResult {
    let ids = all_ksk_ids(doc);
    if ids.is_empty() {
        return CheckResult::fail(SCHEMA, "the SKR has no KSK");
    }
    if ids.len() > 2 {
        return CheckResult::fail(
            SCHEMA,
            format!(
                "the SKR has {} distinct KSKs; a schema names at most two (C and N)",
                ids.len()
            ),
        );
    }
    let builtin = |s: &Schema| {
        if Schema::builtin(&s.name).as_ref() == Some(s) {
            "built-in"
        } else {
            "policy"
        }
    };
    let candidates: Vec<Schema> = match ctx.schema {
        Some(s) => vec![s.clone()],
        None => ctx.policy.all_schemas(),
    };
    let mut best: Option<(Schema, Binding, Vec<usize>)> = None;
    let mut matches: Vec<(Schema, Binding)> = Vec::new();
    for s in &candidates {
        for b in bindings(&ids) {
            let m = mismatches(doc, s, &b);
            if m.is_empty() {
                matches.push((s.clone(), b));
            } else if match &best {
                None => true,
                Some((_, _, bm)) => m.len() < bm.len(),
            } {
                best = Some((s.clone(), b, m));
            }
        }
    }
    // C and N swapped can match another schema (rollover+ is publish+ with the
    // roles exchanged); the previous SKR tells which key is older, so which is C.
    if matches.len() > 1 {
        if let Some(prev) = ctx.previous_skr {
            let age = |id: &Id| -> usize {
                prev.bundles
                    .iter()
                    .chain(&doc.bundles)
                    .position(|bd| bd.keys.iter().any(|k| k.is_ksk() && key_identity(k) == *id))
                    .unwrap_or(usize::MAX)
            };
            let older_is_current = |b: &Binding| match (b.get(&Role::Current), b.get(&Role::Next)) {
                (Some(c), Some(n)) => age(c) <= age(n),
                _ => true,
            };
            let kept: Vec<(Schema, Binding)> = matches
                .iter()
                .filter(|(_, b)| older_is_current(b))
                .cloned()
                .collect();
            if !kept.is_empty() {
                matches = kept;
            }
        }
    }
    if !matches.is_empty() {
        let how = if ctx.schema.is_some() {
            "follows"
        } else {
            "matches"
        };
        let each: Vec<String> = matches
            .iter()
            .map(|(s, b)| {
                format!(
                    "{} schema `{}` ({})",
                    builtin(s),
                    s.name,
                    describe_binding(doc, b)
                )
            })
            .collect();
        let which = if each.len() == 1 {
            each[0].clone()
        } else {
            format!(
                "any of {} (give --previous-skr or --schema to tell C from N)",
                each.join(" or ")
            )
        };
        return CheckResult::pass(
            SCHEMA,
            format!("{how} {which} in all {} slots", doc.bundles.len()),
        );
    }
    let Some((s, b, m)) = best else {
        return CheckResult::fail(SCHEMA, "no schema to compare with");
    };
    let n = doc.bundles.len();
    let slots: Vec<String> = m
        .iter()
        .map(|&i| {
            format!(
                "{}: schema wants {}, the bundle {}",
                slot_label(i, &doc.bundles[i]),
                s.slot(i, n).describe(),
                describe_facts(doc, &facts(&doc.bundles[i]))
            )
        })
        .collect();
    let head = match ctx.schema {
        Some(_) => format!(
            "does not follow schema `{}` ({})",
            s.name,
            describe_binding(doc, &b)
        ),
        None => format!(
            "matches no schema; closest is `{}` ({})",
            s.name,
            describe_binding(doc, &b)
        ),
    };
    CheckResult::fail(SCHEMA, format!("{head}: {}", slots.join("; ")))
}

/// SKR-NO-GAPS: consecutive bundles abut or overlap, and each bundle's signatures
/// cover its whole inception..expiration.
pub fn no_gaps(doc: &Document, _ctx: &Context) -> CheckResult {
    let mut problems = Vec::new();
    for (i, w) in doc.bundles.windows(2).enumerate() {
        let gap = secs(w[1].inception, w[0].expiration);
        if gap > 0 {
            problems.push(format!(
                "gap of {} between {} (expires {}) and {} (starts {})",
                dur(gap),
                slot_label(i, &w[0]),
                format_human(w[0].expiration),
                slot_label(i + 1, &w[1]),
                format_human(w[1].inception)
            ));
        }
    }
    for (i, b) in doc.bundles.iter().enumerate() {
        for sig in &b.signatures {
            if sig.inception > b.inception || sig.expiration < b.expiration {
                problems.push(format!(
                    "{}: signature by {} is valid {}..{}, not covering the bundle's {}..{}",
                    slot_label(i, b),
                    sig.key_identifier,
                    format_human(sig.inception),
                    format_human(sig.expiration),
                    format_human(b.inception),
                    format_human(b.expiration)
                ));
            }
        }
    }
    let span = match (doc.bundles.first(), doc.bundles.last()) {
        (Some(f), Some(l)) => format!(
            "{}..{}",
            format_human(f.inception),
            format_human(l.expiration)
        ),
        _ => "nothing".into(),
    };
    CheckResult::from_problems(
        NO_GAPS,
        problems,
        format!("signed without gaps from {span}"),
    )
}
