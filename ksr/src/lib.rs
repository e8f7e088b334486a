//! `ksr`: the DNSSEC Key Signing Request / Signed Key Response formats and the
//! named policy checks that decide whether a KSR may be signed and an SKR imported.
//!
//! Layers, bottom up:
//! - [`model`]: the document, its bundles, keys and signatures (dialect-free).
//! - [`dnssec`]: key tags, DS, canonical DNSKEY-RRset signing data, verification.
//! - [`xml`]: IANA's KSR/SKR XML, parse and deterministic write.
//! - [`dialect`]: the Knot/BIND offline-KSK text format.
//! - [`format`]: the one entry point: detect, read and write any of the formats.
//! - [`digest`]: SHA-256 and the PGP word list for read-aloud comparison.
//! - [`policy`] and [`schema`]: what the operator accepts and which KSK does what per slot.
//! - [`sign`]: the signer trait, the one SKR builder, software keys (ring).
//! - [`verify`]: which checks apply to a file, run as one library call; [`render`]: its report as text or JSON.
//! - [`check`]: every named check, run all at once into a [`check::Report`].
//! - [`output`]: atomic writes (temp file, verify, rename); [`signals`]: temp files removed on SIGINT/SIGTERM.
//! - [`export`]: an SKR in the Knot/BIND text dialect, checked after writing.
//! - [`cli`]: the `ksr` command line (`cli::run(args, env)`); [`error`]: its errors and exit codes.
//! - [`env`]: the environment seam (output, prompts, clock, variables) every tool runs on.
//! - [`escape`]: input text made safe for a terminal.

pub mod check;
pub mod cli;
pub mod convert;
pub mod dialect;
pub mod digest;
pub mod dnssec;
pub mod env;
pub mod error;
pub mod escape;
pub mod export;
pub mod format;
pub mod model;
pub mod output;
pub mod policy;
pub mod render;
pub mod schema;
pub mod secret;
pub mod sign;
pub mod signals;
pub mod timefmt;
pub mod verify;
pub mod xml;

pub use model::{Bundle, Document, Key, Kind, Signature};

/// Software keys and synthetic KSR/SKR builders for tests (feature `testkit`).
#[cfg(feature = "testkit")]
pub mod testkit;
