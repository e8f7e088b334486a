//! DNSSEC primitives over the model: key tags, DNSKEY RDATA, DS digests, the
//! canonical signing data of a DNSKEY RRset (RFC 4034 3.1.8.1 and 6) for any
//! zone, and signature verification with `ring`.
//!
//! DNS encoding (names, RDATA, canonical RRset order) goes through hickory-proto;
//! cryptography goes through ring. Nothing here is specific to the root zone.

pub mod encoding;

use crate::model::{Key, Signature, Time};
use hickory_proto::dnssec::rdata::{DNSSECRData, SigInput, DNSKEY};
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKeyBuf, TBS};
use hickory_proto::rr::domain::Label;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType, SerialNumber};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};
use ring::signature::{self as sig, RsaPublicKeyComponents, UnparsedPublicKey};
use std::str::FromStr;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum DnssecError {
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(u8),
    #[error("malformed public key: {0}")]
    MalformedKey(String),
    #[error("invalid owner name {0:?}: {1}")]
    BadName(String, String),
    #[error("the signature data do not match this key and the RRset")]
    BadSignature,
    /// An RRSIG field that makes the signing data impossible to build
    /// (type covered not a record type, labels larger than the owner's).
    #[error("malformed RRSIG: {0}")]
    BadRrsig(String),
}

/// What a public key says about its own strength, for policy checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySize {
    Rsa { bits: u32, exponent: u64 },
    Ec { bits: u32 },
    EdDsa { bits: u32 },
}

impl KeySize {
    /// Key size in bits, whatever the family.
    pub fn bits(&self) -> u32 {
        match *self {
            KeySize::Rsa { bits, .. } | KeySize::Ec { bits } | KeySize::EdDsa { bits } => bits,
        }
    }
}

/// Parses an owner name (`.`, `cz.`, `example.test.`; a missing final dot is
/// taken as absolute, since KSR domains are always zone apexes).
///
/// Escapes are decoded here rather than by hickory-proto's `Name::from_ascii`,
/// which reads `\DDD` as octal; RFC 1035 section 5.1 makes it a decimal octet,
/// as Knot and BIND write it. Each decoded label still goes through
/// `Label::from_ascii`, so the labels accepted are hickory's.
pub fn parse_name(owner: &str) -> Result<Name, DnssecError> {
    let bad = |why: String| DnssecError::BadName(owner.to_string(), why);
    if owner == "." {
        return Ok(Name::root());
    }
    let mut labels: Vec<Label> = Vec::new();
    let mut label = String::new();
    let mut chars = owner.chars();
    let mut end_label = |label: &mut String| -> Result<(), DnssecError> {
        let l = Label::from_ascii(label).map_err(|e| bad(e.to_string()))?;
        labels.push(l);
        label.clear();
        Ok(())
    };
    while let Some(c) = chars.next() {
        match c {
            '.' => end_label(&mut label)?,
            '\\' => match chars.next() {
                Some(d) if d.is_ascii_digit() => {
                    let rest: String = chars.by_ref().take(2).collect();
                    let digits = format!("{d}{rest}");
                    if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad(format!(
                            "escape \\{digits} is not \\DDD, three decimal digits (RFC 1035 section 5.1)"
                        )));
                    }
                    let value: u16 = digits.parse().unwrap_or(u16::MAX);
                    let octet = u8::try_from(value).map_err(|_| {
                        bad(format!(
                            "escape \\{digits} is not an octet (\\DDD is decimal, 000 to 255; RFC 1035 section 5.1)"
                        ))
                    })?;
                    label.push(char::from(octet));
                }
                Some(other) => label.push(other),
                None => return Err(bad("ends in a lone backslash".into())),
            },
            c => label.push(c),
        }
    }
    if !label.is_empty() {
        end_label(&mut label)?;
    }
    Name::from_labels(labels).map_err(|e| bad(e.to_string()))
}

/// A name's canonical presentation (RFC 4034 section 6.2: lowercase), with
/// every octet other than a letter, digit, `-`, `_` or `*` written `\DDD` in
/// decimal (RFC 1035 section 5.1): two names have the same form exactly when
/// their wire forms are the same. `None` when `owner` is not a name.
pub fn canonical_name(owner: &str) -> Option<String> {
    let name = parse_name(owner).ok()?.to_lowercase();
    if name.is_root() {
        return Some(".".into());
    }
    let mut out = String::new();
    for label in name.iter() {
        for &b in label {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'*') {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("\\{b:03}"));
            }
        }
        out.push('.');
    }
    Some(out)
}

