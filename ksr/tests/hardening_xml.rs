//! Issue 11, item 3: the IANA XML reader enforces XML 1.0 well-formedness (the
//! `Char` production, UTF-8 everywhere, one declaration at the very start) and
//! refuses `domain=""`, with `FILE:LINE: element: message` and exit 2.
//!
//! Every hostile input is also given to expat (Python's `xml.parsers.expat`, a
//! conforming parser): where expat refuses a file, so must ksr, and what ksr
//! accepts and writes back, expat must accept. python3 is part of the setup;
//! a missing python3 fails these tests rather than skipping them.

use ksr::testkit::fixture_path;
use std::path::Path;
use std::process::Command;

/// Whether expat accepts `path` as a well-formed document.
fn expat_accepts(path: &Path) -> bool {
    let o = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.parsers.expat as e\n\
             p = e.ParserCreate()\n\
             try:\n    p.Parse(open(sys.argv[1], 'rb').read(), True)\n\
             except e.ExpatError as x:\n    print(x); sys.exit(3)\n",
        ])
        .arg(path)
        .output()
        .expect("python3 must be installed (scripts/setup installs it)");
    match o.status.code() {
        Some(0) => true,
        Some(3) => false,
        other => panic!(
            "python3 failed ({other:?}): {}",
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

fn base() -> Vec<u8> {
    std::fs::read(fixture_path("ksr-root-2009-q4-2.xml")).unwrap()
}

/// `base()` with the first `from` replaced by `to`.
fn edit(from: &str, to: &[u8]) -> Vec<u8> {
    let b = base();
    let at = b
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("{from:?} not in the fixture"));
    [&b[..at], to, &b[at + from.len()..]].concat()
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// The line the error must name.
    line: usize,
    /// Substrings of the error (element path, message).
    needles: &'static [&'static str],
    /// Whether expat refuses the input too (false: well-formed XML that ksr
    /// refuses for a stricter reason, e.g. control characters in an id).
    expat_refuses: bool,
}

