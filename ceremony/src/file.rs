//! Every file the ceremony writes goes to a temp file beside its destination, is
//! checked there, and only then renamed into place: never a half-written or
//! unverified output.

use std::path::Path;

use ksr::output::{self, OutputError};

use crate::error::{Error, Result};

/// Writes `bytes` to `path` through a temp file that `verify` must accept first.
pub fn write_verified(
    path: &Path,
    bytes: &[u8],
    verify: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    output::write_verified(path, bytes, verify).map_err(|e| match e {
        OutputError::Io { path, source } => Error::Io(format!("cannot write {path}: {source}")),
        OutputError::Verify(e) => e,
    })
}

/// Writes `bytes` to `path` through a temp file (for files with nothing to re-check).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_verified(path, bytes, |_| Ok(()))
}
