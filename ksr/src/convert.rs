//! `ksr convert`: a KSR or SKR from any format to any other (docs/formats.md,
//! "Converting"). Records and signatures are carried byte for byte; what a
//! target cannot express is refused with the reason, never dropped.
//!
//! - IANA XML, Knot and BIND text: [`convert`] writes the target and
//!   [`check_same_records`] proves the written bytes carry exactly the input's
//!   records, snapshot by snapshot.
//! - `zone`: per-bundle zone-file fragments (DNSKEY, CDS/CDNSKEY, RRSIG),
//!   each headed by its validity window, for signers with no SKR import.

use crate::dialect::{self, RecordData, TextDocument};
use crate::format::{self, Format};
use crate::model::{Document, Kind, Time};
use crate::xml::{ParseError, ParseOptions};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// What `ksr convert --to` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// One of the three KSR/SKR formats.
    Format(Format),
    /// Zone-file fragments, one per bundle.
    Zone,
}

impl Target {
    /// `iana`, `knot`, `bind` or `zone`.
    pub fn from_name(name: &str) -> Option<Target> {
        match name.to_ascii_lowercase().as_str() {
            "iana" | "xml" => Some(Target::Format(Format::IanaXml)),
            "zone" => Some(Target::Zone),
            other => Format::from_dialect_name(other).map(Target::Format),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Target::Format(f) => f.describe(),
            Target::Zone => "zone-file fragments",
        }
    }
}

/// Why a conversion was refused or its output failed the check.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The target has no place for something the input carries.
    #[error("{file}: {target} cannot express {what}; nothing written")]
    Inexpressible {
        file: String,
        target: &'static str,
        what: String,
    },
    /// The written bytes do not carry the input's records (a bug, caught before the rename).
    #[error("{file}: the converted output differs from the input: {detail}")]
    Differs { file: String, detail: String },
}

/// A conversion's result: the bytes to write and what went in.
#[derive(Debug)]
pub struct Converted {
    pub from: Format,
    pub bytes: Vec<u8>,
    /// Snapshots (bundles) and records carried.
    pub snapshots: usize,
    pub records: usize,
    /// The input's records, to check the written output against.
    pub expected: Vec<SnapshotRecords>,
}

/// One snapshot's time and its records in canonical presentation (owner
/// lower-cased), as a set: the order of records in an RRset carries nothing.
pub type SnapshotRecords = (Time, BTreeSet<String>);

/// Converts `bytes` (any format, read from `file`) to `target`.
pub fn convert(
    bytes: &[u8],
    file: &str,
    options: &ParseOptions,
    target: Target,
) -> Result<Converted, ConvertError> {
    let from = Format::detect(bytes);
    let (text, doc) = if from.is_text() {
        let text = format::read_text(bytes, file, options)?;
        let doc = text.to_document("");
        (text, doc)
    } else {
        let (doc, _) = format::read(bytes, file, options)?;
        (TextDocument::from_document(&doc, Format::Bind), doc)
    };
    let from = if from.is_text() { text.flavor } else { from };
    let refuse = |what: String| ConvertError::Inexpressible {
        file: file.to_string(),
        target: target.describe(),
        what,
    };
    let out = match target {
        Target::Format(Format::IanaXml) => {
            if let Some(extra) = crate::export::records_without_a_place(&text) {
                return Err(refuse(format!(
                    "{extra} (IANA XML carries only DNSKEY records and their RRSIGs)"
                )));
            }
            let mut doc = doc.clone();
            if doc.id.is_empty() {
                // The text dialect has no document id and XML requires one: derived
                // from the input, so the same input gives the same XML.
                doc.id = crate::digest::uuid_shaped(&crate::digest::sha256(bytes));
            }
            format::Format::IanaXml.write(&doc)
        }
        Target::Format(flavor) => {
            if !from.is_text() {
                text_expressible(&doc).map_err(refuse)?;
            }
            let mut text = text.clone();
            text.flavor = flavor;
            dialect::write(&text)
        }
        Target::Zone => {
            if doc.kind != Kind::Response {
                return Err(refuse(
                    "a KSR (zone fragments are for signed DNSKEY RRsets; convert the SKR)".into(),
                ));
            }
            zone(&doc, &text, file)
        }
    };
    let expected = canonical(&text);
    Ok(Converted {
        from,
        snapshots: expected.len(),
        records: expected.iter().map(|(_, r)| r.len()).sum(),
        bytes: out,
        expected,
    })
}

