//! Time checks on bundles, always against the operator's ranges.

use super::{dur, secs, slot_label, CheckResult, Context};
use crate::model::Document;
use crate::timefmt::format_human;

pub const VALIDITY: &str = "KSR-POLICY-SIG-VALIDITY";
pub const OVERLAP: &str = "KSR-POLICY-SIG-OVERLAP";
pub const INTERVALS: &str = "KSR-POLICY-BUNDLE-INTERVALS";
pub const HORIZON: &str = "KSR-POLICY-SIG-HORIZON";

/// KSR-POLICY-SIG-VALIDITY: each bundle's expiration - inception within the policy's range.
pub fn validity(doc: &Document, ctx: &Context) -> CheckResult {
    let span = ctx.policy.signature_validity;
    let mut problems = Vec::new();
    for (i, b) in doc.bundles.iter().enumerate() {
        let v = secs(b.expiration, b.inception);
        if !span.contains(v) {
            problems.push(format!(
                "{}: validity {} outside {}",
                slot_label(i, b),
                dur(v),
                span.describe()
            ));
        }
    }
    CheckResult::from_problems(
        VALIDITY,
        problems,
        format!("every bundle's validity is within {}", span.describe()),
    )
}

/// KSR-POLICY-SIG-OVERLAP: consecutive bundles overlap, with no gap, by an amount
/// within the policy's range.
pub fn overlap(doc: &Document, ctx: &Context) -> CheckResult {
    let span = ctx.policy.validity_overlap;
    if doc.bundles.len() < 2 {
        return CheckResult::skip(OVERLAP, "fewer than two bundles: nothing overlaps");
    }
    let mut problems = Vec::new();
    for (i, w) in doc.bundles.windows(2).enumerate() {
        let o = secs(w[0].expiration, w[1].inception);
        if o < 0 {
            problems.push(format!(
                "gap of {} between {} and {}",
                dur(-o),
                slot_label(i, &w[0]),
                slot_label(i + 1, &w[1])
            ));
        } else if !span.contains(o) {
            problems.push(format!(
                "{} and {} overlap by {}, outside {}",
                slot_label(i, &w[0]),
                slot_label(i + 1, &w[1]),
                dur(o),
                span.describe()
            ));
        }
    }
    CheckResult::from_problems(
        OVERLAP,
        problems,
        format!("consecutive bundles overlap within {}", span.describe()),
    )
}

/// KSR-POLICY-BUNDLE-INTERVALS: consecutive inceptions within the policy's range.
pub fn intervals(doc: &Document, ctx: &Context) -> CheckResult {
    let span = ctx.policy.bundle_interval;
    if doc.bundles.len() < 2 {
        return CheckResult::skip(INTERVALS, "fewer than two bundles: no interval");
    }
    let mut problems = Vec::new();
    for (i, w) in doc.bundles.windows(2).enumerate() {
        let d = secs(w[1].inception, w[0].inception);
        if !span.contains(d) {
            problems.push(format!(
                "{} starts {} after {}, outside {}",
                slot_label(i + 1, &w[1]),
                dur(d),
                slot_label(i, &w[0]),
                span.describe()
            ));
        }
    }
    CheckResult::from_problems(
        INTERVALS,
        problems,
        format!("consecutive inceptions are {} apart", span.describe()),
    )
}

/// KSR-POLICY-SIG-HORIZON: no expiration in the past or further than the horizon
/// ahead of `--at`.
pub fn horizon(doc: &Document, ctx: &Context) -> CheckResult {
    let limit = ctx.policy.signature_horizon;
    let at = format_human(ctx.at);
    let mut problems = Vec::new();
    for (i, b) in doc.bundles.iter().enumerate() {
        let ahead = secs(b.expiration, ctx.at);
        if ahead <= 0 {
            problems.push(format!(
                "{} expired at {}, before {at}",
                slot_label(i, b),
                format_human(b.expiration)
            ));
        } else if ahead > limit {
            problems.push(format!(
                "{} expires {} after {at}, beyond the horizon {}",
                slot_label(i, b),
                dur(ahead),
                dur(limit)
            ));
        }
    }
    CheckResult::from_problems(
        HORIZON,
        problems,
        format!(
            "every expiration is after {at} and within {} of it",
            dur(limit)
        ),
    )
}