/// Owner name in canonical wire form (uncompressed, lowercased), e.g. `\x00` for the root.
pub fn name_wire(owner: &str) -> Result<Vec<u8>, DnssecError> {
    let name = parse_name(owner)?.to_lowercase();
    let mut buf = Vec::new();
    let mut enc = BinEncoder::new(&mut buf);
    name.emit(&mut enc)
        .map_err(|e| DnssecError::BadName(owner.to_string(), e.to_string()))?;
    Ok(buf)
}

/// RFC 4034 Appendix B key tag over the DNSKEY RDATA (flags included, so a revoked
/// key has a different tag). Algorithm 1 uses its own rule.
pub fn key_tag(key: &Key) -> u16 {
    if key.algorithm == 1 {
        // RSA/MD5: bits 8..24 (from the least significant end) of the modulus,
        // i.e. the third- and second-to-last octets of the public key field.
        let pk = &key.public_key;
        if pk.len() < 3 {
            return 0;
        }
        return u16::from_be_bytes([pk[pk.len() - 3], pk[pk.len() - 2]]);
    }
    DNSKEY::calculate_key_tag_internal(&dnskey_rdata(key))
}

/// Longest public key field a DNSKEY can carry: RDATA is at most 65535 octets,
/// four of them flags, protocol and algorithm.
pub const MAX_PUBLIC_KEY_LEN: usize = 65_535 - 4;

/// Refuses a public key field no DNSKEY record can hold (parsers call this, so
/// [`dnskey_rdata`] never meets one).
pub fn check_public_key_len(public_key: &[u8]) -> Result<(), String> {
    if public_key.len() > MAX_PUBLIC_KEY_LEN {
        return Err(format!(
            "public key of {} octets is longer than a DNSKEY can hold ({MAX_PUBLIC_KEY_LEN})",
            public_key.len()
        ));
    }
    Ok(())
}

/// DNSKEY RDATA in wire form: flags, protocol, algorithm, public key. The key
/// must fit a record ([`check_public_key_len`]; both parsers enforce it).
pub fn dnskey_rdata(key: &Key) -> Vec<u8> {
    if key.protocol == 3 {
        // The usual case: let hickory encode the record.
        let mut buf = Vec::with_capacity(4 + key.public_key.len());
        let mut enc = BinEncoder::new(&mut buf);
        to_hickory(key)
            .emit(&mut enc)
            .expect("a public key within MAX_PUBLIC_KEY_LEN encodes");
        return buf;
    }
    // hickory always writes protocol 3; keep the value the document gave so a key
    // tag over a wrong protocol still matches what its producer computed.
    let mut buf = Vec::with_capacity(4 + key.public_key.len());
    let mut enc = BinEncoder::new(&mut buf);
    enc.emit_u16(key.flags)
        .and_then(|_| enc.emit(key.protocol))
        .and_then(|_| enc.emit(key.algorithm))
        .and_then(|_| enc.emit_vec(&key.public_key))
        .expect("a public key within MAX_PUBLIC_KEY_LEN encodes");
    buf
}

fn to_hickory(key: &Key) -> DNSKEY {
    DNSKEY::with_flags(
        key.flags,
        PublicKeyBuf::new(key.public_key.clone(), Algorithm::from_u8(key.algorithm)),
    )
}

/// DS digest over owner wire name + DNSKEY RDATA; digest type 2 (SHA-256) or 4 (SHA-384).
pub fn ds_digest(owner: &str, key: &Key, digest_type: u8) -> Result<Vec<u8>, DnssecError> {
    let dt = match digest_type {
        2 => DigestType::SHA256,
        4 => DigestType::SHA384,
        other => {
            return Err(DnssecError::MalformedKey(format!(
                "DS digest type {other} is not supported (use 2 for SHA-256 or 4 for SHA-384)"
            )))
        }
    };
    if key.protocol != 3 {
        return Err(DnssecError::MalformedKey(format!(
            "protocol is {}, must be 3",
            key.protocol
        )));
    }
    let name = parse_name(owner)?;
    let digest = to_hickory(key)
        .to_digest(&name, dt)
        .map_err(|e| DnssecError::BadName(owner.to_string(), e.to_string()))?;
    Ok(digest.as_ref().to_vec())
}

