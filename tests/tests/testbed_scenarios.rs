//! `rollover-sim testbed` on the shipped failure scenarios, asserting what the
//! real resolvers do (read from their own records and answers), whatever the
//! model says: these are the facts the model is held to.

use serde_json::Value;
use std::process::Command;

fn testbed(name: &str) -> (Option<i32>, Value) {
    for bin in ["/usr/sbin/unbound", "/usr/sbin/named", "/usr/sbin/kresd"] {
        assert!(
            std::path::Path::new(bin).exists(),
            "{bin} missing: run scripts/setup"
        );
    }
    let path = test_support::workspace_root()
        .join("rollover-sim/scenarios/testbed")
        .join(name);
    let out = Command::new(test_support::process::binary("rollover-sim"))
        .arg("testbed")
        .arg(path)
        .args(["--resolver", "all", "--json"])
        .output()
        .expect("run rollover-sim testbed");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON on stdout ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

fn resolver<'a>(rep: &'a Value, name: &str) -> &'a Value {
    rep["resolvers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resolver"] == name)
        .unwrap()
}

fn last_observed(r: &Value, key: &str) -> String {
    let s = r["samples"].as_array().unwrap().last().unwrap();
    s["observed"][key].as_str().unwrap().to_string()
}

fn notes(r: &Value) -> String {
    r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["what"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// KSK-B is withdrawn during its add hold-down. Unbound and Knot Resolver
/// forget it (RFC 5011 AddPend -> Start); BIND keeps it pending and restarts
/// its acceptance timer (lib/dns/zone.c, keyfetch_done(): "Pending key ...
/// unexpectedly missing from DNSKEY RRset"), which the `bind` profile models
/// (`missing_pending_stays`). All three follow the model; validation holds.
#[test]
fn withdrawn_during_holddown() {
    let (code, rep) = testbed("withdrawn-during-holddown.toml");
    for (name, b) in [
        ("unbound", "Start"),
        ("bind", "AddPend"),
        ("knot-resolver", "Start"),
    ] {
        let r = resolver(&rep, name);
        assert_eq!(last_observed(r, "KSK-B"), b, "{name}");
        assert_eq!(
            r["verdict"]["verdict"], "follows",
            "{name}: {}",
            r["verdict"]
        );
    }
    for r in rep["resolvers"].as_array().unwrap() {
        for s in r["samples"].as_array().unwrap() {
            assert_eq!(s["validation"], "Validating", "{}: {s}", r["resolver"]);
        }
    }
    assert_eq!(code, Some(0));
}

/// The state directory turns read-only under a running resolver. Unbound
/// (`autr_write_file` -> `fatal_exit`) and Knot Resolver (`keyset_write`'s
/// failed assert, an unprotected Lua error) stop at their first write of the
/// anchor file; BIND keeps running and, restarted, refuses the directory, as
/// Knot Resolver's `add_file` would. The model predicts each stop
/// (rollover-sim/src/testbed/readonly.rs, docs/rfc5011.md "Test bed
/// evidence"); the test bed reports it as the resolvers' behaviour: a verdict,
/// not a test-bed error (exit 2).
#[test]
fn readonly_state() {
    let (code, rep) = testbed("readonly-state.toml");
    let unbound = notes(resolver(&rep, "unbound"));
    assert!(
        unbound.contains("the resolver stopped")
            && unbound.contains("could not open autotrust file"),
        "{unbound}"
    );
    let knot = notes(resolver(&rep, "knot-resolver"));
    assert!(
        knot.contains("the resolver stopped")
            && knot.contains("PANIC: unprotected error")
            && knot.contains("Permission denied"),
        "{knot}"
    );
    let bind = notes(resolver(&rep, "bind"));
    let restart = bind.find("restarted").expect("BIND restarted");
    assert!(bind[restart..].contains("the resolver stopped"), "{bind}");
    assert!(
        !bind[..restart].contains("the resolver stopped"),
        "BIND runs until the restart: {bind}"
    );
    for name in ["unbound", "bind", "knot-resolver"] {
        let r = resolver(&rep, name);
        assert!(
            notes(r).contains("the model says the resolver stops at"),
            "{name}: {}",
            notes(r)
        );
        assert_eq!(
            r["verdict"]["verdict"], "follows",
            "{name}: {}",
            r["verdict"]
        );
        let last = r["samples"].as_array().unwrap().last().unwrap();
        assert_eq!(last["validation"], "Failing", "{name}: stopped at the end");
    }
    assert_eq!(code, Some(0));
}
