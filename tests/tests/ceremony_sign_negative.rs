//! Must show (issue 3), negative: wrong PIN, missing key, a KSR failing a check,
//! an `--expect-sha256` mismatch, and the token removed mid-run each exit non-zero,
//! name the cause, and leave no SKR (nor a temp file) behind.

mod ceremony_sign_common;
use ceremony_sign_common::*;

use std::path::Path;
use std::process::{Output, Stdio};

const KSR: &str = "iana-root/ksr-root-2017-q2-0.xml";
const ROOT_ARGS: [&str; 6] = test_support::ROOT_SIGN_ARGS;

fn root_hsm() -> Hsm {
    let hsm = Hsm::new("neg");
    hsm.keygen("Kroot", "rsasha256", Some(2048), ".", 257);
    hsm
}

/// `sign-ksr` of the root KSR `ksr` into `skr` without `--expect-sha256`:
/// the officer types `line` where the KSR's hash is read back.
fn sign_typing(hsm: &Hsm, ksr: &Path, skr: &Path, line: &str) -> Output {
    let mut c = hsm.ceremony(&["sign-ksr"]);
    c.arg(ksr)
        .arg("--out")
        .arg(skr)
        .args(ROOT_ARGS)
        .arg("--first-in-chain")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{line}").unwrap();
    }
    child.wait_with_output().unwrap()
}

fn assert_refused(o: &std::process::Output, code: i32, needle: &str, out: &std::path::Path) {
    assert_eq!(o.status.code(), Some(code), "{}", text(o));
    assert!(
        text(o).contains(needle),
        "expected {needle:?} in {}",
        text(o)
    );
    assert!(entries(out).is_empty(), "left behind: {:?}", entries(out));
}

#[test]
fn wrong_pin_missing_key_bad_ksr_and_hash_mismatch() {
    let hsm = root_hsm();
    let ksr = test_support::fixture(KSR);
    let out = out_dir(&hsm, "out");
    let skr = out.join("skr.xml");

    // Wrong PIN: the token refuses the login; the PIN itself is never echoed.
    let bad_pin = hsm.path("bad.pin");
    test_support::write_private(&bad_pin, "0000-wrong\n");
    let mut c = hsm.command(&["sign-ksr"]);
    c.arg(&ksr)
        .arg("--out")
        .arg(&skr)
        .args(ROOT_ARGS)
        .arg("--first-in-chain");
    c.args([
        "--expect-sha256",
        &sha256_hex(&ksr),
        "--token",
        &hsm.token,
        "--pin-file",
    ])
    .arg(&bad_pin);
    let o = hsm.output(c);
    assert_refused(&o, 2, "wrong PIN", &out);
    assert!(!text(&o).contains("0000-wrong"));

    // An SKR given as the KSR (a mix-up of files) is named as such, exit 2.
    let skr_fixture = test_support::fixture("iana-root/skr-root-2017-q2-0.xml");
    let o = sign(&hsm, &skr_fixture, &skr, &ROOT_ARGS);
    assert_refused(
        &o,
        2,
        "is an SKR (Response), but the KSR to sign must be a KSR",
        &out,
    );
    // And a KSR given as the previous SKR.
    let mut args = ROOT_ARGS.to_vec();
    let ksr_s = ksr.to_str().unwrap();
    args.extend(["--previous-skr", ksr_s]);
    let o = sign(&hsm, &ksr, &skr, &args);
    assert_refused(&o, 2, "--previous-skr must be an SKR", &out);

    // Missing key.
    let o = sign(
        &hsm,
        &ksr,
        &skr,
        &[
            "--ksk-current",
            "Kmissing",
            "--schema",
            "normal",
            "--at",
            "2017-03-20",
        ],
    );
    assert_refused(&o, 2, "Kmissing", &out);

    // A KSR failing a check: --at after the bundles expired fails KSR-POLICY-SIG-HORIZON.
    let o = sign(
        &hsm,
        &ksr,
        &skr,
        &[
            "--ksk-current",
            "Kroot",
            "--schema",
            "normal",
            "--at",
            "2018-01-01",
        ],
    );
    assert_refused(&o, 1, "FAIL KSR-POLICY-SIG-HORIZON", &out);
    assert!(
        !text(&o).contains("Checks against the token"),
        "a failing KSR stops before the token is opened: {}",
        text(&o)
    );
    // A KSR whose proof of possession was tampered with fails KSR-BUNDLE-POP.
    let text_ksr = std::fs::read_to_string(&ksr).unwrap();
    let i = text_ksr.find("<SignatureData>").unwrap() + "<SignatureData>".len();
    let mut bad = text_ksr.clone();
    let flipped = if &bad[i..i + 1] == "A" { "B" } else { "A" };
    bad.replace_range(i..i + 1, flipped);
    let bad_ksr = hsm.path("tampered.xml");
    std::fs::write(&bad_ksr, bad).unwrap();
    let o = sign(&hsm, &bad_ksr, &skr, &ROOT_ARGS);
    assert_refused(&o, 1, "FAIL KSR-BUNDLE-POP", &out);

    // --expect-sha256 mismatch: exit 1 before anything is signed.
    let mut c = hsm.ceremony(&["sign-ksr"]);
    c.arg(&ksr)
        .arg("--out")
        .arg(&skr)
        .args(ROOT_ARGS)
        .arg("--first-in-chain")
        .args(["--expect-sha256", &"ab".repeat(32)]);
    let o = c.output().unwrap();
    assert_refused(&o, 1, "KSR-HASH-CONFIRM", &out);
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("Signing"),
        "{}",
        text(&o)
    );

    // Interactive: the wrong words are refused too.
    let o = sign_typing(&hsm, &ksr, &skr, "aardvark adroitness");
    assert_refused(&o, 1, "KSR-HASH-CONFIRM", &out);

    // And all 32 words, read from the submitter's copy, are accepted (the
    // first and last word alone are not: ceremony/tests/cli_sign_confirm.rs).
    let words = ksr::digest::pgp_words(&ksr::digest::sha256(&std::fs::read(&ksr).unwrap()));
    let o = sign_typing(&hsm, &ksr, &skr, &words.join(" "));
    assert!(o.status.success(), "{}", text(&o));
    assert!(skr.exists());
}

