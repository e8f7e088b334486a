//! The named checks (docs/checks.md). Every applicable check runs; none stops
//! the others. Each reports pass, fail, or skip with the reason.
//!
//! Limits always come from the operator's [`Policy`], never from the policy block
//! a document states about itself.
//!
//! - [`header`]: KSR-DOMAIN, KSR-ID.
//! - [`bundle`]: KSR-BUNDLE-UNIQUE, -KEYS, -POP, -COUNT, -CYCLE-DURATION.
//! - [`policy_keys`]: KSR-POLICY-KEYS, KSR-POLICY-ALG.
//! - [`timing`]: KSR-POLICY-SIG-VALIDITY, -SIG-OVERLAP, -BUNDLE-INTERVALS, -SIG-HORIZON.
//! - [`chain`]: KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP (against the previous SKR).
//! - [`safety`]: KSR-POLICY-SAFETY (ZSK rollovers in a KSR, KSKs across SKRs).
//! - [`key_tag`]: KEY-TAG-UNIQUE; [`time_serial`]: KSR-TIME-SERIAL.
//! - [`skr`]: SKR-VERIFY, SKR-SCHEMA, SKR-NO-GAPS.
//! - [`import`]: SKR-MATCHES-KSR, SKR-KSK-PINNED, SKR-SIG-WINDOW (the importer's
//!   checks, run on request); [`anchor`]: trust anchor files for pinning.

pub mod anchor;
pub mod bundle;
pub mod chain;
pub mod header;
pub mod import;
pub mod key_tag;
pub mod policy_keys;
pub mod safety;
pub mod skr;
pub mod time_serial;
pub mod timing;

use crate::model::{Bundle, Document, Key, Seconds, Time};
use crate::policy::Policy;
use crate::schema::Schema;
use crate::timefmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIP",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckResult {
    /// e.g. `KSR-BUNDLE-POP`.
    pub name: &'static str,
    pub outcome: Outcome,
    /// What was checked and, on failure, where (bundle, key) and why.
    pub detail: String,
}

impl CheckResult {
    pub fn pass(name: &'static str, detail: impl Into<String>) -> Self {
        CheckResult {
            name,
            outcome: Outcome::Pass,
            detail: detail.into(),
        }
    }
    pub fn skip(name: &'static str, reason: impl Into<String>) -> Self {
        CheckResult {
            name,
            outcome: Outcome::Skip,
            detail: reason.into(),
        }
    }
    pub fn fail(name: &'static str, detail: impl Into<String>) -> Self {
        CheckResult {
            name,
            outcome: Outcome::Fail,
            detail: detail.into(),
        }
    }
    /// Fails with every problem listed (`; `-separated) or passes with `ok`.
    pub fn from_problems(name: &'static str, problems: Vec<String>, ok: impl Into<String>) -> Self {
        if problems.is_empty() {
            CheckResult::pass(name, ok)
        } else {
            CheckResult::fail(name, problems.join("; "))
        }
    }
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
    /// Names of the checks that failed, in report order.
    pub fn failures(&self) -> Vec<&'static str> {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Fail)
            .map(|r| r.name)
            .collect()
    }
    /// One line per check: `PASS KSR-DOMAIN domain . is accepted` ([`crate::render`]).
    pub fn lines(&self) -> Vec<String> {
        crate::render::lines(self)
    }
}

/// Names of the checks the ceremony runs against its HSM and its own keys
/// (ceremony `sign-ksr`, `keygen`); listed here so one report type carries
/// them and [`CHECKS`] documents them with the rest.
pub mod ceremony {
    /// The ceremony's KSKs have an algorithm and size the policy lists.
    pub const KSK_POLICY_ALG: &str = "KSK-POLICY-ALG";
    /// A new key's tag (and revoked tag) collides with no key on the token;
    /// the same name as the document check [`super::key_tag::UNIQUE`].
    pub const KEY_TAG_UNIQUE: &str = super::key_tag::UNIQUE;
    /// The KSKs that signed the previous SKR's last bundle are on this token.
    pub const CHAIN_KEYS_HSM: &str = "KSR-CHAIN-KEYS-HSM";
    /// Every KSR key has the policy's DNSKEY TTL.
    pub const KEY_TTL: &str = "KSR-KEY-TTL";
}

/// A named check: its name and what it verifies in one line (docs/checks.md
/// has the why and which input fails it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CheckInfo {
    pub name: &'static str,
    pub description: &'static str,
}

const fn info(name: &'static str, description: &'static str) -> CheckInfo {
    CheckInfo { name, description }
}