/// Why an XML document has no exact text form: the text dialect has a
/// snapshot time per bundle and no signatures in a request.
fn text_expressible(doc: &Document) -> Result<(), String> {
    if doc.kind == Kind::Request {
        let signed: usize = doc.bundles.iter().map(|b| b.signatures.len()).sum();
        if signed > 0 {
            return Err(format!(
                "the {signed} proof-of-possession signature(s) of this KSR (a text KSR holds DNSKEY records only)"
            ));
        }
    }
    for pair in doc.bundles.windows(2) {
        if pair[1].inception <= pair[0].inception {
            return Err(format!(
                "bundle {} starting at or before bundle {} (text snapshots follow each other in time)",
                pair[1].id, pair[0].id
            ));
        }
    }
    Ok(())
}

/// Every record of `text`, per snapshot, in canonical presentation.
pub fn canonical(text: &TextDocument) -> Vec<SnapshotRecords> {
    text.snapshots
        .iter()
        .map(|s| {
            let records = s
                .records
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    r.owner = r.owner.to_ascii_lowercase();
                    if let RecordData::Rrsig(sig) = &mut r.data {
                        sig.signers_name = sig.signers_name.to_ascii_lowercase();
                    }
                    dialect::record_line(&r)
                })
                .collect();
            (s.time, records)
        })
        .collect()
}

/// Checks that `bytes` (a written conversion to a KSR/SKR format) carry
/// exactly `expected`: same snapshots at the same times, same records.
pub fn check_same_records(
    bytes: &[u8],
    file: &str,
    expected: &[SnapshotRecords],
) -> Result<(), ConvertError> {
    let options = ParseOptions {
        max_size: bytes.len().max(ParseOptions::default().max_size),
    };
    let again = if Format::detect(bytes).is_text() {
        format::read_text(bytes, file, &options)?
    } else {
        let (doc, _) = format::read(bytes, file, &options)?;
        TextDocument::from_document(&doc, Format::Bind)
    };
    let got = canonical(&again);
    let differs = |detail: String| ConvertError::Differs {
        file: file.to_string(),
        detail,
    };
    if got.len() != expected.len() {
        return Err(differs(format!(
            "{} snapshots written, {} read",
            got.len(),
            expected.len()
        )));
    }
    for (i, ((t1, r1), (t2, r2))) in expected.iter().zip(&got).enumerate() {
        if t1 != t2 {
            return Err(differs(format!("snapshot {} moved in time", i + 1)));
        }
        if let Some(missing) = r1.difference(r2).next() {
            return Err(differs(format!("snapshot {} lost `{missing}`", i + 1)));
        }
        if let Some(extra) = r2.difference(r1).next() {
            return Err(differs(format!("snapshot {} gained `{extra}`", i + 1)));
        }
    }
    Ok(())
}

/// Zone-file fragments: a comment header with the bundle's validity window
/// (the signer must publish the fragment inside it), then its records.
fn zone(doc: &Document, text: &TextDocument, file: &str) -> Vec<u8> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "; {} bundle(s) of the SKR {} for {}, converted by ksr {}",
        doc.bundles.len(),
        file.replace('\n', " "),
        doc.domain,
        env!("CARGO_PKG_VERSION")
    );
    for (i, (b, snap)) in doc.bundles.iter().zip(&text.snapshots).enumerate() {
        let _ = writeln!(
            out,
            "\n; bundle {} {}: publish from {} until {}",
            i + 1,
            b.id,
            crate::timefmt::format_human(b.inception),
            crate::timefmt::format_human(b.expiration)
        );
        for r in &snap.records {
            let _ = writeln!(out, "{}", dialect::record_line(r));
        }
    }
    out.into_bytes()
}

/// The record lines of zone fragments (comments and blank lines skipped),
/// per fragment: the after-write check of `--to zone`.
pub fn zone_records(bytes: &[u8]) -> Vec<BTreeSet<String>> {
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for line in String::from_utf8_lossy(bytes).lines() {
        if line.starts_with("; bundle ") {
            out.push(BTreeSet::new());
        } else if !line.trim().is_empty() && !line.starts_with(';') {
            if let Some(last) = out.last_mut() {
                last.insert(line.to_ascii_lowercase());
            }
        }
    }
    out
}
