//! Every `ksr` subcommand in-process on a `FakeEnv`: exit code, stdout and
//! stderr asserted together; the clock, a closed stdout, `--help`/`--version`
//! and usage errors. A few process-level runs show the binary's own wiring
//! (`main_with`, a real pipe).

use ksr::env::FakeEnv;
use ksr::testkit::{date, fixture_path};
use test_support::{exit, run_on, Outcome};

fn fx(name: &str) -> String {
    fixture_path(name).display().to_string()
}

fn ksr(env: &FakeEnv, args: &[&str]) -> Outcome {
    let mut all = vec!["ksr"];
    all.extend_from_slice(args);
    run_on(env, &all, |a, e| ksr::cli::run(a, e))
}

fn at(day: &str) -> FakeEnv {
    FakeEnv::new().at(date(day))
}

#[test]
fn inspect_prints_the_header_and_table_on_stdout_and_nothing_on_stderr() {
    let o = ksr(&FakeEnv::new(), &["inspect", &fx("skr-root-2017-q2-0.xml")]);
    o.expect_code(exit::OK);
    assert!(o.stdout.starts_with("kind:    SKR\nformat:  IANA XML\ndomain:  .\nid:      23e34059-7725-46a8-a7d2-662d657aab2b\nserial:  1\nbundles: 9\n"), "{}", o.stdout);
    // Human output prints times with Z.
    assert!(
        o.stdout
            .contains("2017-04-01T00:00:00Z  2017-04-22T00:00:00Z"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("+00:00"), "{}", o.stdout);
    assert_eq!(o.stderr, "");

    let o = ksr(
        &FakeEnv::new(),
        &["inspect", "--json", &fx("ksr-root-2017-q2-0.xml")],
    );
    o.expect_code(exit::OK);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["kind"], "KSR");
    assert_eq!(v["format"], "xml");
    assert_eq!(v["bundles"][0]["inception"], "2017-04-01T00:00:00Z");
    assert_eq!(o.stderr, "");
}

#[test]
fn verify_takes_now_from_the_env_clock_unless_at_is_given() {
    let ksr_file = fx("ksr-root-2017-q2-0.xml");
    // In March 2017 the KSR is within the horizon: everything passes or skips.
    let o = ksr(&at("2017-03-20"), &["verify", &ksr_file]);
    o.expect_code(exit::OK);
    assert_eq!(o.stdout.lines().count(), 16, "{}", o.stdout);
    assert!(
        o.stdout.contains("PASS KSR-POLICY-SIG-HORIZON "),
        "{}",
        o.stdout
    );
    assert_eq!(
        o.stderr,
        format!("ksr verify: {ksr_file} (read as IANA XML KSR): 12 passed, 0 failed, 4 skipped\n")
    );
    // The default clock (2026) finds every bundle expired.
    let o = ksr(&FakeEnv::new(), &["verify", &ksr_file]);
    o.expect_code(exit::CHECK_FAILED);
    assert!(
        o.stdout.contains(
            "FAIL KSR-POLICY-SIG-HORIZON slot 1 (dc1bc68c) expired at 2017-04-22T00:00:00Z, before 2026-01-01T00:00:00Z"
        ),
        "{}",
        o.stdout
    );
    assert!(
        o.stderr.ends_with("11 passed, 1 failed, 4 skipped\n"),
        "{}",
        o.stderr
    );
    // --at wins over the clock.
    let o = ksr(
        &FakeEnv::new(),
        &["verify", "--at", "2017-03-20", &ksr_file],
    );
    o.expect_code(exit::OK);
    assert!(
        o.stderr.ends_with("12 passed, 0 failed, 4 skipped\n"),
        "{}",
        o.stderr
    );
}