/// Every named check of the workspace, in report order.
pub const CHECKS: &[CheckInfo] = &[
    info(header::DOMAIN, "the domain is one the operator accepts"),
    info(header::ID, "the KSR id differs from the previous SKR's id"),
    info(
        bundle::UNIQUE,
        "bundle ids are unique and none is reused from the previous SKR",
    ),
    info(
        bundle::KEYS,
        "a keyIdentifier always names the same key; tags recompute; ZSK flags are 256",
    ),
    info(
        bundle::POP,
        "every ZSK in a bundle signed that bundle's DNSKEY RRset, and it verifies",
    ),
    info(
        key_tag::UNIQUE,
        "no two different keys share a key tag (a KSK also claims its revoked tag), \
         in the document, against the previous SKR, and against the token (ceremony)",
    ),
    info(bundle::COUNT, "the number of bundles is the policy's"),
    info(
        bundle::CYCLE,
        "last inception minus first inception is within the policy's range",
    ),
    info(
        policy_keys::KEYS,
        "keys per bundle and distinct keys overall are the policy's",
    ),
    info(
        policy_keys::ALG,
        "key algorithms and sizes are approved; deprecated ones are refused",
    ),
    info(
        timing::VALIDITY,
        "each bundle's validity is within the operator's min..max",
    ),
    info(
        timing::OVERLAP,
        "consecutive bundles overlap, without gaps, within min..max",
    ),
    info(
        timing::INTERVALS,
        "consecutive inceptions are within the policy's interval range",
    ),
    info(
        timing::HORIZON,
        "no expiration is in the past or beyond the horizon at the given time",
    ),
    info(
        time_serial::SERIAL,
        "every RRSIG time reads back unambiguously (RFC 4034 3.1.5 serial arithmetic)",
    ),
    info(
        chain::KEYS,
        "the first new bundle's keys equal the previous SKR's last bundle's",
    ),
    info(
        chain::OVERLAP,
        "the previous SKR's last expiration overlaps the first new inception",
    ),
    info(
        safety::SAFETY,
        "publish and retire safety of ZSKs (KSR) and KSKs (across SKRs)",
    ),
    info(skr::VERIFY, "every signature in the SKR verifies"),
    info(
        skr::SCHEMA,
        "each bundle carries the KSKs and signatures its schema says",
    ),
    info(skr::NO_GAPS, "the bundles cover the period without gaps"),
    info(
        import::MATCHES_KSR,
        "the SKR answers exactly the KSR the operator sent",
    ),
    info(
        import::KSK_PINNED,
        "every signing KSK is one the operator pinned",
    ),
    info(
        import::SIG_WINDOW,
        "signatures cover the time in force and outlive the next bundle's start",
    ),
    info(
        import::EXPIRY_HORIZON,
        "the SKR's last signature expires no sooner than the policy's margin after --at",
    ),
    info(
        ceremony::KEY_TTL,
        "every KSR key has the policy's DNSKEY TTL (ceremony)",
    ),
    info(
        ceremony::KSK_POLICY_ALG,
        "the ceremony's KSKs have an algorithm and size the policy lists",
    ),
    info(
        ceremony::CHAIN_KEYS_HSM,
        "the KSKs that signed the previous SKR's last bundle are on the token",
    ),
];

/// The description of a named check, if it is one.
pub fn describe(name: &str) -> Option<&'static str> {
    CHECKS
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.description)
}

/// What the checks need besides the document.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub policy: &'a Policy,
    /// The previous SKR, for KSR-ID, KSR-BUNDLE-UNIQUE, KSR-CHAIN-*, KSR-POLICY-SAFETY.
    pub previous_skr: Option<&'a Document>,
    /// The time time-dependent checks use (`--at`).
    pub at: Time,
    /// The schema an SKR must follow (SKR-SCHEMA). None: infer it from the
    /// signing pattern and report which schema matched.
    pub schema: Option<&'a Schema>,
}

impl<'a> Context<'a> {
    pub fn new(policy: &'a Policy, at: Time) -> Self {
        Context {
            policy,
            previous_skr: None,
            at,
            schema: None,
        }
    }
    pub fn with_previous(mut self, previous: &'a Document) -> Self {
        self.previous_skr = Some(previous);
        self
    }
    pub fn with_schema(mut self, schema: &'a Schema) -> Self {
        self.schema = Some(schema);
        self
    }
}

/// The KSR-* checks in report order. A KSR and an SKR carry the same bundles,
/// so both run them; `pop` and `horizon` are passed in because on an SKR they
/// are reported as skipped, and `safety` because it judges ZSKs on a KSR and
/// KSKs on an SKR.
fn ksr_checks(
    doc: &Document,
    ctx: &Context,
    pop: CheckResult,
    horizon: CheckResult,
    safety: CheckResult,
) -> Vec<CheckResult> {
    vec![
        header::domain(doc, ctx),
        header::id(doc, ctx),
        bundle::unique(doc, ctx),
        bundle::keys(doc, ctx),
        key_tag::unique(doc, ctx),
        pop,
        bundle::count(doc, ctx),
        bundle::cycle_duration(doc, ctx),
        policy_keys::keys(doc, ctx),
        policy_keys::algorithms(doc, ctx),
        timing::validity(doc, ctx),
        timing::overlap(doc, ctx),
        timing::intervals(doc, ctx),
        horizon,
        time_serial::serial(doc, ctx),
        chain::keys(doc, ctx),
        chain::overlap(doc, ctx),
        safety,
    ]
}

