//! KSR-POLICY-SAFETY: keys are published long enough before they sign, and stay
//! published long enough after they stop.
//!
//! On an SKR this judges the KSKs across the previous SKR and the new one, with
//! the policy's KSK publish and retire safety. A KSR carries no KSKs, so there it
//! judges the ZSK rollovers the previous SKR and the KSR show: an incoming ZSK
//! must be published at least ZSK publish safety + retire safety before the
//! outgoing one is removed (the switch falls somewhere in between).

use super::{
    dur, key_identity, key_label, secs, signer_of, slot_label, zsks, CheckResult, Context,
};
use crate::model::{Bundle, Document, Key};
use std::collections::BTreeSet;

pub const SAFETY: &str = "KSR-POLICY-SAFETY";

type Id<'a> = (u8, &'a [u8]);

/// One bundle of the combined timeline (previous SKR, then this document).
struct Step<'a> {
    bundle: &'a Bundle,
    label: String,
}

fn timeline<'a>(doc: &'a Document, prev: Option<&'a Document>) -> (Vec<Step<'a>>, usize) {
    let mut steps = Vec::new();
    if let Some(p) = prev {
        for (i, b) in p.bundles.iter().enumerate() {
            steps.push(Step {
                bundle: b,
                label: format!("previous SKR {}", slot_label(i, b)),
            });
        }
    }
    let offset = steps.len();
    for (i, b) in doc.bundles.iter().enumerate() {
        steps.push(Step {
            bundle: b,
            label: slot_label(i, b),
        });
    }
    (steps, offset)
}

/// The ZSK side, for KSRs.
pub fn zsk(doc: &Document, ctx: &Context) -> CheckResult {
    let (steps, offset) = timeline(doc, ctx.previous_skr);
    let need = ctx
        .policy
        .zsk_publish_safety
        .saturating_add(ctx.policy.zsk_retire_safety);
    let sets: Vec<BTreeSet<Id>> = steps
        .iter()
        .map(|s| zsks(s.bundle).map(key_identity).collect())
        .collect();
    let first_seen = |id: &Id| sets.iter().position(|s| s.contains(id)).unwrap_or(0);
    let label_of = |id: &Id, j: usize| -> String {
        zsks(steps[j].bundle)
            .find(|k| key_identity(k) == *id)
            .map(key_label)
            .unwrap_or_default()
    };
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for j in offset.max(1)..steps.len() {
        for gone in sets[j - 1].difference(&sets[j]) {
            let gone_since = first_seen(gone);
            for incoming in &sets[j] {
                let since = first_seen(incoming);
                // Only a key introduced after the outgoing one is its successor,
                // and only a visible introduction can be timed.
                if since <= gone_since || since == 0 {
                    continue;
                }
                let together = secs(steps[j].bundle.inception, steps[since].bundle.inception);
                let text = format!(
                    "{} leaves at {}, {} after {} appeared at {}",
                    label_of(gone, j - 1),
                    steps[j].label,
                    dur(together),
                    label_of(incoming, j),
                    steps[since].label
                );
                if together < need {
                    problems.push(format!(
                        "{text}; ZSK publish safety {} + retire safety {} need {}",
                        dur(ctx.policy.zsk_publish_safety),
                        dur(ctx.policy.zsk_retire_safety),
                        dur(need)
                    ));
                } else {
                    checked.push(text);
                }
            }
        }
    }
    if problems.is_empty() && checked.is_empty() {
        let why = if ctx.previous_skr.is_none() {
            "; give --previous-skr to see rollovers that start before the KSR"
        } else {
            ""
        };
        return CheckResult::skip(
            SAFETY,
            format!("no ZSK rollover completes within view{why}"),
        );
    }
    CheckResult::from_problems(
        SAFETY,
        problems,
        format!("ZSK rollover safe: {}", checked.join("; ")),
    )
}

/// Keys that sign a bundle with their unrevoked flags (a revoked key's own
/// signature only announces the revocation).
fn live_signers(b: &Bundle) -> BTreeSet<Id<'_>> {
    b.signatures
        .iter()
        .filter_map(|s| signer_of(b, s))
        .filter(|k| k.is_ksk() && !k.is_revoked())
        .map(key_identity)
        .collect()
}

fn published(b: &Bundle, id: &Id) -> bool {
    b.keys.iter().any(|k| k.is_ksk() && key_identity(k) == *id)
}

fn ksk_label(steps: &[Step], id: &Id) -> String {
    steps
        .iter()
        .flat_map(|s| s.bundle.keys.iter())
        .find(|k: &&Key| key_identity(k) == *id)
        .map(key_label)
        .unwrap_or_default()
}

/// The KSK side, for SKRs: across the previous SKR (when given) and this one.
pub fn ksk(doc: &Document, ctx: &Context) -> CheckResult {
    let (steps, offset) = timeline(doc, ctx.previous_skr);
    let signers: Vec<BTreeSet<Id>> = steps.iter().map(|s| live_signers(s.bundle)).collect();
    let (publish_safety, retire_safety) =
        (ctx.policy.ksk_publish_safety, ctx.policy.ksk_retire_safety);
    let mut problems = Vec::new();
    let mut events = 0;
    for j in offset.max(1)..steps.len() {
        let inception = steps[j].bundle.inception;
        // A key starts signing: it must have been published publish-safety before.
        for id in signers[j].difference(&signers[j - 1]) {
            events += 1;
            let mut start = j;
            while start > 0 && published(steps[start - 1].bundle, id) {
                start -= 1;
            }
            let lead = secs(inception, steps[start].bundle.inception);
            if start > 0 && lead < publish_safety {
                problems.push(format!(
                    "{} signs from {} but was published only {} before (since {}); publish safety is {}",
                    ksk_label(&steps, id),
                    steps[j].label,
                    dur(lead),
                    steps[start].label,
                    dur(publish_safety)
                ));
            }
        }
        // A key stops signing: it must stay published retire-safety after.
        for id in signers[j - 1].difference(&signers[j]) {
            events += 1;
            for step in &steps[j..] {
                if secs(step.bundle.inception, inception) > retire_safety {
                    break;
                }
                if !published(step.bundle, id) {
                    problems.push(format!(
                        "{} stops signing at {} but is gone from {}, less than retire safety {} later",
                        ksk_label(&steps, id),
                        steps[j].label,
                        step.label,
                        dur(retire_safety)
                    ));
                    break;
                }
            }
        }
    }
    if problems.is_empty() && events == 0 {
        if ctx.previous_skr.is_none() {
            return CheckResult::skip(
                SAFETY,
                "no previous SKR given (--previous-skr) and no KSK starts or stops signing within this SKR",
            );
        }
        let all: BTreeSet<Id> = signers.iter().flatten().copied().collect();
        let names: Vec<String> = all.iter().map(|id| ksk_label(&steps, id)).collect();
        return CheckResult::pass(
            SAFETY,
            format!("no KSK starts or stops signing across the previous SKR and this one ({} signs throughout)", names.join(", ")),
        );
    }
    CheckResult::from_problems(
        SAFETY,
        problems,
        format!(
            "{events} KSK signing changes respect publish safety {} and retire safety {}",
            dur(publish_safety),
            dur(retire_safety)
        ),
    )
}
