//! What stops a `ksr` command, and the one mapping to exit codes (README: "Exit
//! codes"): a failed check is not an error (the command returns 1 itself);
//! everything here is unusable input or usage (2), except a closed stdout,
//! which ends the command quietly (0).

use crate::export::ExportError;
use crate::output::OutputError;
use crate::verify::VerifyError;
use crate::xml::ParseError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A KSR/SKR did not parse: `FILE:LINE: element: message`.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The inputs of a verification are unusable.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// An option's value, or options that do not go together.
    #[error("{0}")]
    Usage(String),
    /// A file that is not a KSR/SKR (policy, file to hash) is unusable.
    #[error("{0}")]
    Input(String),
    /// The SKR cannot be exported as asked.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A conversion refused, or its output failed the after-write check.
    #[error(transparent)]
    Convert(#[from] crate::convert::ConvertError),
    /// Exporting would lose records of a text SKR.
    #[error("{0}")]
    WouldDrop(String),
    /// An output file could not be written, or failed its check before the
    /// rename (then nothing was written).
    #[error("{0}")]
    Write(String),
    /// An output path refused before any work (not a regular file, exists
    /// without `--force`, directory unwritable or full).
    #[error(transparent)]
    Target(#[from] crate::output::TargetError),
    /// Writing the command's own output failed (a closed pipe, a full disk).
    #[error("cannot write to stdout: {0}")]
    Stdout(#[source] std::io::Error),
}

impl Error {
    /// The exit code of a command that stopped with this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Stdout(e) if crate::env::is_closed_pipe(e) => crate::env::exit::OK,
            _ => crate::env::exit::UNUSABLE,
        }
    }
}

impl From<OutputError<ExportError>> for Error {
    fn from(e: OutputError<ExportError>) -> Error {
        match e {
            OutputError::Verify(m) => Error::Write(format!("{m}; nothing was written")),
            other => Error::Write(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<OutputError<crate::convert::ConvertError>> for Error {
    fn from(e: OutputError<crate::convert::ConvertError>) -> Error {
        match e {
            OutputError::Verify(m) => Error::Write(format!("{m}; nothing was written")),
            other => Error::Write(other.to_string()),
        }
    }
}
