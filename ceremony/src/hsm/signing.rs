//! Signing with a key on the token in DNSSEC wire form, and the token as the
//! [`KeyStore`] the signing code uses.

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::Mechanism;
use sha2::{Digest, Sha256, Sha384};

use super::algorithm::{mechanism_name, Algorithm};
use super::token::{SigningKey, Token};
use crate::error::{Error, Result};
use crate::keystore::{KeyStore, PublicKey};

impl Token {
    fn signing_key(&mut self, label: &str) -> Result<SigningKey> {
        if let Some(k) = self.signing_keys.get(label) {
            return Ok(*k);
        }
        let info = self.key(label)?;
        let (Some(handle), Some(algorithm)) = (info.private, info.algorithm) else {
            return Err(Error::KeyNotFound(format!(
                "{label} (the token holds no DNSSEC private key under this label)"
            )));
        };
        let k = SigningKey { handle, algorithm };
        self.signing_keys.insert(label.to_string(), k);
        Ok(k)
    }
}

impl KeyStore for Token {
    fn public_key(&mut self, label: &str) -> Result<PublicKey> {
        if let Some(pk) = self.public_keys.get(label) {
            return Ok(pk.clone());
        }
        let info = self.key(label)?;
        match (info.algorithm, info.public_key.is_empty()) {
            (Some(a), false) => {
                let pk = PublicKey {
                    label: info.label,
                    algorithm: a.number(),
                    public_key: info.public_key,
                };
                self.public_keys.insert(label.to_string(), pk.clone());
                Ok(pk)
            }
            _ => Err(Error::KeyNotFound(format!(
                "{label} (no DNSSEC public key under this label on the token)"
            ))),
        }
    }

    fn sign(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>> {
        let key = self.signing_key(label)?;
        sign_with(self, key, data)
    }
}

/// Signs `data` with `key` in DNSSEC wire form. RSA: PKCS#1 v1.5 with the hash
/// inside the token (RFC 5702); ECDSA: we hash, CKM_ECDSA returns r||s (RFC 6605);
/// EdDSA: pure, over the data (RFC 8080).
fn sign_with(token: &Token, key: SigningKey, data: &[u8]) -> Result<Vec<u8>> {
    let alg = key.algorithm;
    // Built only on failure: this is the hot path of KSR signing.
    let what = || format!("signing with a {} key", alg.mnemonic());
    let session = &token.session;
    let sig = match alg {
        Algorithm::RsaSha256 => session.sign(&Mechanism::Sha256RsaPkcs, key.handle, data),
        Algorithm::RsaSha512 => session.sign(&Mechanism::Sha512RsaPkcs, key.handle, data),
        Algorithm::EcdsaP256Sha256 => {
            session.sign(&Mechanism::Ecdsa, key.handle, &Sha256::digest(data))
        }
        Algorithm::EcdsaP384Sha384 => {
            session.sign(&Mechanism::Ecdsa, key.handle, &Sha384::digest(data))
        }
        Algorithm::Ed25519 | Algorithm::Ed448 => session.sign(
            &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
            key.handle,
            data,
        ),
    }
    .map_err(|e| match e {
        CkError::Pkcs11(RvError::MechanismInvalid | RvError::MechanismParamInvalid, _) => {
            Error::MechanismMissing(format!(
                "{} (needed for {}) on token {:?}",
                mechanism_name(alg.sign_mechanism()),
                what(),
                token.label
            ))
        }
        e => Error::pkcs11(e, &what()),
    })?;
    if !alg.is_rsa() && sig.len() != alg.signature_len(0) {
        return Err(Error::Hsm(format!(
            "{}: the token returned {} bytes, expected {}",
            what(),
            sig.len(),
            alg.signature_len(0)
        )));
    }
    Ok(sig)
}
