//! Report parts several operations share: a key pair as the token holds it,
//! with the DNSKEY and DS it publishes, and a proof signature.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::hsm::inventory::{KeyInfo, Role, Security};
use crate::hsm::proof::Proof;

/// A key pair on the token (`inventory --json` lists these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyEntry {
    pub label: String,
    /// CKA_ID, hex.
    pub id: String,
    pub role: Role,
    pub algorithm: Option<u8>,
    pub algorithm_name: Option<&'static str>,
    pub bits: u32,
    pub flags: u16,
    pub has_private_key: bool,
    pub has_public_key: bool,
    pub security: Security,
    /// What the key publishes; absent when the token holds no readable public key.
    #[serde(flatten)]
    pub published: Option<Published>,
}

/// The DNSKEY a key publishes and its DS (SHA-256) at the report's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub key_tag: u16,
    pub revoked_key_tag: u16,
    /// The DNSKEY public key field, base64.
    pub public_key: String,
    pub ds: Ds,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ds {
    pub digest_type: u8,
    /// Upper-case hex, as DS records are written.
    pub digest: String,
}

impl KeyEntry {
    /// `k` as a report entry, its DS computed at `zone` (absolute).
    pub fn new(k: &KeyInfo, zone: &str) -> Result<KeyEntry> {
        let published = match (k.dnskey(0, k.flags), k.tags()) {
            (Some(dnskey), Some((key_tag, revoked_key_tag))) => {
                let ds = ksr::dnssec::ds_digest(zone, &dnskey, 2)
                    .map_err(|e| Error::Input(format!("--zone {zone:?}: {e}")))?;
                Some(Published {
                    key_tag,
                    revoked_key_tag,
                    public_key: B64.encode(&k.public_key),
                    ds: Ds {
                        digest_type: 2,
                        digest: hex::encode_upper(ds),
                    },
                })
            }
            _ => None,
        };
        Ok(KeyEntry {
            label: k.label.clone(),
            id: hex::encode(&k.id),
            role: k.role,
            algorithm: k.algorithm.map(|a| a.number()),
            algorithm_name: k.algorithm.map(|a| a.mnemonic()),
            bits: k.bits,
            flags: k.flags,
            has_private_key: k.private.is_some(),
            has_public_key: k.public.is_some(),
            security: k.security.clone(),
            published,
        })
    }
}

/// The test DNSKEY of a proof, as `prove --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofDnskey {
    pub key_identifier: String,
    pub key_tag: u16,
    pub ttl: u32,
    pub flags: u16,
    pub protocol: u8,
    pub algorithm: u8,
    pub public_key: String,
}

/// The RRSIG a proof made over its test DNSKEY RRset; times in RFC 3339 UTC
/// with `Z`, as every tool prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofRrsig {
    pub key_identifier: String,
    pub ttl: u32,
    pub type_covered: String,
    pub algorithm: u8,
    pub labels: u8,
    pub original_ttl: u32,
    pub expiration: String,
    pub inception: String,
    pub key_tag: u16,
    pub signers_name: String,
    /// Base64.
    pub signature: String,
}

/// A key proved it signs: the test RRset, its signature, and whether it verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofReport {
    pub zone: String,
    /// Whether `ksr` verified the signature (Ed448 cannot be verified locally).
    pub verified: bool,
    pub dnskey: ProofDnskey,
    pub rrsig: ProofRrsig,
}

impl From<&Proof> for ProofReport {
    fn from(p: &Proof) -> Self {
        let (k, s) = (&p.dnskey, &p.rrsig);
        ProofReport {
            zone: p.zone.clone(),
            verified: p.verified,
            dnskey: ProofDnskey {
                key_identifier: k.key_identifier.clone(),
                key_tag: k.key_tag,
                ttl: k.ttl,
                flags: k.flags,
                protocol: k.protocol,
                algorithm: k.algorithm,
                public_key: B64.encode(&k.public_key),
            },
            rrsig: ProofRrsig {
                key_identifier: s.key_identifier.clone(),
                ttl: s.ttl,
                type_covered: s.type_covered.clone(),
                algorithm: s.algorithm,
                labels: s.labels,
                original_ttl: s.original_ttl,
                expiration: crate::audit::clock::format(s.expiration),
                inception: crate::audit::clock::format(s.inception),
                key_tag: s.key_tag,
                signers_name: s.signers_name.clone(),
                signature: B64.encode(&s.signature_data),
            },
        }
    }
}
