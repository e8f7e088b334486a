//! In-process runs of `--audit-log`, `audit verify` and `audit show`.

mod common;
use common::*;

fn records(log: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn audited_commands_are_recorded_and_the_log_verifies() {
    let h = hsm();
    let t = token("audit");
    let dir = scratch();
    let log = dir.path().join("audit.jsonl");
    let at = time::macros::datetime!(2026-03-04 05:06:07 UTC);
    let env = FakeEnv::new().at(at);
    let o = on(
        &env,
        t,
        &[
            "keygen",
            "--label",
            "ksk",
            "--algorithm",
            "ed25519",
            "--zone",
            ".",
            "--audit-log",
            s(&log),
        ],
    );
    o.expect_code(0);
    assert!(o.stdout.starts_with("generated \"ksk\""), "{}", o.stdout);
    assert!(
        o.stderr
            .starts_with(&format!("audit: record 3 in {}, head ", log.display())),
        "{}",
        o.stderr
    );
    // A failed command is recorded with its exit code and error (no PIN in it).
    let o = on(
        &FakeEnv::new().at(at),
        t,
        &["prove", "--label", "nope", "--audit-log", s(&log)],
    );
    o.expect_code(2);
    assert!(
        o.stderr.starts_with("ceremony: no key labelled \"nope\""),
        "{}",
        o.stderr
    );
    let recs = records(&log);
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[0]["event"], "log-start");
    assert_eq!(recs[1]["event"], "begin");
    assert_eq!(recs[1]["command"], "keygen");
    assert_eq!(recs[1]["token"], "audit");
    assert_eq!(recs[1]["keys"], serde_json::json!(["ksk"]));
    assert_eq!(recs[1]["time"], "2026-03-04T05:06:07Z", "the env's clock");
    assert_eq!(recs[2]["outcome"]["exit"], 0);
    assert_eq!(recs[4]["outcome"]["exit"], 2);
    let all = std::fs::read_to_string(&log).unwrap();
    assert!(!all.contains(&h.pin) && !all.contains(&sha256_hex(&h.pin_file)));

    // verify: counts, head read aloud; --expect-head passes and fails.
    let o = run(&["audit", "verify", s(&log)]);
    o.expect_code(0);
    assert_eq!(o.stderr, "");
    assert!(
        o.stdout.starts_with(&format!(
            "{}: chain verifies\nrecords:     5\n",
            log.display()
        )),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("commands:    2 (1 failed, 0 interrupted, 0 without end)\n"),
        "{}",
        o.stdout
    );
    let v: serde_json::Value =
        serde_json::from_str(&run(&["audit", "verify", s(&log), "--json"]).stdout).unwrap();
    let head = v["head"].as_str().unwrap().to_string();
    assert_eq!(head, recs[4]["hash"]);
    let o = run(&["audit", "verify", s(&log), "--expect-head", &head]);
    o.expect_code(0);
    assert!(
        o.stdout.ends_with("PASS: head matches --expect-head\n"),
        "{}",
        o.stdout
    );
    let o = run(&["audit", "verify", s(&log), "--expect-head", &"0".repeat(64)]);
    o.expect_code(1);
    // The FAIL comes first; nothing says the log verifies.
    assert!(
        o.stdout
            .lines()
            .next()
            .unwrap()
            .contains(&format!("FAIL: head {head} is not the expected")),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("chain verifies"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains(&format!("FAIL: head {head} is not the expected")),
        "{}",
        o.stdout
    );
    let o = run(&["audit", "verify", s(&log), "--expect-head", "xyz"]);
    o.expect_stderr(2, "64 hex digits");

    // show: a table, or the records as JSON.
    let o = run(&["audit", "show", s(&log)]);
    o.expect_code(0);
    assert!(o.stdout.starts_with(" seq  time"), "{}", o.stdout);
    assert!(o.stdout.contains("keygen"), "{}", o.stdout);
    assert!(
        o.stdout.ends_with(&format!("head {head}\n")),
        "{}",
        o.stdout
    );
    let o = run(&["audit", "show", "--json", s(&log)]);
    o.expect_code(0);
    let shown: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(shown.len(), 5);
    assert_eq!(shown[1]["command"], "keygen");

    // One changed byte: the line is named, verify and show both refuse.
    let mut bytes = std::fs::read(&log).unwrap();
    let pos = String::from_utf8_lossy(&bytes).find("\"ksk\"").unwrap() + 1;
    bytes[pos] = b'X';
    std::fs::write(&log, &bytes).unwrap();
    for args in [["audit", "verify"], ["audit", "show"]] {
        let o = run(&[args[0], args[1], s(&log)]);
        o.expect_code(1);
        assert!(
            o.stdout
                .starts_with(&format!("{}:2: FAIL: ", log.display())),
            "{}",
            o.stdout
        );
        assert_eq!(
            o.stderr,
            format!("ceremony: {}: audit log does not verify\n", log.display())
        );
    }
    let o = run(&["audit", "show", "--json", s(&log)]);
    o.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["broken"]["line"], 2);
    assert_eq!(v["records"], serde_json::json!([]));
    // A log that does not verify is never appended to.
    let o = with_token(t, &["inventory", "--audit-log", s(&log)]);
    o.expect_code(2);
    assert_eq!(o.stdout, "");
    assert_eq!(std::fs::read(&log).unwrap(), bytes);
    // A log that cannot be read.
    let o = run(&["audit", "verify", s(&dir.path().join("missing.jsonl"))]);
    o.expect_stderr(2, "cannot read the audit log");
}

