//! `ceremony backup transport-key|export` and `ceremony restore`.

use std::path::PathBuf;

use ksr::env::Env;

use super::{Out, TokenArgs};
use crate::error::Result;
use crate::hsm::PinSource;
use crate::ops::backup::{
    self as op, ExportInput, RestoreInput, RestoreReport, TransportFate, TransportKeyInput,
    TransportKeyReport,
};
use crate::ops::Operation;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: BackupCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum BackupCommand {
    /// On the DESTINATION token: make a transport key and write its public half.
    TransportKey(TransportKeyArgs),
    /// On the SOURCE token: wrap a key to a confirmed transport key.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct TransportKeyArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Label of the transport key pair.
    #[arg(long, default_value = "ceremony-transport")]
    pub label: String,
    /// Where to write the transport public key (JSON).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing regular file at --out (never anything else).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// File holding the security officer PIN of the source token, which marks the
    /// transport key trusted for this session (else a prompt without echo).
    #[arg(long)]
    pub so_pin_file: Option<PathBuf>,
    /// Label of the key to back up.
    #[arg(long)]
    pub label: String,
    /// Transport key file written by `backup transport-key` on the destination.
    #[arg(long)]
    pub transport: PathBuf,
    /// The transport key's fingerprint in hex, as `backup transport-key` printed
    /// it on the destination (the SHA-256 of the public key, not of the file).
    /// Without it the fingerprint is shown and typed back (hex, all words, or
    /// the 16 words at positions picked at the prompt).
    #[arg(long)]
    pub expect_transport_sha256: Option<String>,
    /// Where to write the backup (wrapped key and public data, JSON).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing regular file at --out (never anything else).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Backup file written by `backup export`.
    #[arg(long)]
    pub backup: PathBuf,
    /// Label on this token (default: the backed-up label).
    #[arg(long)]
    pub label: Option<String>,
    /// Zone of the test RRset the restored key signs.
    #[arg(long, default_value = ".")]
    pub zone: String,
    /// Inception of the test signature (default 2020-01-01T00:00:00Z).
    #[arg(long)]
    pub at: Option<String>,
    /// Keep the transport key after this restore (more keys wrapped to it follow);
    /// by default it is destroyed so the backup file cannot be opened again.
    #[arg(long)]
    pub keep_transport: bool,
}

impl RestoreArgs {
    pub(super) fn input(self, env: &dyn Env) -> Result<RestoreInput> {
        Ok(RestoreInput {
            at: super::keys::proof_at(self.at.as_deref())?,
            token: self.token.spec(env),
            backup: self.backup,
            label: self.label,
            zone: self.zone,
            keep_transport: self.keep_transport,
        })
    }
}

pub(super) enum Job {
    TransportKey(TransportKeyInput),
    Export(ExportInput),
    Restore(RestoreInput),
}

pub(super) fn prepare(a: BackupArgs, env: &dyn Env) -> Job {
    match a.command {
        BackupCommand::TransportKey(t) => Job::TransportKey(TransportKeyInput {
            token: t.token.spec(env),
            label: t.label,
            out: t.out,
            force: t.force,
        }),
        BackupCommand::Export(e) => Job::Export(ExportInput {
            token: e.token.spec(env),
            so_pin: PinSource::from_file(e.so_pin_file),
            label: e.label,
            transport: e.transport,
            expect_transport_sha256: e.expect_transport_sha256,
            out: e.out,
            force: e.force,
        }),
    }
}

impl Job {
    pub(super) fn operation(&self) -> Operation {
        match self {
            Job::TransportKey(i) => i.operation(),
            Job::Export(i) => i.operation(),
            Job::Restore(i) => i.operation(),
        }
    }

    pub(super) fn run(self, out: &Out) -> Result<()> {
        let prompter = out.env.prompter();
        match self {
            Job::TransportKey(i) => out.report(&op::transport_key(&i, prompter)?, render_transport),
            Job::Export(i) => out.report(&op::export(&i, prompter)?, |r| {
                format!(
                    "key {:?} wrapped to transport key {:?} (SHA-256 {}) and written to {}\n",
                    r.label,
                    r.transport_label,
                    r.transport_sha256,
                    r.out.display()
                )
            }),
            Job::Restore(i) => out.report(&op::restore(&i, prompter)?, render_restore),
        }
    }
}

fn render_transport(r: &TransportKeyReport) -> String {
    let digest = hex::decode(&r.sha256).expect("hex we wrote");
    format!(
        "transport key {:?} on token {:?} written to {}\n\
         Read this fingerprint to the officer at the source token:\n{}",
        r.label,
        r.token,
        r.out.display(),
        ksr::digest::read_aloud(&digest)
    )
}

fn render_restore(r: &RestoreReport) -> String {
    let mut o = super::keys::render_key(&r.key, "restored", "onto");
    if r.already_restored {
        o.push_str("the key was on the token already (an earlier restore of this backup stopped after unwrapping it); proven now\n");
    }
    o.push_str(&match &r.transport {
        TransportFate::Kept => {
            "transport key kept (--keep-transport): destroy it when the last key is restored\n"
                .to_string()
        }
        TransportFate::Gone => {
            "the transport key is gone already: this backup file can no longer be restored anywhere\n"
                .to_string()
        }
        TransportFate::Destroyed(t) => format!(
            "transport key {t:?} destroyed: this backup file can no longer be restored anywhere\n"
        ),
    });
    o
}
