//! The `ksr` command line against the real IANA root fixtures: output, exit codes.

use ksr::testkit::fixture_path;
use std::process::{Command, Output};

fn ksr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksr"))
        .args(args)
        .output()
        .expect("ksr runs")
}

fn fx(name: &str) -> String {
    fixture_path(name).display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn ksr_with_previous_skr_passes_every_check() {
    let o = ksr(&[
        "verify",
        "--at",
        "2017-03-20",
        "--previous-skr",
        &fx("skr-root-2017-q1-0.xml"),
        &fx("ksr-root-2017-q2-0.xml"),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 16, "{out}");
    for line in &lines {
        assert!(line.starts_with("PASS "), "not a pass: {line}");
    }
    for name in [
        "KSR-DOMAIN",
        "KSR-ID",
        "KSR-BUNDLE-UNIQUE",
        "KSR-BUNDLE-KEYS",
        "KSR-BUNDLE-POP",
        "KSR-BUNDLE-COUNT",
        "KSR-BUNDLE-CYCLE-DURATION",
        "KSR-POLICY-KEYS",
        "KSR-POLICY-ALG",
        "KSR-POLICY-SIG-VALIDITY",
        "KSR-POLICY-SIG-OVERLAP",
        "KSR-POLICY-BUNDLE-INTERVALS",
        "KSR-POLICY-SIG-HORIZON",
        "KSR-CHAIN-KEYS",
        "KSR-CHAIN-OVERLAP",
        "KSR-POLICY-SAFETY",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("PASS {name} "))),
            "{name} missing:\n{out}"
        );
    }
}

#[test]
fn skr_passes_and_matches_the_normal_schema() {
    let o = ksr(&["verify", &fx("skr-root-2017-q2-0.xml")]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("FAIL")), "{out}");
    for line in out.lines() {
        assert!(
            line.starts_with("PASS ") || line.starts_with("SKIP "),
            "{line}"
        );
    }
    assert!(
        out.contains("PASS SKR-VERIFY all 9 signatures verify"),
        "{out}"
    );
    assert!(
        out.contains("PASS SKR-SCHEMA matches built-in schema `normal`"),
        "{out}"
    );
    assert!(out.contains("PASS SKR-NO-GAPS"), "{out}");

    let o = ksr(&[
        "verify",
        "--previous-skr",
        &fx("skr-root-2017-q1-0.xml"),
        &fx("skr-root-2017-q2-0.xml"),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.lines().all(|l| l.starts_with("PASS ")), "{out}");
    assert!(out.contains("PASS KSR-POLICY-SAFETY"), "{out}");
}

#[test]
fn inspect_shows_ksk_19036_signing_all_nine_slots() {
    let o = ksr(&["inspect", &fx("skr-root-2017-q2-0.xml")]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("kind:    SKR"), "{out}");
    assert!(out.contains("domain:  ."), "{out}");
    assert!(
        out.contains("id:      23e34059-7725-46a8-a7d2-662d657aab2b"),
        "{out}"
    );
    assert!(out.contains("serial:  1"), "{out}");
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), 9, "{out}");
    for (i, row) in rows.iter().enumerate() {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[0], (i + 1).to_string());
        assert_eq!(cols[5], "19036/S", "slot {}: {row}", i + 1);
    }
    assert!(
        rows[0].contains("dc1bc68c") && rows[0].contains("61045,14796"),
        "{}",
        rows[0]
    );
    assert!(rows[8].contains("15768,14796"), "{}", rows[8]);

    let o = ksr(&["inspect", "--json", &fx("skr-root-2017-q2-0.xml")]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kind"], "SKR");
    assert_eq!(v["bundles"].as_array().unwrap().len(), 9);
    for b in v["bundles"].as_array().unwrap() {
        assert_eq!(b["ksks"][0]["tag"], 19036);
        assert_eq!(b["ksks"][0]["signs"], true);
    }
}

