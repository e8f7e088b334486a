//! `keygen`, `inventory`, `prove`, `delete`: key pairs on one token.

use ksr::env::Prompter;
use ksr::model::Time;
use serde::Serialize;

use super::operation::Operation;
use super::report::{KeyEntry, ProofReport};
use crate::error::{Error, Result};
use crate::hsm::{keygen, proof, KeySpec, TokenSpec};

/// Generate a key pair and prove it signs.
#[derive(Debug, Clone)]
pub struct KeygenInput {
    pub token: TokenSpec,
    pub spec: KeySpec,
    /// Zone the key is for (owner of the DNSKEY and DS records).
    pub zone: String,
    /// TTL of the DNSKEY and DS records shown.
    pub ttl: u32,
    /// Inception of the proof signature.
    pub at: Time,
}

impl KeygenInput {
    pub fn operation(&self) -> Operation {
        Operation::Keygen {
            on: self.token.usage(),
            label: self.spec.label.clone(),
        }
    }
}

/// A new or restored key: what it is, what it publishes, and its proof.
#[derive(Debug, Clone, Serialize)]
pub struct KeyReport {
    pub token: String,
    pub zone: String,
    pub ttl: u32,
    pub key: KeyEntry,
    pub proof: ProofReport,
}

pub fn keygen(input: &KeygenInput, prompter: &dyn Prompter) -> Result<KeyReport> {
    input.spec.check()?;
    // Checked before the token is touched: a bad zone must not leave a new key behind.
    let zone = super::zone("--zone", &input.zone)?;
    let mut token = input.token.open(prompter)?;
    let info = keygen::generate(&mut token, &input.spec)?;
    // A key that cannot prove it signs is no key: it does not stay on the token.
    let p = match proof::prove(&mut token, &info.label, &zone, info.flags, input.at) {
        Ok(p) => p,
        Err(e) => {
            let made = format!("the new key pair {:?}", info.label);
            let cleanup = token
                .undo(&[info.private, info.public], &made, &info.label)
                .unwrap_or_else(|left| left);
            return Err(e.undone("proving the new key signs", cleanup));
        }
    };
    Ok(KeyReport {
        token: token.label().to_string(),
        key: KeyEntry::new(&info, &zone)?,
        zone,
        ttl: input.ttl,
        proof: ProofReport::from(&p),
    })
}

/// List every key pair on a token.
#[derive(Debug, Clone)]
pub struct InventoryInput {
    pub token: TokenSpec,
    /// Owner name of the DS records.
    pub zone: String,
}

impl InventoryInput {
    pub fn operation(&self) -> Operation {
        Operation::Inventory {
            on: self.token.usage(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InventoryReport {
    pub token: String,
    pub zone: String,
    pub keys: Vec<KeyEntry>,
}

pub fn inventory(input: &InventoryInput, prompter: &dyn Prompter) -> Result<InventoryReport> {
    let zone = super::zone("--zone", &input.zone)?;
    let token = input.token.open(prompter)?;
    let keys = token
        .keys()?
        .iter()
        .map(|k| KeyEntry::new(k, &zone))
        .collect::<Result<Vec<_>>>()?;
    Ok(InventoryReport {
        token: token.label().to_string(),
        zone,
        keys,
    })
}

/// Sign and verify a test DNSKEY RRset with a key on the token.
#[derive(Debug, Clone)]
pub struct ProveInput {
    pub token: TokenSpec,
    pub label: String,
    pub zone: String,
    pub at: Time,
}

impl ProveInput {
    pub fn operation(&self) -> Operation {
        Operation::Prove {
            on: self.token.usage(),
            label: self.label.clone(),
        }
    }
}

pub fn prove(input: &ProveInput, prompter: &dyn Prompter) -> Result<ProofReport> {
    let zone = super::zone("--zone", &input.zone)?;
    let mut token = input.token.open(prompter)?;
    let info = token.key(&input.label)?;
    let p = proof::prove(&mut token, &input.label, &zone, info.flags, input.at)?;
    Ok(ProofReport::from(&p))
}

/// Delete a key pair after the label was given again.
#[derive(Debug, Clone)]
pub struct DeleteInput {
    pub token: TokenSpec,
    pub label: String,
    /// The label again, for non-interactive use; else asked for at the prompter.
    pub confirm: Option<String>,
}

impl DeleteInput {
    pub fn operation(&self) -> Operation {
        Operation::Delete {
            on: self.token.usage(),
            label: self.label.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DeleteReport {
    pub token: String,
    pub label: String,
}

pub fn delete(input: &DeleteInput, prompter: &dyn Prompter) -> Result<DeleteReport> {
    let token = input.token.open(prompter)?;
    let key = token.key(&input.label)?;
    let typed = match &input.confirm {
        Some(c) => c.clone(),
        None => prompter
            .line(&format!(
                "About to delete key pair {:?} from token {:?}. Type the label again to confirm:\n",
                input.label,
                token.label()
            ))
            .map_err(|e| Error::Input(format!("cannot read the confirmation: {e}")))?,
    };
    if typed != input.label {
        return Err(Error::Input(format!(
            "the confirmation {typed:?} does not match the label {:?}; nothing was deleted",
            input.label
        )));
    }
    token.destroy(&[key.private, key.public], "deleting the key")?;
    Ok(DeleteReport {
        token: token.label().to_string(),
        label: input.label.clone(),
    })
}