/// A 1,000-bundle KSR for example.test. (one ECDSA ZSK), made by `ceremony request`.
fn big_ksr(hsm: &Hsm) -> (std::path::PathBuf, std::path::PathBuf) {
    hsm.keygen("zsk", "ecdsap256sha256", None, "example.test.", 256);
    let p = test_support::long_example_policy(1000, rsa2048());
    let policy = write_policy(hsm.dir.path(), "big.toml", &p);
    let ksr = hsm.path("big-ksr.xml");
    let args = test_support::long_request_args(1000);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = hsm.ceremony(&args);
    ok(c.arg("--policy")
        .arg(&policy)
        .arg("--out")
        .arg(&ksr)
        .output()
        .unwrap());
    (ksr, policy)
}

#[test]
fn token_removed_mid_run_leaves_no_skr() {
    let hsm = Hsm::new("gone");
    hsm.keygen("Kbig", "rsasha256", Some(2048), "example.test.", 257);
    let (ksr, policy) = big_ksr(&hsm);
    assert_eq!(
        ksr::xml::parse_file(&ksr, &ksr::xml::ParseOptions { max_size: 64 << 20 })
            .unwrap()
            .bundles
            .len(),
        1000
    );
    let out = out_dir(&hsm, "out");
    let skr = out.join("skr.xml");
    // The token goes away after its 150th signature of this run (the module then
    // answers CKR_DEVICE_REMOVED, as a pulled HSM does): truly mid-run, past the
    // first progress line, and at the same bundle however loaded the machine is.
    let module = test_support::pkcs11_shim::faulty_module(hsm.dir.path());
    // One session makes the failing bundle exact; over several sessions the
    // signatures interleave (checked below).
    let sign_through_module = |sign_limit: Option<&str>, sessions: &str| {
        let mut c = hsm.ceremony(&["sign-ksr", "--sessions", sessions]);
        c.arg(&ksr)
            .arg("--out")
            .arg(&skr)
            .arg("--module")
            .arg(&module)
            .arg("--policy")
            .arg(&policy);
        c.args([
            "--ksk-current",
            "Kbig",
            "--schema",
            "normal",
            "--at",
            "2025-12-20",
            "--max-size",
            "67108864",
            "--expect-sha256",
            &sha256_hex(&ksr),
            "--first-in-chain",
        ]);
        if let Some(n) = sign_limit {
            c.env("FAULTY_SIGN_LIMIT", n);
        }
        hsm.output(c)
    };
    let o = sign_through_module(Some("150"), "1");
    let (seen, err) = (
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(seen.contains("Signing 1000 bundles"), "{}", text(&o));
    assert!(seen.contains("signed 100 of 1000"), "{}", text(&o));
    assert!(!seen.contains("signed 200 of 1000"), "{}", text(&o));
    assert!(
        err.contains("HSM error")
            && err.contains("while signing bundle 151 of 1000")
            && err.contains("the token was removed")
            && err.contains("nothing was written"),
        "names the HSM as the cause and where it stopped: {}",
        text(&o)
    );
    assert!(entries(&out).is_empty(), "left behind: {:?}", entries(&out));

    // Over several sessions the run stops the same way, at the bundle of the
    // earliest signature that failed (near the 151st: the sessions' calls
    // interleave), and writes nothing.
    let o = sign_through_module(Some("150"), "3");
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let at: usize = err
        .split("while signing bundle ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("names the bundle: {}", text(&o)));
    assert!((140..=160).contains(&at), "{}", text(&o));
    assert!(
        err.contains("the token was removed") && err.contains("nothing was written"),
        "{}",
        text(&o)
    );
    assert!(entries(&out).is_empty(), "left behind: {:?}", entries(&out));

    // The same run through the same module without the fault writes the SKR: the
    // failure above came from the token going away, nothing else.
    ok(sign_through_module(None, "3"));
    assert_eq!(entries(&out), ["skr.xml"]);
}
