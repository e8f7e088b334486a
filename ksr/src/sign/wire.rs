//! The builder's hot path without per-signature allocation: RRSIG signing data
//! written into a buffer the caller reuses, and KSK verifiers prepared once per
//! key instead of once per signature.
//!
//! [`SigningData`] writes exactly what [`crate::dnssec::signing_data`] returns
//! (RFC 4034 section 3.1.8.1: RRSIG RDATA without the signature, then the
//! DNSKEY RRset in canonical form and order, section 6), for the RRSIGs the
//! builder makes: type covered DNSKEY, owner and signer's name the zone apex.
//! `ksr/tests/sign_parallel.rs` holds the two to the same bytes.

use ring::signature::{self as sig, RsaPublicKeyComponents, UnparsedPublicKey};

use crate::dnssec::{self, DnssecError};
use crate::model::{Key, Signature};

/// DNSKEY's RR type code (RFC 4034 section 2).
const DNSKEY: u16 = 48;
/// Class IN.
const IN: u16 = 1;

/// Reusable buffers for RRSIG signing data over DNSKEY RRsets at one owner.
#[derive(Debug, Default)]
pub struct SigningData {
    /// The owner in canonical wire form (lower case, uncompressed).
    owner: Vec<u8>,
    /// The RDATA of the RRset's records, back to back; `spans` index it.
    rdata: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl SigningData {
    /// Buffers for signing data at `owner` (the zone apex, also the signer's name).
    pub fn new(owner: &str) -> Result<SigningData, DnssecError> {
        Ok(SigningData {
            owner: dnssec::name_wire(owner)?,
            rdata: Vec::new(),
            spans: Vec::new(),
        })
    }

    /// Writes the signing data of `rrsig` over the DNSKEY RRset `keys` into
    /// `out` (cleared first). The RRSIG's signer's name must be the owner, as
    /// in every RRSIG the builder makes.
    pub fn write(
        &mut self,
        rrsig: &Signature,
        keys: &[Key],
        out: &mut Vec<u8>,
    ) -> Result<(), DnssecError> {
        self.rdata.clear();
        self.spans.clear();
        for key in keys {
            if key.protocol != 3 {
                return Err(DnssecError::MalformedKey(format!(
                    "key {:?} has protocol {}, must be 3",
                    key.key_identifier, key.protocol
                )));
            }
            let start = self.rdata.len();
            self.rdata.extend_from_slice(&key.flags.to_be_bytes());
            self.rdata.push(key.protocol);
            self.rdata.push(key.algorithm);
            self.rdata.extend_from_slice(&key.public_key);
            self.spans.push((start, self.rdata.len()));
        }
        // RFC 4034 6.3: sorted by RDATA as unsigned octet strings; duplicates once.
        let rdata = &self.rdata;
        self.spans
            .sort_unstable_by(|a, b| rdata[a.0..a.1].cmp(&rdata[b.0..b.1]));
        self.spans
            .dedup_by(|a, b| rdata[a.0..a.1] == rdata[b.0..b.1]);

        out.clear();
        out.extend_from_slice(&DNSKEY.to_be_bytes());
        out.push(rrsig.algorithm);
        out.push(rrsig.labels);
        out.extend_from_slice(&rrsig.original_ttl.to_be_bytes());
        out.extend_from_slice(&serial(rrsig.expiration).to_be_bytes());
        out.extend_from_slice(&serial(rrsig.inception).to_be_bytes());
        out.extend_from_slice(&rrsig.key_tag.to_be_bytes());
        out.extend_from_slice(&self.owner);
        for &(start, end) in &self.spans {
            out.extend_from_slice(&self.owner);
            out.extend_from_slice(&DNSKEY.to_be_bytes());
            out.extend_from_slice(&IN.to_be_bytes());
            out.extend_from_slice(&rrsig.original_ttl.to_be_bytes());
            out.extend_from_slice(&((end - start) as u16).to_be_bytes());
            out.extend_from_slice(&self.rdata[start..end]);
        }
        Ok(())
    }
}

/// RRSIG time fields: 32-bit serial numbers of Unix seconds (RFC 4034 3.1.5).
fn serial(t: crate::model::Time) -> u32 {
    t.unix_timestamp().rem_euclid(1 << 32) as u32
}

/// A KSK's public key, parsed once, that verifies signatures without allocating.
#[derive(Debug)]
pub enum Verifier {
    Rsa {
        e: Vec<u8>,
        n: Vec<u8>,
        params: &'static sig::RsaParameters,
    },
    /// The SEC1 uncompressed point (0x04 || X || Y) ring wants.
    Ecdsa {
        point: Vec<u8>,
        alg: &'static sig::EcdsaVerificationAlgorithm,
    },
    Ed25519(Vec<u8>),
}

impl Verifier {
    /// The verifier for `key`, refusing what [`dnssec::verify`] refuses.
    pub fn new(key: &Key) -> Result<Verifier, DnssecError> {
        // The same refusals as dnssec::verify, found by running it once on
        // nothing: a malformed key or an unknown algorithm errs before any
        // signature is looked at.
        match dnssec::verify(key, b"", b"") {
            Err(DnssecError::BadSignature) => {}
            Err(e) => return Err(e),
            Ok(()) => return Err(DnssecError::BadSignature),
        }
        Ok(match key.algorithm {
            8 | 10 => {
                let (e, n) = dnssec::encoding::rsa_parts(&key.public_key).ok_or_else(|| {
                    DnssecError::MalformedKey("RSA key: bad exponent length".into())
                })?;
                let (e, n) = (
                    dnssec::encoding::strip_zeros(e),
                    dnssec::encoding::strip_zeros(n),
                );
                let legacy = dnssec::encoding::bit_len(n) < 2048;
                let params = match (key.algorithm, legacy) {
                    (8, false) => &sig::RSA_PKCS1_2048_8192_SHA256,
                    (8, true) => &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                    (_, false) => &sig::RSA_PKCS1_2048_8192_SHA512,
                    (_, true) => &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                };
                Verifier::Rsa {
                    e: e.to_vec(),
                    n: n.to_vec(),
                    params,
                }
            }
            13 | 14 => {
                let mut point = vec![0x04];
                point.extend_from_slice(&key.public_key);
                let alg = if key.algorithm == 13 {
                    &sig::ECDSA_P256_SHA256_FIXED
                } else {
                    &sig::ECDSA_P384_SHA384_FIXED
                };
                Verifier::Ecdsa { point, alg }
            }
            15 => Verifier::Ed25519(key.public_key.clone()),
            other => return Err(DnssecError::UnsupportedAlgorithm(other)),
        })
    }

    /// Verifies a DNSSEC wire `signature` over `data`.
    pub fn verify(&self, data: &[u8], signature: &[u8]) -> Result<(), DnssecError> {
        match self {
            Verifier::Rsa { e, n, params } => {
                RsaPublicKeyComponents { n, e }.verify(params, data, signature)
            }
            Verifier::Ecdsa { point, alg } => {
                UnparsedPublicKey::new(*alg, point).verify(data, signature)
            }
            Verifier::Ed25519(pk) => {
                UnparsedPublicKey::new(&sig::ED25519, pk).verify(data, signature)
            }
        }
        .map_err(|_| DnssecError::BadSignature)
    }
}
