//! The command line: argument types and dispatch. Exit codes: 0 nothing failed,
//! 1 a check failed, 2 unusable input or usage.

mod hash;
mod inspect;
mod verify;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub const EXIT_OK: i32 = 0;
pub const EXIT_CHECK_FAILED: i32 = 1;
pub const EXIT_UNUSABLE: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "ksr",
    version,
    about = "Inspect, verify and hash DNSSEC KSR/SKR files (IANA XML)"
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
    Verify {
        file: PathBuf,
        /// The SKR that precedes this KSR/SKR (chain, id, bundle-id and safety checks).
        #[arg(long, value_name = "FILE")]
        previous_skr: Option<PathBuf>,
        /// Operator policy (TOML); default: the root zone's (`ksr policy show`).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Time for time-dependent checks: RFC 3339 or YYYY-MM-DD (default: now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The schema an SKR must follow (default: infer it and report which matched).
        #[arg(long, value_name = "NAME")]
        schema: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Refuse input larger than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = ksr::xml::DEFAULT_MAX_SIZE)]
        max_size: usize,
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

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print a policy as TOML: the built-in default (the root zone's), or FILE as read.
    Show {
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
        Command::Verify {
            file,
            previous_skr,
            policy,
            at,
            schema,
            json,
            max_size,
        } => verify::run(verify::Args {
            file,
            previous_skr,
            policy,
            at,
            schema,
            json,
            max_size,
        }),
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
    print!("{}", policy.to_toml());
    Ok(EXIT_OK)
}

/// Parses a KSR/SKR file; the error is the parser's `FILE:LINE: element: message`.
pub(crate) fn load(path: &std::path::Path, max_size: usize) -> Result<ksr::Document, String> {
    let options = ksr::xml::ParseOptions { max_size };
    ksr::xml::parse_file(path, &options).map_err(|e| e.to_string())
}
