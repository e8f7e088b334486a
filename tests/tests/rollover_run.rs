//! `rollover-sim run` end to end on the shipped scenarios.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

fn scenario(name: &str) -> PathBuf {
    test_support::repo_file(&format!("rollover-sim/scenarios/{name}"))
}

fn sim(args: &[&str]) -> Output {
    test_support::process::command("rollover-sim")
        .args(args)
        .output()
        .expect("run rollover-sim")
}

fn run_json(name: &str) -> (Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    let o = sim(&[
        "run",
        scenario(name).to_str().unwrap(),
        "--json",
        out.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&std::fs::read(&out).expect("json written")).unwrap();
    (o, v)
}

fn resolver<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["resolvers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no resolver {name}"))
}

fn days_between(a: &str, b: &str) -> f64 {
    let p = |s: &str| ksr::timefmt::parse_at(s).unwrap().unix_timestamp();
    (p(b) - p(a)) as f64 / 86_400.0
}

#[test]
fn root_2017_always_online_resolver_trusts_ksk2017_30_to_32_days_after_publication() {
    let (o, v) = run_json("root-2017-roll.toml");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let r = resolver(&v, "always-online");
    assert_eq!(r["profile"], "rfc5011");
    let valid = r["key_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "KSK-2017" && c["to"] == "Valid")
        .expect("KSK-2017 becomes Valid");
    let d = days_between("2017-07-11T00:00:00Z", valid["at"].as_str().unwrap());
    assert!(
        (30.0..=32.0).contains(&d),
        "trusted {d} days after 2017-07-11"
    );
    assert_eq!(r["failures"].as_array().unwrap().len(), 0, "never fails");
    assert!(
        r["probes"].as_array().unwrap().len() > 600,
        "probes daily for 21 months"
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("KSK-2017 (alg 8, tag 20326"), "{text}");
}

#[test]
fn root_2017_resolver_offline_across_the_roll_fails_from_its_return() {
    let (_, v) = run_json("root-2017-roll.toml");
    let r = resolver(&v, "offline-2017-07-01-to-2018-12-01");
    let f = r["failures"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["from"], "2018-12-01T00:00:00Z");
    assert!(f[0]["to"].is_null(), "still failing at the end");
    assert!(
        f[0]["cause"]
            .as_str()
            .unwrap()
            .contains("signed only by KSK-2017, which is unknown here"),
        "{}",
        f[0]["cause"]
    );
    // It never learnt KSK-2017.
    assert!(!r["key_changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["key"] == "KSK-2017"));
}

#[test]
fn every_profile_follows_the_2017_roll() {
    let (_, v) = run_json("root-2017-roll.toml");
    for name in ["unbound", "bind", "knot-resolver"] {
        let r = resolver(&v, name);
        assert!(r["failures"].as_array().unwrap().is_empty(), "{name}");
        let valid = r["key_changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "KSK-2017" && c["to"] == "Valid");
        assert!(valid.is_some(), "{name} trusts KSK-2017");
    }
}

#[test]
fn failure_scenarios_exit_1_when_an_unbroken_resolver_fails() {
    // Why the resolver cannot validate, as `run` names it.
    const HOLD: &str = "KSK-2017, which is still in its add hold-down";
    const FORGOT: &str = "KSK-2017, which is unknown here";
    const REVOKED: &str = "KSK-2010 (which this RRset revokes)";
    for (name, code, failing, cause) in [
        ("early-switch.toml", 1, "always-online", HOLD),
        ("early-revoke.toml", 1, "always-online", REVOKED),
        ("image-reset.toml", 1, "rfc5011-image", HOLD),
        ("readonly-state.toml", 1, "read-only-restarted", FORGOT),
        // Only the deliberately broken resolver fails: exit 0.
        ("offline-holddown.toml", 0, "offline-through-holddown", HOLD),
        ("replay-attack.toml", 0, "victim", HOLD),
    ] {
        let (o, v) = run_json(name);
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(code), "{name}: {text}");
        let f = resolver(&v, failing)["failures"].as_array().unwrap();
        assert!(!f.is_empty(), "{name}: {failing} fails");
        let because = f[0]["cause"].as_str().unwrap();
        assert!(because.contains(cause), "{name}: {because}");
        // The text report says it too, under the failure.
        assert!(
            text.contains(&format!("    because {because}")),
            "{name}: {text}"
        );
    }
}

#[test]
fn readonly_state_fails_from_the_restart_after_the_switch() {
    let (_, v) = run_json("readonly-state.toml");
    let f = &resolver(&v, "read-only-restarted")["failures"][0];
    assert_eq!(f["from"], "2018-11-01T00:00:00Z");
    assert!(resolver(&v, "saved-state-restarted")["failures"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn replay_resets_the_victims_holddown() {
    let (_, v) = run_json("replay-attack.toml");
    let r = resolver(&v, "victim");
    let changes: Vec<(String, String)> = r["key_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["key"] == "KSK-2017")
        .map(|c| {
            (
                c["at"].as_str().unwrap()[..10].to_string(),
                c["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes[0],
        ("2017-07-11".to_string(), "AddPend".to_string())
    );
    assert_eq!(
        changes[1],
        ("2017-07-13".to_string(), "Start".to_string()),
        "the replay resets the hold-down"
    );
    assert_eq!(r["failures"][0]["from"], "2017-08-20T00:00:00Z");
    assert!(resolver(&v, "bystander")["failures"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn root_2024_and_algorithm_roll_run_clean() {
    for name in ["root-2024-roll.toml", "algorithm-roll.toml"] {
        let (o, _) = run_json(name);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

#[test]
fn root_2024_roll_uses_the_real_key_tags() {
    // Tags are computed from the real public keys in the scenario, so they must be
    // the ones root-anchors.xml publishes.
    let o = test_support::process::command("rollover-sim")
        .arg("run")
        .arg(test_support::repo_file(
            "rollover-sim/scenarios/root-2024-roll.toml",
        ))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("KSK-2017 (alg 8, tag 20326"), "{out}");
    assert!(out.contains("KSK-2024 (alg 8, tag 38696"), "{out}");
}

#[test]
fn run_is_deterministic() {
    let (_, a) = run_json("image-reset.toml");
    let (_, b) = run_json("image-reset.toml");
    assert_eq!(a, b);
}

#[test]
fn bad_scenarios_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(scenario("early-switch.toml")).unwrap();
    let cases = [
        (
            good.replace(
                "key = \"KSK-2017\" },\n  { at = \"2017-08-01\", action = \"sign\"",
                "key = \"KSK-2071\" },\n  { at = \"2017-08-01\", action = \"sign\"",
            ),
            "unknown key \"KSK-2071\"",
        ),
        (
            good.replace("profile = \"unbound\"", "profile = \"powerdns\""),
            "unknown profile",
        ),
        (
            good.replace("start = \"2017-07-01\"", "start = \"2017-07-32\""),
            "invalid date",
        ),
        (
            good.replace("dnskey-ttl = \"2d\"", "dnskey-ttl = \"2 days\""),
            "invalid duration",
        ),
        (
            good.replace("action = \"unsign\"", "action = \"unpublish\""),
            "unknown action",
        ),
        (
            good.replace(
                "{ at = \"2017-08-01\", action = \"sign\", key = \"KSK-2017\" }",
                "{ at = \"2017-07-05\", action = \"sign\", key = \"KSK-2017\" }",
            ),
            "sign KSK-2017: a key must be published before it signs",
        ),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        assert_ne!(text, &good, "case {i} must change the file");
        let p = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&p, text).unwrap();
        let o = sim(&["run", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "case {i}");
        let err = String::from_utf8_lossy(&o.stderr);
        let name = format!("bad{i}.toml:");
        assert!(
            err.contains(&name) && err.contains(needle),
            "case {i}: {err}"
        );
        // A line number follows the file name.
        let after = &err[err.find(&name).unwrap() + name.len()..];
        assert!(
            after.chars().next().unwrap().is_ascii_digit(),
            "case {i}: no line in {err}"
        );
    }
    let o = sim(&["run", dir.path().join("missing.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let o = sim(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn skr_replay_of_a_real_ceremony() {
    let dir = tempfile::tempdir().unwrap();
    let q1 = test_support::fixture("iana-root/skr-root-2017-q1-0.xml");
    let q2 = test_support::fixture("iana-root/skr-root-2017-q2-0.xml");
    let text = |end: &str| {
        format!(
            "[trust-point]\nzone = \".\"\ndnskey-ttl = \"2d\"\nrrsig-validity = \"21d\"\nstart = \"2017-01-01\"\nend = \"{end}\"\n\n\
             [publisher]\nskrs = [{:?}, {:?}]\n\n[[resolver]]\nname = \"r\"\nprofile = \"rfc5011\"\ntrusted = [\"19036\"]\n",
            q1.to_str().unwrap(),
            q2.to_str().unwrap()
        )
    };
    // Inside the SKRs' signature coverage: validates throughout.
    let p = dir.path().join("replay.toml");
    std::fs::write(&p, text("2017-07-01")).unwrap();
    let out = dir.path().join("r.json");
    let o = sim(&["run", p.to_str().unwrap(), "--json", out.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["publisher"][0][0], "2017-01-01T00:00:00Z");
    assert_eq!(v["publisher"][0][1], "publish");
    assert_eq!(
        v["publisher"][0][2], "Kjqmt7v",
        "the KSK is named by its keyIdentifier"
    );
    // Past the last bundle's expiration (2017-07-11) the RRSIGs have expired.
    std::fs::write(&p, text("2017-08-01")).unwrap();
    let o = sim(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("VALIDATION FAILS from 2017-07-11"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // A KSR is not a replayable SKR.
    let ksr = test_support::fixture("iana-root/ksr-root-2017-q2-0.xml");
    std::fs::write(
        &p,
        text("2017-07-01").replace(q2.to_str().unwrap(), ksr.to_str().unwrap()),
    )
    .unwrap();
    let o = sim(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is a KSR, not an SKR"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
