//! An SKR in the offline-KSK text dialect that Knot DNS (`keymgr import-skr`)
//! and BIND 9.20 (`rndc skr -import`) read: one snapshot per bundle at its
//! inception, holding the bundle's DNSKEYs and their RRSIGs.
//!
//! [`to_text`] gives deterministic bytes; [`check_text`] is the after-write
//! verification: the text re-parses to exactly the intended snapshots and every
//! signature in it still verifies.

use crate::check::{self, Context, Outcome};
use crate::dialect::{self, TextDocument};
use crate::format::Format;
use crate::model::{Document, Kind};
use crate::xml::{ParseError, ParseOptions};

/// Why an SKR was not exported, or why exported text failed its check.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("only an SKR (Response) can be exported; this is a KSR (Request)")]
    NotAnSkr,
    #[error("the SKR has no bundles")]
    NoBundles,
    /// The written text does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("{file}: re-reading the written text gives a different document")]
    Differs { file: String },
    /// A signature in the written text does not verify (SKR-VERIFY's detail).
    #[error("{file}: {check} {detail}")]
    Check {
        file: String,
        check: &'static str,
        detail: String,
    },
}

/// The text form of `skr` in `flavor`. Refuses a request: only signed
/// responses go to a signer.
pub fn to_text(skr: &Document, flavor: Format) -> Result<(TextDocument, Vec<u8>), ExportError> {
    if skr.kind != Kind::Response {
        return Err(ExportError::NotAnSkr);
    }
    if skr.bundles.is_empty() {
        return Err(ExportError::NoBundles);
    }
    let text = TextDocument::from_document(skr, flavor);
    let bytes = dialect::write(&text);
    Ok((text, bytes))
}

/// Verifies exported `bytes` (read back from `file`): they parse as the text
/// dialect, equal `expected`, and every DNSKEY signature verifies.
pub fn check_text(bytes: &[u8], file: &str, expected: &TextDocument) -> Result<(), ExportError> {
    let options = ParseOptions {
        max_size: bytes.len().max(ParseOptions::default().max_size),
    };
    let again = crate::format::read_text(bytes, file, &options)?;
    if &again != expected {
        return Err(ExportError::Differs { file: file.into() });
    }
    let doc = again.to_document("");
    let policy = crate::policy::Policy::root();
    let ctx = Context::new(&policy, time::OffsetDateTime::UNIX_EPOCH);
    let verified = check::skr::verify(&doc, &ctx);
    if verified.outcome != Outcome::Pass {
        return Err(ExportError::Check {
            file: file.into(),
            check: verified.name,
            detail: verified.detail,
        });
    }
    Ok(())
}

/// Records of a text SKR that have no place in the dialect-free document (CDS,
/// CDNSKEY and RRSIGs over them): re-exporting would drop them. None when
/// there are none; else which types and in which snapshots.
pub fn records_without_a_place(text: &TextDocument) -> Option<String> {
    use crate::dialect::RecordData;
    let mut kinds = std::collections::BTreeSet::new();
    let mut snapshots = Vec::new();
    for (i, snap) in text.snapshots.iter().enumerate() {
        let mut any = false;
        for r in &snap.records {
            let kind = match &r.data {
                RecordData::Dnskey(_) => continue,
                RecordData::Rrsig(s) if s.type_covered.eq_ignore_ascii_case("DNSKEY") => continue,
                RecordData::Rrsig(s) => format!("RRSIG {}", s.type_covered),
                RecordData::Cdnskey(_) => "CDNSKEY".into(),
                RecordData::Cds { .. } => "CDS".into(),
            };
            kinds.insert(kind);
            any = true;
        }
        if any {
            snapshots.push((i + 1).to_string());
        }
    }
    if kinds.is_empty() {
        return None;
    }
    Some(format!(
        "{} in snapshot(s) {}",
        kinds.into_iter().collect::<Vec<_>>().join(", "),
        snapshots.join(",")
    ))
}

/// Why BIND would refuse the SKR: `rndc skr -import` wants an RRSIG by every
/// KSK with flags 257 in a snapshot (docs/formats.md, BIND), so a KSK published
/// ahead of signing (pre-publish) cannot go to BIND.
pub fn bind_problems(skr: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for (i, b) in skr.bundles.iter().enumerate() {
        for k in b
            .keys
            .iter()
            .filter(|k| k.flags == crate::model::flags::KSK)
        {
            let signs = b
                .signatures
                .iter()
                .any(|s| check::signer_of(b, s).is_some_and(|sk| sk == k));
            if !signs {
                out.push(format!(
                    "{}: {} is published without an RRSIG of its own",
                    check::slot_label(i, b),
                    check::key_label(k)
                ));
            }
        }
    }
    out
}
