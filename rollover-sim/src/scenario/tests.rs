use super::*;
use crate::clock::parse_instant;

const BASE: &str = r#"
[trust-point]
zone = "example."
dnskey-ttl = "1h"
rrsig-validity = "7d"
start = "2020-01-01"
end = "2020-06-01"

[[key]]
name = "A"
algorithm = "ECDSAP256SHA256"

[[key]]
name = "B"
algorithm = 13

[publisher]
event = [
  { at = "2020-01-01", action = "publish", key = "A" },
  { at = "2020-01-01", action = "sign", key = "A" },
  { at = "2020-02-01", action = "publish", key = "B" },
]

[[resolver]]
name = "r"
profile = "unbound"
trusted = ["A"]
persistence = { reset-every = "7d" }
clock-skew = "-2h"
restarts = ["2020-03-01", "2020-02-01"]
outages = [{ from = "2020-04-01", to = "2020-04-05" }]
timers = { add-holddown = "1d", jitter-percent = 0 }
"#;

fn parse(src: &str) -> Result<Scenario, InputError> {
    Scenario::parse(src, Path::new("s.toml"))
}

#[test]
fn parses_every_resolver_field() {
    let sc = parse(BASE).unwrap();
    assert_eq!(sc.keys.keys.len(), 2);
    let r = &sc.resolvers[0];
    assert_eq!(r.persistence, Persistence::ResetEvery(7 * DAY));
    assert_eq!(r.skew, -7200);
    assert_eq!(
        r.restarts,
        vec![
            parse_instant("2020-02-01").unwrap(),
            parse_instant("2020-03-01").unwrap()
        ]
    );
    assert_eq!(r.params.add_holddown, DAY);
    assert_eq!(r.params.jitter_percent, 0);
    assert_eq!(r.line, 24);
    // resign-every defaults to half the validity.
    assert_eq!(
        sc.timeline.versions[1].from - sc.timeline.versions[0].from,
        3 * DAY + 12 * 3600
    );
    assert_eq!(sc.population.trusted, 1);
}

#[test]
fn keys_can_be_named_by_tag() {
    let sc = parse(BASE).unwrap();
    let tag = sc.keys.keys[1].tag.0.to_string();
    let sc2 = parse(&BASE.replace("trusted = [\"A\"]", &format!("trusted = [\"{tag}\"]"))).unwrap();
    assert_eq!(sc2.resolvers[0].trusted, 0b10);
}

#[test]
fn same_seed_same_keys() {
    let a = parse(BASE).unwrap();
    let b = parse(BASE).unwrap();
    assert_eq!(a.keys.keys[0].tag, b.keys.keys[0].tag);
    let c = parse(&BASE.replace("zone = \"example.\"", "zone = \"example.\"\nseed = 9")).unwrap();
    assert_ne!(a.keys.keys[0].public_key, c.keys.keys[0].public_key);
}

fn err_of(src: &str) -> InputError {
    parse(src).map(|_| ()).unwrap_err()
}

#[test]
fn errors_name_the_line_and_the_problem() {
    let cases: &[(&str, &str, usize, &str)] = &[
        (
            "key = \"B\" },\n]",
            "key = \"C\" },\n]",
            21,
            "unknown key \"C\"; keys are: A, B",
        ),
        (
            "profile = \"unbound\"",
            "profile = \"pdns\"",
            26,
            "unknown profile",
        ),
        (
            "reset-every = \"7d\"",
            "reset-every = \"0d\"",
            28,
            "reset-every must be positive",
        ),
        (
            "persistence = { reset-every = \"7d\" }",
            "persistence = \"volatile\"",
            28,
            "unknown persistence",
        ),
        (
            "to = \"2020-04-05\"",
            "to = \"2020-03-05\"",
            31,
            "an outage must end after it starts",
        ),
        (
            "jitter-percent = 0",
            "jitter-percent = 300",
            32,
            "jitter-percent",
        ),
        ("algorithm = 13", "algorithm = 300", 15, "not 0..255"),
        (
            "end = \"2020-06-01\"",
            "end = \"2019-06-01\"",
            7,
            "end must be after start",
        ),
        ("trusted = [\"A\"]", "trusted = []", 27, "trusts no key"),
        (
            "clock-skew = \"-2h\"",
            "clock-skew = \"-2x\"",
            29,
            "invalid duration",
        ),
        (
            "zone = \"example.\"",
            "zone = \"example.\"\ncolour = \"red\"",
            4,
            "unknown field `colour`",
        ),
    ];
    for (from, to, line, needle) in cases {
        let src = BASE.replace(from, to);
        assert_ne!(src, BASE, "{from}");
        let e = err_of(&src);
        assert_eq!(e.file, "s.toml");
        assert_eq!(e.line, Some(*line), "{needle}: {e}");
        assert!(e.message.contains(needle), "{needle}: {e}");
    }
}