/// Every check that applies to a KSR.
pub fn check_ksr(doc: &Document, ctx: &Context) -> Report {
    Report {
        results: ksr_checks(
            doc,
            ctx,
            bundle::pop(doc, ctx),
            timing::horizon(doc, ctx),
            safety::zsk(doc, ctx),
        ),
    }
}

/// Every check that applies to an SKR (signatures verify, schema coverage, no gaps,
/// chain and safety against the previous SKR when given). The bundle and policy
/// checks of a KSR run too, since an SKR carries the same bundles; the proof of
/// possession and the horizon belong to the KSR before signing, so they are
/// reported as skipped with the reason (every named check shows in the report).
pub fn check_skr(doc: &Document, ctx: &Context) -> Report {
    skr_report(doc, ctx, skr::verify(doc, ctx))
}

/// [`check_skr`] for an SKR read back from the document `built` whose every
/// signature was verified when it was made: SKR-VERIFY proves each signature
/// by finding it, with the same records, in `built` instead of repeating the
/// cryptography; every other check runs on `doc` as in [`check_skr`].
pub fn check_skr_built(doc: &Document, ctx: &Context, built: &Document) -> Report {
    skr_report(doc, ctx, skr::verify_built(doc, built))
}

fn skr_report(doc: &Document, ctx: &Context, verify: CheckResult) -> Report {
    let pop = CheckResult::skip(
        bundle::POP,
        "an SKR carries no ZSK proof-of-possession signatures (they are checked on the KSR); SKR-VERIFY checks its KSK signatures",
    );
    let horizon = CheckResult::skip(
        timing::HORIZON,
        "judged on the KSR before signing; for an SKR, --at or an importer option runs SKR-SIG-WINDOW",
    );
    let mut results = ksr_checks(doc, ctx, pop, horizon, safety::ksk(doc, ctx));
    results.extend([verify, skr::schema(doc, ctx), skr::no_gaps(doc, ctx)]);
    Report { results }
}

/// Runs [`check_ksr`] or [`check_skr`] by the document's kind.
pub fn check(doc: &Document, ctx: &Context) -> Report {
    match doc.kind {
        crate::model::Kind::Request => check_ksr(doc, ctx),
        crate::model::Kind::Response => check_skr(doc, ctx),
    }
}

// ---- shared helpers for the check families -------------------------------

/// The first 8 characters of a bundle id (a UUID prefix in root practice).
pub fn short_id(id: &str) -> &str {
    match id.char_indices().nth(8) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

/// `slot 3 (ea67fb0d)`: slots count from 1 in document order.
pub fn slot_label(index: usize, bundle: &Bundle) -> String {
    format!("slot {} ({})", index + 1, short_id(&bundle.id))
}

/// A key identifier shortened for messages: HSM labels stay whole, long hex DER
/// names keep their last 8 characters.
pub fn short_key_id(id: &str) -> String {
    if id.chars().count() <= 12 {
        id.to_string()
    } else {
        let tail: String = id
            .chars()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    }
}

/// `ZSK 14796 (…534b33)` / `KSK 19036 (Kjqmt7v)`; the tag is the one the file states.
pub fn key_label(key: &Key) -> String {
    let kind = if key.is_ksk() { "KSK" } else { "ZSK" };
    let r = if key.is_revoked() { "R" } else { "" };
    format!(
        "{kind} {r}{} ({})",
        key.key_tag,
        short_key_id(&key.key_identifier)
    )
}

/// A key's identity across bundles and documents: algorithm and public key
/// (the REVOKE flag changes the tag, not the key).
pub fn key_identity(key: &Key) -> (u8, &[u8]) {
    (key.algorithm, key.public_key.as_slice())
}

/// Whole seconds between two times.
pub fn secs(later: Time, earlier: Time) -> Seconds {
    (later - earlier).whole_seconds()
}

/// A duration for messages, as xsd:duration (`P10D`, `-P1D`).
pub fn dur(s: Seconds) -> String {
    timefmt::format_duration(s)
}

/// ZSKs of a bundle (flags without SEP).
pub fn zsks(bundle: &Bundle) -> impl Iterator<Item = &Key> {
    bundle.keys.iter().filter(|k| !k.is_ksk())
}

/// KSKs of a bundle (SEP flag set, revoked or not).
pub fn ksks(bundle: &Bundle) -> impl Iterator<Item = &Key> {
    bundle.keys.iter().filter(|k| k.is_ksk())
}

/// Finds the key a signature claims: same keyIdentifier, else same tag and algorithm.
pub fn signer_of<'b>(bundle: &'b Bundle, sig: &crate::model::Signature) -> Option<&'b Key> {
    bundle
        .keys
        .iter()
        .find(|k| k.key_identifier == sig.key_identifier && k.key_tag == sig.key_tag)
        .or_else(|| {
            bundle
                .keys
                .iter()
                .find(|k| k.key_identifier == sig.key_identifier)
        })
        .or_else(|| {
            bundle
                .keys
                .iter()
                .find(|k| k.key_tag == sig.key_tag && k.algorithm == sig.algorithm)
        })
}
