//! KSR -> SKR signing, KSR requests and trust anchors.
//!
//! - [`skr`]: builds the Response document from a checked KSR, a schema and the KSKs.
//! - [`pipeline`]: the whole `sign-ksr` run: check, confirm the hash, sign, re-verify, write.
//! - [`confirm`]: the operator confirms the KSR's SHA-256 (hex or PGP words).
//! - [`request`]: builds a KSR from ZSKs on a token, laid out by the policy.
//! - [`trust_anchor`]: RFC 9718 trust-anchor XML and DS records for a KSK.
//! - [`report`]: printing a check report.

pub mod confirm;
pub mod pipeline;
pub mod report;
pub mod request;
pub mod skr;
pub mod trust_anchor;

#[cfg(test)]
pub(crate) mod soft;

use crate::keystore::PublicKey;
use ksr::dnssec;
use ksr::model::{AlgorithmParams, AlgorithmPolicy, Key};

/// A UUID-shaped identifier (8-4-4-4-12 lower-case hex) from the first 16 bytes of
/// a digest: identifiers derived from content keep the output deterministic.
pub(crate) fn uuid_shaped(digest: &[u8; 32]) -> String {
    let h = hex::encode(&digest[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The DNSKEY a token key publishes as, with `flags` and `ttl` chosen by the caller.
pub fn dnskey(pk: &PublicKey, flags: u16, ttl: u32) -> Key {
    let mut key = Key {
        key_identifier: pk.label.clone(),
        key_tag: 0,
        ttl,
        flags,
        protocol: 3,
        algorithm: pk.algorithm,
        public_key: pk.public_key.clone(),
    };
    key.key_tag = dnssec::key_tag(&key);
    key
}

/// The `SignatureAlgorithm` entry that describes `key` (for policy blocks and policy checks).
pub fn algorithm_policy(key: &Key) -> Result<AlgorithmPolicy, dnssec::DnssecError> {
    let params = match dnssec::key_size(key)? {
        dnssec::KeySize::Rsa { bits, exponent } => AlgorithmParams::Rsa {
            size: bits,
            exponent,
        },
        dnssec::KeySize::Ec { bits } => AlgorithmParams::Ecdsa { size: bits },
        dnssec::KeySize::EdDsa { .. } => AlgorithmParams::None,
    };
    Ok(AlgorithmPolicy {
        algorithm: key.algorithm,
        params,
    })
}

/// Distinct algorithm entries of `keys`, sorted, for a policy block.
pub fn algorithm_policies<'a>(
    keys: impl IntoIterator<Item = &'a Key>,
) -> Result<Vec<AlgorithmPolicy>, dnssec::DnssecError> {
    let mut out: Vec<AlgorithmPolicy> = Vec::new();
    for k in keys {
        let a = algorithm_policy(k)?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out.sort_by_key(|a| {
        let (size, exp) = match a.params {
            AlgorithmParams::Rsa { size, exponent } => (size, exponent),
            AlgorithmParams::Ecdsa { size } => (size, 0),
            AlgorithmParams::None => (0, 0),
        };
        (a.algorithm, size, exp)
    });
    Ok(out)
}

#[cfg(test)]
mod tests;
