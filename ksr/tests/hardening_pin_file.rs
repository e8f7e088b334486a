//! Issue 11, item 9: `ksr::secret::read_pin_file`, the PIN-file reader for
//! the ceremony: permissions, a bounded read, one newline stripped, BOM and
//! trailing white space refused — and no error ever shows the PIN.

use ksr::secret::{read_pin_file, PinFileError, MAX_PIN_FILE};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn pin_file(dir: &Path, name: &str, bytes: &[u8], mode: u32) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
    p
}

#[test]
fn exactly_one_trailing_newline_is_stripped() {
    let dir = tempfile::tempdir().unwrap();
    for (bytes, want) in [
        (&b"1234\n"[..], "1234"),
        (b"1234", "1234"),
        (b"p\xC3\xA4ss word\n", "p\u{e4}ss word"),
    ] {
        let p = pin_file(dir.path(), "pin", bytes, 0o600);
        assert_eq!(read_pin_file(&p).unwrap().as_str(), want);
    }
    let p = pin_file(dir.path(), "pin", &[b'7'; MAX_PIN_FILE], 0o400);
    assert_eq!(read_pin_file(&p).unwrap().len(), MAX_PIN_FILE);
}

#[test]
fn what_would_send_a_wrong_pin_is_refused_without_showing_it() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[u8], &str)] = &[
        (b"secret-1234\n\n", "white space"),
        (b"secret-1234 \n", "white space"),
        (b"secret-1234\t", "white space"),
        (b"secret-1234\r\n", "Windows CR"),
        (b"\xEF\xBB\xBFsecret-1234\n", "byte order mark"),
        (b"\n", "is empty"),
        (b"", "is empty"),
        (b"secret-\xFF1234", "not UTF-8"),
    ];
    for (bytes, want) in cases {
        let p = pin_file(dir.path(), "pin", bytes, 0o600);
        let e = read_pin_file(&p).unwrap_err().to_string();
        assert!(e.contains(want), "{bytes:?}: {e}");
        assert!(e.contains(p.to_str().unwrap()), "{e}");
        assert!(!e.contains("secret"), "the PIN leaked: {e}");
    }
}

#[test]
fn a_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for mode in [0o644, 0o640, 0o604, 0o660, 0o602] {
        let p = pin_file(dir.path(), "pin", b"1234\n", mode);
        match read_pin_file(&p) {
            Err(PinFileError::Permissions { mode: m, .. }) => assert_eq!(m, mode),
            other => panic!("{mode:o}: {other:?}"),
        }
    }
    let p = pin_file(dir.path(), "pin", b"1234\n", 0o644);
    let e = read_pin_file(&p).unwrap_err().to_string();
    assert!(e.contains("chmod 600"), "{e}");
}

#[test]
fn an_endless_source_is_read_only_up_to_the_cap() {
    // A FIFO fed without end stands in for /dev/zero: the read stops after
    // MAX_PIN_FILE + 1 bytes instead of growing.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pin.fifo");
    let st = std::process::Command::new("mkfifo")
        .arg("-m")
        .arg("600")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut w = fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        let chunk = [0u8; 4096];
        let mut sent = 0usize;
        // Stops when the reader closes its end (EPIPE), or after 64 MiB.
        while sent < 64 << 20 {
            match w.write(&chunk) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        sent
    });
    let r = read_pin_file(&fifo);
    assert!(matches!(r, Err(PinFileError::TooLong { .. })), "{r:?}");
    let sent = writer.join().unwrap();
    assert!(sent < 64 << 20, "the reader kept reading: {sent} bytes");
}

#[test]
fn a_missing_file_names_the_path() {
    let e = read_pin_file(Path::new("/nonexistent/pin")).unwrap_err();
    assert!(matches!(e, PinFileError::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/pin"));
}
