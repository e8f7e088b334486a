//! The ceremony audit log (`--audit-log`, `ceremony audit verify|show`) against a
//! real SoftHSM2 token and the built binaries: a full run verifies and names the
//! KSR and SKR hashes; every kind of tampering is caught and its line named; a
//! failed command is recorded with its outcome and no PIN; a command killed
//! between begin and end is reported as interrupted and the next one appends.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use test_support::process::{ok, stdout, text};
use test_support::sha256_hex;
use test_support::softhsm::SoftHsm;

const TOKEN: &str = "audit";
const KSR: &str = "iana-root/ksr-root-2017-q2-0.xml";

/// `ceremony ARGS --token audit --pin-file FILE --audit-log LOG`.
fn audited(hsm: &SoftHsm, log: &Path, args: &[&str]) -> Output {
    let o = hsm
        .with_token(TOKEN, args)
        .arg("--audit-log")
        .arg(log)
        .output()
        .unwrap();
    hsm.assert_no_pin(&o);
    o
}

fn audit(args: &[&str], log: &Path) -> Output {
    test_support::process::command("ceremony")
        .arg("audit")
        .args(args)
        .arg(log)
        .output()
        .unwrap()
}

fn records(log: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The hash of the log's last record: the head the witnesses write down.
fn head_of(log: &Path) -> String {
    records(log).last().unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Asserts `audit verify` fails with exit 1 and names `LOG:line:`.
fn assert_broken_at(log: &Path, line: usize, why: &str) {
    let o = audit(&["verify"], log);
    assert_eq!(o.status.code(), Some(1), "{why}: {}", text(&o));
    let want = format!("{}:{line}: FAIL", log.display());
    assert!(
        stdout(&o).contains(&want),
        "{why}: want {want:?}: {}",
        text(&o)
    );
}

/// `keygen` of the RSA-2048 root KSK `KSK`, recorded in `log`.
fn keygen_ksk(hsm: &SoftHsm, log: &Path) {
    ok(audited(
        hsm,
        log,
        &[
            "keygen",
            "--label",
            "KSK",
            "--algorithm",
            "rsasha256",
            "--bits",
            "2048",
            "--zone",
            ".",
        ],
    ));
}

/// `sign-ksr` of the 2017 Q2 root KSR with `KSK` into `skr`, the officers
/// reading back `expect` as its SHA-256, recorded in `log`.
fn sign_ksr(hsm: &SoftHsm, log: &Path, skr: &Path, expect: &str) -> Output {
    audited(
        hsm,
        log,
        &[
            "sign-ksr",
            test_support::fixture(KSR).to_str().unwrap(),
            "--out",
            skr.to_str().unwrap(),
            "--ksk-current",
            "KSK",
            "--schema",
            "normal",
            "--at",
            "2017-03-20",
            "--expect-sha256",
            expect,
            "--first-in-chain",
        ],
    )
}

/// A token with an RSA-2048 KSK, and a log holding keygen, sign-ksr and inventory.
fn ceremony(hsm: &SoftHsm, log: &Path) -> PathBuf {
    keygen_ksk(hsm, log);
    let ksr = test_support::fixture(KSR);
    let skr = hsm.path("skr.xml");
    let o = ok(sign_ksr(hsm, log, &skr, &sha256_hex(&ksr)));
    // The officer is shown the new head after each command.
    let head = head_of(log);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&head[..8]),
        "{}",
        text(&o)
    );
    ok(audited(hsm, log, &["inventory"]));
    skr
}

