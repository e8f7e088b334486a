//! Output: text for people, JSON and CSV for programs, SVG for reports. Files
//! go through `ksr::output` (temporary file beside the target, checked, then
//! renamed), so a reader never sees half a file; [`check_written`] is the check.

pub mod csv;
pub mod json;
pub mod svg;
pub mod text;

use std::path::Path;

/// The check `ksr::output` runs on the temporary file before renaming it into
/// place: it reads back as `bytes`, and `verify` (the format's own check)
/// accepts them. Reports are not secret: the file gets the mode a plain
/// write would give (0644), not the temporary file's 0600.
pub fn check_written(
    tmp: &Path,
    bytes: &[u8],
    verify: impl FnOnce(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    let written = std::fs::read(tmp).map_err(|e| format!("cannot read it back: {e}"))?;
    if written != bytes {
        return Err("the temporary file does not read back identically".into());
    }
    verify(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(0o644))
            .map_err(|e| format!("cannot set its permissions: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_failing_its_check_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.json");
        let r = ksr::output::write_verified(&target, b"{not json", |tmp| {
            check_written(tmp, b"{not json", json::verify)
        });
        assert!(matches!(r, Err(ksr::output::OutputError::Verify(_))));
        assert!(!target.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no temp file left"
        );
        ksr::output::write_verified(&target, b"{}\n", |tmp| {
            check_written(tmp, b"{}\n", json::verify)
        })
        .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{}\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }
}

#[cfg(all(test, unix))]
mod sweep_tests {
    #[test]
    fn the_path_only_writer_sweeps_stale_temp_files_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("page.html");
        let stale = dir.path().join(format!(
            ".page.html.{}.AbCdEf.tmp",
            test_support::dead_pid()
        ));
        let live = dir
            .path()
            .join(format!(".page.html.{}.AbCdEf.tmp", std::process::id()));
        std::fs::write(&stale, b"partial").unwrap();
        std::fs::write(&live, b"being written").unwrap();
        let env = ksr::env::FakeEnv::new();
        crate::cli::save(&env, &target, b"<p>ok</p>", |_| Ok(())).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"<p>ok</p>");
        assert!(!stale.exists(), "the dead run's temp file is gone");
        assert!(live.exists(), "a running process's temp file stays");
        assert_eq!(
            env.stderr_text(),
            format!(
                "rollover-sim: removed stale temp file {} (left by a run that was killed)\n",
                stale.display()
            )
        );
    }
}
