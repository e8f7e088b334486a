//! `ceremony hsm init|info`, `keygen`, `inventory`, `prove` against real SoftHSM2
//! tokens; signatures made on the token are verified here with `ksr` (ring), and
//! key attributes are read back both through `inventory --json` and OpenSC's
//! `pkcs11-tool`.

use base64::Engine as _;
use ksr::Key;
use serde_json::Value;
use test_support::process::{ok, stderr, stdout, text};
use test_support::softhsm::{pkcs11_tool_block, proof_from_json, SoftHsm};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn json(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(o)))
}

/// The DNSKEY line and the tags `keygen` printed.
fn keygen_output(o: &std::process::Output) -> (Key, u16, u16, String) {
    let out = stdout(o);
    let line = out
        .lines()
        .find(|l| l.contains(" IN DNSKEY "))
        .expect("a DNSKEY line");
    let f: Vec<&str> = line.split_whitespace().collect();
    let key = Key {
        key_identifier: String::new(),
        key_tag: 0,
        ttl: f[1].parse().unwrap(),
        flags: f[4].parse().unwrap(),
        protocol: f[5].parse().unwrap(),
        algorithm: f[6].parse().unwrap(),
        public_key: B64.decode(f[7]).unwrap(),
    };
    let tags = out
        .lines()
        .find(|l| l.starts_with("key tag "))
        .expect("a key tag line");
    let nums: Vec<u16> = tags
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let ds = out
        .lines()
        .find(|l| l.contains(" IN DS "))
        .expect("a DS line")
        .to_string();
    (key, nums[0], nums[1], ds)
}

#[test]
fn init_writes_conf_and_info_shows_token_mechanisms_and_login() {
    let hsm = SoftHsm::new_by_ceremony("ceremony-a");
    let conf = std::fs::read_to_string(&hsm.conf).unwrap();
    assert!(conf.contains("directories.tokendir = "), "{conf}");
    assert!(conf.contains("objectstore.backend = file"), "{conf}");
    // A second init of the same label is refused.
    let o = hsm
        .command(&["hsm", "init", "--softhsm"])
        .arg(hsm.path("softhsm"))
        .args(["--label", "ceremony-a", "--so-pin-file"])
        .arg(&hsm.so_pin_file)
        .arg("--pin-file")
        .arg(&hsm.pin_file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("already exists"), "{}", text(&o));
    // A PIN the token would refuse for its length is named as such, not as a wrong PIN.
    let short = hsm.path("short.pin");
    test_support::write_private(&short, "12\n");
    let o = hsm
        .command(&["hsm", "init", "--softhsm"])
        .arg(hsm.path("softhsm-short"))
        .args(["--label", "short", "--so-pin-file"])
        .arg(&hsm.so_pin_file)
        .arg("--pin-file")
        .arg(&short)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("user PIN has 2 characters; the token accepts 4 to"),
        "{}",
        text(&o)
    );
    hsm.assert_no_pin(&o);

    let o = ok(hsm.command(&["hsm", "info"]).output().unwrap());
    let out = stdout(&o);
    assert!(out.contains("libsofthsm2.so"), "{out}");
    assert!(out.contains("token label:    ceremony-a"), "{out}");
    for m in [
        "SHA256-RSA-PKCS",
        "ECDSA",
        "EDDSA",
        "AES-KEY-WRAP-PAD",
        "RSA-PKCS-OAEP",
    ] {
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(m) && l.contains(" yes ")),
            "{m}: {out}"
        );
    }
    assert!(out.contains("512..16384"), "RSA key sizes: {out}");
    assert!(out.contains("login state: not logged in"), "{out}");
    let o = ok(hsm.run("ceremony-a", &["hsm", "info"]));
    assert!(
        stdout(&o).contains("login state: user login succeeded"),
        "{}",
        text(&o)
    );
    hsm.assert_no_pin(&o);
}

