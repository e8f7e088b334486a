//! CDS and CDNSKEY RRsets (RFC 7344) with their RRSIGs, added to each snapshot
//! of a text SKR, as BIND's `dnssec-ksr sign` emits them
//! (`bin/dnssec/dnssec-ksr.c`, `get_keymaterial` and `sign_bundle`): per
//! snapshot a CDNSKEY per signing KSK, a CDS (digest type 2, SHA-256) per
//! signing KSK, and over each RRset one RRSIG by every KSK that signed the
//! DNSKEY RRset, with the same times and TTL. IANA XML has no place for them.

use super::{PublicKey, SignError, SignRaw};
use crate::dialect::{RecordData, Snapshot, TextDocument, TextRecord};
use crate::dnssec;
use crate::model::{Key, Signature};

/// CDS's RR type code (RFC 7344 section 3.1).
const CDS: u16 = 59;
/// CDNSKEY's RR type code (RFC 7344 section 3.2).
const CDNSKEY: u16 = 60;
/// The DS digest type written: SHA-256 (RFC 4509).
pub const DIGEST_TYPE: u8 = 2;

/// Adds CDNSKEY and CDS RRsets and their RRSIGs to every snapshot of `skr`,
/// signed through `signer` with the KSKs in `ksks` (matched to the snapshot's
/// DNSKEY RRSIGs by algorithm and public key). Each signature is verified.
pub fn add(
    skr: &mut TextDocument,
    ksks: &[&PublicKey],
    signer: &mut dyn SignRaw,
) -> Result<(), SignError> {
    for snap in &mut skr.snapshots {
        add_to_snapshot(snap, ksks, signer)?;
    }
    Ok(())
}

fn add_to_snapshot(
    snap: &mut Snapshot,
    ksks: &[&PublicKey],
    signer: &mut dyn SignRaw,
) -> Result<(), SignError> {
    let Some(first) = snap.records.first() else {
        return Ok(());
    };
    let (owner, ttl) = (first.owner.clone(), first.ttl);
    let keys: Vec<Key> = snap.dnskeys().cloned().collect();
    let sigs: Vec<Signature> = snap.dnskey_signatures().cloned().collect();
    // The KSKs that sign this snapshot, with the label to sign by.
    let mut signing: Vec<(&Key, &Signature, &str)> = Vec::new();
    for s in &sigs {
        let key = keys
            .iter()
            .find(|k| k.is_ksk() && k.algorithm == s.algorithm && dnssec::key_tag(k) == s.key_tag);
        let label = key.and_then(|k| {
            ksks.iter()
                .find(|p| p.algorithm == k.algorithm && p.public_key == k.public_key)
        });
        if let (Some(k), Some(p)) = (key, label) {
            signing.push((k, s, p.label.as_str()));
        }
    }
    if signing.is_empty() {
        return Err(SignError::Input(format!(
            "snapshot {}: no DNSKEY RRSIG by one of the KSKs given, so no CDS to sign",
            crate::timefmt::format_human(snap.time)
        )));
    }
    let mut cdnskey = Vec::new();
    let mut cds = Vec::new();
    for (k, _, _) in &signing {
        cdnskey.push(RecordData::Cdnskey((*k).clone()));
        let digest = dnssec::ds_digest(&owner, k, DIGEST_TYPE)
            .map_err(|e| SignError::Input(format!("CDS of KSK {}: {e}", k.key_tag)))?;
        cds.push(RecordData::Cds {
            key_tag: dnssec::key_tag(k),
            algorithm: k.algorithm,
            digest_type: DIGEST_TYPE,
            digest,
        });
    }
    for (rtype, name, set) in [(CDNSKEY, "CDNSKEY", cdnskey), (CDS, "CDS", cds)] {
        let rdatas: Vec<Vec<u8>> = set.iter().map(rdata).collect();
        for data in set {
            snap.records.push(TextRecord {
                owner: owner.clone(),
                ttl,
                data,
            });
        }
        for (k, dnskey_sig, label) in &signing {
            let mut rrsig = Signature {
                type_covered: name.into(),
                signature_data: Vec::new(),
                ..(*dnskey_sig).clone()
            };
            let data = signing_data(&owner, rtype, &rrsig, &rdatas)?;
            let sig = signer.sign_raw(label, &data)?;
            dnssec::verify(k, &data, &sig).map_err(|e| SignError::BadSignature {
                signer: label.to_string(),
                bundle: format!("{name} at {}", crate::timefmt::format_human(snap.time)),
                reason: e.to_string(),
            })?;
            rrsig.signature_data = sig;
            snap.records.push(TextRecord {
                owner: owner.clone(),
                ttl,
                data: RecordData::Rrsig(rrsig),
            });
        }
    }
    Ok(())
}

