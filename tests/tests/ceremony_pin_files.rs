//! `ceremony` reads PIN files through `ksr::secret::read_pin_file` before any
//! `C_Login` (issue 11, item 9): a file others may read, or a PIN with
//! trailing white space, is refused (exit 2, naming the file, never the PIN)
//! and the token's retry counter is never touched. The counter is the one the
//! forwarding `faulty_module` keeps: its state file is written by every user
//! `C_Login`, right or wrong, so its absence proves no login was tried.

use std::os::unix::fs::PermissionsExt;

use test_support::pkcs11_shim::faulty_module;
use test_support::process::{ok, stderr, text};
use test_support::softhsm::SoftHsm;

#[test]
fn pin_files_are_checked_before_any_login() {
    let hsm = SoftHsm::new_by_ceremony("pinfile");
    let module = faulty_module(hsm.dir.path());
    let state = hsm.path("faulty-state");
    let run = |pin: &std::path::Path| {
        hsm.command(&["inventory", "--token", "pinfile", "--module"])
            .arg(&module)
            .arg("--pin-file")
            .arg(pin)
            .env("FAULTY_STATE", &state)
            .output()
            .unwrap()
    };
    let refused = |o: &std::process::Output, file: &str, needle: &str| {
        assert_eq!(o.status.code(), Some(2), "{}", text(o));
        let e = stderr(o);
        assert!(e.contains(file) && e.contains(needle), "{}", text(o));
        hsm.assert_no_pin(o);
        assert!(!state.exists(), "a C_Login was tried: {}", text(o));
    };

    // The right PIN, but in a file the group and others may read.
    let open = hsm.path("open.pin");
    std::fs::write(&open, format!("{}\n", hsm.pin)).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    refused(&run(&open), "open.pin", "chmod 600");

    // The right PIN followed by a space (an editor's leftover): it would be
    // sent as part of the PIN and cost a try.
    let spaced = hsm.path("spaced.pin");
    test_support::write_private(&spaced, format!("{} \n", hsm.pin));
    refused(&run(&spaced), "spaced.pin", "white space");

    // A byte order mark, and more than 256 bytes.
    let bom = hsm.path("bom.pin");
    test_support::write_private(&bom, format!("\u{feff}{}\n", hsm.pin));
    refused(&run(&bom), "bom.pin", "byte order mark");
    let long = hsm.path("long.pin");
    test_support::write_private(&long, "1".repeat(300));
    refused(&run(&long), "long.pin", "256 bytes");

    // The same PIN in a private file with one newline logs in.
    ok(run(&hsm.pin_file));
    assert_eq!(std::fs::read_to_string(&state).unwrap().trim(), "0");
}
