//! In-process runs of `backup transport-key`, `backup export` and `restore`
//! between two tokens on real SoftHSM2.

mod common;
use common::*;

#[test]
fn a_key_moves_wrapped_and_the_transport_key_is_retired() {
    let h = hsm();
    let (src, dst) = (token("bk-source"), token("bk-dest"));
    keygen(src, "kb", "ecdsap256sha256", &["--allow-backup"]);
    keygen(src, "stuck", "ecdsap256sha256", &[]);
    let dir = scratch();
    let transport = dir.path().join("transport.json");
    let backup = dir.path().join("kb.backup.json");

    // 1. Destination: a transport key and its fingerprint to read aloud.
    let o = with_token(dst, &["backup", "transport-key", "--out", s(&transport)]);
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    let tf: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&transport).unwrap()).unwrap();
    let digest: [u8; 32] = hex::decode(tf["sha256"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let words = ksr::digest::pgp_words(&digest);
    assert_eq!(
        o.stdout,
        format!(
            "transport key \"ceremony-transport\" on token \"bk-dest\" written to {}\n\
             Read this fingerprint to the officer at the source token:\n{}",
            transport.display(),
            ksr::digest::read_aloud(&digest)
        )
    );

    // 2. Source: a fingerprint that does not match stops before any PIN is used.
    let export = |env: &FakeEnv, label: &str, extra: &[&str]| {
        let mut args = vec![
            "backup",
            "export",
            "--label",
            label,
            "--so-pin-file",
            s(&h.so_pin_file),
            "--transport",
            s(&transport),
            "--out",
            s(&backup),
        ];
        args.extend(extra);
        on(env, src, &args)
    };
    let o = export(
        &FakeEnv::new(),
        "kb",
        &["--expect-transport-sha256", &"ab".repeat(32)],
    );
    o.expect_stderr(1, "TRANSPORT-KEY-CONFIRM");
    // The message names what the hash is of: the key, not the file.
    assert!(
        o.stderr.contains(&format!(
            "has the transport-key fingerprint (the SHA-256 of its public key, as `backup transport-key` printed it) {}, not the expected {}",
            hex::encode(digest),
            "ab".repeat(32)
        )),
        "{}",
        o.stderr
    );
    assert!(!backup.exists());
    // Typed back wrongly (last and first word swapped), too briefly (the first
    // and last word: 16 bits), then rightly (all 32 words).
    let env = FakeEnv::new().answer(&format!("{} {}", words[31], words[0]));
    export(&env, "kb", &[]).expect_code(1);
    assert!(
        env.prompts()[0].contains(words[0]),
        "words shown: {:?}",
        env.prompts()
    );
    let env = FakeEnv::new().answer(&format!("{} {}", words[0], words[31]));
    export(&env, "kb", &[]).expect_code(1);
    assert!(!backup.exists());
    let env = FakeEnv::new().answer(&words.join(" "));
    let o = export(&env, "kb", &[]);
    o.expect_code(0);
    assert_eq!(
        o.stdout,
        format!(
            "key \"kb\" wrapped to transport key \"ceremony-transport\" (SHA-256 {}) and written to {}\n",
            hex::encode(digest),
            backup.display()
        )
    );
    let text = std::fs::read_to_string(&backup).unwrap();
    assert!(text.contains("\"wrapped_key\""), "{text}");
    // A key made without --allow-backup never leaves its token.
    let o = export(
        &FakeEnv::new(),
        "stuck",
        &["--expect-transport-sha256", &hex::encode(digest), "--force"],
    );
    o.expect_stderr(2, "not extractable");
    // The refused export left the backup written before untouched.
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), text);

    // 3. Destination: restore, prove, retire the transport key.
    let o = with_token(dst, &["restore", "--backup", s(&backup)]);
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    let src_key = key_entry(src, "kb");
    let dst_key = key_entry(dst, "kb");
    assert_eq!(src_key["public_key"], dst_key["public_key"]);
    assert!(
        o.stdout.starts_with(
            "restored \"kb\" onto token \"bk-dest\": ECDSAP256SHA256 256 bits, flags 257\n"
        ),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("signature verified"), "{}", o.stdout);
    assert!(
        o.stdout.ends_with(
            "transport key \"ceremony-transport\" destroyed: this backup file can no longer be restored anywhere\n"
        ),
        "{}",
        o.stdout
    );
    let roles: Vec<String> = inventory(dst, ".")["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["role"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(roles, ["dnssec"], "transport key gone");
    // Under a new label the same key would have the same key tag: refused.
    let o = with_token(dst, &["restore", "--backup", s(&backup), "--label", "kb2"]);
    o.expect_stderr(1, "KEY-TAG-UNIQUE");
    // The same backup again, even with the restored key deleted: its transport
    // key is gone, so the file is inert.
    with_token(dst, &["delete", "--label", "kb", "--confirm", "kb"]).expect_code(0);
    let o = with_token(
        dst,
        &[
            "restore",
            "--backup",
            s(&backup),
            "--label",
            "kb2",
            "--json",
        ],
    );
    o.expect_code(2);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr
            .contains("this backup was wrapped to is not on token"),
        "{}",
        o.stderr
    );
}

#[test]
fn restore_keeps_the_transport_key_on_request_and_reports_json() {
    let h = hsm();
    let (src, dst) = (token("bk2-source"), token("bk2-dest"));
    keygen(
        src,
        "k1",
        "rsasha256",
        &["--allow-backup", "--bits", "2048"],
    );
    let dir = scratch();
    let transport = dir.path().join("t.json");
    let backup = dir.path().join("b.json");
    with_token(
        dst,
        &[
            "backup",
            "transport-key",
            "--label",
            "tk",
            "--out",
            s(&transport),
        ],
    )
    .expect_code(0);
    let sha = sha256_of_field(&transport);
    on(
        &FakeEnv::new(),
        src,
        &[
            "backup",
            "export",
            "--label",
            "k1",
            "--so-pin-file",
            s(&h.so_pin_file),
            "--transport",
            s(&transport),
            "--expect-transport-sha256",
            &sha,
            "--out",
            s(&backup),
        ],
    )
    .expect_code(0);
    let o = with_token(
        dst,
        &[
            "restore",
            "--backup",
            s(&backup),
            "--keep-transport",
            "--json",
        ],
    );
    o.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["transport"], "kept");
    assert_eq!(v["key"]["label"], "k1");
    assert_eq!(v["proof"]["verified"], true);
    assert_eq!(inventory(dst, ".")["keys"].as_array().unwrap().len(), 2);
}

/// The `sha256` a transport file names (checked by `export` against its key).
fn sha256_of_field(transport: &std::path::Path) -> String {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(transport).unwrap()).unwrap();
    v["sha256"].as_str().unwrap().to_string()
}