fn id_with(to: &[u8]) -> Vec<u8> {
    let mut id = b"e9855a7e".to_vec();
    id.extend_from_slice(to);
    id.extend_from_slice(b"-6951");
    edit("e9855a7e-6951", &id)
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "raw ESC in an attribute",
            bytes: id_with(b"\x1b[2K"),
            line: 16,
            needles: &["KSR/Request/RequestBundle", "U+001B"],
            expat_refuses: true,
        },
        Case {
            name: "character reference to ESC in an attribute",
            bytes: id_with(b"&#x1b;[2K"),
            line: 16,
            needles: &["KSR/Request/RequestBundle", "U+001B"],
            expat_refuses: true,
        },
        Case {
            name: "character reference to ESC in text",
            bytes: edit("<TypeCovered>DNSKEY<", b"<TypeCovered>DNSKEY&#27;<"),
            line: 28,
            needles: &["Signature/TypeCovered", "U+001B"],
            expat_refuses: true,
        },
        Case {
            name: "raw form feed in text",
            bytes: edit("<TTL>172800</TTL>", b"<TTL>172800\x0c</TTL>"),
            line: 20,
            needles: &["Key/TTL", "U+000C"],
            expat_refuses: true,
        },
        Case {
            name: "raw CR in an attribute (normalized away by XML readers)",
            bytes: id_with(b"\r"),
            line: 16,
            needles: &["RequestBundle", "U+000D"],
            expat_refuses: false,
        },
        Case {
            name: "character reference to CR in an attribute",
            bytes: id_with(b"&#13;"),
            line: 16,
            needles: &["RequestBundle", "U+000D"],
            expat_refuses: false,
        },
        Case {
            name: "C1 control CSI in an attribute (a terminal escape)",
            bytes: id_with("\u{9b}2K".as_bytes()),
            line: 16,
            needles: &["RequestBundle", "U+009B"],
            expat_refuses: false,
        },
        Case {
            name: "character reference to U+FFFF",
            bytes: id_with(b"&#xFFFF;"),
            line: 16,
            needles: &["RequestBundle", "U+FFFF"],
            expat_refuses: true,
        },
        Case {
            name: "raw U+FFFE in text",
            bytes: edit("<TTL>172800</TTL>", "<TTL>172800\u{fffe}</TTL>".as_bytes()),
            line: 20,
            needles: &["Key/TTL", "U+FFFE"],
            expat_refuses: true,
        },
        Case {
            name: "XML declaration in the middle",
            bytes: edit("  <Request>", b"<?xml version=\"1.0\"?>\n  <Request>"),
            line: 2,
            needles: &["KSR", "XML declaration"],
            expat_refuses: true,
        },
        Case {
            name: "XML declaration after a newline",
            bytes: [b"\n<?xml version=\"1.0\"?>\n".as_slice(), &base()].concat(),
            line: 2,
            needles: &["XML declaration"],
            expat_refuses: true,
        },
        Case {
            name: "two XML declarations",
            bytes: [
                b"<?xml version=\"1.0\"?><?xml version=\"1.0\"?>\n".as_slice(),
                &base(),
            ]
            .concat(),
            line: 1,
            needles: &["XML declaration"],
            expat_refuses: true,
        },
        Case {
            name: "XML declaration without a version",
            bytes: [b"<?xml encoding=\"UTF-8\"?>\n".as_slice(), &base()].concat(),
            line: 1,
            needles: &["XML declaration", "version"],
            expat_refuses: true,
        },
        Case {
            name: "invalid UTF-8 in a comment",
            bytes: edit("  <Request>", b"<!-- caf\xe9 -->\n  <Request>"),
            line: 2,
            needles: &["UTF-8"],
            expat_refuses: true,
        },
        Case {
            name: "invalid UTF-8 in an attribute",
            bytes: id_with(b"\xc3("),
            line: 16,
            needles: &["UTF-8"],
            expat_refuses: true,
        },
        Case {
            name: "a double hyphen inside a comment",
            bytes: edit("  <Request>", b"<!-- a -- b -->\n  <Request>"),
            line: 2,
            needles: &["comment", "--"],
            expat_refuses: true,
        },
        Case {
            name: "]]> in text",
            bytes: edit("<TTL>172800</TTL>", b"<TTL>172800]]></TTL>"),
            line: 20,
            needles: &["Key/TTL", "]]>"],
            expat_refuses: true,
        },
        Case {
            name: "< in an attribute value",
            bytes: id_with(b"<"),
            line: 16,
            needles: &["RequestBundle", "<"],
            expat_refuses: true,
        },
        Case {
            name: "a duplicated attribute",
            bytes: edit("<RequestBundle id=", b"<RequestBundle id=\"x\" id="),
            line: 16,
            needles: &["RequestBundle", "duplicated attribute"],
            expat_refuses: true,
        },
        Case {
            name: "attributes without white space between them",
            bytes: edit("\" domain=", b"\"domain="),
            line: 1,
            needles: &["KSR", "white space"],
            expat_refuses: true,
        },
        Case {
            name: "an unknown part in the XML declaration",
            bytes: [b"<?xml version=\"1.0\" foo=\"bar\"?>\n".as_slice(), &base()].concat(),
            line: 1,
            needles: &["XML declaration", "foo"],
            expat_refuses: true,
        },
        Case {
            name: "a bad standalone value",
            bytes: [
                b"<?xml version=\"1.0\" standalone=\"maybe\"?>\n".as_slice(),
                &base(),
            ]
            .concat(),
            line: 1,
            needles: &["XML declaration", "standalone"],
            expat_refuses: true,
        },
        Case {
            name: "character reference to CR in text (would not survive a rewrite)",
            bytes: edit("<TypeCovered>DNSKEY<", b"<TypeCovered>DNS&#13;KEY<"),
            line: 28,
            needles: &["Signature/TypeCovered", "CR"],
            expat_refuses: false,
        },
        Case {
            name: "an empty domain",
            bytes: edit("domain=\".\"", b"domain=\"\""),
            line: 1,
            needles: &["KSR@domain", "empty"],
            expat_refuses: false,
        },
    ]
}