#[test]
fn a_full_ceremony_is_recorded_and_verifies() {
    let hsm = SoftHsm::new_by_ceremony(TOKEN);
    let log = hsm.path("audit.jsonl");
    let skr = ceremony(&hsm, &log);
    let ksr = test_support::fixture(KSR);

    let o = ok(audit(&["verify"], &log));
    let out = stdout(&o);
    let recs = records(&log);
    assert_eq!(recs.len(), 7, "log-start + 3 x (begin, end)");
    assert!(out.contains("records:     7"), "{out}");
    assert!(
        out.contains("commands:    3 (0 failed, 0 interrupted"),
        "{out}"
    );
    let head = recs[6]["hash"].as_str().unwrap();
    assert!(out.contains(&format!("SHA-256 {head}")), "{out}");
    assert!(out.contains(" 1 "), "PGP words: {out}");
    ok(audit(&["verify", "--expect-head", head], &log));

    // The chain links each line to the one before.
    assert_eq!(recs[0]["prev"], "0".repeat(64));
    for w in recs.windows(2) {
        assert_eq!(w[1]["prev"], w[0]["hash"]);
    }
    // sign-ksr's begin names the KSR by hash before the token is touched; its end
    // names the SKR it wrote, with the hash of the file on disk.
    let begin = &recs[3];
    assert_eq!(
        (begin["event"].as_str(), begin["command"].as_str()),
        (Some("begin"), Some("sign-ksr"))
    );
    assert_eq!(begin["token"], TOKEN);
    assert_eq!(begin["keys"], serde_json::json!(["KSK"]));
    assert_eq!(begin["files"][0]["role"], "ksr");
    assert_eq!(begin["files"][0]["sha256"], sha256_hex(&ksr).as_str());
    let end = &recs[4];
    assert_eq!(
        (end["event"].as_str(), end["begin"].as_u64()),
        (Some("end"), Some(4))
    );
    assert_eq!(end["outcome"]["exit"], 0);
    assert_eq!(end["files"][0]["role"], "skr");
    assert_eq!(end["files"][0]["sha256"], sha256_hex(&skr).as_str());

    let text_log = std::fs::read_to_string(&log).unwrap();
    assert!(!text_log.contains(&hsm.pin) && !text_log.contains(&hsm.so_pin));

    let o = ok(audit(&["show"], &log));
    let table = stdout(&o);
    assert!(
        table.contains("sign-ksr") && table.contains(&sha256_hex(&skr)[..8]),
        "{table}"
    );
    let o = ok(audit(&["show", "--json"], &log));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 7);
}

#[test]
fn tampering_is_detected_and_its_line_named() {
    let hsm = SoftHsm::new_by_ceremony(TOKEN);
    let log = hsm.path("audit.jsonl");
    ceremony(&hsm, &log);
    let good = std::fs::read(&log).unwrap();
    let head = head_of(&log);
    let lines: Vec<&[u8]> = good.split_inclusive(|b| *b == b'\n').collect();
    let bad = hsm.path("bad.jsonl");

    // One changed byte, at the start, middle and end of every record.
    for (i, line) in lines.iter().enumerate() {
        let start: usize = lines[..i].iter().map(|l| l.len()).sum();
        for at in [1, line.len() / 2, line.len() - 3] {
            let mut b = good.clone();
            b[start + at] = if b[start + at] == b'1' { b'2' } else { b'1' };
            std::fs::write(&bad, &b).unwrap();
            assert_broken_at(&bad, i + 1, &format!("byte {at} of line {}", i + 1));
        }
    }
    // A deleted line.
    std::fs::write(&bad, [lines[0], lines[1], lines[3], lines[4]].concat()).unwrap();
    assert_broken_at(&bad, 3, "line 3 deleted");
    // Two lines swapped.
    let mut swapped = lines.clone();
    swapped.swap(2, 3);
    std::fs::write(&bad, swapped.concat()).unwrap();
    assert_broken_at(&bad, 3, "lines 3 and 4 swapped");
    // Truncated mid-record.
    std::fs::write(&bad, &good[..good.len() - 40]).unwrap();
    assert_broken_at(&bad, lines.len(), "truncated");
    // Truncated to nothing.
    std::fs::write(&bad, b"").unwrap();
    assert_broken_at(&bad, 1, "emptied");
    // Whole records cut from the end leave a valid chain: the head the witnesses
    // wrote down catches it.
    let cut = &lines[..lines.len() - 2];
    std::fs::write(&bad, cut.concat()).unwrap();
    ok(audit(&["verify"], &bad));
    let o = audit(&["verify", "--expect-head", &head], &bad);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(stdout(&o).contains("FAIL: head"), "{}", text(&o));
    // A malformed --expect-head is a usage error.
    assert_eq!(
        audit(&["verify", "--expect-head", "abc"], &log)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        audit(&["verify"], &hsm.path("missing.jsonl")).status.code(),
        Some(2)
    );

    // A broken log is never appended to: the command stops before the token.
    std::fs::write(&bad, [lines[0], lines[2]].concat()).unwrap();
    let before = std::fs::read(&bad).unwrap();
    let o = audited(&hsm, &bad, &["inventory"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("{}:2:", bad.display())),
        "{}",
        text(&o)
    );
    assert!(o.stdout.is_empty(), "inventory did not run: {}", text(&o));
    assert_eq!(std::fs::read(&bad).unwrap(), before);
}

