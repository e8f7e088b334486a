//! `sign-ksr`, `request`, `trust-anchor`: typed inputs over `crate::sign`, which
//! does the work.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ksr::env::Prompter;
use ksr::model::{flags, Time};
use ksr::policy::Policy;
use ksr::xml;
use serde::Serialize;

use super::operation::Operation;
use crate::audit::FileRef;
use crate::error::{Error, Result};
use crate::hsm::{PinSource, Token, TokenSpec};
use crate::keystore::KeyStore;
use crate::sign::{pipeline, request as req, trust_anchor as ta};

fn load_policy(path: Option<&Path>) -> Result<Policy> {
    match path {
        Some(p) => Policy::from_toml_file(p).map_err(Error::Input),
        None => Ok(Policy::root()),
    }
}

/// A key is generated for one role (the flags it publishes with); using a ZSK as a
/// KSK or the other way round is an officer's mistake to stop before signing.
fn require_role(token: &Token, label: &str, want: u16, flag: &str) -> Result<()> {
    let info = token.key(label)?;
    if info.flags & flags::SEP != want & flags::SEP {
        let (is, should) = if want & flags::SEP != 0 {
            ("a ZSK", "a KSK")
        } else {
            ("a KSK", "a ZSK")
        };
        return Err(Error::Input(format!(
            "key {label:?} on the token was generated as {is} (flags {}); {flag} needs {should}",
            info.flags
        )));
    }
    Ok(())
}

/// Check a KSR and sign it into an SKR.
#[derive(Debug, Clone)]
pub struct SignKsrInput {
    pub token: TokenSpec,
    pub ksr: PathBuf,
    pub out: PathBuf,
    pub ksk_current: String,
    pub ksk_next: Option<String>,
    pub schema: String,
    pub previous_skr: Option<PathBuf>,
    /// Operator policy (TOML); `None`: the root zone's.
    pub policy: Option<PathBuf>,
    /// The time checks are evaluated at.
    pub at: Time,
    /// The KSR's SHA-256 in hex; else confirmed at the prompter.
    pub expect_sha256: Option<String>,
    /// Largest KSR accepted, in bytes.
    pub max_size: usize,
    /// The SKR's format; `None`: the KSR's.
    pub dialect: Option<ksr::format::Format>,
    /// Add CDS and CDNSKEY RRsets with their RRSIGs (text SKRs only).
    pub cds: bool,
    /// PKCS#11 sessions that sign at once; `None`: one per core.
    pub sessions: Option<usize>,
    /// The officers state there is no previous SKR: the chain is not checked.
    /// Without it, `previous_skr` is required.
    pub first_in_chain: bool,
    /// Replace an existing regular file at `out`.
    pub force: bool,
    /// The input files, read once (on first use): the audit record hashes,
    /// and the pipeline checks and signs, these very bytes. Clones share them.
    pub read: Arc<OnceLock<SignFiles>>,
}

/// An input file as read once: its bytes, or why it could not be read.
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub path: PathBuf,
    pub bytes: std::result::Result<Arc<Vec<u8>>, String>,
}

impl ReadFile {
    /// Reads at most `max` bytes of `path` (ksr's capped reader), once.
    fn read(path: &Path, max: usize) -> ReadFile {
        let options = xml::ParseOptions { max_size: max };
        ReadFile {
            path: path.to_path_buf(),
            bytes: xml::read_limited(path, &options)
                .map(Arc::new)
                .map_err(|e| e.to_string()),
        }
    }

    /// The bytes, or the read error as unusable input.
    pub fn bytes(&self) -> Result<Arc<Vec<u8>>> {
        self.bytes.clone().map_err(Error::Input)
    }

    /// The audit log's reference to this file: the SHA-256 of the bytes read.
    pub fn file_ref(&self, role: &str) -> FileRef {
        let (sha256, error) = match &self.bytes {
            Ok(b) => (Some(hex::encode(ksr::digest::sha256(b))), None),
            Err(e) => (None, Some(e.clone())),
        };
        FileRef {
            role: role.into(),
            path: self.path.display().to_string(),
            sha256,
            error,
        }
    }
}

/// The files `sign-ksr` reads, each read once.
#[derive(Debug, Clone)]
pub struct SignFiles {
    pub ksr: ReadFile,
    pub previous_skr: Option<ReadFile>,
    pub policy: Option<ReadFile>,
}

impl SignKsrInput {
    /// The input files, read on the first call; every later call (and the
    /// pipeline) gets the same bytes.
    pub fn files(&self) -> &SignFiles {
        self.read.get_or_init(|| SignFiles {
            ksr: ReadFile::read(&self.ksr, self.max_size),
            // An SKR is a few times the size of its KSR.
            previous_skr: self.previous_skr.as_deref().map(|p| {
                ReadFile::read(
                    p,
                    self.max_size.max(xml::DEFAULT_MAX_SIZE).saturating_mul(4),
                )
            }),
            policy: self
                .policy
                .as_deref()
                .map(|p| ReadFile::read(p, xml::DEFAULT_MAX_SIZE)),
        })
    }

