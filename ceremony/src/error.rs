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
    /// A PKCS#11 call failed during `what` (device removed, session closed, ...):
    /// "signing ... failed: C_Sign answered CKR_DEVICE_REMOVED: ...".
    #[error("HSM error: {what} failed: {}{}", rv_name(.source), hint(.source))]
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
    /// A failure part-way through an operation that changes the token (keygen,
    /// restore, transport key): where it stopped, and what became of the
    /// objects it had made (deleted again, or left and named, with what to do).
    #[error("{}{at}: {}; {cleanup}", .source.heading(), .source.detail())]
    Undone {
        at: String,
        #[source]
        source: Box<Error>,
        cleanup: String,
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
            Error::Undone { source, .. } => source.exit_code(),
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
                format!("{what} failed: {}{}", rv_name(source), hint(source))
            }
            Error::Hsm(m) => m.clone(),
            Error::CheckFailed(m) => m.clone(),
            other => other.to_string(),
        }
    }

    /// What kind of failure [`Error::Undone`] reports first, as the error
    /// itself would: a failed check, the HSM, or none for local I/O and input.
    fn heading(&self) -> &'static str {
        match self {
            Error::CheckFailed(_) => "check failed: ",
            Error::Io(_) | Error::Input(_) => "",
            _ => "HSM error: ",
        }
    }

    /// Wraps a failure after an operation made objects on the token: `at` says
    /// where it stopped, `cleanup` what became of those objects.
    pub fn undone(self, at: &str, cleanup: String) -> Error {
        Error::Undone {
            at: at.to_string(),
            source: Box::new(self),
            cleanup,
        }
    }

    /// The PKCS#11 return value behind this error, if there is one.
    pub fn rv(&self) -> Option<RvError> {
        match self {
            Error::Stopped { source, .. } | Error::Undone { source, .. } => source.rv(),
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

/// The function and what it answered, in PKCS#11's own names (`C_Sign
/// answered CKR_DEVICE_REMOVED`, as a token's documentation and logs spell
/// them), or the error text for failures that are not a PKCS#11 return value
/// (library loading, bad arguments).
fn rv_name(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, function) => format!("C_{function:?} answered {}", ckr_name(rv)),
        other => other.to_string(),
    }
}

/// PKCS#11's name of a return value: `DeviceRemoved` is `CKR_DEVICE_REMOVED`.
pub fn ckr_name(rv: &RvError) -> String {
    let camel = format!("{rv:?}");
    if !camel.chars().all(|c| c.is_ascii_alphanumeric()) {
        return camel; // VendorDefined(n)
    }
    let mut name = String::from("CKR");
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

/// What a return value means for the ceremony, when it means more than its name.
fn hint(e: &CkError) -> &'static str {
    match e {
        CkError::Pkcs11(
            RvError::DeviceRemoved | RvError::TokenNotPresent | RvError::SlotIdInvalid,
            _,
        ) => ": the token was removed or stopped answering; reconnect it and run the command again",
        CkError::Pkcs11(RvError::SessionHandleInvalid | RvError::SessionClosed, _) => {
            ": the token closed the session (it was reset, removed or stopped answering); run the command again"
        }
        CkError::Pkcs11(
            RvError::DeviceError
            | RvError::DeviceMemory
            | RvError::FunctionFailed
            | RvError::GeneralError,
            _,
        ) => ": the token reported a fault; run the command again, and if it recurs check the token",
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
            text.starts_with("HSM error: signing failed: C_Sign answered CKR_DEVICE_REMOVED")
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
            "HSM error: while signing bundle 2 of 9 (b): signing failed: C_Sign answered \
             CKR_DEVICE_REMOVED: the token was removed or stopped answering; reconnect it and \
             run the command again; nothing was written"
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
        let lost = Error::pkcs11(
            CkError::Pkcs11(RvError::SessionHandleInvalid, Function::GenerateKeyPair),
            "generating a key pair",
        )
        .undone("keygen of \"k\"", "nothing was made".into());
        assert_eq!(lost.exit_code(), 2);
        assert_eq!(lost.rv(), Some(RvError::SessionHandleInvalid));
        assert!(
            lost.to_string().starts_with(
                "HSM error: keygen of \"k\": generating a key pair failed: C_GenerateKeyPair \
                 answered CKR_SESSION_HANDLE_INVALID: the token closed the session"
            ) && lost.to_string().ends_with("; nothing was made"),
            "{lost}"
        );
        let check = Error::CheckFailed("KEY-PROOF: x".into()).undone("keygen", "deleted".into());
        assert_eq!(check.exit_code(), 1);
        assert_eq!(
            check.to_string(),
            "check failed: keygen: KEY-PROOF: x; deleted"
        );
        let io =
            Error::Io("cannot write t.json: disk full".into()).undone("writing", "gone".into());
        assert_eq!(
            io.to_string(),
            "writing: cannot write t.json: disk full; gone"
        );
        assert_eq!(ckr_name(&RvError::DeviceRemoved), "CKR_DEVICE_REMOVED");
        assert_eq!(ckr_name(&RvError::PinLenRange), "CKR_PIN_LEN_RANGE");
    }
}
