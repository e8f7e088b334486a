//! KSR-CHAIN-KEYS and KSR-CHAIN-OVERLAP: the new document continues the previous SKR.

use super::{dur, key_identity, key_label, secs, slot_label, zsks, CheckResult, Context};
use crate::model::Document;

pub const KEYS: &str = "KSR-CHAIN-KEYS";
pub const OVERLAP: &str = "KSR-CHAIN-OVERLAP";

/// KSR-CHAIN-KEYS: the ZSKs of the first new bundle equal the ZSKs of the previous
/// SKR's last bundle, checked in both directions. (KSKs change across SKRs by
/// schema; KSR-POLICY-SAFETY judges those.)
pub fn keys(doc: &Document, ctx: &Context) -> CheckResult {
    let Some(prev) = ctx.previous_skr else {
        return CheckResult::skip(KEYS, "no previous SKR given (--previous-skr)");
    };
    let (Some(last), Some(first)) = (prev.bundles.last(), doc.bundles.first()) else {
        return CheckResult::fail(KEYS, "the previous SKR or this document has no bundles");
    };
    let last_label = format!("previous SKR {}", slot_label(prev.bundles.len() - 1, last));
    let first_label = slot_label(0, first);
    let mut problems = Vec::new();
    for k in zsks(last) {
        if !zsks(first).any(|n| key_identity(n) == key_identity(k)) {
            problems.push(format!(
                "{} of {last_label} is missing from {first_label}",
                key_label(k)
            ));
        }
    }
    for k in zsks(first) {
        if !zsks(last).any(|p| key_identity(p) == key_identity(k)) {
            problems.push(format!(
                "{} of {first_label} is not in {last_label}",
                key_label(k)
            ));
        }
    }
    let tags: Vec<String> = zsks(first).map(|k| k.key_tag.to_string()).collect();
    CheckResult::from_problems(
        KEYS,
        problems,
        format!(
            "{first_label} has the same ZSKs ({}) as {last_label}",
            tags.join(", ")
        ),
    )
}

/// KSR-CHAIN-OVERLAP: the previous SKR's last expiration minus the first new
/// inception within the policy's overlap range.
pub fn overlap(doc: &Document, ctx: &Context) -> CheckResult {
    let Some(prev) = ctx.previous_skr else {
        return CheckResult::skip(OVERLAP, "no previous SKR given (--previous-skr)");
    };
    let (Some(last), Some(first)) = (prev.bundles.last(), doc.bundles.first()) else {
        return CheckResult::fail(OVERLAP, "the previous SKR or this document has no bundles");
    };
    let o = secs(last.expiration, first.inception);
    let span = ctx.policy.validity_overlap;
    let text = format!(
        "previous SKR {} and {} overlap by {} (policy {})",
        slot_label(prev.bundles.len() - 1, last),
        slot_label(0, first),
        dur(o),
        span.describe()
    );
    if span.contains(o) {
        CheckResult::pass(OVERLAP, text)
    } else {
        CheckResult::fail(OVERLAP, text)
    }
}