    pub fn operation(&self) -> Operation {
        let files = self.files();
        let mut read = vec![files.ksr.file_ref("ksr")];
        read.extend(
            files
                .previous_skr
                .as_ref()
                .map(|f| f.file_ref("previous-skr")),
        );
        read.extend(files.policy.as_ref().map(|f| f.file_ref("policy")));
        Operation::SignKsr {
            on: self.token.usage(),
            ksk_current: self.ksk_current.clone(),
            ksk_next: self.ksk_next.clone(),
            ksr: self.ksr.clone(),
            previous_skr: self.previous_skr.clone(),
            first_in_chain: self.first_in_chain,
            policy: self.policy.clone(),
            out: self.out.clone(),
            read,
        }
    }

    /// Issue 11 item 12: the chain is checked unless the officers state that
    /// this is the first SKR of the chain. Neither, or both, is a usage error.
    pub fn check_chain_choice(&self) -> Result<()> {
        match (&self.previous_skr, self.first_in_chain) {
            (None, false) => Err(Error::Input(
                "sign-ksr needs the previous ceremony's SKR to check the chain: give \
                 --previous-skr FILE, or, if this KSK has never signed an SKR before, state \
                 it with --first-in-chain (the chain checks are then not run, and the log \
                 and the report say so)"
                    .into(),
            )),
            (Some(p), true) => Err(Error::Input(format!(
                "--first-in-chain and --previous-skr {} contradict each other; give one",
                p.display()
            ))),
            _ => Ok(()),
        }
    }
}

/// What the report says about the chain.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Chain {
    /// Checked against this previous SKR.
    Checked { previous_skr: PathBuf },
    /// The officers stated `--first-in-chain`: not checked.
    FirstInChain,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignKsrReport {
    pub ksr: PathBuf,
    pub out: PathBuf,
    /// SHA-256 of the KSR signed (the bytes checked and confirmed), hex.
    pub ksr_sha256: String,
    /// SHA-256 of the SKR written, hex.
    pub skr_sha256: String,
    pub bundles: usize,
    pub signatures: usize,
    pub chain: Chain,
}

/// The line every output carries when the chain was not checked.
pub const CHAIN_NOT_CHECKED: &str = "WARNING: --first-in-chain: the chain was NOT checked \
     (no previous SKR: KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP, KSR-POLICY-SAFETY and \
     KSR-CHAIN-KEYS-HSM did not run)";

/// Runs the whole `sign-ksr` pipeline (`crate::sign::pipeline`); its check
/// reports, hashes and progress go to `log` as they happen.
pub fn sign_ksr(
    input: &SignKsrInput,
    prompter: &dyn Prompter,
    log: &mut dyn Write,
) -> Result<SignKsrReport> {
    input.check_chain_choice()?;
    let files = input.files();
    let ksr_bytes = files.ksr.bytes()?;
    let previous_skr_bytes = match &files.previous_skr {
        Some(f) => Some(f.bytes()?),
        None => None,
    };
    let policy = match &files.policy {
        Some(f) => {
            let bytes = f.bytes()?;
            let text = std::str::from_utf8(&bytes).map_err(|e| {
                Error::Input(format!(
                    "{}: cannot read policy: not UTF-8: {e}",
                    f.path.display()
                ))
            })?;
            Policy::from_toml_str(text, &f.path.display().to_string()).map_err(Error::Input)?
        }
        None => Policy::root(),
    };
    let opts = pipeline::SignOptions {
        ksr: input.ksr.clone(),
        out: input.out.clone(),
        ksk_current: input.ksk_current.clone(),
        ksk_next: input.ksk_next.clone(),
        schema: input.schema.clone(),
        previous_skr: input.previous_skr.clone(),
        policy,
        at: input.at,
        max_size: input.max_size,
        dialect: input.dialect,
        cds: input.cds,
        sessions: input.sessions,
        force: input.force,
        // With a PIN file nobody is asked anything while the token starts up.
        open_during_checks: matches!(input.token.pin, PinSource::File(_))
            && ksr_bytes.len() >= pipeline::OPEN_DURING_FROM,
        ksr_bytes: Some(ksr_bytes.clone()),
        previous_skr_bytes,
    };
    if input.first_in_chain {
        writeln!(log, "{CHAIN_NOT_CHECKED}").map_err(|e| Error::Io(format!("output: {e}")))?;
    }
    let ksk_labels: Vec<&String> = std::iter::once(&input.ksk_current)
        .chain(&input.ksk_next)
        .collect();
    let open = || {
        let t = input.token.open(prompter)?;
        for l in &ksk_labels {
            require_role(&t, l, flags::KSK, "--ksk-current/--ksk-next")?;
        }
        Ok(t)
    };
    let signed =
        super::confirm::with_confirmation(input.expect_sha256.as_deref(), prompter, |how| {
            pipeline::sign_ksr(&opts, open, how, log)
        })?;
    Ok(SignKsrReport {
        ksr: input.ksr.clone(),
        out: input.out.clone(),
        ksr_sha256: hex::encode(signed.ksr_sha256),
        skr_sha256: hex::encode(signed.skr_sha256),
        bundles: signed.bundles,
        signatures: signed.signatures,
        chain: match &input.previous_skr {
            Some(p) => Chain::Checked {
                previous_skr: p.clone(),
            },
            None => Chain::FirstInChain,
        },
    })
}

