//! The named checks (DOMAIN.md section 3). Every applicable check runs; none stops
//! the others. Each reports pass, fail, or skip with the reason.
//!
//! STUB: shape fixed, to be completed (owner: ksr-checks work).

use crate::model::{Document, Time};
use crate::policy::Policy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckResult {
    /// e.g. `KSR-BUNDLE-POP`.
    pub name: &'static str,
    pub outcome: Outcome,
    /// What was checked and, on failure, where (bundle, key) and why.
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub results: Vec<CheckResult>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.results.iter().any(|r| r.outcome == Outcome::Fail)
    }
    pub fn get(&self, name: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.name == name)
    }
}

/// What the checks need besides the document.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub policy: &'a Policy,
    /// The previous SKR, for KSR-ID, KSR-BUNDLE-UNIQUE, KSR-CHAIN-*, KSR-POLICY-SAFETY.
    pub previous_skr: Option<&'a Document>,
    /// The time time-dependent checks use (`--at`).
    pub at: Time,
}

/// Every check that applies to a KSR.
pub fn check_ksr(doc: &Document, ctx: &Context) -> Report {
    let _ = (doc, ctx);
    todo!()
}

/// Every check that applies to an SKR (signatures verify, schema coverage, no gaps,
/// chain and safety against the previous SKR when given).
pub fn check_skr(doc: &Document, ctx: &Context) -> Report {
    let _ = (doc, ctx);
    todo!()
}
