//! PKCS#11 access through `cryptoki` (see `docs/hsm.md`). Modules depend on
//! each other in one direction only, from the bottom up:
//!
//! - [`algorithm`]: DNSSEC algorithms and the PKCS#11 mechanism table (pure data).
//! - [`ckaid`]: what a key's CKA_ID says: algorithm, flags, transport marker (pure).
//! - [`module`]: loading a module (`--module`, `$PKCS11_MODULE`, Debian's SoftHSM2).
//! - [`pin`]: PINs from a file or the caller's prompter; never printed.
//! - [`token`]: finding a token by label, logging in, object primitives.
//! - [`mechanisms`]: what the token offers, checked before use.
//! - [`inventory`]: the key pairs on a token, their public keys and attributes.
//! - [`keygen`]: generating key pairs; the templates of every DNSSEC key.
//! - [`signing`]: signing in DNSSEC wire form; the token as a `KeyStore`.
//! - [`backup`]: moving a key to a second token, only ever wrapped.
//! - [`proof`]: signing and verifying a test DNSKEY RRset.
//! - [`softhsm`]: setting up a SoftHSM2 token directory (`ceremony hsm init --softhsm`).
//!
//! A [`TokenSpec`] names the module, the token and where the user PIN comes
//! from; [`TokenSpec::open`] logs in and returns a [`Token`].

use std::path::PathBuf;

use ksr::env::Prompter;

use crate::error::Result;

pub mod algorithm;
pub mod backup;
pub mod ckaid;
pub mod inventory;
pub mod keygen;
pub mod mechanisms;
pub mod module;
pub mod pin;
pub mod proof;
pub mod signing;
pub mod softhsm;
pub mod token;

pub use algorithm::Algorithm;
pub use inventory::{KeyInfo, Role};
pub use keygen::KeySpec;
pub use module::Module;
pub use pin::PinSource;
pub use token::Token;

/// Where the token is and how to log in. PINs come from a file or a no-echo
/// prompt, never argv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpec {
    /// The PKCS#11 module, already resolved (see [`module::resolve`]).
    pub module: PathBuf,
    /// Token label.
    pub token: String,
    /// Where the user PIN comes from.
    pub pin: PinSource,
}

impl TokenSpec {
    /// Loads the module, finds the token, then reads the PIN and logs the user in
    /// (so a missing module or token is reported before anyone types a PIN).
    pub fn open(&self, prompter: &dyn Prompter) -> Result<Token> {
        let token = self.open_unauthenticated()?;
        let pin = pin::read(&self.pin, pin::Role::User, &self.token, prompter)?;
        token.login_user(&pin)?;
        Ok(token)
    }

    /// A session on the token without logging in.
    pub fn open_unauthenticated(&self) -> Result<Token> {
        let module = Module::load(&self.module)?;
        Token::open(module, &self.token)
    }
}

#[cfg(test)]
mod layering;