#[test]
fn hostile_inputs_are_refused_with_file_line_and_element() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for (i, case) in cases().into_iter().enumerate() {
        let path = dir.path().join(format!("case-{i}.xml"));
        std::fs::write(&path, &case.bytes).unwrap();
        let file = path.display().to_string();
        match ksr::xml::parse(&case.bytes, &file, &Default::default()) {
            Ok(_) => problems.push(format!("{}: accepted", case.name)),
            Err(e) => {
                let text = e.to_string();
                if e.line != case.line || !text.starts_with(&format!("{file}:{}: ", case.line)) {
                    problems.push(format!(
                        "{}: wanted line {}, got {text}",
                        case.name, case.line
                    ));
                }
                for n in case.needles {
                    if !text.contains(n) {
                        problems.push(format!("{}: {n:?} not in {text}", case.name));
                    }
                }
                if text.chars().any(|c| c.is_control()) {
                    problems.push(format!(
                        "{}: raw control in the message {text:?}",
                        case.name
                    ));
                }
            }
        }
        if expat_accepts(&path) == case.expat_refuses {
            problems.push(format!(
                "{}: expat {} it, the case says otherwise",
                case.name,
                if case.expat_refuses {
                    "accepts"
                } else {
                    "refuses"
                }
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn ksr_verify_exits_2_on_each_hostile_input() {
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in cases().into_iter().enumerate() {
        let path = dir.path().join(format!("case-{i}.xml"));
        std::fs::write(&path, &case.bytes).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_ksr"))
            .args(["verify", "--at", "2009-10-20"])
            .arg(&path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", case.name);
        assert!(
            err.contains(&format!("{}:{}: ", path.display(), case.line)),
            "{}: {err}",
            case.name
        );
        assert!(
            !o.stderr.contains(&0x1b),
            "{}: raw ESC on stderr",
            case.name
        );
    }
}

#[test]
fn well_formed_variants_are_still_accepted_and_agree_with_expat() {
    let dir = tempfile::tempdir().unwrap();
    let decl = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("as published", base()),
        ("with a declaration", [decl.as_slice(), &base()].concat()),
        (
            "with a BOM and a declaration",
            [b"\xef\xbb\xbf".as_slice(), decl, &base()].concat(),
        ),
        (
            "with a BOM alone",
            [b"\xef\xbb\xbf".as_slice(), &base()].concat(),
        ),
        (
            "with a comment holding UTF-8",
            edit("  <Request>", "<!-- café ✓ -->\n  <Request>".as_bytes()),
        ),
        (
            "CRLF line ends",
            String::from_utf8(base())
                .unwrap()
                .replace('\n', "\r\n")
                .into_bytes(),
        ),
        (
            "a tab in text",
            edit("<TTL>172800</TTL>", b"<TTL>\t172800</TTL>"),
        ),
        ("a character reference to a letter", id_with(b"&#x41;")),
    ];
    for (name, bytes) in variants {
        let path = dir.path().join("v.xml");
        std::fs::write(&path, &bytes).unwrap();
        assert!(expat_accepts(&path), "{name}: expat refuses the input");
        let doc = ksr::xml::parse(&bytes, name, &Default::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        std::fs::write(&path, ksr::xml::write(&doc)).unwrap();
        assert!(expat_accepts(&path), "{name}: expat refuses what ksr wrote");
    }
}

#[test]
fn every_fixture_written_back_is_well_formed_for_expat() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "ksr-root-2009-q4-2.xml",
        "ksr-root-2017-q2-0.xml",
        "skr-root-2017-q1-0.xml",
        "skr-root-2017-q2-0.xml",
    ] {
        let doc = ksr::xml::parse_file(&fixture_path(name), &Default::default()).unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, ksr::xml::write(&doc)).unwrap();
        assert!(
            expat_accepts(&path),
            "{name}: expat refuses the SKR/KSR written"
        );
    }
}
