//! In-process runs of `hsm init`, `hsm info`, `keygen`, `inventory`, `prove`,
//! `delete`, clap's own output and a closed stdout, on real SoftHSM2.

mod common;
use common::*;

use base64::Engine as _;

#[test]
fn hsm_init_makes_a_token_once() {
    let h = hsm();
    let t = token("init-once");
    // The same label again is refused, with the token directory named.
    let o = run(&[
        "hsm",
        "init",
        "--softhsm",
        s(&h.dir),
        "--label",
        t,
        "--so-pin-file",
        s(&h.so_pin_file),
        "--pin-file",
        s(&h.pin_file),
    ]);
    o.expect_code(2);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("already exists"), "{}", o.stderr);
    // --json: the report on stdout, the summary for the room still on stderr.
    let o = run(&[
        "hsm",
        "init",
        "--json",
        "--softhsm",
        s(&h.dir),
        "--label",
        "init-json",
        "--so-pin-file",
        s(&h.so_pin_file),
        "--pin-file",
        s(&h.pin_file),
    ]);
    o.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["label"], "init-json");
    assert_eq!(v["conf"], s(&h.conf));
    assert!(
        o.stderr
            .starts_with("initialised token \"init-json\" (serial "),
        "{}",
        o.stderr
    );
}

#[test]
fn hsm_info_shows_the_token_and_tests_a_login() {
    let t = token("info");
    let o = with_token(t, &["hsm", "info"]);
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    assert!(o.stdout.starts_with("module:           /"), "{}", o.stdout);
    assert!(
        o.stdout.contains("  token label:    info\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("  user PIN state: ok\n"), "{}", o.stdout);
    assert!(
        o.stdout.contains("    EC-KEY-PAIR-GEN          yes"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .ends_with("\nlogin state: user login succeeded (RwUser)\n"),
        "{}",
        o.stdout
    );
    // Without a PIN file no login is tried; the env's SOFTHSM2_CONF is shown.
    let env = FakeEnv::new().var("SOFTHSM2_CONF", "/some/conf");
    let o = ceremony(&env, &["hsm", "info", "--token", t]);
    o.expect_code(0);
    assert!(
        o.stdout.contains("SOFTHSM2_CONF:    /some/conf\n"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("login state: not logged in"),
        "{}",
        o.stdout
    );
    // JSON: one slot, the token's mechanisms, the login.
    let o = with_token(t, &["hsm", "info", "--json"]);
    o.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["slots"].as_array().unwrap().len(), 1);
    assert_eq!(v["slots"][0]["token"]["label"], "info");
    assert_eq!(v["login"], "RwUser");
    // A module that does not exist; the module from PKCS11_MODULE is used.
    let env = FakeEnv::new().var("PKCS11_MODULE", "/nonexistent/libpkcs11.so");
    let o = ceremony(&env, &["hsm", "info"]);
    o.expect_code(2);
    assert_eq!(
        o.stderr,
        "ceremony: cannot load PKCS#11 module: /nonexistent/libpkcs11.so: no such file; give \
         the module with --module or PKCS11_MODULE\n"
    );
    // A token that is not there.
    let o = with_token("no-such-token", &["hsm", "info"]);
    o.expect_stderr(2, "no token labelled \"no-such-token\"");
}

#[test]
fn keygen_prints_records_and_a_verified_proof() {
    let t = token("keygen");
    let o = keygen(t, "ksk", "ecdsap256sha256", &[]);
    assert_eq!(o.stderr, "");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(
        lines[0].starts_with("generated \"ksk\" on token \"keygen\": ECDSAP256SHA256 256 bits, flags 257, CKA_ID 444e53534543"),
        "{}",
        o.stdout
    );
    assert!(
        lines[1].starts_with("security: token=yes private=yes sensitive=yes"),
        "{}",
        o.stdout
    );
    assert!(lines[1].contains("extractable=no"), "{}", o.stdout);
    // The DNSKEY and DS match what inventory reads back from the token.
    let k = key_entry(t, "ksk");
    assert_eq!(
        lines[2],
        format!(
            ". 172800 IN DNSKEY 257 3 13 {}",
            k["public_key"].as_str().unwrap()
        )
    );
    assert_eq!(
        lines[3],
        format!(
            "key tag {} (revoked: {})",
            k["key_tag"], k["revoked_key_tag"]
        )
    );
    assert_eq!(
        lines[4],
        format!(
            ". 172800 IN DS {} 13 2 {}",
            k["key_tag"],
            k["ds"]["digest"].as_str().unwrap()
        )
    );
    assert_eq!(lines[5], "DS digest (SHA-256) to read aloud:");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with(&format!(
            "proof: key tag {} signed a test DNSKEY RRset for . (inception 2020-01-01T00:00:00Z); signature verified: ",
            k["key_tag"]
        )),
        "{last}"
    );

    // Refusals before the token is touched: no PIN asked, nothing generated.
    let env = FakeEnv::new();
    let o = on(
        &env,
        t,
        &[
            "keygen",
            "--label",
            "x",
            "--algorithm",
            "rsasha1",
            "--zone",
            ".",
        ],
    );
    o.expect_code(2);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("RFC 8624"), "{}", o.stderr);
    let o = with_token(
        t,
        &[
            "keygen",
            "--label",
            "x",
            "--algorithm",
            "ed25519",
            "--zone",
            "a..b",
        ],
    );
    o.expect_code(2);
    assert!(
        o.stderr.starts_with("ceremony: --zone \"a..b\""),
        "{}",
        o.stderr
    );
    // The label is taken.
    let o = with_token(
        t,
        &[
            "keygen",
            "--label",
            "ksk",
            "--algorithm",
            "ed25519",
            "--zone",
            ".",
        ],
    );
    o.expect_stderr(2, "already holds objects labelled \"ksk\"");
    assert_eq!(inventory(t, ".")["keys"].as_array().unwrap().len(), 1);
}

#[test]
fn pins_come_from_the_prompter_and_a_wrong_one_is_named() {
    let t = token("prompted");
    let h = hsm();
    // No PIN file: the PIN is asked for without echo.
    let env = FakeEnv::new().secret(&h.pin);
    let o = ceremony(&env, &["inventory", "--token", t]);
    o.expect_code(0);
    assert_eq!(env.prompts(), vec!["user PIN for token \"prompted\": "]);
    assert_eq!(o.stdout, "token \"prompted\": 0 key pair(s); DS owner .\n");
    // Nobody at the keyboard: a usage error that names the way out.
    let o = run(&["inventory", "--token", t]);
    o.expect_stderr(2, "give it with a PIN file option");
    // A wrong PIN.
    let env = FakeEnv::new().secret("not-the-pin");
    let o = ceremony(&env, &["inventory", "--token", t]);
    o.expect_code(2);
    assert_eq!(
        o.stderr,
        "ceremony: the token refused the PIN (wrong PIN); check the PIN file\n"
    );
}

#[test]
fn inventory_lists_keys_as_text_and_json() {
    let t = token("inventory");
    keygen(t, "a-ksk", "rsasha256", &["--bits", "2048"]);
    keygen(t, "b-zsk", "ed25519", &["--flags", "256"]);
    let o = with_token(t, &["inventory", "--zone", "example.test"]);
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    assert!(
        o.stdout
            .starts_with("token \"inventory\": 2 key pair(s); DS owner example.test.\n\na-ksk\n"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("  algorithm: RSASHA256 (8) 2048 bits\n"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("  algorithm: ED25519 (15) 256 bits\n  flags:     256\n"),
        "{}",
        o.stdout
    );
    let v = inventory(t, "example.test");
    assert_eq!(v["token"], "inventory");
    assert_eq!(v["zone"], "example.test.");
    let keys = v["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["label"], "a-ksk");
    assert_eq!(keys[0]["role"], "dnssec");
    assert_eq!(keys[0]["bits"], 2048);
    assert_eq!(keys[1]["flags"], 256);
    assert_eq!(keys[1]["security"]["sensitive"], true);
    // The DS in the JSON is the SHA-256 DS of the DNSKEY at the zone (RFC 4509).
    let pk = base64::engine::general_purpose::STANDARD
        .decode(keys[1]["public_key"].as_str().unwrap())
        .unwrap();
    let key = ksr::Key {
        key_identifier: "b-zsk".into(),
        key_tag: keys[1]["key_tag"].as_u64().unwrap() as u16,
        ttl: 0,
        flags: 256,
        protocol: 3,
        algorithm: 15,
        public_key: pk,
    };
    assert_eq!(ksr::dnssec::key_tag(&key), key.key_tag);
    let ds = ksr::dnssec::ds_digest("example.test.", &key, 2).unwrap();
    assert_eq!(keys[1]["ds"]["digest"], hex::encode_upper(ds));
}

#[test]
fn prove_signs_a_test_rrset_that_verifies() {
    let t = token("prove");
    keygen(t, "k", "ecdsap384sha384", &[]);
    let o = with_token(
        t,
        &[
            "prove",
            "--label",
            "k",
            "--zone",
            "example.test",
            "--at",
            "2026-02-03",
        ],
    );
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    assert!(
        o.stdout
            .contains("for example.test. (inception 2026-02-03T00:00:00Z); signature verified: "),
        "{}",
        o.stdout
    );
    let o = with_token(t, &["prove", "--label", "k", "--json"]);
    o.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    // Verify the token's signature ourselves from what was printed.
    let b64 = |x: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(x.as_str().unwrap())
            .unwrap()
    };
    let (k, r) = (&v["dnskey"], &v["rrsig"]);
    let key = ksr::Key {
        key_identifier: "k".into(),
        key_tag: k["key_tag"].as_u64().unwrap() as u16,
        ttl: k["ttl"].as_u64().unwrap() as u32,
        flags: 257,
        protocol: 3,
        algorithm: 14,
        public_key: b64(&k["public_key"]),
    };
    let at = |x: &serde_json::Value| ksr::timefmt::parse_at(x.as_str().unwrap()).unwrap();
    let sig = ksr::Signature {
        key_identifier: "k".into(),
        ttl: r["ttl"].as_u64().unwrap() as u32,
        type_covered: "DNSKEY".into(),
        algorithm: 14,
        labels: r["labels"].as_u64().unwrap() as u8,
        original_ttl: r["original_ttl"].as_u64().unwrap() as u32,
        expiration: at(&r["expiration"]),
        inception: at(&r["inception"]),
        key_tag: key.key_tag,
        signers_name: ".".into(),
        signature_data: b64(&r["signature"]),
    };
    assert_eq!(v["verified"], true);
    assert_eq!(r["inception"], "2020-01-01T00:00:00Z");
    let data = ksr::dnssec::signing_data(".", &sig, std::slice::from_ref(&key)).unwrap();
    ksr::dnssec::verify(&key, &data, &sig.signature_data).unwrap();
    let mut bad = sig.signature_data.clone();
    bad[5] ^= 1;
    assert!(ksr::dnssec::verify(&key, &data, &bad).is_err());
    // A key that is not there.
    let o = with_token(t, &["prove", "--label", "nope"]);
    o.expect_stderr(2, "no key labelled \"nope\"");
}

#[test]
fn delete_needs_the_label_again() {
    let t = token("delete");
    keygen(t, "doomed", "ecdsap256sha256", &[]);
    let o = with_token(t, &["delete", "--label", "doomed", "--confirm", "doome"]);
    o.expect_code(2);
    assert!(
        o.stderr
            .contains("does not match the label \"doomed\"; nothing was deleted"),
        "{}",
        o.stderr
    );
    // Typed at the prompter, wrongly, then rightly.
    let env = FakeEnv::new().answer("Doomed");
    let o = on(&env, t, &["delete", "--label", "doomed"]);
    o.expect_code(2);
    assert!(
        env.prompts()[0].contains("Type the label again"),
        "{:?}",
        env.prompts()
    );
    assert_eq!(inventory(t, ".")["keys"].as_array().unwrap().len(), 1);
    let env = FakeEnv::new().answer("doomed");
    let o = on(&env, t, &["delete", "--label", "doomed"]);
    o.expect_code(0);
    assert_eq!(
        o.stdout,
        "deleted key pair \"doomed\" from token \"delete\"\n"
    );
    assert_eq!(inventory(t, ".")["keys"].as_array().unwrap().len(), 0);
}

#[test]
fn clap_help_version_and_usage_errors() {
    let o = run(&["--help"]);
    o.expect_code(0);
    assert!(o.stdout.contains("Usage: ceremony"), "{}", o.stdout);
    assert_eq!(o.stderr, "");
    let o = run(&["--version"]);
    o.expect_code(0);
    assert!(o.stdout.starts_with("ceremony "), "{}", o.stdout);
    let o = run(&["keygen", "--label"]);
    o.expect_code(2);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("error:"), "{}", o.stderr);
    let o = run(&["frobnicate"]);
    o.expect_stderr(2, "unrecognized subcommand");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let t = token("closed");
    keygen(t, "k", "ed25519", &[]);
    let env = FakeEnv::new().closed_stdout();
    let o = on(&env, t, &["inventory"]);
    o.expect_code(0);
    assert_eq!(o.stderr, "");
}
