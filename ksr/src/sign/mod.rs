//! Signing: the one interface every key backend implements ([`SignRaw`]), the
//! one SKR builder ([`skr::build`]) that production and tests both run, and a
//! software backend over `ring` ([`soft`]).
//!
//! The trait follows NLnet Labs `domain`, `src/crypto/sign.rs`, `SignRaw`: a
//! backend gives a key's public DNSKEY data and turns the raw RRSIG signing data
//! (RFC 4034 section 3.1.8.1: RRSIG RDATA without the signature, then the
//! canonical RRset) into the DNSSEC wire signature (RFC 3110 / 5702 PKCS#1 v1.5
//! for RSA, RFC 6605 r||s for ECDSA, RFC 8080 pure EdDSA). Unlike `domain`'s
//! one-key-per-object trait, the key is named per call: a PKCS#11 session holds
//! the current and the next KSK and signs with both in one run.

mod run;
pub use run::cores;
pub mod cds;
pub mod skr;
pub mod soft;
pub mod timing;
pub mod wire;

use crate::dnssec;
use crate::model::{AlgorithmParams, AlgorithmPolicy, Key};

pub use skr::{build, build_with, Ksks, Progress};

/// Any failure behind [`SignRaw`], kept typed: the backend's own error is the
/// boxed source, so a caller can downcast it back (a PKCS#11 error stays one).
pub type BoxedSource = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why signing stopped.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The inputs cannot give a valid SKR (a schema that needs a next KSK that
    /// was not given, a KSR domain that is not a name, ...). Nothing was signed.
    #[error("{0}")]
    Input(String),
    /// The backend has no key under this label.
    #[error("no key labelled {0:?}")]
    KeyNotFound(String),
    /// The backend failed (device removed, session closed, ...). `context`
    /// says where the run stopped, when a run was under way.
    #[error("{}{source}", context.as_deref().map(|c| format!("{c}: ")).unwrap_or_default())]
    Backend {
        context: Option<String>,
        #[source]
        source: BoxedSource,
    },
    /// The backend returned a signature that does not verify.
    #[error("the signature by {signer} over bundle {bundle} does not verify ({reason}); the signer returned a bad signature")]
    BadSignature {
        signer: String,
        bundle: String,
        reason: String,
    },
}

impl SignError {
    /// A backend failure from any error type.
    pub fn backend(source: impl Into<BoxedSource>) -> SignError {
        SignError::Backend {
            context: None,
            source: source.into(),
        }
    }

    /// The same error, saying where a run stopped.
    pub fn during(self, context: String) -> SignError {
        match self {
            SignError::Backend { source, .. } => SignError::Backend {
                context: Some(context),
                source,
            },
            other => other,
        }
    }
}

/// A key's public half as DNSSEC publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The key's label in its store (CKA_LABEL on an HSM), used as the SKR
    /// keyIdentifier of a KSK.
    pub label: String,
    /// DNSSEC algorithm number (8, 10, 13, 14, 15, 16).
    pub algorithm: u8,
    /// The DNSKEY public key field (RFC 3110 for RSA, X||Y for ECDSA, raw for EdDSA).
    pub public_key: Vec<u8>,
}

/// Where signing keys live: an HSM token, or software keys ([`soft::SoftStore`]).
pub trait SignRaw {
    /// The public half of the key labelled `label`.
    fn public_key(&mut self, label: &str) -> Result<PublicKey, SignError>;
    /// Signs `data` (the full RRSIG signing data, not a digest) with the key
    /// labelled `label`; returns the DNSSEC wire encoding of the signature.
    fn sign_raw(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>, SignError>;
    /// Up to `n` further signers over the same keys that can sign at the same
    /// time as this one, each on its own thread (on a token: more sessions).
    /// Fewer, or none, when the backend cannot; the default is none, so the
    /// builder then signs with this signer alone.
    fn more_signers(&mut self, n: usize) -> Result<Vec<Box<dyn SignRaw + Send>>, SignError> {
        let _ = n;
        Ok(Vec::new())
    }
}

impl<S: SignRaw + ?Sized> SignRaw for &mut S {
    fn public_key(&mut self, label: &str) -> Result<PublicKey, SignError> {
        (**self).public_key(label)
    }
    fn sign_raw(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>, SignError> {
        (**self).sign_raw(label, data)
    }
    fn more_signers(&mut self, n: usize) -> Result<Vec<Box<dyn SignRaw + Send>>, SignError> {
        (**self).more_signers(n)
    }
}

/// The DNSKEY a stored key publishes as, with `flags` and `ttl` chosen by the caller.
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

/// The `SignatureAlgorithm` entry that describes `key` (policy blocks, policy checks).
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
