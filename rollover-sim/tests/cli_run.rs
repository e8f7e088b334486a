//! `rollover-sim run` in-process on the shipped scenarios: exit code, stdout
//! and stderr of the production code path.

mod common;

use common::*;
use ksr::env::FakeEnv;
use serde_json::Value;

/// `run SCENARIO --json`: the outcome and the JSON report from stdout.
fn run_json(name: &str) -> (Outcome, Value) {
    let o = sim(&["run", &scenario_arg(name), "--json"]);
    let v = stdout_json(&o);
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
    o.expect_code(exit::OK);
    assert_eq!(o.stderr, "");
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
    // Without --json the same run is text.
    let t = sim(&["run", &scenario_arg("root-2017-roll.toml")]);
    t.expect_code(exit::OK);
    assert!(
        t.stdout.contains("KSK-2017 (alg 8, tag 20326"),
        "{}",
        t.stdout
    );
    assert!(
        t.stdout.contains("(DNSKEY TTL P2D, RRSIG validity P21D)"),
        "durations print in xsd form: {}",
        t.stdout
    );
    assert!(t
        .stdout
        .ends_with("result: ok: every resolver without an outage or attacker kept validating\n"));
    assert_eq!(t.stderr, "");
}

#[test]
fn root_2017_resolver_offline_across_the_roll_fails_from_its_return() {
    let (_, v) = run_json("root-2017-roll.toml");
    let r = resolver(&v, "offline-2017-07-01-to-2018-12-01");
    let f = r["failures"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["from"], "2018-12-01T00:00:00Z");
    // Until KSK-2010's self-signed revocation on 2019-01-11 leaves it no
    // anchor: RFC 5011 4.2 deletes the trust point, and the zone is insecure
    // (not failing, not validating) to the end.
    assert_eq!(f[0]["to"], "2019-01-11T00:00:00Z");
    let i = r["insecure"].as_array().unwrap();
    assert_eq!(i.len(), 1, "{i:?}");
    assert_eq!(i[0]["from"], "2019-01-11T00:00:00Z");
    assert!(i[0]["to"].is_null(), "insecure at the end");
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
        ("early-revoke.toml", 1, "bind", REVOKED),
        ("image-reset.toml", 1, "rfc5011-image", HOLD),
        ("readonly-state.toml", 1, "state-lost-on-restart", FORGOT),
        // Only the deliberately broken resolver fails: exit 0.
        ("offline-holddown.toml", 0, "offline-through-holddown", HOLD),
        ("replay-attack.toml", 0, "victim", HOLD),
    ] {
        let (o, v) = run_json(name);
        assert_eq!(o.code, code, "{name}: {}", o.stdout);
        let f = resolver(&v, failing)["failures"].as_array().unwrap();
        assert!(!f.is_empty(), "{name}: {failing} fails");
        let because = f[0]["cause"].as_str().unwrap();
        assert!(because.contains(cause), "{name}: {because}");
        // The text report says it too, under the failure, with the same exit code.
        let t = sim(&["run", &scenario_arg(name)]);
        assert_eq!(t.code, code, "{name}");
        assert!(
            t.stdout.contains(&format!("    because {because}")),
            "{name}: {}",
            t.stdout
        );
        if code == 1 {
            assert!(
                t.stdout.contains(
                    "result: FAILED: resolvers without an outage or attacker lost validation: "
                ) && t.stdout.contains(failing),
                "{name}: {}",
                t.stdout
            );
        }
        assert_eq!(t.stderr, "", "{name}");
    }
}

#[test]
fn readonly_state_fails_from_the_restart_after_the_switch() {
    let (_, v) = run_json("readonly-state.toml");
    let f = &resolver(&v, "state-lost-on-restart")["failures"][0];
    assert_eq!(f["from"], "2018-11-01T00:00:00Z");
    // Unbound exits at its first write (autr_write_file -> fatal_exit); BIND
    // does not start without a writable managed-keys-directory.
    let u = resolver(&v, "unbound-read-only");
    assert_eq!(u["stopped_at"], "2017-07-01T00:00:00Z");
    assert!(u["stopped"].as_str().unwrap().contains("cannot write"));
    let b = resolver(&v, "bind-read-only");
    assert!(b["stopped"].as_str().unwrap().contains("refused to start"));
    assert!(b["probes"].as_array().unwrap().is_empty());
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
        o.expect_code(exit::OK);
    }
}

