//! Writer for the Knot/BIND text dialect: one record per line with class IN
//! (both signers accept it), header times in the document's flavor followed by
//! a readable UTC time in parentheses (both signers ignore text after the time).

use super::{Format, RecordData, TextDocument, TextRecord};
use crate::model::{Kind, Time};
use base64::Engine;
use std::fmt::Write as _;
use time::UtcOffset;

/// `YYYYMMDDhhmmss` in UTC: BIND's header time and the RRSIG time format.
pub(super) fn compact_time(t: Time) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(super) fn write(doc: &TextDocument) -> Vec<u8> {
    let word = match doc.kind {
        Kind::Request => "KeySigningRequest",
        Kind::Response => "SignedKeyResponse",
    };
    let mut out = String::new();
    for snap in &doc.snapshots {
        let when = match doc.flavor {
            Format::Knot => snap.time.unix_timestamp().to_string(),
            Format::Bind | Format::IanaXml => compact_time(snap.time),
        };
        let readable = crate::timefmt::format_time(snap.time);
        let _ = writeln!(out, ";; {word} 1.0 {when} ({readable})");
        for r in &snap.records {
            let _ = writeln!(out, "{}", record_line(r));
        }
    }
    // The end marker must not start with a digit, or it would read as a header time.
    let trailer = if doc.trailer.starts_with(|c: char| c.is_ascii_digit()) || doc.trailer.is_empty()
    {
        format!("generated {}", doc.trailer).trim_end().to_string()
    } else {
        doc.trailer.clone()
    };
    let _ = writeln!(out, ";; {word} 1.0 {trailer}");
    out.into_bytes()
}

/// One record in zone-file presentation (`OWNER TTL IN TYPE RDATA`), as the
/// dialect writes it; also the canonical form conversions compare.
pub(crate) fn record_line(r: &TextRecord) -> String {
    let (rtype, rdata) = match &r.data {
        RecordData::Dnskey(k) | RecordData::Cdnskey(k) => (
            if matches!(r.data, RecordData::Dnskey(_)) {
                "DNSKEY"
            } else {
                "CDNSKEY"
            },
            format!(
                "{} {} {} {}",
                k.flags,
                k.protocol,
                k.algorithm,
                b64(&k.public_key)
            ),
        ),
        RecordData::Cds {
            key_tag,
            algorithm,
            digest_type,
            digest,
        } => (
            "CDS",
            format!(
                "{key_tag} {algorithm} {digest_type} {}",
                hex::encode_upper(digest)
            ),
        ),
        RecordData::Rrsig(s) => (
            "RRSIG",
            format!(
                "{} {} {} {} {} {} {} {} {}",
                s.type_covered,
                s.algorithm,
                s.labels,
                s.original_ttl,
                compact_time(s.expiration),
                compact_time(s.inception),
                s.key_tag,
                s.signers_name,
                b64(&s.signature_data)
            ),
        ),
    };
    format!("{} {} IN {rtype} {rdata}", r.owner, r.ttl)
}
