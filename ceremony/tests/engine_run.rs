//! `ceremony run` of the shipped KSR signing script on SoftHSM, in process:
//! a whole ceremony, secrets kept out of every output, quorums and deviations
//! enforced, tampering with the ceremony's log detected with the line named.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A KSK token and a KSR made with `ceremony request` from three ZSKs.
struct Setup {
    dir: tempfile::TempDir,
    ksr: PathBuf,
    token: &'static str,
}

fn setup(name: &str) -> Setup {
    let token = token(&format!("eng-{name}"));
    keygen(token, "KSK-CEREMONY", "rsasha256", &["--bits", "2048"]);
    let zsk = common::token(&format!("engz-{name}"));
    for z in ["Z1", "Z2", "Z3"] {
        keygen(zsk, z, "rsasha256", &["--bits", "2048", "--flags", "256"]);
    }
    let dir = scratch();
    let ksr = dir.path().join("ksr.xml");
    let args = test_support::request_args(
        ".",
        &["Z1", "Z2", "Z3"],
        ("2026-01-10", "2026-04-10"),
        s(&ksr),
    );
    with_token(zsk, &args).expect_code(0);
    Setup { dir, ksr, token }
}

fn script() -> PathBuf {
    test_support::repo_file("scripts/ceremonies/ksr-signing.toml")
}