#[test]
fn root_2024_roll_uses_the_real_key_tags() {
    // Tags are computed from the real public keys in the scenario, so they must be
    // the ones root-anchors.xml publishes.
    let o = sim(&["run", &scenario_arg("root-2024-roll.toml")]);
    o.expect_code(exit::OK);
    assert!(
        o.stdout.contains("KSK-2017 (alg 8, tag 20326"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("KSK-2024 (alg 8, tag 38696"),
        "{}",
        o.stdout
    );
}

#[test]
fn run_is_deterministic() {
    let (_, a) = run_json("image-reset.toml");
    let (_, b) = run_json("image-reset.toml");
    assert_eq!(a, b);
}

#[test]
fn out_writes_the_same_json_as_stdout_and_keeps_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    let sc = scenario_arg("image-reset.toml");
    let o = sim(&["run", &sc, "--out", out.to_str().unwrap()]);
    o.expect_code(exit::CHECK_FAILED);
    assert!(
        o.stdout.starts_with("scenario "),
        "text on stdout: {}",
        o.stdout
    );
    let (_, v) = run_json("image-reset.toml");
    let file: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(file, v);
    // Nothing but the file is left in the directory (no temp files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // An unwritable target: exit 2, naming it; nothing printed on stdout.
    let bad = dir.path().join("no-such-dir/run.json");
    let o = sim(&["run", &sc, "--out", bad.to_str().unwrap()]);
    o.expect_code(exit::UNUSABLE);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.starts_with("rollover-sim: cannot write ") && o.stderr.contains("no-such-dir"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_closed_stdout_exits_quietly() {
    for args in [
        vec!["run", "ROOT"],
        vec!["run", "ROOT", "--json"],
        vec!["run", "EARLY"],
    ] {
        let (root, early) = (
            scenario_arg("root-2017-roll.toml"),
            scenario_arg("early-switch.toml"),
        );
        let args: Vec<&str> = args
            .iter()
            .map(|a| match *a {
                "ROOT" => root.as_str(),
                "EARLY" => early.as_str(),
                a => a,
            })
            .collect();
        let env = FakeEnv::new().closed_stdout();
        let o = sim_on(&env, &args);
        assert_eq!((o.code, o.stderr.as_str()), (exit::OK, ""), "{args:?}");
    }
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
        assert_eq!(o.code, exit::UNUSABLE, "case {i}");
        assert_eq!(o.stdout, "", "case {i}");
        let name = format!("bad{i}.toml:");
        assert!(
            o.stderr.starts_with("rollover-sim: ")
                && o.stderr.contains(&name)
                && o.stderr.contains(needle),
            "case {i}: {}",
            o.stderr
        );
        // A line number follows the file name.
        let after = &o.stderr[o.stderr.find(&name).unwrap() + name.len()..];
        assert!(
            after.chars().next().unwrap().is_ascii_digit(),
            "case {i}: no line in {}",
            o.stderr
        );
        assert_eq!(o.stderr.lines().count(), 1, "one line: {}", o.stderr);
    }
    let missing = dir.path().join("missing.toml");
    let o = sim(&["run", missing.to_str().unwrap()]);
    o.expect_code(exit::UNUSABLE);
    assert!(
        o.stderr.contains("missing.toml: cannot read scenario"),
        "{}",
        o.stderr
    );
}

#[test]
fn durations_in_scenarios_take_both_forms() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(scenario("early-switch.toml")).unwrap();
    let xsd = good
        .replace("dnskey-ttl = \"2d\"", "dnskey-ttl = \"P2D\"")
        .replace("rrsig-validity = \"21d\"", "rrsig-validity = \"P21D\"");
    assert_ne!(xsd, good);
    let p = dir.path().join("xsd.toml");
    std::fs::write(&p, xsd).unwrap();
    let a = sim(&["run", p.to_str().unwrap(), "--json"]);
    let b = sim(&["run", &scenario_arg("early-switch.toml"), "--json"]);
    assert_eq!(a.code, b.code);
    let (mut va, mut vb) = (stdout_json(&a), stdout_json(&b));
    va["scenario"] = Value::Null;
    vb["scenario"] = Value::Null;
    assert_eq!(va, vb, "P2D and 2d are the same duration");
}

