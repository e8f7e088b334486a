//! A software `KeyStore` for unit tests of the document builders (ring keys in
//! memory). Production signs only through the PKCS#11 token.

use std::collections::BTreeMap;

use ring::signature::{Ed25519KeyPair, KeyPair};

use crate::error::{Error, Result};
use crate::keystore::{KeyStore, PublicKey};

enum Pair {
    Ed25519(Ed25519KeyPair),
}

#[derive(Default)]
pub struct SoftStore {
    keys: BTreeMap<String, Pair>,
    /// Fail every sign after this many (simulates a device gone mid-run).
    pub fail_after: Option<usize>,
    pub signed: usize,
    /// Return a damaged signature from this many signatures on (a faulty token).
    pub corrupt_after: Option<usize>,
}

impl SoftStore {
    /// Ed25519 from a fixed seed byte, so tests are reproducible.
    pub fn add_ed25519(&mut self, label: &str, seed: u8) {
        let kp = Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap();
        self.keys.insert(label.into(), Pair::Ed25519(kp));
    }
}

impl KeyStore for SoftStore {
    fn public_key(&mut self, label: &str) -> Result<PublicKey> {
        match self.keys.get(label) {
            Some(Pair::Ed25519(k)) => Ok(PublicKey {
                label: label.into(),
                algorithm: 15,
                public_key: k.public_key().as_ref().to_vec(),
            }),
            None => Err(Error::KeyNotFound(label.into())),
        }
    }
    fn sign(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>> {
        if self.fail_after.is_some_and(|n| self.signed >= n) {
            return Err(Error::Hsm("device removed".into()));
        }
        self.signed += 1;
        match self.keys.get(label) {
            Some(Pair::Ed25519(k)) => {
                let mut sig = k.sign(data).as_ref().to_vec();
                if self.corrupt_after.is_some_and(|n| self.signed > n) {
                    sig[0] ^= 1;
                }
                Ok(sig)
            }
            None => Err(Error::KeyNotFound(label.into())),
        }
    }
}
