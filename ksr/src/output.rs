//! Nothing is ever half-written: outputs go to a temp file in the target's
//! directory, are verified, then renamed into place.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to a temp file beside `path`, runs `verify` on the temp file's
/// path, and renames it to `path` only if `verify` succeeds. On any error the temp
/// file is removed and `path` is untouched.
pub fn write_verified<E, F>(path: &Path, bytes: &[u8], verify: F) -> Result<(), OutputError<E>>
where
    F: FnOnce(&Path) -> Result<(), E>,
{
    let shown = path.display().to_string();
    let io = |source: std::io::Error| OutputError::Io {
        path: shown.clone(),
        source,
    };
    // Same directory, so the final rename is atomic (no cross-device copy).
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = format!(
        ".{}.",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into())
    );
    // NamedTempFile deletes the file when dropped, which covers every early return.
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.flush().map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    verify(tmp.path()).map_err(OutputError::Verify)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    // Make the rename itself durable.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temp file, for outputs with nothing to
/// re-check (the rename is still atomic).
pub fn write_atomically(
    path: &Path,
    bytes: &[u8],
) -> Result<(), OutputError<std::convert::Infallible>> {
    write_verified(path, bytes, |_| Ok(()))
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError<E> {
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("verification of the new file failed; nothing was written")]
    Verify(E),
}
