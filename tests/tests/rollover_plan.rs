//! `rollover-sim plan` as a process. The rules in detail are tested in-process
//! in `rollover-sim/tests/cli_plan.rs`.

use serde_json::Value;
use std::process::{Command, Output};

fn plan(name: &str, json: bool) -> Output {
    let sc = e2e::workspace_root()
        .join("rollover-sim/scenarios")
        .join(name);
    let mut cmd = Command::new(e2e::binary("rollover-sim"));
    cmd.arg("plan").arg(sc);
    if json {
        cmd.arg("--json");
    }
    cmd.output().unwrap()
}

#[test]
fn the_real_2017_plan_passes() {
    let o = plan("root-2017-roll.toml", true);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"]["action"] == "sign" && s["key_name"] == "KSK-2017")
        .unwrap();
    assert_eq!(
        (s["rule"].as_str(), s["safe"].as_bool()),
        (Some("add-wait"), Some(true))
    );
    assert_eq!(s["earliest"], "2017-09-01T09:36:00Z");
    let o = plan("root-2017-roll.toml", false);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("addWait P52DT9H36M = addHoldDown P30D"),
        "{text}"
    );
    assert!(text.ends_with("result: safe\n"), "{text}");
}

#[test]
fn an_unsafe_plan_exits_1() {
    for name in [
        "early-switch.toml",
        "early-revoke.toml",
        "algorithm-roll.toml",
    ] {
        let o = plan(name, false);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("result: UNSAFE"),
            "{name}"
        );
        assert!(o.stderr.is_empty(), "{name}");
    }
}
