//! The `ceremony` command line: parses arguments into the typed inputs of
//! `crate::ops`, runs the operation, and renders its report as text or, with
//! `--json`, as JSON on stdout. Subcommand argument structs and renderers live
//! beside each other: `cli::hsm`, `cli::keys`, `cli::backup`, `cli::sign`,
//! `cli::audit`.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use ksr::env::{exit, Env};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::hsm::{module, PinSource, TokenSpec};
use crate::ops::Operation;

pub mod audit;
pub mod backup;
pub mod ceremony_run;
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
    pub audit_log: Option<PathBuf>,
    /// Print the command's report as JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
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
    Backup(backup::BackupArgs),
    /// Unwrap a backed-up key onto a token and prove it signs.
    Restore(backup::RestoreArgs),
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
    /// Verify, show, report or repair an audit log (never itself recorded).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Run a scripted ceremony (records every step in --audit-log).
    Run(ceremony_run::RunArgs),
    /// Ceremony scripts.
    #[command(subcommand)]
    Script(ceremony_run::ScriptCommand),
}

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

impl TokenArgs {
    /// The library's token spec; the module path is resolved against `PKCS11_MODULE`.
    pub fn spec(&self, env: &dyn Env) -> TokenSpec {
        TokenSpec {
            module: module_path(self.module.as_deref(), env),
            token: self.token.clone(),
            pin: PinSource::from_file(self.pin_file.clone()),
        }
    }
}

/// `--module`, else `$PKCS11_MODULE` from the env, else the default module.
pub(crate) fn module_path(explicit: Option<&std::path::Path>, env: &dyn Env) -> PathBuf {
    module::resolve(explicit, env.var("PKCS11_MODULE").as_deref())
}

/// Parses a time option (`YYYY-MM-DD` or RFC 3339 UTC).
pub(crate) fn time_arg(flag: &str, s: &str) -> Result<ksr::model::Time> {
    ksr::timefmt::parse_at(s).map_err(|e| Error::Input(format!("{flag} {s:?}: {e}")))
}

/// Where a command's report goes: the env's stdout, as text or JSON.
pub struct Out<'a> {
    pub env: &'a dyn Env,
    pub json: bool,
}

impl Out<'_> {
    /// Writes `report` as JSON, or the text `render` makes of it.
    pub fn report<T: Serialize>(
        &self,
        report: &T,
        render: impl FnOnce(&T) -> String,
    ) -> Result<()> {
        let text = if self.json {
            let mut t = serde_json::to_string_pretty(report).expect("reports serialise");
            t.push('\n');
            t
        } else {
            render(report)
        };
        self.stdout(&text)
    }

    /// Writes `text` to stdout.
    pub fn stdout(&self, text: &str) -> Result<()> {
        ksr::env::print(self.env, text).map_err(Error::output)
    }

    /// Writes `text` to stderr (diagnostics, summaries for the room).
    pub fn stderr(&self, text: &str) {
        ksr::env::eprint(self.env, text);
    }
}

/// One parsed command, ready to run.
enum Job {
    Hsm(hsm::Job),
    Keys(keys::Job),
    Backup(backup::Job),
    Sign(sign::Job),
}

impl Job {
    fn operation(&self) -> Operation {
        match self {
            Job::Hsm(j) => j.operation(),
            Job::Keys(j) => j.operation(),
            Job::Backup(j) => j.operation(),
            Job::Sign(j) => j.operation(),
        }
    }

    fn run(self, out: &Out) -> Result<()> {
        match self {
            Job::Hsm(j) => j.run(out),
            Job::Keys(j) => j.run(out),
            Job::Backup(j) => j.run(out),
            Job::Sign(j) => j.run(out),
        }
    }
}

/// Typed inputs from the arguments; errors here are usage errors, before any
/// token or audit log is touched.
fn prepare(command: Command, env: &dyn Env) -> Result<Job> {
    Ok(match command {
        Command::Hsm(c) => Job::Hsm(hsm::prepare(c, env)?),
        Command::Keygen(a) => Job::Keys(keys::Job::Keygen(a.input(env)?)),
        Command::Inventory(a) => Job::Keys(keys::Job::Inventory(a.input(env))),
        Command::Delete(a) => Job::Keys(keys::Job::Delete(a.input(env))),
        Command::Prove(a) => Job::Keys(keys::Job::Prove(a.input(env)?)),
        Command::Backup(a) => Job::Backup(backup::prepare(a, env)),
        Command::Restore(a) => Job::Backup(backup::Job::Restore(a.input(env)?)),
        Command::SignKsr(a) => Job::Sign(sign::Job::SignKsr(a.input(env)?)),
        Command::Request(a) => Job::Sign(sign::Job::Request(a.input(env)?)),
        Command::TrustAnchor(a) => Job::Sign(sign::Job::TrustAnchor(a.input(env)?)),
        Command::Audit(_) | Command::Run(_) | Command::Script(_) => {
            unreachable!("audit, run and script commands run on their own")
        }
    })
}

