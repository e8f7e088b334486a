//! What a token offers of the mechanisms DNSSEC key work needs (the table is in
//! `algorithm`), and checking it has them before anything is generated or signed.

use cryptoki::mechanism::MechanismType;
use cryptoki::slot::Slot;
use serde::Serialize;

use super::algorithm::{mechanism_name, RELEVANT};
use super::module::Module;
use super::token::Token;
use crate::error::{Error, Result};

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
        .map_err(|e| Error::pkcs11(e, "listing mechanisms"))?;
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

/// Fails with `MechanismMissing` unless the token offers `m`.
pub fn require(token: &Token, m: MechanismType, what: &str) -> Result<()> {
    let list = token
        .module
        .ctx
        .get_mechanism_list(token.slot)
        .map_err(|e| Error::pkcs11(e, "listing mechanisms"))?;
    if list.contains(&m) {
        Ok(())
    } else {
        Err(Error::MechanismMissing(format!(
            "{} (needed for {what}) on token {:?}",
            mechanism_name(m),
            token.label
        )))
    }
}
