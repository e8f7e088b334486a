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