/// Number of labels in `owner` for the RRSIG labels field (0 for the root).
pub fn label_count(owner: &str) -> Result<u8, DnssecError> {
    Ok(parse_name(owner)?.num_labels())
}

/// RRSIG time fields are 32-bit serial numbers of Unix seconds (RFC 4034 3.1.5).
/// A time before 1970 or after 2106-02-07T06:28:15Z has no field value of its
/// own: it is refused rather than wrapped, so no signature is ever made over a
/// time that reads as another one.
fn rrsig_time(t: Time) -> Result<SerialNumber, DnssecError> {
    u32::try_from(t.unix_timestamp())
        .map(SerialNumber::new)
        .map_err(|_| {
            DnssecError::BadRrsig(format!(
                "time {} cannot be written in a 32-bit RRSIG time field (1970 to 2106 only)",
                crate::timefmt::format_human(t)
            ))
        })
}

/// Largest distance from the reader's clock at which a 32-bit serial time still
/// reads back as itself (RFC 1982 3.2: 2^31 - 1).
pub const SERIAL_TIME_REACH: i64 = (1 << 31) - 1;

/// The RRSIG time field for `t`, refused unless a validator whose clock reads
/// `reference` (the signing or checking time, `--at`) reads it back as `t`:
/// within 2^31 - 1 seconds of `reference` and in the field's 1970..2106 range.
pub fn serial_time(t: Time, reference: Time) -> Result<u32, String> {
    let distance = (t.unix_timestamp() - reference.unix_timestamp()).abs();
    if distance > SERIAL_TIME_REACH {
        return Err(format!(
            "more than 2^31-1 seconds (about 68 years) from {}, so a 32-bit RRSIG time \
             field (RFC 4034 3.1.5) would read as another time",
            crate::timefmt::format_human(reference)
        ));
    }
    rrsig_time(t).map(|s| s.get()).map_err(|e| e.to_string())
}

/// The bytes an RRSIG over the DNSKEY RRset `keys` at `owner` signs: the RRSIG
/// RDATA without its signature (fields from `rrsig`; `signature_data` ignored),
/// then the RRset in canonical form with `rrsig.original_ttl` as TTL.
pub fn signing_data(owner: &str, rrsig: &Signature, keys: &[Key]) -> Result<Vec<u8>, DnssecError> {
    let name = parse_name(owner)?;
    // Mnemonic (`DNSKEY`) or number (`48`), as some tools write it.
    let covered = rrsig.type_covered.trim();
    let type_covered = match covered.parse::<u16>() {
        Ok(n) => RecordType::from(n),
        Err(_) => RecordType::from_str(&covered.to_ascii_uppercase()).map_err(|_| {
            DnssecError::BadRrsig(format!("type covered {covered:?} is not a record type"))
        })?,
    };
    if type_covered != RecordType::DNSKEY {
        return Err(DnssecError::BadRrsig(format!(
            "the signature covers {type_covered}, not the DNSKEY RRset"
        )));
    }
    if rrsig.labels > name.num_labels() {
        return Err(DnssecError::BadRrsig(format!(
            "labels field {} exceeds the {} label(s) of {owner:?}",
            rrsig.labels,
            name.num_labels()
        )));
    }
    // The signer's name is part of the signed RDATA in canonical (lowercase) form.
    let signer = parse_name(&rrsig.signers_name)?.to_lowercase();
    let input = SigInput {
        type_covered,
        algorithm: Algorithm::from_u8(rrsig.algorithm),
        num_labels: rrsig.labels,
        original_ttl: rrsig.original_ttl,
        sig_expiration: rrsig_time(rrsig.expiration)?,
        sig_inception: rrsig_time(rrsig.inception)?,
        key_tag: rrsig.key_tag,
        signer_name: signer,
    };
    let mut records: Vec<Record> = Vec::with_capacity(keys.len());
    let mut seen: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
    for key in keys {
        if key.protocol != 3 {
            return Err(DnssecError::MalformedKey(format!(
                "key {:?} has protocol {}, must be 3",
                key.key_identifier, key.protocol
            )));
        }
        // RFC 4034 6.3: duplicate records count once in the canonical RRset.
        let rdata = dnskey_rdata(key);
        if seen.contains(&rdata) {
            continue;
        }
        seen.push(rdata);
        records.push(Record::from_rdata(
            name.clone(),
            rrsig.original_ttl,
            RData::DNSSEC(DNSSECRData::DNSKEY(to_hickory(key))),
        ));
    }
    // TBS lowercases the owner, sorts the records by RDATA and uses the original TTL.
    let tbs = TBS::from_input(&name, DNSClass::IN, &input, records.iter())
        .map_err(|e| DnssecError::BadRrsig(e.to_string()))?;
    Ok(tbs.as_ref().to_vec())
}

