//! Issue 11 item 3: nothing from an input file reaches the terminal unescaped.
//! Hostile files carry ESC [ 2 K (erase the line), CR, BEL and the C1 CSI
//! (U+009B) in the fields `ksr` prints: a text-dialect owner name, key id
//! comment and header, a policy's domains, and an XML id given as a character
//! reference. Every command that prints them (check lines, FAIL lines, error
//! messages, tables) is run; no raw control byte may come out on stdout or
//! stderr, and the hostile text must be shown in its escaped form somewhere,
//! so the test sees the paths that print it.

mod common;

use common::ksr;
use std::path::{Path, PathBuf};

const HOSTILE: &[u8] = b"\x1b[2K\r\x07\xc2\x9b";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/format_data")
        .join(name)
}

/// Panics if `bytes` hold ESC, CR, BEL or U+009B (raw or as a lone byte).
fn assert_clean(what: &str, stream: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for (b, name) in [(0x1b, "ESC"), (0x0d, "CR"), (0x07, "BEL"), (0x9b, "CSI")] {
        assert!(
            !bytes.contains(&b),
            "{what}: raw {name} on {stream}:\n{}",
            text.escape_debug()
        );
    }
    assert!(!text.contains('\u{9b}'), "{what}: U+009B on {stream}");
}

