//! Errors of the ceremony tool, each with a stable exit code and a message that
//! tells the officer what to do. Messages never contain a PIN.

use std::fmt;

/// Exit codes are part of the interface: 0 ok, 1 a check failed, 2 unusable input,
/// usage, or an HSM condition that stops the ceremony.
#[derive(Debug)]
pub enum Error {
    /// A named check failed (KSR checks, SKR re-verification, hash confirmation).
    CheckFailed(String),
    /// Unusable input or usage: bad file, bad flag combination, unknown schema.
    Input(String),
    /// The PKCS#11 module could not be loaded.
    ModuleLoad(String),
    /// No token with the requested label.
    TokenNotFound(String),
    /// C_Login refused the PIN.
    WrongPin,
    /// The token locked the PIN after too many failures.
    PinLocked,
    /// No key with the requested label on the token.
    KeyNotFound(String),
    /// The token lacks a mechanism the operation needs.
    MechanismMissing(String),
    /// Any other HSM failure (device removed, session closed, ...).
    Hsm(String),
    /// Local I/O.
    Io(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::CheckFailed(_) => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::CheckFailed(m) => write!(f, "check failed: {m}"),
            Error::Input(m) => write!(f, "{m}"),
            Error::ModuleLoad(m) => write!(f, "cannot load PKCS#11 module: {m}"),
            Error::TokenNotFound(l) => write!(
                f,
                "no token labelled {l:?}; `ceremony hsm info` lists the tokens the module sees"
            ),
            Error::WrongPin => write!(
                f,
                "the token refused the PIN (wrong PIN); check the PIN file"
            ),
            Error::PinLocked => write!(
                f,
                "the token's user PIN is locked; the security officer must unlock it"
            ),
            Error::KeyNotFound(l) => write!(
                f,
                "no key labelled {l:?} on the token; `ceremony inventory` lists the keys"
            ),
            Error::MechanismMissing(m) => write!(f, "the token does not offer mechanism {m}"),
            Error::Hsm(m) => write!(f, "HSM error: {m}"),
            Error::Io(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
