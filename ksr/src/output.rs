//! Nothing is ever half-written: outputs go to a temp file in the target's
//! directory, are verified, then renamed into place.
//!
//! STUB: signatures fixed, bodies to be written (owner: ksr-format work).

use std::path::Path;

/// Writes `bytes` to a temp file beside `path`, runs `verify` on the temp file's
/// path, and renames it to `path` only if `verify` succeeds. On any error the temp
/// file is removed and `path` is untouched.
pub fn write_verified<E, F>(path: &Path, bytes: &[u8], verify: F) -> Result<(), OutputError<E>>
where
    F: FnOnce(&Path) -> Result<(), E>,
{
    let _ = (path, bytes, verify);
    todo!()
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError<E> {
    #[error("cannot write {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("verification of the new file failed; nothing was written")]
    Verify(E),
}
