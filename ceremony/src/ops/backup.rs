//! `backup transport-key`, `backup export` and `restore`: moving a key to a
//! second token, only ever wrapped (the scheme and its threat model are in
//! `hsm::backup` and `docs/hsm.md`).

use std::path::PathBuf;

use ksr::env::Prompter;
use ksr::model::Time;
use serde::Serialize;

use super::operation::Operation;
use super::report::{KeyEntry, ProofReport};
use crate::error::{Error, Result};
use crate::hsm::backup::{self, BackupFile, TransportFile};
use crate::hsm::pin::{self, PinSource};
use crate::hsm::{proof, TokenSpec};
use crate::sign::confirm::Subject;

/// On the destination token: make a transport key and write its public half.
#[derive(Debug, Clone)]
pub struct TransportKeyInput {
    pub token: TokenSpec,
    pub label: String,
    pub out: PathBuf,
    /// Replace an existing regular file at `out`.
    pub force: bool,
}

impl TransportKeyInput {
    pub fn operation(&self) -> Operation {
        Operation::BackupTransportKey {
            on: self.token.usage(),
            label: self.label.clone(),
            out: self.out.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TransportKeyReport {
    pub token: String,
    pub label: String,
    pub out: PathBuf,
    /// SHA-256 of the transport public key, hex: read aloud to the source.
    pub sha256: String,
}

pub fn transport_key(
    input: &TransportKeyInput,
    prompter: &dyn Prompter,
) -> Result<TransportKeyReport> {
    let target = crate::file::prepare("--out", &input.out, input.force, 0)?;
    let token = input.token.open(prompter)?;
    let file = backup::create_transport_key(&token, &input.label)?;
    // A transport key nobody can read the public half of is useless: no file, no key.
    if let Err(e) = super::write_json(target, &file) {
        let made = format!("the new transport key pair {:?}", input.label);
        let handles = match token.key(&input.label) {
            Ok(k) => vec![k.private, k.public],
            Err(_) => Vec::new(),
        };
        let cleanup = token
            .undo(&handles, &made, &input.label)
            .unwrap_or_else(|left| left);
        return Err(e.undone("writing the transport key file", cleanup));
    }
    Ok(TransportKeyReport {
        token: file.token,
        label: file.label,
        out: input.out.clone(),
        sha256: file.sha256,
    })
}

/// On the source token: wrap a key to a confirmed transport key.
#[derive(Debug, Clone)]
pub struct ExportInput {
    pub token: TokenSpec,
    /// The source token's security officer PIN (marks the transport key trusted).
    pub so_pin: PinSource,
    pub label: String,
    pub transport: PathBuf,
    /// The transport key's SHA-256 as read at the destination; else typed back.
    pub expect_transport_sha256: Option<String>,
    pub out: PathBuf,
    /// Replace an existing regular file at `out`.
    pub force: bool,
}

impl ExportInput {
    pub fn operation(&self) -> Operation {
        Operation::BackupExport {
            on: self.token.usage(),
            so_pin: self.so_pin.kind(),
            label: self.label.clone(),
            transport: self.transport.clone(),
            out: self.out.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub label: String,
    pub transport_label: String,
    pub transport_sha256: String,
    pub out: PathBuf,
}

pub fn export(input: &ExportInput, prompter: &dyn Prompter) -> Result<ExportReport> {
    let target = crate::file::prepare("--out", &input.out, input.force, 0)?;
    let transport: TransportFile = super::read_json(&input.transport)?;
    let field = transport.validate(&input.transport)?;
    let digest = backup::fingerprint(&field);
    // The officer at the source confirms the transport key is the destination's
    // before any PIN is asked for.
    let file = input.transport.display().to_string();
    let subject = Subject {
        check: "TRANSPORT-KEY-CONFIRM",
        flag: "--expect-transport-sha256",
        file: &file,
        // Not the file's own SHA-256: the file also holds a label and an id.
        digest_name: "the transport-key fingerprint (the SHA-256 of its public key, as `backup transport-key` printed it)",
        compare: "the transport key's fingerprint with the one read at the destination",
        mismatch: "this is not the destination's transport key",
        outcome: "nothing was exported",
    };
    super::confirm::confirm_digest(
        &subject,
        &digest,
        input.expect_transport_sha256.as_deref(),
        prompter,
    )?;
    let token = input.token.open_unauthenticated()?;
    let label = &input.token.token;
    let so = pin::read(&input.so_pin, pin::Role::SecurityOfficer, label, prompter)?;
    let user = pin::read(&input.token.pin, pin::Role::User, label, prompter)?;
    let file = backup::export(&token, &input.label, &transport, &field, &so, &user)?;
    super::write_json(target, &file)?;
    Ok(ExportReport {
        label: file.label,
        transport_label: transport.label,
        transport_sha256: hex::encode(digest),
        out: input.out.clone(),
    })
}

/// On the destination token: unwrap a backed-up key, prove it, retire the
/// transport key.
#[derive(Debug, Clone)]
pub struct RestoreInput {
    pub token: TokenSpec,
    pub backup: PathBuf,
    /// Label on this token (default: the backed-up label).
    pub label: Option<String>,
    /// Zone of the test RRset the restored key signs.
    pub zone: String,
    /// Inception of the test signature.
    pub at: Time,
    /// Keep the transport key (more keys wrapped to it follow).
    pub keep_transport: bool,
}

impl RestoreInput {
    pub fn operation(&self) -> Operation {
        Operation::Restore {
            on: self.token.usage(),
            label: self.label.clone(),
            backup: self.backup.clone(),
        }
    }
}

/// What became of the transport key after a restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransportFate {
    /// Kept on request; destroy it when the last key is restored.
    Kept,
    /// Destroyed (its label): the backup file can no longer be restored anywhere.
    Destroyed(String),
    /// Not on the token any more (an earlier restore destroyed it).
    Gone,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    #[serde(flatten)]
    pub key: super::keys::KeyReport,
    pub transport: TransportFate,
    /// The key was on the token already: an earlier restore of this backup
    /// stopped after unwrapping it, and this run proved it and finished.
    pub already_restored: bool,
}

/// The restore procedure: unwrap the key, prove it signs (removing it again if
/// it does not), then retire the transport key unless asked to keep it.
pub fn restore(input: &RestoreInput, prompter: &dyn Prompter) -> Result<RestoreReport> {
    let file: BackupFile = super::read_json(&input.backup)?;
    let label = input.label.clone().unwrap_or_else(|| file.label.clone());
    let zone = super::zone("--zone", &input.zone)?;
    let mut token = input.token.open(prompter)?;
    let earlier = backup::already_restored(&token, &file, &label, &input.backup)?;
    let already_restored = earlier.is_some();
    let restored = match earlier {
        Some(k) => k,
        None => backup::restore(&token, &file, &label, &input.backup)?,
    };
    let p = match proof::prove(&mut token, &label, &zone, restored.flags, input.at) {
        Ok(p) => p,
        // A key an earlier run restored is not this run's to remove.
        Err(err) if already_restored => return Err(err),
        Err(err) => {
            let cleanup = backup::remove(&token, &restored).unwrap_or_else(|left| {
                format!("{left}, or run the same restore again: it proves the key and finishes")
            });
            return Err(err.undone("proving the restored key signs", cleanup));
        }
    };
    let transport = if input.keep_transport {
        TransportFate::Kept
    } else {
        match backup::retire_transport(&token, &file) {
            Ok(t) => TransportFate::Destroyed(t),
            // An earlier run restored the key and retired the transport key too.
            Err(Error::KeyNotFound(_)) if already_restored => TransportFate::Gone,
            Err(e) => {
                return Err(e.undone(
                    "retiring the transport key",
                    format!(
                        "key {label:?} is restored and proven on token {:?}, but the transport \
                         key still opens this backup: run the same restore again to retire it",
                        token.label()
                    ),
                ))
            }
        }
    };
    Ok(RestoreReport {
        key: super::keys::KeyReport {
            token: token.label().to_string(),
            key: KeyEntry::new(&restored, &zone)?,
            zone,
            ttl: proof::TTL,
            proof: ProofReport::from(&p),
        },
        transport,
        already_restored,
    })
}
