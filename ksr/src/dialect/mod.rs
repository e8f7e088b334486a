//! The offline-KSK text dialect shared by Knot DNS (`keymgr generate-ksr`,
//! `sign-ksr`, `import-skr`) and BIND 9.20 (`dnssec-ksr`): a series of snapshots,
//! each a `;; KeySigningRequest 1.0 <time>` or `;; SignedKeyResponse 1.0 <time>`
//! header followed by zone-file records, closed by an end marker
//! `;; ... 1.0 generated ...`.
//!
//! The two signers differ only in the header time: Knot writes Unix seconds,
//! BIND exactly 14 digits `YYYYMMDDhhmmss`. [`TextDocument::flavor`] records
//! which one (a [`Format`]) a file used so that writing it back gives the same dialect.
//!
//! - `read`: text to [`TextDocument`] (refusals carry file, line and record type).
//! - `write`: [`TextDocument`] to text, deterministic.
//! - [`TextDocument::to_document`] / [`TextDocument::from_document`]: to and from
//!   the dialect-free [`Document`] the checks work on.

mod read;
mod write;

use crate::dnssec;
pub use crate::format::Format;
use crate::model::{
    AlgorithmParams, AlgorithmPolicy, Bundle, Document, Key, Kind, PolicyBlock, Signature, Time,
};
pub use crate::xml::{ParseError, ParseOptions};
use std::collections::BTreeSet;

/// A whole KSR or SKR in the text dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDocument {
    pub kind: Kind,
    /// [`Format::Knot`] or [`Format::Bind`]; [`Format::IanaXml`] writes as BIND.
    pub flavor: Format,
    /// Snapshots in file order (times strictly increasing).
    pub snapshots: Vec<Snapshot>,
    /// Text of the end marker after `1.0`, e.g. `generated at ... by Knot DNS 3.2.6`.
    pub trailer: String,
}

/// One snapshot: the records valid from `time` until the next snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub time: Time,
    pub records: Vec<TextRecord>,
}

/// One zone-file record. All records of a file have the same owner (the apex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRecord {
    /// Absolute owner name as written (e.g. `example.test.`).
    pub owner: String,
    pub ttl: u32,
    pub data: RecordData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    /// `key_identifier` is the key tag in decimal (the dialect has no labels).
    Dnskey(Key),
    Cdnskey(Key),
    Cds {
        key_tag: u16,
        algorithm: u8,
        digest_type: u8,
        digest: Vec<u8>,
    },
    /// Covers DNSKEY, CDNSKEY or CDS; `key_identifier` is the key tag in decimal.
    Rrsig(Signature),
}

/// The identifier the dialect gives a key: its tag, as there is nothing else.
pub fn key_identifier(key_tag: u16) -> String {
    key_tag.to_string()
}

/// True when `bytes` look like the text dialect rather than XML.
pub fn is_text(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(b";;")
}

/// Parses a Knot/BIND KSR or SKR. `file` is only used in error messages.
pub fn parse(bytes: &[u8], file: &str, options: &ParseOptions) -> Result<TextDocument, ParseError> {
    read::parse(bytes, file, options)
}

/// Reads and parses a file (size limit checked before reading it all).
pub fn parse_file(
    path: &std::path::Path,
    options: &ParseOptions,
) -> Result<TextDocument, ParseError> {
    let bytes = crate::xml::read_limited(path, options)?;
    parse(&bytes, &path.display().to_string(), options)
}

/// `YYYYMMDDhhmmss` in UTC (BIND's header time, the RRSIG time format).
pub fn compact(t: Time) -> String {
    write::compact_time(t)
}

/// One record in zone-file presentation, `OWNER TTL IN TYPE RDATA`.
pub fn record_line(r: &TextRecord) -> String {
    write::record_line(r)
}

/// Writes a document in its flavor; the same document always gives the same bytes.
pub fn write(doc: &TextDocument) -> Vec<u8> {
    write::write(doc)
}

impl Snapshot {
    /// DNSKEY records, in file order.
    pub fn dnskeys(&self) -> impl Iterator<Item = &Key> {
        self.records.iter().filter_map(|r| match &r.data {
            RecordData::Dnskey(k) => Some(k),
            _ => None,
        })
    }

    /// RRSIGs over the DNSKEY RRset, in file order.
    pub fn dnskey_signatures(&self) -> impl Iterator<Item = &Signature> {
        self.records.iter().filter_map(|r| match &r.data {
            RecordData::Rrsig(s) if s.type_covered.eq_ignore_ascii_case("DNSKEY") => Some(s),
            _ => None,
        })
    }
}

impl TextDocument {
    /// The zone apex every record belongs to (`None` for a file without records).
    pub fn owner(&self) -> Option<&str> {
        self.snapshots
            .iter()
            .flat_map(|s| s.records.first())
            .map(|r| r.owner.as_str())
            .next()
    }

