//! With a PIN file the token starts up while the KSR's checks run
//! (`SignOptions::open_during_checks`): the run's outcome must be the one the
//! checks decide, as when the token is opened after them.

use std::sync::atomic::{AtomicBool, Ordering};

use super::confirm::Confirmation;
use super::pipeline;
use super::soft::SoftStore;
use super::tests::{case, store, Case};
use crate::error::{Error, Result};
use ksr::timefmt;

#[test]
fn a_token_opened_during_the_checks_signs_only_a_ksr_that_passed() {
    let Case {
        dir: _dir,
        hash,
        opts: o,
        ..
    } = case();
    let mut o = o;
    o.open_during_checks = true;

    // A KSR that fails its checks (a late --at puts expirations past the
    // horizon): the check failure is the outcome, the token was opened but
    // nothing was signed or written.
    let opened = AtomicBool::new(false);
    let mut late = o.clone();
    late.at = timefmt::parse_at("2027-01-01").unwrap();
    let mut log = Vec::new();
    let e = pipeline::sign_ksr(
        &late,
        || {
            opened.store(true, Ordering::SeqCst);
            let mut st = store();
            // Any signature would fail the run with an HSM error instead.
            st.fail_after = Some(0);
            Ok(st)
        },
        Confirmation::Expect(&hash),
        &mut log,
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 1, "{e}");
    assert!(opened.load(Ordering::SeqCst));
    assert!(!o.out.exists());

    // Both fail: the KSR's failure is the error, and the token's is said too
    // (a wrong PIN spends a try even though the KSR stopped the run).
    let wrong_pin =
        || -> Result<SoftStore> { Err(Error::Hsm("C_Login: CKR_PIN_INCORRECT".into())) };
    let mut log = Vec::new();
    let e =
        pipeline::sign_ksr(&late, wrong_pin, Confirmation::Expect(&hash), &mut log).unwrap_err();
    assert_eq!(e.exit_code(), 1, "{e}");
    let text = String::from_utf8(log).unwrap();
    assert!(
        text.contains("The token could not be opened either") && text.contains("CKR_PIN_INCORRECT"),
        "{text}"
    );

    // A good KSR and a token that cannot be opened: the token's error.
    let e = pipeline::sign_ksr(&o, wrong_pin, Confirmation::Expect(&hash), &mut Vec::new())
        .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    assert!(e.to_string().contains("CKR_PIN_INCORRECT"), "{e}");
    assert!(!o.out.exists());

    // The same KSR and token give the same SKR, opened during or after the checks.
    let during = pipeline::sign_ksr(
        &o,
        || Ok(store()),
        Confirmation::Expect(&hash),
        &mut Vec::new(),
    )
    .unwrap();
    let first = std::fs::read(&o.out).unwrap();
    std::fs::remove_file(&o.out).unwrap();
    let mut after = o.clone();
    after.open_during_checks = false;
    let signed = pipeline::sign_ksr(
        &after,
        || Ok(store()),
        Confirmation::Expect(&hash),
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(during.skr_sha256, signed.skr_sha256);
    assert_eq!(std::fs::read(&o.out).unwrap(), first);
}

#[test]
fn an_output_refused_by_the_preflight_never_opens_the_token() {
    let Case {
        dir, opts: mut o, ..
    } = case();
    o.open_during_checks = true;
    o.out = dir.path().join("no-such-dir").join("skr.xml");
    let never = || -> Result<SoftStore> { panic!("the token was opened") };
    let e = pipeline::sign_ksr(
        &o,
        never,
        Confirmation::Expect(&"0".repeat(64)),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
}