/// RFC 3110 RSA public key field: exponent length (1 or 3 octets), exponent, modulus.
/// Returns (exponent, modulus) with leading zero octets removed.
fn rsa_components(pk: &[u8]) -> Result<(&[u8], &[u8]), DnssecError> {
    let bad = |m: &str| DnssecError::MalformedKey(format!("RSA key: {m}"));
    let (&first, rest) = pk.split_first().ok_or_else(|| bad("empty"))?;
    let (exp_len, rest) = if first == 0 {
        if rest.len() < 2 {
            return Err(bad("truncated exponent length"));
        }
        (u16::from_be_bytes([rest[0], rest[1]]) as usize, &rest[2..])
    } else {
        (first as usize, rest)
    };
    if exp_len == 0 || rest.len() <= exp_len {
        return Err(bad("exponent length leaves no modulus"));
    }
    let (e, n) = rest.split_at(exp_len);
    let strip = |b: &'_ [u8]| -> usize { b.iter().take_while(|x| **x == 0).count() };
    let e = &e[strip(e)..];
    let n = &n[strip(n)..];
    if e.is_empty() || n.is_empty() {
        return Err(bad("zero exponent or modulus"));
    }
    Ok((e, n))
}

fn bit_len(be: &[u8]) -> u32 {
    match be.first() {
        None => 0,
        Some(b) => (be.len() as u32 - 1) * 8 + (8 - b.leading_zeros()),
    }
}

/// EC public key lengths (X||Y) per algorithm (RFC 6605), Ed25519 (RFC 8080).
fn expect_len(key: &Key, len: usize) -> Result<(), DnssecError> {
    if key.public_key.len() != len {
        return Err(DnssecError::MalformedKey(format!(
            "{} public key must be {len} octets, found {}",
            algorithm_name(key.algorithm),
            key.public_key.len()
        )));
    }
    Ok(())
}

/// Verifies `signature` (DNSSEC wire encoding) over `data` with `key`.
/// Algorithms 8, 10, 13, 14, 15.
pub fn verify(key: &Key, data: &[u8], signature: &[u8]) -> Result<(), DnssecError> {
    let ok = match key.algorithm {
        8 | 10 => {
            let (e, n) = rsa_components(&key.public_key)?;
            let bits = bit_len(n);
            if !(1024..=8192).contains(&bits) {
                return Err(DnssecError::MalformedKey(format!(
                    "RSA modulus of {bits} bits is outside the 1024..8192 bits that can be verified"
                )));
            }
            // Keys under 2048 bits exist in old root KSRs (RSA-1024); whether they
            // are acceptable is a policy question, not a verification one.
            let small = bits < 2048;
            let params = match (key.algorithm, small) {
                (8, false) => &sig::RSA_PKCS1_2048_8192_SHA256,
                (8, true) => &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                (_, false) => &sig::RSA_PKCS1_2048_8192_SHA512,
                (_, true) => &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            };
            RsaPublicKeyComponents { n, e }.verify(params, data, signature)
        }
        13 | 14 => {
            let (len, alg) = if key.algorithm == 13 {
                (64, &sig::ECDSA_P256_SHA256_FIXED)
            } else {
                (96, &sig::ECDSA_P384_SHA384_FIXED)
            };
            expect_len(key, len)?;
            // ring wants the uncompressed SEC1 point; DNSSEC stores X||Y only.
            let mut point = Vec::with_capacity(len + 1);
            point.push(0x04);
            point.extend_from_slice(&key.public_key);
            UnparsedPublicKey::new(alg, point).verify(data, signature)
        }
        15 => {
            expect_len(key, 32)?;
            UnparsedPublicKey::new(&sig::ED25519, &key.public_key).verify(data, signature)
        }
        other => return Err(DnssecError::UnsupportedAlgorithm(other)),
    };
    ok.map_err(|_| DnssecError::BadSignature)
}

