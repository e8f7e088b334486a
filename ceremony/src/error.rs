//! Errors of the ceremony tool, each with a message that tells the officer what
//! to do, and the ONE mapping to exit codes ([`Error::exit_code`]). Messages
//! never contain a PIN. PKCS#11 failures keep the `cryptoki` error they came
//! from, so callers (and a UI) can tell a wrong PIN from a vanished token.

use cryptoki::error::{Error as CkError, RvError};
use ksr::env::exit;

/// What stopped a ceremony operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A named check failed (KSR checks, SKR re-verification, hash confirmation).
    #[error("check failed: {0}")]
    CheckFailed(String),
    /// An audit log whose hash chain does not verify (a failed check).
    #[error("{0}: audit log does not verify")]
    AuditLogBroken(String),
    /// Unusable input or usage: bad file, bad flag combination, unknown schema.
    #[error("{0}")]
    Input(String),
    /// The PKCS#11 module file is missing.
    #[error("cannot load PKCS#11 module: {0}")]
    ModuleLoad(String),
    /// The module file exists but cannot be loaded or initialised.
    #[error("cannot load PKCS#11 module: {path}: {source}")]
    ModuleInit {
        path: String,
        #[source]
        source: CkError,
    },
    /// No token with the requested label.
    #[error("no token labelled {0:?}; `ceremony hsm info` lists the tokens the module sees")]
    TokenNotFound(String),
    /// C_Login refused the PIN.
    #[error("the token refused the PIN (wrong PIN); check the PIN file")]
    WrongPin,
    /// The token locked the PIN after too many failures.
    #[error("the token's user PIN is locked; the security officer must unlock it")]
    PinLocked,
    /// No key with the requested label on the token.
    #[error("no key labelled {0:?} on the token; `ceremony inventory` lists the keys")]
    KeyNotFound(String),
    /// The token lacks a mechanism the operation needs.
    #[error("the token does not offer mechanism {0}")]
    MechanismMissing(String),
    /// A PKCS#11 call failed during `what` (device removed, session closed, ...).
    #[error("HSM error: {what} failed ({}){}", rv_name(.source), hint(.source))]
    Pkcs11 {
        what: String,
        #[source]
        source: CkError,
    },
    /// A failure that stopped a run part-way (signing bundle N of M), with where.
    #[error("HSM error: {at}: {}; nothing was written", .source.detail())]
    Stopped {
        at: String,
        #[source]
        source: Box<Error>,
    },
    /// A PKCS#11 call failed where no more context is known.
    #[error("HSM error: {0}")]
    Cryptoki(#[from] CkError),
    /// The token answered, but not as PKCS#11 or DNSSEC say it should.
    #[error("HSM error: {0}")]
    Hsm(String),
    /// Local I/O.
    #[error("{0}")]
    Io(String),
    /// Stdout was closed by its reader (`| head`): the command stops quietly.
    #[error("standard output was closed")]
    OutputClosed,
}

impl Error {
    /// The process exit code: 1 when a check failed, 2 for everything else that
    /// stops the work (unusable input, usage, an HSM condition).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::OutputClosed => exit::OK,
            Error::CheckFailed(_) | Error::AuditLogBroken(_) => exit::CHECK_FAILED,
            _ => exit::UNUSABLE,
        }
    }

    /// An error writing the command's report to stdout.
    pub fn output(e: std::io::Error) -> Error {
        if ksr::env::is_closed_pipe(&e) {
            Error::OutputClosed
        } else {
            Error::Io(format!("cannot write to stdout: {e}"))
        }
    }

    /// Maps a `cryptoki` failure during `what` to the distinct conditions an
    /// officer acts on differently; everything else stays a typed `Pkcs11`.
    pub fn pkcs11(e: CkError, what: &str) -> Error {
        match &e {
            CkError::Pkcs11(RvError::PinIncorrect, _) => Error::WrongPin,
            CkError::Pkcs11(RvError::PinLocked, _) => Error::PinLocked,
            CkError::Pkcs11(
                rv @ (RvError::MechanismInvalid | RvError::MechanismParamInvalid),
                _,
            ) => Error::MechanismMissing(format!("needed for {what} ({rv:?})")),
            _ => Error::Pkcs11 {
                what: what.to_string(),
                source: e,
            },
        }
    }

    /// The message without its "HSM error: " heading, for wrapping in context.
    pub fn detail(&self) -> String {
        match self {
            Error::Pkcs11 { what, source } => {
                format!("{what} failed ({}){}", rv_name(source), hint(source))
            }
            Error::Hsm(m) => m.clone(),
            other => other.to_string(),
        }
    }

    /// The PKCS#11 return value behind this error, if there is one.
    pub fn rv(&self) -> Option<RvError> {
        match self {
            Error::Stopped { source, .. } => source.rv(),
            Error::Pkcs11 { source, .. }
            | Error::ModuleInit { source, .. }
            | Error::Cryptoki(source) => match source {
                CkError::Pkcs11(rv, _) => Some(*rv),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The return value's name (`DeviceRemoved`), or the error text for failures
/// that are not a PKCS#11 return value (library loading, bad arguments).
fn rv_name(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, _) => format!("{rv:?}"),
        other => other.to_string(),
    }
}

/// What a return value means for the ceremony, when it means more than its name.
fn hint(e: &CkError) -> &'static str {
    match e {
        CkError::Pkcs11(
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::DeviceError
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::SlotIdInvalid,
            _,
        ) => ": the token was removed or stopped answering",
        _ => "",
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;
    use cryptoki::context::Function;

    #[test]
    fn pkcs11_errors_stay_typed_and_map_to_exit_codes() {
        let removed = Error::pkcs11(
            CkError::Pkcs11(RvError::DeviceRemoved, Function::Sign),
            "signing",
        );
        assert_eq!(removed.rv(), Some(RvError::DeviceRemoved));
        assert_eq!(removed.exit_code(), 2);
        let text = removed.to_string();
        assert!(
            text.starts_with("HSM error: signing failed (DeviceRemoved)")
                && text.contains("the token was removed"),
            "{text}"
        );
        assert!(std::error::Error::source(&removed).is_some());
        let stopped = Error::Stopped {
            at: "while signing bundle 2 of 9 (b)".into(),
            source: Box::new(removed),
        };
        assert_eq!(stopped.rv(), Some(RvError::DeviceRemoved));
        assert_eq!(
            stopped.to_string(),
            "HSM error: while signing bundle 2 of 9 (b): signing failed (DeviceRemoved): the \
             token was removed or stopped answering; nothing was written"
        );
        let pin = Error::pkcs11(
            CkError::Pkcs11(RvError::PinIncorrect, Function::Login),
            "login",
        );
        assert!(matches!(pin, Error::WrongPin));
        let mech = Error::pkcs11(
            CkError::Pkcs11(RvError::MechanismInvalid, Function::Sign),
            "signing",
        );
        assert!(mech.to_string().contains("needed for signing"), "{mech}");
        assert_eq!(Error::CheckFailed("x".into()).exit_code(), 1);
        let from: Error = CkError::Pkcs11(RvError::GeneralError, Function::Sign).into();
        assert_eq!(from.rv(), Some(RvError::GeneralError));
    }
}
