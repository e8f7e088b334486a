//! The `ksr` command line as a library: [`run`] parses the arguments, runs the
//! command on an [`Env`] and returns the exit code (0 nothing failed, 1 a
//! check failed, 2 unusable input or usage). `main` is one line around it;
//! tests run the same path on a `FakeEnv`.

mod convert;
mod export;
mod hash;
mod inspect;
mod policy;
mod verify;

use crate::env::{self, exit, Env};
use crate::error::{Error, Result};
use crate::escape::terminal;
use crate::format::Format;
use crate::model::{Seconds, Time};
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

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
        #[arg(long, value_name = "BYTES", default_value_t = crate::xml::DEFAULT_MAX_SIZE)]
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
        #[arg(long, value_name = "knot|bind", value_parser = parse_dialect)]
        dialect: Format,
        /// Write here (atomically, verified before the rename); default: stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace FILE if it exists (only ever a regular file).
        #[arg(long, requires = "out")]
        force: bool,
        #[command(flatten)]
        checks: CheckArgs,
    },
    /// Convert a KSR or SKR to another format, or an SKR to zone-file fragments
    /// (one per bundle, headed by its validity window). Refuses (exit 2) what
    /// the target cannot express; never drops a record.
    Convert {
        /// IANA XML or the Knot/BIND text dialect.
        file: PathBuf,
        /// iana, knot, bind or zone.
        #[arg(long, value_name = "iana|knot|bind|zone", value_parser = parse_target)]
        to: crate::convert::Target,
        /// Write here (atomically, checked before the rename); default: stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing regular file at --out.
        #[arg(long, requires = "out")]
        force: bool,
        /// Refuse input larger than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = crate::xml::DEFAULT_MAX_SIZE)]
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
    /// Importer: a trusted KSK by the parent's DS record, e.g.
    /// `example. 3600 IN DS 12345 13 2 ABCD...` or `12345 13 2 ABCD...`; repeatable (SKR-KSK-PINNED).
    #[arg(long = "ds", value_name = "RR")]
    pub ds: Vec<String>,
    /// Importer: trusted KSKs from a root-anchors.xml-style file (RFC 9718) (SKR-KSK-PINNED).
    #[arg(long, value_name = "FILE")]
    pub trust_anchor: Option<PathBuf>,
    /// Importer: least time a signature must outlive the next bundle's inception
    /// (`P1D` or `1d`; default: the policy's signatures.min_remaining, P1D) (SKR-SIG-WINDOW).
    #[arg(long, value_name = "DURATION")]
    pub min_remaining: Option<String>,
    /// Refuse input larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::xml::DEFAULT_MAX_SIZE)]
    pub max_size: usize,
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

fn parse_dialect(s: &str) -> std::result::Result<Format, String> {
    Format::from_dialect_name(s).ok_or_else(|| format!("{s:?}: the dialect is knot or bind"))
}

fn parse_target(s: &str) -> std::result::Result<crate::convert::Target, String> {
    crate::convert::Target::from_name(s)
        .ok_or_else(|| format!("{s:?}: the target is iana, knot, bind or zone"))
}

/// Runs `ksr` with `args` (the program name first) on `env`; returns the exit code.
pub fn run<I, T>(args: I, env: &dyn Env) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(env, &e),
    };
    let result = match cli.command {
        Command::Inspect {
            file,
            json,
            max_size,
        } => inspect::run(env, &file, json, max_size),
        Command::Verify { file, checks, json } => verify::run(env, &file, &checks, json),
        // The commands that write files stop cleanly on SIGINT/SIGTERM.
        Command::Export {
            file,
            dialect,
            out,
            force,
            checks,
        } => crate::signals::stop_cleanly(
            "ksr",
            env,
            |_, _| None,
            || export::run(env, &file, dialect, out.as_deref(), force, &checks),
        ),
        Command::Convert {
            file,
            to,
            out,
            force,
            max_size,
        } => crate::signals::stop_cleanly(
            "ksr",
            env,
            |_, _| None,
            || convert::run(env, &file, to, out.as_deref(), force, max_size),
        ),
        Command::Hash { files } => hash::run(env, &files),
        Command::Policy {
            command: PolicyCommand::Show { policy },
        } => policy::show(env, policy.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => report(env, &e),
    }
}

/// The one place an error becomes a message and an exit code.
fn report(env: &dyn Env, e: &Error) -> i32 {
    match e {
        Error::Stdout(io) => env::output_failed(env, "ksr", io),
        other => {
            env::eprint(env, &format!("ksr: {}\n", terminal(&other.to_string())));
            other.exit_code()
        }
    }
}

/// `--help` and `--version` go to stdout (exit 0); usage errors to stderr (exit 2).
fn clap_error(env: &dyn Env, e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    let text = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => match env::print(env, &text) {
            Ok(()) => exit::OK,
            Err(io) => env::output_failed(env, "ksr", &io),
        },
        _ => {
            env::eprint(env, &text);
            exit::UNUSABLE
        }
    }
}

/// Writes the command's output to the env's stdout.
pub(crate) fn print(env: &dyn Env, text: &str) -> Result<()> {
    env::print(env, text).map_err(Error::Stdout)
}

/// Writes bytes (an export) to the env's stdout.
pub(crate) fn print_bytes(env: &dyn Env, bytes: &[u8]) -> Result<()> {
    let mut out = env.stdout();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(Error::Stdout)
}

/// `--at`, else the env's clock; and whether `--at` was given.
/// Prepares `--out` (when given) before any reading or work: refuses what it
/// may not replace, checks room for twice `input`'s size, and reports the temp
/// files of killed runs it swept.
pub(crate) fn prepare_out(
    env: &dyn Env,
    out: Option<&std::path::Path>,
    input: &std::path::Path,
    force: bool,
) -> Result<Option<crate::output::Target>> {
    let Some(path) = out else { return Ok(None) };
    let size = std::fs::metadata(input).map(|m| m.len()).unwrap_or(0);
    let need = crate::output::MIN_ROOM.max(size.saturating_mul(2));
    let target = crate::output::Target::prepare_with_room(path, force, need)?;
    for stale in target.swept() {
        env::eprint(
            env,
            &format!(
                "ksr: removed stale temp file {} (left by a run that was killed)\n",
                terminal(&stale.display().to_string())
            ),
        );
    }
    Ok(Some(target))
}

pub(crate) fn time_of(env: &dyn Env, at: Option<&str>) -> Result<(Time, bool)> {
    match at {
        Some(s) => crate::timefmt::parse_at(s)
            .map(|t| (t, true))
            .map_err(|e| Error::Usage(format!("--at {s:?}: {e}"))),
        None => Ok((env.now(), false)),
    }
}

/// `--min-remaining` in `P1D` or `1d` form; never negative.
pub(crate) fn min_remaining(s: Option<&str>) -> Result<Option<Seconds>> {
    let Some(s) = s else { return Ok(None) };
    let d = crate::timefmt::parse_duration(s)
        .map_err(|e| Error::Usage(format!("--min-remaining {s:?}: not a duration: {e}")))?;
    if d < 0 {
        return Err(Error::Usage(format!("--min-remaining {s:?} is negative")));
    }
    Ok(Some(d))
}