/// Convenience: recompute the signing data of `rrsig` over `keys` and verify it with `signer`.
pub fn verify_rrsig(
    owner: &str,
    rrsig: &Signature,
    keys: &[Key],
    signer: &Key,
) -> Result<(), DnssecError> {
    let data = signing_data(owner, rrsig, keys)?;
    verify(signer, &data, &rrsig.signature_data)
}

/// Reads size (and RSA exponent) from the public key itself.
pub fn key_size(key: &Key) -> Result<KeySize, DnssecError> {
    match key.algorithm {
        1 | 5 | 7 | 8 | 10 => {
            let (e, n) = rsa_components(&key.public_key)?;
            if e.len() > 8 {
                return Err(DnssecError::MalformedKey(format!(
                    "RSA exponent of {} octets is too large",
                    e.len()
                )));
            }
            let exponent = e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            Ok(KeySize::Rsa {
                bits: bit_len(n),
                exponent,
            })
        }
        13 => expect_len(key, 64).map(|_| KeySize::Ec { bits: 256 }),
        14 => expect_len(key, 96).map(|_| KeySize::Ec { bits: 384 }),
        15 => expect_len(key, 32).map(|_| KeySize::EdDsa { bits: 256 }),
        16 => expect_len(key, 57).map(|_| KeySize::EdDsa { bits: 456 }),
        other => Err(DnssecError::UnsupportedAlgorithm(other)),
    }
}

/// Registered mnemonics (IANA DNS Security Algorithm Numbers).
pub(crate) const ALGORITHMS: &[(u8, &str)] = &[
    (1, "RSAMD5"),
    (3, "DSA"),
    (5, "RSASHA1"),
    (6, "DSA-NSEC3-SHA1"),
    (7, "RSASHA1-NSEC3-SHA1"),
    (8, "RSASHA256"),
    (10, "RSASHA512"),
    (12, "ECC-GOST"),
    (13, "ECDSAP256SHA256"),
    (14, "ECDSAP384SHA384"),
    (15, "ED25519"),
    (16, "ED448"),
];

/// Mnemonic for an algorithm number (`RSASHA256`, `ECDSAP256SHA256`, ...).
pub fn algorithm_name(algorithm: u8) -> &'static str {
    ALGORITHMS
        .iter()
        .find(|(n, _)| *n == algorithm)
        .map(|(_, name)| *name)
        .unwrap_or("UNKNOWN")
}

/// Algorithm number from a mnemonic (any case, `-`/`_` ignored: `rsasha256`,
/// `ECDSAP256SHA256`, `ed25519`) or from its decimal number (`"8"`).
pub fn algorithm_from_name(name: &str) -> Option<u8> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = norm(name.trim());
    if let Ok(n) = wanted.parse::<u8>() {
        return ALGORITHMS.iter().find(|(k, _)| *k == n).map(|(k, _)| *k);
    }
    ALGORITHMS
        .iter()
        .find(|(_, mnemonic)| norm(mnemonic) == wanted)
        .map(|(n, _)| *n)
}

/// Algorithms this toolkit can verify (and so accept for new keys, subject to policy).
pub const SUPPORTED_ALGORITHMS: &[u8] = &[8, 10, 13, 14, 15];

/// Algorithms RFC 8624 says MUST NOT be used to sign (refused for new keys).
pub const DEPRECATED_ALGORITHMS: &[u8] = &[1, 3, 5, 6, 7, 12];

#[cfg(test)]
mod tests {
    use super::*;

    fn key(flags: u16, alg: u8, pk: Vec<u8>) -> Key {
        Key {
            key_identifier: "k".into(),
            key_tag: 0,
            ttl: 3600,
            flags,
            protocol: 3,
            algorithm: alg,
            public_key: pk,
        }
    }