/// Reports `e` on stderr (a closed stdout quietly) and returns its exit code.
pub(crate) fn fail(env: &dyn Env, e: &Error) -> i32 {
    if !matches!(e, Error::OutputClosed) {
        // Errors quote input files (names, ids, excerpts).
        let text = ksr::escape::lines(&e.to_string());
        ksr::env::eprint(env, &format!("ceremony: {text}\n"));
    }
    e.exit_code()
}

/// The exit code of a finished command.
pub(crate) fn finish(env: &dyn Env, result: Result<()>) -> i32 {
    match result {
        Ok(()) => exit::OK,
        Err(e) => fail(env, &e),
    }
}

/// Runs the command line `args` (the program name first) on `env`; returns the
/// process exit code.
pub fn run(args: impl IntoIterator<Item = impl Into<OsString> + Clone>, env: &dyn Env) -> i32 {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => return clap_error(env, &e),
    };
    let out = Out {
        env,
        json: cli.json,
    };
    if let Command::Audit(c) = cli.command {
        return audit::run(c, &out);
    }
    if let Command::Script(c) = cli.command {
        return ceremony_run::script_command(c, &out);
    }
    if let Command::Run(a) = cli.command {
        // A signal stops a scripted run cleanly too: temp files removed, the
        // terminal given back; `run --resume` records the open step as
        // `interrupted` when it opens the log, as after any crash.
        return crate::process::interrupt::stop_cleanly(
            env,
            |_, _| {
                crate::tui::terminal::restore_if_active();
                None
            },
            || ceremony_run::run(a, cli.audit_log, &out),
        );
    }
    let job = match prepare(cli.command, env) {
        Ok(j) => j,
        Err(e) => return fail(env, &e),
    };
    let op = job.operation();
    if let Some(log) = &cli.audit_log {
        for path in op.written_paths() {
            if let Err(e) = crate::file::refuse_audit_log("output", &path, log) {
                return fail(env, &e);
            }
        }
    }
    // Temp files of these outputs that a killed run (SIGKILL) left behind.
    for path in op.written_paths() {
        for stale in ksr::output::sweep_stale_temps(&path) {
            out.stderr(&format!(
                "ceremony: {}\n",
                ksr::escape::terminal(&crate::engine::sweep::message(&stale))
            ));
        }
    }
    match cli.audit_log {
        None => finish(
            env,
            crate::process::interrupt::stop_cleanly(env, |_, _| None, || job.run(&out)),
        ),
        // The log records `op` (the operation by meaning), never the raw
        // arguments: a PIN typed by mistake as an option's value stays out.
        Some(log) => {
            audit::run_audited(&out, &log, &pin_option_values(&args), &op, || job.run(&out))
        }
    }
}

/// The values given to options about PINs (`--pin-file X`, `--so-pin-file=X`):
/// if an officer typed the PIN itself there, error messages that name the
/// "file" carry it, so the audit log records them with these values redacted.
fn pin_option_values(args: &[OsString]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        let Some(opt) = a.strip_prefix("--") else {
            continue;
        };
        if !opt.to_ascii_lowercase().contains("pin") {
            continue;
        }
        match opt.split_once('=') {
            Some((_, v)) => out.push(v.to_string()),
            None => out.extend(it.next().map(|v| v.into_owned())),
        }
    }
    out
}

/// clap's own messages: help and version on stdout (exit 0), errors on stderr (exit 2).
fn clap_error(env: &dyn Env, e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    let text = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let mut o = env.stdout();
            match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
                Ok(()) => exit::OK,
                Err(e) => ksr::env::output_failed(env, "ceremony", &e),
            }
        }
        _ => {
            ksr::env::eprint(env, &text);
            exit::UNUSABLE
        }
    }
}
