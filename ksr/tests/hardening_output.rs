//! Issue 11, item 1: an output option never replaces anything but a regular
//! file, replaces one only with `--force`, and is refused before any work.
//! Special files are made in a temp dir (a FIFO with `mkfifo`, a symlink),
//! never a real /dev node.

mod common;

use common::ksr;
use ksr::output::{write_verified, OutputError, Target, TargetError};
use ksr::testkit::fixture_path;
use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use test_support::{dir_names, mkfifo};

fn skr() -> String {
    fixture_path("skr-root-2017-q2-0.xml").display().to_string()
}

fn stderr(o: &common::Run) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn export_to(out: &Path, extra: &[&str]) -> common::Run {
    let skr = skr();
    let mut args = vec![
        "export",
        &skr,
        "--dialect",
        "knot",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ksr(&args)
}

#[test]
fn export_refuses_a_fifo_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.skr");
    mkfifo(&fifo);
    for extra in [&[][..], &["--force"][..]] {
        let o = export_to(&fifo, extra);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("is a FIFO, not a regular file"), "{e}");
        // Refused before the checks ran: no check line was printed.
        assert!(!e.contains("PASS"), "{e}");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(dir_names(dir.path()), vec!["out.skr"], "no temp file left");
    }
    // Before any work: even a missing input is not looked at.
    let o = ksr(&[
        "export",
        "/nonexistent/ksr.xml",
        "--dialect",
        "knot",
        "--out",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("FIFO"), "{}", stderr(&o));
}

#[test]
fn export_refuses_a_symlink_and_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, b"keep me").unwrap();
    let link = dir.path().join("link.skr");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let o = export_to(&link, &["--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a symbolic link"), "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(&victim).unwrap(), b"keep me");

    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let o = export_to(&sub, &["--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    assert!(sub.is_dir());
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.skr");
    fs::write(&out, b"old").unwrap();
    let o = export_to(&out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("without --force"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("PASS"), "refused before the checks");
    assert_eq!(fs::read(&out).unwrap(), b"old");

    let o = export_to(&out, &["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(fs::read(&out).unwrap().starts_with(b";; SignedKeyResponse"));
    assert_eq!(dir_names(dir.path()), vec!["out.skr"]);
    // --force only goes with --out.
    let o = ksr(&["export", &skr(), "--dialect", "knot", "--force"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_unusable_directory_is_refused_before_any_work() {
    // Root ignores mode bits, so an unwritable directory is one that cannot
    // be: a path whose parent is a regular file, and one that does not exist.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain");
    fs::write(&file, b"x").unwrap();
    for out in [file.join("out.skr"), dir.path().join("missing/out.skr")] {
        let o = export_to(&out, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains("cannot write in the directory of"), "{e}");
        assert!(!e.contains("PASS"), "{e}");
    }
}

#[test]
fn no_room_is_refused_by_the_preflight() {
    // No file system here has 2^62 bytes free: the real statvfs answer is
    // compared with the need, as it is for an export's estimate.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("big.out");
    match Target::prepare_with_room(&out, false, 1 << 62) {
        Err(TargetError::NoRoom { free, need, .. }) => {
            assert!(free < need);
            assert_eq!(need, 1 << 62);
        }
        other => panic!("expected NoRoom, got {other:?}"),
    }
    assert!(
        dir_names(dir.path()).is_empty(),
        "the probe file is removed"
    );
    // The default need is met on the test machine.
    let t = Target::prepare(&out, false).unwrap();
    t.write_verified(b"x", |_| Ok::<(), String>(())).unwrap();
    assert_eq!(fs::read(&out).unwrap(), b"x");
}

#[test]
fn a_target_that_changes_after_the_preflight_is_refused_at_the_rename() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Absent at the preflight, a FIFO by the time of the rename.
    let t = Target::prepare(&out, true).unwrap();
    let r = t.write_verified(b"data", |_| {
        mkfifo(&out);
        Ok::<(), String>(())
    });
    assert!(matches!(r, Err(OutputError::Io { .. })), "{r:?}");
    assert!(fs::symlink_metadata(&out).unwrap().file_type().is_fifo());
    // Absent at the preflight without --force, a regular file at the rename.
    let other = dir.path().join("other");
    let t = Target::prepare(&other, false).unwrap();
    let r = t.write_verified(b"data", |_| {
        fs::write(&other, b"theirs").unwrap();
        Ok::<(), String>(())
    });
    assert!(matches!(r, Err(OutputError::Io { .. })), "{r:?}");
    assert_eq!(fs::read(&other).unwrap(), b"theirs");
    assert_eq!(dir_names(dir.path()), vec!["other", "out"]);
}

#[test]
fn write_verified_refuses_to_rename_over_a_special_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let mut verified = false;
    let r = write_verified(&fifo, b"x", |_| {
        verified = true;
        Ok::<(), String>(())
    });
    match r {
        Err(OutputError::Io { source, .. }) => {
            assert!(source.to_string().contains("FIFO"), "{source}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!verified, "refused before the write");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // A FIFO that appears during verification is refused at the rename.
    let late = dir.path().join("late");
    let r = write_verified(&late, b"x", |_| {
        mkfifo(&late);
        Ok::<(), String>(())
    });
    assert!(matches!(r, Err(OutputError::Io { .. })), "{r:?}");
    assert!(fs::symlink_metadata(&late).unwrap().file_type().is_fifo());
    assert_eq!(dir_names(dir.path()), vec!["fifo", "late"]);
    // A regular file is still replaced, as callers without --force expect.
    let plain = dir.path().join("plain");
    fs::write(&plain, b"old").unwrap();
    write_verified(&plain, b"new", |_| Ok::<(), String>(())).unwrap();
    assert_eq!(fs::read(&plain).unwrap(), b"new");
}
