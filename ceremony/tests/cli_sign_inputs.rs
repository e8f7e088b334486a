//! What `ceremony` reads and writes around a signing (issue 11):
//! - item 1: every output option goes through the output preflight before the
//!   token is opened: a FIFO, a symlink or an existing file (without --force)
//!   is refused with exit 2, left as it was, and no PIN or hash is asked for;
//! - item 6: the KSR is read once: the audit log's `begin` record hashes the
//!   very bytes that were confirmed and signed, even when the path is a FIFO
//!   that would give other bytes to a second reader;
//! - item 12: `sign-ksr` needs `--previous-skr` or `--first-in-chain`, and the
//!   latter is printed loudly and recorded in the log and the report.

mod common;
use common::*;

use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use test_support::mkfifo;

/// `ARGS --token TOKEN` with the PIN to be typed, on an env that has no PIN
/// and no answer: had the token been opened, a PIN prompt would show.
fn untouched(token: &str, args: &[&str], needle: &str) {
    let env = FakeEnv::new();
    let mut all = args.to_vec();
    all.extend(["--token", token]);
    let o = ceremony(&env, &all);
    o.expect_code(2);
    assert!(o.stderr.contains(needle), "{needle:?} not in {}", o.stderr);
    assert!(env.prompts().is_empty(), "asked: {:?}", env.prompts());
    assert!(
        !o.stdout.contains("Checks against the token"),
        "{}",
        o.stdout
    );
}

#[test]
fn outputs_other_than_regular_files_are_refused_before_the_token() {
    let t = root_ksk_token("outputs");
    let ksr = fixture(ROOT_KSR);
    let dir = scratch();
    let d = dir.path();

    // A FIFO stays a FIFO.
    let fifo = d.join("skr.fifo");
    mkfifo(&fifo);
    let args = root_sign_args(s(&ksr), s(&fifo), &["--first-in-chain", "--force"]);
    untouched(t, &args, "is a FIFO, not a regular file");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());

    // A symlink (here to a file that must not change), --force or not.
    let victim = d.join("victim");
    std::fs::write(&victim, "keep me\n").unwrap();
    let link = d.join("skr.link");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    for force in [&[][..], &["--force"][..]] {
        let mut extra = vec!["--first-in-chain"];
        extra.extend_from_slice(force);
        untouched(
            t,
            &root_sign_args(s(&ksr), s(&link), &extra),
            "is a symbolic link",
        );
    }
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");

    // A directory that does not exist.
    let nowhere = d.join("missing").join("skr.xml");
    untouched(
        t,
        &root_sign_args(s(&ksr), s(&nowhere), &["--first-in-chain"]),
        "cannot write in the directory",
    );

    // An existing regular file: refused without --force, unchanged.
    let old = d.join("old.xml");
    std::fs::write(&old, "an older SKR\n").unwrap();
    untouched(
        t,
        &root_sign_args(s(&ksr), s(&old), &["--first-in-chain"]),
        "exists; refusing to replace it without --force",
    );
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "an older SKR\n");
    // ... and replaced with it.
    let hash = sha256_hex(&ksr);
    let o = on(
        &FakeEnv::new(),
        t,
        &root_sign_args(
            s(&ksr),
            s(&old),
            &["--first-in-chain", "--force", "--expect-sha256", &hash],
        ),
    );
    o.expect_code(0);
    let doc = ksr::xml::parse_file(&old, &Default::default()).unwrap();
    assert_eq!(doc.bundles.len(), 9);
    // No temp file is left beside the outputs.
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["old.xml", "skr.fifo", "skr.link", "victim"]);

    // The other outputs of `ceremony`: request, transport key, backup, trust anchor.
    keygen(t, "zsk", "ecdsap256sha256", &["--flags", "256"]);
    untouched(
        t,
        &test_support::request_args(".", &["zsk"], ("2026-01-01", "2026-04-01"), s(&fifo)),
        "is a FIFO",
    );
    untouched(
        t,
        &["backup", "transport-key", "--out", s(&old)],
        "without --force",
    );
    untouched(
        t,
        &trust_anchor_args("Kroot", &["--out", s(&link)]),
        "is a symbolic link",
    );
    assert!(
        !inventory(t, ".").to_string().contains("ceremony-transport"),
        "a refused transport-key made no key"
    );
    // With --force the trust anchor replaces the regular file.
    let o = on(
        &FakeEnv::new(),
        t,
        &trust_anchor_args("Kroot", &["--out", s(&old), "--force"]),
    );
    o.expect_code(0);
    assert!(std::fs::read_to_string(&old)
        .unwrap()
        .contains("<TrustAnchor"));
}