    #[test]
    fn names_and_labels() {
        assert_eq!(label_count(".").unwrap(), 0);
        assert_eq!(label_count("cz.").unwrap(), 1);
        assert_eq!(label_count("example.test.").unwrap(), 2);
        assert_eq!(label_count("example.test").unwrap(), 2);
        assert_eq!(name_wire(".").unwrap(), vec![0]);
        assert_eq!(name_wire("CZ.").unwrap(), b"\x02cz\x00".to_vec());
        assert!(label_count("a..b").is_err());
    }

    #[test]
    fn escapes_are_decimal_octets() {
        // RFC 1035 section 5.1: \DDD is decimal; \101 is 'e' (octal would be 'A').
        assert_eq!(
            name_wire("\\101xample.test.").unwrap(),
            name_wire("example.test.").unwrap()
        );
        assert_eq!(
            canonical_name("\\069XAMPLE.Test").unwrap(),
            canonical_name("example.test.").unwrap()
        );
        let e = parse_name("\\256xample.test.").unwrap_err().to_string();
        assert!(e.contains("\\256 is not an octet"), "{e}");
        assert!(parse_name("a\\12").is_err());
        assert!(parse_name("a\\").is_err());
        // An escaped dot stays inside its label.
        for dot in ["a\\046b.test.", "a\\.b.test."] {
            assert_eq!(label_count(dot).unwrap(), 2, "{dot}");
            assert_eq!(name_wire(dot).unwrap(), b"\x03a.b\x04test\x00".to_vec());
            assert_eq!(canonical_name(dot).unwrap(), "a\\046b.test.");
        }
        assert_ne!(canonical_name("a\\046b.test."), canonical_name("a.b.test."));
        assert_eq!(canonical_name(".").unwrap(), ".");
    }

    #[test]
    fn algorithm_names() {
        assert_eq!(algorithm_name(8), "RSASHA256");
        assert_eq!(algorithm_name(99), "UNKNOWN");
        assert_eq!(algorithm_from_name("rsasha256"), Some(8));
        assert_eq!(algorithm_from_name("ECDSAP256SHA256"), Some(13));
        assert_eq!(algorithm_from_name("ecdsa-p384-sha384"), Some(14));
        assert_eq!(algorithm_from_name("ed25519"), Some(15));
        assert_eq!(algorithm_from_name("15"), Some(15));
        assert_eq!(algorithm_from_name("rot13"), None);
        assert_eq!(algorithm_from_name("99"), None);
    }

    #[test]
    fn rsa_parsing() {
        // exponent 65537 (3 octets), modulus of 2 octets with a top bit set.
        let k = key(256, 8, vec![3, 1, 0, 1, 0x80, 0x01]);
        assert_eq!(
            key_size(&k).unwrap(),
            KeySize::Rsa {
                bits: 16,
                exponent: 65537
            }
        );
        // long-form exponent length
        let k = key(256, 8, vec![0, 0, 1, 3, 0x7f, 0xff]);
        assert_eq!(
            key_size(&k).unwrap(),
            KeySize::Rsa {
                bits: 15,
                exponent: 3
            }
        );
        assert!(key_size(&key(256, 8, vec![5, 1, 2])).is_err());
        assert!(key_size(&key(256, 8, vec![])).is_err());
        assert!(key_size(&key(256, 13, vec![0; 63])).is_err());
        assert_eq!(
            key_size(&key(256, 13, vec![0; 64])).unwrap(),
            KeySize::Ec { bits: 256 }
        );
    }

    #[test]
    fn algorithm_1_key_tag_uses_modulus() {
        let k = key(256, 1, vec![1, 3, 0xaa, 0xbb, 0x12, 0x34, 0x56]);
        assert_eq!(key_tag(&k), 0x1234);
    }

    #[test]
    fn rdata_keeps_protocol() {
        let mut k = key(257, 8, vec![1, 3, 5]);
        assert_eq!(dnskey_rdata(&k), vec![1, 1, 3, 8, 1, 3, 5]);
        k.protocol = 2;
        assert_eq!(dnskey_rdata(&k), vec![1, 1, 2, 8, 1, 3, 5]);
    }

    #[test]
    fn unsupported_algorithm_is_refused() {
        let k = key(256, 5, vec![1, 3, 5, 6]);
        assert_eq!(
            verify(&k, b"x", b"y"),
            Err(DnssecError::UnsupportedAlgorithm(5))
        );
    }
}
