//! `rollover-sim population` in-process: the forecast's text, JSON, CSV and
//! SVG, exit codes and stderr.

mod common;

use common::*;
use ksr::env::FakeEnv;
use serde_json::Value;

fn root() -> String {
    scenario_arg("root-2017-roll.toml")
}

/// Runs `population` on the 2017 roll with `args` plus `--json`; it must
/// succeed. Returns the JSON report from stdout.
fn forecast_json(args: &[&str]) -> Value {
    let sc = root();
    let mut all = vec!["population", sc.as_str()];
    all.extend_from_slice(args);
    all.push("--json");
    let o = sim(&all);
    o.expect_code(exit::OK);
    stdout_json(&o)
}

/// `population ROOT --resolvers 10 --mix MIX`, which must be refused as
/// unusable input.
fn refused_mix(mix: &std::path::Path) -> Outcome {
    let o = sim(&[
        "population",
        &root(),
        "--resolvers",
        "10",
        "--mix",
        mix.to_str().unwrap(),
    ]);
    o.expect_code(exit::UNUSABLE);
    o
}

/// The one stderr line of a successful forecast; the fake clock stands still.
fn summary(resolvers: u64, v: &Value, threads: usize) -> String {
    format!(
        "simulated {resolvers} resolvers ({} resolver-events) in 0.00 s on {threads} threads\n",
        v["events"]
    )
}

#[test]
fn forecast_prints_json_and_writes_csv_svg_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let (j, c, s) = (
        dir.path().join("p.json"),
        dir.path().join("p.csv"),
        dir.path().join("p.svg"),
    );
    let sc = root();
    let o = sim(&[
        "population",
        &sc,
        "--resolvers",
        "3000",
        "--seed",
        "5",
        "--threads",
        "2",
        "--csv",
        c.to_str().unwrap(),
        "--svg",
        s.to_str().unwrap(),
        "--out",
        j.to_str().unwrap(),
        "--json",
    ]);
    o.expect_code(exit::OK);
    let v = stdout_json(&o);
    assert_eq!(o.stderr, summary(3000, &v, 2));
    let file: Value = serde_json::from_slice(&std::fs::read(&j).unwrap()).unwrap();
    assert_eq!(file, v, "--out holds what --json prints");
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
    assert!(csv.starts_with(
        "time,up,failing,insecure,trusting KSK-2010 (19036),trusting KSK-2017 (20326)"
    ));
    assert_eq!(csv.lines().count(), last + 2);
    let svg = std::fs::read_to_string(&s).unwrap();
    assert!(
        svg.starts_with("<svg")
            && svg.contains("trusting KSK-2017 (20326)")
            && svg.contains("failing validation")
            && svg.contains("insecure (trust point deleted)")
            && svg.contains("measured _ta-4a5c 4-8% on 2017-09-15")
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        3,
        "no temp files left"
    );
}

