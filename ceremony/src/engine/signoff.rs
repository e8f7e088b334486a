//! Sign-offs that prove who signed: the officer's personal token signs the
//! audit chain head (the hash of the record before the sign-off record) with a
//! key whose SHA-256 the script enrolled for that person. The record carries
//! the public key and signature, so `ceremony audit verify` checks it with no
//! token: the key must hash to the enrolment in the log's `ceremony-start`
//! record, and the signature must verify over the head it follows.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ksr::env::Prompter;
use serde_json::{json, Value};

use crate::audit::{Event, Record};
use crate::hsm::TokenSpec;
use crate::keystore::KeyStore;

/// What the signature covers: a fixed context, the step, the person and the head.
pub fn signed_data(step: &str, person: &str, head: &str) -> Vec<u8> {
    format!("dnssec-ceremony sign-off\nstep {step}\nperson {person}\nhead {head}\n").into_bytes()
}

/// Hex SHA-256 of a DNSKEY public key field: how a script enrols a sign-off key.
pub fn key_sha256(public_key: &[u8]) -> String {
    hex::encode(ksr::digest::sha256(public_key))
}

/// Who signs off which step, over which head.
#[derive(Debug, Clone, Copy)]
pub struct SignOffFor<'a> {
    pub step: &'a str,
    pub role: &'a str,
    pub person: &'a str,
    /// The audit chain head the signature covers.
    pub head: &'a str,
}

/// Signs the head for `who` with the key `label` on `token`; returns the
/// record's `ceremony` fields for a key sign-off. The key must hash to `enrolled`.
pub fn sign(
    token: &TokenSpec,
    label: &str,
    enrolled: &str,
    who: SignOffFor,
    prompter: &dyn Prompter,
) -> Result<Value, String> {
    let SignOffFor {
        step,
        role,
        person,
        head,
    } = who;
    let mut t = token.open(prompter).map_err(|e| e.to_string())?;
    let pk = t.public_key(label).map_err(|e| e.to_string())?;
    let hash = key_sha256(&pk.public_key);
    if hash != enrolled {
        return Err(format!(
            "the key {label:?} on token {:?} is not the sign-off key enrolled for {person} (its SHA-256 is {hash}, the script enrols {enrolled}); refused",
            token.token
        ));
    }
    let sig = t
        .sign(label, &signed_data(step, person, head))
        .map_err(|e| e.to_string())?;
    Ok(json!({
        "step": step,
        "role": role,
        "person": person,
        "method": "key",
        "algorithm": pk.algorithm,
        "public_key": B64.encode(&pk.public_key),
        "key_sha256": hash,
        "signature": B64.encode(sig),
        "signed_head": head,
    }))
}

/// Checks a `sign-off` record against the records before it (used by
/// `audit::verify`): a key sign-off must be by the key enrolled for that person
/// and its signature must verify over the head it follows.
pub fn check_record(r: &Record, before: &[Record]) -> Result<(), String> {
    let c = r
        .ceremony
        .as_ref()
        .ok_or("a sign-off record without its details")?;
    let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default();
    let person = s("person");
    if person.is_empty() || s("step").is_empty() {
        return Err("a sign-off record names no person or step".into());
    }
    match s("method") {
        "name" => Ok(()),
        "key" => {
            if s("signed_head") != r.prev {
                return Err(format!(
                    "sign-off by {person}: it signs head {} but follows {}: the record was moved or forged",
                    s("signed_head"),
                    r.prev
                ));
            }
            let pk = B64
                .decode(s("public_key"))
                .map_err(|_| format!("sign-off by {person}: public_key is not base64"))?;
            let sig = B64
                .decode(s("signature"))
                .map_err(|_| format!("sign-off by {person}: signature is not base64"))?;
            let hash = key_sha256(&pk);
            let enrolled = before
                .iter()
                .rev()
                .find(|x| x.event == Event::CeremonyStart)
                .and_then(|x| x.ceremony.as_ref())
                .and_then(|x| x.get("enrolled"))
                .and_then(|x| x.get(person))
                .and_then(Value::as_str);
            if enrolled != Some(hash.as_str()) {
                return Err(format!(
                    "sign-off by {person}: the key (SHA-256 {hash}) is not the one enrolled for them at the ceremony start"
                ));
            }
            let algorithm = c.get("algorithm").and_then(Value::as_u64).unwrap_or(0) as u8;
            let key = ksr::Key {
                key_identifier: String::new(),
                key_tag: 0,
                ttl: 0,
                flags: 256,
                protocol: 3,
                algorithm,
                public_key: pk,
            };
            ksr::dnssec::verify(&key, &signed_data(s("step"), person, &r.prev), &sig).map_err(|e| {
                format!(
                    "sign-off by {person}: the signature does not verify ({e}): a forged sign-off"
                )
            })
        }
        other => Err(format!("sign-off by {person}: unknown method {other:?}")),
    }
}