/// Runs `ksr ARGS`, asserts both streams clean; returns stdout + stderr.
fn run_clean(args: &[&str]) -> String {
    let o = ksr(args);
    let what = format!("ksr {}", args.join(" "));
    assert_clean(&what, "stdout", &o.stdout);
    assert_clean(&what, "stderr", &o.stderr);
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every command that reads `file` and prints something of it.
fn every_command(dir: &Path, file: &Path) -> String {
    let f = file.to_str().unwrap();
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let mut all = String::new();
    for args in [
        vec!["verify", f],
        vec!["verify", "--json", f],
        vec!["inspect", f],
        vec!["inspect", "--json", f],
        vec!["hash", f],
        vec!["export", f, "--dialect", "knot", "--out", o, "--force"],
        vec!["convert", f, "--to", "iana", "--out", o, "--force"],
        vec!["convert", f, "--to", "bind", "--out", o, "--force"],
    ] {
        all.push_str(&run_clean(&args));
    }
    all
}

/// The Knot example KSR with `HOSTILE` spliced in at the `n`th `from`.
fn hostile_text(dir: &Path, name: &str, from: &str, to: &[u8], n: usize) -> PathBuf {
    let text = std::fs::read(data("knot-example.test.ksr")).unwrap();
    let from = from.as_bytes();
    let at = (0..text.len())
        .filter(|&i| text[i..].starts_with(from))
        .nth(n)
        .expect("the splice point exists");
    let mut bytes = text[..at].to_vec();
    bytes.extend_from_slice(to);
    bytes.extend_from_slice(&text[at + from.len()..]);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn splice(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn a_text_ksr_with_controls_in_an_owner_name_never_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let owner = splice(&[b"ex", HOSTILE, b"ample.test."]);
    // In the first record (a refusal quoting it) and in a later one.
    let first = hostile_text(dir.path(), "first.ksr", "example.test.", &owner, 0);
    let later = hostile_text(dir.path(), "later.ksr", "example.test.", &owner, 3);
    let mut shown = every_command(dir.path(), &first);
    shown.push_str(&every_command(dir.path(), &later));
    assert!(shown.contains("control character U+001B"), "{shown}");
}

#[test]
fn the_text_dialect_refuses_control_characters_as_the_xml_reader_does() {
    let dir = tempfile::tempdir().unwrap();
    for (n, (bad, code)) in [
        (b"\x1b".as_slice(), "U+001B"),
        (b"\r", "U+000D"),
        (b"\x07", "U+0007"),
        ("\u{9b}".as_bytes(), "U+009B"),
        (b"\x7f", "U+007F"),
    ]
    .into_iter()
    .enumerate()
    {
        let owner = splice(&[b"ex", bad, b"ample.test."]);
        let file = hostile_text(dir.path(), &format!("{n}.ksr"), "example.test.", &owner, 3);
        let o = ksr(&["verify", file.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.0, 2, "{err}");
        assert!(
            err.contains(&format!(":19: (file): control character {code}")),
            "{err}"
        );
    }
    // CRLF line ends and tabs are text.
    let crlf = std::fs::read_to_string(data("knot-example.test.ksr"))
        .unwrap()
        .replace('\n', "\r\n");
    let file = dir.path().join("crlf.ksr");
    std::fs::write(&file, crlf).unwrap();
    let o = ksr(&["inspect", file.to_str().unwrap()]);
    assert_eq!(o.status.0, 0, "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_text_ksr_with_controls_in_comments_and_header_never_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let id = splice(&[b"id = 5", HOSTILE, b"3443"]);
    let in_id = hostile_text(dir.path(), "id.ksr", "id = 53443", &id, 1);
    every_command(dir.path(), &in_id);
    let header = splice(&[b"(2026-11-25", HOSTILE, b"T19:04:13Z)"]);
    let in_header = hostile_text(
        dir.path(),
        "header.ksr",
        "(2026-11-25T19:04:13Z)",
        &header,
        0,
    );
    every_command(dir.path(), &in_header);
    let alg = splice(&[b"ZSK, ECDSAP256SHA256", HOSTILE]);
    let in_alg = hostile_text(dir.path(), "alg.ksr", "ZSK, ECDSAP256SHA256", &alg, 2);
    every_command(dir.path(), &in_alg);
}

#[test]
fn an_xml_ksr_with_a_control_character_reference_never_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/iana-root/ksr-root-2017-q2-0.xml");
    let text = std::fs::read_to_string(fixture).unwrap();
    let at = text.find("<Request").expect("a request element");
    let id_at = at + text[at..].find("id=\"").unwrap() + 4;
    for (name, inject) in [
        ("ref.xml", "&#x1b;[2K&#xd;&#x7;&#x9b;".to_string()),
        ("raw.xml", String::from_utf8(HOSTILE.to_vec()).unwrap()),
    ] {
        let mut hostile = text.clone();
        hostile.insert_str(id_at, &inject);
        let path = dir.path().join(name);
        std::fs::write(&path, hostile).unwrap();
        every_command(dir.path(), &path);
    }
}

#[test]
fn a_policy_with_controls_in_its_values_never_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "domains = [\"ex\\u001b[2K\\r\\u0007\\u009bample.test.\"]\ndnskey_ttl = 3600\n",
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let ksr_file = data("knot-example.test.ksr");
    let f = ksr_file.to_str().unwrap();
    let mut shown = run_clean(&["policy", "show", p]);
    shown.push_str(&run_clean(&["verify", "--policy", p, f]));
    shown.push_str(&run_clean(&["verify", "--json", "--policy", p, f]));
    // A policy refused for a bad value quotes it.
    std::fs::write(
        &policy,
        "domains = [\"x\"]\ndnskey_ttl = \"\\u001b[2K\\u009b\"\n",
    )
    .unwrap();
    shown.push_str(&run_clean(&["verify", "--policy", p, f]));
    std::fs::write(&policy, "\"\\u001b[2K\\u009b\" = 1\n").unwrap();
    shown.push_str(&run_clean(&["verify", "--policy", p, f]));
    assert!(shown.contains("[2K"), "{shown}");
}

#[test]
fn the_real_process_escapes_what_a_path_forgot() {
    // The process-level guard: the binary's own streams, not the FakeEnv.
    let dir = tempfile::tempdir().unwrap();
    let owner = splice(&[b"ex", HOSTILE, b"ample.test."]);
    let file = hostile_text(dir.path(), "first.ksr", "example.test.", &owner, 0);
    for cmd in ["verify", "inspect"] {
        let o = common::ksr_process(&[cmd, file.to_str().unwrap()]);
        assert_clean(cmd, "stdout", &o.stdout);
        assert_clean(cmd, "stderr", &o.stderr);
        assert!(!o.stderr.is_empty() || !o.stdout.is_empty());
    }
}