/// The wire RDATA of a CDNSKEY or CDS record.
fn rdata(r: &RecordData) -> Vec<u8> {
    match r {
        RecordData::Cdnskey(k) | RecordData::Dnskey(k) => dnssec::dnskey_rdata(k),
        RecordData::Cds {
            key_tag,
            algorithm,
            digest_type,
            digest,
        } => {
            let mut v = key_tag.to_be_bytes().to_vec();
            v.push(*algorithm);
            v.push(*digest_type);
            v.extend_from_slice(digest);
            v
        }
        RecordData::Rrsig(_) => Vec::new(),
    }
}

/// RRSIG signing data over the RRset of `rtype` at `owner` (RFC 4034 section
/// 3.1.8.1: RRSIG RDATA without the signature, then the RRset in canonical
/// form and order, section 6).
fn signing_data(
    owner: &str,
    rtype: u16,
    rrsig: &Signature,
    rdatas: &[Vec<u8>],
) -> Result<Vec<u8>, SignError> {
    let name = dnssec::name_wire(&owner.to_ascii_lowercase())
        .map_err(|e| SignError::Input(format!("owner {owner:?}: {e}")))?;
    let signer = dnssec::name_wire(&rrsig.signers_name.to_ascii_lowercase())
        .map_err(|e| SignError::Input(format!("signer {:?}: {e}", rrsig.signers_name)))?;
    let time =
        |t: crate::model::Time| (t.unix_timestamp().rem_euclid(1 << 32) as u32).to_be_bytes();
    let mut out = Vec::new();
    out.extend_from_slice(&rtype.to_be_bytes());
    out.push(rrsig.algorithm);
    out.push(rrsig.labels);
    out.extend_from_slice(&rrsig.original_ttl.to_be_bytes());
    out.extend_from_slice(&time(rrsig.expiration));
    out.extend_from_slice(&time(rrsig.inception));
    out.extend_from_slice(&rrsig.key_tag.to_be_bytes());
    out.extend_from_slice(&signer);
    let mut sorted: Vec<&Vec<u8>> = rdatas.iter().collect();
    sorted.sort();
    sorted.dedup();
    for rd in sorted {
        out.extend_from_slice(&name);
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&rrsig.original_ttl.to_be_bytes());
        out.extend_from_slice(&(rd.len() as u16).to_be_bytes());
        out.extend_from_slice(rd);
    }
    Ok(out)
}

/// Verifies every RRSIG over CDS and CDNSKEY in `skr` against the snapshot's
/// KSKs: the after-write check of an SKR written with CDS.
pub fn verify(skr: &TextDocument) -> Result<usize, String> {
    let mut n = 0;
    for snap in &skr.snapshots {
        let keys: Vec<&Key> = snap.dnskeys().collect();
        for (rtype, name) in [(CDNSKEY, "CDNSKEY"), (CDS, "CDS")] {
            let set: Vec<Vec<u8>> = snap
                .records
                .iter()
                .filter(|r| {
                    matches!(
                        (&r.data, rtype),
                        (RecordData::Cdnskey(_), CDNSKEY) | (RecordData::Cds { .. }, CDS)
                    )
                })
                .map(|r| rdata(&r.data))
                .collect();
            for r in &snap.records {
                let RecordData::Rrsig(s) = &r.data else {
                    continue;
                };
                if !s.type_covered.eq_ignore_ascii_case(name) {
                    continue;
                }
                let at = crate::timefmt::format_human(snap.time);
                let key = keys
                    .iter()
                    .find(|k| k.algorithm == s.algorithm && dnssec::key_tag(k) == s.key_tag)
                    .ok_or_else(|| {
                        format!("{at}: RRSIG {name} by key tag {} of no DNSKEY", s.key_tag)
                    })?;
                let data = signing_data(&r.owner, rtype, s, &set).map_err(|e| e.to_string())?;
                dnssec::verify(key, &data, &s.signature_data)
                    .map_err(|e| format!("{at}: RRSIG {name} by {}: {e}", s.key_tag))?;
                n += 1;
            }
        }
    }
    Ok(n)
}
