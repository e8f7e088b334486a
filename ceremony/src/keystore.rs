//! The narrow interface signing code needs from wherever keys live, and its
//! bridge to ksr's one signer trait ([`ksr::sign::SignRaw`]): the PKCS#11 token
//! (`hsm`) implements [`KeyStore`] with the ceremony's typed errors, and
//! [`Signer`] hands it to ksr's SKR builder, so tests and production run the
//! same builder.

use crate::error::{Error, Result};
use ksr::sign::SignError;

/// A key's public half as DNSSEC publishes it (ksr's type).
pub use ksr::sign::PublicKey;

pub trait KeyStore {
    /// The public key of the key pair labelled `label`.
    fn public_key(&mut self, label: &str) -> Result<PublicKey>;
    /// Signs `data` (the full RRSIG signing data, not a digest) with the private key
    /// labelled `label`; returns the DNSSEC wire encoding of the signature
    /// (PKCS#1 v1.5 for RSA, r||s for ECDSA, raw for EdDSA).
    fn sign(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>>;
}

/// A [`KeyStore`] as ksr's signer. The ceremony's error travels as the boxed
/// source of [`SignError::Backend`] and comes back out with [`from_sign_error`].
pub struct Signer<'a>(pub &'a mut dyn KeyStore);

impl ksr::sign::SignRaw for Signer<'_> {
    fn public_key(&mut self, label: &str) -> std::result::Result<PublicKey, SignError> {
        self.0.public_key(label).map_err(SignError::backend)
    }
    fn sign_raw(&mut self, label: &str, data: &[u8]) -> std::result::Result<Vec<u8>, SignError> {
        self.0.sign(label, data).map_err(SignError::backend)
    }
}

/// The ceremony error for a failed signing run. A token failure mid-run says
/// where the run stopped; a key that vanished after it was found means the
/// token went away or changed under us. Nothing is ever written after one.
pub fn from_sign_error(e: SignError) -> Error {
    match e {
        SignError::Input(m) => Error::Input(m),
        SignError::KeyNotFound(l) => Error::KeyNotFound(l),
        SignError::Backend { context, source } => {
            let inner = match source.downcast::<Error>() {
                Ok(e) => *e,
                Err(other) => Error::Hsm(other.to_string()),
            };
            let Some(at) = context else {
                return inner;
            };
            match inner {
                Error::KeyNotFound(l) => Error::Hsm(format!(
                    "{at}: key {l} is no longer on the token (token removed or changed mid-run); nothing was written"
                )),
                Error::Hsm(m) => Error::Hsm(format!("{at}: {m}; nothing was written")),
                inner @ Error::Pkcs11 { .. } => Error::Stopped {
                    at,
                    source: Box::new(inner),
                },
                other => other,
            }
        }
        bad @ SignError::BadSignature { .. } => {
            Error::Hsm(format!("{bad} (the token); nothing was written"))
        }
    }
}