#[test]
fn usage_errors_help_and_version() {
    let o = sim(&["frobnicate"]);
    o.expect_code(exit::UNUSABLE);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.contains("error:") && o.stderr.contains("frobnicate"),
        "{}",
        o.stderr
    );
    let o = sim(&["run"]);
    o.expect_code(exit::UNUSABLE);
    assert!(o.stderr.contains("<SCENARIO>"), "{}", o.stderr);
    // --json is a flag now: a file name after it is a second scenario.
    let o = sim(&[
        "run",
        &scenario_arg("early-switch.toml"),
        "--json",
        "out.json",
    ]);
    o.expect_code(exit::UNUSABLE);
    assert!(o.stderr.contains("unexpected argument"), "{}", o.stderr);

    let o = sim(&["--help"]);
    o.expect_code(exit::OK);
    assert!(
        o.stdout.contains("run") && o.stdout.contains("plan") && o.stdout.contains("population"),
        "{}",
        o.stdout
    );
    assert_eq!(o.stderr, "");
    let o = sim(&["run", "--help"]);
    o.expect_code(exit::OK);
    assert!(o.stdout.contains("--json") && o.stdout.contains("--out <FILE>"));
    let o = sim(&["--version"]);
    o.expect_code(exit::OK);
    assert_eq!(
        o.stdout,
        format!("rollover-sim {}\n", env!("CARGO_PKG_VERSION"))
    );
    // Help on a closed stdout: quiet too.
    let o = sim_on(&FakeEnv::new().closed_stdout(), &["--help"]);
    assert_eq!((o.code, o.stderr.as_str()), (exit::OK, ""));
}

#[test]
fn skr_replay_of_a_real_ceremony() {
    let dir = tempfile::tempdir().unwrap();
    let q1 = test_support::fixture("iana-root/skr-root-2017-q1-0.xml");
    let q2 = test_support::fixture("iana-root/skr-root-2017-q2-0.xml");
    let text = |end: &str| {
        format!(
            "[trust-point]\nzone = \".\"\ndnskey-ttl = \"P2D\"\nrrsig-validity = \"21d\"\nstart = \"2017-01-01\"\nend = \"{end}\"\n\n\
             [publisher]\nskrs = [{:?}, {:?}]\n\n[[resolver]]\nname = \"r\"\nprofile = \"rfc5011\"\ntrusted = [\"19036\"]\n",
            q1.to_str().unwrap(),
            q2.to_str().unwrap()
        )
    };
    // Inside the SKRs' signature coverage: validates throughout.
    let p = dir.path().join("replay.toml");
    std::fs::write(&p, text("2017-07-01")).unwrap();
    let o = sim(&["run", p.to_str().unwrap(), "--json"]);
    o.expect_code(exit::OK);
    let v = stdout_json(&o);
    assert_eq!(v["publisher"][0][0], "2017-01-01T00:00:00Z");
    assert_eq!(v["publisher"][0][1], "publish");
    assert_eq!(
        v["publisher"][0][2], "Kjqmt7v",
        "the KSK is named by its keyIdentifier"
    );
    // Past the last bundle's expiration (2017-07-11) the RRSIGs have expired.
    std::fs::write(&p, text("2017-08-01")).unwrap();
    let o = sim(&["run", p.to_str().unwrap()]);
    o.expect_code(exit::CHECK_FAILED);
    assert!(
        o.stdout.contains("VALIDATION FAILS from 2017-07-11"),
        "{}",
        o.stdout
    );
    // A KSR is not a replayable SKR.
    let ksr = test_support::fixture("iana-root/ksr-root-2017-q2-0.xml");
    std::fs::write(
        &p,
        text("2017-07-01").replace(q2.to_str().unwrap(), ksr.to_str().unwrap()),
    )
    .unwrap();
    let o = sim(&["run", p.to_str().unwrap()]);
    o.expect_code(exit::UNUSABLE);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.contains("replay.toml:") && o.stderr.contains("is a KSR, not an SKR"),
        "{}",
        o.stderr
    );
}

