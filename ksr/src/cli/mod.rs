//! The command line: argument types and dispatch. Exit codes: 0 nothing failed,
//! 1 a check failed, 2 unusable input or usage.

mod export;
mod hash;
mod inspect;
mod verify;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_OK: i32 = 0;
pub const EXIT_CHECK_FAILED: i32 = 1;
pub const EXIT_UNUSABLE: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "ksr",
    version,
    about = "Inspect, verify, export and hash DNSSEC KSR/SKR files (IANA XML, Knot/BIND text)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show kind, domain, id, serial and the bundle table of a KSR or SKR.
    Inspect {
        file: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Refuse input larger than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = ksr::xml::DEFAULT_MAX_SIZE)]
        max_size: usize,
    },
    /// Run every applicable named check; one line per check (PASS/FAIL/SKIP).
    /// FILE may be IANA XML or the Knot/BIND text dialect.
    Verify {
        file: PathBuf,
        #[command(flatten)]
        checks: CheckArgs,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Write an SKR in the Knot or BIND text dialect, after it passes the SKR
    /// checks (and the importer checks asked for); refuses it otherwise (exit 1).
    Export {
        /// The SKR: IANA XML or the text dialect.
        file: PathBuf,
        /// Which signer will import it: header times as Unix seconds (knot) or YYYYMMDDhhmmss (bind).
        #[arg(long, value_enum)]
        dialect: Dialect,
        /// Write here (atomically, verified before the rename); default: stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// SHA-256 of each file in hex and as 32 PGP words, to read aloud and compare.
    Hash {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Operator policy commands.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

/// The options that choose and feed the checks (`verify` and `export`).
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The SKR that precedes this KSR/SKR (chain, id, bundle-id and safety checks).
    #[arg(long, value_name = "FILE")]
    pub previous_skr: Option<PathBuf>,
    /// Operator policy (TOML); default: the root zone's (`ksr policy show`).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Time for time-dependent checks: YYYY-MM-DD or RFC 3339 in UTC (default: now).
    /// On an SKR it also runs SKR-SIG-WINDOW at that time.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The schema an SKR must follow (default: infer it and report which matched).
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
    /// Importer: the KSR this SKR must answer exactly (SKR-MATCHES-KSR).
    #[arg(long, value_name = "KSR")]
    pub request: Option<PathBuf>,
    /// Importer: a trusted KSK by its (unrevoked) key tag; repeatable (SKR-KSK-PINNED).
    #[arg(long = "ksk-tag", value_name = "N")]
    pub ksk_tags: Vec<u16>,
    /// Importer: trusted KSKs from a root-anchors.xml-style file (RFC 9718) (SKR-KSK-PINNED).
    #[arg(long, value_name = "FILE")]
    pub trust_anchor: Option<PathBuf>,
    /// Importer: least time a signature must outlive the next bundle's inception
    /// (xsd:duration; default: the policy's signatures.min_remaining, P1D) (SKR-SIG-WINDOW).
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,
    /// Refuse input larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = ksr::xml::DEFAULT_MAX_SIZE)]
    pub max_size: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dialect {
    Knot,
    Bind,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print a policy as TOML: the built-in default (the root zone's), or FILE as read.
    Show {
        /// Policy file (TOML) to print as read; default: the built-in one.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
}

/// Runs a command; returns the exit code. Errors go to stderr.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Inspect {
            file,
            json,
            max_size,
        } => inspect::run(&file, json, max_size),
        Command::Verify { file, checks, json } => verify::run(&file, &checks, json),
        Command::Export {
            file,
            dialect,
            out,
            checks,
        } => export::run(&file, dialect, out.as_deref(), &checks),
        Command::Hash { files } => hash::run(&files),
        Command::Policy {
            command: PolicyCommand::Show { policy },
        } => policy_show(policy.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("ksr: {message}");
            EXIT_UNUSABLE
        }
    }
}

fn policy_show(path: Option<&std::path::Path>) -> Result<i32, String> {
    let policy = match path {
        Some(p) => ksr::policy::Policy::from_toml_file(p)?,
        None => ksr::policy::Policy::root(),
    };
    write_stdout(&policy.to_toml())?;
    Ok(EXIT_OK)
}

/// Writes the command's output; a closed pipe or full disk is an error (exit 2),
/// not a panic.
pub(crate) fn write_stdout(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))
}

/// Parses a KSR/SKR file in IANA XML or the Knot/BIND text dialect (told apart
/// by content); the error is the parser's `FILE:LINE: element: message`.
pub(crate) fn load(
    path: &std::path::Path,
    max_size: usize,
) -> Result<(ksr::Document, ksr::format::Format), String> {
    let options = ksr::xml::ParseOptions { max_size };
    ksr::format::read_file(path, &options).map_err(|e| e.to_string())
}
