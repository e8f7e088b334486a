//! The narrow interface signing code needs from wherever keys live. The PKCS#11
//! implementation (`hsm`) is the one production uses; anything that signs KSRs
//! goes through this trait so the same code path runs in every test.

use crate::error::Result;

/// A key's public half as DNSSEC publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The HSM label (CKA_LABEL), used as the SKR keyIdentifier for KSKs.
    pub label: String,
    /// DNSSEC algorithm number (8, 10, 13, 14, 15, 16).
    pub algorithm: u8,
    /// The DNSKEY public key field (RFC 3110 for RSA, X||Y for ECDSA, raw for EdDSA).
    pub public_key: Vec<u8>,
}

pub trait KeyStore {
    /// The public key of the key pair labelled `label`.
    fn public_key(&mut self, label: &str) -> Result<PublicKey>;
    /// Signs `data` (the full RRSIG signing data, not a digest) with the private key
    /// labelled `label`; returns the DNSSEC wire encoding of the signature
    /// (PKCS#1 v1.5 for RSA, r||s for ECDSA, raw for EdDSA).
    fn sign(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>>;
}
