//! The DNSSEC algorithms a key on a token may have, and the PKCS#11 table behind
//! them: curve OIDs, key generation and signing mechanisms, key sizes, and the
//! mechanisms DNSSEC key work and backup need (see `docs/hsm.md`). Pure data:
//! nothing here talks to a token.

use cryptoki::mechanism::MechanismType;
use cryptoki::object::KeyType;
use serde::Serialize;

use crate::error::{Error, Result};

/// DNSSEC signing algorithms a key on the token may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Algorithm {
    RsaSha256,
    RsaSha512,
    EcdsaP256Sha256,
    EcdsaP384Sha384,
    Ed25519,
    Ed448,
}

/// DER of the curve OIDs (CKA_EC_PARAMS).
pub const P256_OID: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub const P384_OID: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
pub const ED25519_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
pub const ED448_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x71];

impl Algorithm {
    pub const ALL: [Algorithm; 6] = [
        Algorithm::RsaSha256,
        Algorithm::RsaSha512,
        Algorithm::EcdsaP256Sha256,
        Algorithm::EcdsaP384Sha384,
        Algorithm::Ed25519,
        Algorithm::Ed448,
    ];

    pub fn number(self) -> u8 {
        match self {
            Algorithm::RsaSha256 => 8,
            Algorithm::RsaSha512 => 10,
            Algorithm::EcdsaP256Sha256 => 13,
            Algorithm::EcdsaP384Sha384 => 14,
            Algorithm::Ed25519 => 15,
            Algorithm::Ed448 => 16,
        }
    }

    pub fn from_number(n: u8) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.number() == n)
    }

    /// The mnemonic (RFC 8624 spelling).
    pub fn mnemonic(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "RSASHA256",
            Algorithm::RsaSha512 => "RSASHA512",
            Algorithm::EcdsaP256Sha256 => "ECDSAP256SHA256",
            Algorithm::EcdsaP384Sha384 => "ECDSAP384SHA384",
            Algorithm::Ed25519 => "ED25519",
            Algorithm::Ed448 => "ED448",
        }
    }

    /// Parses `--algorithm`: a mnemonic (any case) or the number. Deprecated and
    /// unknown algorithms are refused with the reason.
    pub fn parse(s: &str) -> Result<Algorithm> {
        let t = s.trim().to_ascii_uppercase().replace(['-', '_'], "");
        if let Some(a) = Algorithm::ALL
            .into_iter()
            .find(|a| a.mnemonic() == t || a.number().to_string() == t)
        {
            return Ok(a);
        }
        let refused = [
            ("RSAMD5", 1),
            ("DH", 2),
            ("DSA", 3),
            ("RSASHA1", 5),
            ("DSANSEC3SHA1", 6),
            ("RSASHA1NSEC3SHA1", 7),
            ("ECCGOST", 12),
        ];
        if let Some((name, n)) = refused
            .iter()
            .find(|(name, n)| *name == t || n.to_string() == t)
        {
            return Err(Error::Input(format!(
                "algorithm {name} ({n}) must not be used for new keys (RFC 8624); use rsasha256, \
                 ecdsap256sha256 or ed25519"
            )));
        }
        Err(Error::Input(format!(
            "unknown algorithm {s:?}; one of rsasha256, rsasha512, ecdsap256sha256, \
             ecdsap384sha384, ed25519, ed448"
        )))
    }

    pub fn is_rsa(self) -> bool {
        matches!(self, Algorithm::RsaSha256 | Algorithm::RsaSha512)
    }

    /// CKA_EC_PARAMS of the curve (none for RSA).
    pub fn curve_oid(self) -> Option<&'static [u8]> {
        match self {
            Algorithm::EcdsaP256Sha256 => Some(P256_OID),
            Algorithm::EcdsaP384Sha384 => Some(P384_OID),
            Algorithm::Ed25519 => Some(ED25519_OID),
            Algorithm::Ed448 => Some(ED448_OID),
            _ => None,
        }
    }

    /// The algorithm of an EC or Edwards key with CKA_EC_PARAMS `params`.
    pub fn from_curve(params: &[u8]) -> Option<Algorithm> {
        match params {
            P256_OID => Some(Algorithm::EcdsaP256Sha256),
            P384_OID => Some(Algorithm::EcdsaP384Sha384),
            ED25519_OID => Some(Algorithm::Ed25519),
            ED448_OID => Some(Algorithm::Ed448),
            // SoftHSM also accepts the curve's printable name for Edwards keys.
            p if p.ends_with(b"edwards25519") => Some(Algorithm::Ed25519),
            p if p.ends_with(b"edwards448") => Some(Algorithm::Ed448),
            _ => None,
        }
    }

    /// The PKCS#11 key type (CKK_RSA, CKK_EC, CKK_EC_EDWARDS).
    pub fn key_type(self) -> KeyType {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha512 => KeyType::RSA,
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => KeyType::EC,
            Algorithm::Ed25519 | Algorithm::Ed448 => KeyType::EC_EDWARDS,
        }
    }

    /// The mechanism that generates a key pair of this algorithm.
    pub fn keygen_mechanism(self) -> MechanismType {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha512 => MechanismType::RSA_PKCS_KEY_PAIR_GEN,
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
                MechanismType::ECC_KEY_PAIR_GEN
            }
            Algorithm::Ed25519 | Algorithm::Ed448 => MechanismType::ECC_EDWARDS_KEY_PAIR_GEN,
        }
    }

    /// The mechanism that signs with a key of this algorithm.
    pub fn sign_mechanism(self) -> MechanismType {
        match self {
            Algorithm::RsaSha256 => MechanismType::SHA256_RSA_PKCS,
            Algorithm::RsaSha512 => MechanismType::SHA512_RSA_PKCS,
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => MechanismType::ECDSA,
            Algorithm::Ed25519 | Algorithm::Ed448 => MechanismType::EDDSA,
        }
    }

    /// Key sizes accepted for new keys, default first.
    pub fn allowed_bits(self) -> &'static [u32] {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha512 => &[2048, 3072, 4096],
            Algorithm::EcdsaP256Sha256 => &[256],
            Algorithm::EcdsaP384Sha384 => &[384],
            Algorithm::Ed25519 => &[256],
            Algorithm::Ed448 => &[456],
        }
    }

    /// Length of the DNSSEC wire signature; RSA signatures are as long as the
    /// modulus (`bits`).
    pub fn signature_len(self, bits: u32) -> usize {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha512 => bits.div_ceil(8) as usize,
            Algorithm::EcdsaP256Sha256 | Algorithm::Ed25519 => 64,
            Algorithm::EcdsaP384Sha384 => 96,
            Algorithm::Ed448 => 114,
        }
    }
}

