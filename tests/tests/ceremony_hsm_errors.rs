//! Distinct errors (exit 2) for the HSM conditions an officer must tell apart,
//! against real SoftHSM2 tokens, and PINs never showing in any output.
//! Conditions SoftHSM cannot produce itself (a PIN retry counter that locks, a
//! token vanishing mid-run) use `faulty_module`, which forwards to SoftHSM.

use test_support::pkcs11_shim::faulty_module;
use test_support::process::{ok, stderr, stdout, text};
use test_support::softhsm::SoftHsm;

fn keygen(hsm: &SoftHsm, token: &str, label: &str, alg: &str) {
    let o = ok(hsm.keygen(token, label, alg, "example.test", &[]));
    hsm.assert_no_pin(&o);
}

fn exit2(o: &std::process::Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", text(o));
    assert!(
        stderr(o).contains(needle),
        "expected {needle:?} in {}",
        text(o)
    );
}

#[test]
fn wrong_pin_is_named_and_no_pin_is_ever_printed() {
    let hsm = SoftHsm::new_by_ceremony("pins");
    keygen(&hsm, "pins", "k", "ecdsap256sha256");
    let wrong = format!("{}-but-wrong", hsm.pin);
    let wrong_file = hsm.path("wrong.pin");
    test_support::write_private(&wrong_file, &wrong);
    for args in [
        vec!["inventory"],
        vec!["prove", "--label", "k"],
        vec![
            "keygen",
            "--label",
            "k2",
            "--algorithm",
            "ed25519",
            "--zone",
            "x.",
        ],
        vec!["delete", "--label", "k", "--confirm", "k"],
    ] {
        let o = hsm
            .command(&args)
            .args(["--token", "pins", "--pin-file"])
            .arg(&wrong_file)
            .output()
            .unwrap();
        exit2(&o, "wrong PIN");
        hsm.assert_no_pin(&o);
        assert!(
            !stdout(&o).contains(&wrong) && !stderr(&o).contains(&wrong),
            "{}",
            text(&o)
        );
    }
    // The key survived the refused delete, and every successful command is PIN-free too.
    let o = ok(hsm.run("pins", &["inventory", "--json"]));
    hsm.assert_no_pin(&o);
    assert!(stdout(&o).contains("\"label\": \"k\""), "{}", text(&o));
    for args in [vec!["hsm", "info"], vec!["prove", "--label", "k"]] {
        let o = ok(hsm.run("pins", &args));
        hsm.assert_no_pin(&o);
    }
    // An empty or unreadable PIN file is unusable input, named by path.
    let empty = hsm.path("empty.pin");
    test_support::write_private(&empty, "\n");
    let o = hsm
        .command(&["inventory", "--token", "pins", "--pin-file"])
        .arg(&empty)
        .output()
        .unwrap();
    exit2(&o, "empty.pin");
}

#[test]
fn pin_locked_after_the_token_counts_out_wrong_pins() {
    let hsm = SoftHsm::new_by_ceremony("lock");
    keygen(&hsm, "lock", "k", "ed25519");
    let module = faulty_module(hsm.dir.path());
    let state = hsm.path("faulty-state");
    let wrong = hsm.path("wrong.pin");
    test_support::write_private(&wrong, "0000");
    let run = |pin: &std::path::Path| {
        hsm.command(&["prove", "--label", "k", "--token", "lock", "--module"])
            .arg(&module)
            .arg("--pin-file")
            .arg(pin)
            .env("FAULTY_STATE", &state)
            .env("FAULTY_MAX_TRIES", "3")
            .output()
            .unwrap()
    };
    // Through the forwarding module, the right PIN works.
    ok(run(&hsm.pin_file));
    exit2(&run(&wrong), "wrong PIN");
    exit2(&run(&wrong), "wrong PIN");
    let third = run(&wrong);
    exit2(&third, "PIN is locked");
    assert!(
        !stderr(&third).contains("wrong PIN"),
        "locked is not reported as wrong: {}",
        text(&third)
    );
    // Now even the right PIN is refused as locked, and says who can help.
    let o = run(&hsm.pin_file);
    exit2(&o, "security officer");
    hsm.assert_no_pin(&o);
    let info = hsm
        .command(&["hsm", "info", "--token", "lock", "--module"])
        .arg(&module)
        .env("FAULTY_STATE", &state)
        .output()
        .unwrap();
    assert!(stdout(&ok(info)).contains("user PIN state: LOCKED"));
}

