//! `rollover-sim plan` end to end: the publisher's safety rules.

use serde_json::Value;
use std::process::Output;

fn plan(name: &str) -> (Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");
    let sc = test_support::repo_file(&format!("rollover-sim/scenarios/{name}"));
    let o = test_support::process::command("rollover-sim")
        .args([
            "plan",
            sc.to_str().unwrap(),
            "--json",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&std::fs::read(&out).expect("plan json")).unwrap();
    (o, v)
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
    let (o, v) = plan("root-2017-roll.toml");
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.contains("result: safe"));
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
    let (o, v) = plan("root-2017-roll.toml");
    let text = String::from_utf8_lossy(&o.stdout);
    // Root: 30 d + 21 d + 1 d + 0 + 2 x 4h48m.
    assert!(
        text.contains(
            "addWait 52d9h36m = addHoldDown 30d + sigExpirationTimeRemaining 21d + activeRefresh 1d \
             + activeRefreshOffset 0s + safetyMargin 9h36m"
        ),
        "{text}"
    );
    assert!(
        text.contains("removeWait 52d9h36m = removeHoldDown 30d + sigExpirationTimeRemaining 21d"),
        "{text}"
    );
    assert!(
        text.contains("activeRefresh = MAX(1h, MIN(15d, TTL/2 1d, validity/2 10d12h))")
            && text.contains("2 x retryTime 4h48m, retryTime = MAX(1h, MIN(1d, TTL/10 4h48m"),
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
    let (o, v) = plan("early-switch.toml");
    assert_eq!(o.status.code(), Some(1));
    let s = step(&v, "unsign", "KSK-2010");
    assert_eq!(s["safe"], false);
    assert_eq!(s["failed"][0], "add-wait");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("UNSAFE (add-wait)")
            && text.contains("rule add-wait:")
            && text.contains("result: UNSAFE"),
        "{text}"
    );
}

#[test]
fn early_revoke_is_flagged_with_revoke_after_trust() {
    let (o, v) = plan("early-revoke.toml");
    assert_eq!(o.status.code(), Some(1));
    let s = step(&v, "revoke", "KSK-2010");
    assert_eq!(s["safe"], false);
    assert_eq!(s["rule"], "revoke-after-trust");
    assert_eq!(s["earliest"], "2017-09-01T09:36:00Z");
    assert!(String::from_utf8_lossy(&o.stdout).contains("UNSAFE (revoke-after-trust"));
}

#[test]
fn replay_window_is_why_the_bare_holddown_is_not_enough() {
    // 40 days after publication clears the 30-day hold-down but not the add wait.
    let (o, v) = plan("replay-attack.toml");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(step(&v, "sign", "KSK-2017")["failed"][0], "add-wait");
}

#[test]
fn unsigned_new_algorithm_is_flagged() {
    let (o, v) = plan("algorithm-roll.toml");
    assert_eq!(o.status.code(), Some(1));
    let s = step(&v, "publish", "KSK-ECDSA");
    assert_eq!(s["rule"], "algorithm-signatures");
    assert!(s["earliest"].is_null());
    assert_eq!(step(&v, "remove", "KSK-RSA")["safe"], true);
}

#[test]
fn safe_compressed_roll_passes() {
    let (o, _) = plan("offline-holddown.toml");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let (o, _) = plan("root-2024-roll.toml");
    assert_eq!(o.status.code(), Some(0));
}