/// Mechanisms relevant to DNSSEC keys and their backup, with what they are for.
pub const RELEVANT: &[(MechanismType, &str, &str)] = &[
    (
        MechanismType::RSA_PKCS_KEY_PAIR_GEN,
        "RSA-PKCS-KEY-PAIR-GEN",
        "RSA key generation (8, 10)",
    ),
    (
        MechanismType::SHA256_RSA_PKCS,
        "SHA256-RSA-PKCS",
        "RSASHA256 signing (8)",
    ),
    (
        MechanismType::SHA512_RSA_PKCS,
        "SHA512-RSA-PKCS",
        "RSASHA512 signing (10)",
    ),
    (
        MechanismType::ECC_KEY_PAIR_GEN,
        "EC-KEY-PAIR-GEN",
        "ECDSA key generation (13, 14)",
    ),
    (
        MechanismType::ECDSA,
        "ECDSA",
        "ECDSA signing over our digest (13, 14)",
    ),
    (
        MechanismType::ECC_EDWARDS_KEY_PAIR_GEN,
        "EC-EDWARDS-KEY-PAIR-GEN",
        "EdDSA key generation (15, 16)",
    ),
    (MechanismType::EDDSA, "EDDSA", "EdDSA signing (15, 16)"),
    (
        MechanismType::AES_KEY_GEN,
        "AES-KEY-GEN",
        "backup: one-time key-encryption key",
    ),
    (
        MechanismType::AES_KEY_WRAP_PAD,
        "AES-KEY-WRAP-PAD",
        "backup: wrapping the private key",
    ),
    (
        MechanismType::RSA_PKCS_OAEP,
        "RSA-PKCS-OAEP",
        "backup: wrapping the AES key to the transport key",
    ),
];

/// The PKCS#11 name of a relevant mechanism.
pub fn mechanism_name(m: MechanismType) -> String {
    RELEVANT
        .iter()
        .find(|(t, _, _)| *t == m)
        .map(|(_, n, _)| n.to_string())
        .unwrap_or_else(|| format!("{m}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_and_refusals() {
        assert_eq!(Algorithm::parse("rsasha256").unwrap(), Algorithm::RsaSha256);
        assert_eq!(
            Algorithm::parse("ECDSAP256SHA256").unwrap(),
            Algorithm::EcdsaP256Sha256
        );
        assert_eq!(Algorithm::parse("15").unwrap(), Algorithm::Ed25519);
        let e = Algorithm::parse("rsasha1").unwrap_err().to_string();
        assert!(e.contains("RFC 8624"), "{e}");
        let e = Algorithm::parse("7").unwrap_err().to_string();
        assert!(e.contains("RSASHA1NSEC3SHA1"), "{e}");
        assert!(Algorithm::parse("foo")
            .unwrap_err()
            .to_string()
            .contains("unknown"));
    }

    #[test]
    fn every_algorithm_has_a_consistent_table_row() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_number(a.number()), Some(a));
            assert_eq!(a.is_rsa(), a.curve_oid().is_none());
            if let Some(oid) = a.curve_oid() {
                assert_eq!(Algorithm::from_curve(oid), Some(a));
                assert!(ksr::dnssec::encoding::point_len(a.number()).is_some());
            }
            // Every mechanism an algorithm needs is in the table `hsm info` shows.
            for m in [a.keygen_mechanism(), a.sign_mechanism()] {
                assert!(RELEVANT.iter().any(|(t, _, _)| *t == m), "{a:?}");
            }
        }
        assert_eq!(
            Algorithm::from_curve(b"\x13\x0cedwards25519"),
            Some(Algorithm::Ed25519)
        );
        assert_eq!(mechanism_name(MechanismType::EDDSA), "EDDSA");
    }
}
