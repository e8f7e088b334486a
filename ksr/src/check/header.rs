//! KSR-DOMAIN and KSR-ID: the document's header against the operator and the previous SKR.

use super::{CheckResult, Context};
use crate::model::Document;

pub const DOMAIN: &str = "KSR-DOMAIN";
pub const ID: &str = "KSR-ID";

/// KSR-DOMAIN: the domain is one the operator accepts.
pub fn domain(doc: &Document, ctx: &Context) -> CheckResult {
    if ctx.policy.accepts_domain(&doc.domain) {
        CheckResult::pass(
            DOMAIN,
            format!("domain {:?} is accepted by the policy", doc.domain),
        )
    } else {
        CheckResult::fail(
            DOMAIN,
            format!(
                "domain {:?} is not one the policy accepts ({})",
                doc.domain,
                ctx.policy.domains.join(", ")
            ),
        )
    }
}

/// KSR-ID: the id differs from the previous SKR's id (a replayed request has the same id).
pub fn id(doc: &Document, ctx: &Context) -> CheckResult {
    if doc.id.trim().is_empty() {
        return CheckResult::fail(ID, "the document has an empty id");
    }
    let Some(prev) = ctx.previous_skr else {
        return CheckResult::skip(ID, "no previous SKR given (--previous-skr)");
    };
    if prev.id == doc.id {
        CheckResult::fail(
            ID,
            format!(
                "id {} is the same as the previous SKR's id: a replayed request?",
                doc.id
            ),
        )
    } else {
        CheckResult::pass(
            ID,
            format!(
                "id {} differs from the previous SKR's id {}",
                doc.id, prev.id
            ),
        )
    }
}
