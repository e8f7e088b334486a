//! Issue 11 item 3 for `rollover-sim`: nothing from an input file reaches
//! the terminal unescaped. A scenario carries ESC [ 2 K (erase the line), CR,
//! BEL and the C1 CSI (U+009B) in its key names, resolver names and zone;
//! `run`, `plan` and `population` print them (text and JSON: serde_json leaves
//! C1 raw, the output guard escapes it the JSON way), a refused scenario quotes
//! them, and the SVG written escapes them and its markup.

mod common;

use common::*;

/// As a TOML basic-string escape.
const H: &str = "\\u001b[2K\\r\\u0007\\u009b";

fn assert_clean(what: &str, stream: &str, text: &str) {
    for c in ['\x1b', '\r', '\x07', '\u{9b}'] {
        assert!(
            !text.contains(c),
            "{what}: raw {:?} on {stream}:\n{}",
            c,
            text.escape_debug()
        );
    }
}

fn clean(args: &[&str]) -> String {
    let o = sim(args);
    let what = format!("rollover-sim {}", args.join(" "));
    assert_clean(&what, "stdout", &o.stdout);
    assert_clean(&what, "stderr", &o.stderr);
    format!("{}{}", o.stdout, o.stderr)
}

/// The early-switch scenario (a failing one: FAIL lines name keys and
/// resolvers) with every name made hostile.
fn hostile_scenario() -> String {
    std::fs::read_to_string(scenario("early-switch.toml"))
        .unwrap()
        .replace("KSK-2017", &format!("KSK{H}<b>-2017"))
        .replace("\"unbound\"\ntrusted", "\"unbound\"\nname2 = 0\ntrusted")
        .replace("name = \"always-online\"", &format!("name = \"online{H}\""))
}

#[test]
fn a_hostile_scenario_never_reaches_the_terminal_raw() {
    let d = tempfile::tempdir().unwrap();
    let good = d.path().join("hostile.toml");
    let text = hostile_scenario().replace("name2 = 0\n", "");
    std::fs::write(&good, &text).unwrap();
    let g = good.to_str().unwrap();
    let svg = d.path().join("p.svg");
    let mut shown = String::new();
    for args in [
        vec!["run", g],
        vec!["run", "--json", g],
        vec!["plan", g],
        vec!["plan", "--json", g],
        vec!["population", g, "--resolvers", "200"],
        vec!["population", g, "--resolvers", "200", "--json"],
        vec![
            "population",
            g,
            "--resolvers",
            "200",
            "--svg",
            svg.to_str().unwrap(),
        ],
    ] {
        shown.push_str(&clean(&args));
    }
    assert!(shown.contains("\\u{1b}[2K"), "{shown}");
    // JSON stays JSON through the escaping, with the names as the file has them.
    let o = sim(&["run", "--json", g]);
    let v = stdout_json(&o);
    let name = v["resolvers"][0]["name"].as_str().unwrap();
    assert_eq!(name, "online\u{1b}[2K\r\u{7}\u{9b}");
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert_clean("the SVG", "the file", &drawn);
    assert!(!drawn.contains("<b>"), "{drawn}");

    // Refusals quote what they refuse: an unknown key, a key name that does
    // not exist, a zone that is not a name.
    let bad = d.path().join("bad.toml");
    let b = bad.to_str().unwrap();
    for (i, broken) in [
        hostile_scenario().replace("name2", &format!("\"k{H}\"")),
        text.replacen(
            &format!("key = \"KSK{H}<b>-2017\""),
            &format!("key = \"N{H}\""),
            1,
        ),
        text.replace("zone = \".\"", &format!("zone = \"x{H}\"")),
        text.replace("dnskey-ttl = \"2d\"", &format!("dnskey-ttl = \"2{H}\"")),
    ]
    .into_iter()
    .enumerate()
    {
        std::fs::write(&bad, broken).unwrap();
        let o = sim(&["run", b]);
        assert_eq!(o.code, exit::UNUSABLE, "{i}: {}", o.stderr);
        if i == 2 {
            assert!(o.stderr.contains("is not a DNS name"), "{}", o.stderr);
        }
        let mut refused = clean(&["run", b]);
        refused.push_str(&clean(&["plan", b]));
        assert!(
            refused.contains("\\u{1b}") || refused.contains("\\u001b"),
            "{refused}"
        );
    }
}
