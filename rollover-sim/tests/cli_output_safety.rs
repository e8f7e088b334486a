//! Issue 11, items 1 and 13: every output option (`--out`, `--csv`, `--svg`,
//! `--html`) refuses a special file or an existing file without `--force`
//! before any work, and `--threads` is capped. Special files are made in a
//! temp dir (FIFO by `mkfifo`, symlink), never a real /dev node.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::FileTypeExt;
use test_support::{dir_names, mkfifo};

#[test]
fn every_output_option_refuses_a_fifo_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let f = fifo.to_str().unwrap();
    // A scenario that does not exist: the preflight must come first.
    let missing = dir.path().join("missing.toml");
    let sc = missing.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["run", sc, "--out", f],
        vec!["plan", sc, "--out", f, "--force"],
        vec!["population", sc, "--resolvers", "10", "--out", f],
        vec!["population", sc, "--resolvers", "10", "--csv", f],
        vec!["population", sc, "--resolvers", "10", "--svg", f, "--force"],
        vec!["testbed", sc, "--html", f],
    ];
    for args in cases {
        let o = sim(&args);
        o.expect_code(exit::UNUSABLE);
        assert!(
            o.stderr.contains("is a FIFO, not a regular file"),
            "{args:?}: {}",
            o.stderr
        );
        assert_eq!(o.stdout, "");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }
    assert_eq!(dir_names(dir.path()), vec!["fifo"], "no temp file left");
}

#[test]
fn a_symlink_is_refused_and_its_target_kept() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, b"keep").unwrap();
    let link = dir.path().join("plan.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let o = sim(&[
        "plan",
        &scenario_arg("early-switch.toml"),
        "--out",
        link.to_str().unwrap(),
        "--force",
    ]);
    o.expect_code(exit::UNUSABLE);
    assert!(o.stderr.contains("symbolic link"), "{}", o.stderr);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(&victim).unwrap(), b"keep");
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    fs::write(&out, b"old").unwrap();
    let sc = scenario_arg("image-reset.toml");
    let o = sim(&["run", &sc, "--out", out.to_str().unwrap()]);
    o.expect_code(exit::UNUSABLE);
    assert!(o.stderr.contains("without --force"), "{}", o.stderr);
    assert_eq!(o.stdout, "", "refused before the run");
    assert_eq!(fs::read(&out).unwrap(), b"old");
    let o = sim(&["run", &sc, "--out", out.to_str().unwrap(), "--force"]);
    o.expect_code(exit::CHECK_FAILED);
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert!(v["resolvers"].is_array());
    assert_eq!(dir_names(dir.path()), vec!["run.json"]);
}

#[test]
fn threads_are_capped_with_a_clear_error() {
    let sc = scenario_arg("root-2017-roll.toml");
    for n in ["100000", "0"] {
        let o = sim(&["population", &sc, "--resolvers", "10", "--threads", n]);
        o.expect_code(exit::UNUSABLE);
        assert!(
            o.stderr.contains("--threads: must be 1..256"),
            "{}",
            o.stderr
        );
    }
    let o = sim(&["population", &sc, "--resolvers", "10", "--threads", "256"]);
    o.expect_code(exit::OK);
}

/// Two output options naming one file would write it twice, the second
/// replacing the first (or failing on it after the first was written): the
/// pair is refused before any work, whatever the spelling of the path.
#[test]
fn two_outputs_naming_one_file_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("sub")).unwrap();
    let same = d.join("same");
    let s = same.to_str().unwrap();
    let via_sub = d.join("sub/../same");
    let sc = scenario_arg("root-2017-roll.toml");
    let pop = |extra: &[&str]| {
        let mut args = vec!["population", sc.as_str(), "--resolvers", "10"];
        args.extend_from_slice(extra);
        sim(&args)
    };
    let refused = |o: Outcome, want: &str| {
        o.expect_code(exit::UNUSABLE);
        assert_eq!(o.stdout, "");
        assert!(o.stderr.contains(want), "{}", o.stderr);
        assert!(
            o.stderr.contains("give each output its own file"),
            "{}",
            o.stderr
        );
    };
    // A new file, named twice: nothing is written.
    refused(pop(&["--csv", s, "--svg", s]), "--svg: ");
    refused(
        pop(&["--out", s, "--csv", via_sub.to_str().unwrap()]),
        "same file as --out",
    );
    assert_eq!(dir_names(d), vec!["sub"], "nothing written, no temp file");
    // An existing file with --force: kept as it was.
    fs::write(&same, b"keep").unwrap();
    refused(pop(&["--csv", s, "--svg", s, "--force"]), "--svg: ");
    let link = d.join("hard");
    fs::hard_link(&same, &link).unwrap();
    refused(
        pop(&["--svg", s, "--out", link.to_str().unwrap(), "--force"]),
        "--svg: ",
    );
    assert_eq!(fs::read(&same).unwrap(), b"keep");
    assert_eq!(dir_names(d), vec!["hard", "same", "sub"]);
    // Different files are all written.
    let (csv, svg, out) = (d.join("a.csv"), d.join("a.svg"), d.join("a.json"));
    pop(&[
        "--csv",
        csv.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .expect_code(exit::OK);
    assert!(csv.exists() && svg.exists() && out.exists());
}