#[test]
fn keygen_every_algorithm_signs_through_the_token_and_verifies() {
    let hsm = SoftHsm::new_by_ceremony("keys");
    let cases: &[(&str, Option<&str>, u8, usize)] = &[
        ("rsasha256", None, 8, 2048),
        ("rsasha256", Some("3072"), 8, 3072),
        ("rsasha512", None, 10, 2048),
        ("ecdsap256sha256", None, 13, 256),
        ("ecdsap384sha384", None, 14, 384),
        ("ed25519", None, 15, 256),
    ];
    for (i, (alg, bits, number, size)) in cases.iter().enumerate() {
        let label = format!("k{i}-{alg}");
        let mut args = vec![
            "keygen",
            "--label",
            &label,
            "--algorithm",
            alg,
            "--zone",
            "example.test",
        ];
        if let Some(b) = bits {
            args.extend(["--bits", b]);
        }
        let o = ok(hsm.run("keys", &args));
        hsm.assert_no_pin(&o);
        let (key, tag, revoked, ds_line) = keygen_output(&o);
        assert_eq!(key.algorithm, *number, "{}", text(&o));
        assert_eq!(key.flags, 257);
        assert_eq!(
            ksr::dnssec::key_tag(&key),
            tag,
            "printed key tag recomputes"
        );
        let mut rk = key.clone();
        rk.flags |= 0x80;
        assert_eq!(
            ksr::dnssec::key_tag(&rk),
            revoked,
            "printed revoked tag recomputes"
        );
        let ds = ksr::dnssec::ds_digest("example.test.", &key, 2).unwrap();
        assert!(ds_line.ends_with(&hex::encode_upper(&ds)), "DS {ds_line}");
        assert!(stdout(&o).contains(
            &ksr::digest::pgp_words(&ds)
                .join(" ")
                .split(' ')
                .next()
                .unwrap()
                .to_string()
        ));
        match ksr::dnssec::key_size(&key).unwrap() {
            ksr::dnssec::KeySize::Rsa { bits, exponent } => {
                assert_eq!((bits as usize, exponent), (*size, 65537))
            }
            ksr::dnssec::KeySize::Ec { bits } | ksr::dnssec::KeySize::EdDsa { bits } => {
                assert_eq!(bits as usize, *size)
            }
        }

        // A signature made through KeyStore::sign on the token, verified here.
        let o = ok(hsm.run(
            "keys",
            &[
                "prove",
                "--label",
                &label,
                "--zone",
                "example.test",
                "--json",
            ],
        ));
        let (zone, dnskey, rrsig) = proof_from_json(&json(&o));
        assert_eq!(
            dnskey.public_key, key.public_key,
            "prove signs with the generated key"
        );
        ksr::dnssec::verify_rrsig(&zone, &rrsig, std::slice::from_ref(&dnskey), &dnskey)
            .unwrap_or_else(|e| panic!("{alg}: {e:?}"));
        // ...and a corrupted signature or other data does not verify.
        let mut bad = rrsig.clone();
        let n = bad.signature_data.len();
        bad.signature_data[n / 2] ^= 1;
        assert!(
            ksr::dnssec::verify_rrsig(&zone, &bad, std::slice::from_ref(&dnskey), &dnskey).is_err()
        );
        let mut later = rrsig.clone();
        later.inception += time::Duration::seconds(1);
        assert!(
            ksr::dnssec::verify_rrsig(&zone, &later, std::slice::from_ref(&dnskey), &dnskey)
                .is_err()
        );
    }

    // Attributes, read back two ways.
    let inv = json(&ok(hsm.run("keys", &["inventory", "--json"])));
    let keys = inv["keys"].as_array().unwrap();
    assert_eq!(keys.len(), cases.len());
    let tool = hsm.pkcs11_tool_private_keys("keys");
    for k in keys {
        let s = &k["security"];
        for (attr, want) in [
            ("token", true),
            ("private", true),
            ("sensitive", true),
            ("always_sensitive", true),
            ("extractable", false),
            ("never_extractable", true),
            ("wrap_with_trusted", false),
            ("local", true),
            ("sign", true),
            ("decrypt", false),
        ] {
            assert_eq!(s[attr], Value::Bool(want), "{attr} of {}", k["label"]);
        }
        let block = pkcs11_tool_block(&tool, k["label"].as_str().unwrap());
        assert!(
            block.contains("Access:     sensitive, always sensitive, never extractable, local"),
            "{block}"
        );
        assert!(k["id"].as_str().unwrap().len() == 32, "16-byte CKA_ID: {k}");
    }
}

#[test]
fn ed448_where_the_token_offers_it() {
    let hsm = SoftHsm::new_by_ceremony("ed448");
    let o = hsm.keygen("ed448", "k448", "ed448", "example.test", &[]);
    let info = stdout(&ok(hsm.command(&["hsm", "info"]).output().unwrap()));
    if o.status.success() {
        let (key, _, _, _) = keygen_output(&o);
        assert_eq!(
            (key.algorithm, key.public_key.len()),
            (16, 57),
            "{}",
            text(&o)
        );
        assert!(stdout(&o).contains("NOT verified locally"), "{}", text(&o));
    } else {
        // Only acceptable failure: the token lacks the curve or mechanism.
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(info.contains("EDDSA"), "{info}");
    }
}

