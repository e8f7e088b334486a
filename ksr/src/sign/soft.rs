//! The software backend: DNSSEC keys in memory, signing with `ring`. Tests and
//! simulations sign through it with the same builder the ceremony runs on an
//! HSM. Ed25519 keys come from a seed; RSA and ECDSA P-256 from PKCS#8 (ring
//! cannot derive those from a seed).

use std::collections::BTreeMap;
use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{self as sig, KeyPair};

use super::{PublicKey, SignError, SignRaw};

enum Pair {
    Ed25519(sig::Ed25519KeyPair),
    Ecdsa(sig::EcdsaKeyPair),
    Rsa(sig::RsaKeyPair, &'static dyn sig::RsaEncoding),
}

/// Why a software key could not be made.
#[derive(Debug, thiserror::Error)]
#[error("software key {label}: {message}")]
pub struct SoftKeyError {
    pub label: String,
    pub message: String,
}

/// One software key: its public half and the ring key pair (shared, so a key
/// can sit in several stores).
#[derive(Clone)]
pub struct SoftKey {
    public: PublicKey,
    pair: Arc<Pair>,
}

impl std::fmt::Debug for SoftKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SoftKey({}, alg {})",
            self.public.label, self.public.algorithm
        )
    }
}

impl SoftKey {
    /// Ed25519 (algorithm 15) from a 32-byte seed.
    pub fn ed25519(label: &str, seed: &[u8; 32]) -> Result<SoftKey, SoftKeyError> {
        let pair = sig::Ed25519KeyPair::from_seed_unchecked(seed).map_err(|e| SoftKeyError {
            label: label.into(),
            message: format!("bad Ed25519 seed: {e}"),
        })?;
        Ok(SoftKey {
            public: PublicKey {
                label: label.into(),
                algorithm: 15,
                public_key: pair.public_key().as_ref().to_vec(),
            },
            pair: Arc::new(Pair::Ed25519(pair)),
        })
    }

    /// ECDSA P-256 (algorithm 13) from a PKCS#8 document.
    pub fn ecdsa_p256(label: &str, pkcs8: &[u8]) -> Result<SoftKey, SoftKeyError> {
        let pair = sig::EcdsaKeyPair::from_pkcs8(
            &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            &SystemRandom::new(),
        )
        .map_err(|e| SoftKeyError {
            label: label.into(),
            message: format!("not a P-256 PKCS#8 key: {e}"),
        })?;
        // DNSSEC wants X||Y, without the 0x04 uncompressed-point prefix (RFC 6605).
        let public_key = pair.public_key().as_ref()[1..].to_vec();
        Ok(SoftKey {
            public: PublicKey {
                label: label.into(),
                algorithm: 13,
                public_key,
            },
            pair: Arc::new(Pair::Ecdsa(pair)),
        })
    }

    /// RSA from a PKCS#8 document, signing as algorithm 8 (RSASHA256) or 10 (RSASHA512).
    pub fn rsa(label: &str, pkcs8: &[u8], algorithm: u8) -> Result<SoftKey, SoftKeyError> {
        let err = |message: String| SoftKeyError {
            label: label.into(),
            message,
        };
        let encoding: &'static dyn sig::RsaEncoding = match algorithm {
            8 => &sig::RSA_PKCS1_SHA256,
            10 => &sig::RSA_PKCS1_SHA512,
            other => {
                return Err(err(format!(
                    "RSA signs with algorithm 8 or 10, not {other}"
                )))
            }
        };
        let pair = sig::RsaKeyPair::from_pkcs8(pkcs8)
            .map_err(|e| err(format!("not an RSA PKCS#8 key: {e}")))?;
        let parts = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
        let strip = |v: Vec<u8>| -> Vec<u8> { v.into_iter().skip_while(|b| *b == 0).collect() };
        let (exponent, modulus) = (strip(parts.e), strip(parts.n));
        // RFC 3110: exponent length (one byte when < 256), exponent, modulus.
        let mut public_key = vec![exponent.len() as u8];
        public_key.extend(&exponent);
        public_key.extend(&modulus);
        Ok(SoftKey {
            public: PublicKey {
                label: label.into(),
                algorithm,
                public_key,
            },
            pair: Arc::new(Pair::Rsa(pair, encoding)),
        })
    }

    /// Same key, other label.
    pub fn relabel(mut self, label: &str) -> SoftKey {
        self.public.label = label.to_string();
        self
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// A DNSSEC wire signature over `data`.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let rng = SystemRandom::new();
        match &*self.pair {
            Pair::Ed25519(p) => Ok(p.sign(data).as_ref().to_vec()),
            Pair::Ecdsa(p) => p
                .sign(&rng, data)
                .map(|s| s.as_ref().to_vec())
                .map_err(|e| SignError::backend(format!("ECDSA signing failed: {e}"))),
            Pair::Rsa(p, enc) => {
                let mut out = vec![0; p.public().modulus_len()];
                p.sign(*enc, &rng, data, &mut out)
                    .map_err(|e| SignError::backend(format!("RSA signing failed: {e}")))?;
                Ok(out)
            }
        }
    }
}

/// Software keys by label.
#[derive(Debug, Default, Clone)]
pub struct SoftStore {
    keys: BTreeMap<String, SoftKey>,
}

impl SoftStore {
    pub fn new() -> SoftStore {
        SoftStore::default()
    }

    /// Adds (or replaces) a key under its label.
    pub fn add(&mut self, key: SoftKey) {
        self.keys.insert(key.public.label.clone(), key);
    }

    /// A store of these keys.
    pub fn with(keys: impl IntoIterator<Item = SoftKey>) -> SoftStore {
        let mut s = SoftStore::new();
        for k in keys {
            s.add(k);
        }
        s
    }

    fn key(&self, label: &str) -> Result<&SoftKey, SignError> {
        self.keys
            .get(label)
            .ok_or_else(|| SignError::KeyNotFound(label.into()))
    }
}

impl Extend<SoftKey> for SoftStore {
    fn extend<I: IntoIterator<Item = SoftKey>>(&mut self, keys: I) {
        for k in keys {
            self.add(k);
        }
    }
}

impl SignRaw for SoftStore {
    fn public_key(&mut self, label: &str) -> Result<PublicKey, SignError> {
        self.key(label).map(|k| k.public.clone())
    }
    fn sign_raw(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>, SignError> {
        self.key(label)?.sign(data)
    }
    /// Copies of the store: the key pairs are shared, so they sign in parallel.
    fn more_signers(&mut self, n: usize) -> Result<Vec<Box<dyn SignRaw + Send>>, SignError> {
        Ok((0..n)
            .map(|_| Box::new(self.clone()) as Box<dyn SignRaw + Send>)
            .collect())
    }
}