/// Issue 11 item 7: a PIN typed by mistake as the value of `--pin-file` is
/// never recorded: the log holds the operation by meaning (the PIN source as
/// `file`), and the error naming the "file" is recorded without it.
#[test]
fn a_pin_typed_as_the_pin_file_never_reaches_the_log() {
    let t = token("audit-pin");
    let dir = scratch();
    let log = dir.path().join("audit.jsonl");
    let secret = "123456-secret";
    let eq = format!("--pin-file={secret}");
    for pin in [vec!["--pin-file", secret], vec![eq.as_str()]] {
        let mut args = vec!["inventory", "--token", t, "--audit-log", s(&log)];
        args.extend(pin);
        let o = run(&args);
        o.expect_code(2);
    }
    let all = std::fs::read_to_string(&log).unwrap();
    assert!(!all.contains(secret), "{all}");
    let recs = records(&log);
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[1]["args"], serde_json::json!([]));
    assert_eq!(recs[1]["operation"]["operation"], "inventory");
    assert_eq!(recs[1]["operation"]["on"]["token"], "audit-pin");
    assert_eq!(recs[1]["operation"]["on"]["pin"], "file");
    let error = recs[2]["outcome"]["error"].as_str().unwrap();
    assert!(error.contains("<redacted>"), "{error}");
    // Nothing that reads the log shows it either.
    for args in [
        vec!["audit", "verify", s(&log)],
        vec!["audit", "show", s(&log)],
        vec!["audit", "show", "--json", s(&log)],
    ] {
        let o = run(&args);
        o.expect_code(0);
        assert!(!o.stdout.contains(secret) && !o.stderr.contains(secret));
    }
    for name in ["report.md", "report.html"] {
        let out = dir.path().join(name);
        let o = run(&["audit", "report", s(&log), "--out", s(&out)]);
        o.expect_code(0);
        assert!(!o.stdout.contains(secret));
        assert!(!std::fs::read_to_string(&out).unwrap().contains(secret));
    }
}

/// Issue 11 item 5: a record cut short by a crash or a full disk is named,
/// commands refuse to append after it, and `audit repair` (only on request)
/// moves it aside and records the repair.
#[test]
fn a_partial_last_record_is_refused_until_repaired() {
    let t = token("audit-partial");
    let dir = scratch();
    let log = dir.path().join("audit.jsonl");
    with_token(t, &["inventory", "--audit-log", s(&log)]).expect_code(0);
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend_from_slice(b"{\"seq\":4,\"time\":\"2026-0");
    std::fs::write(&log, &bytes).unwrap();

    let o = with_token(t, &["inventory", "--audit-log", s(&log)]);
    o.expect_code(2);
    assert!(
        o.stderr.contains(&format!(
            "{}:4: the last record is incomplete (23 bytes",
            log.display()
        )) && o.stderr.contains("ceremony audit repair"),
        "{}",
        o.stderr
    );
    assert_eq!(o.stdout, "", "nothing ran");
    assert_eq!(std::fs::read(&log).unwrap(), bytes);
    let o = run(&["audit", "verify", s(&log)]);
    o.expect_code(1);
    assert!(o.stdout.contains("`ceremony audit repair`"), "{}", o.stdout);

    let o = run(&["audit", "repair", s(&log)]);
    o.expect_code(0);
    assert!(
        o.stdout
            .contains("removed the incomplete record at line 4 (23 bytes, kept in"),
        "{}",
        o.stdout
    );
    let saved = dir.path().join("audit.jsonl.partial-4");
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        b"{\"seq\":4,\"time\":\"2026-0"
    );
    run(&["audit", "verify", s(&log)]).expect_code(0);
    let recs = records(&log);
    assert_eq!(recs[3]["event"], "note");
    assert_eq!(recs[3]["command"], "audit repair");
    let o = run(&["audit", "repair", s(&log)]);
    o.expect_code(0);
    assert!(o.stdout.contains("nothing to repair"), "{}", o.stdout);
    with_token(t, &["inventory", "--audit-log", s(&log)]).expect_code(0);
}

#[test]
fn an_output_that_is_the_audit_log_is_refused_even_with_force() {
    let t = token("audit-out");
    keygen(t, "ksk", "ed25519", &[]).expect_code(0);
    let dir = scratch();
    let log = dir.path().join("audit.jsonl");
    with_token(t, &["inventory", "--audit-log", s(&log)]).expect_code(0);
    let before = std::fs::read(&log).unwrap();
    // The same file by another spelling of its path.
    let other = dir.path().join(".").join("audit.jsonl");
    let args = trust_anchor_args(
        "ksk",
        &["--out", s(&other), "--force", "--audit-log", s(&log)],
    );
    let o = with_token(t, &args);
    o.expect_code(2);
    assert!(o.stderr.contains("is the audit log"), "{}", o.stderr);
    assert_eq!(std::fs::read(&log).unwrap(), before, "the log is untouched");
    run(&["audit", "verify", s(&log)]).expect_code(0);
}
