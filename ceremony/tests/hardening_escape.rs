//! Issue 11 item 3 for `ceremony`: nothing from an input file reaches the
//! terminal unescaped. A ceremony script, its answers file and a KSR carry
//! ESC [ 2 K (erase the line), CR, BEL and the C1 CSI (U+009B) in every field
//! that is printed (title, role and person names, step text, deviation
//! reasons, answers, a KSR's owner name); every command that prints them runs
//! and no raw control byte comes out. The audit report written from such a
//! run escapes them too, and escapes HTML and Markdown markup.

mod common;

use std::path::Path;

use common::*;

/// As a TOML basic-string escape and as the raw bytes it stands for.
const H: &str = "\\u001b[2K\\r\\u0007\\u009b";
const RAW: &[u8] = b"\x1b[2K\r\x07\xc2\x9b";

fn assert_clean(what: &str, stream: &str, text: &str) {
    for c in ['\x1b', '\r', '\x07', '\u{9b}', '\u{202e}'] {
        assert!(
            !text.contains(c),
            "{what}: raw {:?} on {stream}:\n{}",
            c,
            text.escape_debug()
        );
    }
}

/// `ceremony ARGS` on `env`; both streams asserted clean; returns them joined.
fn clean_on(env: &FakeEnv, args: &[&str]) -> String {
    let o = ceremony(env, args);
    let what = format!("ceremony {}", args.join(" "));
    assert_clean(&what, "stdout", &o.stdout);
    assert_clean(&what, "stderr", &o.stderr);
    for p in env.prompts() {
        assert_clean(&what, "a prompt", &p);
    }
    format!("{}{}", o.stdout, o.stderr)
}

fn clean(args: &[&str]) -> String {
    clean_on(&FakeEnv::new(), args)
}

fn script_text(ksr: &Path) -> String {
    format!(
        r#"title = "Hostile {H} <b>title</b> | x"
zone = "example."
[[roles]]
id = "co"
name = "Crypto {H} Officer"
people = ["Ana {H}", "Bashir"]
[[roles]]
id = "iw"
name = "Internal Witness"
people = ["Ivo {H} Witness"]
[quorums.two]
role = "co"
need = 2
[inputs]
ksr = "{}"
[[steps]]
id = "open"
title = "Open {H} the ceremony"
kind = "instruction"
text = "Say {H} hello.\n# not a heading"
signoff = ["iw"]
[[steps]]
id = "lights"
kind = "checklist"
items = ["The room {H} lights work"]
[[steps]]
id = "compare-ksr"
kind = "verify"
artifact = "ksr"
quorum = "two"
"#,
        ksr.display()
    )
}