#[test]
fn verify_json_goes_to_stdout_with_times_in_z() {
    let skr = fx("skr-root-2017-q2-0.xml");
    let o = ksr(&at("2017-04-05"), &["verify", "--json", &skr]);
    o.expect_code(exit::OK);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["at"], "2017-04-05T00:00:00Z");
    assert_eq!(v["kind"], "SKR");
    assert_eq!(v["failed"], false);
    assert!(v["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "SKR-VERIFY" && r["outcome"] == "PASS"));
    assert!(o.stderr.starts_with("ksr verify: "), "{}", o.stderr);
}

#[test]
fn min_remaining_accepts_p1d_and_1d_alike() {
    let skr = fx("skr-root-2017-q2-0.xml");
    let a = ksr(
        &FakeEnv::new(),
        &[
            "verify",
            "--at",
            "2017-04-05",
            "--min-remaining",
            "P1D",
            &skr,
        ],
    );
    let b = ksr(
        &FakeEnv::new(),
        &[
            "verify",
            "--at",
            "2017-04-05",
            "--min-remaining",
            "1d",
            &skr,
        ],
    );
    a.expect_code(exit::OK);
    b.expect_code(exit::OK);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.stderr, b.stderr);
    assert!(
        a.stdout
            .contains("outlives the next bundle's inception by at least P1D"),
        "{}",
        a.stdout
    );
    // A margin the SKR cannot meet fails, however it is written.
    let c = ksr(
        &FakeEnv::new(),
        &[
            "verify",
            "--at",
            "2017-04-05",
            "--min-remaining",
            "12d",
            &skr,
        ],
    );
    c.expect_code(exit::CHECK_FAILED);
    assert!(c.stdout.contains("FAIL SKR-SIG-WINDOW "), "{}", c.stdout);
    let bad = ksr(
        &FakeEnv::new(),
        &["verify", "--min-remaining", "soon", &skr],
    );
    bad.expect_code(exit::UNUSABLE);
    assert_eq!(bad.stdout, "");
    assert!(
        bad.stderr.starts_with("ksr: --min-remaining \"soon\": "),
        "{}",
        bad.stderr
    );
}

#[test]
fn export_writes_the_text_dialect_to_stdout_and_checks_to_stderr() {
    let skr = fx("skr-root-2017-q2-0.xml");
    let o = ksr(&FakeEnv::new(), &["export", "--dialect", "knot", &skr]);
    o.expect_code(exit::OK);
    assert!(
        o.stdout
            .starts_with(";; SignedKeyResponse 1.0 1491004800 (2017-04-01T00:00:00+00:00)\n"),
        "{}",
        o.stdout
    );
    assert_eq!(o.stdout.matches(";; SignedKeyResponse 1.0 ").count(), 10);
    assert!(o.stderr.contains("PASS SKR-VERIFY "), "{}", o.stderr);
    assert!(
        o.stderr.ends_with(&format!(
            "ksr export: {skr} (read as IANA XML SKR): 13 passed, 0 failed, 6 skipped; Knot dialect, 9 snapshots on stdout\n"
        )),
        "{}",
        o.stderr
    );
    // A KSR cannot be exported: usage, nothing on stdout.
    let o = ksr(
        &FakeEnv::new(),
        &["export", "--dialect", "bind", &fx("ksr-root-2017-q2-0.xml")],
    );
    o.expect_code(exit::UNUSABLE);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr
            .ends_with("this is a KSR (Request); only a signed SKR can be exported\n"),
        "{}",
        o.stderr
    );
    // An unknown dialect is clap's usage error.
    let o = ksr(&FakeEnv::new(), &["export", "--dialect", "nsd", &skr]);
    o.expect_code(exit::UNUSABLE);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("knot or bind"), "{}", o.stderr);
}

#[test]
fn hash_prints_hex_and_words_and_refuses_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("hello.txt");
    std::fs::write(&f, b"hello, world\n").unwrap();
    let name = f.display().to_string();
    let o = ksr(&FakeEnv::new(), &["hash", &name]);
    o.expect_code(exit::OK);
    assert!(
        o.stdout.starts_with(&format!(
            "{name}\nSHA-256 853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020\n"
        )),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains(" 1 music "), "{}", o.stdout);
    assert_eq!(o.stderr, "");

    let missing = dir.path().join("nope").display().to_string();
    let o = ksr(&FakeEnv::new(), &["hash", &missing]);
    o.expect_code(exit::UNUSABLE);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr
            .starts_with(&format!("ksr: {missing}: cannot read: ")),
        "{}",
        o.stderr
    );
}

#[test]
fn policy_show_prints_toml_that_reads_back_and_names_a_bad_file() {
    let o = ksr(&FakeEnv::new(), &["policy", "show"]);
    o.expect_code(exit::OK);
    assert_eq!(o.stdout, ksr::policy::Policy::root().to_toml());
    assert_eq!(o.stderr, "");

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, "bundle_count = \"nine\"\n").unwrap();
    let o = ksr(
        &FakeEnv::new(),
        &["policy", "show", "--policy", p.to_str().unwrap()],
    );
    o.expect_code(exit::UNUSABLE);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.starts_with("ksr: "), "{}", o.stderr);
    assert!(o.stderr.contains("bad.toml"), "{}", o.stderr);
}