#[test]
fn failed_commands_are_recorded_without_any_pin() {
    let hsm = SoftHsm::new_by_ceremony(TOKEN);
    let log = hsm.path("audit.jsonl");
    let wrong_pin = format!("{}-wrong", hsm.pin);
    let wrong_file = hsm.path("wrong.pin");
    test_support::write_private(&wrong_file, format!("{wrong_pin}\n"));

    // Wrong PIN: exit 2, recorded with the token's refusal.
    let o = hsm
        .command(&["inventory", "--token", TOKEN, "--pin-file"])
        .arg(&wrong_file)
        .arg("--audit-log")
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    // A check failure: the KSR hash the officers read back does not match. Exit 1,
    // no SKR, and the end record lists no output.
    keygen_ksk(&hsm, &log);
    let skr = hsm.path("skr.xml");
    let o = sign_ksr(&hsm, &log, &skr, &"ab".repeat(32));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!skr.exists());

    let recs = records(&log);
    let ends: Vec<_> = recs.iter().filter(|r| r["event"] == "end").collect();
    assert_eq!(ends.len(), 3);
    assert_eq!(ends[0]["command"], "inventory");
    assert_eq!(ends[0]["outcome"]["exit"], 2);
    assert!(ends[0]["outcome"]["error"]
        .as_str()
        .unwrap()
        .contains("wrong PIN"));
    assert_eq!(ends[2]["command"], "sign-ksr");
    assert_eq!(ends[2]["outcome"]["exit"], 1);
    assert!(ends[2]["outcome"]["error"]
        .as_str()
        .unwrap()
        .contains("check failed"));
    assert_eq!(ends[2]["files"], serde_json::json!([]));

    let o = ok(audit(&["verify"], &log));
    assert!(
        stdout(&o).contains("(2 failed, 0 interrupted"),
        "{}",
        text(&o)
    );
    let all = std::fs::read_to_string(&log).unwrap();
    for secret in [&hsm.pin, &hsm.so_pin, &wrong_pin] {
        assert!(!all.contains(secret.as_str()), "a PIN is in the audit log");
    }
    // Nor the PIN files' hashes.
    for f in [&hsm.pin_file, &wrong_file] {
        assert!(
            !all.contains(&sha256_hex(f)),
            "a PIN file's hash is in the log"
        );
    }
}

#[test]
fn a_killed_command_is_reported_as_interrupted_and_the_log_resumes() {
    let hsm = SoftHsm::new_by_ceremony(TOKEN);
    let log = hsm.path("audit.jsonl");
    keygen_ksk(&hsm, &log);
    // sign-ksr without --expect-sha256 waits for the officer to read the hash back:
    // kill it (SIGKILL) there, after its begin record is on disk. Waiting for the
    // prompt, not just the begin record: killed while SoftHSM rewrites its token
    // files, the token itself would be damaged, which is not what this tests.
    let skr = hsm.path("skr.xml");
    let (out_file, err_file) = (hsm.path("sign.out"), hsm.path("sign.err"));
    let mut child = hsm
        .with_token(TOKEN, &["sign-ksr"])
        .arg(test_support::fixture(KSR))
        .args(["--out", skr.to_str().unwrap(), "--ksk-current", "KSK"])
        .args([
            "--schema",
            "normal",
            "--at",
            "2017-03-20",
            "--first-in-chain",
        ])
        .arg("--audit-log")
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(std::fs::File::create(&err_file).unwrap())
        .spawn()
        .unwrap();
    let prompted = || {
        [&out_file, &err_file]
            .iter()
            .any(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("Type the SHA-256")))
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while records(&log).len() < 4 || !prompted() {
        assert!(
            Instant::now() < deadline,
            "sign-ksr never waited for the hash: {:?} {:?}",
            std::fs::read_to_string(&out_file),
            std::fs::read_to_string(&err_file)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let recs = records(&log);
    assert_eq!((recs.len(), recs[3]["event"].as_str()), (4, Some("begin")));
    assert!(!skr.exists());

    let o = ok(audit(&["verify"], &log));
    assert!(stdout(&o).contains("1 without end"), "{}", text(&o));
    assert!(
        stdout(&o).contains("without end: record 4, sign-ksr"),
        "{}",
        text(&o)
    );

    // The next command records the gap, then runs and appends as usual.
    ok(audited(&hsm, &log, &["inventory"]));
    let recs = records(&log);
    assert_eq!(recs.len(), 7);
    assert_eq!(recs[4]["event"], "interrupted");
    assert_eq!(recs[4]["begin"], 4);
    assert_eq!(recs[4]["command"], "sign-ksr");
    assert_eq!(
        (recs[5]["event"].as_str(), recs[6]["event"].as_str()),
        (Some("begin"), Some("end"))
    );
    let o = ok(audit(&["verify"], &log));
    let out = stdout(&o);
    assert!(out.contains("1 interrupted, 0 without end"), "{out}");
    assert!(out.contains("interrupted: record 4, sign-ksr"), "{out}");
}