#[test]
fn swapped_signature_data_in_bundle_one_fails_pop_with_exit_1() {
    let mut doc = ksr::testkit::fixture("ksr-root-2017-q2-0.xml");
    let sigs = &mut doc.bundles[0].signatures;
    let a = sigs[0].signature_data.clone();
    sigs[0].signature_data = std::mem::replace(&mut sigs[1].signature_data, a);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ksr-swapped.xml");
    std::fs::write(&path, ksr::xml::write(&doc)).unwrap();

    let o = ksr(&["verify", "--at", "2017-03-20", path.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let fails: Vec<&str> = out.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fails.len(), 1, "{out}");
    assert!(fails[0].starts_with("FAIL KSR-BUNDLE-POP "), "{out}");
    assert!(
        fails[0].contains("slot 1 (dc1bc68c)")
            && fails[0].contains("14796")
            && fails[0].contains("61045"),
        "{out}"
    );

    let o = ksr(&[
        "verify",
        "--json",
        "--at",
        "2017-03-20",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["failed"], true);
    let pop = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "KSR-BUNDLE-POP")
        .unwrap();
    assert_eq!(pop["outcome"], "FAIL");
}

#[test]
fn unusable_input_exits_2_with_the_parser_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, "<!DOCTYPE KSR [<!ENTITY x \"y\">]><KSR/>").unwrap();
    let o = ksr(&["verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.xml:1:"), "{err}");

    let o = ksr(&["verify", "--max-size", "100", &fx("ksr-root-2017-q2-0.xml")]);
    assert_eq!(o.status.code(), Some(2));

    let o = ksr(&["verify", "--at", "yesterday", &fx("ksr-root-2017-q2-0.xml")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--at"));

    let o = ksr(&[
        "verify",
        "--previous-skr",
        &fx("ksr-root-2017-q2-0.xml"),
        &fx("ksr-root-2017-q2-0.xml"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not an SKR"));

    let o = ksr(&[
        "verify",
        "--schema",
        "no-such",
        &fx("skr-root-2017-q2-0.xml"),
    ]);
    assert_eq!(o.status.code(), Some(2));

    let o = ksr(&["verify"]);
    assert_eq!(o.status.code(), Some(2), "usage error");
    let o = ksr(&["inspect", dir.path().join("missing.xml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn explicit_schema_is_enforced() {
    let o = ksr(&[
        "verify",
        "--schema",
        "pre-publish",
        &fx("skr-root-2017-q2-0.xml"),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let fail: Vec<&str> = out.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fail.len(), 1, "{out}");
    assert!(
        fail[0].starts_with("FAIL SKR-SCHEMA does not follow schema `pre-publish`"),
        "{out}"
    );
    assert!(fail[0].contains("slot 2 (3ea61ea1)"), "{out}");
}

#[test]
fn inspect_marks_revoked_keys_and_publish_only_keys() {
    use ksr::schema::Schema;
    use ksr::testkit::{date, sign_skr, KsrBuilder, TestKey};
    let b = KsrBuilder::new("example.", date("2030-01-01"));
    let (c, n) = (
        TestKey::ed25519("c").named("Kc"),
        TestKey::ed25519("n").named("Kn"),
    );
    let doc = sign_skr(
        &b.build(),
        &Schema::builtin("revoke").unwrap(),
        &c,
        Some(&n),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("skr-revoke.xml");
    std::fs::write(&path, ksr::xml::write(&doc)).unwrap();
    let o = ksr(&["inspect", path.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let (tc, tn) = (c.ksk(172_800).key_tag, n.ksk(172_800).key_tag);
    let tr = c.revoked_ksk(172_800).key_tag;
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.chars().next().is_some_and(|ch| ch.is_ascii_digit()))
        .collect();
    let ksk_col = |row: &str| row.split_whitespace().nth(5).unwrap().to_string();
    assert_eq!(ksk_col(rows[0]), format!("{tc}/P,{tn}/S"), "{out}");
    assert_eq!(ksk_col(rows[4]), format!("R{tr}/S,{tn}/S"), "{out}");
    assert_eq!(ksk_col(rows[8]), format!("{tn}/S"), "{out}");
    // verify infers the schema from that pattern.
    let o = ksr(&["verify", "--policy", "/dev/null", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "an empty policy file is unusable");
    let o = ksr(&["verify", "--at", "2029-12-20", path.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("PASS SKR-SCHEMA matches built-in schema `revoke`"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn inspect_of_a_ksr_has_no_ksk_column_values() {
    let o = ksr(&["inspect", "--json", &fx("ksr-root-2017-q2-0.xml")]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kind"], "KSR");
    assert_eq!(v["id"], "23e34059-7725-46a8-a7d2-662d657aab2b");
    assert_eq!(v["bundles"][0]["short_id"], "dc1bc68c");
    assert_eq!(v["bundles"][0]["zsks"].as_array().unwrap().len(), 2);
    assert!(v["bundles"][0]["ksks"].as_array().unwrap().is_empty());
}
