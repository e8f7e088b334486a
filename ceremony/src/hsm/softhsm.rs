//! `ceremony hsm init --softhsm DIR`: the embedded default HSM. Writes
//! DIR/softhsm2.conf pointing at DIR/tokens, initialises a token there with the
//! security officer PIN, sets the user PIN, and tells the officer which
//! `SOFTHSM2_CONF` to use from then on.

use std::path::{Path, PathBuf};

use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use secrecy::ExposeSecret;

use super::module::Module;
use crate::error::{Error, Result};

/// What `init` produced.
#[derive(Debug, Clone)]
pub struct Initialised {
    pub conf: PathBuf,
    pub token_dir: PathBuf,
    pub label: String,
    pub serial: String,
}

/// The configuration text for a token directory.
pub fn conf_text(token_dir: &Path) -> String {
    format!(
        "# Written by `ceremony hsm init --softhsm`.\n\
         directories.tokendir = {}\n\
         objectstore.backend = file\n\
         log.level = ERROR\n\
         slots.removable = false\n",
        token_dir.display()
    )
}

/// Creates DIR/softhsm2.conf and DIR/tokens, then initialises a token labelled
/// `label`. The process's `SOFTHSM2_CONF` is pointed at the new file before the
/// module loads, which is how SoftHSM finds its tokens.
pub fn init(
    dir: &Path,
    module: &Path,
    label: &str,
    so_pin: &AuthPin,
    user_pin: &AuthPin,
) -> Result<Initialised> {
    if label.is_empty() || label.len() > 32 {
        return Err(Error::Input(format!(
            "token label {label:?} must be 1 to 32 bytes"
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", dir.display())))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| Error::Io(format!("cannot resolve {}: {e}", dir.display())))?;
    let token_dir = dir.join("tokens");
    std::fs::create_dir_all(&token_dir)
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", token_dir.display())))?;
    let conf = dir.join("softhsm2.conf");
    let text = conf_text(&token_dir);
    // A FIFO there would block the read below for ever.
    ksr::output::check_kind(&conf).map_err(|e| Error::Input(format!("--softhsm: {e}")))?;
    match std::fs::read_to_string(&conf) {
        Ok(existing) if existing == text => {}
        Ok(_) => {
            return Err(Error::Input(format!(
                "{} exists with other settings; use an empty directory",
                conf.display()
            )))
        }
        Err(_) => crate::file::write_atomically(&conf, text.as_bytes())?,
    }
    // SoftHSM reads SOFTHSM2_CONF when the module is initialised; nothing else in
    // this process runs yet, so setting it here is race-free.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    let module = Module::load(module)?;
    if module.tokens()?.iter().any(|(_, l)| l == label) {
        return Err(Error::Input(format!(
            "a token labelled {label:?} already exists in {}",
            token_dir.display()
        )));
    }
    // SoftHSM always offers one slot with an uninitialised token.
    let slots = module
        .ctx
        .get_slots_with_token()
        .map_err(|e| Error::pkcs11(e, "listing slots"))?;
    let mut free = None;
    for s in slots {
        let info = module
            .ctx
            .get_token_info(s)
            .map_err(|e| Error::pkcs11(e, "reading token info"))?;
        if !info.token_initialized() {
            free = Some((s, info.min_pin_length()..=info.max_pin_length()));
            break;
        }
    }
    let (slot, pin_lengths) = free.ok_or_else(|| {
        Error::Hsm(format!(
            "the module {} offers no free slot",
            module.path.display()
        ))
    })?;
    // The token would answer a PIN of the wrong length with "PIN incorrect".
    for (pin, role) in [(so_pin, "security officer PIN"), (user_pin, "user PIN")] {
        let len = pin.expose_secret().len();
        if !pin_lengths.contains(&len) {
            return Err(Error::Input(format!(
                "the new {role} has {len} characters; the token accepts {} to {}",
                pin_lengths.start(),
                pin_lengths.end()
            )));
        }
    }
    module
        .ctx
        .init_token(slot, so_pin, label)
        .map_err(|e| Error::pkcs11(e, "initialising the token"))?;
    // SoftHSM moves the new token to a new slot id: look it up by label.
    let slot = module.find_token(label)?;
    let session = module
        .ctx
        .open_rw_session(slot)
        .map_err(|e| Error::pkcs11(e, "opening a session"))?;
    session
        .login(UserType::So, Some(so_pin))
        .map_err(|e| Error::pkcs11(e, "security officer login"))?;
    session
        .init_pin(user_pin)
        .map_err(|e| Error::pkcs11(e, "setting the user PIN"))?;
    session.logout().map_err(|e| Error::pkcs11(e, "logout"))?;
    let serial = module
        .ctx
        .get_token_info(slot)
        .map_err(|e| Error::pkcs11(e, "reading token info"))?
        .serial_number()
        .trim()
        .to_string();
    Ok(Initialised {
        conf,
        token_dir,
        label: label.to_string(),
        serial,
    })
}
