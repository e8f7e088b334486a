//! The `ksr` command line (in-process on a FakeEnv) against the real IANA root
//! fixtures: output, exit codes.

use ksr::testkit::fixture_path;
mod common;

use common::{ksr, Run as Output};

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
    assert_eq!(lines.len(), 18, "{out}");
    for line in &lines {
        assert!(line.starts_with("PASS "), "not a pass: {line}");
    }
    for name in [
        "KSR-DOMAIN",
        "KSR-ID",
        "KSR-BUNDLE-UNIQUE",
        "KSR-BUNDLE-KEYS",
        "KEY-TAG-UNIQUE",
        "KSR-BUNDLE-POP",
        "KSR-BUNDLE-COUNT",
        "KSR-BUNDLE-CYCLE-DURATION",
        "KSR-POLICY-KEYS",
        "KSR-POLICY-ALG",
        "KSR-POLICY-SIG-VALIDITY",
        "KSR-POLICY-SIG-OVERLAP",
        "KSR-POLICY-BUNDLE-INTERVALS",
        "KSR-POLICY-SIG-HORIZON",
        "KSR-TIME-SERIAL",
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
    for line in out.lines() {
        let ksr_only = line.starts_with("SKIP KSR-BUNDLE-POP an SKR carries no ZSK")
            || line.starts_with("SKIP KSR-POLICY-SIG-HORIZON judged on the KSR");
        assert!(line.starts_with("PASS ") || ksr_only, "{out}");
    }
    assert_eq!(out.lines().count(), 21, "every named check reports: {out}");
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
    let fail = common::one_failure(&o);
    assert!(fail.starts_with("FAIL KSR-BUNDLE-POP "), "{out}");
    assert!(
        fail.contains("slot 1 (dc1bc68c)") && fail.contains("14796") && fail.contains("61045"),
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
    let fail = common::one_failure(&o);
    assert!(
        fail.starts_with("FAIL SKR-SCHEMA does not follow schema `pre-publish`"),
        "{out}"
    );
    assert!(fail.contains("slot 2 (3ea61ea1)"), "{out}");
}

#[test]
fn inspect_marks_revoked_keys_and_publish_only_keys() {
    let t = common::TwoKsks::sign("example.", "revoke");
    let (c, n) = (&t.current, &t.next);
    let dir = tempfile::tempdir().unwrap();
    let path = t.write(dir.path(), "skr-revoke.xml");
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

/// Writes `doc` as IANA XML into `dir` and returns the path as text.
fn write_xml(dir: &std::path::Path, name: &str, doc: &ksr::Document) -> String {
    let path = dir.join(name);
    std::fs::write(&path, ksr::xml::write(doc)).unwrap();
    path.display().to_string()
}

#[test]
fn cctld_policy_file_judges_real_cz_files_from_the_command_line() {
    use ksr::schema::Schema;
    use ksr::testkit::{date, sign_skr, KsrBuilder, TestKey};
    const DAY: i64 = 86_400;
    let policy = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/cctld-example.toml")
        .display()
        .to_string();
    // Two consecutive cz. quarters shaped as the example policy says: 6 bundles
    // 15 days apart, 21-day validity, TTL 3600, ECDSA/Ed25519 ZSKs, a P-256 KSK.
    let quarter = |id: &str, start: &str, zsks: Vec<TestKey>| {
        let mut b = KsrBuilder::new("cz.", date(start))
            .id(id)
            .bundles(6)
            .zsks(zsks);
        b.interval = 15 * DAY;
        b.validity = 21 * DAY;
        b.ttl = 3600;
        b.build()
    };
    let q1 = quarter(
        "cz-q1",
        "2030-01-01",
        vec![
            TestKey::ecdsa_p256(0),
            TestKey::ed25519("cz-a"),
            TestKey::ed25519("cz-b"),
        ],
    );
    let q2 = quarter(
        "cz-q2",
        "2030-04-01",
        vec![
            TestKey::ed25519("cz-a"),
            TestKey::ed25519("cz-b"),
            TestKey::ed25519("cz-c"),
        ],
    );
    let ksk = TestKey::ecdsa_p256(1).named("Kcz");
    let normal = Schema::builtin("normal").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let skr1 = write_xml(
        dir.path(),
        "skr-cz-q1.xml",
        &sign_skr(&q1, &normal, &ksk, None),
    );
    let ksr2 = write_xml(dir.path(), "ksr-cz-q2.xml", &q2);
    let skr2 = write_xml(
        dir.path(),
        "skr-cz-q2.xml",
        &sign_skr(&q2, &normal, &ksk, None),
    );

    // The new KSR against the previous SKR: every one of the 18 checks passes.
    let args = ["verify", "--policy", &policy, "--at", "2030-03-20"];
    let o = ksr(&[&args[..], &["--previous-skr", &skr1, &ksr2]].concat());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(out.lines().count(), 18, "{out}");
    assert!(out.lines().all(|l| l.starts_with("PASS ")), "{out}");
    assert!(out.contains("PASS KSR-DOMAIN domain \"cz.\""), "{out}");
    assert!(
        out.contains("PASS KSR-CHAIN-OVERLAP") && out.contains("overlap by P6D (policy P5D..P7D)"),
        "{out}"
    );
    // Its SKR, signed by the operator's P-256 KSK, passes the SKR checks.
    let o = ksr(&[&args[..], &["--previous-skr", &skr1, &skr2]].concat());
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("PASS SKR-VERIFY all 6 signatures verify"),
        "{out}"
    );
    assert!(
        out.contains("PASS SKR-SCHEMA matches built-in schema `normal`"),
        "{out}"
    );

    // The root's default policy refuses the same file, naming its reasons.
    let o = ksr(&[
        "verify",
        "--at",
        "2030-03-20",
        "--previous-skr",
        &skr1,
        &ksr2,
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for name in [
        "KSR-DOMAIN",
        "KSR-BUNDLE-COUNT",
        "KSR-POLICY-ALG",
        "KSR-POLICY-BUNDLE-INTERVALS",
    ] {
        assert!(out.contains(&format!("FAIL {name} ")), "{name}: {out}");
    }
    let o = ksr(&["inspect", &ksr2]);
    assert!(stdout(&o).contains("domain:  cz."), "{}", stdout(&o));
}

/// Hostile and broken inputs through the real binary: each one exits 2 with
/// one line on stderr naming the file, the line and the element at fault (or
/// the file alone when no line applies), nothing on stdout, never a panic.
#[test]
fn hostile_inputs_exit_2_naming_file_line_and_element() {
    let real = std::fs::read_to_string(fixture_path("ksr-root-2017-q2-0.xml")).unwrap();
    let inc = "<Inception>2017-04-01T00:00:00</Inception>";
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "doctype",
            format!("<!DOCTYPE KSR>\n{real}"),
            ":1: (document): DOCTYPE declarations are not allowed",
        ),
        (
            "laughs",
            format!(
                "<!DOCTYPE l [<!ENTITY a \"a\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n{}",
                real.replacen("serial=\"1\"", "serial=\"&b;\"", 1)
            ),
            ":1: (document): DOCTYPE declarations are not allowed",
        ),
        (
            "entity",
            format!("<!ENTITY x \"y\">\n{real}"),
            ":1: (document): entity declarations are not allowed",
        ),
        (
            "nonutc",
            real.replacen(inc, "<Inception>2017-04-01T00:00:00+01:00</Inception>", 1),
            ":17: KSR/Request/RequestBundle/Inception: time \"2017-04-01T00:00:00+01:00\" has zone",
        ),
        (
            "multibyte",
            real.replacen(inc, "<Inception>2017-04-01T00:00:00é12345</Inception>", 1),
            ":17: KSR/Request/RequestBundle/Inception: invalid time",
        ),
        (
            "missing",
            real.replacen("<Expiration>2017-04-22T00:00:00</Expiration>", "", 1),
            ":16: KSR/Request/RequestBundle: missing element <Expiration>",
        ),
        (
            "duplicated",
            real.replacen(inc, &format!("{inc}{inc}"), 1),
            ":17: KSR/Request/RequestBundle/Inception: duplicated element <Inception>",
        ),
        (
            "algorithm",
            real.replacen("<Algorithm>8</Algorithm>", "<Algorithm>99</Algorithm>", 1),
            ":23: KSR/Request/RequestBundle/Key/Algorithm: unknown DNSSEC algorithm 99",
        ),
        (
            "base64",
            real.replacen("<PublicKey>AwEAAZLs", "<PublicKey>AwEAA!Ls", 1),
            ":24: KSR/Request/RequestBundle/Key/PublicKey: malformed base64",
        ),
        (
            // Decodes fine, but no DNSKEY record can hold it (was a panic).
            "bigkey",
            {
                let start = real.find("<PublicKey>").unwrap() + "<PublicKey>".len();
                let end = real.find("</PublicKey>").unwrap();
                format!("{}{}{}", &real[..start], "AwEAAaqq".repeat(12_000), &real[end..])
            },
            ":24: KSR/Request/RequestBundle/Key/PublicKey: public key of 72000 octets is longer than a DNSKEY can hold",
        ),
        (
            "dupattr",
            real.replacen("keyTag=\"14796\"", "keyTag=\"14796\" keyTag=\"1\"", 1),
            ":19: KSR/Request/RequestBundle/Key: bad attribute in <Key>",
        ),
        (
            "nobundle",
            {
                let (head, _) = real.split_once("    <RequestBundle").unwrap();
                format!("{head}  </Request>\n</KSR>\n")
            },
            ":2: KSR/Request: missing element <RequestBundle>",
        ),
        (
            "nokey",
            {
                let start = real.find("      <Key ").unwrap();
                let end = real.find("      <Signature ").unwrap();
                format!("{}{}", &real[..start], &real[end..])
            },
            ":16: KSR/Request/RequestBundle: missing element <Key>",
        ),
        (
            "deep",
            format!(
                "<KSR id=\"x\" domain=\".\" serial=\"1\">\n{}",
                "<a>".repeat(100_000)
            ),
            ":2: KSR/a/a/a/a/a/a/a/a/a/a/a: elements nested more than 12 deep",
        ),
        (
            "hugeattr",
            format!(
                "<KSR id=\"{}\" domain=\".\" serial=\"1\"/>",
                "a".repeat(900_000)
            ),
            ":1: KSR: missing element <Request> or <Response>",
        ),
        (
            "truncated",
            real[..3000].to_string(),
            ": KSR/Request/RequestBundle: not well-formed XML",
        ),
        ("empty", String::new(), ":1: (document): no KSR element"),
        (
            "oversize",
            format!("{real}{}", " ".repeat(1 << 20)),
            ": file is 1068132 bytes, over the limit of 1048576 bytes",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let check = |name: &str, path: &str, want: &str| {
        for args in [
            vec!["inspect", path],
            vec!["verify", "--at", "2017-03-20", path],
        ] {
            let o = ksr(&args);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{name}: {err}");
            assert!(o.stdout.is_empty(), "{name}: {}", stdout(&o));
            assert_eq!(err.lines().count(), 1, "{name}: {err}");
            assert!(err.starts_with(&format!("ksr: {path}")), "{name}: {err}");
            assert!(err.contains(want), "{name}: want {want:?} in {err}");
            assert!(!err.contains("panicked"), "{name}: {err}");
        }
    };
    for (name, text, want) in &cases {
        let path = dir.path().join(format!("{name}.xml"));
        std::fs::write(&path, text).unwrap();
        check(name, path.to_str().unwrap(), want);
    }
    // Binary garbage (not UTF-8), a missing file and a directory.
    let garbage = dir.path().join("garbage.xml");
    std::fs::write(&garbage, [0xffu8, 0xfe, 0x00, 0x80, b'<', 0xc3].repeat(500)).unwrap();
    check("garbage", garbage.to_str().unwrap(), ":1: (document):");
    let absent = dir.path().join("absent.xml");
    check(
        "absent",
        absent.to_str().unwrap(),
        ": cannot read: No such file or directory",
    );
    check(
        "directory",
        dir.path().to_str().unwrap(),
        ": cannot read: it is a directory",
    );
    // A real file under a lower --max-size names its real size.
    let o = ksr(&[
        "inspect",
        "--max-size",
        "100",
        &fx("ksr-root-2017-q2-0.xml"),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(": file is 19556 bytes, over the limit of 100 bytes; if it is genuine, raise the limit with --max-size"),
        "{err}"
    );
}

#[test]
fn a_full_output_device_is_exit_2_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system: nothing to show
    };
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ksr"))
        .args(["inspect", &fx("skr-root-2017-q2-0.xml")])
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.starts_with("ksr: cannot write to stdout"), "{err}");
}

/// Knot's example SKR with its owner names rewritten by `owner`, and the
/// cctld example policy for example.test.
fn knot_skr_with_owner(dir: &std::path::Path, owner: &str) -> (String, String) {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let policy = std::fs::read_to_string(manifest.join("policies/cctld-example.toml"))
        .unwrap()
        .replace("cz.", "example.test.");
    let policy_path = dir.join("p.toml");
    std::fs::write(&policy_path, policy).unwrap();
    let skr = std::fs::read_to_string(manifest.join("tests/format_data/knot-example.test.skr"))
        .unwrap()
        .lines()
        .map(|l| match l.strip_prefix("example.test.") {
            Some(rest) => format!("{owner}{rest}"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let skr_path = dir.join("owner.skr");
    std::fs::write(&skr_path, skr + "\n").unwrap();
    (
        skr_path.display().to_string(),
        policy_path.display().to_string(),
    )
}

#[test]
fn decimal_escapes_in_owner_names_are_octets_as_rfc_1035_says() {
    let dir = tempfile::tempdir().unwrap();
    // \101 is decimal 101, 'e' (RFC 1035 section 5.1), as Knot and BIND write it.
    let (skr, policy) = knot_skr_with_owner(dir.path(), "\\101xample.test.");
    let o = ksr(&["verify", &skr, "--policy", &policy, "--at", "2026-11-26"]);
    let out = stdout(&o);
    assert!(out.contains("PASS SKR-VERIFY"), "{out}");
    assert!(out.contains("PASS KSR-DOMAIN"), "{out}");

    // \256 is no octet.
    let (skr, policy) = knot_skr_with_owner(dir.path(), "\\256xample.test.");
    let o = ksr(&["verify", &skr, "--policy", &policy, "--at", "2026-11-26"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("owner.skr:2: record:") && err.contains("\\256 is not an octet"),
        "{err}"
    );

    // An escaped dot is part of a label: `example\046test.` is one label, not example.test.
    let (skr, policy) = knot_skr_with_owner(dir.path(), "example\\046test.");
    let o = ksr(&["verify", &skr, "--policy", &policy, "--at", "2026-11-26"]);
    let out = stdout(&o);
    assert!(out.contains("FAIL KSR-DOMAIN"), "{out}");
    assert!(!out.contains("PASS SKR-VERIFY"), "{out}");
}

#[test]
fn the_largest_max_size_reads_the_whole_input() {
    // One byte past the limit is read to tell "over" from "at": that must not
    // wrap (an empty input in release, an overflow panic in debug).
    let max = usize::MAX.to_string();
    let skr = fx("skr-root-2017-q1-0.xml");
    for args in [
        vec!["inspect", "--max-size", &max, &skr],
        vec!["verify", "--max-size", &max, "--at", "2017-01-10", &skr],
        vec!["convert", "--max-size", &max, &skr, "--to", "knot"],
        vec![
            "export",
            "--max-size",
            &max,
            "--at",
            "2017-01-10",
            &skr,
            "--dialect",
            "bind",
        ],
    ] {
        let o = ksr(&args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}{}",
            stdout(&o),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let bytes = ksr::xml::read_capped(&fixture_path("skr-root-2017-q1-0.xml"), usize::MAX).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(fixture_path("skr-root-2017-q1-0.xml")).unwrap()
    );
}
