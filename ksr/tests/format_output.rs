//! Atomic output: verified files land whole, refused ones leave no trace.

use ksr::output::{write_verified, OutputError};
use std::fs;
use std::path::Path;
use test_support::dir_names;

#[test]
fn verified_output_is_renamed_into_place() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("skr.xml");
    fs::write(&target, b"old").unwrap();
    let mut seen = None;
    write_verified(
        &target,
        b"new content",
        |tmp: &Path| -> Result<(), String> {
            // The callback sees the temp file, complete, in the same directory.
            assert_eq!(tmp.parent(), target.parent());
            assert_ne!(tmp, target.as_path());
            seen = Some(fs::read(tmp).unwrap());
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(seen.as_deref(), Some(&b"new content"[..]));
    assert_eq!(fs::read(&target).unwrap(), b"new content");
    assert_eq!(dir_names(dir.path()), vec!["skr.xml"]);
}

#[test]
fn failed_verification_leaves_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("skr.xml");
    fs::write(&target, b"old").unwrap();
    let mut tmp_path = None;
    let err = write_verified(&target, b"bad content", |tmp: &Path| {
        tmp_path = Some(tmp.to_path_buf());
        assert!(tmp.exists());
        Err("re-parse gave a different document")
    })
    .unwrap_err();
    match err {
        OutputError::Verify(m) => assert_eq!(m, "re-parse gave a different document"),
        other => panic!("unexpected {other}"),
    }
    assert_eq!(fs::read(&target).unwrap(), b"old");
    assert!(!tmp_path.unwrap().exists(), "temp file left behind");
    assert_eq!(dir_names(dir.path()), vec!["skr.xml"]);
}

#[test]
fn failed_verification_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new.xml");
    let r = write_verified(&target, b"x", |_: &Path| Err(()));
    assert!(matches!(r, Err(OutputError::Verify(()))));
    assert!(dir_names(dir.path()).is_empty());
}

#[test]
fn unwritable_directory_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-dir").join("skr.xml");
    let mut called = false;
    let err = write_verified(&target, b"x", |_: &Path| -> Result<(), ()> {
        called = true;
        Ok(())
    })
    .unwrap_err();
    assert!(!called);
    let shown = err.to_string();
    assert!(shown.contains("missing-dir/skr.xml"), "{shown}");
}
