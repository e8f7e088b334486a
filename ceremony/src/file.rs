//! Every file the ceremony writes goes to a temp file beside its destination, is
//! checked there, and only then renamed into place: never a half-written or
//! unverified output.
//!
//! Output options go through [`prepare`] (`ksr::output::Target`) before any
//! token work: the path must be absent or a regular file (never a device, a
//! FIFO, a symlink or a directory), an existing file is replaced only with
//! `--force`, and the directory must take a new file and have room for it.

use std::path::Path;

use ksr::output::{self, OutputError, Target};

use crate::error::{Error, Result};

/// The preflight of an output option, before the token is opened: `option`
/// names it in errors (`--out`), `need` is the room the output may take.
/// Refusals are usage errors (exit 2).
pub fn prepare(option: &str, path: &Path, force: bool, need: u64) -> Result<Target> {
    Target::prepare_with_room(path, force, need.max(output::MIN_ROOM))
        .map_err(|e| Error::Input(format!("{option}: {e}")))
}

/// Refuses an output that is the command's audit log (`--audit-log`): with
/// `--force` it would replace the hash chain, and the command's last record
/// would go to a file that no longer has a name.
pub fn refuse_audit_log(option: &str, path: &Path, audit_log: &Path) -> Result<()> {
    if output::same_file(path, audit_log) {
        return Err(Error::Input(format!(
            "{option}: {} is the audit log ({}); an output never replaces it: write elsewhere",
            path.display(),
            audit_log.display()
        )));
    }
    Ok(())
}

/// Writes `bytes` to a prepared target through its temp file, which `verify`
/// must accept before it is renamed into place.
pub fn write_target(
    target: Target,
    bytes: &[u8],
    verify: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    target.write_verified(bytes, verify).map_err(map_output)
}

/// Writes `bytes` to `path` through a temp file that `verify` must accept first.
/// Stale temp files of `path` are swept on the way; the command's preflight
/// (`Operation::written_paths`) has already swept and reported them, so what
/// is left to sweep here is not told again.
pub fn write_verified(
    path: &Path,
    bytes: &[u8],
    verify: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    output::write_verified(path, bytes, verify)
        .map(drop)
        .map_err(map_output)
}

/// Writes `bytes` to `path` through a temp file (for files with nothing to re-check).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_verified(path, bytes, |_| Ok(()))
}

fn map_output(e: OutputError<Error>) -> Error {
    match e {
        OutputError::Io { path, source } => Error::Io(format!("cannot write {path}: {source}")),
        OutputError::Verify(e) => e,
    }
}
