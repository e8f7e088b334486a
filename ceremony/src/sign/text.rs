//! `sign-ksr` for the Knot and BIND text KSRs (docs/formats.md, "Signing text
//! KSRs"): what differs from IANA XML is only when signatures are made (the
//! text states no periods: [`ksr::sign::timing`] plans the snapshots from the
//! operator's policy) and how the SKR is written and re-checked. The checks,
//! the hash confirmation and the builder are the XML path's.

use ksr::check::{self, import, Context, Report};
use ksr::convert;
use ksr::dialect::TextDocument;
use ksr::format::{self, Format};
use ksr::model::Document;
use ksr::sign::timing::{self, Schedule};
use ksr::xml;

use crate::error::{Error, Result};

/// The SKR snapshots to sign for a text KSR, planned before the token opens.
pub fn schedule(text: &TextDocument, policy: &ksr::policy::Policy) -> Result<Schedule> {
    timing::schedule(text, &policy.snapshot_timing)
        .map_err(|e| Error::Input(format!("policy [snapshot_timing]: {e}")))
}

/// The bytes of `skr` in `out_format`. A text-born SKR has no id, which XML
/// requires: it gets one derived from the KSR's SHA-256.
pub fn skr_bytes(skr: &Document, out_format: Format, ksr_sha256: &[u8; 32]) -> Vec<u8> {
    if out_format == Format::IanaXml && skr.id.is_empty() {
        let mut doc = skr.clone();
        doc.id = super::uuid_shaped(ksr_sha256);
        return out_format.write(&doc);
    }
    out_format.write(skr)
}

/// The after-write check of a text SKR: the written file reads back as the
/// same records, snapshot by snapshot, passes every SKR check that the text
/// can carry, and answers the KSR snapshot by snapshot (SKR-MATCHES-KSR).
/// `built` is the SKR as signed, every DNSKEY signature verified when it was
/// made: SKR-VERIFY proves the file's by finding them, with the same records,
/// in it (as the XML path does) instead of verifying them again.
pub fn check_written(
    written: &[u8],
    name: &str,
    expected: &[u8],
    built: &Document,
    ksr: (&Document, Format),
    ctx: &Context,
) -> std::result::Result<Report, String> {
    let options = xml::ParseOptions {
        max_size: written.len().max(xml::DEFAULT_MAX_SIZE),
    };
    let want = format::read_text(expected, name, &options).map_err(|e| e.to_string())?;
    let again = format::read_text(written, name, &options)
        .map_err(|e| format!("the written SKR does not re-parse: {e}"))?;
    if convert::canonical(&again) != convert::canonical(&want) {
        return Err("the written SKR re-parses to different records".into());
    }
    // RRSIGs over CDS and CDNSKEY (--cds) are checked here; the DNSKEY ones by SKR-VERIFY.
    ksr::sign::cds::verify(&again)?;
    let doc = again.to_document("");
    // The signed document in the model the text maps to, without a file between.
    let verified = TextDocument::from_document(built, again.flavor).to_document("");
    let mut report = check::check_skr_built(&doc, ctx, &verified);
    import::apply_text_dialect_limits(&mut report, &doc, again.flavor, None);
    import::apply_resigning_limits(&mut report, doc.bundles.len(), ksr.0.bundles.len());
    report
        .results
        .push(import::matches_ksr(&doc, again.flavor, Some(ksr)));
    Ok(report)
}
