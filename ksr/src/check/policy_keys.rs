//! KSR-POLICY-KEYS and KSR-POLICY-ALG: how many ZSKs, and which algorithms.

use super::{key_identity, key_label, ksks, slot_label, zsks, CheckResult, Context};
use crate::model::{AlgorithmPolicy, Document};
use crate::policy::{algorithm_mnemonic, describe_algorithm, is_deprecated};
use std::collections::BTreeSet;

pub const KEYS: &str = "KSR-POLICY-KEYS";
pub const ALG: &str = "KSR-POLICY-ALG";

/// KSR-POLICY-KEYS: ZSKs per bundle slot by slot, and distinct ZSKs overall.
/// Slots beyond the policy's list (a wrong bundle count) are KSR-BUNDLE-COUNT's finding.
pub fn keys(doc: &Document, ctx: &Context) -> CheckResult {
    let mut problems = Vec::new();
    // Every key of a KSR is meant as a ZSK (a wrong flag is KSR-BUNDLE-KEYS' finding).
    fn zsk_keys(kind: crate::model::Kind, b: &crate::model::Bundle) -> Vec<&crate::model::Key> {
        match kind {
            crate::model::Kind::Request => b.keys.iter().collect(),
            crate::model::Kind::Response => zsks(b).collect(),
        }
    }
    let counts: Vec<usize> = doc
        .bundles
        .iter()
        .map(|b| zsk_keys(doc.kind, b).len())
        .collect();
    let distinct: BTreeSet<(u8, &[u8])> = doc
        .bundles
        .iter()
        .flat_map(|b| zsk_keys(doc.kind, b))
        .map(key_identity)
        .collect();
    let mut checked = Vec::new();
    if let Some(want) = &ctx.policy.keys_per_bundle {
        for (i, (b, (&have, &w))) in doc.bundles.iter().zip(counts.iter().zip(want)).enumerate() {
            if have != w {
                problems.push(format!(
                    "{} has {have} ZSKs, the policy wants {w}",
                    slot_label(i, b)
                ));
            }
        }
        checked.push(format!(
            "ZSKs per bundle {}",
            counts
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if let Some(want) = ctx.policy.distinct_keys {
        if distinct.len() != want {
            problems.push(format!(
                "{} distinct ZSKs, the policy wants {want}",
                distinct.len()
            ));
        }
        checked.push(format!("{} distinct ZSKs", distinct.len()));
    }
    if checked.is_empty() {
        return CheckResult::skip(
            KEYS,
            "the policy sets neither keys_per_bundle nor distinct_keys",
        );
    }
    CheckResult::from_problems(
        KEYS,
        problems,
        format!("{} as the policy says", checked.join(", ")),
    )
}

fn claimed_ok(claimed: &AlgorithmPolicy, approved: &[AlgorithmPolicy]) -> bool {
    approved.iter().any(|a| {
        a.algorithm == claimed.algorithm
            && (a.params == claimed.params || claimed.params == crate::model::AlgorithmParams::None)
    })
}

/// KSR-POLICY-ALG: every key's algorithm, and every algorithm the document's own
/// policy blocks ask for, is approved by the operator; deprecated ones (RFC 8624)
/// are always refused.
pub fn algorithms(doc: &Document, ctx: &Context) -> CheckResult {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, b) in doc.bundles.iter().enumerate() {
        for (key, approved, role) in zsks(b)
            .map(|k| (k, &ctx.policy.zsk_algorithms, "ZSK"))
            .chain(ksks(b).map(|k| (k, &ctx.policy.ksk_algorithms, "KSK")))
        {
            seen.insert(key.algorithm);
            if is_deprecated(key.algorithm) {
                problems.push(format!(
                    "{} {}: algorithm {} is deprecated (RFC 8624)",
                    slot_label(i, b),
                    key_label(key),
                    algorithm_mnemonic(key.algorithm)
                ));
            } else if !approved.iter().any(|a| a.algorithm == key.algorithm) {
                problems.push(format!(
                    "{} {}: algorithm {} is not approved for {role}s",
                    slot_label(i, b),
                    key_label(key),
                    algorithm_mnemonic(key.algorithm)
                ));
            }
        }
    }
    let blocks = [
        ("ZSK", Some(&doc.zsk_policy), &ctx.policy.zsk_algorithms),
        ("KSK", doc.ksk_policy.as_ref(), &ctx.policy.ksk_algorithms),
    ];
    for (role, block, approved) in blocks {
        let Some(block) = block else { continue };
        for claimed in &block.algorithms {
            if is_deprecated(claimed.algorithm) {
                problems.push(format!(
                    "the document's {role} policy asks for deprecated algorithm {} (RFC 8624)",
                    algorithm_mnemonic(claimed.algorithm)
                ));
            } else if !claimed_ok(claimed, approved) {
                problems.push(format!(
                    "the document's {role} policy asks for {}, which the operator does not approve",
                    describe_algorithm(claimed)
                ));
            }
        }
    }
    let names: Vec<String> = seen.iter().map(|a| algorithm_mnemonic(*a)).collect();
    CheckResult::from_problems(
        ALG,
        problems,
        format!("algorithms in use ({}) are approved", names.join(", ")),
    )
}
