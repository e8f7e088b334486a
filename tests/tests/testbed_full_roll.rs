//! `rollover-sim testbed` end to end: the full roll against real Unbound, BIND
//! and Knot Resolver on loopback (all three in one run, in parallel), on the
//! compressed clock. A missing resolver binary fails the test. Runs as root
//! (the test server answers on port 53 of a 127/8 address, as root hints need).

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn scenario(name: &str) -> PathBuf {
    test_support::workspace_root()
        .join("rollover-sim/scenarios/testbed")
        .join(name)
}

/// Processes whose command line mentions `needle` (a run's state directory).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) {
                found.push(cmd);
            }
        }
    }
    found
}

/// First time a key is seen in `state` among the samples.
fn first_seen(samples: &[Value], key: &str, state: &str) -> Option<i64> {
    samples
        .iter()
        .find(|s| s["observed"][key] == state)
        .map(|s| s["at"].as_i64().unwrap())
}

#[test]
fn full_roll_against_every_resolver() {
    for bin in [
        "/usr/sbin/unbound",
        "/usr/sbin/named",
        "/usr/sbin/kresd",
        "/usr/sbin/rndc",
    ] {
        assert!(
            std::path::Path::new(bin).exists(),
            "{bin} missing: run scripts/setup (as root) to install the resolvers"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("roll.html");
    let started = std::time::Instant::now();
    let out = Command::new(test_support::process::binary("rollover-sim"))
        .arg("testbed")
        .arg(scenario("full-roll.toml"))
        .args(["--resolver", "all", "--json", "--html"])
        .arg(&html)
        .output()
        .expect("run rollover-sim testbed");
    let wall = started.elapsed().as_secs();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rep: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON on stdout ({e}); stderr: {stderr}"));
    assert!(wall < 300, "the full roll took {wall} s of wall clock");

    let resolvers = rep["resolvers"].as_array().unwrap();
    let names: Vec<&str> = resolvers
        .iter()
        .map(|r| r["resolver"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["unbound", "bind", "knot-resolver"]);
    for r in resolvers {
        let name = r["resolver"].as_str().unwrap();
        assert_eq!(
            r["verdict"]["verdict"], "follows",
            "{name}: {}",
            r["verdict"]
        );
        let samples = r["samples"].as_array().unwrap();
        // The new key goes AddPend -> Valid, the old one Revoked -> removed, in
        // order. All three forget a removed key (docs/rfc5011.md, "Removed is
        // not terminal"): after its removal timer it leaves their records and
        // is observed as Start, where the model goes Removed -> Start (Forget).
        let addpend = first_seen(samples, "KSK-B", "AddPend")
            .unwrap_or_else(|| panic!("{name}: KSK-B never AddPend"));
        let valid = first_seen(samples, "KSK-B", "Valid").unwrap();
        let revoked = first_seen(samples, "KSK-A", "Revoked")
            .unwrap_or_else(|| panic!("{name}: KSK-A never Revoked"));
        let removed = samples
            .iter()
            .filter(|s| s["at"].as_i64().unwrap() > revoked)
            .find(|s| s["observed"]["KSK-A"] == "Start")
            .map(|s| s["at"].as_i64().unwrap())
            .unwrap_or_else(|| panic!("{name}: KSK-A never removed"));
        assert!(
            addpend < valid && valid < revoked && revoked < removed,
            "{name}: order of states"
        );
        let changes = r["predicted_changes"].as_array().unwrap();
        for (from, to) in [("Revoked", "Removed"), ("Removed", "Start")] {
            assert!(
                changes
                    .iter()
                    .any(|c| c["key"] == "KSK-A" && c["from"] == from && c["to"] == to),
                "{name}: the model takes KSK-A {from} -> {to}"
            );
        }
        // Validation judged by answers: signed name secure, bogus name SERVFAIL, throughout.
        for s in samples {
            assert_eq!(s["validation"], "Validating", "{name} at {}: {s}", s["at"]);
        }
        // The unsigned delegation is answered without AD, throughout.
        for s in samples {
            assert_eq!(s["insecure"], "Insecure", "{name} at {}: {s}", s["at"]);
        }
        assert!(
            r["dnskey_queries"].as_u64().unwrap() > 10,
            "{name}: DNSKEY refreshes seen by the server"
        );
        // RFC 8145 `_ta-` queries: Unbound and Knot Resolver with their
        // refreshes, BIND on its telemetry timer (compressed with -T tat=N).
        assert!(
            !r["signals"].as_array().unwrap().is_empty(),
            "{name}: RFC 8145 key-tag signals logged"
        );
        let state_dir = r["state_dir"].as_str().unwrap();
        assert!(
            processes_mentioning(state_dir).is_empty(),
            "{name} still running after the run"
        );
    }
    assert!(
        out.status.code() == Some(0),
        "exit {:?}; stderr: {stderr}",
        out.status.code()
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<svg")
            && page.contains("KSK-B observed")
            && page.contains("follows the model")
    );
}

#[test]
fn interrupt_stops_the_resolvers() {
    let child = Command::new(test_support::process::binary("rollover-sim"))
        .arg("testbed")
        .arg(scenario("full-roll.toml"))
        .args(["--resolver", "unbound", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run rollover-sim testbed");
    let pid = child.id();
    // Wait until the resolver is running under this test bed.
    let mut seen = vec![];
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        seen = children_of(pid);
        if !seen.is_empty() {
            break;
        }
    }
    assert!(!seen.is_empty(), "unbound never started under the test bed");
    let st = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    for p in seen {
        assert!(
            !std::path::Path::new(&format!("/proc/{p}")).exists()
                || std::fs::read_to_string(format!("/proc/{p}/stat"))
                    .unwrap_or_default()
                    .contains(") Z "),
            "resolver {p} left running"
        );
    }
}

/// Pids whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some(rest) = stat.rsplit_once(") ").map(|x| x.1) else {
            continue;
        };
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.extend(e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()));
        }
    }
    out
}