#[test]
fn skr_replay_reads_knot_and_bind_text_like_xml() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ksr::xml::ParseOptions::default();
    let xml: Vec<_> = ["q1", "q2"]
        .iter()
        .map(|q| test_support::fixture(&format!("iana-root/skr-root-2017-{q}-0.xml")))
        .collect();
    let scenario = |files: &[std::path::PathBuf]| {
        let p = dir.path().join("replay.toml");
        std::fs::write(
            &p,
            format!(
                "[trust-point]\nzone = \".\"\ndnskey-ttl = \"P2D\"\nrrsig-validity = \"P21D\"\nstart = \"2017-01-01\"\nend = \"2017-08-01\"\n\n\
                 [publisher]\nskrs = [{:?}, {:?}]\n\n[[resolver]]\nname = \"r\"\nprofile = \"rfc5011\"\ntrusted = [\"19036\"]\n",
                files[0], files[1]
            ),
        )
        .unwrap();
        let o = sim(&["run", p.to_str().unwrap(), "--json"]);
        // Past the last bundle's expiration the RRSIGs have expired: exit 1.
        o.expect_code(exit::CHECK_FAILED);
        stdout_json(&o)
    };
    let from_xml = scenario(&xml);
    // What the replay must not depend on: key names (text has no
    // keyIdentifier), the scenario path and where each RRset came from.
    let essence = |v: &Value| {
        let steps: Vec<(Value, Value)> = v["publisher"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s[0].clone(), s[1].clone()))
            .collect();
        let r = &v["resolvers"][0];
        (
            steps,
            r["failures"][0]["from"].clone(),
            r["probes"].as_array().unwrap().len(),
        )
    };
    let failing_from = from_xml["resolvers"][0]["failures"][0]["from"]
        .as_str()
        .unwrap();
    assert!(failing_from.starts_with("2017-07-11T"), "{failing_from}");
    for format in [ksr::format::Format::Knot, ksr::format::Format::Bind] {
        let text: Vec<_> = xml
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let (doc, read_as) = ksr::format::read_file(x, &opts).unwrap();
                assert_eq!(read_as, ksr::format::Format::IanaXml);
                let out = dir.path().join(format!("q{i}.{}.skr", format.signer()));
                std::fs::write(&out, format.write(&doc)).unwrap();
                assert_eq!(
                    ksr::format::Format::detect(&std::fs::read(&out).unwrap()),
                    ksr::format::Format::Knot,
                    "text is told apart from XML by content"
                );
                out
            })
            .collect();
        let from_text = scenario(&text);
        assert_eq!(essence(&from_text), essence(&from_xml), "{format:?}");
    }
}

/// A re-sign or a probe every second would be kept one by one until memory
/// runs out: both are refused on load, with the file, the line and the knob.
#[test]
fn a_resign_or_refresh_every_second_exits_2_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let base = "[trust-point]\nzone = \".\"\ndnskey-ttl = \"2d\"\nrrsig-validity = \"21d\"\n\
                resign-every = \"10d\"\nstart = \"2017-07-01\"\nend = \"2019-01-01\"\n\
                [[key]]\nname = \"A\"\nalgorithm = \"RSASHA256\"\n[publisher]\n\
                event = [ { at = \"2017-07-01\", action = \"publish\", key = \"A\" }, \
                { at = \"2017-07-01\", action = \"sign\", key = \"A\" } ]\n\
                [[resolver]]\nname = \"r\"\nprofile = \"rfc5011\"\ntrusted = [\"A\"]\n";
    let resign = base.replace("resign-every = \"10d\"", "resign-every = \"1s\"");
    let refresh = format!("{base}timers = {{ refresh = \"1s\" }}\n");
    for (name, text, cmd, want) in [
        (
            "resign.toml",
            resign.as_str(),
            "plan",
            "resign.toml:5: resign-every \"1s\" makes",
        ),
        (
            "resign.toml",
            resign.as_str(),
            "run",
            "more than the 100000 a timeline keeps",
        ),
        (
            "refresh.toml",
            refresh.as_str(),
            "run",
            "refresh.toml:17: resolver \"r\": timers.refresh \"1s\"",
        ),
        (
            "refresh.toml",
            refresh.as_str(),
            "population",
            "more than the 1000000 a run keeps",
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let out = dir.path().join("out.json");
        let mut args = vec![cmd, p.to_str().unwrap(), "--out", out.to_str().unwrap()];
        if cmd == "population" {
            args.extend(["--resolvers", "10"]);
        }
        let o = sim(&args);
        assert_eq!(
            (o.code, o.stdout.as_str()),
            (exit::UNUSABLE, ""),
            "{cmd} {name}: {}",
            o.stderr
        );
        assert!(o.stderr.contains(want), "{cmd} {name}: {}", o.stderr);
        assert_eq!(o.stderr.lines().count(), 1, "{}", o.stderr);
        assert!(!out.exists(), "{cmd} {name}: nothing written");
    }
    // Ten-day re-signs and the RFC refresh run.
    let p = dir.path().join("ok.toml");
    std::fs::write(&p, base).unwrap();
    sim(&["run", p.to_str().unwrap()]).expect_code(exit::OK);
}