/// The shipped answers plus the KSR hash (and anything `extra` adds).
fn answers(st: &Setup, ksr_answer: &str, extra: &str) -> PathBuf {
    let mut text = std::fs::read_to_string(test_support::repo_file(
        "scripts/ceremonies/answers/ksr-signing.toml",
    ))
    .unwrap();
    text = text.replace("signoff = [{ role = \"co\", person = \"Ana\" }, { role = \"co\", person = \"Bashir\" }, { role = \"co\", person = \"Chen\" }]", extra_activate(extra));
    text.push_str(&format!(
        "\n[steps.compare-ksr-hash]\nanswer = \"{ksr_answer}\"\nsignoff = [{{ role = \"iw\", person = \"Inge Witness\" }}]\n"
    ));
    if !extra.starts_with("activate:") {
        text.push_str(extra);
    }
    let p = st.dir.path().join("answers.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn extra_activate(extra: &str) -> &str {
    extra.strip_prefix("activate:").unwrap_or(
        "signoff = [{ role = \"co\", person = \"Ana\" }, { role = \"co\", person = \"Bashir\" }, { role = \"co\", person = \"Chen\" }]",
    )
}

fn run_ceremony(st: &Setup, answers: &Path, log: &Path) -> Outcome {
    let h = hsm();
    let script = script();
    let vars = [
        "--var",
        &format!("dir={}", s(st.dir.path())),
        "--var",
        &format!("ksr={}", s(&st.ksr)),
        "--var",
        &format!("token={}", st.token),
        "--var",
        &format!("pins={}", s(&h.dir)),
    ];
    ceremony(
        &FakeEnv::new(),
        &[&answered(&script, log, answers)[..], &vars].concat(),
    )
}

fn verify(log: &Path) -> Outcome {
    run(&["audit", "verify", s(log)])
}

#[test]
fn a_whole_signing_ceremony_records_every_step_and_no_secret() {
    let st = setup("whole");
    let log = st.dir.path().join("audit.jsonl");
    let a = answers(&st, &sha256_hex(&st.ksr), "");
    let o = run_ceremony(&st, &a, &log);
    o.expect_code(0);
    let skr = st.dir.path().join("skr.xml");
    assert!(
        o.stdout.contains("ceremony closed: KSR signing ceremony"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains(&sha256_hex(&skr)),
        "the SKR's hash is printed: {}",
        o.stdout
    );
    verify(&log).expect_code(0);
    // The SKR answers the KSR.
    let v = test_support::run_on(
        &FakeEnv::new(),
        &["verify", "--request", s(&st.ksr), s(&skr)],
        |args, env| ksr::cli::run(std::iter::once("ksr".to_string()).chain(args), env),
    );
    v.expect_code(0);
    let text = std::fs::read_to_string(&log).unwrap();
    for step in test_support::KSR_SIGNING_STEPS {
        assert!(
            test_support::times_done(&text, step) >= 1,
            "{step} recorded"
        );
    }
    assert!(
        text.contains(&sha256_hex(&skr)),
        "the SKR's hash is in the log"
    );
    assert!(text.contains("\"event\":\"close\""));
    // Reports.
    let md = st.dir.path().join("r.md");
    let html = st.dir.path().join("r.html");
    run(&["audit", "report", s(&log), "--out", s(&md)]).expect_code(0);
    run(&["audit", "report", s(&log), "--out", s(&html)]).expect_code(0);
    let md_text = std::fs::read_to_string(&md).unwrap();
    let html_text = std::fs::read_to_string(&html).unwrap();
    assert!(md_text.contains("by name only"), "{md_text}");
    assert!(html_text.contains("Ivo Witness (Internal Witness), signature and date"));
    // No PIN anywhere (ceremony() already checks stdout and stderr).
    let h = hsm();
    for t in [&text, &md_text, &html_text, &o.stdout] {
        assert!(
            !t.contains(&h.pin) && !t.contains(&h.so_pin),
            "a PIN leaked"
        );
    }
}

#[test]
fn a_quorum_short_by_one_is_refused_and_the_step_is_not_done() {
    let st = setup("short");
    let log = st.dir.path().join("audit.jsonl");
    let a = answers(
        &st,
        &sha256_hex(&st.ksr),
        "activate:signoff = [{ role = \"co\", person = \"Ana\" }, { role = \"co\", person = \"Bashir\" }]",
    );
    let o = run_ceremony(&st, &a, &log);
    o.expect_stderr(1, "step activate");
    assert!(o.stderr.contains("1 more sign-off"), "{}", o.stderr);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("\"event\":\"step-done\",\"command\":\"activate\""));
    assert!(
        !text.contains("\"command\":\"login\""),
        "nothing after the quorum ran"
    );
    // The same person twice is not two sign-offs.
    let a = answers(
        &st,
        &sha256_hex(&st.ksr),
        "activate:signoff = [{ role = \"co\", person = \"Ana\" }, { role = \"co\", person = \"Ana\" }, { role = \"co\", person = \"Bashir\" }]",
    );
    let log2 = st.dir.path().join("audit2.jsonl");
    let o = run_ceremony(&st, &a, &log2);
    o.expect_code(1);
    assert!(
        o.stderr
            .contains("\"Ana\" is not a co who may still sign off"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_wrong_ksr_hash_stops_until_a_deviation_approved_by_quorum() {
    let st = setup("dev");
    let log = st.dir.path().join("audit.jsonl");
    let wrong = "00".repeat(32);
    let a = answers(&st, &wrong, "");
    let o = run_ceremony(&st, &a, &log);
    o.expect_stderr(1, "step compare-ksr-hash");
    assert!(o.stderr.contains("awaits a deviation"), "{}", o.stderr);
    assert!(
        !st.dir.path().join("skr.xml").exists(),
        "nothing was signed"
    );
    verify(&log).expect_code(0);
}

#[test]
fn a_deviation_needs_its_quorum_and_is_reported_first() {
    let st = setup("open-dev");
    let dev = |who: &str| {
        format!(
            "\n[steps.open.deviation]\nreason = \"the room log was lost\"\nquorum = \"activation\"\napproved_by = [{who}]\ninstead = \"participants signed a new sheet\"\n"
        )
    };
    // Two approvers of a 3-of-7 quorum: refused.
    let log = st.dir.path().join("short.jsonl");
    let mut a = answers(&st, &sha256_hex(&st.ksr), "");
    let text = std::fs::read_to_string(&a).unwrap().replace("[steps.open]\nconfirm = \"yes\"\nsignoff = [{ role = \"ca\", person = \"Carol Admin\" }, { role = \"iw\", person = \"Ivo Witness\" }]\n", "");
    std::fs::write(&a, format!("{text}{}", dev("\"Ana\", \"Bashir\""))).unwrap();
    let o = run_ceremony(&st, &a, &log);
    o.expect_stderr(1, "approved by 2 of the 3");
    // Three: recorded, the ceremony goes on, the report lists it first.
    a = st.dir.path().join("answers3.toml");
    std::fs::write(
        &a,
        format!("{text}{}", dev("\"Ana\", \"Bashir\", \"Chen\"")),
    )
    .unwrap();
    let log = st.dir.path().join("dev.jsonl");
    let o = run_ceremony(&st, &a, &log);
    o.expect_code(0);
    assert!(o.stdout.contains("step open: DEVIATED"), "{}", o.stdout);
    let md = st.dir.path().join("r.md");
    run(&["audit", "report", s(&log), "--out", s(&md)]).expect_code(0);
    let r = std::fs::read_to_string(&md).unwrap();
    let dev_at = r.find("the room log was lost").unwrap();
    assert!(
        dev_at < r.find("## Participants").unwrap(),
        "deviations come first: {r}"
    );
    assert!(r.contains("Ana, Bashir, Chen"));
}

/// A closed ceremony log, and what `audit verify` says about a changed copy.
fn tampered(log: &Path, change: impl Fn(&mut Vec<String>)) -> Outcome {
    let mut lines: Vec<String> = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    change(&mut lines);
    let copy = log.with_file_name("tampered.jsonl");
    std::fs::write(&copy, lines.join("\n") + "\n").unwrap();
    verify(&copy)
}

#[test]
fn tampering_with_a_ceremony_log_is_detected_with_the_line_named() {
    let st = setup("tamper");
    let log = st.dir.path().join("audit.jsonl");
    run_ceremony(&st, &answers(&st, &sha256_hex(&st.ksr), ""), &log).expect_code(0);
    let copy = s(&log.with_file_name("tampered.jsonl")).to_string();
    // A flipped byte in line 7.
    let o = tampered(&log, |l| l[6] = l[6].replacen("\"step\"", "\"stap\"", 1));
    o.expect_code(1);
    assert!(
        o.stdout.contains(&format!("{copy}:7: FAIL")),
        "{}",
        o.stdout
    );
    // A deleted line.
    let o = tampered(&log, |l| {
        l.remove(9);
    });
    o.expect_code(1);
    assert!(
        o.stdout.contains(&format!("{copy}:10: FAIL")),
        "{}",
        o.stdout
    );
    // Two lines swapped.
    let o = tampered(&log, |l| l.swap(11, 12));
    o.expect_code(1);
    assert!(
        o.stdout.contains(&format!("{copy}:12: FAIL")),
        "{}",
        o.stdout
    );
    // A well-chained record appended after the close.
    let n = std::fs::read_to_string(&log).unwrap().lines().count();
    {
        let clock = ceremony::audit::FixedClock(time::OffsetDateTime::now_utc());
        let mut l = ceremony::audit::AuditLog::open(&log, clock).unwrap();
        l.append(ceremony::audit::Record::new(
            ceremony::audit::Event::Note,
            "late",
        ))
        .unwrap();
    }
    let o = verify(&log);
    o.expect_code(1);
    assert!(
        o.stdout.contains(&format!(":{}: FAIL", n + 1)),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("after the ceremony was closed"),
        "{}",
        o.stdout
    );
}

#[test]
fn stale_temp_files_of_the_outputs_are_swept_and_told_before_the_first_step() {
    let st = setup("stale");
    let log = st.dir.path().join("audit.jsonl");
    let a = answers(&st, &sha256_hex(&st.ksr), "");
    // A run killed while writing the SKR left its temp file; a process still
    // running (this test) has one too.
    let stale = st
        .dir
        .path()
        .join(format!(".skr.xml.{}.AbCdEf.tmp", test_support::dead_pid()));
    let live = st
        .dir
        .path()
        .join(format!(".skr.xml.{}.AbCdEf.tmp", std::process::id()));
    std::fs::write(&stale, b"<partial").unwrap();
    std::fs::write(&live, b"<being written").unwrap();
    let o = run_ceremony(&st, &a, &log);
    o.expect_code(0);
    assert!(!stale.exists(), "the dead run's temp file is gone");
    assert!(live.exists(), "a running process's temp file stays");
    let told = format!(
        "ceremony: removed stale temp file {} (left by a run that was killed)\n",
        stale.display()
    );
    assert!(o.stderr.starts_with(&told), "{}", o.stderr);
    assert_eq!(o.stderr.matches("removed stale temp file").count(), 1);
    assert!(
        !o.stdout.contains("removed stale temp file"),
        "told once, on stderr: {}",
        o.stdout
    );
    verify(&log).expect_code(0);
}

#[test]
fn an_output_no_step_may_write_is_refused_before_the_log_opens() {
    let st = setup("outputs");
    let a = answers(&st, &sha256_hex(&st.ksr), "");
    // The SKR's path is a symbolic link: refused at the start, not after the
    // steps before the signing have run.
    let skr = st.dir.path().join("skr.xml");
    std::os::unix::fs::symlink("elsewhere.xml", &skr).unwrap();
    let log = st.dir.path().join("audit.jsonl");
    let o = run_ceremony(&st, &a, &log);
    o.expect_code(2);
    assert!(
        o.stderr.contains("step sign, output skr") && o.stderr.contains("symbolic link"),
        "{}",
        o.stderr
    );
    assert!(!log.exists(), "nothing was recorded: no step ran");
    std::fs::remove_file(&skr).unwrap();
    // The audit log is the SKR's path: refused too (the signing step would
    // replace the log with the SKR).
    let o = run_ceremony(&st, &a, &skr);
    o.expect_code(2);
    assert!(o.stderr.contains("is the audit log"), "{}", o.stderr);
    assert!(!skr.exists());
}

#[test]
fn an_answer_for_a_step_the_script_does_not_have_is_refused() {
    let st = setup("typo");
    let a = answers(
        &st,
        &sha256_hex(&st.ksr),
        "\n[steps.compare-ksr-hahs]\nanswer = \"x\"\n",
    );
    let log = st.dir.path().join("audit.jsonl");
    let o = run_ceremony(&st, &a, &log);
    o.expect_stderr(2, "[steps.compare-ksr-hahs] is not a step of");
    assert!(o.stderr.contains("compare-ksr-hash"), "{}", o.stderr);
    assert!(!log.exists());
}
