//! Sign-offs that prove who signed: an officer's SoftHSM token holds a key
//! enrolled in the script; the sign-off is that key's signature over the audit
//! chain head, checked again by `ceremony audit verify`.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use ceremony::audit::{Event, Record, GENESIS};
use common::*;

struct Room {
    dir: tempfile::TempDir,
    script: PathBuf,
}

fn enrolled_hash(token: &str, label: &str) -> String {
    let k = key_entry(token, label);
    let b64 = k["public_key"].as_str().unwrap();
    let pk = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    hex::encode(ksr::digest::sha256(&pk))
}

fn room(name: &str) -> Room {
    let h = hsm();
    let alice = token(&format!("alice-{name}"));
    let bob = token(&format!("bob-{name}"));
    keygen(alice, "signoff", "ecdsap256sha256", &["--flags", "256"]);
    keygen(bob, "signoff", "ecdsap256sha256", &["--flags", "256"]);
    let (ha, hb) = (
        enrolled_hash(alice, "signoff"),
        enrolled_hash(bob, "signoff"),
    );
    let dir = scratch();
    let script = dir.path().join("signoff.toml");
    std::fs::write(
        &script,
        format!(
            r#"title = "Sign-off ceremony"
zone = "."
[[roles]]
id = "co"
name = "Crypto Officer"
people = [
  {{ name = "Alice", token = "alice", key_label = "signoff", key_sha256 = "{ha}" }},
  {{ name = "Bob", token = "bob", key_label = "signoff", key_sha256 = "{hb}" }},
  "Carol",
]
[quorums.two]
role = "co"
need = 2
[tokens.alice]
label = "{alice}"
pin_file = "{pin}"
[tokens.bob]
label = "{bob}"
pin_file = "{pin}"
[[steps]]
id = "approve"
kind = "sign-off"
quorum = "two"
"#,
            pin = s(&h.pin_file)
        ),
    )
    .unwrap();
    run(&["script", "check", s(&script)]).expect_code(0);
    Room { dir, script }
}

fn run_with(room: &Room, log: &Path, signoffs: &str) -> Outcome {
    let a = room.dir.path().join("answers.toml");
    std::fs::write(&a, format!("[steps.approve]\nsignoff = [{signoffs}]\n")).unwrap();
    run(&answered(&room.script, log, &a))
}

const ALICE_KEY: &str =
    r#"{ role = "co", person = "Alice", token = "alice", key_label = "signoff" }"#;
const CAROL_NAME: &str = r#"{ role = "co", person = "Carol" }"#;

#[test]
fn key_sign_offs_verify_and_name_only_ones_are_marked() {
    let r = room("ok");
    let log = r.dir.path().join("audit.jsonl");
    run_with(&r, &log, &format!("{ALICE_KEY}, {CAROL_NAME}")).expect_code(0);
    run(&["audit", "verify", s(&log)]).expect_code(0);
    let md = r.dir.path().join("r.md");
    run(&["audit", "report", s(&log), "--out", s(&md)]).expect_code(0);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| approve | co | Alice | signed with enrolled key"),
        "{text}"
    );
    assert!(
        text.contains("| approve | co | Carol | by name only (no key)"),
        "{text}"
    );
}

#[test]
fn a_key_not_enrolled_for_the_officer_is_refused() {
    let r = room("wrongkey");
    // Alice presents Bob's card.
    let o = run_with(
        &r,
        &r.dir.path().join("a.jsonl"),
        r#"{ role = "co", person = "Alice", token = "bob", key_label = "signoff" }"#,
    );
    o.expect_code(1);
    assert!(
        o.stderr
            .contains("is not the sign-off key enrolled for Alice"),
        "{}",
        o.stderr
    );
    // Carol has no key enrolled: a key sign-off by her is refused.
    let o = run_with(
        &r,
        &r.dir.path().join("b.jsonl"),
        r#"{ role = "co", person = "Carol", token = "alice", key_label = "signoff" }"#,
    );
    o.expect_stderr(1, "Carol has no sign-off key enrolled");
    // One sign-off of a quorum of two: the step is not done.
    let o = run_with(&r, &r.dir.path().join("c.jsonl"), ALICE_KEY);
    o.expect_stderr(1, "1 more sign-off");
}

/// Rewrites `log` with `change` applied to record `seq`, re-chaining every
/// record after it: a forger who can rewrite the whole file.
fn rechain(log: &Path, seq: u64, change: impl Fn(&mut Record)) -> PathBuf {
    let text = std::fs::read_to_string(log).unwrap();
    let mut prev = GENESIS.to_string();
    let mut out = Vec::new();
    for line in text.lines() {
        let (mut r, _) = Record::from_line(line.as_bytes()).unwrap();
        if r.seq == seq {
            change(&mut r);
        }
        r.prev = prev.clone();
        let (bytes, hash) = r.to_line();
        out.extend(bytes);
        prev = hash;
    }
    let p = log.with_file_name("forged.jsonl");
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn a_forged_sign_off_record_is_detected() {
    let r = room("forged");
    let log = r.dir.path().join("audit.jsonl");
    run_with(&r, &log, &format!("{ALICE_KEY}, {CAROL_NAME}")).expect_code(0);
    let text = std::fs::read_to_string(&log).unwrap();
    let seq = text
        .lines()
        .map(|l| Record::from_line(l.as_bytes()).unwrap().0)
        .find(|r| r.event == Event::SignOff && r.ceremony.as_ref().unwrap()["method"] == "key")
        .unwrap()
        .seq;
    // The signature changed: the chain is intact, the signature is not.
    let forged = rechain(&log, seq, |r| {
        let c = r.ceremony.as_mut().unwrap();
        let sig = c["signature"].as_str().unwrap().to_string();
        // Another first character: a different, still well-formed signature.
        let first = if sig.starts_with('A') { "B" } else { "A" };
        let flipped = format!("{first}{}", &sig[1..]);
        c["signature"] = flipped.into();
    });
    let o = run(&["audit", "verify", s(&forged)]);
    o.expect_code(1);
    assert!(o.stdout.contains(&format!(":{seq}: FAIL")), "{}", o.stdout);
    assert!(o.stdout.contains("forged sign-off"), "{}", o.stdout);
    // Bob's name on Alice's signature.
    let forged = rechain(&log, seq, |r| {
        r.ceremony.as_mut().unwrap()["person"] = "Bob".into();
    });
    let o = run(&["audit", "verify", s(&forged)]);
    o.expect_code(1);
    assert!(o.stdout.contains(&format!(":{seq}: FAIL")), "{}", o.stdout);
}
