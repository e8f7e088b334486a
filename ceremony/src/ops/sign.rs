//! `sign-ksr`, `request`, `trust-anchor`: typed inputs over `crate::sign`, which
//! does the work.

use std::io::Write;
use std::path::{Path, PathBuf};

use ksr::env::Prompter;
use ksr::model::{flags, Time};
use ksr::policy::Policy;
use ksr::xml;
use serde::Serialize;

use super::operation::Operation;
use crate::error::{Error, Result};
use crate::hsm::{Token, TokenSpec};
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
}

impl SignKsrInput {
    pub fn operation(&self) -> Operation {
        Operation::SignKsr {
            on: self.token.usage(),
            ksk_current: self.ksk_current.clone(),
            ksk_next: self.ksk_next.clone(),
            ksr: self.ksr.clone(),
            previous_skr: self.previous_skr.clone(),
            policy: self.policy.clone(),
            out: self.out.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SignKsrReport {
    pub ksr: PathBuf,
    pub out: PathBuf,
    /// SHA-256 of the SKR written, hex.
    pub skr_sha256: String,
    pub bundles: usize,
    pub signatures: usize,
}

/// Runs the whole `sign-ksr` pipeline (`crate::sign::pipeline`); its check
/// reports, hashes and progress go to `log` as they happen.
pub fn sign_ksr(
    input: &SignKsrInput,
    prompter: &dyn Prompter,
    log: &mut dyn Write,
) -> Result<SignKsrReport> {
    let opts = pipeline::SignOptions {
        ksr: input.ksr.clone(),
        out: input.out.clone(),
        ksk_current: input.ksk_current.clone(),
        ksk_next: input.ksk_next.clone(),
        schema: input.schema.clone(),
        previous_skr: input.previous_skr.clone(),
        policy: load_policy(input.policy.as_deref())?,
        at: input.at,
        max_size: input.max_size,
    };
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
        skr_sha256: hex::encode(signed.skr_sha256),
        bundles: signed.bundles,
        signatures: signed.signatures,
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
    let mut token = input.token.open(prompter)?;
    for z in &plan.zsks {
        require_role(&token, z, flags::ZSK, "--zsk")?;
    }
    let doc = req::build(&plan, &policy, &mut token)?;
    drop(token);
    let bytes = xml::write(&doc);
    let limit = bytes.len().max(xml::DEFAULT_MAX_SIZE);
    crate::file::write_verified(&input.out, &bytes, |tmp| {
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
    let mut token = input.token.open(prompter)?;
    require_role(&token, &input.ksk, flags::KSK, "--ksk")?;
    let pk = token.public_key(&input.ksk)?;
    drop(token);
    let key = crate::sign::dnskey(&pk, flags::KSK, 0);
    let doc = ta::xml(&zone, &key, input.valid_from, input.source.as_deref())?;
    let ds = ta::ds_records(&zone, &key)?;
    if let Some(path) = &input.out {
        crate::file::write_atomically(path, doc.as_bytes())?;
    }
    Ok(TrustAnchorReport {
        zone,
        key_tag: key.key_tag,
        out: input.out.clone(),
        xml: doc,
        ds_records: ds,
    })
}
