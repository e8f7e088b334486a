//! The `ceremony` command line. Subcommand argument structs live beside the code
//! that owns them: `cli::hsm` and `cli::keys` (HSM and key work), `cli::sign`
//! (sign-ksr, request, trust-anchor), `cli::audit` (the audit log).

use clap::{Parser, Subcommand};

pub mod audit;
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
    /// Append a begin and an end record for this command to this audit log
    /// (created if missing; refused if its hash chain does not verify; ignored by `audit`).
    #[arg(long, global = true, value_name = "FILE")]
    pub audit_log: Option<std::path::PathBuf>,
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
    /// Verify or show an audit log (read-only; never itself recorded).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
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
    match (cli.command, cli.audit_log) {
        (Command::Audit(c), _) => audit::run(c),
        (command, Some(log)) => {
            // argv holds no secret: PINs only ever come from files or a prompt.
            let args = std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            audit::audited(&log, crate::audit::SystemClock, args, command, dispatch)
        }
        (command, None) => match dispatch(command) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("ceremony: {e}");
                e.exit_code()
            }
        },
    }
}

/// Runs one (non-audit) command.
fn dispatch(command: Command) -> crate::error::Result<()> {
    match command {
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
        Command::Audit(_) => Err(crate::error::Error::Input(
            "`ceremony audit` runs on its own".into(),
        )),
    }
}
