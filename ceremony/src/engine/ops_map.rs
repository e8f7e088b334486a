//! Script operations onto `crate::ops`: a step's arguments, token and files
//! become the operation's typed input; its report becomes the step's result
//! (JSON for the audit record) and what the UI shows.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ksr::env::Prompter;
use ksr::model::Time;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::hsm::{Algorithm, KeySpec, PinSource, TokenSpec};
use crate::ops::{self, Operation};
use crate::script::{OpKind, TokenDecl};

/// Everything an operation step needs, `${vars}` already expanded.
pub(super) struct OpCtx<'a> {
    pub op: OpKind,
    pub module: PathBuf,
    pub zone: String,
    pub now: Time,
    pub token: &'a TokenDecl,
    pub args: BTreeMap<String, String>,
    /// Files by the operation's role for them.
    pub inputs: BTreeMap<String, PathBuf>,
    pub outputs: BTreeMap<String, PathBuf>,
    /// SHA-256 of input files a verify step compared with an out-of-band
    /// value, by the operation's role (`ksr`, `transport`): the operation then
    /// does not ask for the hash again.
    pub verified: BTreeMap<String, String>,
}

/// A prepared operation: what the audit log names, and the typed input.
pub(super) enum Job {
    Init(ops::hsm::InitInput),
    Login(ops::hsm::InfoInput),
    Keygen(ops::keys::KeygenInput),
    Inventory(ops::keys::InventoryInput),
    Prove(ops::keys::ProveInput),
    SignKsr(ops::sign::SignKsrInput),
    Request(ops::sign::RequestInput),
    TransportKey(ops::backup::TransportKeyInput),
    Backup(ops::backup::ExportInput),
    Restore(ops::backup::RestoreInput),
    TrustAnchor(ops::sign::TrustAnchorInput),
    Delete(ops::keys::DeleteInput),
}

fn pin(file: &Option<String>) -> PinSource {
    PinSource::from_file(file.as_ref().map(PathBuf::from))
}

impl OpCtx<'_> {
    fn arg(&self, k: &str) -> Option<&str> {
        self.args.get(k).map(String::as_str)
    }
    fn req(&self, k: &str) -> Result<String> {
        self.arg(k)
            .map(str::to_string)
            .ok_or_else(|| Error::Input(format!("{} needs argument {k:?}", self.op.name())))
    }
    fn time(&self, k: &str, default: Time) -> Result<Time> {
        match self.arg(k) {
            None => Ok(default),
            Some(s) => ksr::timefmt::parse_at(s)
                .map_err(|e| Error::Input(format!("argument {k} = {s:?}: {e}"))),
        }
    }
    fn num<T: std::str::FromStr>(&self, k: &str) -> Result<Option<T>> {
        self.arg(k)
            .map(|s| {
                s.parse()
                    .map_err(|_| Error::Input(format!("argument {k} = {s:?} is not a number")))
            })
            .transpose()
    }
    fn file(&self, map: &BTreeMap<String, PathBuf>, role: &str) -> Result<PathBuf> {
        map.get(role)
            .cloned()
            .ok_or_else(|| Error::Input(format!("{} needs file {role:?}", self.op.name())))
    }
    fn spec(&self) -> TokenSpec {
        TokenSpec {
            module: self.module.clone(),
            token: self.token.label.clone(),
            pin: pin(&self.token.pin_file),
        }
    }

    /// Once a verify step matched the transport file's SHA-256, the key
    /// fingerprint export confirms is the one inside that very file.
    fn transport_fingerprint(&self) -> Result<Option<String>> {
        if !self.verified.contains_key("transport") {
            return Ok(None);
        }
        let path = self.file(&self.inputs, "transport")?;
        let t: crate::hsm::backup::TransportFile = ops::read_json(&path)?;
        let field = t.validate(&path)?;
        Ok(Some(hex::encode(crate::hsm::backup::fingerprint(&field))))
    }

    /// The typed input for the operation.
    pub fn job(&self) -> Result<Job> {
        let token = self.spec();
        let zone = self.zone.clone();
        Ok(match self.op {
            OpKind::Init => Job::Init(ops::hsm::InitInput {
                softhsm: self
                    .token
                    .softhsm
                    .clone()
                    .map(PathBuf::from)
                    .ok_or_else(|| {
                        Error::Input("init needs the token's softhsm directory in [tokens]".into())
                    })?,
                label: self.token.label.clone(),
                so_pin: pin(&self.token.so_pin_file),
                pin: pin(&self.token.pin_file),
                module: self.module.clone(),
            }),
            OpKind::Login => Job::Login(ops::hsm::InfoInput {
                module: self.module.clone(),
                token: Some(self.token.label.clone()),
                pin: Some(pin(&self.token.pin_file)),
                softhsm2_conf: None,
            }),
            OpKind::Keygen => Job::Keygen(ops::keys::KeygenInput {
                token,
                spec: KeySpec {
                    label: self.req("label")?,
                    algorithm: Algorithm::parse(self.arg("algorithm").unwrap_or("rsasha256"))?,
                    bits: self.num("bits")?,
                    flags: self.num("flags")?.unwrap_or(257),
                    allow_backup: self.arg("backup") == Some("true"),
                },
                zone,
                ttl: self.num("ttl")?.unwrap_or(172_800),
                at: self.time("at", ops::default_proof_at())?,
            }),
            OpKind::Inventory => Job::Inventory(ops::keys::InventoryInput { token, zone }),
            OpKind::Prove => Job::Prove(ops::keys::ProveInput {
                token,
                label: self.req("label")?,
                zone,
                at: self.time("at", ops::default_proof_at())?,
            }),
            OpKind::SignKsr => Job::SignKsr(ops::sign::SignKsrInput {
                token,
                ksr: self.file(&self.inputs, "ksr")?,
                out: self.file(&self.outputs, "skr")?,
                ksk_current: self.req("ksk")?,
                ksk_next: self.arg("ksk-next").map(str::to_string),
                schema: self.arg("schema").unwrap_or("normal").to_string(),
                previous_skr: self.inputs.get("previous-skr").cloned(),
                policy: self.inputs.get("policy").cloned(),
                at: self.time("at", self.now)?,
                expect_sha256: self.verified.get("ksr").cloned(),
                max_size: self.num("max-size")?.unwrap_or(ksr::xml::DEFAULT_MAX_SIZE),
                dialect: match self.arg("dialect") {
                    None => None,
                    Some(name) => {
                        Some(ksr::format::Format::from_dialect_name(name).ok_or_else(|| {
                            Error::Input(format!(
                                "argument dialect = {name:?} is not one of iana, knot, bind"
                            ))
                        })?)
                    }
                },
                cds: self.arg("cds") == Some("true"),
                sessions: self.num("sessions")?,
                first_in_chain: self.arg("first-in-chain") == Some("true"),
                // A script names new files; it never replaces one.
                force: false,
                read: Default::default(),
            }),
            OpKind::Request => Job::Request(ops::sign::RequestInput {
                token,
                zone,
                zsks: self
                    .req("zsks")?
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect(),
                from: self.time("from", self.now)?,
                to: self.time("to", self.now)?,
                policy: self.inputs.get("policy").cloned(),
                serial: self.num("serial")?.unwrap_or(1),
                out: self.file(&self.outputs, "ksr")?,
                // A script names new files; it never replaces one.
                force: false,
            }),
            OpKind::TransportKey => Job::TransportKey(ops::backup::TransportKeyInput {
                token,
                label: self.req("label")?,
                out: self.file(&self.outputs, "transport")?,
                // A script names new files; it never replaces one.
                force: false,
            }),
            OpKind::Backup => Job::Backup(ops::backup::ExportInput {
                token,
                so_pin: pin(&self.token.so_pin_file),
                label: self.req("label")?,
                transport: self.file(&self.inputs, "transport")?,
                expect_transport_sha256: self.transport_fingerprint()?,
                out: self.file(&self.outputs, "backup")?,
                // A script names new files; it never replaces one.
                force: false,
            }),
            OpKind::Restore => Job::Restore(ops::backup::RestoreInput {
                token,
                backup: self.file(&self.inputs, "backup")?,
                label: self.arg("label").map(str::to_string),
                zone,
                at: self.time("at", ops::default_proof_at())?,
                keep_transport: false,
            }),
            OpKind::TrustAnchor => Job::TrustAnchor(ops::sign::TrustAnchorInput {
                token,
                ksk: self.req("ksk")?,
                zone,
                valid_from: self.time("valid-from", self.now)?,
                source: self.arg("source").map(str::to_string),
                out: self.outputs.get("trust-anchor").cloned(),
                // A script names new files; it never replaces one.
                force: false,
            }),
            OpKind::Delete => Job::Delete(ops::keys::DeleteInput {
                token,
                label: self.req("label")?,
                // The engine asked for the typed label before it ran this.
                confirm: Some(self.req("label")?),
            }),
        })
    }
}