#[test]
fn a_hostile_script_and_answers_never_reach_the_terminal_raw() {
    let d = scratch();
    let ksr = test_support::fixture("iana-root/ksr-root-2017-q2-0.xml");
    let script = d.path().join("hostile.toml");
    std::fs::write(&script, script_text(&ksr)).unwrap();
    let mut shown = clean(&["script", "check", s(&script)]);

    // Refusals quote what they refuse: an unknown kind and an unknown key.
    let broken = d.path().join("broken.toml");
    let text = script_text(&ksr);
    std::fs::write(
        &broken,
        text.replace("\"instruction\"", &format!("\"x{H}\"")),
    )
    .unwrap();
    shown.push_str(&clean(&["script", "check", s(&broken)]));
    std::fs::write(&broken, format!("\"k{H}\" = 1\n{text}")).unwrap();
    shown.push_str(&clean(&["script", "check", s(&broken)]));
    std::fs::write(
        &broken,
        [text.as_bytes(), b"\nx = \"", RAW, b"\"\n"].concat(),
    )
    .unwrap();
    shown.push_str(&clean(&["script", "check", s(&broken)]));

    let sha = sha256_hex(&ksr);
    let answers = d.path().join("answers.toml");
    std::fs::write(&answers, room_answers(&format!(" {H}"), &sha, "Bashir")).unwrap();
    let log = d.path().join("audit.jsonl");
    shown.push_str(&clean(&answered(&script, &log, &answers)));
    // A wrong answer is quoted back.
    let log2 = d.path().join("audit2.jsonl");
    let wrong = std::fs::read_to_string(&answers)
        .unwrap()
        .replace(&sha, &format!("0{H}"));
    let answers2 = d.path().join("answers2.toml");
    std::fs::write(&answers2, wrong).unwrap();
    shown.push_str(&clean(&answered(&script, &log2, &answers2)));
    assert!(shown.contains("\\u{1b}[2K"), "{shown}");

    // The log holds the hostile text; every reader of it escapes it.
    assert!(std::fs::read_to_string(&log).unwrap().contains("\\u001b"));
    for log in [&log, &log2] {
        clean(&["audit", "verify", s(log)]);
        clean(&["audit", "show", s(log)]);
        clean(&["audit", "show", "--json", s(log)]);
    }
    let md = d.path().join("report.md");
    let html = d.path().join("report.html");
    clean(&["audit", "report", s(&log), "--out", s(&md)]);
    clean(&["audit", "report", s(&log), "--out", s(&html)]);
    let md = std::fs::read_to_string(&md).unwrap();
    let html = std::fs::read_to_string(&html).unwrap();
    assert_clean("report.md", "the file", &md);
    assert_clean("report.html", "the file", &html);
    assert!(!md.contains("<b>") && md.contains("&lt;b&gt;"), "{md}");
    assert!(md.contains("\\|"), "{md}");
    assert!(
        !html.contains("<b>") && html.contains("&lt;b&gt;"),
        "{html}"
    );
    assert!(
        md.contains("\\u{1b}[2K") || md.contains("\\u{1b}\\[2K"),
        "{md}"
    );
}

/// A Knot KSR whose `n`th owner name is `owner`.
fn knot_with_owner(dir: &Path, n: usize, owner: &[u8]) -> std::path::PathBuf {
    let knot = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ksr/tests/format_data/knot-example.test.ksr");
    let text = std::fs::read(knot).unwrap();
    let at = (0..text.len())
        .filter(|&i| text[i..].starts_with(b"example.test."))
        .nth(n)
        .unwrap();
    let bytes = [&text[..at], owner, &text[at + 13..]].concat();
    let ksr = dir.join(format!("hostile-{n}-{}.ksr", owner.len()));
    std::fs::write(&ksr, bytes).unwrap();
    ksr
}

#[test]
fn a_hostile_text_ksr_never_reaches_the_terminal_raw() {
    let t = token("escape-ksr");
    keygen(t, "Kesc", "ecdsap256sha256", &[]);
    let d = scratch();
    let controls = [b"ex".as_slice(), RAW, b"ample.test."].concat();
    // A bidirectional override is no control character: the reader takes it,
    // and every line that names the owner escapes it.
    let bidi = "ex\u{202e}ample.test.".as_bytes();
    let mut shown = String::new();
    for (n, owner) in [
        (0, controls.as_slice()),
        (3, &controls),
        (0, bidi),
        (3, bidi),
    ] {
        let ksr = knot_with_owner(d.path(), n, owner);
        let out = d.path().join(format!("skr-{n}.knot"));
        for json in [false, true] {
            let mut args = vec![
                "sign-ksr",
                s(&ksr),
                "--out",
                s(&out),
                "--ksk-current",
                "Kesc",
                "--schema",
                "normal",
                "--first-in-chain",
            ];
            if json {
                args.insert(0, "--json");
            }
            let h = hsm();
            args.extend(["--token", t, "--pin-file", s(&h.pin_file)]);
            let text = clean(&args);
            assert!(!text.contains('\u{202e}'), "{text}");
            shown.push_str(&text);
        }
        assert!(!out.exists());
    }
    assert!(shown.contains("control character U+001B"), "{shown}");
    assert!(
        shown.contains("\\u{202e}") || shown.contains("\\u202e"),
        "{shown}"
    );
}
