//! Output: text for people, JSON and CSV for programs, SVG for reports. Files
//! are written to a temporary file next to the target, checked, then renamed,
//! so a reader never sees half a file.

pub mod csv;
pub mod json;
pub mod svg;
pub mod text;

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically after `verify` accepts them.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    verify: impl Fn(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    verify(bytes).map_err(|e| {
        format!(
            "refusing to write {}: output failed its own check: {e}",
            path.display()
        )
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    let written = std::fs::read(tmp.path()).map_err(fail)?;
    if written != bytes {
        return Err(format!(
            "cannot write {}: the temporary file does not read back identically",
            path.display()
        ));
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
