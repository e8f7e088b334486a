//! A session on one token: finding it by label, logging in and out, and the
//! object primitives (search, attributes, random bytes, destroy) the key modules
//! build on.

use std::collections::HashMap;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use super::algorithm::Algorithm;
use super::module::Module;
use crate::error::{Error, Result};
use crate::keystore::PublicKey;

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
    pub(crate) public_keys: HashMap<String, PublicKey>,
}

impl Token {
    /// Opens a read-write session on the token labelled `label` (not logged in).
    pub fn open(module: Module, label: &str) -> Result<Token> {
        let slot = module.find_token(label)?;
        let session = module
            .ctx
            .open_rw_session(slot)
            .map_err(|e| Error::pkcs11(e, "opening a session"))?;
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
                let what = match who {
                    UserType::So => "logging in as the security officer",
                    _ => "logging in as the user",
                };
                Err(Error::pkcs11(e, what))
            }
        }
    }

    pub fn logout(&self) -> Result<()> {
        match self.session.logout() {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserNotLoggedIn, _)) => Ok(()),
            Err(e) => Err(Error::pkcs11(e, "logout")),
        }
    }

    /// Every object carrying `label`, whatever its class.
    pub(crate) fn find_any(&self, label: &str) -> Result<Vec<ObjectHandle>> {
        self.session
            .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
            .map_err(|e| Error::pkcs11(e, "searching the token"))
    }

    /// Refuses a label already carried by any object on the token.
    pub(crate) fn require_free_label(&self, label: &str, advice: &str) -> Result<()> {
        if self.find_any(label)?.is_empty() {
            Ok(())
        } else {
            Err(Error::Input(format!(
                "token {:?} already holds objects labelled {label:?}; {advice}",
                self.label
            )))
        }
    }

    pub(crate) fn attrs(&self, h: ObjectHandle, types: &[AttributeType]) -> Result<Vec<Attribute>> {
        self.session
            .get_attributes(h, types)
            .map_err(|e| Error::pkcs11(e, "reading key attributes"))
    }

    /// `n` random bytes from the token's generator.
    pub(crate) fn random(&self, n: usize, what: &str) -> Result<Vec<u8>> {
        self.session
            .generate_random_vec(n as u32)
            .map_err(|e| Error::pkcs11(e, what))
    }

    /// Destroys the given objects, ignoring failures (clean-up after an error).
    pub(crate) fn destroy_quietly(&self, handles: &[Option<ObjectHandle>]) {
        for h in handles.iter().flatten() {
            let _ = self.session.destroy_object(*h);
        }
    }

    /// Destroys what a failed operation had made on the token (`made`: "the new
    /// key pair \"K\"") and says what became of it, for the error: `Ok`, deleted
    /// again; `Err`, left behind (a token that stopped answering deletes
    /// nothing), with the commands that find and remove it.
    pub(crate) fn undo(
        &self,
        handles: &[Option<ObjectHandle>],
        made: &str,
        label: &str,
    ) -> std::result::Result<String, String> {
        let left = handles
            .iter()
            .flatten()
            .filter(|h| self.session.destroy_object(**h).is_err())
            .count();
        if left == 0 {
            Ok(format!("{made} was deleted again"))
        } else {
            Err(format!(
                "{made} could not be deleted again ({left} object(s) left on the token); once \
                 the token answers, check `ceremony inventory` and remove it with \
                 `ceremony delete --label {label}`"
            ))
        }
    }

    /// Destroys the given objects; the first failure stops and is reported.
    pub(crate) fn destroy(&self, handles: &[Option<ObjectHandle>], what: &str) -> Result<()> {
        for h in handles.iter().flatten() {
            self.session
                .destroy_object(*h)
                .map_err(|e| Error::pkcs11(e, what))?;
        }
        Ok(())
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        let _ = self.session.logout();
    }
}
