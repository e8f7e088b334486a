//! DNSSEC primitives over the model: key tags, DNSKEY RDATA, DS digests, the
//! canonical signing data of a DNSKEY RRset (RFC 4034 3.1.8.1 and 6) for any
//! zone, and signature verification with `ring`.
//!
//! STUB: signatures fixed, bodies to be written (owner: ksr-format work).

use crate::model::{Key, Signature};

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum DnssecError {
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(u8),
    #[error("malformed public key: {0}")]
    MalformedKey(String),
    #[error("invalid owner name {0:?}: {1}")]
    BadName(String, String),
    #[error("signature does not verify")]
    BadSignature,
}

/// What a public key says about its own strength, for policy checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySize {
    Rsa { bits: u32, exponent: u64 },
    Ec { bits: u32 },
    EdDsa { bits: u32 },
}

/// RFC 4034 Appendix B key tag over the DNSKEY RDATA (flags included, so a revoked
/// key has a different tag). Algorithm 1 uses its own rule.
pub fn key_tag(key: &Key) -> u16 {
    let _ = key;
    todo!()
}

/// DNSKEY RDATA in wire form: flags, protocol, algorithm, public key.
pub fn dnskey_rdata(key: &Key) -> Vec<u8> {
    let _ = key;
    todo!()
}

/// DS digest over owner wire name + DNSKEY RDATA; digest type 2 (SHA-256) or 4 (SHA-384).
pub fn ds_digest(owner: &str, key: &Key, digest_type: u8) -> Result<Vec<u8>, DnssecError> {
    let _ = (owner, key, digest_type);
    todo!()
}

/// Number of labels in `owner` for the RRSIG labels field (0 for the root).
pub fn label_count(owner: &str) -> Result<u8, DnssecError> {
    let _ = owner;
    todo!()
}

/// The bytes an RRSIG over the DNSKEY RRset `keys` at `owner` signs: the RRSIG
/// RDATA without its signature (fields from `rrsig`; `signature_data` ignored),
/// then the RRset in canonical form with `rrsig.original_ttl` as TTL.
pub fn signing_data(owner: &str, rrsig: &Signature, keys: &[Key]) -> Result<Vec<u8>, DnssecError> {
    let _ = (owner, rrsig, keys);
    todo!()
}

/// Verifies `signature` (DNSSEC wire encoding) over `data` with `key`.
/// Algorithms 8, 10, 13, 14, 15.
pub fn verify(key: &Key, data: &[u8], signature: &[u8]) -> Result<(), DnssecError> {
    let _ = (key, data, signature);
    todo!()
}

/// Convenience: recompute the signing data of `rrsig` over `keys` and verify it with `signer`.
pub fn verify_rrsig(owner: &str, rrsig: &Signature, keys: &[Key], signer: &Key) -> Result<(), DnssecError> {
    let data = signing_data(owner, rrsig, keys)?;
    verify(signer, &data, &rrsig.signature_data)
}

/// Reads size (and RSA exponent) from the public key itself.
pub fn key_size(key: &Key) -> Result<KeySize, DnssecError> {
    let _ = key;
    todo!()
}

/// Mnemonic for an algorithm number (`RSASHA256`, `ECDSAP256SHA256`, ...).
pub fn algorithm_name(algorithm: u8) -> &'static str {
    let _ = algorithm;
    todo!()
}
