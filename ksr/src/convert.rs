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
    /// The converted result does not carry the input's records (a bug,
    /// caught before anything is written). `file` is the input: the output
    /// does not exist yet.
    #[error("{file}: the result of converting it differs from it: {detail}")]
    Differs { file: String, detail: String },
    /// The converted result does not read back (a bug, caught before
    /// anything is written); `detail` is the reader's refusal of the result.
    #[error("{file}: the result of converting it to {target} does not read back: {detail}")]
    Unreadable {
        file: String,
        target: &'static str,
        detail: String,
    },
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
    times_fit(&text, &doc, target).map_err(refuse)?;
    let out = match target {
        Target::Format(Format::IanaXml) => {
            if doc.kind == Kind::Request && from.is_text() {
                return Err(refuse(TEXT_KSR_HAS_NO_POP.into()));
            }
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

/// Every IANA XML RequestBundle holds one or more proof-of-possession
/// signatures (docs/formats.md, "Structure"); only the ZSKs' holder can make
/// them and a text KSR carries none.
const TEXT_KSR_HAS_NO_POP: &str = "a Knot/BIND KSR: every IANA XML RequestBundle needs \
    proof-of-possession signatures by its ZSKs, which a text KSR does not carry and only \
    the ZSKs' holder can make. Sign the KSR as it is with `ceremony sign-ksr`, which \
    reads Knot and BIND KSRs, or ask the signer for an IANA XML KSR";

/// Why a time cannot be written in the target: every format writes a
/// four-digit year (xsd:dateTime, RRSIG and BIND header `YYYYMMDDhhmmss`), and
/// Knot's header is Unix seconds, which its reader (and ours) takes unsigned
/// (docs/formats.md, "Header times").
fn times_fit(text: &TextDocument, doc: &Document, target: Target) -> Result<(), String> {
    let year = |t: Time, what: String| {
        if (0..=9999).contains(&t.year()) {
            Ok(())
        } else {
            Err(format!(
                "the {what}, in year {} (the target writes years as four digits, 0000 to 9999)",
                t.year()
            ))
        }
    };
    if target == Target::Format(Format::IanaXml) {
        if let Some(t) = doc.timestamp {
            year(t, "timestamp".into())?;
        }
        for b in &doc.bundles {
            year(b.inception, format!("inception of bundle {}", b.id))?;
            year(b.expiration, format!("expiration of bundle {}", b.id))?;
        }
    }
    for (i, snap) in text.snapshots.iter().enumerate() {
        let n = i + 1;
        match target {
            Target::Format(Format::Knot) if snap.time.unix_timestamp() < 0 => {
                return Err(format!(
                    "the time {} of snapshot {n}: a Knot header time is Unix seconds and \
                     cannot be before 1970 (convert to bind, whose header is YYYYMMDDhhmmss)",
                    crate::timefmt::format_time(snap.time)
                ));
            }
            Target::Format(Format::Knot | Format::Bind) => {
                year(snap.time, format!("time of snapshot {n}"))?
            }
            _ => {}
        }
        for r in &snap.records {
            if let RecordData::Rrsig(s) = &r.data {
                year(s.inception, format!("RRSIG inception in snapshot {n}"))?;
                year(s.expiration, format!("RRSIG expiration in snapshot {n}"))?;
            }
        }
    }
    Ok(())
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

/// Checks that `bytes` (the conversion of `input` to a KSR/SKR format) carry
/// exactly `expected`: same snapshots at the same times, same records. A
/// failure names the input and says the converted result failed: the output
/// is not written yet.
pub fn check_same_records(
    bytes: &[u8],
    input: &str,
    expected: &[SnapshotRecords],
) -> Result<(), ConvertError> {
    let options = ParseOptions {
        max_size: bytes.len().max(ParseOptions::default().max_size),
    };
    let format = Format::detect(bytes);
    let unreadable = |e: ParseError| {
        let at = match e.line {
            0 => String::new(),
            line => format!("line {line}: "),
        };
        ConvertError::Unreadable {
            file: input.to_string(),
            target: if format.is_text() {
                "Knot/BIND text"
            } else {
                "IANA XML"
            },
            detail: format!("{at}{}: {}", e.element, e.message),
        }
    };
    let again = if format.is_text() {
        format::read_text(bytes, "(converted)", &options).map_err(unreadable)?
    } else {
        let (doc, _) = format::read(bytes, "(converted)", &options).map_err(unreadable)?;
        TextDocument::from_document(&doc, Format::Bind)
    };
    let got = canonical(&again);
    let differs = |detail: String| ConvertError::Differs {
        file: input.to_string(),
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
