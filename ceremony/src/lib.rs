//! `ceremony`: PKCS#11 key work and KSR signing for offline DNSSEC key ceremonies.
//!
//! - [`hsm`]: module, slot, token, session and PIN handling over `cryptoki`; keys on the token.
//! - [`keystore`]: the narrow signing interface the signing code uses.
//! - [`sign`]: turning a checked KSR into an SKR per a schema.
//! - [`file`]: writing outputs through a verified temp file.
//! - [`audit`]: the tamper-evident, write-ahead audit log of commands.
//! - [`cli`]: the command line, thin over the above.

pub mod audit;
pub mod cli;
pub mod error;
pub mod file;
pub mod hsm;
pub mod ops;
pub mod keystore;
pub mod sign;
