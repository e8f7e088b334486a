//! `rollover-sim population` end to end.

use serde_json::Value;
use std::process::Output;

fn scenario() -> String {
    test_support::repo_file("rollover-sim/scenarios/root-2017-roll.toml")
        .display()
        .to_string()
}

fn sim(args: &[&str]) -> Output {
    test_support::process::command("rollover-sim")
        .args(args)
        .output()
        .unwrap()
}

/// Runs `population` on the 2017 roll with `args` plus `--json OUT`; it must
/// succeed. Returns the JSON report.
fn forecast_json(args: &[&str], out: &std::path::Path) -> Value {
    let sc = scenario();
    let mut all = vec!["population", sc.as_str()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--json", out.to_str().unwrap()]);
    let o = sim(&all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

#[test]
fn forecast_writes_json_csv_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let (j, c, s) = (
        dir.path().join("p.json"),
        dir.path().join("p.csv"),
        dir.path().join("p.svg"),
    );
    let v = forecast_json(
        &[
            "--resolvers",
            "3000",
            "--seed",
            "5",
            "--csv",
            c.to_str().unwrap(),
            "--svg",
            s.to_str().unwrap(),
        ],
        &j,
    );
    assert_eq!(v["resolvers"], 3000);
    let last = v["times"].as_array().unwrap().len() - 1;
    assert_eq!(v["existing"][last], 3000);
    // Most resolvers follow the roll; KSK-2010 is revoked everywhere that saw it.
    let trusting_2017 = v["trusting"][1][last].as_i64().unwrap();
    assert!(trusting_2017 > 2700, "{trusting_2017}");
    // Before the switch nobody fails; after it the persistence faults show.
    let ev = v["at_events"].as_array().unwrap();
    assert_eq!(ev[1]["failing"], 0);
    let switch = ev
        .iter()
        .find(|e| e["step"].as_str().unwrap().contains("sign KSK-2017"))
        .unwrap();
    assert!(switch["peak_failing"].as_i64().unwrap() > 0);
    // RFC 8145 signals by tag: 19036 = 0x4a5c, 20326 = 0x4f66.
    let labels: Vec<&str> = v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"_ta-4a5c")
            && labels.contains(&"_ta-4f66")
            && labels.contains(&"_ta-4a5c-4f66"),
        "{labels:?}"
    );
    let csv = std::fs::read_to_string(&c).unwrap();
    assert!(csv.starts_with("time,up,failing,trusting KSK-2010 (19036),trusting KSK-2017 (20326)"));
    assert_eq!(csv.lines().count(), last + 2);
    let svg = std::fs::read_to_string(&s).unwrap();
    assert!(
        svg.starts_with("<svg")
            && svg.contains("trusting KSK-2017 (20326)")
            && svg.contains("failing validation")
    );
}

#[test]
fn same_seed_same_bytes_other_seed_other_result() {
    let dir = tempfile::tempdir().unwrap();
    let run = |seed: &str, threads: &str, name: &str| {
        let p = dir.path().join(name);
        let o = sim(&[
            "population",
            &scenario(),
            "--resolvers",
            "2000",
            "--seed",
            seed,
            "--threads",
            threads,
            "--json",
            p.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0));
        std::fs::read(p).unwrap()
    };
    let a = run("9", "1", "a.json");
    let b = run("9", "2", "b.json");
    let c = run("10", "2", "c.json");
    assert_eq!(a, b, "thread count must not change the result");
    assert_ne!(a, c);
}

#[test]
fn mix_file_drives_the_population() {
    let dir = tempfile::tempdir().unwrap();
    let mix = dir.path().join("mix.toml");
    // Every resolver is a weekly-reset image: none can follow the roll.
    std::fs::write(
        &mix,
        "[[class]]\nname = \"images\"\nweight = 1\nprofile = \"unbound\"\nimage-reset = 1.0\nreset-every = \"7d\"\n",
    )
    .unwrap();
    let v = forecast_json(
        &["--resolvers", "500", "--mix", mix.to_str().unwrap()],
        &dir.path().join("p.json"),
    );
    let last = v["times"].as_array().unwrap().len() - 1;
    assert_eq!(
        v["failing"][last], v["up"][last],
        "every running image fails after the switch"
    );
    assert_eq!(v["classes"][0]["resolvers"], 500);

    std::fs::write(&mix, "[[class]]\nname = \"x\"\nweight = 1\nprofile = \"unbound\"\n\n[[class]]\nname = \"y\"\nweight = 1\nprofile = \"dnsmasq\"\n").unwrap();
    let o = sim(&[
        "population",
        &scenario(),
        "--resolvers",
        "10",
        "--mix",
        mix.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("mix.toml:6:") && err.contains("unknown profile"),
        "{err}"
    );
}

#[test]
fn unusable_arguments_exit_2() {
    assert_eq!(
        sim(&["population", &scenario(), "--resolvers", "0"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(sim(&["population", &scenario()]).status.code(), Some(2));
    assert_eq!(
        sim(&[
            "population",
            &scenario(),
            "--resolvers",
            "10",
            "--step",
            "fortnight"
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn a_mix_with_more_restarts_than_simulated_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mix = dir.path().join("restless.toml");
    // 100 restarts a year over the 21-month roll: about 175 per resolver.
    std::fs::write(
        &mix,
        "[[class]]\nname = \"restless\"\nweight = 1\nprofile = \"bind\"\nrestarts-per-year = 100\n",
    )
    .unwrap();
    let o = sim(&[
        "population",
        &scenario(),
        "--resolvers",
        "10",
        "--mix",
        mix.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("restless.toml: class \"restless\"") && err.contains("at most 64"),
        "{err}"
    );
}