#[test]
fn missing_key_token_and_module_are_distinct() {
    let hsm = SoftHsm::new_by_ceremony("miss");
    keygen(&hsm, "miss", "present", "ecdsap256sha256");
    let o = hsm.run("miss", &["prove", "--label", "absent"]);
    exit2(&o, "no key labelled \"absent\"");
    let o = hsm.run(
        "miss",
        &["delete", "--label", "absent", "--confirm", "absent"],
    );
    exit2(&o, "no key labelled \"absent\"");
    let o = hsm.run("other-token", &["inventory"]);
    exit2(&o, "no token labelled \"other-token\"");

    let o = hsm
        .command(&[
            "inventory",
            "--token",
            "miss",
            "--module",
            "/nonexistent/libpkcs11.so",
        ])
        .output()
        .unwrap();
    exit2(&o, "cannot load PKCS#11 module: /nonexistent/libpkcs11.so");
    // PKCS11_MODULE is honoured, and a file that is no library is reported as such.
    let junk = hsm.path("junk.so");
    std::fs::write(&junk, "not a shared object").unwrap();
    let o = hsm
        .command(&["inventory", "--token", "miss", "--pin-file"])
        .arg(&hsm.pin_file)
        .env("PKCS11_MODULE", &junk)
        .output()
        .unwrap();
    exit2(&o, "cannot load PKCS#11 module");
    assert!(stderr(&o).contains("junk.so"), "{}", text(&o));
    hsm.assert_no_pin(&o);
}

#[test]
fn a_mechanism_the_token_lacks_is_named() {
    let hsm = SoftHsm::new_by_ceremony("mech");
    keygen(&hsm, "mech", "ed", "ed25519");
    // SoftHSM's own switch to withdraw mechanisms from its slots. (2.6.1 parses
    // a negative list as "-FIRST,..." and skips FIRST, hence the repetition.)
    let conf = hsm.path("no-eddsa.conf");
    let mut text_conf = std::fs::read_to_string(&hsm.conf).unwrap();
    text_conf.push_str("slots.mechanisms = -CKM_EDDSA,CKM_EDDSA,CKM_EC_EDWARDS_KEY_PAIR_GEN\n");
    std::fs::write(&conf, text_conf).unwrap();
    let run = |args: &[&str]| {
        hsm.with_token("mech", args)
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .unwrap()
    };
    let o = run(&[
        "keygen",
        "--label",
        "ed2",
        "--algorithm",
        "ed25519",
        "--zone",
        "x.",
    ]);
    exit2(&o, "does not offer mechanism EC-EDWARDS-KEY-PAIR-GEN");
    let o = run(&["prove", "--label", "ed"]);
    exit2(&o, "does not offer mechanism EDDSA");
    // Other algorithms still work on that token.
    ok(run(&[
        "keygen",
        "--label",
        "ec",
        "--algorithm",
        "ecdsap256sha256",
        "--zone",
        "x.",
    ]));
}

#[test]
fn token_removed_while_signing_is_an_hsm_error() {
    let hsm = SoftHsm::new_by_ceremony("gone");
    keygen(&hsm, "gone", "k", "rsasha256");
    let module = faulty_module(hsm.dir.path());
    let o = hsm
        .with_token("gone", &["prove", "--label", "k"])
        .arg("--module")
        .arg(&module)
        .env("FAULTY_SIGN_LIMIT", "0")
        .output()
        .unwrap();
    exit2(&o, "the token was removed");
    assert!(stdout(&o).is_empty(), "{}", text(&o));
}

#[test]
fn delete_needs_the_label_typed_again() {
    let hsm = SoftHsm::new_by_ceremony("del");
    keygen(&hsm, "del", "doomed", "ecdsap256sha256");
    let o = hsm.run(
        "del",
        &["delete", "--label", "doomed", "--confirm", "doome"],
    );
    exit2(&o, "does not match");
    // Interactive: the label typed on stdin.
    let mut c = hsm.with_token("del", &["delete", "--label", "doomed"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(b"Doomed\n").unwrap();
    let o = child.wait_with_output().unwrap();
    exit2(&o, "does not match");
    assert!(stderr(&o).contains("Type the label again"), "{}", text(&o));
    let inv = stdout(&ok(hsm.run("del", &["inventory", "--json"])));
    assert!(
        inv.contains("\"doomed\""),
        "still there after refusals: {inv}"
    );

    let mut c = hsm.with_token("del", &["delete", "--label", "doomed"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"doomed\n").unwrap();
    ok(child.wait_with_output().unwrap());
    let inv = stdout(&ok(hsm.run("del", &["inventory", "--json"])));
    assert!(!inv.contains("\"doomed\""), "deleted: {inv}");
    let pk = hsm.pkcs11_tool_private_keys("del");
    assert!(!pk.contains("doomed"), "pkcs11-tool agrees: {pk}");
}