#[test]
fn keygen_for_backup_is_wrap_with_trusted_only() {
    let hsm = SoftHsm::new_by_ceremony("bk");
    let o = ok(hsm.keygen("bk", "ksk", "rsasha256", ".", &["--allow-backup"]));
    hsm.assert_no_pin(&o);
    let inv = json(&ok(hsm.run("bk", &["inventory", "--json"])));
    let s = &inv["keys"][0]["security"];
    assert_eq!(s["sensitive"], Value::Bool(true));
    assert_eq!(s["extractable"], Value::Bool(true));
    assert_eq!(
        s["wrap_with_trusted"],
        Value::Bool(true),
        "extractable only under trusted keys"
    );
    let tool = hsm.pkcs11_tool_private_keys("bk");
    let block = pkcs11_tool_block(&tool, "ksk");
    let access = block
        .lines()
        .find(|l| l.contains("Access:"))
        .unwrap_or_default();
    assert!(
        access.contains("sensitive") && access.contains("extractable"),
        "{block}"
    );
    assert!(!access.contains("never extractable"), "{block}");
}

#[test]
fn inventory_lists_every_key_with_tags_ds_and_flags() {
    let hsm = SoftHsm::new_by_ceremony("inv");
    let mut printed = Vec::new();
    for (label, alg, flags) in [
        ("zsk-b", "ecdsap256sha256", "256"),
        ("ksk-a", "ed25519", "257"),
    ] {
        let o = ok(hsm.keygen("inv", label, alg, "example.test", &["--flags", flags]));
        printed.push((label, keygen_output(&o)));
    }
    let o = ok(hsm.run("inv", &["inventory", "--json", "--zone", "example.test"]));
    hsm.assert_no_pin(&o);
    let inv = json(&o);
    assert_eq!(inv["token"], "inv");
    let keys = inv["keys"].as_array().unwrap();
    let labels: Vec<&str> = keys.iter().map(|k| k["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["ksk-a", "zsk-b"], "ordered by label");
    for (label, (key, tag, revoked, ds_line)) in &printed {
        let k = keys.iter().find(|k| k["label"] == *label).unwrap();
        assert_eq!(k["flags"].as_u64().unwrap() as u16, key.flags);
        assert_eq!(k["algorithm"].as_u64().unwrap() as u8, key.algorithm);
        assert_eq!(k["key_tag"].as_u64().unwrap() as u16, *tag);
        assert_eq!(k["revoked_key_tag"].as_u64().unwrap() as u16, *revoked);
        assert_eq!(
            k["public_key"].as_str().unwrap(),
            B64.encode(&key.public_key)
        );
        assert!(
            ds_line.ends_with(k["ds"]["digest"].as_str().unwrap()),
            "{ds_line} vs {k}"
        );
        assert!(k["bits"].as_u64().unwrap() > 0);
    }
    // Text form names the same keys.
    let o = ok(hsm.run("inv", &["inventory"]));
    assert!(
        stdout(&o).contains("ksk-a") && stdout(&o).contains("zsk-b"),
        "{}",
        text(&o)
    );
    // Same token, same output: inventory is deterministic.
    let again = ok(hsm.run("inv", &["inventory", "--json", "--zone", "example.test"]));
    assert_eq!(o.status, again.status);
    assert_eq!(json(&again), inv);
}

#[test]
fn keygen_refuses_bad_algorithms_sizes_flags_and_reused_labels() {
    let hsm = SoftHsm::new_by_ceremony("refuse");
    for (args, needle) in [
        (vec!["--algorithm", "rsasha1"], "RFC 8624"),
        (vec!["--algorithm", "5"], "RFC 8624"),
        (vec!["--algorithm", "eccgost"], "RFC 8624"),
        (vec!["--algorithm", "dsa"], "RFC 8624"),
        (vec!["--algorithm", "nope"], "unknown algorithm"),
        (
            vec!["--algorithm", "rsasha256", "--bits", "1024"],
            "--bits 1024",
        ),
        (
            vec!["--algorithm", "ecdsap256sha256", "--flags", "385"],
            "--flags 385",
        ),
    ] {
        let mut a = vec!["keygen", "--label", "x", "--zone", "example.test"];
        a.extend(args.iter().copied());
        let o = hsm.run("refuse", &a);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(stderr(&o).contains(needle), "{needle}: {}", text(&o));
    }
    // A bad zone is refused before the token is touched: no key is left behind.
    let o = hsm.keygen("refuse", "y", "ed25519", "bad..zone", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("--zone \"bad..zone\""), "{}", text(&o));
    ok(hsm.keygen("refuse", "x", "ed25519", "t.", &[]));
    let o = hsm.keygen("refuse", "x", "ed25519", "t.", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("already holds objects labelled \"x\""),
        "{}",
        text(&o)
    );
    let inv = json(&ok(hsm.run("refuse", &["inventory", "--json"])));
    assert_eq!(
        inv["keys"].as_array().unwrap().len(),
        1,
        "nothing else was generated"
    );
}
