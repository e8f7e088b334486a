//! `ceremony`: PKCS#11 key work and KSR signing for offline DNSSEC key ceremonies.
//!
//! - [`hsm`]: module, slot, token, session and PIN handling over `cryptoki`; keys on the token.
//! - [`keystore`]: the narrow signing interface the signing code uses.
//! - [`sign`]: turning a checked KSR into an SKR per a schema.
//! - [`file`]: writing outputs through a verified temp file.
//! - [`audit`]: the tamper-evident, write-ahead audit log of commands.
//! - [`ops`]: the ceremony's operations: typed inputs, a prompter, typed reports.
//! - [`error`]: the one error type and its mapping to exit codes.
//! - [`cli`]: the command line: arguments to `ops` inputs, reports to text or JSON.
//! - [`tui`]: the terminal UI a ceremony runs in.
//! - [`process`]: no core dumps once a token is open; clean stops on SIGINT/SIGTERM.

pub mod audit;
pub mod cli;
pub mod engine;
pub mod error;
pub mod file;
pub mod hsm;
pub mod keystore;
pub mod ops;
pub mod process;
pub mod script;
pub mod sign;
pub mod tui;
