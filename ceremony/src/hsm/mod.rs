//! PKCS#11 access through `cryptoki`.
//!
//! - [`module`]: loading a module (`--module`, `$PKCS11_MODULE`, Debian's SoftHSM2).
//! - [`pin`]: PINs from a file or a no-echo prompt; never printed.
//! - [`token`]: finding a token by label, logging in, mapping PKCS#11 errors.
//! - [`keys`]: DNSSEC algorithms, key generation, listing, DNSKEY public keys, signing.
//! - [`mechanisms`]: what the token offers and checking it before use.
//! - [`backup`]: moving a key to a second token, only ever wrapped.
//! - [`softhsm`]: setting up a SoftHSM2 token directory (`ceremony hsm init --softhsm`).
//!
//! `TokenArgs` is flattened into every subcommand that touches a token;
//! `TokenArgs::open` logs in and returns a `Token`, which implements `KeyStore`.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::keystore::{KeyStore, PublicKey};

pub mod backup;
pub mod keys;
pub mod mechanisms;
pub mod module;
pub mod pin;
pub mod proof;
pub mod softhsm;
pub mod token;

pub use keys::{Algorithm, KeyInfo, KeySpec, Role};
pub use module::Module;
pub use token::Token;

/// Where the token is and how to log in. PINs come from a file or a no-echo prompt, never argv.
#[derive(Debug, Clone, clap::Args)]
pub struct TokenArgs {
    /// PKCS#11 module (default: $PKCS11_MODULE, else Debian's SoftHSM2 module).
    #[arg(long)]
    pub module: Option<PathBuf>,
    /// Token label.
    #[arg(long)]
    pub token: String,
    /// File holding the user PIN (else a prompt without echo).
    #[arg(long)]
    pub pin_file: Option<PathBuf>,
}

impl TokenArgs {
    /// Loads the module, finds the token, then reads the PIN and logs the user in
    /// (so a missing module or token is reported before anyone types a PIN).
    pub fn open(&self) -> Result<Token> {
        let token = self.open_unauthenticated()?;
        let pin = pin::read(self.pin_file.as_deref(), pin::Role::User, &self.token)?;
        token.login_user(&pin)?;
        Ok(token)
    }

    /// A session on the token without logging in.
    pub fn open_unauthenticated(&self) -> Result<Token> {
        let module = Module::load(self.module.as_deref())?;
        Token::open(module, &self.token)
    }
}

impl Token {
    fn signing_key(&mut self, label: &str) -> Result<token::SigningKey> {
        if let Some(k) = self.signing_keys.get(label) {
            return Ok(*k);
        }
        let info = self.key(label)?;
        let (Some(handle), Some(algorithm)) = (info.private, info.algorithm) else {
            return Err(Error::KeyNotFound(format!(
                "{label} (the token holds no DNSSEC private key under this label)"
            )));
        };
        let k = token::SigningKey { handle, algorithm };
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
        keys::sign_with(self, key, data)
    }
}
