//! `rollover-sim population` as a process: both duration forms for `--step`,
//! the files it writes. The forecast in detail is tested in-process in
//! `rollover-sim/tests/cli_population.rs`.

use serde_json::Value;
use std::process::{Command, Output};

fn sim(args: &[&str]) -> Output {
    let sc = e2e::workspace_root().join("rollover-sim/scenarios/root-2017-roll.toml");
    Command::new(e2e::binary("rollover-sim"))
        .arg("population")
        .arg(sc)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn step_p1d_and_1d_are_the_same_forecast() {
    let run = |step: &str| {
        let o = sim(&["--resolvers", "300", "--step", step, "--json"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{step}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("simulated 300 resolvers ("), "{err}");
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    };
    let a = run("P1D");
    assert_eq!(a, run("1d"));
    assert_eq!(a["resolvers"], 300);
    assert_eq!(
        sim(&["--resolvers", "3", "--step", "fortnight"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(sim(&["--resolvers", "0"]).status.code(), Some(2));
}

#[test]
fn writes_csv_svg_and_json_files() {
    let dir = tempfile::tempdir().unwrap();
    let (j, c, s) = (
        dir.path().join("p.json"),
        dir.path().join("p.csv"),
        dir.path().join("p.svg"),
    );
    let o = sim(&[
        "--resolvers",
        "500",
        "--out",
        j.to_str().unwrap(),
        "--csv",
        c.to_str().unwrap(),
        "--svg",
        s.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("population of 500 resolvers"));
    let v: Value = serde_json::from_slice(&std::fs::read(&j).unwrap()).unwrap();
    let samples = v["times"].as_array().unwrap().len();
    assert_eq!(
        std::fs::read_to_string(&c).unwrap().lines().count(),
        samples + 1
    );
    assert!(std::fs::read_to_string(&s).unwrap().starts_with("<svg"));
}