#[test]
fn publisher_errors() {
    let e = err_of(&BASE.replace(
        "action = \"sign\", key = \"A\"",
        "action = \"sign\", key = \"B\"",
    ));
    assert!(
        e.message
            .contains("sign B: a key must be published before it signs"),
        "{e}"
    );
    assert_eq!(e.line, Some(20), "{e}");
    assert!(e.to_string().starts_with("s.toml:20: sign B:"), "{e}");
    let e = err_of(&BASE.replace("[publisher]\n", "[publisher]\nskrs = [\"x.xml\"]\n"));
    assert!(e.message.contains("not both or neither"), "{e}");
}

#[test]
fn attacks_are_checked_and_attached() {
    let ok = format!("{BASE}\n[[attack]]\nkind = \"replay\"\nresolver = \"*\"\ncaptured = \"2020-01-02\"\nfrom = \"2020-02-02\"\nto = \"2020-02-05\"\n");
    let sc = parse(&ok).unwrap();
    assert_eq!(sc.resolvers[0].attacks.len(), 1);
    assert!(sc.resolvers[0].has_outage_or_attack());
    let e = err_of(&ok.replace("resolver = \"*\"", "resolver = \"nobody\""));
    assert!(e.message.contains("no resolver named \"nobody\""));
    let e = err_of(&ok.replace("captured = \"2020-01-02\"\n", ""));
    assert!(e.message.contains("a replay needs captured"));
    let e = err_of(&ok.replace("kind = \"replay\"", "kind = \"flood\""));
    assert!(e.message.contains("unknown attack kind"));
}

// Issue 11, item 13: every duration's sign and range, with the file, line and key.
#[test]
fn durations_out_of_range_are_refused_naming_file_line_and_key() {
    let with_plan = |plan: &str| format!("{BASE}\n[plan]\n{plan}\n");
    let cases: Vec<(String, usize, &str)> = vec![
        (
            BASE.replace("rrsig-validity = \"7d\"", "rrsig-validity = \"-7d\""),
            5,
            "rrsig-validity must be positive",
        ),
        (
            BASE.replace("rrsig-validity = \"7d\"", "rrsig-validity = \"100000000d\""),
            5,
            "rrsig-validity \"100000000d\" is longer than",
        ),
        (
            BASE.replace("dnskey-ttl = \"1h\"", "dnskey-ttl = \"0s\""),
            4,
            "dnskey-ttl must be positive",
        ),
        (
            BASE.replace(
                "rrsig-validity = \"7d\"",
                "rrsig-validity = \"7d\"\nresign-every = \"-1d\"",
            ),
            6,
            "resign-every must be positive",
        ),
        (
            BASE.replace(
                "rrsig-validity = \"7d\"",
                "rrsig-validity = \"7d\"\nresign-every = \"0s\"",
            ),
            6,
            "resign-every must be positive",
        ),
        (
            with_plan("safety-margin = \"-30d\""),
            35,
            "safety-margin must be positive",
        ),
        (
            with_plan("safety-margin = \"0s\""),
            35,
            "safety-margin must be positive",
        ),
        (
            with_plan("add-holddown = \"-1d\""),
            35,
            "add-holddown must be positive",
        ),
        (
            with_plan("remove-holddown = \"0d\""),
            35,
            "remove-holddown must be positive",
        ),
        (
            with_plan("add-holddown = \"99999999999d\""),
            35,
            "add-holddown \"99999999999d\" is longer than",
        ),
        (
            BASE.replace("clock-skew = \"-2h\"", "clock-skew = \"-30000d\""),
            29,
            "clock-skew \"-30000d\" is longer than",
        ),
        (
            BASE.replace(
                "persistence = { reset-every = \"7d\" }",
                "reset-every = \"-7d\"",
            ),
            28,
            "reset-every must be positive",
        ),
    ];
    for (src, line, want) in cases {
        let e = err_of(&src);
        assert_eq!(e.file, "s.toml", "{e}");
        assert_eq!(e.line, Some(line), "{want}: {e}");
        assert!(e.message.contains(want), "{want}: {e}");
    }
}

