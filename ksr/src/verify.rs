//! Verification as a library call: which checks apply to a document, with what
//! (policy, schema, previous SKR, the KSR it answers, pinned KSKs), and the one
//! [`Report`] they give. `ksr verify`, `ksr export` and a ceremony UI all run
//! this and render its result with [`crate::render`].
//!
//! What applies (docs/checks.md):
//! - every KSR check on a KSR, every SKR check on an SKR ([`check::check`]);
//! - checks that judge values the text formats do not carry become SKIP
//!   ([`import::apply_text_dialect_limits`]);
//! - on an SKR, the importer checks (SKR-MATCHES-KSR, SKR-KSK-PINNED,
//!   SKR-SIG-WINDOW) when an importer input or an explicit time is given.

use crate::check::{self, anchor, import, Context, Report};
use crate::format::{self, Format};
use crate::model::{Document, Kind, Seconds, Time};
use crate::policy::Policy;
use crate::schema::Schema;
use crate::xml::{ParseError, ParseOptions};
use std::path::{Path, PathBuf};

/// What to verify and against what.
#[derive(Debug, Clone)]
pub struct VerifyInput {
    /// The KSR or SKR, in any format.
    pub file: PathBuf,
    /// Operator policy (TOML); `None`: the root zone's.
    pub policy: Option<PathBuf>,
    /// The time for time-dependent checks.
    pub at: Time,
    /// Whether `at` was asked for rather than "now": an SKR then also gets the
    /// importer's SKR-SIG-WINDOW at that time.
    pub at_given: bool,
    /// The schema an SKR must follow; `None`: inferred (the report says which matched).
    pub schema: Option<String>,
    /// The SKR that precedes this document (chain, id, bundle-id and safety checks).
    pub previous_skr: Option<PathBuf>,
    /// Importer: the KSR this SKR must answer exactly (SKR-MATCHES-KSR).
    pub request: Option<PathBuf>,
    /// Importer: trusted KSKs by unrevoked key tag (SKR-KSK-PINNED).
    pub ksk_tags: Vec<u16>,
    /// Importer: trusted KSKs from an RFC 9718 trust anchor file (SKR-KSK-PINNED).
    pub trust_anchor: Option<PathBuf>,
    /// Importer: the parent's DS records, each pinning a KSK (SKR-KSK-PINNED).
    pub ds: Vec<String>,
    /// Importer: least time a signature must outlive the next bundle's
    /// inception (SKR-SIG-WINDOW); `None`: the policy's.
    pub min_remaining: Option<Seconds>,
    /// Largest input accepted, in bytes.
    pub max_size: usize,
}

impl VerifyInput {
    /// `file` against the root policy at `at`, nothing else given.
    pub fn new(file: impl Into<PathBuf>, at: Time) -> VerifyInput {
        VerifyInput {
            file: file.into(),
            policy: None,
            at,
            at_given: false,
            schema: None,
            previous_skr: None,
            request: None,
            ksk_tags: Vec::new(),
            trust_anchor: None,
            ds: Vec::new(),
            min_remaining: None,
            max_size: crate::xml::DEFAULT_MAX_SIZE,
        }
    }

    /// Whether an importer input was given.
    fn importer(&self) -> bool {
        self.request.is_some()
            || !self.ksk_tags.is_empty()
            || self.trust_anchor.is_some()
            || !self.ds.is_empty()
            || self.min_remaining.is_some()
    }
}

/// Why nothing could be verified: unusable input or usage (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A KSR/SKR did not parse (`FILE:LINE: element: message`).
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The policy file is unusable.
    #[error("{0}")]
    Policy(String),
    /// The trust anchor file is unusable.
    #[error("{0}")]
    TrustAnchor(String),
    /// Inputs that do not go together (an importer option on a KSR, an
    /// unknown schema, a KSR where an SKR belongs).
    #[error("{0}")]
    Usage(String),
}

/// A document with its format and the report of every check that applied.
#[derive(Debug, Clone)]
pub struct Verification {
    pub file: PathBuf,
    pub doc: Document,
    pub format: Format,
    pub report: Report,
    pub at: Time,
}

impl Verification {
    /// `IANA XML SKR`, `Knot text dialect KSR`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.format.describe(), kind_name(self.doc.kind))
    }
}

/// `KSR` or `SKR`.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Request => "KSR",
        Kind::Response => "SKR",
    }
}

