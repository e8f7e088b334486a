//! Backup and restore between two SoftHSM2 installations (separate directories,
//! separate SOFTHSM2_CONF): the key travels only wrapped, the restored key signs
//! identically (RSA PKCS#1 v1.5 is deterministic), and every refusal leaves no
//! backup file or restored key behind.

use serde_json::Value;
use test_support::process::{ok, stderr, stdout, text};
use test_support::softhsm::{proof_from_json, SoftHsm};

fn json(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(o)))
}

struct Pair {
    src: SoftHsm,
    dst: SoftHsm,
    transport: std::path::PathBuf,
    sha256: String,
}

fn pair() -> Pair {
    let src = SoftHsm::new_by_ceremony("source");
    let dst = SoftHsm::new_by_ceremony("destination");
    let transport = dst.path("transport.json");
    let o = dst
        .with_token("destination", &["backup", "transport-key"])
        .arg("--out")
        .arg(&transport)
        .output()
        .unwrap();
    let o = ok(o);
    dst.assert_no_pin(&o);
    let t: Value = serde_json::from_slice(&std::fs::read(&transport).unwrap()).unwrap();
    let sha256 = t["sha256"].as_str().unwrap().to_string();
    assert!(
        stdout(&o).contains(&sha256),
        "fingerprint shown for reading aloud: {}",
        text(&o)
    );
    Pair {
        src,
        dst,
        transport,
        sha256,
    }
}

impl Pair {
    fn export(&self, label: &str, expect: &str, out: &std::path::Path) -> std::process::Output {
        self.export_with(label, expect, &self.transport, &self.src.so_pin_file, out)
    }

    /// `backup export` with a given transport file and SO PIN file.
    fn export_with(
        &self,
        label: &str,
        expect: &str,
        transport: &std::path::Path,
        so_pin_file: &std::path::Path,
        out: &std::path::Path,
    ) -> std::process::Output {
        let o = self
            .src
            .with_token(
                "source",
                &[
                    "backup",
                    "export",
                    "--label",
                    label,
                    "--expect-transport-sha256",
                    expect,
                ],
            )
            .arg("--so-pin-file")
            .arg(so_pin_file)
            .arg("--transport")
            .arg(transport)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        self.src.assert_no_pin(&o);
        o
    }

    fn restore(&self, backup: &std::path::Path, extra: &[&str]) -> std::process::Output {
        let mut args = vec![
            "restore",
            "--zone",
            "example.test",
            "--at",
            "2026-01-01T00:00:00Z",
        ];
        args.extend(extra);
        let o = self
            .dst
            .with_token("destination", &args)
            .arg("--backup")
            .arg(backup)
            .output()
            .unwrap();
        self.dst.assert_no_pin(&o);
        o
    }
}

fn prove(hsm: &SoftHsm, token: &str, label: &str) -> Value {
    json(&ok(hsm.run(
        token,
        &[
            "prove",
            "--label",
            label,
            "--zone",
            "example.test",
            "--at",
            "2026-01-01T00:00:00Z",
            "--json",
        ],
    )))
}