#[test]
fn a_reset_every_second_is_refused_before_the_run_grows() {
    // 1s over five months would be 13 million resets, each kept in the run.
    let src = BASE.replace("reset-every = \"7d\"", "reset-every = \"1s\"");
    let e = err_of(&src);
    assert_eq!(e.line, Some(24), "{e}");
    assert!(
        e.message.contains("resolver \"r\": reset-every makes"),
        "{e}"
    );
    assert!(e.message.contains("more than the 10000"), "{e}");
    // Hourly is fine for one resolver (3,647 resets)...
    let hourly = BASE.replace("reset-every = \"7d\"", "reset-every = \"1h\"");
    assert!(parse(&hourly).is_ok());
    // ...but not for a hundred of them together.
    let mut many = hourly.clone();
    for i in 0..100 {
        many.push_str(&format!(
            "\n[[resolver]]\nname = \"r{i}\"\nprofile = \"unbound\"\ntrusted = [\"A\"]\nreset-every = \"1h\"\n"
        ));
    }
    let e = err_of(&many);
    assert!(e.message.contains("state resets in all"), "{e}");
}

#[test]
fn a_span_past_the_serial_horizon_is_refused() {
    let e = err_of(&BASE.replace("end = \"2020-06-01\"", "end = \"2099-06-01\""));
    assert_eq!(e.line, Some(7), "{e}");
    assert!(e.message.contains("68 years"), "{e}");
}

/// A scenario with `n` resolvers (and one attack aimed at the last one).
fn generated(n: usize) -> String {
    let head = BASE.split("[[resolver]]").next().unwrap().to_string();
    let mut src = String::with_capacity(head.len() + n * 64);
    src.push_str(&head);
    for i in 0..n {
        src.push_str(&format!(
            "[[resolver]]\nname = \"r{i}\"\nprofile = \"rfc5011\"\ntrusted = [\"A\"]\n"
        ));
    }
    src.push_str(&format!(
        "[[attack]]\nresolver = \"r{}\"\nkind = \"withhold\"\nfrom = \"2020-03-01\"\nto = \"2020-03-02\"\n",
        n - 1
    ));
    src
}

#[test]
fn loading_is_linear_in_the_number_of_resolvers() {
    // Every step of loading is O(1) or O(log n) per resolver: line numbers
    // by binary search over the newline offsets, duplicate names by a set,
    // attack targets by a map. Timed loosely (no flaky bounds): 10x the
    // resolvers must cost far less than the 100x a quadratic step costs.
    let time = |n: usize| {
        let src = generated(n);
        let t = std::time::Instant::now();
        let sc = parse(&src).unwrap();
        let took = t.elapsed();
        assert_eq!(sc.resolvers.len(), n);
        assert_eq!(sc.resolvers[n - 1].attacks.len(), 1);
        assert_eq!(sc.resolvers[n - 1].line, 24 + 4 * (n - 1));
        took
    };
    let small = time(20_000);
    let large = time(200_000);
    assert!(
        large < small * 40 + std::time::Duration::from_millis(500),
        "20k resolvers: {small:?}, 200k: {large:?}"
    );
    // A duplicate among many is still found, with its line.
    let dup = generated(1_000).replace("name = \"r999\"", "name = \"r3\"");
    let e = err_of(&dup);
    assert_eq!(e.line, Some(24 + 4 * 999), "{e}");
    assert!(e.message.contains("\"r3\" is defined twice"), "{e}");
}

#[test]
fn line_index_agrees_with_a_scan() {
    let src = "a\nbb\n\nccc\n";
    let cx = Ctx::new("f".into(), src);
    for off in 0..=src.len() + 3 {
        assert_eq!(cx.line(off), line_of(src, off), "offset {off}");
    }
}

#[test]
fn timer_knobs_are_checked_for_sign_and_range() {
    for (timers, want) in [
        (
            "add-holddown = \"-30d\"",
            "timers.add-holddown: must be positive",
        ),
        ("refresh = \"0s\"", "timers.refresh: must be positive"),
        (
            "query-cap = \"99999999999d\"",
            "timers.query-cap: \"99999999999d\" is longer than",
        ),
    ] {
        let src = BASE.replace("add-holddown = \"1d\", jitter-percent = 0", timers);
        let e = err_of(&src);
        assert_eq!(e.line, Some(32), "{e}");
        assert!(e.message.contains(want), "{want}: {e}");
    }
    let forever = BASE.replace(
        "add-holddown = \"1d\", jitter-percent = 0",
        "keep-missing = \"forever\"",
    );
    assert!(parse(&forever).is_ok());
}

