//! What an operation is and what it touches, named by the library rather than
//! by the command line: the audit log records its subject from here. Files are
//! named by role (their SHA-256 is taken when the record is written); PINs only
//! by where they came from (`file` or `prompt`), never their path or content.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::audit::{self, FileRef};
use crate::hsm::pin::PinKind;
use crate::hsm::TokenSpec;

/// The token an operation works on and how its user logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenUse {
    pub token: String,
    pub pin: PinKind,
}

impl TokenSpec {
    /// The token and PIN kind, as an [`Operation`] names them.
    pub fn usage(&self) -> TokenUse {
        TokenUse {
            token: self.token.clone(),
            pin: self.pin.kind(),
        }
    }
}

/// One ceremony operation and its meaningful inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "operation", rename_all = "kebab-case")]
pub enum Operation {
    HsmInit {
        token: String,
        softhsm: PathBuf,
        so_pin: PinKind,
        pin: PinKind,
    },
    HsmInfo {
        token: Option<String>,
        pin: Option<PinKind>,
    },
    Keygen {
        on: TokenUse,
        label: String,
    },
    Inventory {
        on: TokenUse,
    },
    BackupTransportKey {
        on: TokenUse,
        label: String,
        out: PathBuf,
    },
    BackupExport {
        on: TokenUse,
        so_pin: PinKind,
        label: String,
        transport: PathBuf,
        out: PathBuf,
    },
    Restore {
        on: TokenUse,
        label: Option<String>,
        backup: PathBuf,
    },
    Delete {
        on: TokenUse,
        label: String,
    },
    Prove {
        on: TokenUse,
        label: String,
    },
    SignKsr {
        on: TokenUse,
        ksk_current: String,
        ksk_next: Option<String>,
        ksr: PathBuf,
        previous_skr: Option<PathBuf>,
        /// The officers stated there is no previous SKR (the chain is not checked).
        first_in_chain: bool,
        policy: Option<PathBuf>,
        out: PathBuf,
        /// The inputs as read once, hashed from the bytes that are checked and
        /// signed (not by opening the paths again).
        #[serde(skip)]
        read: Vec<FileRef>,
    },
    Request {
        on: TokenUse,
        zsks: Vec<String>,
        policy: Option<PathBuf>,
        out: PathBuf,
    },
    TrustAnchor {
        on: TokenUse,
        ksk: String,
        out: Option<PathBuf>,
    },
    AuditVerify {
        file: PathBuf,
    },
    AuditShow {
        file: PathBuf,
    },
}