/// The test bed plans a look every half DNSKEY TTL, all up front: a TTL of a
/// second over years would not fit in memory. Refused at the TTL's line,
/// before any resolver starts.
#[test]
fn a_testbed_dnskey_ttl_too_short_for_the_span_exits_2_before_starting() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(scenario("testbed/full-roll.toml")).unwrap();
    let line = 1 + src
        .lines()
        .position(|l| l.starts_with("dnskey-ttl"))
        .unwrap();
    let src = src
        .replace("dnskey-ttl = \"1d\"", "dnskey-ttl = \"1s\"")
        .replace("end = \"2026-02-20\"", "end = \"2036-02-20\"");
    let p = dir.path().join("tiny-ttl.toml");
    std::fs::write(&p, src).unwrap();
    let o = sim(&["testbed", p.to_str().unwrap(), "--resolver", "unbound"]);
    o.expect_code(exit::UNUSABLE);
    assert!(
        o.stderr.contains(&format!(
            "tiny-ttl.toml:{line}: dnskey-ttl PT1S has the test bed look every PT1S (half the TTL)"
        )) && o.stderr.contains("more than the 100000 it keeps"),
        "{}",
        o.stderr
    );
}

/// A clock two days behind sees each fresh signature before its inception:
/// the summary says "not yet valid", not "expired".
#[test]
fn a_clock_behind_reports_signatures_not_yet_valid() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(scenario("offline-holddown.toml"))
        .unwrap()
        .replace(
            "outages = [{ from = \"2017-07-05\", to = \"2017-09-10\" }]",
            "clock-skew = \"-2d\"",
        );
    let p = dir.path().join("behind.toml");
    std::fs::write(&p, src).unwrap();
    let o = sim(&["run", p.to_str().unwrap()]);
    assert!(
        o.stdout.contains(" signature not yet valid"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("signature expired"), "{}", o.stdout);
    let v = stdout_json(&sim(&["run", p.to_str().unwrap(), "--json"]));
    let outcomes: Vec<&str> = v["resolvers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["probes"].as_array().unwrap())
        .filter_map(|p| p["outcome"].as_str())
        .collect();
    assert!(outcomes.contains(&"NotYetValid"), "{outcomes:?}");
    assert!(!outcomes.contains(&"Expired"));
}

/// The test bed's model runs on timers scaled back from the wall clock: a
/// clock as slow as real time would have it probe every second, each kept.
#[test]
fn a_testbed_speedup_too_slow_for_the_model_exits_2_before_starting() {
    let sc = scenario_arg("testbed/full-roll.toml");
    let o = sim(&["testbed", &sc, "--resolver", "unbound", "--speedup", "1"]);
    o.expect_code(exit::UNUSABLE);
    assert!(
        o.stderr.starts_with(
            "rollover-sim: --speedup: 1 lets the model of unbound probe every PT1S, up to 4320000 probes"
        ) && o.stderr.contains("use a larger --speedup"),
        "{}",
        o.stderr
    );
}