#[test]
fn the_chain_is_required_or_stated_and_recorded() {
    let t = root_ksk_token("chain-choice");
    let ksr = fixture(ROOT_KSR);
    let dir = scratch();
    let skr = dir.path().join("skr.xml");
    let log = dir.path().join("audit.jsonl");
    let hash = sha256_hex(&ksr);

    // Neither --previous-skr nor --first-in-chain: exit 2, telling what to do.
    let o = with_token(
        t,
        &root_sign_args(s(&ksr), s(&skr), &["--expect-sha256", &hash]),
    );
    o.expect_code(2);
    assert!(
        o.stderr.contains("--previous-skr FILE") && o.stderr.contains("--first-in-chain"),
        "{}",
        o.stderr
    );
    assert!(!skr.exists());
    // Both: they contradict each other.
    let prev = fixture("iana-root/skr-root-2017-q1-0.xml");
    let o = with_token(
        t,
        &root_sign_args(
            s(&ksr),
            s(&skr),
            &[
                "--expect-sha256",
                &hash,
                "--first-in-chain",
                "--previous-skr",
                s(&prev),
            ],
        ),
    );
    o.expect_stderr(2, "contradict");

    // --first-in-chain: said loudly, in the text, the JSON report and the log.
    let mut args = vec!["--audit-log", s(&log), "--json"];
    args.extend(root_sign_args(
        s(&ksr),
        s(&skr),
        &["--expect-sha256", &hash, "--first-in-chain"],
    ));
    let o = with_token(t, &args);
    o.expect_stderr(0, "the chain was NOT checked");
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(report["chain"], "first-in-chain", "{report}");
    let begin = begin_record(&log);
    assert!(
        begin["note"]
            .as_str()
            .unwrap()
            .contains("chain was not checked"),
        "{begin}"
    );
    std::fs::remove_file(&skr).unwrap();
    let o = with_token(
        t,
        &root_sign_args(
            s(&ksr),
            s(&skr),
            &["--expect-sha256", &hash, "--first-in-chain"],
        ),
    );
    o.expect_code(0);
    assert!(
        o.stdout
            .lines()
            .last()
            .unwrap()
            .contains("the chain was NOT checked"),
        "{}",
        o.stdout
    );
}

fn begin_record(log: &Path) -> serde_json::Value {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .rfind(|r| r["event"] == "begin" && r["command"] == "sign-ksr")
        .expect("a begin record")
}

#[test]
fn the_audit_log_hashes_the_bytes_that_were_signed() {
    let t = root_ksk_token("read-once");
    let genuine = std::fs::read(fixture(ROOT_KSR)).unwrap();
    // A second reader of the FIFO would get other bytes (a valid KSR too).
    let mut other = genuine.clone();
    other.extend_from_slice(b"\n\n");
    let dir = scratch();
    let fifo = dir.path().join("ksr.xml");
    mkfifo(&fifo);
    let writer = {
        let (fifo, first, second) = (fifo.clone(), genuine.clone(), other.clone());
        std::thread::spawn(move || {
            for bytes in [first, second] {
                let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
                // A reader that went away is fine: only what it read counts.
                let _ = w.write_all(&bytes);
                drop(w);
                // Let the reader see the end of the first file before the
                // FIFO is opened again (else both would reach one reader).
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
        })
    };
    let skr = dir.path().join("skr.xml");
    let log = dir.path().join("audit.jsonl");
    let good = sha256_hex(&fixture(ROOT_KSR));
    let mut args = vec!["--audit-log", s(&log), "--json"];
    args.extend(root_sign_args(
        s(&fifo),
        s(&skr),
        &["--expect-sha256", &good, "--first-in-chain"],
    ));
    let o = with_token(t, &args);
    // Unblock the writer's second open (nothing read it), then join.
    let drained = std::fs::read(&fifo).unwrap();
    writer.join().unwrap();
    o.expect_code(0);
    assert_eq!(drained, other, "sign-ksr read the FIFO exactly once");
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(report["ksr_sha256"], good.as_str());
    let begin = begin_record(&log);
    let ksr_ref = &begin["files"][0];
    assert_eq!(ksr_ref["role"], "ksr", "{begin}");
    assert_eq!(ksr_ref["sha256"], good.as_str(), "{begin}");
    // And the SKR answers exactly that KSR.
    let signed = ksr::xml::parse(&genuine, "ksr", &Default::default()).unwrap();
    let doc = ksr::xml::parse_file(&skr, &Default::default()).unwrap();
    assert_eq!(doc.id, signed.id);
    assert_eq!(doc.bundles.len(), signed.bundles.len());
}

/// The largest `--max-size` reads the previous SKR too (its limit is four
/// times `--max-size`, which must not wrap): the chain is checked as with
/// the default limit.
#[test]
fn the_largest_max_size_still_reads_the_previous_skr() {
    let t = root_ksk_token("max-size");
    let ksr = fixture(ROOT_KSR);
    let dir = scratch();
    let skr = dir.path().join("skr.xml");
    let prev = fixture("iana-root/skr-root-2017-q1-0.xml");
    let (max, hash) = (usize::MAX.to_string(), sha256_hex(&ksr));
    let args = root_sign_args(
        s(&ksr),
        s(&skr),
        &[
            "--expect-sha256",
            &hash,
            "--previous-skr",
            s(&prev),
            "--max-size",
            &max,
        ],
    );
    let o = with_token(t, &args);
    // The root's previous SKR was signed by the real root KSK, which is not
    // on this token: the chain check fails, after reading it whole.
    o.expect_code(1);
    assert!(!o.stderr.contains("internal error"), "{}", o.stderr);
    let chain = format!("FAIL {}", ksr::check::ceremony::CHAIN_KEYS_HSM);
    assert!(
        o.stdout.contains(&chain) || o.stderr.contains(&chain),
        "{}\n{}",
        o.stdout,
        o.stderr
    );
}