    /// The dialect-free document the checks work on. The dialect has no ids,
    /// expirations or policy blocks, so they are derived:
    /// - bundle id: `snapshot-YYYYMMDDhhmmss` of the snapshot time;
    /// - inception: the snapshot time; expiration: for a response the earliest
    ///   expiration of its DNSKEY RRSIGs, otherwise the next snapshot's time (the
    ///   last snapshot of a request marks the end of the period and gets its own time);
    /// - policy blocks: every algorithm and size seen, with zero durations (checks
    ///   never trust a document's own limits anyway).
    ///
    /// CDNSKEY, CDS and their RRSIGs have no place in the model and are left out.
    pub fn to_document(&self, id: &str) -> Document {
        let times: Vec<Time> = self.snapshots.iter().map(|s| s.time).collect();
        let mut bundles = Vec::new();
        for (i, snap) in self.snapshots.iter().enumerate() {
            let keys: Vec<Key> = snap.dnskeys().cloned().collect();
            let signatures: Vec<Signature> = snap.dnskey_signatures().cloned().collect();
            let next = times.get(i + 1).copied().unwrap_or(snap.time);
            let expiration = match self.kind {
                Kind::Response => signatures
                    .iter()
                    .map(|s| s.expiration)
                    .min()
                    .unwrap_or(next),
                Kind::Request => next,
            };
            bundles.push(Bundle {
                id: format!("snapshot-{}", write::compact_time(snap.time)),
                inception: snap.time,
                expiration,
                signers: Vec::new(),
                keys,
                signatures,
            });
        }
        let all_keys = || bundles.iter().flat_map(|b| b.keys.iter());
        let zsk_policy = derived_policy(all_keys().filter(|k| !k.is_ksk()));
        let ksk_policy = match self.kind {
            Kind::Response => Some(derived_policy(all_keys().filter(|k| k.is_ksk()))),
            Kind::Request => None,
        };
        Document {
            id: id.to_string(),
            serial: 0,
            domain: self.owner().unwrap_or(".").to_string(),
            kind: self.kind,
            timestamp: None,
            ksk_policy,
            zsk_policy,
            bundles,
        }
    }

    /// The text form of a document: one snapshot per bundle at its inception,
    /// holding its keys then its signatures. Owner names are made absolute.
    pub fn from_document(doc: &Document, flavor: Format) -> TextDocument {
        let owner = if doc.domain.ends_with('.') {
            doc.domain.clone()
        } else {
            format!("{}.", doc.domain)
        };
        let snapshots = doc
            .bundles
            .iter()
            .map(|b| {
                let keys = b.keys.iter().map(|k| TextRecord {
                    owner: owner.clone(),
                    ttl: k.ttl,
                    data: RecordData::Dnskey(Key {
                        key_identifier: key_identifier(k.key_tag),
                        ..k.clone()
                    }),
                });
                let sigs = b.signatures.iter().map(|s| TextRecord {
                    owner: owner.clone(),
                    ttl: s.ttl,
                    data: RecordData::Rrsig(Signature {
                        key_identifier: key_identifier(s.key_tag),
                        ..s.clone()
                    }),
                });
                Snapshot {
                    time: b.inception,
                    records: keys.chain(sigs).collect(),
                }
            })
            .collect();
        TextDocument {
            kind: doc.kind,
            flavor,
            snapshots,
            trailer: format!("generated by ksr {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Every (algorithm, size) the keys show, in a fixed order.
fn derived_policy<'a>(keys: impl Iterator<Item = &'a Key>) -> PolicyBlock {
    let mut seen: BTreeSet<(u8, u32, u64)> = BTreeSet::new();
    for k in keys {
        let (bits, exp) = match dnssec::key_size(k) {
            Ok(dnssec::KeySize::Rsa { bits, exponent }) => (bits, exponent),
            Ok(other) => (other.bits(), 0),
            Err(_) => (0, 0),
        };
        seen.insert((k.algorithm, bits, exp));
    }
    let algorithms = seen
        .into_iter()
        .map(|(algorithm, size, exponent)| AlgorithmPolicy {
            algorithm,
            params: match algorithm {
                1 | 5 | 7 | 8 | 10 => AlgorithmParams::Rsa { size, exponent },
                13 | 14 => AlgorithmParams::Ecdsa { size },
                _ => AlgorithmParams::None,
            },
        })
        .collect();
    PolicyBlock {
        publish_safety: 0,
        retire_safety: 0,
        max_signature_validity: 0,
        min_signature_validity: 0,
        max_validity_overlap: 0,
        min_validity_overlap: 0,
        algorithms,
    }
}