impl Job {
    /// What the audit log names.
    pub fn operation(&self) -> Operation {
        match self {
            Job::Init(i) => i.operation(),
            Job::Login(i) => i.operation(),
            Job::Keygen(i) => i.operation(),
            Job::Inventory(i) => i.operation(),
            Job::Prove(i) => i.operation(),
            Job::SignKsr(i) => i.operation(),
            Job::Request(i) => i.operation(),
            Job::TransportKey(i) => i.operation(),
            Job::Backup(i) => i.operation(),
            Job::Restore(i) => i.operation(),
            Job::TrustAnchor(i) => i.operation(),
            Job::Delete(i) => i.operation(),
        }
    }

    /// Runs it; the result as JSON (the report, without secrets: reports
    /// carry public keys, DS and hashes only). `log` receives progress lines.
    pub fn run(&self, p: &dyn Prompter, log: &mut dyn std::io::Write) -> Result<Value> {
        let v = |r: &dyn erased::Ser| r.value();
        Ok(match self {
            Job::Init(i) => v(&ops::hsm::init(i, p)?),
            Job::Login(i) => {
                let r = ops::hsm::info(i, p)?;
                json!({ "token": i.token, "login": r.login })
            }
            Job::Keygen(i) => v(&ops::keys::keygen(i, p)?),
            Job::Inventory(i) => v(&ops::keys::inventory(i, p)?),
            Job::Prove(i) => v(&ops::keys::prove(i, p)?),
            Job::SignKsr(i) => v(&ops::sign::sign_ksr(i, p, log)?),
            Job::Request(i) => v(&ops::sign::request(i, p)?),
            Job::TransportKey(i) => v(&ops::backup::transport_key(i, p)?),
            Job::Backup(i) => v(&ops::backup::export(i, p)?),
            Job::Restore(i) => v(&ops::backup::restore(i, p)?),
            Job::TrustAnchor(i) => {
                let r = ops::sign::trust_anchor(i, p)?;
                json!({ "zone": r.zone, "key_tag": r.key_tag, "ds_records": r.ds_records })
            }
            Job::Delete(i) => v(&ops::keys::delete(i, p)?),
        })
    }
}

mod erased {
    /// Any serialisable report as JSON.
    pub trait Ser {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}
