//! `hsm init` and `hsm info`: token set-up and what the module shows.

use std::path::PathBuf;

use cryptoki::slot::Slot;
use ksr::env::Prompter;
use serde::Serialize;

use super::operation::Operation;
use crate::error::{Error, Result};
use crate::hsm::mechanisms::{self, Offered};
use crate::hsm::pin::{self, PinSource};
use crate::hsm::{softhsm, Module, Token};

/// Create a SoftHSM2 token directory and initialise a token in it.
#[derive(Debug, Clone)]
pub struct InitInput {
    /// Directory for softhsm2.conf and the token store (created if missing).
    pub softhsm: PathBuf,
    pub label: String,
    pub so_pin: PinSource,
    pub pin: PinSource,
    pub module: PathBuf,
}

impl InitInput {
    pub fn operation(&self) -> Operation {
        Operation::HsmInit {
            token: self.label.clone(),
            softhsm: self.softhsm.clone(),
            so_pin: self.so_pin.kind(),
            pin: self.pin.kind(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub label: String,
    pub serial: String,
    pub token_dir: PathBuf,
    /// The `SOFTHSM2_CONF` to use from now on.
    pub conf: PathBuf,
}

pub fn init(input: &InitInput, prompter: &dyn Prompter) -> Result<InitReport> {
    let so = pin::read(
        &input.so_pin,
        pin::Role::SecurityOfficer,
        &input.label,
        prompter,
    )?;
    let user = pin::read(&input.pin, pin::Role::User, &input.label, prompter)?;
    let done = softhsm::init(&input.softhsm, &input.module, &input.label, &so, &user)?;
    Ok(InitReport {
        label: done.label,
        serial: done.serial,
        token_dir: done.token_dir,
        conf: done.conf,
    })
}

/// Show module, slots, tokens, DNSSEC mechanisms and (optionally) a login test.
#[derive(Debug, Clone)]
pub struct InfoInput {
    pub module: PathBuf,
    /// Only this token (default: every initialised token).
    pub token: Option<String>,
    /// With `token`: try a login with this PIN and report it.
    pub pin: Option<PinSource>,
    /// The `SOFTHSM2_CONF` the caller runs with, shown for the record.
    pub softhsm2_conf: Option<String>,
}

impl InfoInput {
    pub fn operation(&self) -> Operation {
        Operation::HsmInfo {
            token: self.token.clone(),
            pin: self.pin.as_ref().map(PinSource::kind),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InfoReport {
    pub module: PathBuf,
    pub cryptoki_version: String,
    pub manufacturer: String,
    pub library: String,
    pub softhsm2_conf: Option<String>,
    /// Slots the module has, whether shown or not.
    pub slot_count: usize,
    pub slots: Vec<SlotReport>,
    /// `Some(state)` when a login was tried and succeeded.
    pub login: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlotReport {
    pub id: u64,
    pub description: String,
    /// `None`: no token in the slot.
    pub token: Option<TokenReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenReport {
    pub initialized: bool,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub login_required: bool,
    pub user_pin_set: bool,
    /// `ok`, `count-low`, `final-try` or `locked`.
    pub user_pin_state: &'static str,
    pub so_pin_locked: bool,
    pub min_pin_length: usize,
    pub max_pin_length: usize,
    pub mechanisms: Vec<Offered>,
}

pub fn info(input: &InfoInput, prompter: &dyn Prompter) -> Result<InfoReport> {
    let m = Module::load(&input.module)?;
    let lib = m
        .ctx
        .get_library_info()
        .map_err(|e| Error::pkcs11(e, "C_GetInfo"))?;
    let all = m
        .ctx
        .get_all_slots()
        .map_err(|e| Error::pkcs11(e, "listing slots"))?;
    let wanted = match &input.token {
        Some(l) => Some(m.find_token(l)?),
        None => None,
    };
    let mut slots = Vec::new();
    for slot in &all {
        if wanted.is_none_or(|w| w == *slot) {
            slots.push(slot_report(&m, *slot)?);
        }
    }
    let mut report = InfoReport {
        module: m.path.clone(),
        cryptoki_version: lib.cryptoki_version().to_string(),
        manufacturer: lib.manufacturer_id().trim().to_string(),
        library: format!(
            "{} {}",
            lib.library_description().trim(),
            lib.library_version()
        ),
        softhsm2_conf: input.softhsm2_conf.clone(),
        slot_count: all.len(),
        slots,
        login: None,
    };
    if let (Some(label), Some(source)) = (&input.token, &input.pin) {
        let token = Token::open(m, label)?;
        let p = pin::read(source, pin::Role::User, label, prompter)?;
        token.login_user(&p)?;
        let state = token
            .session()
            .get_session_info()
            .map_err(|e| Error::pkcs11(e, "C_GetSessionInfo"))?
            .session_state();
        report.login = Some(format!("{state:?}"));
    }
    Ok(report)
}

/// One slot: its token, PIN state and the DNSSEC mechanisms it offers.
fn slot_report(m: &Module, slot: Slot) -> Result<SlotReport> {
    let si = m
        .ctx
        .get_slot_info(slot)
        .map_err(|e| Error::pkcs11(e, &format!("reading slot {slot}")))?;
    let mut report = SlotReport {
        id: slot.id(),
        description: si.slot_description().trim().to_string(),
        token: None,
    };
    let Ok(ti) = m.ctx.get_token_info(slot) else {
        return Ok(report);
    };
    let user_pin_state = if ti.user_pin_locked() {
        "locked"
    } else if ti.user_pin_final_try() {
        "final-try"
    } else if ti.user_pin_count_low() {
        "count-low"
    } else {
        "ok"
    };
    let initialized = ti.token_initialized();
    report.token = Some(TokenReport {
        initialized,
        label: ti.label().trim().to_string(),
        manufacturer: ti.manufacturer_id().trim().to_string(),
        model: ti.model().trim().to_string(),
        serial: ti.serial_number().trim().to_string(),
        login_required: ti.login_required(),
        user_pin_set: ti.user_pin_initialized(),
        user_pin_state,
        so_pin_locked: ti.so_pin_locked(),
        min_pin_length: ti.min_pin_length(),
        max_pin_length: ti.max_pin_length(),
        mechanisms: if initialized {
            mechanisms::relevant(m, slot)?
        } else {
            Vec::new()
        },
    });
    Ok(report)
}
