//! PKCS#11 access through `cryptoki` (owner: ceremony-hsm work).
//!
//! STUB: the shape other modules rely on. `TokenArgs` is flattened into every
//! subcommand that touches a token; `TokenArgs::open` logs in and returns a
//! `Token`, which implements `KeyStore`.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::keystore::{KeyStore, PublicKey};

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

/// A logged-in user session on one token.
pub struct Token {}

impl TokenArgs {
    pub fn open(&self) -> Result<Token> {
        Err(Error::Input("not yet implemented".into()))
    }
}

impl KeyStore for Token {
    fn public_key(&mut self, label: &str) -> Result<PublicKey> {
        Err(Error::KeyNotFound(label.into()))
    }
    fn sign(&mut self, label: &str, _data: &[u8]) -> Result<Vec<u8>> {
        Err(Error::KeyNotFound(label.into()))
    }
}