#[test]
fn text_report_names_classes_steps_and_final_shares() {
    let o = sim(&[
        "population",
        &root(),
        "--resolvers",
        "500",
        "--threads",
        "1",
    ]);
    o.expect_code(exit::OK);
    let text = &o.stdout;
    assert!(
        text.starts_with("population of 500 resolvers, seed 1, scenario "),
        "{text}"
    );
    for needle in [
        "  class bind ",
        "at each publisher step (share of running resolvers failing validation):",
        "2017-07-11  publish KSK-2017",
        "at the end (2019-04-01):",
        "  trusting KSK-2017 (20326)",
        "  signal _ta-4f66",
        "  failing validation ",
        "  insecure (trust point deleted) ",
        "RFC 8145 signal _ta-4a5c on 2017-09-15: model ",
        "  from class bind-trusted-keys ",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    let v = forecast_json(&["--resolvers", "500", "--threads", "1"]);
    assert_eq!(o.stderr, summary(500, &v, 1));
}

#[test]
fn same_seed_same_bytes_other_seed_other_result() {
    let run = |seed: &str, threads: &str| {
        let o = sim(&[
            "population",
            &root(),
            "--resolvers",
            "2000",
            "--seed",
            seed,
            "--threads",
            threads,
            "--json",
        ]);
        o.expect_code(exit::OK);
        o.stdout
    };
    let a = run("9", "1");
    let b = run("9", "2");
    let c = run("10", "2");
    assert_eq!(a, b, "thread count must not change the result");
    assert_ne!(a, c);
}

#[test]
fn step_takes_both_duration_forms() {
    let times = |step: &str| {
        forecast_json(&["--resolvers", "50", "--step", step])["times"]
            .as_array()
            .unwrap()
            .len()
    };
    let daily = times("P1D");
    assert_eq!(daily, times("1d"));
    assert_eq!(times("PT24H"), daily);
    let weekly = times("1w");
    assert_eq!(weekly, times("P7D"));
    assert!(weekly < daily / 5, "{weekly} samples weekly, {daily} daily");
}

#[test]
fn mix_file_drives_the_population() {
    let dir = tempfile::tempdir().unwrap();
    let mix = dir.path().join("mix.toml");
    // Every resolver is a weekly-reset image: none can follow the roll.
    std::fs::write(
        &mix,
        "[[class]]\nname = \"images\"\nweight = 1\nprofile = \"unbound\"\nimage-reset = 1.0\nreset-every = \"P7D\"\n",
    )
    .unwrap();
    let v = forecast_json(&["--resolvers", "500", "--mix", mix.to_str().unwrap()]);
    let last = v["times"].as_array().unwrap().len() - 1;
    assert_eq!(
        v["failing"][last], v["up"][last],
        "every running image fails after the switch"
    );
    assert_eq!(v["classes"][0]["resolvers"], 500);

    std::fs::write(&mix, "[[class]]\nname = \"x\"\nweight = 1\nprofile = \"unbound\"\n\n[[class]]\nname = \"y\"\nweight = 1\nprofile = \"dnsmasq\"\n").unwrap();
    let o = refused_mix(&mix);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.starts_with("rollover-sim: ")
            && o.stderr.contains("mix.toml:6:")
            && o.stderr.contains("unknown profile"),
        "{}",
        o.stderr
    );
}

#[test]
fn unusable_arguments_exit_2() {
    let sc = root();
    for (args, needle) in [
        (
            vec!["population", &sc, "--resolvers", "0"],
            "rollover-sim: --resolvers: must be at least 1\n",
        ),
        (vec!["population", &sc], "--resolvers <RESOLVERS>"),
        (
            vec![
                "population",
                &sc,
                "--resolvers",
                "10",
                "--step",
                "fortnight",
            ],
            "rollover-sim: --step: invalid duration \"fortnight\"",
        ),
        (
            vec!["population", &sc, "--resolvers", "10", "--step", "30s"],
            "rollover-sim: --step: must be at least PT1M\n",
        ),
        (
            vec!["population", &sc, "--resolvers", "10", "--json", "p.json"],
            "unexpected argument",
        ),
    ] {
        let o = sim(&args);
        assert_eq!(o.code, exit::UNUSABLE, "{args:?}");
        assert_eq!(o.stdout, "", "{args:?}");
        assert!(o.stderr.contains(needle), "{args:?}: {}", o.stderr);
    }
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
    let o = refused_mix(&mix);
    assert!(
        o.stderr.contains("restless.toml: class \"restless\"") && o.stderr.contains("at most 64"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_closed_stdout_exits_quietly_after_writing_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("p.csv");
    for json in [false, true] {
        let env = FakeEnv::new().closed_stdout();
        let mut args = vec![
            "population".to_string(),
            root(),
            "--resolvers".into(),
            "100".into(),
            "--csv".into(),
            csv.display().to_string(),
        ];
        if json {
            args.push("--json".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = sim_on(&env, &args);
        assert_eq!((o.code, o.stderr.as_str()), (exit::OK, ""), "json {json}");
        assert!(csv.exists());
        std::fs::remove_file(&csv).unwrap();
    }
}
