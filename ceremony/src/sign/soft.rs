//! A software `KeyStore` for unit tests of the document builders: ksr's
//! software keys (ring) behind the ceremony's interface, plus the faults a
//! token can show. Production signs only through the PKCS#11 token.

use ksr::sign::soft::SoftKey;

use crate::error::{Error, Result};
use crate::keystore::{KeyStore, PublicKey};

#[derive(Default)]
pub struct SoftStore {
    keys: ksr::sign::soft::SoftStore,
    /// Fail every sign after this many (simulates a device gone mid-run).
    pub fail_after: Option<usize>,
    pub signed: usize,
    /// Return a damaged signature from this many signatures on (a faulty token).
    pub corrupt_after: Option<usize>,
}

impl SoftStore {
    /// Ed25519 from a fixed seed byte, so tests are reproducible.
    pub fn add_ed25519(&mut self, label: &str, seed: u8) {
        self.keys
            .add(SoftKey::ed25519(label, &[seed; 32]).expect("seeded Ed25519 key"));
    }
}

fn not_found(e: ksr::sign::SignError) -> Error {
    match e {
        ksr::sign::SignError::KeyNotFound(l) => Error::KeyNotFound(l),
        other => Error::Hsm(other.to_string()),
    }
}

impl KeyStore for SoftStore {
    fn public_key(&mut self, label: &str) -> Result<PublicKey> {
        ksr::sign::SignRaw::public_key(&mut self.keys, label).map_err(not_found)
    }
    fn sign(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>> {
        if self.fail_after.is_some_and(|n| self.signed >= n) {
            return Err(Error::Hsm("device removed".into()));
        }
        self.signed += 1;
        let mut sig =
            ksr::sign::SignRaw::sign_raw(&mut self.keys, label, data).map_err(not_found)?;
        if self.corrupt_after.is_some_and(|n| self.signed > n) {
            sig[0] ^= 1;
        }
        Ok(sig)
    }
}