#[test]
fn rsa_ksk_moves_wrapped_and_signs_identically() {
    let p = pair();
    ok(p.src.keygen(
        "source",
        "Kksk",
        "rsasha256",
        "example.test",
        &["--allow-backup"],
    ));
    let backup = p.src.path("ksk.backup.json");
    let o = ok(p.export("Kksk", &p.sha256, &backup));
    assert!(
        stdout(&o).contains("wrapped to transport key"),
        "{}",
        text(&o)
    );

    // The file holds only wrapped material and public data.
    let b: Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    let fields: Vec<&str> = b.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    let mut expected = vec![
        "algorithm",
        "bits",
        "flags",
        "format",
        "id",
        "label",
        "public_key",
        "source_token",
        "transport_label",
        "transport_sha256",
        "wrap_with_trusted",
        "wrapped_kek",
        "wrapped_key",
    ];
    expected.sort();
    let mut got = fields.clone();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(b["transport_sha256"].as_str().unwrap(), p.sha256);

    // Nothing from the session stays on the source: same key pairs as before.
    let inv = json(&ok(p.src.run("source", &["inventory", "--json"])));
    assert_eq!(inv["keys"].as_array().unwrap().len(), 1, "{inv}");

    // Kept: the collision check below restores the same backup again.
    let o = ok(p.restore(&backup, &["--keep-transport"]));
    assert!(stdout(&o).contains("signature verified"), "{}", text(&o));

    let original = prove(&p.src, "source", "Kksk");
    let restored = prove(&p.dst, "destination", "Kksk");
    assert_eq!(
        original["dnskey"], restored["dnskey"],
        "same public key, flags and tag"
    );
    assert_eq!(
        original["rrsig"]["signature"], restored["rrsig"]["signature"],
        "RSA signs deterministically: the restored key is the same key"
    );
    // The restored signature verifies independently.
    let (zone, key, sig) = proof_from_json(&restored);
    ksr::dnssec::verify_rrsig(&zone, &sig, std::slice::from_ref(&key), &key).unwrap();

    // The restored private key is still protected the same way.
    let inv = json(&ok(p.dst.run("destination", &["inventory", "--json"])));
    let k = inv["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["label"] == "Kksk")
        .unwrap();
    assert_eq!(k["security"]["sensitive"], Value::Bool(true));
    assert_eq!(k["security"]["wrap_with_trusted"], Value::Bool(true));
    assert_eq!(k["role"], "dnssec");
    let t = inv["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["role"] == "transport")
        .unwrap();
    assert_eq!(
        t["security"]["extractable"],
        Value::Bool(false),
        "transport key never leaves"
    );

    // Restoring the same key again under another label collides on the key tag.
    let o = p.restore(&backup, &["--label", "copy"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("KEY-TAG-UNIQUE"), "{}", text(&o));
    let inv2 = json(&ok(p.dst.run("destination", &["inventory", "--json"])));
    assert_eq!(inv2["keys"], inv["keys"], "nothing was restored");
}

#[test]
fn ecdsa_ksk_restores_and_verifies_with_the_same_public_key() {
    let p = pair();
    ok(p.src.keygen(
        "source",
        "ec",
        "ecdsap256sha256",
        "example.test",
        &["--allow-backup"],
    ));
    let backup = p.src.path("ec.json");
    ok(p.export("ec", &p.sha256, &backup));
    let o = ok(p.restore(&backup, &[]));
    let original = prove(&p.src, "source", "ec");
    let restored = prove(&p.dst, "destination", "ec");
    assert_eq!(original["dnskey"], restored["dnskey"]);
    // ECDSA is randomised: signatures differ, yet the restored one verifies with
    // the source's public key.
    let (zone, _, sig) = proof_from_json(&restored);
    let (_, key, _) = proof_from_json(&original);
    ksr::dnssec::verify_rrsig(&zone, &sig, std::slice::from_ref(&key), &key).unwrap();

    // The transport key is one-time: gone after the restore, so a copy of the
    // backup file can never be opened again, even on the destination.
    assert!(stdout(&o).contains("destroyed"), "{}", text(&o));
    let inv = json(&ok(p.dst.run("destination", &["inventory", "--json"])));
    assert!(
        inv["keys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["role"] != "transport"),
        "{inv}"
    );
    ok(p.dst.run(
        "destination",
        &["delete", "--label", "ec", "--confirm", "ec"],
    ));
    let o = p.restore(&backup, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("transport key"), "{}", text(&o));
}

#[test]
fn refusals_leave_no_backup_file() {
    let p = pair();
    ok(p.src
        .keygen("source", "ok", "rsasha256", ".", &["--allow-backup"]));
    ok(p.src.keygen("source", "fixed", "rsasha256", ".", &[]));
    ok(p.src
        .keygen("source", "ed", "ed25519", ".", &["--allow-backup"]));
    let out = p.src.path("b.json");

    // A transport key other than the one read aloud.
    let wrong = "00".repeat(32);
    let o = p.export("ok", &wrong, &out);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("TRANSPORT-KEY-CONFIRM"), "{}", text(&o));
    assert!(!out.exists());

    // Interactive: the fingerprint is shown and wrong words typed back are refused
    // before any PIN is used (the first and last word alone among them);
    // all 32 words are accepted.
    let words = ksr::digest::pgp_words(&hex::decode(&p.sha256).unwrap());
    let interactive = |typed: &str, out: &std::path::Path| {
        use std::io::Write as _;
        use std::process::Stdio;
        let mut c = p
            .src
            .with_token("source", &["backup", "export", "--label", "ok"]);
        c.arg("--so-pin-file")
            .arg(&p.src.so_pin_file)
            .arg("--transport")
            .arg(&p.transport)
            .arg("--out")
            .arg(out)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        writeln!(child.stdin.take().unwrap(), "{typed}").unwrap();
        let o = child.wait_with_output().unwrap();
        p.src.assert_no_pin(&o);
        o
    };
    let o = interactive(&format!("{} {}", words[31], words[0]), &out);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stderr(&o).contains("TRANSPORT-KEY-CONFIRM"), "{}", text(&o));
    assert!(stderr(&o).contains(words[0]), "words shown: {}", text(&o));
    assert!(!out.exists());
    let typed_ok = p.src.path("typed-ok.json");
    let o = interactive(&format!("{} {}", words[0], words[31]), &typed_ok);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!typed_ok.exists());
    ok(interactive(&words.join(" "), &typed_ok));
    assert!(typed_ok.exists());

    // An altered transport file.
    let mut t: Value = serde_json::from_slice(&std::fs::read(&p.transport).unwrap()).unwrap();
    t["sha256"] = Value::String("11".repeat(32));
    let altered = p.src.path("altered.json");
    std::fs::write(&altered, serde_json::to_vec(&t).unwrap()).unwrap();
    let o = p.export_with("ok", &"11".repeat(32), &altered, &p.src.so_pin_file, &out);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("does not match public_key"),
        "{}",
        text(&o)
    );
    assert!(!out.exists());

    // A key made without --allow-backup never leaves the token.
    let o = p.export("fixed", &p.sha256, &out);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("not extractable"), "{}", text(&o));
    assert!(!out.exists());

    // SoftHSM 2.6.1 cannot wrap EdDSA keys: named as a missing capability.
    let o = p.export("ed", &p.sha256, &out);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("CKR_KEY_NOT_WRAPPABLE"), "{}", text(&o));
    assert!(!out.exists());

    // Wrong SO PIN: named, and no file.
    let bad_so = p.src.path("bad-so.pin");
    test_support::write_private(&bad_so, "wrong-so-pin");
    let o = p.export_with("ok", &p.sha256, &p.transport, &bad_so, &out);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("wrong PIN"), "{}", text(&o));
    assert!(!out.exists());

    // A backup restores only where its transport key lives.
    ok(p.export("ok", &p.sha256, &out));
    let elsewhere = SoftHsm::new_by_ceremony("elsewhere");
    let o = elsewhere
        .with_token("elsewhere", &["restore"])
        .arg("--backup")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("transport key"), "{}", text(&o));
    let inv = json(&ok(elsewhere.run("elsewhere", &["inventory", "--json"])));
    assert!(inv["keys"].as_array().unwrap().is_empty(), "{inv}");
}
