//! The `ceremony` command line. Subcommand argument structs live beside the code
//! that owns them: `cli::hsm` and `cli::keys` (HSM and key work), `cli::sign`
//! (sign-ksr, request, trust-anchor).

use clap::{Parser, Subcommand};

pub mod hsm;
pub mod keys;
pub mod sign;

#[derive(Debug, Parser)]
#[command(
    name = "ceremony",
    version,
    about = "Offline DNSSEC key ceremonies on PKCS#11 HSMs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Token set-up and information.
    #[command(subcommand)]
    Hsm(hsm::HsmCommand),
    /// Generate a key pair on the token.
    Keygen(keys::KeygenArgs),
    /// List every key on the token.
    Inventory(keys::InventoryArgs),
    /// Wrap a key for transfer to a second token.
    Backup(keys::BackupArgs),
    /// Unwrap a backed-up key onto a token and prove it signs.
    Restore(keys::RestoreArgs),
    /// Delete a key (asks for the label again).
    Delete(keys::DeleteArgs),
    /// Sign and verify a test DNSKEY RRset with a key on the token.
    Prove(keys::ProveArgs),
    /// Check a KSR and sign it into an SKR.
    SignKsr(sign::SignKsrArgs),
    /// Build a KSR from ZSKs on a token (for signers that cannot emit one).
    Request(sign::RequestArgs),
    /// Write RFC 9718 trust-anchor XML and DS records for a KSK.
    TrustAnchor(sign::TrustAnchorArgs),
}

/// A zone given on the command line, made absolute (`example.test` ->
/// `example.test.`) and checked as a DNS name before any token is touched.
pub(crate) fn zone_arg(flag: &str, zone: &str) -> crate::error::Result<String> {
    let z = crate::sign::request::absolute(zone);
    ksr::dnssec::label_count(&z)
        .map_err(|e| crate::error::Error::Input(format!("{flag} {zone:?}: {e}")))?;
    Ok(z)
}

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hsm(c) => hsm::run(c),
        Command::Keygen(a) => keys::keygen(a),
        Command::Inventory(a) => keys::inventory(a),
        Command::Backup(a) => keys::backup(a),
        Command::Restore(a) => keys::restore(a),
        Command::Delete(a) => keys::delete(a),
        Command::Prove(a) => keys::prove(a),
        Command::SignKsr(a) => sign::sign_ksr(a),
        Command::Request(a) => sign::request(a),
        Command::TrustAnchor(a) => sign::trust_anchor(a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ceremony: {e}");
            e.exit_code()
        }
    }
}