#[test]
fn a_zone_that_is_not_a_dns_name_is_refused_with_the_file_line_and_form() {
    let label63 = "a".repeat(63);
    let long_name = format!("{label63}.{label63}.{label63}.{label63}.");
    for (zone, why) in [
        ("exa\u{1b}[2Kmple.".to_string(), "a control character"),
        ("my zone.".to_string(), "a space"),
        (format!("{}.example.", "a".repeat(64)), "a 64-octet label"),
        (long_name, "a name over 255 octets"),
        ("a..b.".to_string(), "an empty label"),
        (String::new(), "nothing"),
    ] {
        let src = BASE.replace(
            "zone = \"example.\"",
            &format!("zone = {}", toml::Value::String(zone.clone())),
        );
        let e = parse(&src).expect_err(why);
        assert_eq!((e.file.as_str(), e.line), ("s.toml", Some(3)), "{why}: {e}");
        assert!(
            e.message.starts_with("[trust-point] zone ")
                && e.message.contains("is not a DNS name")
                && e.message.contains("give a name like \"example.\""),
            "{why}: {e}"
        );
        assert!(!e.to_string().contains('\u{1b}'), "{why}: {e}");
    }
    // Names in every form the fixtures use, and others, still load.
    for zone in [
        ".",
        "example.",
        "example",
        "_tcp.example.",
        "xn--bcher-kva.example.",
    ] {
        let src = BASE.replace("zone = \"example.\"", &format!("zone = \"{zone}\""));
        assert_eq!(parse(&src).unwrap().zone, zone);
    }
    let label61 = "b".repeat(61);
    let longest = format!("{label63}.{label63}.{label63}.{label61}.");
    assert_eq!(longest.len(), 254, "255 octets on the wire");
    let src = BASE.replace("zone = \"example.\"", &format!("zone = \"{longest}\""));
    assert!(parse(&src).is_ok());
}

#[test]
fn a_resign_every_second_is_refused_before_the_timeline_grows() {
    // 1m over five months would be 218,880 versions, each kept in the timeline.
    let src = BASE.replace(
        "rrsig-validity = \"7d\"",
        "rrsig-validity = \"7d\"\nresign-every = \"1m\"",
    );
    let e = err_of(&src);
    assert_eq!(e.line, Some(6), "{e}");
    assert!(
        e.message
            .starts_with("resign-every \"1m\" makes 218880 re-signs"),
        "{e}"
    );
    assert!(e.message.contains("more than the 100000"), "{e}");
    assert!(e.message.contains("use a longer resign-every"), "{e}");
    // The default (half the validity) is blamed on the validity's line.
    let e = err_of(&BASE.replace("rrsig-validity = \"7d\"", "rrsig-validity = \"2m\""));
    assert_eq!(e.line, Some(5), "{e}");
    assert!(
        e.message
            .starts_with("resign-every (by default half the rrsig-validity: PT1M) makes"),
        "{e}"
    );
    // Hourly is fine (3,648).
    let hourly = BASE.replace(
        "rrsig-validity = \"7d\"",
        "rrsig-validity = \"7d\"\nresign-every = \"1h\"",
    );
    assert_eq!(parse(&hourly).unwrap().timeline.versions.len(), 3649);
}

#[test]
fn a_refresh_every_second_is_refused_before_the_run_grows() {
    let timers = "add-holddown = \"1d\", jitter-percent = 0";
    for (knob, want) in [
        (
            "refresh = \"1s\"",
            "resolver \"r\": timers.refresh \"1s\" lets it probe every PT1S, up to 13132800 probes",
        ),
        (
            "refresh-floor = \"1s\"",
            "resolver \"r\": timers.refresh-floor \"1s\" lets it probe every PT1S",
        ),
        (
            "mkeytimers = \"1/2/3\"",
            "resolver \"r\": timers.mkeytimers \"1/2/3\" lets it probe",
        ),
    ] {
        let src = BASE.replace(timers, knob);
        let e = err_of(&src);
        assert_eq!(e.line, Some(32), "{knob}: {e}");
        assert!(e.message.starts_with(want), "{knob}: {e}");
        assert!(
            e.message.contains("more than the 1000000 a run keeps"),
            "{e}"
        );
    }
    // A minute is fine for five months (218,880), and so is the default
    // one-hour floor over the longest span.
    assert!(parse(&BASE.replace(timers, "refresh = \"1m\"")).is_ok());
    let longest = BASE
        .replace("end = \"2020-06-01\"", "end = \"2088-01-01\"")
        .replace(timers, "add-holddown = \"1d\"");
    assert!(parse(&longest).is_ok());
}
