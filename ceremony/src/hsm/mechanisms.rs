//! The PKCS#11 mechanisms DNSSEC key work needs, and checking a token has them
//! before anything is generated or signed.

use cryptoki::mechanism::MechanismType;
use cryptoki::slot::Slot;
use serde::Serialize;

use super::module::Module;
use super::token::{map_err, Token};
use crate::error::{Error, Result};

/// Mechanisms relevant to DNSSEC keys and their backup, with what they are for.
pub const RELEVANT: &[(MechanismType, &str, &str)] = &[
    (
        MechanismType::RSA_PKCS_KEY_PAIR_GEN,
        "RSA-PKCS-KEY-PAIR-GEN",
        "RSA key generation (8, 10)",
    ),
    (
        MechanismType::SHA256_RSA_PKCS,
        "SHA256-RSA-PKCS",
        "RSASHA256 signing (8)",
    ),
    (
        MechanismType::SHA512_RSA_PKCS,
        "SHA512-RSA-PKCS",
        "RSASHA512 signing (10)",
    ),
    (
        MechanismType::ECC_KEY_PAIR_GEN,
        "EC-KEY-PAIR-GEN",
        "ECDSA key generation (13, 14)",
    ),
    (
        MechanismType::ECDSA,
        "ECDSA",
        "ECDSA signing over our digest (13, 14)",
    ),
    (
        MechanismType::ECC_EDWARDS_KEY_PAIR_GEN,
        "EC-EDWARDS-KEY-PAIR-GEN",
        "EdDSA key generation (15, 16)",
    ),
    (MechanismType::EDDSA, "EDDSA", "EdDSA signing (15, 16)"),
    (
        MechanismType::AES_KEY_GEN,
        "AES-KEY-GEN",
        "backup: one-time key-encryption key",
    ),
    (
        MechanismType::AES_KEY_WRAP_PAD,
        "AES-KEY-WRAP-PAD",
        "backup: wrapping the private key",
    ),
    (
        MechanismType::RSA_PKCS_OAEP,
        "RSA-PKCS-OAEP",
        "backup: wrapping the AES key to the transport key",
    ),
];

/// A relevant mechanism as the token reports it.
#[derive(Debug, Clone, Serialize)]
pub struct Offered {
    pub name: &'static str,
    pub purpose: &'static str,
    pub present: bool,
    pub min_key_size: Option<usize>,
    pub max_key_size: Option<usize>,
    pub flags: Vec<&'static str>,
}

/// The relevant mechanisms of the token in `slot`, present or not, in a fixed order.
pub fn relevant(module: &Module, slot: Slot) -> Result<Vec<Offered>> {
    let list = module
        .ctx
        .get_mechanism_list(slot)
        .map_err(|e| map_err(e, "listing mechanisms"))?;
    let mut out = Vec::new();
    for (m, name, purpose) in RELEVANT {
        let present = list.contains(m);
        let info = if present {
            module.ctx.get_mechanism_info(slot, *m).ok()
        } else {
            None
        };
        let mut flags = Vec::new();
        if let Some(i) = &info {
            for (on, f) in [
                (i.generate_key_pair(), "generate-key-pair"),
                (i.generate(), "generate"),
                (i.sign(), "sign"),
                (i.verify(), "verify"),
                (i.wrap(), "wrap"),
                (i.unwrap(), "unwrap"),
            ] {
                if on {
                    flags.push(f);
                }
            }
        }
        out.push(Offered {
            name,
            purpose,
            present,
            min_key_size: info.as_ref().map(|i| i.min_key_size()),
            max_key_size: info.as_ref().map(|i| i.max_key_size()),
            flags,
        });
    }
    Ok(out)
}

/// The PKCS#11 name of a relevant mechanism.
pub fn name_of(m: MechanismType) -> String {
    RELEVANT
        .iter()
        .find(|(t, _, _)| *t == m)
        .map(|(_, n, _)| n.to_string())
        .unwrap_or_else(|| format!("{m}"))
}

/// Fails with `MechanismMissing` unless the token offers `m`.
pub fn require(token: &Token, m: MechanismType, what: &str) -> Result<()> {
    let list = token
        .module
        .ctx
        .get_mechanism_list(token.slot)
        .map_err(|e| map_err(e, "listing mechanisms"))?;
    if list.contains(&m) {
        Ok(())
    } else {
        Err(Error::MechanismMissing(format!(
            "{} (needed for {what}) on token {:?}",
            name_of(m),
            token.label
        )))
    }
}
