//! A logged-in session on one token, and the mapping of PKCS#11 return values
//! to the ceremony's distinct errors (wrong PIN, PIN locked, mechanism missing,
//! token gone).

use std::collections::HashMap;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use super::keys::{Algorithm, KeyInfo};
use super::module::Module;
use crate::error::{Error, Result};

/// Maps a `cryptoki` failure during `what` to the ceremony's error kinds.
pub fn map_err(e: CkError, what: &str) -> Error {
    match &e {
        CkError::Pkcs11(rv, _) => match rv {
            RvError::PinIncorrect => Error::WrongPin,
            RvError::PinLocked => Error::PinLocked,
            RvError::MechanismInvalid | RvError::MechanismParamInvalid => {
                Error::MechanismMissing(format!("needed for {what} ({rv:?})"))
            }
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::DeviceError
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::SlotIdInvalid => Error::Hsm(format!(
                "{what} failed ({rv:?}): the token was removed or stopped answering"
            )),
            _ => Error::Hsm(format!("{what} failed ({rv:?})")),
        },
        _ => Error::Hsm(format!("{what} failed: {e}")),
    }
}

/// One signing key resolved from its label, kept so repeated signatures cost one C_Sign.
#[derive(Clone, Copy)]
pub(crate) struct SigningKey {
    pub handle: ObjectHandle,
    pub algorithm: Algorithm,
}

/// A read-write session on one token. Dropping it logs out and closes the session.
pub struct Token {
    pub(crate) module: Module,
    pub(crate) slot: Slot,
    pub(crate) label: String,
    pub(crate) session: Session,
    pub(crate) signing_keys: HashMap<String, SigningKey>,
    pub(crate) public_keys: HashMap<String, crate::keystore::PublicKey>,
}

impl Token {
    /// Opens a read-write session on the token labelled `label` (not logged in).
    pub fn open(module: Module, label: &str) -> Result<Token> {
        let slot = module.find_token(label)?;
        let session = module
            .ctx
            .open_rw_session(slot)
            .map_err(|e| map_err(e, "opening a session"))?;
        Ok(Token {
            module,
            slot,
            label: label.to_string(),
            session,
            signing_keys: HashMap::new(),
            public_keys: HashMap::new(),
        })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn module(&self) -> &Module {
        &self.module
    }

    pub fn slot(&self) -> Slot {
        self.slot
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Logs the user in. A refused PIN becomes `WrongPin`, a locked one `PinLocked`.
    pub fn login_user(&self, pin: &AuthPin) -> Result<()> {
        self.login(UserType::User, pin)
    }

    /// Logs the security officer in (needed to mark a key trusted).
    pub fn login_so(&self, pin: &AuthPin) -> Result<()> {
        self.login(UserType::So, pin)
    }

    fn login(&self, who: UserType, pin: &AuthPin) -> Result<()> {
        match self.session.login(who, Some(pin)) {
            Ok(()) => Ok(()),
            Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
            Err(e) => {
                // Some tokens report a lock only in the token flags.
                if let Ok(info) = self.module.ctx.get_token_info(self.slot) {
                    let locked = match who {
                        UserType::So => info.so_pin_locked(),
                        _ => info.user_pin_locked(),
                    };
                    if locked {
                        return Err(Error::PinLocked);
                    }
                }
                Err(map_err(e, "login"))
            }
        }
    }

    pub fn logout(&self) -> Result<()> {
        match self.session.logout() {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserNotLoggedIn, _)) => Ok(()),
            Err(e) => Err(map_err(e, "logout")),
        }
    }

    /// Every object carrying `label`, whatever its class.
    pub(crate) fn find_any(&self, label: &str) -> Result<Vec<ObjectHandle>> {
        self.session
            .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
            .map_err(|e| map_err(e, "searching the token"))
    }

    pub(crate) fn attrs(&self, h: ObjectHandle, types: &[AttributeType]) -> Result<Vec<Attribute>> {
        self.session
            .get_attributes(h, types)
            .map_err(|e| map_err(e, "reading key attributes"))
    }

    /// Every DNSSEC key pair on the token (keys of our backup transport role are
    /// listed too, marked as such), ordered by label then id.
    pub fn keys(&self) -> Result<Vec<KeyInfo>> {
        super::keys::list(self)
    }

    /// The key pair labelled `label`.
    pub fn key(&self, label: &str) -> Result<KeyInfo> {
        let mut found: Vec<KeyInfo> = self
            .keys()?
            .into_iter()
            .filter(|k| k.label == label)
            .collect();
        match found.len() {
            0 => Err(Error::KeyNotFound(label.to_string())),
            1 => Ok(found.remove(0)),
            n => Err(Error::Input(format!(
                "{n} key pairs are labelled {label:?} on token {:?}; a label must name one key",
                self.label
            ))),
        }
    }

    /// The label of the key on this token whose DNSKEY public key field and
    /// algorithm equal the given ones (for "the signers of the previous SKR exist
    /// on the token"); `None` if there is none.
    pub fn find_key_by_public_key(
        &self,
        algorithm: u8,
        public_key: &[u8],
    ) -> Result<Option<String>> {
        Ok(self
            .keys()?
            .into_iter()
            .find(|k| {
                k.algorithm.map(|a| a.number()) == Some(algorithm)
                    && k.public_key == public_key
                    && k.private.is_some()
            })
            .map(|k| k.label))
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        let _ = self.session.logout();
    }
}