/// Build a KSR from ZSKs on a token.
#[derive(Debug, Clone)]
pub struct RequestInput {
    pub token: TokenSpec,
    pub zone: String,
    /// ZSK labels, oldest first (1 to 3).
    pub zsks: Vec<String>,
    pub from: Time,
    pub to: Time,
    pub policy: Option<PathBuf>,
    pub serial: u64,
    pub out: PathBuf,
    /// Replace an existing regular file at `out`.
    pub force: bool,
}

impl RequestInput {
    pub fn operation(&self) -> Operation {
        Operation::Request {
            on: self.token.usage(),
            zsks: self.zsks.clone(),
            policy: self.policy.clone(),
            out: self.out.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestReport {
    pub out: PathBuf,
    pub zone: String,
    pub bundles: usize,
    /// SHA-256 of the KSR written, hex.
    pub sha256: String,
}

pub fn request(input: &RequestInput, prompter: &dyn Prompter) -> Result<RequestReport> {
    let policy = load_policy(input.policy.as_deref())?;
    let plan = req::RequestPlan {
        zone: super::zone("--zone", &input.zone)?,
        zsks: input.zsks.clone(),
        from: input.from,
        to: input.to,
        serial: input.serial,
    };
    let target = crate::file::prepare("--out", &input.out, input.force, 0)?;
    let mut token = input.token.open(prompter)?;
    for z in &plan.zsks {
        require_role(&token, z, flags::ZSK, "--zsk")?;
    }
    let doc = req::build(&plan, &policy, &mut token)?;
    drop(token);
    let bytes = xml::write(&doc);
    let limit = bytes.len().max(xml::DEFAULT_MAX_SIZE);
    crate::file::write_target(target, &bytes, |tmp| {
        let again = xml::parse_file(tmp, &xml::ParseOptions { max_size: limit })
            .map_err(|e| Error::CheckFailed(format!("the written KSR does not re-parse: {e}")))?;
        if again != doc {
            return Err(Error::CheckFailed(
                "the written KSR re-parses to different content".into(),
            ));
        }
        Ok(())
    })?;
    Ok(RequestReport {
        out: input.out.clone(),
        zone: doc.domain.clone(),
        bundles: doc.bundles.len(),
        sha256: hex::encode(ksr::digest::sha256(&bytes)),
    })
}

/// RFC 9718 trust-anchor XML and DS records for a KSK.
#[derive(Debug, Clone)]
pub struct TrustAnchorInput {
    pub token: TokenSpec,
    pub ksk: String,
    pub zone: String,
    pub valid_from: Time,
    /// `source` attribute of the TrustAnchor element.
    pub source: Option<String>,
    /// Where to write the XML; `None`: it goes into the report.
    pub out: Option<PathBuf>,
    /// Replace an existing regular file at `out`.
    pub force: bool,
}

impl TrustAnchorInput {
    pub fn operation(&self) -> Operation {
        Operation::TrustAnchor {
            on: self.token.usage(),
            ksk: self.ksk.clone(),
            out: self.out.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TrustAnchorReport {
    pub zone: String,
    pub key_tag: u16,
    /// Where the XML was written, if it was.
    pub out: Option<PathBuf>,
    /// The XML document.
    pub xml: String,
    /// DS records in zone-file form, one per digest type.
    pub ds_records: String,
}

pub fn trust_anchor(
    input: &TrustAnchorInput,
    prompter: &dyn Prompter,
) -> Result<TrustAnchorReport> {
    let zone = super::zone("--zone", &input.zone)?;
    if let Some(source) = &input.source {
        ta::printable("--source", source)?;
    }
    let target = match &input.out {
        Some(path) => Some(crate::file::prepare("--out", path, input.force, 0)?),
        None => None,
    };
    let mut token = input.token.open(prompter)?;
    require_role(&token, &input.ksk, flags::KSK, "--ksk")?;
    let pk = token.public_key(&input.ksk)?;
    drop(token);
    let key = crate::sign::dnskey(&pk, flags::KSK, 0);
    // The label becomes the KeyDigest's id (a key made by another tool may
    // have any label).
    ta::printable("the KSK's label", &key.key_identifier)?;
    let doc = ta::xml(&zone, &key, input.valid_from, input.source.as_deref())?;
    let ds = ta::ds_records(&zone, &key)?;
    if let Some(target) = target {
        crate::file::write_target(target, doc.as_bytes(), |tmp| {
            ta::check_written(tmp, &zone, &key, input.valid_from)
        })?;
    }
    Ok(TrustAnchorReport {
        zone,
        key_tag: key.key_tag,
        out: input.out.clone(),
        xml: doc,
        ds_records: ds,
    })
}