#[test]
fn a_closed_stdout_ends_every_subcommand_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.txt");
    std::fs::write(&f, b"x").unwrap();
    let skr = fx("skr-root-2017-q2-0.xml");
    let runs: [&[&str]; 6] = [
        &["inspect", &skr],
        &["verify", &skr],
        &["export", "--dialect", "knot", &skr],
        &["hash", f.to_str().unwrap()],
        &["policy", "show"],
        &["--help"],
    ];
    for args in runs {
        let o = ksr(&FakeEnv::new().closed_stdout(), args);
        assert_eq!(o.code, exit::OK, "{args:?}: {}", o.stderr);
        assert_eq!(o.stdout, "", "{args:?}");
        assert!(
            !o.stderr.contains("internal error"),
            "{args:?}: {}",
            o.stderr
        );
        assert!(!o.stderr.contains("cannot write"), "{args:?}: {}", o.stderr);
    }
}

#[test]
fn help_and_version_go_to_stdout_and_usage_errors_to_stderr() {
    let o = ksr(&FakeEnv::new(), &["--help"]);
    o.expect_code(exit::OK);
    assert!(o.stdout.contains("Usage: ksr"), "{}", o.stdout);
    assert_eq!(o.stderr, "");
    let o = ksr(&FakeEnv::new(), &["--version"]);
    o.expect_code(exit::OK);
    assert_eq!(o.stdout, format!("ksr {}\n", env!("CARGO_PKG_VERSION")));
    let o = ksr(&FakeEnv::new(), &["verify"]);
    o.expect_code(exit::UNUSABLE);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("<FILE>"), "{}", o.stderr);
    let o = ksr(
        &FakeEnv::new(),
        &["verify", "--at", "yesterday", &fx("skr-root-2017-q2-0.xml")],
    );
    o.expect_code(exit::UNUSABLE);
    assert!(
        o.stderr.starts_with("ksr: --at \"yesterday\": "),
        "{}",
        o.stderr
    );
}

#[test]
fn control_characters_from_an_input_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("evil.xml");
    let xml = std::fs::read_to_string(fixture_path("skr-root-2017-q2-0.xml")).unwrap();
    let evil = xml.replacen(
        "id=\"23e34059-7725-46a8-a7d2-662d657aab2b\"",
        "id=\"23e34059\u{1b}[2K\"",
        1,
    );
    assert_ne!(evil, xml);
    std::fs::write(&p, evil).unwrap();
    let o = ksr(&FakeEnv::new(), &["inspect", p.to_str().unwrap()]);
    o.expect_code(exit::OK);
    assert!(!o.stdout.contains('\u{1b}'), "{}", o.stdout);
    assert!(
        o.stdout.contains("id:      23e34059\\u{1b}[2K\n"),
        "{}",
        o.stdout
    );
}

// ---- process level: the binary's own wiring ------------------------------

#[test]
fn the_binary_runs_the_same_command_line() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ksr"))
        .args([
            "verify",
            "--at",
            "2017-04-05",
            &fx("skr-root-2017-q2-0.xml"),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let inproc = ksr(
        &FakeEnv::new(),
        &[
            "verify",
            "--at",
            "2017-04-05",
            &fx("skr-root-2017-q2-0.xml"),
        ],
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), inproc.stdout);
    assert_eq!(String::from_utf8_lossy(&o.stderr), inproc.stderr);
}

#[test]
fn verify_into_a_closed_pipe_exits_quietly() {
    use std::process::{Command, Stdio};
    // `ksr verify FILE | head -1` when head has already gone: the reading end
    // is closed as soon as ksr starts, before it has parsed its input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ksr"))
        .args(["verify", "--json", &fx("skr-root-2017-q2-0.xml")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let code = out.status.code();
    let err = String::from_utf8_lossy(&out.stderr);
    // 0 from the quiet exit (Rust ignores SIGPIPE), or None if killed by it (141 in a shell).
    assert!(code == Some(0) || code.is_none(), "exit {code:?}: {err}");
    assert!(!err.contains("internal error"), "{err}");
    assert!(!err.contains("cannot write"), "{err}");
}