impl Operation {
    /// The command's name as the audit log and the command line spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::HsmInit { .. } => "hsm init",
            Operation::HsmInfo { .. } => "hsm info",
            Operation::Keygen { .. } => "keygen",
            Operation::Inventory { .. } => "inventory",
            Operation::BackupTransportKey { .. } => "backup transport-key",
            Operation::BackupExport { .. } => "backup export",
            Operation::Restore { .. } => "restore",
            Operation::Delete { .. } => "delete",
            Operation::Prove { .. } => "prove",
            Operation::SignKsr { .. } => "sign-ksr",
            Operation::Request { .. } => "request",
            Operation::TrustAnchor { .. } => "trust-anchor",
            Operation::AuditVerify { .. } => "audit verify",
            Operation::AuditShow { .. } => "audit show",
        }
    }

    /// The token label the operation works on, if any.
    pub fn token(&self) -> Option<&str> {
        match self {
            Operation::HsmInit { token, .. } => Some(token),
            Operation::HsmInfo { token, .. } => token.as_deref(),
            Operation::Keygen { on, .. }
            | Operation::Inventory { on }
            | Operation::BackupTransportKey { on, .. }
            | Operation::BackupExport { on, .. }
            | Operation::Restore { on, .. }
            | Operation::Delete { on, .. }
            | Operation::Prove { on, .. }
            | Operation::SignKsr { on, .. }
            | Operation::Request { on, .. }
            | Operation::TrustAnchor { on, .. } => Some(&on.token),
            Operation::AuditVerify { .. } | Operation::AuditShow { .. } => None,
        }
    }

    /// What the officers stated that the record must keep: `sign-ksr
    /// --first-in-chain` (the chain was not checked).
    pub fn note(&self) -> Option<String> {
        match self {
            Operation::SignKsr {
                first_in_chain: true,
                ..
            } => {
                Some("first in chain: no previous SKR was given, the chain was not checked".into())
            }
            _ => None,
        }
    }

    /// The key labels the operation names.
    pub fn keys(&self) -> Vec<String> {
        match self {
            Operation::Keygen { label, .. }
            | Operation::BackupTransportKey { label, .. }
            | Operation::BackupExport { label, .. }
            | Operation::Delete { label, .. }
            | Operation::Prove { label, .. } => vec![label.clone()],
            Operation::Restore { label, .. } => label.iter().cloned().collect(),
            Operation::SignKsr {
                ksk_current,
                ksk_next,
                ..
            } => std::iter::once(ksk_current.clone())
                .chain(ksk_next.clone())
                .collect(),
            Operation::Request { zsks, .. } => zsks.clone(),
            Operation::TrustAnchor { ksk, .. } => vec![ksk.clone()],
            _ => Vec::new(),
        }
    }

    /// Files the operation reads, by role. PIN files are never among them.
    pub fn inputs(&self) -> Vec<(&'static str, &Path)> {
        match self {
            Operation::BackupExport { transport, .. } => vec![("transport", transport)],
            Operation::Restore { backup, .. } => vec![("backup", backup)],
            Operation::SignKsr {
                ksr,
                previous_skr,
                policy,
                ..
            } => {
                let mut v = vec![("ksr", ksr.as_path())];
                v.extend(previous_skr.as_deref().map(|p| ("previous-skr", p)));
                v.extend(policy.as_deref().map(|p| ("policy", p)));
                v
            }
            Operation::Request { policy, .. } => policy
                .as_deref()
                .map(|p| ("policy", p))
                .into_iter()
                .collect(),
            Operation::AuditVerify { file } | Operation::AuditShow { file } => {
                vec![("audit-log", file)]
            }
            _ => Vec::new(),
        }
    }

    /// Files the operation writes, by role.
    pub fn outputs(&self) -> Vec<(&'static str, &Path)> {
        match self {
            Operation::BackupTransportKey { out, .. } => vec![("transport", out)],
            Operation::BackupExport { out, .. } => vec![("backup", out)],
            Operation::SignKsr { out, .. } => vec![("skr", out)],
            Operation::Request { out, .. } => vec![("ksr", out)],
            Operation::TrustAnchor { out, .. } => out
                .as_deref()
                .map(|p| ("trust-anchor", p))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Every file the operation writes through `ksr::output` (its outputs,
    /// and the `softhsm2.conf` of `hsm init`): where stale temp files of a
    /// killed run are swept before it runs.
    pub fn written_paths(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self.outputs().into_iter().map(|(_, p)| p.into()).collect();
        if let Operation::HsmInit { softhsm, .. } = self {
            v.push(softhsm.join("softhsm2.conf"));
        }
        v
    }

    /// The input files with their SHA-256 (for a `begin` record): of the
    /// bytes the operation read once where it did, else of the files now.
    pub fn input_refs(&self) -> Vec<FileRef> {
        if let Operation::SignKsr { read, .. } = self {
            if !read.is_empty() {
                return read.clone();
            }
        }
        self.inputs()
            .into_iter()
            .map(|(role, p)| audit::file_ref(role, p))
            .collect()
    }

    /// The output files that exist, with their SHA-256 now (for an `end` record).
    pub fn output_refs(&self) -> Vec<FileRef> {
        self.outputs()
            .into_iter()
            .filter(|(_, p)| p.exists())
            .map(|(role, p)| audit::file_ref(role, p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_files_by_role_and_pins_by_kind() {
        let op = Operation::SignKsr {
            on: TokenUse {
                token: "t".into(),
                pin: PinKind::File,
            },
            ksk_current: "a".into(),
            ksk_next: Some("b".into()),
            ksr: "k.xml".into(),
            previous_skr: None,
            first_in_chain: true,
            policy: Some("p.toml".into()),
            out: "s.xml".into(),
            read: Vec::new(),
        };
        assert_eq!(op.name(), "sign-ksr");
        assert_eq!(op.token(), Some("t"));
        assert_eq!(op.keys(), ["a", "b"]);
        assert_eq!(
            op.inputs(),
            [("ksr", Path::new("k.xml")), ("policy", Path::new("p.toml"))]
        );
        assert_eq!(op.outputs(), [("skr", Path::new("s.xml"))]);
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["operation"], "sign-ksr");
        assert_eq!(json["on"]["pin"], "file");
        assert_eq!(json["first_in_chain"], true);
        assert!(op.note().unwrap().contains("not checked"));
        // A file that cannot be read is named with the reason, never skipped.
        let refs = op.input_refs();
        assert!(refs[0].sha256.is_none() && refs[0].error.is_some());
        assert!(op.output_refs().is_empty(), "s.xml does not exist");
    }
}
