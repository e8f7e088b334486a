//! `rollover-sim run` as a process: exit codes, a real closed pipe, a file
//! written by the binary. The behaviour in detail is tested in-process in
//! `rollover-sim/tests/cli_run.rs`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn scenario(name: &str) -> PathBuf {
    test_support::workspace_root()
        .join("rollover-sim/scenarios")
        .join(name)
}

fn sim(args: &[&str]) -> Output {
    Command::new(test_support::process::binary("rollover-sim"))
        .args(args)
        .output()
        .expect("run rollover-sim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn exit_codes_0_1_2_from_the_binary() {
    let root = scenario("root-2017-roll.toml");
    let o = sim(&["run", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("KSK-2017 (alg 8, tag 20326"));
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));

    let o = sim(&["run", scenario("early-switch.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("result: FAILED"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[trust-point]\nzone = 1\n").unwrap();
    let o = sim(&["run", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("rollover-sim: ")
            && err.contains("bad.toml:2:")
            && err.lines().count() == 1,
        "{err}"
    );
    assert_eq!(sim(&["frobnicate"]).status.code(), Some(2));
    let o = sim(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).starts_with("rollover-sim "));
}

#[test]
fn run_into_head_exits_quietly() {
    // `rollover-sim run SCENARIO | head -1` through a real shell pipe; the
    // JSON report (hundreds of KiB) cannot fit in the pipe, so the binary is
    // still writing when `head` exits.
    for (extra, first) in [("", "scenario "), ("--json", "{")] {
        let o = Command::new("bash")
            .args([
                "-c",
                "set -o pipefail; \"$0\" run \"$1\" $2 | head -1",
                test_support::process::binary("rollover-sim")
                    .to_str()
                    .unwrap(),
                scenario("root-2017-roll.toml").to_str().unwrap(),
                extra,
            ])
            .output()
            .unwrap();
        let code = o.status.code();
        assert!(
            code == Some(0) || code == Some(141),
            "{extra}: exit {code:?}: {}",
            text(&o.stderr)
        );
        assert!(text(&o.stdout).starts_with(first), "{}", text(&o.stdout));
        assert_eq!(
            text(&o.stderr),
            "",
            "{extra}: no internal error, nothing at all"
        );
    }
}

#[test]
fn a_reader_that_goes_away_after_one_line_is_a_quiet_exit_0() {
    // The reader closes its end before the report is written (as `head`
    // does after its line): the write fails with EPIPE, which must end
    // quietly with 0, not a panic or exit 2.
    for json in [false, true] {
        let mut cmd = Command::new(test_support::process::binary("rollover-sim"));
        cmd.arg("run").arg(scenario("root-2017-roll.toml"));
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "json {json}: {}", text(&o.stderr));
        assert_eq!(text(&o.stderr), "", "json {json}");
    }
    // Reading one line first, as `head -1` does.
    let mut child = Command::new(test_support::process::binary("rollover-sim"))
        .arg("run")
        .arg(scenario("root-2017-roll.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("scenario "), "{first}");
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
}

#[test]
fn json_on_stdout_and_out_file_agree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    let sc = scenario("image-reset.toml");
    let o = sim(&[
        "run",
        sc.to_str().unwrap(),
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(printed, written);
    assert_eq!(printed["resolvers"][0]["name"], "rfc5011-image");
}
