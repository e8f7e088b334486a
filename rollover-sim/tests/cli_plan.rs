//! `rollover-sim plan` in-process: the publisher's safety rules, as text and
//! as JSON, with exit code and stderr.

mod common;

use common::*;
use ksr::env::FakeEnv;
use serde_json::Value;

/// `plan SCENARIO --json`: the outcome and the JSON report from stdout; and
/// the text of the same plan, which must give the same exit code.
fn plan(name: &str) -> (Outcome, Value, String) {
    let o = sim(&["plan", &scenario_arg(name), "--json"]);
    let v = stdout_json(&o);
    assert_eq!(o.stderr, "", "{name}");
    let t = sim(&["plan", &scenario_arg(name)]);
    assert_eq!(t.code, o.code, "{name}: text and JSON agree on the verdict");
    assert_eq!(t.stderr, "", "{name}");
    (o, v, t.stdout)
}

fn step<'a>(v: &'a Value, action: &str, key: &str) -> &'a Value {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"]["action"] == action && s["key_name"] == key)
        .unwrap()
}

#[test]
fn the_real_2017_plan_passes() {
    let (o, v, text) = plan("root-2017-roll.toml");
    o.expect_code(exit::OK);
    assert!(text.ends_with("result: safe\n"), "{text}");
    let s = step(&v, "sign", "KSK-2017");
    assert_eq!(s["rule"], "add-wait");
    assert_eq!(s["safe"], true);
    // 2017-07-11 + 30 d hold-down + 21 d validity + 1 d refresh + 9 h 36 m margin
    assert_eq!(s["earliest"], "2017-09-01T09:36:00Z");
    assert_eq!(step(&v, "revoke", "KSK-2010")["rule"], "revoke-after-trust");
    let rm = step(&v, "remove", "KSK-2010");
    assert_eq!(
        (rm["rule"].as_str(), rm["safe"].as_bool()),
        (Some("remove-wait"), Some(true))
    );
}

#[test]
fn plan_prints_every_term_of_the_waits() {
    let (_, v, text) = plan("root-2017-roll.toml");
    // Root: 30 d + 21 d + 1 d + 0 + 2 x 4h48m, in the one printed duration form.
    assert!(
        text.contains(
            "addWait P52DT9H36M = addHoldDown P30D + sigExpirationTimeRemaining P21D + activeRefresh P1D \
             + activeRefreshOffset PT0S + safetyMargin PT9H36M"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "removeWait P52DT9H36M = removeHoldDown P30D + sigExpirationTimeRemaining P21D"
        ),
        "{text}"
    );
    assert!(
        text.contains("activeRefresh = MAX(PT1H, MIN(P15D, TTL/2 P1D, validity/2 P10DT12H))")
            && text
                .contains("2 x retryTime PT4H48M, retryTime = MAX(PT1H, MIN(P1D, TTL/10 PT4H48M"),
        "{text}"
    );
    // Planned and earliest times print with Z.
    assert!(
        text.contains("2017-07-11T00:00:00Z  publish  KSK-2017"),
        "{text}"
    );
    let t = &v["add_terms"];
    let sum: i64 = [
        "holddown",
        "sig_expiration_remaining",
        "active_refresh",
        "active_refresh_offset",
        "safety_margin",
    ]
    .iter()
    .map(|k| t[k].as_i64().unwrap())
    .sum();
    assert_eq!(sum, v["add_wait"].as_i64().unwrap());
    assert_eq!(sum, 52 * 86_400 + 9 * 3_600 + 36 * 60);
}

#[test]
fn early_switch_is_flagged_with_add_wait() {
    let (o, v, text) = plan("early-switch.toml");
    o.expect_code(exit::CHECK_FAILED);
    let s = step(&v, "unsign", "KSK-2010");
    assert_eq!(s["safe"], false);
    assert_eq!(s["failed"][0], "add-wait");
    assert!(
        text.contains("UNSAFE (add-wait)")
            && text.contains("rule add-wait:")
            && text.contains("result: UNSAFE"),
        "{text}"
    );
}

#[test]
fn early_revoke_is_flagged_with_revoke_after_trust() {
    let (o, v, text) = plan("early-revoke.toml");
    o.expect_code(exit::CHECK_FAILED);
    let s = step(&v, "revoke", "KSK-2010");
    assert_eq!(s["safe"], false);
    assert_eq!(s["rule"], "revoke-after-trust");
    assert_eq!(s["earliest"], "2017-09-01T09:36:00Z");
    assert!(text.contains("UNSAFE (revoke-after-trust"), "{text}");
}

#[test]
fn replay_window_is_why_the_bare_holddown_is_not_enough() {
    // 40 days after publication clears the 30-day hold-down but not the add wait.
    let (o, v, _) = plan("replay-attack.toml");
    o.expect_code(exit::CHECK_FAILED);
    assert_eq!(step(&v, "sign", "KSK-2017")["failed"][0], "add-wait");
}

#[test]
fn unsigned_new_algorithm_is_flagged() {
    let (o, v, _) = plan("algorithm-roll.toml");
    o.expect_code(exit::CHECK_FAILED);
    let s = step(&v, "publish", "KSK-ECDSA");
    assert_eq!(s["rule"], "algorithm-signatures");
    assert!(s["earliest"].is_null());
    assert_eq!(step(&v, "remove", "KSK-RSA")["safe"], true);
}

#[test]
fn safe_compressed_roll_passes() {
    let (o, _, _) = plan("offline-holddown.toml");
    o.expect_code(exit::OK);
    let (o, _, _) = plan("root-2024-roll.toml");
    o.expect_code(exit::OK);
}

#[test]
fn plan_overrides_take_both_duration_forms() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(scenario("root-2017-roll.toml")).unwrap();
    for margin in ["12h", "PT12H", "43200"] {
        let p = dir.path().join("margin.toml");
        std::fs::write(
            &p,
            format!("{good}\n[plan]\nsafety-margin = \"{margin}\"\n"),
        )
        .unwrap();
        let o = sim(&["plan", p.to_str().unwrap(), "--json"]);
        o.expect_code(exit::OK);
        assert_eq!(
            stdout_json(&o)["add_terms"]["safety_margin"],
            43_200,
            "{margin}"
        );
        let t = sim(&["plan", p.to_str().unwrap()]);
        assert!(
            t.stdout
                .contains("safetyMargin = PT12H (set in the scenario)"),
            "{}",
            t.stdout
        );
    }
}

#[test]
fn out_file_and_closed_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");
    let o = sim(&[
        "plan",
        &scenario_arg("early-switch.toml"),
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_code(exit::CHECK_FAILED);
    assert!(o.stdout.contains("result: UNSAFE"), "{}", o.stdout);
    let (_, v, _) = plan("early-switch.toml");
    let file: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(file, v);
    // The reader went away: no error, exit 0, and the file is still written.
    std::fs::remove_file(&out).unwrap();
    let env = FakeEnv::new().closed_stdout();
    let o = sim_on(
        &env,
        &[
            "plan",
            &scenario_arg("early-switch.toml"),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!((o.code, o.stderr.as_str()), (exit::OK, ""));
    assert!(out.exists());
    let o = sim(&["plan"]);
    o.expect_code(exit::UNUSABLE);
    assert!(o.stderr.contains("<SCENARIO>"), "{}", o.stderr);
}
