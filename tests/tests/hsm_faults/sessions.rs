//! `sign-ksr --sessions 2`: the `C_Sign` rows and a lost session, with two
//! sessions signing on two threads. The module counts calls across the
//! process, so "the 3rd `C_Sign`" is the third signature asked for, whichever
//! session asked; which bundle that is depends on the threads, so the rows
//! ask for the step ("while signing bundle", "of 9") rather than its number.
//! A fault that stays (a pulled token, a lost session) fails the other
//! session's next call too, `C_SignInit` or `C_Sign`, and the error names the
//! earliest bundle that failed: those rows ask for "C_Sign" (which both names
//! start with) and the `CKR_` name; the fault log still shows where it fired.
//! Every row must show what the one-session rows show (`matrix.rs`).

use std::collections::BTreeSet;

use super::matrix::{self, Case, Cell, Leaves};
use super::{sign_ksr_setup, unchanged};
use test_support::pkcs11_shim::Fault;
use test_support::process::text;

const TWO_SESSION_CASES: &[Case] = &[
    Case {
        name: "sign-ksr, 2 sessions / token pulled at the 1st signature",
        faults: &[Fault::stays("C_Sign", 1, "CKR_DEVICE_REMOVED")],
        says: &[
            "while signing bundle ",
            " of 9",
            "C_Sign",
            " answered CKR_DEVICE_REMOVED",
            "the token was removed",
            "nothing was written",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr, 2 sessions / C_Sign fails at the 3rd signature",
        faults: &[Fault::once("C_Sign", 3, "CKR_DEVICE_ERROR")],
        says: &[
            "while signing bundle ",
            " of 9",
            "C_Sign answered CKR_DEVICE_ERROR",
            "the token reported a fault",
            "nothing was written",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr, 2 sessions / session handle invalid at the 9th signature",
        faults: &[Fault::once("C_Sign", 9, "CKR_SESSION_HANDLE_INVALID")],
        says: &[
            "while signing bundle ",
            " of 9",
            "C_Sign answered CKR_SESSION_HANDLE_INVALID",
            "nothing was written",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr, 2 sessions / session lost at the 5th signature",
        faults: &[Fault::stays("C_SignInit", 5, "CKR_SESSION_CLOSED")],
        says: &[
            "while signing bundle ",
            " of 9",
            "C_Sign",
            " answered CKR_SESSION_CLOSED",
            "nothing was written",
        ],
        leaves: Leaves::Nothing,
    },
];

#[test]
fn sign_ksr_faults_with_two_sessions() {
    let (setup, command) = sign_ksr_setup("2");
    // Without a fault both sessions sign: the rows below fail a run that
    // really signs on two sessions at once.
    let cell = Cell::new(&setup);
    let signed = cell.hsm.path("signed.log");
    let o = command(&cell)
        .env("FAULTY_SIGNED", &signed)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let log = std::fs::read_to_string(&signed).unwrap();
    let sessions: BTreeSet<&str> = log.lines().collect();
    assert_eq!(log.lines().count(), 9, "one signature a bundle: {log}");
    assert_eq!(sessions.len(), 2, "two sessions signed: {log}");
    drop(cell);
    matrix::run(&setup, TWO_SESSION_CASES, &command, &unchanged);
}