/// Loads the document and everything `input` names, and runs the checks.
pub fn verify(input: &VerifyInput) -> Result<Verification, VerifyError> {
    let policy = match &input.policy {
        Some(p) => Policy::from_toml_file(p).map_err(VerifyError::Policy)?,
        None => Policy::root(),
    };
    let min_remaining = input
        .min_remaining
        .unwrap_or(policy.min_signature_remaining);
    let schema = match &input.schema {
        Some(name) => Some(find_schema(&policy, name)?),
        None => None,
    };
    let options = ParseOptions {
        max_size: input.max_size,
    };
    let (doc, format) = format::read_file(&input.file, &options)?;
    let previous = match &input.previous_skr {
        Some(p) => Some(load_kind(p, &options, Kind::Response, "--previous-skr")?),
        None => None,
    };
    if doc.kind != Kind::Response {
        if schema.is_some() {
            return Err(VerifyError::Usage("--schema applies to SKRs only".into()));
        }
        if input.importer() {
            return Err(VerifyError::Usage(format!(
                "{} is a KSR: --request, --ksk-tag, --ds, --trust-anchor and --min-remaining check an SKR",
                input.file.display()
            )));
        }
    }
    let request = match &input.request {
        Some(p) => Some(load_kind(p, &options, Kind::Request, "--request")?),
        None => None,
    };
    let mut trust_anchor = match &input.trust_anchor {
        Some(p) => Some(anchor::read_file(p).map_err(VerifyError::TrustAnchor)?),
        None => None,
    };
    add_ds(&mut trust_anchor, &input.ds, &doc)?;
    let mut ctx = Context::new(&policy, input.at);
    if let Some((prev, _)) = &previous {
        ctx = ctx.with_previous(prev);
    }
    if let Some(s) = &schema {
        ctx = ctx.with_schema(s);
    }
    let mut report = check::check(&doc, &ctx);
    import::apply_text_dialect_limits(&mut report, &doc, format, previous.as_ref().map(|p| p.1));
    if format.is_text() && doc.kind == Kind::Response {
        cds_signatures(&mut report, &input.file, &options);
    }
    if let Some((r, _)) = request.as_ref().filter(|_| format.is_text()) {
        import::apply_resigning_limits(&mut report, doc.bundles.len(), r.bundles.len());
    }
    if doc.kind == Kind::Response && (input.importer() || input.at_given) {
        report.results.push(import::matches_ksr(
            &doc,
            format,
            request.as_ref().map(|(r, f)| (r, *f)),
        ));
        report.results.push(import::ksk_pinned(
            &doc,
            &input.ksk_tags,
            trust_anchor.as_ref(),
        ));
        report
            .results
            .push(import::sig_window(&doc, input.at, min_remaining));
        report.results.push(import::expiry_horizon(
            &doc,
            input.at,
            policy.min_expiry_horizon,
        ));
    }
    Ok(Verification {
        file: input.file.clone(),
        doc,
        format,
        report,
        at: input.at,
    })
}

/// A text SKR may carry CDS and CDNSKEY RRsets (Knot, BIND, `ceremony
/// sign-ksr --cds`): their RRSIGs are verified too, and a bad one fails
/// SKR-VERIFY like a bad DNSKEY signature.
fn cds_signatures(report: &mut Report, file: &Path, options: &ParseOptions) {
    let Ok(text) = format::read_text_file(file, options) else {
        return;
    };
    let Some(r) = report
        .results
        .iter_mut()
        .find(|r| r.name == check::skr::VERIFY)
    else {
        return;
    };
    match crate::sign::cds::verify(&text) {
        Ok(0) => {}
        Ok(n) => {
            if r.outcome == check::Outcome::Pass {
                r.detail
                    .push_str(&format!("; and {n} RRSIG(s) over CDS/CDNSKEY verify"));
            }
        }
        Err(e) => *r = check::CheckResult::fail(check::skr::VERIFY, e),
    }
}

/// Adds the `--ds` records to the pinned digests. A DS names its owner or is
/// taken as the SKR's zone; all pins must be for one zone.
fn add_ds(
    anchor: &mut Option<anchor::TrustAnchor>,
    ds: &[String],
    doc: &Document,
) -> Result<(), VerifyError> {
    for text in ds {
        let (owner, digest) =
            anchor::parse_ds(text).map_err(|e| VerifyError::Usage(format!("--ds {e}")))?;
        let a = anchor.get_or_insert_with(|| anchor::TrustAnchor {
            zone: owner
                .clone()
                .unwrap_or_else(|| crate::policy::normalize_domain(&doc.domain)),
            digests: Vec::new(),
        });
        if let Some(o) = owner.filter(|o| *o != a.zone) {
            return Err(VerifyError::Usage(format!(
                "--ds {text:?}: owner {o} is not the zone {} of the other pins",
                a.zone
            )));
        }
        a.digests.push(digest);
    }
    Ok(())
}

/// A schema by name: the policy's own, then the built-in ones.
fn find_schema(policy: &Policy, name: &str) -> Result<Schema, VerifyError> {
    policy.schema(name).ok_or_else(|| {
        let mut names: Vec<String> = policy.schemas.iter().map(|s| s.name.clone()).collect();
        names.extend(Schema::builtin_names().iter().map(|s| s.to_string()));
        VerifyError::Usage(format!(
            "--schema {name:?}: no such schema (known: {})",
            names.join(", ")
        ))
    })
}

/// Loads the file an option names and insists on its kind (a previous SKR must
/// be a Response, a request a Request).
fn load_kind(
    path: &Path,
    options: &ParseOptions,
    want: Kind,
    option: &str,
) -> Result<(Document, Format), VerifyError> {
    let (doc, format) = format::read_file(path, options)?;
    if doc.kind != want {
        let (is, wanted) = match want {
            Kind::Response => ("a KSR (Request)", "an SKR"),
            Kind::Request => ("an SKR (Response)", "a KSR"),
        };
        return Err(VerifyError::Usage(format!(
            "{option} {}: this is {is}, not {wanted}",
            path.display()
        )));
    }
    Ok((doc, format))
}
